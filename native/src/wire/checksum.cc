// The wire's checksums in protocol version 2 (native/lib/wire/spec.md): XXH3 instead of zlib's crc32
// per frame and sha256 per checkpoint segment, which cost the JS thread most of its time per byte.
// JS:
//   wireFrameSum(parts: Buffer[]) -> number   low 32 bits of XXH3-64 over the parts in order
//   xxh3Begin() -> External                  a streaming XXH3-128 state
//   xxh3Update(state, buf)                   adds bytes
//   xxh3Digest(state) -> string              32 hex digits (high 64 bits then low), state unchanged
// All run on the calling thread: one call per frame (<= 4 MiB), at tens of GB/s.
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

#include <cstdio>
#include <string>

#include "addon.h"

namespace walbctl::wire {
namespace {

Napi::Value WireFrameSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "wireFrameSum(parts): parts must be an array of Buffers");
  Napi::Array parts = info[0].As<Napi::Array>();
  XXH3_state_t st;
  XXH3_64bits_reset(&st);
  for (uint32_t i = 0; i < parts.Length(); i++) {
    Napi::Value v = parts[i];
    if (!v.IsBuffer()) throw Napi::TypeError::New(env, "wireFrameSum(parts): every part must be a Buffer");
    auto b = v.As<Napi::Buffer<uint8_t>>();
    XXH3_64bits_update(&st, b.Data(), b.Length());
  }
  return Napi::Number::New(env, double(uint32_t(XXH3_64bits_digest(&st))));
}

XXH3_state_t* stateOf(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "expected an xxh3 state from xxh3Begin()");
  return info[0].As<Napi::External<XXH3_state_t>>().Data();
}

Napi::Value Xxh3Begin(const Napi::CallbackInfo& info) {
  XXH3_state_t* st = XXH3_createState();
  if (!st) throw Napi::Error::New(info.Env(), "xxh3Begin: out of memory");
  XXH3_128bits_reset(st);
  return Napi::External<XXH3_state_t>::New(info.Env(), st, [](Napi::Env, XXH3_state_t* s) { XXH3_freeState(s); });
}

Napi::Value Xxh3Update(const Napi::CallbackInfo& info) {
  XXH3_state_t* st = stateOf(info);
  if (!info[1].IsBuffer()) throw Napi::TypeError::New(info.Env(), "xxh3Update(state, buf): buf must be a Buffer");
  auto b = info[1].As<Napi::Buffer<uint8_t>>();
  XXH3_128bits_update(st, b.Data(), b.Length());
  return info.Env().Undefined();
}

Napi::Value Xxh3Digest(const Napi::CallbackInfo& info) {
  XXH128_hash_t h = XXH3_128bits_digest(stateOf(info));
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(h.high64), static_cast<unsigned long long>(h.low64));
  return Napi::String::New(info.Env(), hex, 32);
}

}  // namespace
WALBCTL_EXPORT("wireFrameSum", WireFrameSum);
WALBCTL_EXPORT("xxh3Begin", Xxh3Begin);
WALBCTL_EXPORT("xxh3Update", Xxh3Update);
WALBCTL_EXPORT("xxh3Digest", Xxh3Digest);
}  // namespace walbctl::wire
