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
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

class MemorySource : public ByteSource {
 public:
  MemorySource(const uint8_t* data, size_t size, std::string name = "<memory>")
      : data_(data), size_(size), name_(std::move(name)) {}
  size_t readAt(uint64_t offset, void* buf, size_t n) override;
  uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

 private:
  const uint8_t* data_;
  size_t size_;
  std::string name_;
};

// A sequential writer with a 4 MiB buffer. `path` is created (or truncated). close() flushes and,
// when `sync`, fsyncs; the destructor closes without syncing (an abandoned output).
class FileSink {
 public:
  explicit FileSink(const std::string& path, bool truncate = true);
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
};

// Opens `path` with `flags` (O_RDONLY etc.), throwing IoError with the path on failure.
int openOrThrow(const std::string& path, int flags, int mode = 0644);
void preadFull(int fd, const std::string& path, uint64_t offset, void* buf, size_t n);
void pwriteFull(int fd, const std::string& path, uint64_t offset, const void* buf, size_t n);

}  // namespace walb::fmt
