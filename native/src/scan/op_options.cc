#include "scan/op_worker.h"

namespace walbctl::scan {

std::string optString(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string("option \"") + key + "\" must be a string");
  return v.As<Napi::String>().Utf8Value();
}

std::string optStringOr(const Napi::Object& o, const char* key, const std::string& fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  return optString(o, key);
}

uint64_t optU64(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("option \"") + key + "\" must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d < 0 || d > 9007199254740991.0 || d != double(uint64_t(d))) {
    throw Napi::TypeError::New(o.Env(), std::string("option \"") + key + "\" must be a non-negative integer");
  }
  return uint64_t(d);
}

uint64_t optU64Or(const Napi::Object& o, const char* key, uint64_t fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  return optU64(o, key);
}

bool optBoolOr(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  return v.ToBoolean().Value();
}

}  // namespace walbctl::scan
