// The base's checksums (native/lib/archive/base-sums.md) hashed from an image's bytes as they
// arrive, so a received full backup needs no re-read of the image it wrote (wire/stream/bulk-sums.ts).
// JS:
//   bulkSumsBegin(sizeBytes, bulkSize, fromByte) -> External   fromByte: a bulk boundary
//   bulkSumsUpdate(state, parts: Buffer[] | zeros: number, hashes: Buffer)
//     feeds the next bytes of the image (or that many zeros); each bulk they finish has its
//     XXH3-64 written little-endian at hashes[8 * bulk] (the last bulk may be short).
// All run on the calling thread: one call per frame (<= 4 MiB), at tens of GB/s.
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t inside the state
#include <xxhash.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "addon.h"

namespace walbctl::archive {
namespace {

struct BulkSums {
  XXH3_state_t st;
  uint64_t size = 0, bulk = 0, pos = 0;
};

const std::vector<uint8_t>& zeroBlock() {
  static const std::vector<uint8_t> z(1u << 16, 0);
  return z;
}

double number(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string("bulkSums: ") + what + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > 9007199254740991.0 || d != double(uint64_t(d))) throw Napi::RangeError::New(v.Env(), std::string("bulkSums: ") + what + " must be a non-negative integer");
  return d;
}

Napi::Value BulkSumsBegin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* s = new BulkSums();
  s->size = uint64_t(number(info[0], "sizeBytes"));
  s->bulk = uint64_t(number(info[1], "bulkSize"));
  s->pos = uint64_t(number(info[2], "fromByte"));
  if (s->bulk == 0 || s->pos % s->bulk != 0 || s->pos > s->size) {
    delete s;
    throw Napi::RangeError::New(env, "bulkSumsBegin: bulkSize must be positive and fromByte a bulk boundary within the image");
  }
  XXH3_64bits_reset(&s->st);
  return Napi::External<BulkSums>::New(env, s, [](Napi::Env, BulkSums* p) { delete p; });
}

void feed(BulkSums& s, const uint8_t* data, uint64_t len, uint8_t* out, uint64_t outLen) {
  while (len > 0 && s.pos < s.size) {
    uint64_t take = std::min({len, s.bulk - s.pos % s.bulk, s.size - s.pos});
    if (data) {
      XXH3_64bits_update(&s.st, data, size_t(take));
      data += take;
    } else {
      const auto& z = zeroBlock();
      for (uint64_t left = take; left > 0;) {
        size_t n = size_t(std::min<uint64_t>(left, z.size()));
        XXH3_64bits_update(&s.st, z.data(), n);
        left -= n;
      }
    }
    s.pos += take;
    len -= take;
    if (s.pos % s.bulk == 0 || s.pos == s.size) {
      uint64_t h = XXH3_64bits_digest(&s.st), at = ((s.pos - 1) / s.bulk) * 8;
      XXH3_64bits_reset(&s.st);
      if (at + 8 <= outLen)
        for (int i = 0; i < 8; i++) out[at + i] = uint8_t(h >> (8 * i));
    }
  }
}

Napi::Value BulkSumsUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsExternal()) throw Napi::TypeError::New(env, "bulkSumsUpdate: expected a state from bulkSumsBegin()");
  BulkSums& s = *info[0].As<Napi::External<BulkSums>>().Data();
  if (!info[2].IsBuffer()) throw Napi::TypeError::New(env, "bulkSumsUpdate(state, parts, hashes): hashes must be a Buffer");
  auto out = info[2].As<Napi::Buffer<uint8_t>>();
  if (out.Length() < ((s.size + s.bulk - 1) / s.bulk) * 8) throw Napi::RangeError::New(env, "bulkSumsUpdate: hashes is shorter than 8 bytes per bulk of the image");
  if (info[1].IsNumber()) {
    feed(s, nullptr, uint64_t(number(info[1], "zeros")), out.Data(), out.Length());
  } else if (info[1].IsArray()) {
    Napi::Array parts = info[1].As<Napi::Array>();
    for (uint32_t i = 0; i < parts.Length(); i++) {
      Napi::Value v = parts[i];
      if (!v.IsBuffer()) throw Napi::TypeError::New(env, "bulkSumsUpdate: every part must be a Buffer");
      auto b = v.As<Napi::Buffer<uint8_t>>();
      feed(s, b.Data(), b.Length(), out.Data(), out.Length());
    }
  } else {
    throw Napi::TypeError::New(env, "bulkSumsUpdate(state, parts, hashes): parts must be an array of Buffers or a count of zeros");
  }
  return Napi::Number::New(env, double(s.pos));
}

}  // namespace
WALBCTL_EXPORT("bulkSumsBegin", BulkSumsBegin);
WALBCTL_EXPORT("bulkSumsUpdate", BulkSumsUpdate);
}  // namespace walbctl::archive
