// The file or block device an apply writes to: bounds-checked writes, zeroing, punching holes
// (a file) or issuing discards (a device), and a final fsync.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ops/aio_writer.h"

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
  // For data the caller decodes itself: a buffer for the write of `blocks` at `addr` to fill, then
  // commit(). nullptr when the write cannot go direct (then use write()).
  uint8_t* reserve(uint64_t addr, uint32_t blocks, const std::string& source, uint64_t sourceOffset);
  void commit();
  void zero(uint64_t addr, uint64_t blocks, const std::string& source, uint64_t sourceOffset);
  void discard(uint64_t addr, uint64_t blocks, DiscardMode mode, const std::string& source, uint64_t sourceOffset);
  // Waits for every write in flight; throws the first write error. sync() does it too.
  void flush();
  void sync();
  uint64_t bytesWritten() const { return written_; }
  const std::string& path() const { return path_; }

 private:
  void check(uint64_t addr, uint64_t blocks, const std::string& source, uint64_t sourceOffset) const;
  void startWriteback();
  bool direct(uint64_t offset, uint64_t n);
  void buffered(uint64_t offset, const uint8_t* data, uint64_t n);
  void waitPages(uint64_t offset, uint64_t n);
  uint64_t writebackAt_ = 0;
  std::unique_ptr<AioWriter> aio_;
  uint64_t dataFrom_ = 0, dataTo_ = 0;  // a byte range known to have no holes
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool blockDevice_ = false;
  uint64_t written_ = 0;
  size_t reservedBytes_ = 0;
};

}  // namespace walb::ops
