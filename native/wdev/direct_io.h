// Writes that bypass the page cache (O_DIRECT) where the file system allows them, as a loop device
// with --direct-io does for a plain file: the wdev's ldev and ddev writes then cost what the plain
// file's writes cost, instead of a page-cache copy and its writeback. Data is bounced through an
// aligned buffer; a write the file system refuses (EINVAL: alignment) goes through the buffered fd.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

struct iovec;

namespace wdev {

// A 4096-byte aligned heap buffer (one logpack: the ldev write and, from it, the ddev writes).
struct AlignedBuffer {
  explicit AlignedBuffer(uint64_t size);
  ~AlignedBuffer();
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  uint8_t* data = nullptr;
  uint64_t size = 0;
};

class DirectWriter {
 public:
  // Opens `path` a second time with O_DIRECT; `bufferedFd` is the fallback. Disabled when
  // `enable` is false or the file system does not support O_DIRECT.
  DirectWriter(const std::string& path, int bufferedFd, bool enable);
  ~DirectWriter();
  DirectWriter(const DirectWriter&) = delete;
  DirectWriter& operator=(const DirectWriter&) = delete;

  bool enabled() const { return fd_ >= 0; }
  // Writes all of `data`; throws WdevError on failure.
  void Write(const uint8_t* data, uint64_t size, uint64_t offset);
  // The same for `data` already aligned to 4096 bytes: no bounce copy.
  void WriteAligned(const uint8_t* data, uint64_t size, uint64_t offset);
  // Writes the segments one after the other from `offset` (one pwritev; each segment aligned to 4096
  // bytes in memory and a multiple of 512 long, or the buffered fd takes the write).
  void WriteVec(std::vector<iovec> iov, uint64_t offset);
  // Several aligned writes at once (Linux AIO: one io_submit, so the block layer dispatches them
  // together), waiting for all; each item's `rc` is 0 or -EIO. Without O_DIRECT or AIO, one by one.
  struct Item {
    const uint8_t* data;
    uint64_t size, offset;
    int rc;
  };
  void WriteBatch(std::vector<Item>& items);

 private:
  std::string path_;
  int bufferedFd_;
  int fd_ = -1;
};

}  // namespace wdev
