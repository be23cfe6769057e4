// Batched asynchronous direct writes for apply (Linux AIO on an O_DIRECT descriptor, raw system calls,
// no library): up to 256 writes of at most 1 MiB and 32 MiB in all are in flight, each copied (or
// decompressed, reserve/commit) into its slot's aligned buffer so the caller's buffer can be reused at
// once; adjacent reserved writes share one slot of up to 128 KiB (one IO); queued ones are submitted 128
// at a time in address order; a write that overlaps one still in flight waits for that one to land
// first, so the newest write always lands last. Buffered writes of
// a small random IO to a cold page cache read the page first (read-modify-write, one synchronous read
// per IO); direct writes of whole 512-byte sectors do not. See design.md ("Apply").
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "format/io.h"

namespace walb::ops {

class AioWriter {
 public:
  // Opens `path` a second time with O_DIRECT. enabled() is false when the file system or the kernel
  // refuses (tmpfs, no AIO): the caller then writes through its buffered descriptor.
  AioWriter(const std::string& path, int bufferedFd);
  // One that writes nothing (enabled() is false): what a Target keeps once its writer is torn down.
  struct Closed {};
  explicit AioWriter(Closed) {}
  ~AioWriter();
  AioWriter(const AioWriter&) = delete;
  AioWriter& operator=(const AioWriter&) = delete;
  bool enabled() const { return fd_ >= 0; }
  // Queues a write of `n` bytes at `offset` (both multiples of 512); `data == nullptr` writes zeros.
  // Errors surface from a later call or from drain().
  void write(uint64_t offset, const uint8_t* data, size_t n);
  // The same write, for a caller that produces the data itself (a decompressor): reserve() returns a
  // buffer of `n` bytes (n <= 1 MiB) to fill, after the overlapping writes in flight landed, and
  // commit() adds it to the open run. A run is one slot of up to 1 MiB that grows while each write
  // starts where the previous one ended (a sorted wdiff's adjacent records: one IO instead of many);
  // it is queued when the next write is not adjacent or does not fit, and before any other call.
  // What was reserved and not committed (the caller threw) is never written.
  uint8_t* reserve(uint64_t offset, size_t n);
  void commit();
  // Waits for the writes in flight that overlap [offset, offset+n); the others stay in flight.
  void waitOverlapping(uint64_t offset, uint64_t n);
  // Submits what is queued and waits for every write; throws IoError on the first failed one.
  void drain();
  uint64_t submits() const { return submits_; }

 private:
  struct Slot {
    fmt::PageBuffer mem;     // its own buffer, for a write larger than its share of the arena
    uint8_t* buf = nullptr;  // its share of arena_ or mem.data(): page-aligned
    size_t cap = 0;
    uint64_t offset = 0;
    size_t n = 0;
    const uint8_t* data = nullptr;  // buf, or the zero buffer
    bool busy = false;
    size_t charged = 0;  // what it counts in bytesInFlight_ while busy
  };
  bool overlaps(uint64_t offset, uint64_t n) const;
  void closeRun();
  void waitInFlight();  // every queued and in-flight write, not the open run
  int freeSlot(size_t n);
  void fit(Slot& s, size_t n);
  void submit();
  void reap(long minEvents);
  void complete(Slot& s, int64_t res);

  std::string path_;
  int bufferedFd_;
  int fd_ = -1;
  unsigned long ctx_ = 0;
  std::vector<Slot> slots_;
  fmt::PageBuffer arena_;  // the slots' buffers (fit())
  std::vector<int> pending_;  // queued, not yet submitted
  int run_ = -1;             // the open run's slot (not busy yet), or -1
  size_t runReserved_ = 0;  // bytes reserved after its committed ones
  size_t busy_ = 0;
  size_t bytesInFlight_ = 0;
  int error_ = 0;
  uint64_t errorOffset_ = 0;
  uint64_t submits_ = 0;
};

}  // namespace walb::ops
