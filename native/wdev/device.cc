#include "device.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "format/checksum.h"
#include "pack_header.h"

namespace wdev {

namespace {
constexpr uint64_t kLb = kLogicalBs;
bool Overlaps(uint64_t a, uint32_t an, uint64_t b, uint32_t bn) { return a < b + bn && b < a + an; }
}  // namespace

Device::Device(Ldev& ldev, const Super& s, int ddevFd, std::string ddevPath, bool directIo)
    : ldev_(ldev), super_(s), ddevFd_(ddevFd), ddevPath_(std::move(ddevPath)),
      ldevWriter_(ldev.path(), ldev.fd(), directIo), ddevWriter_(ddevPath_, ddevFd, directIo) {
  sizeBytes_ = s.deviceLb * kLb;
  pbs_ = s.physicalBs;
  maxPackData_ = std::min<uint64_t>({s.ringBlocks / 4, kMaxPackBytes / pbs_, 65535});
  overflow_ = (s.flags & kFlagOverflow) != 0;
  overflowCause_ = static_cast<OverflowCause>((s.flags & kOverflowCauseMask) >> 8);
  oldest_ = freed_ = s.oldestLsid;
  written_ = s.writtenLsid;
  permanent_ = std::max(s.permanentLsid, s.writtenLsid);
  latest_ = logged_ = loggedMax_ = s.writtenLsid;
}

Super Device::SnapshotSuperLocked() const {
  Super s = super_;
  s.oldestLsid = freed_;
  s.writtenLsid = written_;
  s.permanentLsid = permanent_;
  s.flags = overflow_ ? MarkOverflow(ClearOverflow(super_.flags), overflowCause_) : ClearOverflow(super_.flags);
  return s;
}

void Device::PersistSuper(const Super& snap) {
  Super s = snap;
  s.generation = super_.generation;
  ldev_.WriteSuper(s, true);
  super_.generation = s.generation;
}

uint64_t Device::AppliedLocked() const {
  uint64_t applied = latest_;
  for (const auto& [seq, io] : inflight_) {
    if (!io->direct) applied = std::min(applied, io->packLsid);
  }
  return applied;
}

bool Device::BlockedLocked(const Io* io) const {
  for (const auto& [seq, e] : inflight_) {
    if (seq >= io->seq) return false;
    if (Overlaps(e->offLb, e->lbs, io->offLb, io->lbs)) return true;
  }
  return false;
}

void Device::WaitOrderLocked(std::unique_lock<std::mutex>& lk, const Io* io) {
  while (BlockedLocked(io)) cvOrder_.wait(lk);
}

// The leader applies its logged batch to the ddev: every IO no earlier overlapping IO holds back,
// all at once (one io_submit), round after round; then each IO's thread is told its result.
void Device::ApplyLocked(std::unique_lock<std::mutex>& lk, const std::vector<Io*>& batch) {
  std::vector<Io*> left = batch, round, rest;
  std::vector<DirectWriter::Item> items;
  while (!left.empty()) {
    round.clear();
    rest.clear();
    for (Io* io : left) (BlockedLocked(io) ? rest : round).push_back(io);
    if (round.empty()) {
      cvOrder_.wait(lk);
      continue;
    }
    lk.unlock();
    items.clear();
    for (Io* io : round) {
      const uint64_t off = io->offLb * kLb, len = uint64_t{io->lbs} * kLb;
      int rc = 0;  // an item per IO; a discard's result is its rc
      if (io->discard && fallocate(ddevFd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(off), static_cast<off_t>(len)) != 0)
        rc = -errno;
      items.push_back({io->data, io->discard ? 0 : len, off, rc});
    }
    std::vector<DirectWriter::Item> writes;
    for (const auto& it : items) {
      if (it.size) writes.push_back(it);
    }
    try {
      ddevWriter_.WriteBatch(writes);
    } catch (const std::exception&) {
      for (auto& it : writes) it.rc = -EIO;
    }
    for (size_t i = 0, w = 0; i < items.size(); i++) {
      if (items[i].size) items[i].rc = writes[w++].rc;
    }
    lk.lock();
    size_t k = 0;
    std::vector<Io*> async;
    for (Io* io : round) FinishLocked(io, items[k++].rc, async);
    cvOrder_.notify_all();
    Complete(lk, async);
    left.swap(rest);
  }
}

void Device::FinishLocked(Io* io, int err, std::vector<Io*>& async) {
  io->err = err;
  io->applied = true;
  inflight_.erase(io->seq);
  if (io->gated && --alignedActive_ == 0 && rmwActive_) cvRmw_.notify_all();
  if (io->done) async.push_back(io);
  else io->cv.notify_one();  // under m_: the IO's thread cannot have returned yet
}

void Device::Complete(std::unique_lock<std::mutex>& lk, std::vector<Io*>& async) {
  if (async.empty()) return;
  lk.unlock();
  for (Io* io : async) {
    const int rc = io->err < 0 ? io->err : static_cast<int>(io->bytes);
    Done d = io->done;
    void* ctx = io->ctx;
    delete io;  // its buffer goes back to the pool
    d(ctx, rc);
  }
  async.clear();
  lk.lock();
}

void Device::EnterOverflowLocked(std::unique_lock<std::mutex>& lk, OverflowCause cause) {
  // Called by the leader: no pack is written meanwhile. From here on writes go straight to the
  // ddev, and start-up no longer replays the log, so the ddev is synced before the flag is set.
  if (!overflow_) overflowCause_ = cause;  // the first cause is the one to report
  overflow_ = true;
  lk.unlock();
  fdatasync(ddevFd_);
  {
    std::lock_guard<std::mutex> g(superMutex_);
    ckValid_ = false;
    Super s;
    {
      std::lock_guard<std::mutex> g2(m_);
      written_ = latest_;
      s = SnapshotSuperLocked();
    }
    try {
      PersistSuper(s);
    } catch (const std::exception&) {
      // The ddev is synced; a stale super only means a longer replay at start-up.
    }
  }
  lk.lock();
  cvSync_.notify_all();  // flushes waiting for the log now sync the ddev instead
}

void Device::LeadLocked(std::unique_lock<std::mutex>& lk) {
  leader_ = true;
  std::vector<Io*> batch;
  uint64_t dataBlocks = 0;
  const uint32_t maxRec = MaxRecords(pbs_);
  while (!queue_.empty() && batch.size() < maxRec) {
    Io* io = queue_.front();
    uint64_t b = io->discard ? 0 : BlocksFor(io->lbs, pbs_);
    if (!batch.empty() && dataBlocks + b > maxPackData_) break;
    queue_.pop_front();
    io->queued = false;
    batch.push_back(io);
    dataBlocks += b;
  }
  if (batch.empty()) {
    leader_ = false;
    return;
  }
  const uint64_t need = 1 + dataBlocks;
  if (!overflow_ && latest_ + need - std::min(oldest_, written_) > super_.ringBlocks) {
    lk.unlock();
    try {
      Checkpoint();  // frees ring space when the checkpoint, not shipping, holds it
    } catch (const std::exception&) {
    }
    lk.lock();
    if (!overflow_ && latest_ + need - std::min(oldest_, written_) > super_.ringBlocks) EnterOverflowLocked(lk, OverflowCause::kRingFull);
  }
  if (overflow_) {
    for (Io* io : batch) {
      io->direct = true;
      io->seq = ++seq_;
      inflight_[io->seq] = io;
      io->logged = true;
      io->cv.notify_one();
    }
    leader_ = false;
    WakeLeaderLocked();
    for (Io* io : batch) {
      if (io->done) DirectLocked(lk, io);  // no thread waits for an asynchronous one: the leader writes it
    }
    return;
  }
  const uint64_t packLsid = latest_;
  for (Io* io : batch) {
    io->seq = ++seq_;
    io->packLsid = packLsid;
    inflight_[io->seq] = io;
  }
  latest_ += need;
  // The lsids are taken: the next writer may lead (and write) the next pack while this one is written.
  packsInFlight_++;
  leader_ = false;
  WakeLeaderLocked();
  lk.unlock();

  bool ok = true;
  try {
    // The header block, then each IO's data straight from its writer's buffer: one vectored write
    // (two when the pack crosses the ring's end).
    std::vector<PackRecord> recs;
    recs.reserve(batch.size());
    for (Io* io : batch) recs.push_back(PackRecord{io->offLb, io->lbs, io->checksum, io->discard});
    AlignedBuffer header(pbs_);
    ok = BuildPackHeader(header.data, pbs_, super_.salt, packLsid, recs) == need;
    std::vector<iovec> iov{{header.data, pbs_}};
    for (Io* io : batch) {
      if (!io->discard) iov.push_back({const_cast<uint8_t*>(io->data), BlocksFor(io->lbs, pbs_) * pbs_});
    }
    const uint64_t pos = packLsid % super_.ringBlocks, first = std::min(need, super_.ringBlocks - pos);
    if (ok && first == need) {
      ldevWriter_.WriteVec(std::move(iov), kRingOffset + pos * pbs_);
    } else if (ok) {
      std::vector<iovec> tail;  // the part past the ring's end goes to the ring's start
      uint64_t bytes = 0;
      size_t i = 0;
      for (; bytes + iov[i].iov_len <= first * pbs_; i++) bytes += iov[i].iov_len;
      if (bytes < first * pbs_) {
        const uint64_t cut = first * pbs_ - bytes;
        tail.push_back({static_cast<uint8_t*>(iov[i].iov_base) + cut, iov[i].iov_len - cut});
        iov[i].iov_len = cut;
        i++;
      }
      tail.insert(tail.end(), iov.begin() + static_cast<std::ptrdiff_t>(i), iov.end());
      iov.resize(i);
      ldevWriter_.WriteVec(std::move(iov), kRingOffset + pos * pbs_);
      ldevWriter_.WriteVec(std::move(tail), kRingOffset);
    }
  } catch (const std::exception&) {
    ok = false;
  }

  lk.lock();
  packs_++;
  std::vector<Io*> async;
  for (Io* io : batch) {
    if (ok) io->logged = true;
    else FinishLocked(io, -EIO, async);
  }
  if (ok) {
    // logged_ moves over the packs written without a gap before them.
    done_[packLsid] = packLsid + need;
    loggedMax_ = std::max(loggedMax_, packLsid + need);
    for (auto it = done_.find(logged_); it != done_.end(); it = done_.find(logged_)) {
      logged_ = it->second;
      done_.erase(it);
    }
    cvSync_.notify_all();
    ApplyLocked(lk, batch);  // the pack counts as in flight until its IOs are on the ddev
    packsInFlight_--;
  } else {
    packsInFlight_--;
    Complete(lk, async);
    while (leader_) cvLead_.wait(lk);
    leader_ = true;
    EnterOverflowLocked(lk, OverflowCause::kLogWriteFailed);  // the log has a hole now: only a hash backup can follow
    leader_ = false;
  }
  WakeLeaderLocked();
  cvSync_.notify_all();
}

void Device::DriveLocked(std::unique_lock<std::mutex>& lk) {
  while (!queue_.empty() && !leader_ && packsInFlight_ < kMaxPacksInFlight) LeadLocked(lk);
}

void Device::WakeLeaderLocked() {
  cvLead_.notify_all();  // no syscall when nobody waits there (Reset, the error path)
  if (!leader_ && packsInFlight_ < kMaxPacksInFlight && !queue_.empty()) queue_.front()->cv.notify_one();
}

namespace {
thread_local std::unique_ptr<AlignedBuffer> t_ioBuffer;
}  // namespace

std::unique_ptr<AlignedBuffer> Device::TakeBuffer(uint64_t size) {
  return std::make_unique<AlignedBuffer>(std::max<uint64_t>((size + 4095) / 4096 * 4096, 4096));
}

uint8_t* Device::IoBuffer(uint64_t size) {
  const uint64_t cap = std::max<uint64_t>((size + 4095) / 4096 * 4096, 4096);
  if (!t_ioBuffer || t_ioBuffer->size < cap) t_ioBuffer = std::make_unique<AlignedBuffer>(cap);
  return t_ioBuffer->data;
}

void Device::Prepare(Io* io) {
  if (io->discard) return;
  const uint64_t len = uint64_t{io->lbs} * kLb, padded = BlocksFor(io->lbs, pbs_) * pbs_;
  io->checksum = walb::fmt::checksum(io->data, len, super_.salt);
  if (padded > len) std::memset(const_cast<uint8_t*>(io->data) + len, 0, padded - len);
}

bool Device::EnqueueLocked(std::unique_lock<std::mutex>& lk, Io* io) {
  if (io->gated) {
    while (rmwActive_) cvRmw_.wait(lk);
    alignedActive_++;
  }
  if (io->discard) discards_++; else writes_++;
  if (overflow_) {
    io->direct = true;
    io->seq = ++seq_;
    inflight_[io->seq] = io;
    io->logged = true;
    return false;
  }
  queue_.push_back(io);
  io->queued = true;
  return true;
}

void Device::DirectLocked(std::unique_lock<std::mutex>& lk, Io* io) {
  WaitOrderLocked(lk, io);
  lk.unlock();
  int rc = 0;
  const uint64_t off = io->offLb * kLb, len = uint64_t{io->lbs} * kLb;
  if (io->discard) {
    if (fallocate(ddevFd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(off), static_cast<off_t>(len)) != 0)
      rc = -errno;
  } else {
    try {
      ddevWriter_.WriteAligned(io->data, len, off);
    } catch (const std::exception&) {
      rc = -EIO;
    }
  }
  lk.lock();
  std::vector<Io*> async;
  FinishLocked(io, rc, async);
  cvOrder_.notify_all();
  Complete(lk, async);
}

int Device::Submit(Io* io) {
  Prepare(io);
  std::unique_lock<std::mutex> lk(m_);
  if (!EnqueueLocked(lk, io)) {
    DirectLocked(lk, io);
    return io->err;
  }
  while (!io->applied && !io->direct) {
    // Lead while the queue has IOs and a pack may start; else wait until this IO's pack's leader
    // has logged it and applied it to the ddev (or, overflowed meanwhile, sent it direct).
    if (!queue_.empty() && !leader_ && packsInFlight_ < kMaxPacksInFlight) LeadLocked(lk);
    else io->cv.wait(lk);
  }
  if (io->direct && !io->applied) DirectLocked(lk, io);
  DriveLocked(lk);  // asynchronous IOs queued meanwhile have no thread of their own
  return io->err;
}

void Device::SubmitAsync(Io* io) {
  Prepare(io);
  std::unique_lock<std::mutex> lk(m_);
  if (!EnqueueLocked(lk, io)) DirectLocked(lk, io);
  DriveLocked(lk);
}

int Device::WriteUnaligned(const uint8_t* buf, uint64_t size, uint64_t off) {
  {
    std::unique_lock<std::mutex> lk(m_);  // no other write runs meanwhile: read-modify-write is safe
    while (rmwActive_) cvRmw_.wait(lk);
    rmwActive_ = true;
    while (alignedActive_ > 0) cvRmw_.wait(lk);
  }
  struct Release {
    Device* d;
    ~Release() {
      std::lock_guard<std::mutex> g(d->m_);
      d->rmwActive_ = false;
      d->cvRmw_.notify_all();
    }
  } release{this};
  const uint64_t a = off / kLb * kLb, e = (off + size + kLb - 1) / kLb * kLb;
  AlignedBuffer tmp((e - a + 4095) / 4096 * 4096);  // `buf` may be the thread's IO buffer
  try {
    PreadAll(ddevFd_, tmp.data, e - a, a, ddevPath_);
  } catch (const std::exception&) {
    return -EIO;
  }
  std::memcpy(tmp.data + (off - a), buf, size);
  Io io;
  io.offLb = a / kLb;
  io.lbs = static_cast<uint32_t>((e - a) / kLb);
  io.data = tmp.data;
  int rc = Submit(&io);
  return rc < 0 ? rc : static_cast<int>(size);
}

int Device::Write(const uint8_t* buf, uint64_t size, uint64_t off) {
  if (off >= sizeBytes_) return size == 0 ? 0 : -ENOSPC;
  size = std::min(size, sizeBytes_ - off);
  if (size == 0) return 0;
  if (off % kLb != 0 || size % kLb != 0) return WriteUnaligned(buf, size, off);
  uint8_t* data = IoBuffer(size);
  if (data != buf) std::memcpy(data, buf, size);
  Io io;
  io.offLb = off / kLb;
  io.lbs = static_cast<uint32_t>(size / kLb);
  io.data = data;
  io.gated = true;
  int rc = Submit(&io);
  return rc < 0 ? rc : static_cast<int>(size);
}

void Device::WriteAsync(std::unique_ptr<AlignedBuffer> buf, uint64_t size, uint64_t off, Done done, void* ctx) {
  if (off >= sizeBytes_ || size == 0 || off % kLb != 0 || size % kLb != 0 || off + size > sizeBytes_) {
    done(ctx, Write(buf->data, size, off));  // past the end, empty or unaligned: the waiting path
    return;
  }
  auto* io = new Io;
  io->offLb = off / kLb;
  io->lbs = static_cast<uint32_t>(size / kLb);
  io->data = buf->data;
  io->buf = std::move(buf);
  io->bytes = size;
  io->gated = true;
  io->done = done;
  io->ctx = ctx;
  SubmitAsync(io);
}

int Device::Read(uint8_t* buf, uint64_t size, uint64_t off) {
  if (off >= sizeBytes_) return 0;
  size = std::min(size, sizeBytes_ - off);
  uint64_t done = 0;
  while (done < size) {
    ssize_t r = pread(ddevFd_, buf + done, size - done, static_cast<off_t>(off + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -errno;
    if (r == 0) {
      std::memset(buf + done, 0, size - done);  // a sparse ddev shorter than the device reads as zeros
      break;
    }
    done += static_cast<uint64_t>(r);
  }
  return static_cast<int>(size);
}

int Device::Discard(uint64_t off, uint64_t len) {
  if (off >= sizeBytes_) return 0;
  const uint64_t end = std::min(off + len, sizeBytes_);
  const uint64_t a = std::min((off + kLb - 1) / kLb * kLb, end), b = std::max(end / kLb * kLb, a);
  std::vector<uint8_t> zero(kLb);
  for (uint64_t p = off; p < a; p += std::min<uint64_t>(a - p, kLb)) {
    int rc = Write(zero.data(), a - p, p);  // unaligned edges become zero writes
    if (rc < 0) return rc;
  }
  for (uint64_t p = b; p < end; p += std::min<uint64_t>(end - p, kLb)) {
    int rc = Write(zero.data(), end - p, p);
    if (rc < 0) return rc;
  }
  for (uint64_t p = a; p < b;) {
    const uint64_t n = std::min<uint64_t>(b - p, uint64_t{1} << 30);
    Io io;
    io.offLb = p / kLb;
    io.lbs = static_cast<uint32_t>(n / kLb);
    io.discard = true;
    io.gated = true;
    int rc = Submit(&io);
    if (rc < 0) return rc;
    p += n;
  }
  return 0;
}

int Device::Flush() {
  std::unique_lock<std::mutex> lk(m_);
  flushes_++;
  if (!overflow_) {
    const uint64_t target = loggedMax_;          // covers the pack of every acknowledged write
    while (logged_ < target && !overflow_) cvSync_.wait(lk);  // and every pack before them
    while (permanent_ < target && !overflow_) {
      if (!syncing_) {
        syncing_ = true;
        const uint64_t t = logged_;
        lk.unlock();
        const int rc = fdatasync(ldev_.fd());
        lk.lock();
        syncing_ = false;
        cvSync_.notify_all();
        if (rc != 0) return -EIO;
        permanent_ = std::max(permanent_, t);
        logSyncs_++;
      } else {
        cvSync_.wait(lk);
      }
    }
  }
  if (overflow_) {
    lk.unlock();
    if (fdatasync(ddevFd_) != 0) return -EIO;
  }
  return 0;
}

void Device::Checkpoint() {
  std::lock_guard<std::mutex> g(superMutex_);
  uint64_t applied, logged, latest, freed;
  {
    std::lock_guard<std::mutex> g2(m_);
    applied = AppliedLocked();
    logged = logged_;
    latest = latest_;
    freed = freed_;
    // Nothing written, applied or freed since the last checkpoint: the files and the super are as
    // it left them (an overflowed device writes the ddev without the log: always synced).
    if (ckValid_ && !overflow_ && latest == ckLatest_ && logged == ckLogged_ && applied == ckApplied_ && freed == ckFreed_) return;
  }
  // The log before `logged` is made durable too: every pack below the super's permanent lsid can
  // then be checked at start-up (an invalid one is corruption, not a torn tail), and no pack the
  // extraction will need was lost with a crash after the ddev got its data.
  if (fdatasync(ldev_.fd()) != 0) throw WdevError("io", ldev_.path() + ": fdatasync: " + std::strerror(errno));
  if (fdatasync(ddevFd_) != 0) throw WdevError("io", ddevPath_ + ": fdatasync: " + std::strerror(errno));
  Super s;
  {
    std::lock_guard<std::mutex> g2(m_);
    permanent_ = std::max(permanent_, logged);
    s = SnapshotSuperLocked();
    if (!overflow_) s.writtenLsid = std::max(written_, std::min(applied, logged));
  }
  PersistSuper(s);
  std::lock_guard<std::mutex> g2(m_);
  written_ = std::max(written_, s.writtenLsid);
  oldest_ = std::max(oldest_, s.oldestLsid);  // the space set-oldest freed is reusable now
  ckValid_ = !overflow_;
  ckLatest_ = latest;
  ckLogged_ = logged;
  ckApplied_ = applied;
  ckFreed_ = freed;

}

void Device::SetOldest(uint64_t lsid) {
  std::lock_guard<std::mutex> g(superMutex_);
  Super s;
  {
    std::lock_guard<std::mutex> g2(m_);
    if (overflow_) throw WdevError("overflow", "the log overflowed: nothing to ship until a hash backup (\"walbctl wdev backup\")");
    if (lsid < freed_ || lsid > permanent_)
      throw WdevError("bad-lsid", "oldest lsid " + std::to_string(lsid) + " is outside [" + std::to_string(freed_) + ", " +
                                      std::to_string(permanent_) + "] (oldest, permanent)");
    s = SnapshotSuperLocked();
  }
  if (lsid < s.permanentLsid) {
    std::vector<uint8_t> b(pbs_);
    ReadRingBlock(ldev_, s, lsid, b.data(), ldevWriter_.enabled());
    LogpackHeader h;
    std::string why = DecodeLogpack(b.data(), pbs_, super_.salt, lsid, &h);
    if (!why.empty()) throw WdevError("bad-lsid", "lsid " + std::to_string(lsid) + " is not the start of a logpack: " + why);
  }
  // Not written to the super here: the next checkpoint does (device.h, freed_).
  std::lock_guard<std::mutex> g2(m_);
  freed_ = std::max(freed_, lsid);

}

void Device::Reset() {
  std::unique_lock<std::mutex> lk(m_);
  while (leader_) cvLead_.wait(lk);
  leader_ = true;       // new writes queue behind us (leadership first, then the super: same order as the leader)
  overflow_ = false;    // and any direct write still running finishes before the sync below
  while (!inflight_.empty()) cvOrder_.wait(lk);
  lk.unlock();
  int rc = fdatasync(ddevFd_);
  std::string why = rc == 0 ? "" : std::strerror(errno);
  if (rc == 0) {
    std::lock_guard<std::mutex> g(superMutex_);
    ckValid_ = false;
    try {
      ldev_.RingZero(latest_, super_.ringBlocks, super_);
      Super s;
      {
        std::lock_guard<std::mutex> g2(m_);
        oldest_ = freed_ = written_ = permanent_ = logged_ = loggedMax_ = latest_;
        done_.clear();
        s = SnapshotSuperLocked();
      }
      PersistSuper(s);
    } catch (const std::exception& e) {
      rc = -1;
      why = e.what();
    }
  }
  lk.lock();
  if (rc != 0) overflow_ = true;
  leader_ = false;
  WakeLeaderLocked();
  cvOrder_.notify_all();
  cvSync_.notify_all();
  DriveLocked(lk);  // asynchronous writes queued meanwhile have no thread of their own
  if (rc != 0) throw WdevError("io", "reset failed: " + why);
}

void Device::Shutdown() {
  Flush();
  {
    std::lock_guard<std::mutex> g(superMutex_);  // the order every super write takes: superMutex_, then m_
    std::lock_guard<std::mutex> g2(m_);
    std::memset(super_.servingBoot, 0, sizeof super_.servingBoot);  // closed: the checkpoint below says so
    ckValid_ = false;                                                // and writes it, whatever else moved
  }
  Checkpoint();
}

ExtractResult Device::Extract(uint64_t from, uint64_t to, const std::string& out, uint64_t maxBytes, bool frameOnly) {
  Super s;
  {
    std::lock_guard<std::mutex> g(m_);
    if (overflow_) throw WdevError("overflow", "the log overflowed: a hash backup must follow");
    if (from < oldest_ || from > to || to > permanent_)
      throw WdevError("bad-lsid", "cannot extract [" + std::to_string(from) + ", " + std::to_string(to) + "): the log holds [" +
                                      std::to_string(oldest_) + ", " + std::to_string(permanent_) + ")");
    s = SnapshotSuperLocked();
  }
  // The packs in [oldest, permanent] stay in the ring until a set-oldest past them, which only the
  // shipper that asked for this extract sends: they are read without the device's lock.
  return ExtractWlog(ldev_, s, from, to, out, maxBytes, frameOnly, ldevWriter_.enabled());
}

DeviceStatus Device::Status() {
  std::lock_guard<std::mutex> g(m_);
  DeviceStatus st;
  st.super = SnapshotSuperLocked();
  st.oldest = freed_;
  st.written = written_;
  st.permanent = permanent_;
  st.latest = latest_;
  st.overflow = overflow_;
  st.writes = writes_;
  st.discards = discards_;
  st.packs = packs_;
  st.flushes = flushes_;
  st.logSyncs = logSyncs_;
  return st;
}

}  // namespace wdev
