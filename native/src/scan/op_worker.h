// A Napi::AsyncProgressQueueWorker for the archive/scan operations: the work runs on a pool
// thread with no N-API calls, reports progress as (done, total) bytes to an optional JS callback,
// and settles a promise. A failure becomes a JS Error carrying the fields napi/op_error.h puts on it
// (`file`, `offset`, `rule` for format errors, `errno`/`code` for system errors), as every worker does.
#pragma once
#include <napi.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "napi/op_error.h"

namespace walbctl::scan {

struct Progress {
  uint64_t done;
  uint64_t total;
};

// Reports progress at most every 100 ms (and at the end), so the queue stays short.
class ProgressSink {
 public:
  using Send = std::function<void(const Progress&)>;
  explicit ProgressSink(Send send) : send_(std::move(send)) {}
  void report(uint64_t done, uint64_t total, bool force = false) {
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    if (send_) send_(Progress{done, total});
  }

 private:
  Send send_;
  std::chrono::steady_clock::time_point last_{};
};

class OpWorker : public Napi::AsyncProgressQueueWorker<Progress> {
 public:
  using Work = std::function<void(ProgressSink&)>;
  using Result = std::function<Napi::Value(Napi::Env)>;

  OpWorker(Napi::Env env, Napi::Value onProgress, Work work, Result result)
      : Napi::AsyncProgressQueueWorker<Progress>(env), deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)), result_(std::move(result)) {
    if (onProgress.IsFunction()) progress_ = Napi::Persistent(onProgress.As<Napi::Function>());
  }

  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    ProgressSink sink([&progress](const Progress& p) { progress.Send(&p, 1); });
    if (auto message = addon::CaptureOpError([&] { work_(sink); }, error_)) SetError(*message);
  }

  void OnProgress(const Progress* data, size_t count) override {
    if (progress_.IsEmpty() || count == 0) return;
    Napi::Env env = Env();
    const Progress& p = data[count - 1];
    progress_.Call({Napi::Number::New(env, double(p.done)), Napi::Number::New(env, double(p.total))});
  }

  void OnOK() override { deferred_.Resolve(result_(Env())); }

  void OnError(const Napi::Error& error) override {
    Napi::Object err = error.Value();
    addon::DecorateOpError(Env(), err, error_);
    deferred_.Reject(err);
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::FunctionReference progress_;
  Work work_;
  Result result_;
  addon::OpError error_;
};

// Option helpers: read a named property, throwing a TypeError that names it.
std::string optString(const Napi::Object& o, const char* key);
std::string optStringOr(const Napi::Object& o, const char* key, const std::string& fallback);
uint64_t optU64(const Napi::Object& o, const char* key);
uint64_t optU64Or(const Napi::Object& o, const char* key, uint64_t fallback);
bool optBoolOr(const Napi::Object& o, const char* key, bool fallback);

}  // namespace walbctl::scan
