#include "napi/worker.h"


namespace walbctl::addon {

Napi::Value toJs(Napi::Env env, const JValue& v) {
  switch (v.type) {
    case JValue::Type::Null: return env.Null();
    case JValue::Type::Bool: return Napi::Boolean::New(env, v.b);
    case JValue::Type::Number: return Napi::Number::New(env, v.n);
    case JValue::Type::String: return Napi::String::New(env, v.s);
    case JValue::Type::Array: {
      Napi::Array a = Napi::Array::New(env, v.items.size());
      for (size_t i = 0; i < v.items.size(); i++) a.Set(uint32_t(i), toJs(env, v.items[i]));
      return a;
    }
    case JValue::Type::Object: {
      Napi::Object o = Napi::Object::New(env);
      for (const auto& [k, x] : v.fields) o.Set(k, toJs(env, x));
      return o;
    }
  }
  return env.Null();
}

OpWorker::OpWorker(Napi::Env env, const char* name, Fn fn)
    : Napi::AsyncWorker(env, name), fn_(std::move(fn)), deferred_(Napi::Promise::Deferred::New(env)) {}

Napi::Promise OpWorker::Run(Napi::Env env, const char* name, Fn fn) {
  auto* w = new OpWorker(env, name, std::move(fn));
  Napi::Promise p = w->deferred_.Promise();
  w->Queue();
  return p;
}

void OpWorker::Execute() {
  if (auto message = CaptureOpError([this] { result_ = fn_(); }, error_)) SetError(*message);
}

void OpWorker::OnOK() { deferred_.Resolve(toJs(Env(), result_)); }

void OpWorker::OnError(const Napi::Error& e) {
  Napi::Object err = e.Value();
  DecorateOpError(Env(), err, error_);
  deferred_.Reject(err);
}

std::string stringArg(const Napi::Value& v, const char* what) {
  if (!v.IsString()) throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

std::vector<std::string> stringArray(const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string(what) + " must be an array of strings");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(stringArg(a.Get(i), what));
  return out;
}

Napi::Object optionsArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || info[i].IsUndefined()) return Napi::Object::New(info.Env());
  if (!info[i].IsObject()) throw Napi::TypeError::New(info.Env(), "options must be an object");
  return info[i].As<Napi::Object>();
}

bool boolOpt(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  return v.IsUndefined() ? fallback : v.ToBoolean().Value();
}

uint32_t u32Opt(const Napi::Object& o, const char* key, uint32_t fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d < 0 || d > 4294967295.0 || d != double(uint32_t(d)))
    throw Napi::RangeError::New(o.Env(), std::string(key) + " must be an integer in 0..2^32-1");
  return uint32_t(d);
}

std::string stringOpt(const Napi::Object& o, const char* key, const std::string& fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  return stringArg(v, key);
}

}  // namespace walbctl::addon
