// alignedBuffer(size) -> Buffer: `size` bytes at a 4096-aligned address, for writes through a
// descriptor opened with O_DIRECT (the wire's receiver, stream/direct-writer.ts). JavaScript cannot
// choose a Buffer's address; this one is allocated with posix_memalign and freed by its finalizer.
#include <cstdlib>

#include "addon.h"

namespace walbctl::wire {
namespace {

constexpr size_t kAlign = 4096;

Napi::Value AlignedBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "alignedBuffer(size)");
  const int64_t size = info[0].As<Napi::Number>().Int64Value();
  if (size <= 0 || size % kAlign != 0 || size > (int64_t{1} << 30)) throw Napi::RangeError::New(env, "alignedBuffer: size must be a positive multiple of 4096, at most 1 GiB");
  void* p = nullptr;
  if (posix_memalign(&p, kAlign, static_cast<size_t>(size)) != 0) throw Napi::Error::New(env, "alignedBuffer: out of memory");
  return Napi::Buffer<uint8_t>::New(env, static_cast<uint8_t*>(p), static_cast<size_t>(size), [](Napi::Env, uint8_t* data) { std::free(data); });
}

}  // namespace
WALBCTL_EXPORT("alignedBuffer", AlignedBuffer);
}  // namespace walbctl::wire
