#include "scan/volume_reader.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "format/error.h"
#include "format/io.h"

namespace walbctl::scan {
using walb::fmt::IoError;

uint64_t deviceSize(int fd, const std::string& path) {
  struct stat st;
  if (fstat(fd, &st) != 0) throw IoError(path, "stat", errno);
  if (S_ISBLK(st.st_mode)) {
    uint64_t bytes = 0;
    if (ioctl(fd, BLKGETSIZE64, &bytes) != 0) throw IoError(path, "ioctl BLKGETSIZE64", errno);
    return bytes;
  }
  return uint64_t(st.st_size);
}

bool isAllZero(const uint8_t* p, size_t n) {
  if (n == 0) return true;
  size_t head = std::min<size_t>(n, 16);
  for (size_t i = 0; i < head; i++) {
    if (p[i] != 0) return false;
  }
  return n <= 16 || std::memcmp(p, p + 16, n - 16) == 0;
}

bool copyRange(int src, int dst, const std::string& dstPath, uint64_t offset, uint64_t n) {
  loff_t in = loff_t(offset), out = loff_t(offset);
  uint64_t done = 0;
  while (done < n) {
    ssize_t r = copy_file_range(src, &in, dst, &out, size_t(n - done), 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (done == 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP || errno == EBADF)) return false;
      throw IoError(dstPath, "copy_file_range", errno);
    }
    if (r == 0) throw IoError(dstPath, "copy_file_range (unexpected end of the source)", EIO);
    done += uint64_t(r);
  }
  return true;
}

VolumeReader::VolumeReader(const std::string& path, uint64_t sizeBytes, size_t chunk, size_t align)
    : path_(path), chunk_(chunk), align_(align) {
  fd_ = walb::fmt::openOrThrow(path, O_RDONLY);
  uint64_t own = deviceSize(fd_, path);
  size_ = sizeBytes ? sizeBytes : own;
  if (own < size_) {
    ::close(fd_);
    throw IoError(path, "size check (the volume is smaller than its recorded size " + std::to_string(size_) + ")", EINVAL);
  }
  struct stat st;
  fstat(fd_, &st);
  seekable_ = S_ISREG(st.st_mode);
  posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  buf_.grow(chunk_);
}

VolumeReader::~VolumeReader() {
  if (fd_ >= 0) ::close(fd_);
}

void VolumeReader::prefetch(uint64_t from) {
  // At least 32 MiB ahead (a restore reads 1 MiB chunks: 8 of them kept a cold disk waiting).
  const uint64_t window = std::max<uint64_t>(8 * uint64_t(chunk_), 32u << 20);
  const uint64_t limit = std::min<uint64_t>(size_, from + window);
  uint64_t at = std::max(prefetched_, from);
  if (at >= limit || at >= from + window / 2) return;  // enough is on its way; ask again in batches
  if (!seekable_) {
    (void)posix_fadvise(fd_, off_t(at), off_t(limit - at), POSIX_FADV_WILLNEED);
    prefetched_ = limit;
    return;
  }
  // Only the data extents: read-ahead over a hole would allocate and zero page-cache pages for
  // bytes that are never read (75 % of a sparse volume). Extents a hole shorter than `align_`
  // apart (a copy leaves each zero 4 KiB block a hole) are asked for in one call.
  uint64_t runStart = 0, runEnd = 0;
  while (at < limit) {
    off_t d = lseek(fd_, off_t(at), SEEK_DATA);
    if (d < 0 || uint64_t(d) >= limit) {
      at = limit;
      break;
    }
    off_t h = lseek(fd_, d, SEEK_HOLE);
    const uint64_t e = std::min<uint64_t>(limit, h < 0 ? size_ : uint64_t(h));
    if (runEnd > runStart && uint64_t(d) - runEnd >= align_) {
      (void)posix_fadvise(fd_, off_t(runStart), off_t(runEnd - runStart), POSIX_FADV_WILLNEED);
      runStart = runEnd;
    }
    if (runEnd == runStart) runStart = uint64_t(d);
    runEnd = e;
    at = e;
  }
  if (runEnd > runStart) (void)posix_fadvise(fd_, off_t(runStart), off_t(runEnd - runStart), POSIX_FADV_WILLNEED);
  prefetched_ = at;
}

bool VolumeReader::next(Chunk& c) {
  if (off_ >= size_) return false;
  uint64_t end = std::min<uint64_t>(off_ + chunk_, size_);
  c.offset = off_;
  c.data = nullptr;
  bool read = true;
  if (seekable_ && off_ >= dataEnd_) {
    if (off_ >= nextData_) {
      off_t d = lseek(fd_, off_t(off_), SEEK_DATA);
      if (d < 0) {
        if (errno != ENXIO) throw IoError(path_, "lseek SEEK_DATA", errno);
        nextData_ = size_;
      } else {
        nextData_ = uint64_t(d);
      }
    }
    const uint64_t holeEnd = nextData_ / align_ * align_;  // the hole, up to the aligned unit holding data
    if (holeEnd > off_) {
      end = std::min(end, holeEnd);
      read = false;
    } else {
      off_t h = lseek(fd_, off_t(nextData_), SEEK_HOLE);
      dataEnd_ = h < 0 ? size_ : uint64_t(h);
    }
  }
  if (read && seekable_) {
    // Read only up to the end of the data region (rounded up to the unit).
    const uint64_t dataEnd = std::min<uint64_t>(size_, (dataEnd_ + align_ - 1) / align_ * align_);
    if (dataEnd > off_) end = std::min(end, dataEnd);
  }
  c.length = size_t(end - off_);
  if (read) {
    // Ask for the next chunks now, so the disk reads ahead while this one is hashed and written.
    if (end < size_) prefetch(end);
    walb::fmt::preadFull(fd_, path_, off_, buf_.data(), c.length);
    bytesRead_ += c.length;
    c.data = buf_.data();
  }
  off_ = end;
  return true;
}

}  // namespace walbctl::scan
