// The wdev's write path (design.md): every write becomes a record of a WalB logpack appended to
// the ldev's ring, then is written to the ddev, then acknowledged. Concurrent writes are batched
// into one logpack by whichever writer finds no pack being written (group commit); flushes share
// one fdatasync of the ldev. Overlapping writes reach the ddev in lsid order.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "direct_io.h"
#include "extract.h"
#include "format/wlog.h"
#include "ldev.h"

namespace wdev {

struct DeviceStatus {
  Super super;                    // as last persisted, plus the in-memory lsids below
  uint64_t oldest = 0, written = 0, permanent = 0, latest = 0;
  bool overflow = false;
  uint64_t writes = 0, discards = 0, packs = 0, flushes = 0, logSyncs = 0;
};

class Device {
 public:
  // `latest` is where the recovered log ends; `s` is the super as recovery left it.
  // `directIo`: write the ldev ring and the ddev with O_DIRECT where the file system allows it.
  Device(Ldev& ldev, const Super& s, int ddevFd, std::string ddevPath, bool directIo = true);

  int Write(const uint8_t* buf, uint64_t size, uint64_t off);  // bytes written or -errno
  // The same without waiting: `done(ctx, bytes or -errno)` is called once, from whichever thread
  // finishes the write (maybe this one, before WriteAsync returns). Takes `buf` (from TakeBuffer).
  using Done = void (*)(void* ctx, int rc);
  void WriteAsync(std::unique_ptr<AlignedBuffer> buf, uint64_t size, uint64_t off, Done done, void* ctx);
  static std::unique_ptr<AlignedBuffer> TakeBuffer(uint64_t size);  // page-aligned, room for size rounded up to 4096
  // The calling thread's page-aligned IO buffer (same room), for the waiting path (Write).
  static uint8_t* IoBuffer(uint64_t size);
  int Read(uint8_t* buf, uint64_t size, uint64_t off);
  int Discard(uint64_t off, uint64_t len);
  int Flush();                   // everything acknowledged before it is durable (log, or ddev when overflowed)
  DeviceStatus Status();
  void Checkpoint();             // ddev durable up to the applied lsid, super rewritten
  void SetOldest(uint64_t lsid); // after the log before `lsid` was shipped; throws WdevError
  void Reset();                  // after a hash backup: clear overflow, restart the log at the latest lsid
  // Copies (or, `frameOnly`, frames) the logpacks in [from, to) into `out` (extract.h) while the
  // device serves: [from, to) must lie within [oldest, permanent]; throws WdevError.
  ExtractResult Extract(uint64_t from, uint64_t to, const std::string& out, uint64_t maxBytes, bool frameOnly);
  void Shutdown();               // flush, checkpoint: written == permanent == latest
  uint64_t sizeBytes() const { return sizeBytes_; }
  bool directIo() const { return ldevWriter_.enabled() && ddevWriter_.enabled(); }

 private:
  struct Io {
    uint64_t offLb = 0;
    uint32_t lbs = 0;
    const uint8_t* data = nullptr;  // 4096-aligned, room for the pbs padding (zeroed by Submit)
    uint32_t checksum = 0;          // of the data, with the log salt (computed by the IO's thread)
    bool discard = false;
    bool direct = false;         // overflowed: straight to the ddev
    bool queued = false;         // waiting in queue_ for a leader
    bool logged = false;
    bool applied = false;        // finished: written to the ddev by its pack's leader, or failed (err)
    bool gated = false;          // an aligned write or discard: waits out an unaligned write's RMW, counted in alignedActive_
    int err = 0;
    Done done = nullptr;         // asynchronous: no thread waits; called when finished
    void* ctx = nullptr;
    std::unique_ptr<AlignedBuffer> buf;  // an asynchronous IO's data
    uint64_t bytes = 0;
    uint64_t seq = 0, packLsid = 0;
    std::condition_variable cv;  // this IO's thread: its pack written (or failed), or its turn to lead
  };

