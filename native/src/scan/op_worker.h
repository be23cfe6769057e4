// A Napi::AsyncProgressQueueWorker for the archive/scan operations: the work runs on a pool
// thread with no N-API calls, reports progress as (done, total) bytes to an optional JS callback,
// and settles a promise. A failure becomes a JS Error carrying `file`, `offset`, `rule` (format
// errors) or `errno`/`code` (system errors), so the TypeScript side can name them.
#pragma once
#include <napi.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "format/error.h"

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
    try {
      work_(sink);
    } catch (const walb::fmt::FormatError& e) {
      kind_ = "format";
      file_ = e.file();
      offset_ = e.offset();
      rule_ = e.rule();
      SetError(e.what());
    } catch (const walb::fmt::IoError& e) {
      kind_ = "io";
      file_ = e.file();
      errno_ = e.err();
      SetError(e.what());
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnProgress(const Progress* data, size_t count) override {
    if (progress_.IsEmpty() || count == 0) return;
    Napi::Env env = Env();
    const Progress& p = data[count - 1];
    progress_.Call({Napi::Number::New(env, double(p.done)), Napi::Number::New(env, double(p.total))});
  }

  void OnOK() override { deferred_.Resolve(result_(Env())); }

  void OnError(const Napi::Error& error) override {
    Napi::Env env = Env();
    Napi::Object err = error.Value();
    if (kind_ == "format") {
      err.Set("file", file_);
      err.Set("offset", Napi::Number::New(env, double(offset_)));
      err.Set("rule", rule_);
      err.Set("code", "bad-format");
    } else if (kind_ == "io") {
      err.Set("file", file_);
      err.Set("errno", Napi::Number::New(env, errno_));
      err.Set("code", errnoName(errno_));
    }
    deferred_.Reject(err);
  }

  static std::string errnoName(int e) {
    switch (e) {
      case ENOSPC: return "ENOSPC";
      case ENOENT: return "ENOENT";
      case EACCES: return "EACCES";
      case EIO: return "EIO";
      case EDQUOT: return "EDQUOT";
      case EXDEV: return "EXDEV";
      case EOPNOTSUPP: return "EOPNOTSUPP";
      case EINVAL: return "EINVAL";
      case EEXIST: return "EEXIST";
      case EISDIR: return "EISDIR";
      default: return "E" + std::to_string(e);
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::FunctionReference progress_;
  Work work_;
  Result result_;
  std::string kind_, file_, rule_;
  uint64_t offset_ = 0;
  int errno_ = 0;
};

// Option helpers: read a named property, throwing a TypeError that names it.
std::string optString(const Napi::Object& o, const char* key);
std::string optStringOr(const Napi::Object& o, const char* key, const std::string& fallback);
uint64_t optU64(const Napi::Object& o, const char* key);
uint64_t optU64Or(const Napi::Object& o, const char* key, uint64_t fallback);
bool optBoolOr(const Napi::Object& o, const char* key, bool fallback);

}  // namespace walbctl::scan
