// convertWlog(inputs: string[], output: string, {indexed, compression, maxIoBlocks, sync}) -> Promise
#include "addon.h"
#include "napi/results.h"
#include "napi/worker.h"
#include "ops/convert.h"

namespace walbctl::addon {
namespace {

Napi::Value ConvertWlog(const Napi::CallbackInfo& info) {
  auto inputs = stringArray(info[0], "inputs");
  auto output = stringArg(info[1], "output");
  Napi::Object o = optionsArg(info, 2);
  walb::ops::ConvertOptions opts;
  opts.indexed = boolOpt(o, "indexed", false);
  opts.maxIoBlocks = u32Opt(o, "maxIoBlocks", opts.maxIoBlocks);
  opts.sync = boolOpt(o, "sync", true);
  if (!parseCompressionOpt(stringOpt(o, "compression", "lz4"), opts.compression))
    throw Napi::RangeError::New(info.Env(), "unknown compression");
  if (opts.maxIoBlocks == 0) throw Napi::RangeError::New(info.Env(), "maxIoBlocks must be positive");
  return OpWorker::Run(info.Env(), "walbctl.convertWlog", [=]() {
    auto r = walb::ops::convertWlogs(inputs, output, opts);
    JValue v = JValue::object();
    v.set("wlogBytes", r.wlogBytes);
    v.set("beginLsid", bigU64(r.beginLsid)).set("endLsid", bigU64(r.endLsid));
    v.set("logIos", r.logIos).set("indexExtents", r.indexExtents);
    v.set("fileBytes", r.stats.fileBytes);
    v.set("lastWlog", wlogTailJson(r.lastWlog));
    return v;
  });
}

}  // namespace
WALBCTL_EXPORT("convertWlog", ConvertWlog);
}  // namespace walbctl::addon
