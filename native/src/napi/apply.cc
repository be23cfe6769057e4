// applyLogs(inputs: string[], target: string, {discard: 'zero'|'punch', sync}) -> Promise
#include "addon.h"
#include "napi/results.h"
#include "napi/worker.h"
#include "ops/apply.h"

namespace walbctl::addon {
namespace {

Napi::Value ApplyLogs(const Napi::CallbackInfo& info) {
  auto inputs = stringArray(info[0], "inputs");
  auto target = stringArg(info[1], "target");
  Napi::Object o = optionsArg(info, 2);
  walb::ops::ApplyOptions opts;
  opts.sync = boolOpt(o, "sync", true);
  std::string d = stringOpt(o, "discard", "zero");
  if (d == "punch")
    opts.discard = walb::ops::DiscardMode::Punch;
  else if (d != "zero")
    throw Napi::RangeError::New(info.Env(), "discard must be 'zero' or 'punch'");
  return OpWorker::Run(info.Env(), "walbctl.applyLogs", [=]() {
    auto r = walb::ops::applyLogs(inputs, target, opts);
    JValue v = JValue::object();
    v.set("writes", JValue::object().set("records", r.writes).set("blocks", r.writeBlocks));
    v.set("allZero", JValue::object().set("records", r.allZeros).set("blocks", r.allZeroBlocks));
    v.set("discard", JValue::object().set("records", r.discards).set("blocks", r.discardBlocks));
    v.set("bytesWritten", r.bytesWritten);
    v.set("lastWlog", wlogTailJson(r.lastWlog));
    return v;
  });
}

}  // namespace
WALBCTL_EXPORT("applyLogs", ApplyLogs);
}  // namespace walbctl::addon
