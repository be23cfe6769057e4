// checkHashIndex: reads a storage's hash index whole, with every check readHashIndex makes (magic,
// version, sizes, the closing XXH3-128), off the JS thread. The storage's state reports a damaged
// index as an overflow, as it does a missing one: only a hash backup recovers from either.
// JS: checkHashIndex(path) -> Promise<{bulkSize, sizeBytes, bulks, gidB, gidE, seed}> (seed: 16 hex digits), rejected with the
//     format error (file, offset, rule) when the index is damaged.
#include <memory>

#include "addon.h"
#include "scan/hash_index.h"
#include "scan/op_worker.h"

namespace walbctl::scan {
namespace {

Napi::Value CheckHashIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "checkHashIndex(path): path must be a string");
  auto path = info[0].As<Napi::String>().Utf8Value();
  auto index = std::make_shared<HashIndex>();
  auto* worker = new OpWorker(
      env, info[1], [path, index](ProgressSink&) { *index = readHashIndex(path); },
      [index](Napi::Env e) {
        Napi::Object out = Napi::Object::New(e);
        out.Set("bulkSize", Napi::Number::New(e, double(index->bulkSize)));
        out.Set("sizeBytes", Napi::Number::New(e, double(index->sizeBytes)));
        out.Set("bulks", Napi::Number::New(e, double(index->hashes.size())));
        out.Set("gidB", Napi::Number::New(e, double(index->gidB)));
        out.Set("gidE", Napi::Number::New(e, double(index->gidE)));
        out.Set("seed", Napi::String::New(e, formatSeedHex(index->seed)));
        return out;
      });
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

}  // namespace
WALBCTL_EXPORT("checkHashIndex", CheckHashIndex);
}  // namespace walbctl::scan
