// Reads that bypass the page cache, for a file another process writes with O_DIRECT (the wdev's
// log ring, which the shipper reads back while the wdev server writes on):
//   openDirect(path) -> number: a read-only fd opened with O_DIRECT, or -1 when the file system
//       refuses O_DIRECT (tmpfs); throws on any other failure (ENOENT...). Close it with fs.close.
//   readDirect(fd, buf, offset, length, position) -> Promise<number>: up to `length` bytes at
//       `position` into buf[offset..], on libuv's pool; fewer only at the end of the file. The
//       aligned blocks that cover the range are read into a 4096-aligned buffer of the pool thread
//       and copied out (a Buffer's address is not aligned), so any range may be asked for.
// Why: a buffered read copies every block through the page cache (on this project's VMs that copy
// was ~30 % of the storage's shipping CPU) and leaves the ring's pages cached, which makes each of
// the wdev server's later direct writes there invalidate them (bench:ship, perf, 2026-12-06).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <new>
#include <cerrno>
#include <cstring>
#include <string>

#include "addon.h"
#include "format/io.h"

namespace walbctl::sys {
namespace {

constexpr uint64_t kSector = 512;

// The pool thread's bounce buffer: page-aligned (an mmap), grown as needed, kept for the next read.
thread_local walb::fmt::PageBuffer t_bounce;

class DirectReadWorker : public Napi::AsyncWorker {
 public:
  DirectReadWorker(Napi::Env env, int fd, Napi::Buffer<uint8_t> buf, uint64_t offset, uint64_t length, uint64_t position)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), fd_(fd), bufRef_(Napi::Persistent(buf)),
        out_(buf.Data() + offset), length_(length), position_(position) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    const uint64_t start = position_ / kSector * kSector;
    const uint64_t end = (position_ + length_ + kSector - 1) / kSector * kSector;
    try {
      t_bounce.grow(end - start);
    } catch (const std::bad_alloc&) {
      return SetError("readDirect: out of memory for a " + std::to_string(end - start) + "-byte aligned buffer");
    }
    uint8_t* b = t_bounce.data();
    uint64_t got = 0;
    while (start + got < end) {
      ssize_t r = pread(fd_, b + got, end - start - got, static_cast<off_t>(start + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return SetError("read at offset " + std::to_string(start + got) + ": " + std::strerror(errno));
      if (r == 0) break;
      got += static_cast<uint64_t>(r);
    }
    const uint64_t skip = position_ - start;
    result_ = got > skip ? std::min(length_, got - skip) : 0;
    if (result_ > 0) std::memcpy(out_, b + skip, result_);
  }
  void OnOK() override { deferred_.Resolve(Napi::Number::New(Env(), double(result_))); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  int fd_;
  Napi::Reference<Napi::Buffer<uint8_t>> bufRef_;
  uint8_t* out_;
  uint64_t length_, position_;
  uint64_t result_ = 0;
};

Napi::Value OpenDirect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "openDirect(path)");
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  int fd = open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
  if (fd < 0 && errno == EINVAL) return Napi::Number::New(env, -1);
  if (fd < 0) {
    Napi::Error err = Napi::Error::New(env, path + ": cannot open for direct reads: " + std::strerror(errno));
    err.Set("errno", Napi::Number::New(env, errno));
    throw err;
  }
  return Napi::Number::New(env, fd);
}

Napi::Value ReadDirect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsBuffer() || !info[2].IsNumber() || !info[3].IsNumber() || !info[4].IsNumber())
    throw Napi::TypeError::New(env, "readDirect(fd, buf, offset, length, position)");
  auto buf = info[1].As<Napi::Buffer<uint8_t>>();
  const int64_t offset = info[2].As<Napi::Number>().Int64Value();
  const int64_t length = info[3].As<Napi::Number>().Int64Value();
  const int64_t position = info[4].As<Napi::Number>().Int64Value();
  if (offset < 0 || length < 0 || position < 0 || uint64_t(offset) + uint64_t(length) > buf.Length())
    throw Napi::RangeError::New(env, "readDirect: offset " + std::to_string(offset) + " + length " + std::to_string(length) + " is outside the buffer (" +
                                         std::to_string(buf.Length()) + " bytes) or negative");
  auto* w = new DirectReadWorker(env, info[0].As<Napi::Number>().Int32Value(), buf, uint64_t(offset), uint64_t(length), uint64_t(position));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace
WALBCTL_EXPORT("openDirect", OpenDirect);
WALBCTL_EXPORT("readDirect", ReadDirect);
}  // namespace walbctl::sys
