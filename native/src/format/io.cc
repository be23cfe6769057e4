#include "format/io.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <system_error>
#include <thread>

#include "format/direct_sink.h"
#include "format/error.h"

namespace walb::fmt {

IoError::IoError(const std::string& file, const std::string& op, int err)
    : std::runtime_error(file + ": " + op + ": " + std::strerror(err)), file_(file), err_(err) {}

int openOrThrow(const std::string& path, int flags, int mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) throw IoError(path, "open", errno);
  return fd;
}

void preadFull(int fd, const std::string& path, uint64_t offset, void* buf, size_t n) {
  auto* p = static_cast<uint8_t*>(buf);
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, off_t(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw IoError(path, "read", errno);
    }
    if (r == 0) throw IoError(path, "read (unexpected end of file)", EIO);
    p += r;
    n -= size_t(r);
    offset += uint64_t(r);
  }
}

void pwriteFull(int fd, const std::string& path, uint64_t offset, const void* buf, size_t n) {
  const auto* p = static_cast<const uint8_t*>(buf);
  while (n > 0) {
    ssize_t r = ::pwrite(fd, p, n, off_t(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw IoError(path, "write", errno);
    }
    p += r;
    n -= size_t(r);
    offset += uint64_t(r);
  }
}

FileSource::FileSource(const std::string& path) : path_(path) {
  fd_ = openOrThrow(path, O_RDONLY);
  struct stat st;
  if (fstat(fd_, &st) != 0) {
    int e = errno;
    ::close(fd_);
    throw IoError(path, "stat", e);
  }
  if (S_ISBLK(st.st_mode)) {
    uint64_t bytes = 0;
    if (ioctl(fd_, BLKGETSIZE64, &bytes) == 0) size_ = bytes;
  } else {
    size_ = uint64_t(st.st_size);
  }
  posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  readAhead_ = !std::getenv("WALBCTL_NO_READAHEAD") && S_ISREG(st.st_mode);  // for comparisons (bench)
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

// Reads that go forward through a file (each starting at most kReadGap after the previous one
// ended: a log, a wdiff's packs, a merge input's records) keep the kernel reading kReadAhead ahead of
// them (POSIX_FADV_WILLNEED starts the reads and returns), so a cold input arrives while the data
// before it is being worked on instead of one read-ahead window at a time. Other reads (a conversion
// reading pieces back in address order) ask for nothing more than they read.
constexpr uint64_t kReadAhead = 32u << 20;
constexpr uint64_t kReadGap = 8u << 20;

void FileSource::readAhead(uint64_t offset, size_t n) {
  bool forward = offset >= lastEnd_ && offset - lastEnd_ <= kReadGap;
  uint64_t end = offset + n;
  lastEnd_ = end;
  if (!forward || end + kReadAhead / 2 <= aheadEnd_ || end >= size_) return;
  uint64_t from = std::max(aheadEnd_, end);
  if (from >= size_) return;
  posix_fadvise(fd_, off_t(from), off_t(std::min<uint64_t>(kReadAhead, size_ - from)), POSIX_FADV_WILLNEED);
  aheadEnd_ = from + kReadAhead;
}

size_t FileSource::readAt(uint64_t offset, void* buf, size_t n) {
  if (offset >= size_) return 0;
  if (n > size_ - offset) n = size_t(size_ - offset);
  if (readAhead_) readAhead(offset, n);
  size_t done = 0;
  auto* p = static_cast<uint8_t*>(buf);
  while (done < n) {
    ssize_t r = ::pread(fd_, p + done, n - done, off_t(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw IoError(path_, "read", errno);
    }
    if (r == 0) break;
    done += size_t(r);
  }
  return done;
}

size_t MemorySource::readAt(uint64_t offset, void* buf, size_t n) {
  if (offset >= size_) return 0;
  if (n > size_ - offset) n = size_t(size_ - offset);
  if (n == 0) return 0;
  std::memcpy(buf, data_ + offset, n);
  return n;
}

MappedFileSource::MappedFileSource(const std::string& path) : FileSource(path) {
  // Mapped only on request (io.h says why): pread is the default.
  if (size() == 0 || !std::getenv("WALBCTL_MMAP")) return;
  void* p = mmap(nullptr, size_t(size()), PROT_READ, MAP_SHARED, fd(), 0);
  if (p == MAP_FAILED) return;
  madvise(p, size_t(size()), MADV_SEQUENTIAL);
  map_ = static_cast<const uint8_t*>(p);
}

MappedFileSource::~MappedFileSource() {
  if (map_) munmap(const_cast<uint8_t*>(map_), size_t(size()));
}

// Released ranges are gathered and handed back together, once their span reaches 4 MiB: one madvise
// per record cost as much as the merge's data work (38,000 calls, 2.4 s of a 1 GB merge). The span
// covers everything released since the last time, gaps included (pages a reader still needs fault
// back in from the page cache), widened to 2 MiB boundaries: the page cache holds large folios, and a
// fault maps the whole folio around the page read, beyond the bytes released. So a mapping holds
// about 4 MiB plus a folio at each end in RSS per input (16 MiB chunks had a proxy converting while
// it merges hold several at once). Readers of small pieces in no useful order (a conversion's second
// pass) copy them out instead (convert.cc): there one 4 KiB read mapped 2 MiB.
constexpr uint64_t kReleaseChunk = 4u << 20;
constexpr uint64_t kFolio = 2u << 20;

void MappedFileSource::release(uint64_t offset, size_t n) {
  if (!map_ || offset >= size()) return;
  uint64_t end = std::min<uint64_t>(offset + n, size());
  if (relEnd_ <= relStart_) {
    relStart_ = offset;
    relEnd_ = end;
  } else {
    relStart_ = std::min(relStart_, offset);
    relEnd_ = std::max(relEnd_, end);
  }
  if (relEnd_ - relStart_ >= kReleaseChunk) releaseNow();
}

void MappedFileSource::releaseNow() {
  uint64_t start = relStart_ / kFolio * kFolio;
  uint64_t end = std::min<uint64_t>((relEnd_ + kFolio - 1) / kFolio * kFolio, (size() + 4095) / 4096 * 4096);
  if (end > start) madvise(const_cast<uint8_t*>(map_) + start, size_t(end - start), MADV_DONTNEED);
  relStart_ = relEnd_ = 0;
}

size_t MappedFileSource::readAt(uint64_t offset, void* buf, size_t n) {
  if (!map_) return FileSource::readAt(offset, buf, n);
  if (offset >= size()) return 0;
  if (n > size() - offset) n = size_t(size() - offset);
  if (n) std::memcpy(buf, map_ + offset, n);
  return n;
}

PageBuffer::~PageBuffer() {
  if (data_) munmap(data_, size_);
}

PageBuffer& PageBuffer::operator=(PageBuffer&& o) noexcept {
  if (this != &o) {
    if (data_) munmap(data_, size_);
    data_ = o.data_;
    size_ = o.size_;
    o.data_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

void PageBuffer::grow(size_t n) {
  if (n <= size_) return;
  size_t bytes = (n + 4095) / 4096 * 4096;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  if (data_) munmap(data_, size_);
  data_ = static_cast<uint8_t*>(p);
  size_ = bytes;
}

constexpr size_t kSinkBuffer = 4u << 20;

FileSink::FileSink(const std::string& path, bool truncate, bool direct) : path_(path) {
  fd_ = openOrThrow(path, O_WRONLY | O_CREAT | (truncate ? O_TRUNC : 0));
  if (direct && truncate) {
    direct_ = std::make_unique<DirectSink>(path);
    if (!direct_->ok()) direct_.reset();
  }
  if (!direct_) buf_.reserve(kSinkBuffer);
}

FileSink::~FileSink() {
  direct_.reset();  // waits for writes in flight (their buffers are freed with it)
  if (fd_ >= 0) ::close(fd_);
}

// Leaves direct mode: every chunk in flight lands, then the partial chunk is written buffered (after
// the direct writes, on pages none of them covers) and the sink goes on buffered.
void FileSink::endDirect() {
  if (!direct_) return;
  direct_->drain();
  if (fill_) pwriteFull(fd_, path_, offset_ - fill_, direct_->buffer(), fill_);
  fill_ = 0;
  allocated_ = std::max(allocated_, direct_->allocated());
  // Torn down on a thread of its own: every write has landed (drain), and io_destroy waits for an
  // RCU grace period (35-80 ms in strace -T of a merge's close), which would otherwise come before
  // the truncate, the fsync and the rename. Detached: it touches nothing of ours but its own state.
  try {
    std::thread([d = std::move(direct_)]() mutable { d.reset(); }).detach();
  } catch (const std::system_error&) {
    direct_.reset();  // no thread to be had: here, then (a failed thread's state is freed with it)
  }
  writebackFrom_ = offset_;
  buf_.reserve(kSinkBuffer);
}

// Start writeback of every 32 MiB written, so the final fsync finds little left to do and the disk
// works while we compute (sync_file_range only initiates; errors surface at fsync).
constexpr uint64_t kWritebackChunk = 32u << 20;

void FileSink::startWriteback() {
  if (offset_ - buf_.size() - writebackFrom_ < kWritebackChunk) return;
  uint64_t to = offset_ - buf_.size();
  sync_file_range(fd_, off_t(writebackFrom_), off_t(to - writebackFrom_), SYNC_FILE_RANGE_WRITE);
  writebackFrom_ = to;
}

void FileSink::flush() {
  endDirect();
  if (buf_.empty()) return;
  pwriteFull(fd_, path_, offset_ - buf_.size(), buf_.data(), buf_.size());
  buf_.clear();
  startWriteback();
}

void FileSink::write(const void* data, size_t n) {
  if (direct_) {
    const auto* p = static_cast<const uint8_t*>(data);
    while (n > 0) {
      size_t k = std::min(n, DirectSink::kChunk - fill_);
      std::memcpy(direct_->buffer() + fill_, p, k);
      fill_ += k;
      offset_ += k;
      p += k;
      n -= k;
      if (fill_ == DirectSink::kChunk) {
        direct_->submit(offset_ - DirectSink::kChunk);
        fill_ = 0;
      }
    }
    return;
  }
  if (n >= kSinkBuffer) {
    flush();
    pwriteFull(fd_, path_, offset_, data, n);
    offset_ += n;
    startWriteback();
    return;
  }
  if (buf_.size() + n > kSinkBuffer) flush();
  const auto* p = static_cast<const uint8_t*>(data);
  buf_.insert(buf_.end(), p, p + n);
  offset_ += n;
}

void FileSink::writeZeros(size_t n) {
  static const uint8_t zeros[4096] = {};
  while (n > 0) {
    size_t k = n < sizeof(zeros) ? n : sizeof(zeros);
    write(zeros, k);
    n -= k;
  }
}

void FileSink::pwriteAt(uint64_t offset, const void* data, size_t n) {
  flush();
  pwriteFull(fd_, path_, offset, data, n);
}

void FileSink::close(bool sync) {
  if (fd_ < 0) return;
  flush();
  // Space allocated ahead of the direct writes and not written: cut off (the file is what we wrote).
  if (allocated_ > offset_ && ::ftruncate(fd_, off_t(offset_)) != 0) throw IoError(path_, "truncate", errno);
  if (sync && ::fsync(fd_) != 0) throw IoError(path_, "fsync", errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw IoError(path_, "close", errno);
  }
  fd_ = -1;
}

}  // namespace walb::fmt
