#include "ops/target.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "format/error.h"
#include "format/io.h"

namespace walb::ops {

using fmt::FormatError;
using fmt::IoError;

Target::Target(const std::string& path) : path_(path) {
  fd_ = fmt::openOrThrow(path, O_RDWR);
  struct stat st;
  if (fstat(fd_, &st) != 0) throw IoError(path, "stat", errno);
  blockDevice_ = S_ISBLK(st.st_mode);
  if (blockDevice_) {
    if (ioctl(fd_, BLKGETSIZE64, &size_) != 0) throw IoError(path, "BLKGETSIZE64", errno);
  } else if (S_ISREG(st.st_mode)) {
    size_ = uint64_t(st.st_size);
  } else {
    throw IoError(path, "open target (not a regular file or block device)", EINVAL);
  }
}

Target::~Target() {
  if (fd_ >= 0) ::close(fd_);
}

void Target::check(uint64_t addr, uint64_t blocks, const std::string& source, uint64_t sourceOffset) const {
  if (addr > size_ / 512 || blocks > size_ / 512 - addr)
    throw FormatError(source, sourceOffset, "target-range",
                      "IO at LB " + std::to_string(addr) + " of " + std::to_string(blocks) + " blocks lies beyond the end of " +
                          path_ + " (" + std::to_string(size_ / 512) + " blocks)");
}

void Target::write(uint64_t addr, uint32_t blocks, const uint8_t* data, const std::string& source, uint64_t sourceOffset) {
  check(addr, blocks, source, sourceOffset);
  size_t n = size_t(blocks) * 512;
  fmt::pwriteFull(fd_, path_, addr * 512, data, n);
  written_ += n;
  startWriteback();
}

// Every 64 MiB written, start writeback of the whole target (sync_file_range only initiates it): the
// disk works while we decode, and the final fsync finds little left. Errors surface at fsync.
void Target::startWriteback() {
  if (written_ - writebackAt_ < (64u << 20)) return;
  writebackAt_ = written_;
  if (!blockDevice_) sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
}

void Target::zero(uint64_t addr, uint64_t blocks, const std::string& source, uint64_t sourceOffset) {
  check(addr, blocks, source, sourceOffset);
  static const std::vector<uint8_t> zeros(1 << 20, 0);
  uint64_t off = addr * 512, left = blocks * 512;
  while (left > 0) {
    size_t k = left < zeros.size() ? size_t(left) : zeros.size();
    fmt::pwriteFull(fd_, path_, off, zeros.data(), k);
    off += k;
    left -= k;
  }
  written_ += blocks * 512;
  startWriteback();
}

void Target::discard(uint64_t addr, uint64_t blocks, DiscardMode mode, const std::string& source, uint64_t sourceOffset) {
  if (mode == DiscardMode::Zero) {
    zero(addr, blocks, source, sourceOffset);
    return;
  }
  check(addr, blocks, source, sourceOffset);
  if (blockDevice_) {
    uint64_t range[2] = {addr * 512, blocks * 512};
    if (ioctl(fd_, BLKDISCARD, range) != 0) throw IoError(path_, "BLKDISCARD", errno);
  } else if (fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off_t(addr * 512), off_t(blocks * 512)) != 0) {
    if (errno != EOPNOTSUPP) throw IoError(path_, "fallocate(PUNCH_HOLE)", errno);
    zero(addr, blocks, source, sourceOffset);  // a file system without holes: zeros read the same
  }
}

void Target::sync() {
  if (::fsync(fd_) != 0) throw IoError(path_, "fsync", errno);
}

}  // namespace walb::ops
