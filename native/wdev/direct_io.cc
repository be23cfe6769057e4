#include "direct_io.h"

#include <fcntl.h>
#include <linux/aio_abi.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <memory>

#include "ldev.h"

namespace wdev {

namespace {
constexpr uint64_t kAlign = 4096;

struct Bounce {
  uint8_t* p = nullptr;
  uint64_t cap = 0;
  ~Bounce() { std::free(p); }
  uint8_t* Get(uint64_t n) {
    if (n > cap) {
      std::free(p);
      cap = (n + kAlign - 1) / kAlign * kAlign;
      if (posix_memalign(reinterpret_cast<void**>(&p), kAlign, cap) != 0) {
        p = nullptr;
        cap = 0;
        throw WdevError("io", "out of memory for a direct IO buffer");
      }
    }
    return p;
  }
};
thread_local Bounce t_bounce;

// One Linux AIO context per thread (glibc has no wrapper: raw system calls, no library needed).
struct AioContext {
  aio_context_t ctx = 0;
  bool ok = false;
  AioContext() { ok = syscall(SYS_io_setup, 256, &ctx) == 0; }
  ~AioContext() {
    if (ok) syscall(SYS_io_destroy, ctx);
  }
};
thread_local AioContext t_aio;
}  // namespace

AlignedBuffer::AlignedBuffer(uint64_t n) : size(n) {
  if (posix_memalign(reinterpret_cast<void**>(&data), kAlign, (n + kAlign - 1) / kAlign * kAlign) != 0)
    throw WdevError("io", "out of memory for a logpack buffer");
}

AlignedBuffer::~AlignedBuffer() { std::free(data); }

DirectWriter::DirectWriter(const std::string& path, int bufferedFd, bool enable) : path_(path), bufferedFd_(bufferedFd) {
  if (enable) fd_ = open(path.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
}

DirectWriter::~DirectWriter() {
  if (fd_ >= 0) close(fd_);
}

void DirectWriter::Write(const uint8_t* data, uint64_t size, uint64_t offset) {
  if (fd_ < 0 || offset % 512 != 0 || size % 512 != 0) {
    PwriteAll(bufferedFd_, data, size, offset, path_);
    return;
  }
  uint8_t* b = t_bounce.Get(size);
  std::memcpy(b, data, size);
  WriteAligned(b, size, offset);
}

void DirectWriter::WriteVec(std::vector<iovec> iov, uint64_t offset) {
  size_t first = 0;  // segments before it are written
  int fd = fd_ >= 0 && offset % 512 == 0 ? fd_ : bufferedFd_;
  while (first < iov.size()) {
    const int n = static_cast<int>(std::min<size_t>(iov.size() - first, 1024));  // IOV_MAX
    ssize_t r = pwritev(fd, iov.data() + first, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EINVAL && fd != bufferedFd_) {  // alignment the file system does not take
      fd = bufferedFd_;
      continue;
    }
    if (r < 0) throw WdevError("io", path_ + ": write at offset " + std::to_string(offset) + ": " + std::strerror(errno));
    offset += static_cast<uint64_t>(r);
    for (size_t left = static_cast<size_t>(r); left > 0 && first < iov.size();) {
      if (left >= iov[first].iov_len) {
        left -= iov[first].iov_len;
        first++;
      } else {
        iov[first].iov_base = static_cast<uint8_t*>(iov[first].iov_base) + left;
        iov[first].iov_len -= left;
        left = 0;
      }
    }
    while (first < iov.size() && iov[first].iov_len == 0) first++;
  }
}

void DirectWriter::WriteBatch(std::vector<Item>& items) {
  auto one = [this](Item& it) {
    try {
      WriteAligned(it.data, it.size, it.offset);
      it.rc = 0;
    } catch (const std::exception&) {
      it.rc = -EIO;
    }
  };
  const size_t n = std::min<size_t>(items.size(), 256);
  if (fd_ < 0 || !t_aio.ok || items.size() < 2 || items.size() > n) {
    for (Item& it : items) one(it);
    return;
  }
  std::vector<iocb> cbs(n);
  std::vector<iocb*> ptrs(n);
  for (size_t i = 0; i < n; i++) {
    Item& it = items[i];
    it.rc = 1;  // not done
    std::memset(&cbs[i], 0, sizeof cbs[i]);
    cbs[i].aio_fildes = static_cast<uint32_t>(fd_);
    cbs[i].aio_lio_opcode = IOCB_CMD_PWRITE;
    cbs[i].aio_buf = reinterpret_cast<uint64_t>(it.data);
    cbs[i].aio_nbytes = it.size;
    cbs[i].aio_offset = static_cast<int64_t>(it.offset);
    cbs[i].aio_data = i;
    ptrs[i] = &cbs[i];
  }
  size_t submitted = 0;
  while (submitted < n) {
    long r = syscall(SYS_io_submit, t_aio.ctx, static_cast<long>(n - submitted), ptrs.data() + submitted);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;  // the rest is written one by one below
    submitted += static_cast<size_t>(r);
  }
  std::vector<io_event> ev(n);
  for (size_t got = 0; got < submitted;) {
    long r = syscall(SYS_io_getevents, t_aio.ctx, static_cast<long>(submitted - got), static_cast<long>(submitted - got), ev.data(), nullptr);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw WdevError("io", path_ + ": io_getevents: " + std::strerror(errno));
    for (long k = 0; k < r; k++) {
      Item& it = items[ev[k].data];
      if (ev[k].res == static_cast<int64_t>(it.size)) it.rc = 0;
    }
    got += static_cast<size_t>(r);
  }
  for (Item& it : items) {
    if (it.rc != 0) one(it);  // not submitted, short, or refused (alignment): written again, synchronously
  }
}

void DirectWriter::WriteAligned(const uint8_t* b, uint64_t size, uint64_t offset) {
  if (fd_ < 0 || offset % 512 != 0 || size % 512 != 0) {
    PwriteAll(bufferedFd_, b, size, offset, path_);
    return;
  }
  uint64_t done = 0;
  while (done < size) {
    ssize_t r = pwrite(fd_, b + done, size - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EINVAL) {  // alignment the file system does not take: the buffered fd does
      PwriteAll(bufferedFd_, b + done, size - done, offset + done, path_);
      return;
    }
    if (r < 0) throw WdevError("io", path_ + ": write at offset " + std::to_string(offset + done) + ": " + std::strerror(errno));
    done += static_cast<uint64_t>(r);
  }
}

}  // namespace wdev
