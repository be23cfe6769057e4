#include "format/direct_sink.h"

#include <fcntl.h>
#include <linux/aio_abi.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "format/error.h"

namespace walb::fmt {

DirectSink::DirectSink(const std::string& path) : path_(path) {
  if (std::getenv("WALBCTL_NO_DIRECT_IO")) return;
  aio_context_t ctx = 0;
  if (syscall(SYS_io_setup, long(kInFlight), &ctx) != 0) return;
  ctx_ = ctx;
  for (auto& b : bufs_) b.grow(kChunk);
  fd_ = ::open(path.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
}

DirectSink::~DirectSink() {
  if (fd_ >= 0 && inFlight_ > 0) {
    try {
      reap(long(inFlight_));  // an abandoned output: the kernel must be done with our buffers
    } catch (...) {
    }
  }
  if (fd_ >= 0) ::close(fd_);
  if (ctx_) syscall(SYS_io_destroy, aio_context_t(ctx_));
}

void DirectSink::reap(long minEvents) {
  io_event ev[kInFlight];
  long got = 0;
  while (got < minEvents) {
    long r = syscall(SYS_io_getevents, aio_context_t(ctx_), minEvents - got, long(kInFlight), ev, nullptr);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw IoError(path_, "io_getevents", errno);
    for (long k = 0; k < r; k++) {
      size_t i = size_t(ev[k].data);
      if (ev[k].res != int64_t(kChunk)) {
        // Refused (EINVAL: an alignment the file system does not take) or short: write it again
        // synchronously and buffered, so the output is whole either way.
        int64_t res = ev[k].res;
        size_t done = res > 0 ? size_t(res) : 0;
        if (res >= 0 || res == -EINVAL) {
          int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
          ssize_t w = fd < 0 ? -1 : ::pwrite(fd, bufs_[i].data() + done, kChunk - done, off_t(offsets_[i] + done));
          int e = errno;
          if (fd >= 0) ::close(fd);
          if (w != ssize_t(kChunk - done) && !error_) error_ = w < 0 ? e : EIO, errorOffset_ = offsets_[i];
        } else if (!error_) {
          error_ = int(-res);
          errorOffset_ = offsets_[i];
        }
      }
      busy_[i] = false;
      inFlight_--;
    }
    got += r;
  }
}

constexpr uint64_t kAllocateStep = 64u << 20;

void DirectSink::submit(uint64_t offset) {
  // Writes inside the file's size: not serialised by ext4 (see the header). Where fallocate fails (a
  // file system without it; no room for a step ahead) the writes extend the file as before.
  while (allocate_ && offset + kChunk > allocated_) {
    uint64_t from = std::max(allocated_, offset);
    if (::fallocate(fd_, 0, off_t(from), off_t(kAllocateStep)) != 0) {
      allocate_ = false;
      break;
    }
    allocated_ = from + kAllocateStep;
  }
  iocb cb;
  std::memset(&cb, 0, sizeof cb);
  cb.aio_fildes = uint32_t(fd_);
  cb.aio_lio_opcode = IOCB_CMD_PWRITE;
  cb.aio_buf = uint64_t(reinterpret_cast<uintptr_t>(bufs_[cur_].data()));
  cb.aio_nbytes = kChunk;
  cb.aio_offset = int64_t(offset);
  cb.aio_data = cur_;
  iocb* p = &cb;
  for (;;) {
    long r = syscall(SYS_io_submit, aio_context_t(ctx_), 1L, &p);
    if (r == 1) break;
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    throw IoError(path_, "io_submit at byte " + std::to_string(offset), r < 0 ? errno : EIO);
  }
  offsets_[cur_] = offset;
  busy_[cur_] = true;
  inFlight_++;
  cur_ = (cur_ + 1) % kInFlight;
  while (busy_[cur_]) reap(1);
  if (error_) drain();  // throws
}

void DirectSink::drain() {
  if (inFlight_ > 0) reap(long(inFlight_));
  if (error_) {
    int e = error_;
    error_ = 0;
    throw IoError(path_, "write at byte " + std::to_string(errorOffset_), e);
  }
}

}  // namespace walb::fmt
