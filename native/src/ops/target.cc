#include "ops/target.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <thread>
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
  aio_ = std::make_unique<AioWriter>(path, fd_);
}

Target::~Target() {
  aio_.reset();  // waits for writes in flight
  if (fd_ >= 0) ::close(fd_);
}

// Direct writes where the blocks exist: a block device, or a range of the file without holes. Into a
// hole, a direct write costs an allocation and an unwritten-extent conversion per IO (ext4: ten times
// slower than buffered on a sparse image), so those go through the page cache. One SEEK_HOLE answers
// for a whole written image; its answer is remembered.
bool Target::direct(uint64_t offset, uint64_t n) {
  if (!aio_->enabled() || offset % 512 != 0 || n % 512 != 0) return false;
  if (blockDevice_) return true;
  if (offset >= dataFrom_ && offset + n <= dataTo_) return true;
  off_t hole = lseek(fd_, off_t(offset), SEEK_HOLE);
  if (hole < 0) return false;
  if (uint64_t(hole) < offset + n) return false;
  dataFrom_ = offset;
  dataTo_ = uint64_t(hole);
  return true;
}

// A buffered write, or a punch, must not touch a page that a direct write in flight also covers,
// even in other sectors of it: the kernel invalidates the page cache over a direct write's range when
// it completes, and a page dirtied meanwhile makes that fail ("Page cache invalidation failure on
// direct I/O") and the next fsync report EIO. So the wait is for whole pages.
void Target::waitPages(uint64_t offset, uint64_t n) {
  const uint64_t page = 4096;
  uint64_t from = offset / page * page, to = (offset + n + page - 1) / page * page;
  aio_->waitOverlapping(from, to - from);
}

void Target::buffered(uint64_t offset, const uint8_t* data, uint64_t n) {
  waitPages(offset, n);  // direct writes in flight to these pages land first
  fmt::pwriteFull(fd_, path_, offset, data, n);
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
  if (direct(addr * 512, n)) {
    aio_->write(addr * 512, data, n);
    written_ += n;
    return;
  }
  buffered(addr * 512, data, n);
  written_ += n;
  startWriteback();
}

// Adjacent writes reserved this way become one IO (AioWriter's run): a sorted wdiff's records.
uint8_t* Target::reserve(uint64_t addr, uint32_t blocks, const std::string& source, uint64_t sourceOffset) {
  check(addr, blocks, source, sourceOffset);
  size_t n = size_t(blocks) * 512;
  if (!direct(addr * 512, n)) return nullptr;
  uint8_t* p = aio_->reserve(addr * 512, n);
  if (p) reservedBytes_ = n;
  return p;
}

void Target::commit() {
  aio_->commit();
  written_ += reservedBytes_;
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
  if (direct(off, left)) {
    aio_->write(off, nullptr, left);
    written_ += left;
    return;
  }
  while (left > 0) {
    size_t k = left < zeros.size() ? size_t(left) : zeros.size();
    buffered(off, zeros.data(), k);
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
  waitPages(addr * 512, blocks * 512);
  dataFrom_ = dataTo_ = 0;  // a punched range is a hole now
  if (blockDevice_) {
    uint64_t range[2] = {addr * 512, blocks * 512};
    if (ioctl(fd_, BLKDISCARD, range) != 0) throw IoError(path_, "BLKDISCARD", errno);
  } else if (fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off_t(addr * 512), off_t(blocks * 512)) != 0) {
    if (errno != EOPNOTSUPP) throw IoError(path_, "fallocate(PUNCH_HOLE)", errno);
    zero(addr, blocks, source, sourceOffset);  // a file system without holes: zeros read the same
  }
}

void Target::flush() { aio_->drain(); }

// fdatasync, as wlog-redo does: it writes the data and the metadata needed to read it back (blocks
// allocated in a hole, a punched range) but not the timestamps, so an apply that only overwrote
// allocated blocks (direct writes) waits for no journal commit, which on a busy ext4 also waits for
// other files' ordered data.
//
// The AIO context is torn down on a thread of its own meanwhile: io_destroy waits for an RCU grace
// period (30-40 ms here), which otherwise came after the fdatasync.
void Target::sync() {
  aio_->drain();
  std::thread teardown([aio = std::move(aio_)]() mutable { aio.reset(); });
  int rc = ::fdatasync(fd_);
  int err = errno;
  teardown.join();
  aio_ = std::make_unique<AioWriter>(AioWriter::Closed{});
  if (rc != 0) throw IoError(path_, "fdatasync", err);
}

}  // namespace walb::ops