  int Submit(Io* io);             // waits until the IO is finished; returns its error (0 or -errno)
  void SubmitAsync(Io* io);       // takes the IO (heap); finishes it now or leaves it to a leader
  bool EnqueueLocked(std::unique_lock<std::mutex>& lk, Io* io);  // false: overflowed, go direct
  void DriveLocked(std::unique_lock<std::mutex>& lk);  // lead packs while the queue has IOs and room
  void DirectLocked(std::unique_lock<std::mutex>& lk, Io* io);  // overflowed: straight to the ddev
  void FinishLocked(Io* io, int err, std::vector<Io*>& async);  // done; async ones go to `async`
  void Complete(std::unique_lock<std::mutex>& lk, std::vector<Io*>& async);  // their callbacks, unlocked
  void Prepare(Io* io);           // checksum and zero padding, in the IO's own thread, unlocked
  void LeadLocked(std::unique_lock<std::mutex>& lk);
  void WakeLeaderLocked();       // the first queued IO's thread, when a pack may be led now
  void EnterOverflowLocked(std::unique_lock<std::mutex>& lk, OverflowCause cause);
  void WaitOrderLocked(std::unique_lock<std::mutex>& lk, const Io* io);
  bool BlockedLocked(const Io* io) const;  // an earlier IO overlapping it is still being applied
  void ApplyLocked(std::unique_lock<std::mutex>& lk, const std::vector<Io*>& batch);
  uint64_t AppliedLocked() const;
  void PersistSuper(const Super& s);
  Super SnapshotSuperLocked() const;
  int WriteUnaligned(const uint8_t* buf, uint64_t size, uint64_t off);

  Ldev& ldev_;
  Super super_;                  // static fields (salt, uuid, ring, pbs, name)
  int ddevFd_;
  std::string ddevPath_;
  uint64_t sizeBytes_;
  uint32_t pbs_;
  uint64_t maxPackData_;         // blocks

  std::mutex m_;
  std::condition_variable cvLead_;   // leadership free (for Reset and the error path; IOs wait on their own cv)
  std::condition_variable cvOrder_;  // an IO left inflight_ (ddev ordering, reset)
  std::condition_variable cvSync_;   // logged_ moved, a log sync ended, overflow
  std::deque<Io*> queue_;
  bool leader_ = false, syncing_ = false, overflow_ = false;
  OverflowCause overflowCause_ = OverflowCause::kUnknown;  // why, while overflow_
  std::map<uint64_t, Io*> inflight_;   // by seq
  uint64_t seq_ = 0;
  uint64_t oldest_, written_, permanent_, latest_;
  // oldest_ is what the super on disk records: ring space before min(oldest_, written_) is free.
  // freed_ (>= oldest_) is where set-oldest moved it: the next super write (a checkpoint, every
  // second, and inline when the ring is full) records it, so a batch shipped costs no super write
  // of its own. A crash before that leaves the older oldest lsid: the log there is intact (its
  // space was not reused), and the shipper's resend of it is a duplicate the proxy recognises.
  uint64_t freed_;
  uint64_t logged_;              // every pack before it is written to the ldev
  uint64_t loggedMax_;           // the end of the furthest pack written
  std::map<uint64_t, uint64_t> done_;  // packs written past a gap: lsid -> end
  unsigned packsInFlight_ = 0;
  // Each pack in flight is written to the log, then applied to the ddev. Several smaller packs keep
  // both writes going at once, so the disk is busy while one pack's ddev write ends a burst (before
  // an fsync): 4 packs of up to 2 MiB gave seq1m-fsync32 88-93 % of the disk's two-write bound
  // against 78-88 % for 2 packs of 8 MiB (docs/BENCHMARKS.md); more packs cost rand4k IOPS.
  static constexpr unsigned kMaxPacksInFlight = 4;
  static constexpr uint64_t kMaxPackBytes = 2u << 20;
  uint64_t writes_ = 0, discards_ = 0, packs_ = 0, flushes_ = 0, logSyncs_ = 0;
  DirectWriter ldevWriter_, ddevWriter_;

  std::mutex superMutex_;        // one super write (and checkpoint) at a time
  // What the last checkpoint found (under superMutex_): a checkpoint that finds the same, no
  // overflow and no super change asked for, has nothing to sync or write, and skips its three
  // flushes of the disk's cache (an idle volume's every second).
  bool ckValid_ = false;
  uint64_t ckLatest_ = 0, ckLogged_ = 0, ckApplied_ = 0, ckFreed_ = 0;
  std::condition_variable cvRmw_;
  bool rmwActive_ = false;       // an unaligned write's read-modify-write: no other write runs
  unsigned alignedActive_ = 0;   // aligned writes and discards not finished
};

}  // namespace wdev
