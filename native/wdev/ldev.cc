#include "ldev.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace wdev {

void PreadAll(int fd, void* buf, size_t n, uint64_t off, const std::string& what) {
  auto* p = static_cast<uint8_t*>(buf);
  while (n > 0) {
    ssize_t r = pread(fd, p, n, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw WdevError("io", what + ": read at offset " + std::to_string(off) + ": " + std::strerror(errno));
    if (r == 0) throw WdevError("truncated", what + ": unexpected end of file at offset " + std::to_string(off));
    p += r; n -= static_cast<size_t>(r); off += static_cast<uint64_t>(r);
  }
}

void PwriteAll(int fd, const void* buf, size_t n, uint64_t off, const std::string& what) {
  const auto* p = static_cast<const uint8_t*>(buf);
  while (n > 0) {
    ssize_t r = pwrite(fd, p, n, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw WdevError("io", what + ": write at offset " + std::to_string(off) + ": " + std::strerror(errno));
    p += r; n -= static_cast<size_t>(r); off += static_cast<uint64_t>(r);
  }
}

Ldev::Ldev(const std::string& path, bool writable) : path_(path) {
  fd_ = open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd_ < 0) throw WdevError("io", path + ": cannot open the log device: " + std::strerror(errno));
}

Ldev::~Ldev() {
  if (fd_ >= 0) close(fd_);
}

Super Ldev::ReadSuper() const {
  std::vector<uint8_t> b(kSuperSize);
  PreadAll(fd_, b.data(), b.size(), kSuperOffset, path_);
  Super s;
  std::string why = DecodeSuper(b.data(), &s);
  if (!why.empty()) {
    throw WdevError("corrupt-super", path_ + ": corrupt super sector at byte offset " + std::to_string(kSuperOffset) +
                                         ": " + why + " (repair with \"walbctl wdev repair\" or reformat)");
  }
  return s;
}

void Ldev::WriteSuper(Super& s, bool sync) {
  s.generation++;
  std::vector<uint8_t> b(kSuperSize);
  EncodeSuper(s, b.data());
  PwriteAll(fd_, b.data(), b.size(), kSuperOffset, path_);
  if (sync) Sync();
}

void Ldev::RingWrite(uint64_t lsid, const uint8_t* data, uint64_t blocks, const Super& s) {
  while (blocks > 0) {
    uint64_t pos = lsid % s.ringBlocks;
    uint64_t n = std::min(blocks, s.ringBlocks - pos);
    PwriteAll(fd_, data, n * s.physicalBs, kRingOffset + pos * s.physicalBs, path_);
    data += n * s.physicalBs; lsid += n; blocks -= n;
  }
}

void Ldev::RingRead(uint64_t lsid, uint8_t* data, uint64_t blocks, const Super& s) const {
  while (blocks > 0) {
    uint64_t pos = lsid % s.ringBlocks;
    uint64_t n = std::min(blocks, s.ringBlocks - pos);
    PreadAll(fd_, data, n * s.physicalBs, kRingOffset + pos * s.physicalBs, path_);
    data += n * s.physicalBs; lsid += n; blocks -= n;
  }
}

void Ldev::RingZero(uint64_t lsid, uint64_t blocks, const Super& s) {
  blocks = std::min(blocks, s.ringBlocks);
  while (blocks > 0) {
    uint64_t pos = lsid % s.ringBlocks;
    uint64_t n = std::min(blocks, s.ringBlocks - pos);
    const off_t off = static_cast<off_t>(kRingOffset + pos * s.physicalBs), len = static_cast<off_t>(n * s.physicalBs);
    // Zero-range keeps the blocks allocated (ext4 and xfs mark them unwritten), so later log writes
    // overwrite instead of allocating; a punched hole reads as zeros too; else zeros are written.
    if (fallocate(fd_, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, off, len) != 0 &&
        fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len) != 0) {
      std::vector<uint8_t> zero(std::min<uint64_t>(n * s.physicalBs, 8u << 20));
      for (uint64_t done = 0; done < n * s.physicalBs; done += zero.size()) {
        PwriteAll(fd_, zero.data(), std::min<uint64_t>(zero.size(), n * s.physicalBs - done), static_cast<uint64_t>(off) + done, path_);
      }
    }
    lsid += n; blocks -= n;
  }
}

void Ldev::Sync() {
  if (fdatasync(fd_) != 0) throw WdevError("io", path_ + ": fdatasync: " + std::strerror(errno));
}

}  // namespace wdev
