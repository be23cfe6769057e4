// The one AsyncWorker every operation uses: Execute() runs a C++ function on a libuv pool thread
// (never touching N-API), OnOK() converts its JValue result, OnError() rejects with an Error that
// carries the format error's fields: file, offset, rule (and errno/syscall for OS failures).
#pragma once
#include <napi.h>

#include <functional>
#include <string>

#include "napi/jvalue.h"
#include "napi/op_error.h"

namespace walbctl::addon {

Napi::Value toJs(Napi::Env env, const JValue& v);

class OpWorker : public Napi::AsyncWorker {
 public:
  using Fn = std::function<JValue()>;
  // Queues `fn` and returns the promise it settles.
  static Napi::Promise Run(Napi::Env env, const char* name, Fn fn);

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

 private:
  OpWorker(Napi::Env env, const char* name, Fn fn);
  Fn fn_;
  Napi::Promise::Deferred deferred_;
  JValue result_;
  OpError error_;
};

// Argument helpers: throw a JS TypeError naming the argument when it has the wrong type.
std::vector<std::string> stringArray(const Napi::Value& v, const char* what);
std::string stringArg(const Napi::Value& v, const char* what);
Napi::Object optionsArg(const Napi::CallbackInfo& info, size_t i);
bool boolOpt(const Napi::Object& o, const char* key, bool fallback);
uint32_t u32Opt(const Napi::Object& o, const char* key, uint32_t fallback);
std::string stringOpt(const Napi::Object& o, const char* key, const std::string& fallback);

}  // namespace walbctl::addon
