// Small exports for tests and tools: checksum(buffer, salt); writeWlog(path, options, ios), which
// writes a wlog from a list of IOs through the same WlogWriter the data path uses; cachedBuffers(),
// how many pack buffers the writers keep between them now (format/buffer_cache.h).
#include <cstring>

#include "addon.h"
#include "format/buffer_cache.h"
#include "format/checksum.h"
#include "format/wlog.h"
#include "napi/worker.h"

namespace walbctl::addon {
namespace {

Napi::Value Checksum(const Napi::CallbackInfo& info) {
  if (!info[0].IsBuffer()) throw Napi::TypeError::New(info.Env(), "checksum(buffer, salt): buffer must be a Buffer");
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  uint32_t salt = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 0;
  return Napi::Number::New(info.Env(), walb::fmt::checksum(buf.Data(), buf.Length(), salt));
}

struct Io {
  std::string kind;
  uint64_t address = 0;
  uint32_t blocks = 0;
  std::vector<uint8_t> data;
};

Napi::Value WriteWlog(const Napi::CallbackInfo& info) {
  auto path = stringArg(info[0], "path");
  Napi::Object o = optionsArg(info, 1);
  walb::fmt::WlogWriterOptions opts;
  opts.pbs = u32Opt(o, "pbs", 4096);
  opts.salt = u32Opt(o, "salt", 0);
  opts.beginLsid = uint64_t(o.Get("beginLsid").IsNumber() ? o.Get("beginLsid").As<Napi::Number>().Int64Value() : 0);
  opts.maxPackBlocks = u32Opt(o, "maxPackBlocks", 0);
  opts.sync = false;
  if (!walb::fmt::validPbs(opts.pbs)) throw Napi::RangeError::New(info.Env(), "pbs must be 512 or 4096");
  auto uuid = std::make_shared<std::vector<uint8_t>>(16, 0);
  if (o.Get("uuid").IsBuffer()) {
    auto b = o.Get("uuid").As<Napi::Buffer<uint8_t>>();
    std::memcpy(uuid->data(), b.Data(), std::min<size_t>(16, b.Length()));
  }
  if (!info[2].IsArray()) throw Napi::TypeError::New(info.Env(), "ios must be an array");
  Napi::Array arr = info[2].As<Napi::Array>();
  auto ios = std::make_shared<std::vector<Io>>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Object x = arr.Get(i).As<Napi::Object>();
    Io io;
    io.kind = stringOpt(x, "kind", "write");
    Napi::Value a = x.Get("address");
    if (!a.IsNumber() || a.As<Napi::Number>().DoubleValue() < 0)
      throw Napi::RangeError::New(info.Env(), "address must be a non-negative number");
    io.address = uint64_t(a.As<Napi::Number>().Int64Value());
    io.blocks = u32Opt(x, "blocks", 0);
    if (io.kind == "write") {
      if (!x.Get("data").IsBuffer()) throw Napi::TypeError::New(info.Env(), "a write needs data (a Buffer)");
      auto b = x.Get("data").As<Napi::Buffer<uint8_t>>();
      if (b.Length() != size_t(io.blocks) * 512) throw Napi::RangeError::New(info.Env(), "data must be blocks*512 bytes");
      io.data.assign(b.Data(), b.Data() + b.Length());
    } else if (io.kind == "flush") {
    } else if (io.kind != "discard" && io.kind != "padding") {
      throw Napi::TypeError::New(info.Env(), "kind must be write, discard, padding or flush");
    }
    ios->push_back(std::move(io));
  }
  return OpWorker::Run(info.Env(), "walbctl.writeWlog", [=]() {
    walb::fmt::WlogWriterOptions wo = opts;
    wo.uuid = uuid->data();
    walb::fmt::WlogWriter w(path, wo);
    for (const Io& io : *ios) {
      if (io.kind == "write")
        w.addWrite(io.address, io.blocks, io.data.data());
      else if (io.kind == "discard")
        w.addDiscard(io.address, io.blocks);
      else if (io.kind == "padding")
        w.addPadding(io.blocks);
      else
        w.flushPack();
    }
    uint64_t end = w.finish();
    return JValue::object().set("endLsid", end);
  });
}

Napi::Value CachedBuffers(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(walb::fmt::cachedBufferCount()));
}

}  // namespace
WALBCTL_EXPORT("checksum", Checksum);
WALBCTL_EXPORT("cachedBuffers", CachedBuffers);
WALBCTL_EXPORT("writeWlog", WriteWlog);
}  // namespace walbctl::addon
