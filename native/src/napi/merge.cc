// mergeWdiffs(inputs: string[], output: string, {compression, sync}) -> Promise
#include "addon.h"
#include "napi/results.h"
#include "napi/worker.h"
#include "ops/merge.h"

namespace walbctl::addon {
namespace {

Napi::Value MergeWdiffs(const Napi::CallbackInfo& info) {
  auto inputs = stringArray(info[0], "inputs");
  auto output = stringArg(info[1], "output");
  Napi::Object o = optionsArg(info, 2);
  walb::ops::MergeOptions opts;
  opts.sync = boolOpt(o, "sync", true);
  if (!parseCompressionOpt(stringOpt(o, "compression", "lz4"), opts.compression))
    throw Napi::RangeError::New(info.Env(), "unknown compression");
  std::string uuid = stringOpt(o, "uuid", "");
  if (!uuid.empty()) {
    std::string hex;
    for (char c : uuid)
      if (c != '-') hex += c;
    if (hex.size() != 32 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
      throw Napi::RangeError::New(info.Env(), "uuid must be 32 hex digits");
    for (int i = 0; i < 16; i++) opts.uuid[i] = uint8_t(std::stoul(hex.substr(size_t(i) * 2, 2), nullptr, 16));
    opts.hasUuid = true;
  }
  return OpWorker::Run(info.Env(), "walbctl.mergeWdiffs", [=]() {
    auto r = walb::ops::mergeWdiffs(inputs, output, opts);
    JValue v = JValue::object();
    v.set("stats", statsJson(r.stats));
    v.set("inputRecords", r.inputRecords).set("indexExtents", r.indexExtents);
    v.set("copiedRecords", r.copiedRecords).set("reencodedRecords", r.reencodedRecords);
    return v;
  });
}

}  // namespace
WALBCTL_EXPORT("mergeWdiffs", MergeWdiffs);
}  // namespace walbctl::addon
