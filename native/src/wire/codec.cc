// The wire's data frame compression on libuv's pool, with buffers V8 owns (so its GC sees them):
// lz4-napi held its outputs in native memory the GC did not count, which doubled both ends' RSS.
// JS:
//   wireCompress(codec: 'lz4'|'zstd', raw: Buffer, room = 0, out?: Buffer) -> Promise<Buffer|null>
//       `room` bytes (left for the caller's headers) then the compressed bytes (a view of a buffer
//       of room + compressBound bytes: `out` when it is that large, else a new one), or null when
//       not smaller
//   wireDecompress(codec, packed: Buffer, rawLength, out?: Buffer) -> Promise<Buffer|null>
//       exactly rawLength bytes (a view of `out` when it is that large, else a new buffer), or null
//       when `packed` does not decode to that many
// A caller that passes `out` reuses it once the result is done with: no fresh pages to fault in
// per frame (on this project's VMs a page fault is a trap to the hypervisor).
// zstd at level 1 (its fastest ratio-keeping level), lz4 at its default.
#include <memory>
#include <string>

#include "addon.h"
#include "format/compression.h"

namespace walbctl::wire {
namespace {
using walb::fmt::Compression;

Compression codecOf(const Napi::Value& v) {
  std::string name = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (name == "lz4") return Compression::Lz4;
  if (name == "zstd") return Compression::Zstd;
  throw Napi::TypeError::New(v.Env(), "codec must be \"lz4\" or \"zstd\"");
}

class CodecWorker : public Napi::AsyncWorker {
 public:
  CodecWorker(Napi::Env env, bool pack, Compression c, Napi::Buffer<uint8_t> in, Napi::Buffer<uint8_t> out, size_t room, size_t cap)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), pack_(pack), c_(c),
        inRef_(Napi::Persistent(in)), outRef_(Napi::Persistent(out)),
        in_(in.Data()), inLen_(in.Length()), out_(out.Data() + room), outCap_(cap), room_(room) {}

  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    if (pack_) {
      result_ = walb::fmt::compressInto(c_, in_, inLen_, out_, outCap_, c_ == Compression::Zstd ? 1 : 0);
    } else {
      result_ = walb::fmt::decompress(c_, in_, inLen_, out_, outCap_) ? outCap_ : 0;
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (result_ == 0) {
      deferred_.Resolve(env.Null());
      return;
    }
    Napi::Buffer<uint8_t> out = outRef_.Value();
    const size_t end = room_ + result_;
    if (end == out.Length()) {
      deferred_.Resolve(out);
      return;
    }
    // A view of the first result_ bytes (Buffer.prototype.subarray keeps the same memory).
    Napi::Function subarray = out.Get("subarray").As<Napi::Function>();
    deferred_.Resolve(subarray.Call(out, {Napi::Number::New(env, 0), Napi::Number::New(env, double(end))}));
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  bool pack_;
  Compression c_;
  Napi::Reference<Napi::Buffer<uint8_t>> inRef_, outRef_;
  const uint8_t* in_;
  size_t inLen_;
  uint8_t* out_;
  size_t outCap_;
  size_t room_;
  size_t result_ = 0;
};

Napi::Value WireCompress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Compression c = codecOf(info[0]);
  if (!info[1].IsBuffer()) throw Napi::TypeError::New(env, "wireCompress(codec, raw): raw must be a Buffer");
  auto in = info[1].As<Napi::Buffer<uint8_t>>();
  const size_t room = info[2].IsNumber() ? size_t(info[2].As<Napi::Number>().Uint32Value() & 0xffff) : 0;
  const size_t bound = walb::fmt::compressBound(c, in.Length());
  Napi::Buffer<uint8_t> out = info[3].IsBuffer() && info[3].As<Napi::Buffer<uint8_t>>().Length() >= room + bound
                                  ? info[3].As<Napi::Buffer<uint8_t>>()
                                  : Napi::Buffer<uint8_t>::New(env, room + bound);
  auto* w = new CodecWorker(env, true, c, in, out, room, bound);
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

Napi::Value WireDecompress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Compression c = codecOf(info[0]);
  if (!info[1].IsBuffer() || !info[2].IsNumber()) throw Napi::TypeError::New(env, "wireDecompress(codec, packed, rawLength)");
  auto in = info[1].As<Napi::Buffer<uint8_t>>();
  double n = info[2].As<Napi::Number>().DoubleValue();
  if (n < 0 || n > double(64u << 20)) throw Napi::RangeError::New(env, "wireDecompress: rawLength out of range");
  Napi::Buffer<uint8_t> out = info[3].IsBuffer() && info[3].As<Napi::Buffer<uint8_t>>().Length() >= size_t(n)
                                  ? info[3].As<Napi::Buffer<uint8_t>>()
                                  : Napi::Buffer<uint8_t>::New(env, size_t(n));
  auto* w = new CodecWorker(env, false, c, in, out, 0, size_t(n));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace
WALBCTL_EXPORT("wireCompress", WireCompress);
WALBCTL_EXPORT("wireDecompress", WireDecompress);
}  // namespace walbctl::wire
