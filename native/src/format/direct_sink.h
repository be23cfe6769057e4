// The output side of FileSink for large outputs (a merged or converted wdiff): whole 4 MiB chunks
// written with O_DIRECT through Linux AIO (raw system calls), up to four in flight, so the data goes
// from our buffer to the disk without a copy into the page cache and without the writeback the final
// fsync would otherwise wait for (on this VM, 800 MB buffered + fsync: 4.7 s and 2.2 CPU-s of the
// kernel's; direct: 1.6 s and 0.2 CPU-s). The caller fills buffer() and hands it over with submit();
// the tail that is not a whole chunk is the caller's to write through its buffered descriptor.
// The file is allocated ahead of the writes (fallocate, 64 MiB at a time, which also moves its size):
// ext4 runs a direct write that extends the file synchronously inside io_submit, so without it only
// one chunk was ever in flight (io_submit took ~11 ms per 4 MiB: the merge's output crawled at
// ~380 MB/s with the CPU idle). The caller truncates the file to the bytes it wrote (allocated()).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "format/io.h"

namespace walb::fmt {

class DirectSink {
 public:
  static constexpr size_t kChunk = 4u << 20;
  static constexpr size_t kInFlight = 4;
  // Opens `path` (already created by the caller) a second time with O_DIRECT. ok() is false when the
  // file system or the kernel refuses (tmpfs, no AIO), or WALBCTL_NO_DIRECT_IO is set.
  explicit DirectSink(const std::string& path);
  ~DirectSink();
  DirectSink(const DirectSink&) = delete;
  DirectSink& operator=(const DirectSink&) = delete;
  bool ok() const { return fd_ >= 0; }
  // The chunk to fill next (kChunk bytes, 4096-aligned).
  uint8_t* buffer() { return bufs_[cur_].data(); }
  // Writes the current chunk at `offset` (a multiple of 4096) and moves to the next one, first
  // waiting for that one's write when it is still in flight. Errors surface here or in drain().
  void submit(uint64_t offset);
  // Waits for every write; throws IoError (with the byte offset) on the first that failed.
  void drain();
  // The file's size as allocated ahead of the writes (0: nothing allocated); the caller truncates
  // the file to what it wrote.
  uint64_t allocated() const { return allocated_; }

 private:
  void reap(long minEvents);
  std::string path_;
  int fd_ = -1;
  unsigned long ctx_ = 0;
  PageBuffer bufs_[kInFlight];
  uint64_t offsets_[kInFlight] = {};
  bool busy_[kInFlight] = {};
  size_t cur_ = 0;
  size_t inFlight_ = 0;
  int error_ = 0;
  uint64_t errorOffset_ = 0;
  uint64_t allocated_ = 0;
  bool allocate_ = true;
};

}  // namespace walb::fmt
