#include "ops/aio_writer.h"

#include <fcntl.h>
#include <linux/aio_abi.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "format/error.h"
#include "format/io.h"

namespace walb::ops {

namespace {
constexpr size_t kSlots = 256;             // writes in flight at most (WalB submits ~100 at a time)
constexpr size_t kSlotBytes = 1 << 20;      // a larger write is split
constexpr size_t kMaxBytesInFlight = 32u << 20;
constexpr size_t kBatch = 128;  // queued writes submitted with one io_submit
constexpr size_t kRunBytes = 128u << 10;  // a run's buffer: adjacent writes up to this size become one

const uint8_t* zeroBuffer() {
  static uint8_t* z = [] {
    void* p = nullptr;
    if (posix_memalign(&p, 4096, kSlotBytes) != 0) throw std::bad_alloc();
    std::memset(p, 0, kSlotBytes);
    return static_cast<uint8_t*>(p);
  }();
  return z;
}
}  // namespace

AioWriter::AioWriter(const std::string& path, int bufferedFd) : path_(path), bufferedFd_(bufferedFd), slots_(kSlots) {
  if (std::getenv("WALBCTL_NO_DIRECT_IO")) return;  // for comparisons (bench) and a file system that misbehaves
  aio_context_t ctx = 0;
  if (syscall(SYS_io_setup, long(kSlots), &ctx) != 0) return;
  ctx_ = ctx;
  fd_ = ::open(path.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
  if (fd_ < 0) {
    syscall(SYS_io_destroy, ctx_);
    ctx_ = 0;
  }
}

AioWriter::~AioWriter() {
  try {
    if (fd_ >= 0) drain();
  } catch (...) {  // an abandoned apply: the error was or will be reported by whoever threw first
  }
  if (fd_ >= 0) ::close(fd_);
  if (ctx_) syscall(SYS_io_destroy, aio_context_t(ctx_));
}

bool AioWriter::overlaps(uint64_t offset, uint64_t n) const {
  for (const Slot& s : slots_)
    if (s.busy && s.offset < offset + n && offset < s.offset + s.n) return true;
  return false;
}

// Only the writes that overlap wait to land (the others stay in flight, so the disk keeps its queue):
// on a 1 GiB random log about one IO in a hundred overlaps one of the last 256.
void AioWriter::waitOverlapping(uint64_t offset, uint64_t n) {
  closeRun();
  if (busy_ == 0 || !overlaps(offset, n)) return;
  submit();
  while (overlaps(offset, n)) reap(1);
  if (error_) waitInFlight();  // throws
}

// A slot's buffer: its kRunBytes share of one arena (one mapping, populated when the first write
// comes: no page fault per 4 KiB as it is filled, and one munmap at the end — a munmap per slot cost a
// TLB shootdown each, 8% of a warm wdiff apply's samples), or a mapping of its own for a write larger
// than that (up to kSlotBytes).
void AioWriter::fit(Slot& s, size_t n) {
  if (s.cap >= n) return;
  if (n <= kRunBytes) {
    if (!arena_.data()) arena_.grow(kSlots * kRunBytes);
    s.buf = arena_.data() + size_t(&s - slots_.data()) * kRunBytes;
    s.cap = kRunBytes;
    return;
  }
  s.mem.grow(n);
  s.buf = s.mem.data();
  s.cap = s.mem.size();
}

int AioWriter::freeSlot(size_t n) {
  while (busy_ == slots_.size() || (busy_ > 0 && bytesInFlight_ + n > kMaxBytesInFlight)) {
    submit();
    reap(1);
  }
  // A free slot whose buffer is large enough already, so that few slots grow to 1 MiB.
  for (size_t i = 0; i < slots_.size(); i++)
    if (!slots_[i].busy && int(i) != run_ && slots_[i].cap >= n) return int(i);
  for (size_t i = 0; i < slots_.size(); i++)
    if (!slots_[i].busy && int(i) != run_) return int(i);
  throw fmt::IoError(path_, "write (no free AIO slot)", EIO);  // cannot happen: reap(1) freed one
}

uint8_t* AioWriter::reserve(uint64_t offset, size_t n) {
  if (n > kSlotBytes) return nullptr;
  if (run_ >= 0) {
    Slot& r = slots_[size_t(run_)];
    if (r.offset + r.n == offset && r.n + n <= r.cap) {
      if (busy_ > 0 && overlaps(offset, n)) {  // the run stays open: it is not in flight
        submit();
        while (overlaps(offset, n)) reap(1);
      }
      runReserved_ = n;
      return r.buf + r.n;
    }
    closeRun();
  }
  waitOverlapping(offset, n);
  size_t want = std::max(n, kRunBytes);
  int i = freeSlot(want);
  Slot& s = slots_[size_t(i)];
  fit(s, want);  // grows to the largest run it has held (freeSlot prefers slots large enough)
  s.offset = offset;
  s.n = 0;
  s.data = s.buf;
  run_ = i;
  runReserved_ = n;
  return s.buf;
}

void AioWriter::commit() {
  slots_[size_t(run_)].n += runReserved_;
  runReserved_ = 0;
}

// Queues the open run (its committed bytes).
void AioWriter::closeRun() {
  if (run_ < 0) return;
  Slot& s = slots_[size_t(run_)];
  run_ = -1;
  runReserved_ = 0;
  if (s.n == 0) return;
  s.busy = true;
  busy_++;
  s.charged = s.n;
  bytesInFlight_ += s.charged;
  pending_.push_back(int(&s - slots_.data()));
  if (pending_.size() >= kBatch) submit();
}

void AioWriter::write(uint64_t offset, const uint8_t* data, size_t n) {
  // A newer write must land after an older one it overlaps: let those in flight finish first.
  waitOverlapping(offset, n);
  while (n > 0) {
    size_t k = std::min(n, kSlotBytes);
    int i = freeSlot(k);
    Slot& s = slots_[size_t(i)];
    if (data) {
      fit(s, k);  // grows to the largest write it has held
      std::memcpy(s.buf, data, k);
      s.data = s.buf;
      data += k;
    } else {
      s.data = zeroBuffer();
    }
    s.offset = offset;
    s.n = k;
    s.busy = true;
    busy_++;
    s.charged = k;
    bytesInFlight_ += k;
    pending_.push_back(i);
    if (pending_.size() >= kBatch) submit();
    offset += k;
    n -= k;
  }
  if (error_) drain();  // throws
}

void AioWriter::submit() {
  if (pending_.empty()) return;
  // In address order, as WalB's writer submits its ready queue: a virtio disk with no scheduler
  // ("none") takes them as given. Queued writes never overlap (an overlapping one drains first).
  std::sort(pending_.begin(), pending_.end(), [this](int a, int b) { return slots_[size_t(a)].offset < slots_[size_t(b)].offset; });
  std::vector<iocb> cbs(pending_.size());
  std::vector<iocb*> ptrs(pending_.size());
  for (size_t j = 0; j < pending_.size(); j++) {
    const Slot& s = slots_[size_t(pending_[j])];
    iocb& cb = cbs[j];
    std::memset(&cb, 0, sizeof cb);
    cb.aio_fildes = uint32_t(fd_);
    cb.aio_lio_opcode = IOCB_CMD_PWRITE;
    cb.aio_buf = uint64_t(reinterpret_cast<uintptr_t>(s.data));
    cb.aio_nbytes = s.n;
    cb.aio_offset = int64_t(s.offset);
    cb.aio_data = uint64_t(pending_[j]);
    ptrs[j] = &cb;
  }
  size_t done = 0;
  while (done < ptrs.size()) {
    long r = syscall(SYS_io_submit, aio_context_t(ctx_), long(ptrs.size() - done), ptrs.data() + done);
    submits_++;
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (r <= 0) {  // refused: write the rest synchronously through the buffered descriptor
      for (size_t j = done; j < ptrs.size(); j++) complete(slots_[size_t(pending_[j])], -EINVAL);
      break;
    }
    done += size_t(r);
  }
  pending_.clear();
}

void AioWriter::reap(long minEvents) {
  io_event ev[kSlots];
  for (;;) {
    long r = syscall(SYS_io_getevents, aio_context_t(ctx_), minEvents, long(kSlots), ev, nullptr);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw fmt::IoError(path_, "io_getevents", errno);
    for (long k = 0; k < r; k++) complete(slots_[size_t(ev[k].data)], ev[k].res);
    return;
  }
}

// A write the file system refused (EINVAL: alignment it does not take) or wrote short is finished
// synchronously through the buffered descriptor before the slot is freed, so ordering still holds.
void AioWriter::complete(Slot& s, int64_t res) {
  if (res != int64_t(s.n)) {
    size_t off = res > 0 ? size_t(res) : 0;
    if (res >= 0 || res == -EINVAL) {
      try {
        fmt::pwriteFull(bufferedFd_, path_, s.offset + off, s.data + off, s.n - off);
      } catch (const fmt::IoError& e) {
        if (!error_) error_ = e.err(), errorOffset_ = s.offset;
      }
    } else if (!error_) {
      error_ = int(-res);
      errorOffset_ = s.offset;
    }
  }
  s.busy = false;
  busy_--;
  bytesInFlight_ -= s.charged;
}

void AioWriter::drain() {
  closeRun();
  waitInFlight();
}

void AioWriter::waitInFlight() {
  submit();
  while (busy_ > 0) reap(1);
  if (error_) {
    int e = error_;
    error_ = 0;
    throw fmt::IoError(path_, "write at byte " + std::to_string(errorOffset_), e);
  }
}

}  // namespace walb::ops
