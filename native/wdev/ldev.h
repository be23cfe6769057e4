// The log device file: super sector IO and ring IO addressed by lsid (a block's ring position is
// lsid mod ring size; a span that crosses the ring's end is written or read in two parts).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "layout.h"

namespace wdev {

// An error that names the file and byte offset; main() prints it as one line.
class WdevError : public std::runtime_error {
 public:
  WdevError(const std::string& code, const std::string& msg) : std::runtime_error(msg), code_(code) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

class Ldev {
 public:
  Ldev(const std::string& path, bool writable);
  ~Ldev();
  Ldev(const Ldev&) = delete;
  Ldev& operator=(const Ldev&) = delete;

  const std::string& path() const { return path_; }
  int fd() const { return fd_; }

  Super ReadSuper() const;                 // throws WdevError("corrupt-super") with the offset
  void WriteSuper(Super& s, bool sync);    // bumps s.generation

  uint64_t RingByteOffset(uint64_t lsid, uint64_t ringBlocks, uint32_t pbs) const {
    return kRingOffset + (lsid % ringBlocks) * pbs;
  }
  void RingWrite(uint64_t lsid, const uint8_t* data, uint64_t blocks, const Super& s);
  void RingRead(uint64_t lsid, uint8_t* data, uint64_t blocks, const Super& s) const;
  // Zeroes `blocks` ring blocks from `lsid`, so stale packs past a recovered end never look like a
  // continuation of the log. The blocks stay allocated where the file system can zero a range
  // (FALLOC_FL_ZERO_RANGE): the ring is not left sparse, so the next lap's log writes are overwrites
  // and cannot fail for want of space; else they are punched, else written with zeros.
  void RingZero(uint64_t lsid, uint64_t blocks, const Super& s);
  void Sync();

 private:
  std::string path_;
  int fd_ = -1;
};

void PreadAll(int fd, void* buf, size_t n, uint64_t off, const std::string& what);
void PwriteAll(int fd, const void* buf, size_t n, uint64_t off, const std::string& what);

}  // namespace wdev
