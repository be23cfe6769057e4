// Writes a full backup's or a restore's non-zero runs into the image on a second thread, so the
// source is read and hashed on one core while the other writes what was read into the image and
// starts its write-back. Two ways:
//   - kernel copy (a restore in `auto` mode): copy_file_range from the source's page cache (the runs
//     were just read), falling back to the next way where the kernel cannot copy between the files;
//   - from the caller's bytes (a full backup, whose image must be exactly the bytes it hashed for
//     base.sums, and a restore in `copy` mode, which must not share extents): write() copies the run
//     into one of four 4 MiB slots (a memcpy, ~0.05 CPU-s per GB) and the thread pwrites it from
//     there; the caller waits only when all four are still being written.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "format/io.h"

namespace walbctl::scan {

class ImageWriter {
 public:
  // `paceStep`: write-back starts every so many bytes (0: never; the caller fsyncs at the end).
  // `kernelCopy` false: always write the caller's bytes (copied into a slot first).
  ImageWriter(int srcFd, int fd, const std::string& path, uint64_t paceStep, bool kernelCopy = true);
  ~ImageWriter();
  ImageWriter(const ImageWriter&) = delete;
  ImageWriter& operator=(const ImageWriter&) = delete;
  // [offset, offset+n) of the source, read into `data`, goes to the same place in the image.
  // `data` may be reused as soon as this returns. Rethrows an earlier failure of the writer thread.
  void write(uint64_t offset, const uint8_t* data, size_t n);
  // Everything up to `offset` has been handed over: write-back may start up to there.
  void reached(uint64_t offset);
  // Waits until every run is in the image (not yet durable: the caller fsyncs); rethrows a failure.
  void finish();

 private:
  struct Run {
    uint64_t offset;  // in the image
    size_t at, n;     // in the slot
  };
  struct Job {
    uint64_t offset = 0;
    uint64_t n = 0;        // kernel copy of [offset, offset+n); 0 with slot < 0: a write-back mark up to `offset`
    int slot = -1;         // >= 0: write `runs` from this slot, then free it
    std::vector<Run> runs;
  };
  static constexpr size_t kSlots = 4;
  static constexpr size_t kSlotBytes = 4u << 20;
  void start();
  void push(Job j);
  void submitSlot();
  void loop();
  void run(const Job& j);
  void rethrow();

  int src_, fd_;
  std::string path_;
  uint64_t paceStep_, started_ = 0, marked_ = 0;
  bool kernelCopy_ = false, probed_ = false, stop_ = false, threaded_ = false;
  std::mutex m_;
  std::condition_variable cv_, idle_, freed_;
  std::deque<Job> jobs_;
  bool busy_ = false;
  std::exception_ptr error_;
  std::thread thread_;
  walb::fmt::PageBuffer slots_[kSlots];
  std::vector<int> free_;
  int cur_ = -1;        // the slot being filled
  size_t curFill_ = 0;
  std::vector<Run> curRuns_;
};

}  // namespace walbctl::scan
