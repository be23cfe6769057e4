// The file or block device an apply writes to: bounds-checked writes, zeroing, punching holes
// (a file) or issuing discards (a device), and a final fsync.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace walb::ops {

enum class DiscardMode { Zero, Punch };

class Target {
 public:
  explicit Target(const std::string& path);
  ~Target();
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;
  uint64_t sizeBlocks() const { return size_ / 512; }
  bool isBlockDevice() const { return blockDevice_; }
  // `source`/`sourceOffset` name where the write came from, for the out-of-range error.
  void write(uint64_t addr, uint32_t blocks, const uint8_t* data, const std::string& source, uint64_t sourceOffset);
  void zero(uint64_t addr, uint64_t blocks, const std::string& source, uint64_t sourceOffset);
  void discard(uint64_t addr, uint64_t blocks, DiscardMode mode, const std::string& source, uint64_t sourceOffset);
  void sync();
  uint64_t bytesWritten() const { return written_; }

 private:
  void check(uint64_t addr, uint64_t blocks, const std::string& source, uint64_t sourceOffset) const;
  void startWriteback();
  uint64_t writebackAt_ = 0;
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool blockDevice_ = false;
  uint64_t written_ = 0;
};

}  // namespace walb::ops
