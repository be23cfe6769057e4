// The stream check of a sorted wdiff (format/wdiff_sorted_check.h), for the wire's receiver:
//   wdiffCheckOpen(name, size) -> handle
//   wdiffCheckFeed(handle, bytes: Buffer | number)   a number: that many zero bytes
//   wdiffCheckFinish(handle) -> { checked, packs, records, complete, endOffset }
// Synchronous, on the JavaScript thread: the receiver feeds each frame as it decodes it, and summing
// a frame's words costs a small part of what decoding it did (checksum.cc: 8-20 GB/s). A fault
// throws an Error carrying kind "format", file, offset and rule (op_error.h), as a rejected
// operation's does.
#include <memory>

#include "addon.h"
#include "format/wdiff_sorted_check.h"
#include "napi/op_error.h"

namespace walbctl::addon {
namespace {

using walb::fmt::SortedWdiffStreamCheck;
using Handle = Napi::External<SortedWdiffStreamCheck>;

[[noreturn]] void rethrow(Napi::Env env, const std::function<void()>& fn) {
  OpError e;
  auto message = CaptureOpError(fn, e);
  Napi::Error err = Napi::Error::New(env, message.value_or("internal error"));
  DecorateOpError(env, err.Value(), e);
  throw err;
}

SortedWdiffStreamCheck* checkArg(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "a wdiff check handle (wdiffCheckOpen) is expected");
  return info[0].As<Handle>().Data();
}

Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsNumber()) throw Napi::TypeError::New(env, "wdiffCheckOpen(name, size)");
  const int64_t size = info[1].As<Napi::Number>().Int64Value();
  if (size < 0) throw Napi::RangeError::New(env, "wdiffCheckOpen: size must not be negative");
  auto* check = new SortedWdiffStreamCheck(info[0].As<Napi::String>().Utf8Value(), uint64_t(size));
  return Handle::New(env, check, [](Napi::Env, SortedWdiffStreamCheck* c) { delete c; });
}

Napi::Value Feed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SortedWdiffStreamCheck* check = checkArg(info);
  const uint8_t* data = nullptr;
  size_t n = 0;
  if (info[1].IsBuffer()) {
    auto b = info[1].As<Napi::Buffer<uint8_t>>();
    data = b.Data();
    n = b.Length();
  } else if (info[1].IsNumber() && info[1].As<Napi::Number>().Int64Value() >= 0) {
    n = size_t(info[1].As<Napi::Number>().Int64Value());
  } else {
    throw Napi::TypeError::New(env, "wdiffCheckFeed(handle, bytes: Buffer | zero count)");
  }
  try {
    check->feed(data, n);
  } catch (...) {
    auto ex = std::current_exception();
    rethrow(env, [&]() { std::rethrow_exception(ex); });
  }
  return env.Undefined();
}

Napi::Value Finish(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SortedWdiffStreamCheck* check = checkArg(info);
  SortedWdiffStreamCheck::Result r;
  try {
    r = check->finish();
  } catch (...) {
    auto ex = std::current_exception();
    rethrow(env, [&]() { std::rethrow_exception(ex); });
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("checked", check->checked());
  o.Set("packs", double(r.packs));
  o.Set("records", double(r.records));
  o.Set("complete", r.complete);
  o.Set("endOffset", double(r.endOffset));
  return o;
}

}  // namespace
WALBCTL_EXPORT("wdiffCheckOpen", Open);
WALBCTL_EXPORT("wdiffCheckFeed", Feed);
WALBCTL_EXPORT("wdiffCheckFinish", Finish);
}  // namespace walbctl::addon
