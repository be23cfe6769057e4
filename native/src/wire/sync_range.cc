// syncFileRange(fd, offset, length) -> Promise<void>: sync_file_range(SYNC_FILE_RANGE_WRITE) on
// libuv's pool. It starts writeback of a range the wire's receiver has just written, so the fsync
// at the next checkpoint (which alone makes the data durable) finds little left to flush and the
// stream does not stall on it; it also keeps the page cache from filling with dirty pages.
// A file system that does not support it (EINVAL, ESPIPE) resolves anyway: the fsync still holds.
#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "addon.h"

namespace walbctl::wire {
namespace {

class SyncRangeWorker : public Napi::AsyncWorker {
 public:
  SyncRangeWorker(Napi::Env env, int fd, int64_t offset, int64_t length)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), fd_(fd), offset_(offset), length_(length) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    if (sync_file_range(fd_, offset_, length_, SYNC_FILE_RANGE_WRITE) != 0 && errno != EINVAL && errno != ESPIPE && errno != ENOSYS) {
      SetError(std::string("sync_file_range: ") + std::strerror(errno));
    }
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  int fd_;
  int64_t offset_, length_;
};

Napi::Value SyncFileRange(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber()) throw Napi::TypeError::New(env, "syncFileRange(fd, offset, length)");
  auto* w = new SyncRangeWorker(env, info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int64Value(), info[2].As<Napi::Number>().Int64Value());
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace
WALBCTL_EXPORT("syncFileRange", SyncFileRange);
}  // namespace walbctl::wire
