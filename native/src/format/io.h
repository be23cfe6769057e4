// Byte sources and sinks for the codecs. Readers take a ByteSource so the same code reads a file
// (pread, no mmap: a device or a file that shrinks cannot fault us) or a memory buffer (fuzzing).
// Writers take a path and stream through a buffered, append-only sink.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace walb::fmt {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes at `offset`; returns how many were read (short only at end of data).
  virtual size_t readAt(uint64_t offset, void* buf, size_t n) = 0;
  virtual uint64_t size() const = 0;
  // A pointer to bytes [offset, offset+n) when the source is memory-backed (nullptr otherwise, or
  // when the range is not wholly inside the source). Readers use it to avoid copying.
  virtual const uint8_t* view(uint64_t offset, size_t n) { return nullptr; }
  // Says a viewed range will not be needed soon (a mapping drops it from this process's RSS; the
  // page cache keeps it). A no-op for other sources.
  virtual void release(uint64_t offset, size_t n) {}
  // The name used in errors (a path, or "<memory>").
  virtual const std::string& name() const = 0;
};

class FileSource : public ByteSource {
 public:
  explicit FileSource(const std::string& path);  // throws IoError
  ~FileSource() override;
  size_t readAt(uint64_t offset, void* buf, size_t n) override;
  uint64_t size() const override { return size_; }
  const std::string& name() const override { return path_; }
  int fd() const { return fd_; }

 private:
  void readAhead(uint64_t offset, size_t n);
  std::string path_;
  int fd_ = -1;
  bool readAhead_ = true;
  uint64_t lastEnd_ = 0;   // where the previous read ended
  uint64_t aheadEnd_ = 0;  // where the read-ahead asked for so far ends
  uint64_t size_ = 0;
};

class MemorySource : public ByteSource {
 public:
  MemorySource(const uint8_t* data, size_t size, std::string name = "<memory>")
      : data_(data), size_(size), name_(std::move(name)) {}
  size_t readAt(uint64_t offset, void* buf, size_t n) override;
  uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }
  const uint8_t* view(uint64_t offset, size_t n) override {
    return offset <= size_ && n <= size_ - offset ? data_ + offset : nullptr;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  std::string name_;
};

// A read-only mapping of a regular file, for hot paths that read a whole file (conversion): the
// page cache is read in place instead of copied. Only with WALBCTL_MMAP=1: by default (and when the
// file cannot be mapped) it is a FileSource (view() == nullptr, the readers pread whole packs). On
// the VMs walbctl is measured on, a page mapped from the page cache costs a trap to the hypervisor
// that the process's CPU time does not show: reading 400 MB of wdiffs took 1.2-2.3 s mapped against
// 0.4-0.9 s with pread into a reused buffer, and a 512 MiB random wlog's conversion 12-14 s against
// 2.0-2.7 s (native/src/ops/design.md). As with any mapping, a file truncated by someone else while mapped faults (SIGBUS):
// use it only for files this process owns for the duration (wlogs being converted).
class MappedFileSource : public FileSource {
 public:
  explicit MappedFileSource(const std::string& path);
  ~MappedFileSource() override;
  size_t readAt(uint64_t offset, void* buf, size_t n) override;
  const uint8_t* view(uint64_t offset, size_t n) override {
    return map_ && offset <= size() && n <= size() - offset ? map_ + offset : nullptr;
  }
  void release(uint64_t offset, size_t n) override;

 private:
  void releaseNow();
  const uint8_t* map_ = nullptr;
  uint64_t relStart_ = 0, relEnd_ = 0;  // the span of what was released and not yet handed back
};

// Anonymous memory whose pages are populated when it is mapped (MAP_POPULATE), for the large buffers
// the hot paths fill: touching a fresh page otherwise faults once per 4 KiB, and on the VMs walbctl is
// measured on each fault is a trap to the hypervisor (~9 us: 10 MiB of fresh buffer cost a merge as
// much as its checksums). Page-aligned (direct I/O takes it). grow() keeps no contents.
class PageBuffer {
 public:
  PageBuffer() = default;
  explicit PageBuffer(size_t n) { grow(n); }
  ~PageBuffer();
  PageBuffer(const PageBuffer&) = delete;
  PageBuffer& operator=(const PageBuffer&) = delete;
  PageBuffer(PageBuffer&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr, o.size_ = 0; }
  PageBuffer& operator=(PageBuffer&& o) noexcept;
  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  void grow(size_t n);  // at least n bytes (throws std::bad_alloc)

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

class DirectSink;

// A sequential writer with a 4 MiB buffer. `path` is created (or truncated). close() flushes and,
// when `sync`, fsyncs; the destructor closes without syncing (an abandoned output). With `direct`
// (for large outputs), whole 4 MiB chunks go to the disk with O_DIRECT and AIO (direct_sink.h)
// where the file system takes it; the tail, and everything after a pwriteAt, is written buffered.
class FileSink {
 public:
  explicit FileSink(const std::string& path, bool truncate = true, bool direct = false);
  ~FileSink();
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  void write(const void* data, size_t n);
  void writeZeros(size_t n);
  uint64_t offset() const { return offset_; }
  // Overwrites bytes already written (flushes first); used to patch a header.
  void pwriteAt(uint64_t offset, const void* data, size_t n);
  void flush();
  void close(bool sync = true);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t offset_ = 0;
  std::vector<uint8_t> buf_;
  uint64_t writebackFrom_ = 0;
  std::unique_ptr<DirectSink> direct_;
  size_t fill_ = 0;  // bytes in direct_->buffer()
  uint64_t allocated_ = 0;  // the size the direct sink allocated ahead (the file is cut back to offset_)
  void startWriteback();
  void endDirect();
};

// Opens `path` with `flags` (O_RDONLY etc.), throwing IoError with the path on failure.
int openOrThrow(const std::string& path, int flags, int mode = 0644);
void preadFull(int fd, const std::string& path, uint64_t offset, void* buf, size_t n);
void pwriteFull(int fd, const std::string& path, uint64_t offset, const void* buf, size_t n);

}  // namespace walb::fmt
