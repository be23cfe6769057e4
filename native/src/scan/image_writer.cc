#include "scan/image_writer.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "format/error.h"
#include "format/io.h"
#include "scan/volume_reader.h"

namespace walbctl::scan {

ImageWriter::ImageWriter(int srcFd, int fd, const std::string& path, uint64_t paceStep, bool kernelCopy)
    : src_(srcFd), fd_(fd), path_(path), paceStep_(paceStep), kernelCopy_(kernelCopy), probed_(!kernelCopy) {}

ImageWriter::~ImageWriter() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> g(m_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ImageWriter::start() {
  threaded_ = true;
  thread_ = std::thread([this] { loop(); });
}

void ImageWriter::push(Job j) {
  {
    std::lock_guard<std::mutex> g(m_);
    if (error_) std::rethrow_exception(error_);
    jobs_.push_back(std::move(j));
  }
  cv_.notify_one();
}

void ImageWriter::submitSlot() {
  if (cur_ < 0) return;
  Job j;
  j.slot = cur_;
  j.runs.swap(curRuns_);
  cur_ = -1;
  curFill_ = 0;
  push(std::move(j));
}

void ImageWriter::write(uint64_t offset, const uint8_t* data, size_t n) {
  if (n == 0) return;
  if (!probed_) {
    // The first run, on this thread: tells whether the kernel can copy between these files.
    probed_ = true;
    if (copyRange(src_, fd_, path_, offset, n)) {
      start();
      return;
    }
    kernelCopy_ = false;  // from the caller's bytes, as below
  }
  if (kernelCopy_) {
    Job j;
    j.offset = offset;
    j.n = n;
    push(std::move(j));
    return;
  }
  if (!threaded_) {
    for (size_t i = 0; i < kSlots; i++) {
      slots_[i].grow(kSlotBytes);
      free_.push_back(int(i));
    }
    start();
  }
  while (n > 0) {
    if (cur_ < 0) {
      std::unique_lock<std::mutex> lk(m_);
      freed_.wait(lk, [this] { return !free_.empty() || error_; });
      if (error_) std::rethrow_exception(error_);
      cur_ = free_.back();
      free_.pop_back();
    }
    const size_t k = std::min(n, kSlotBytes - curFill_);
    std::memcpy(slots_[cur_].data() + curFill_, data, k);
    if (!curRuns_.empty() && curRuns_.back().offset + curRuns_.back().n == offset)
      curRuns_.back().n += k;
    else
      curRuns_.push_back({offset, curFill_, k});
    curFill_ += k;
    offset += k;
    data += k;
    n -= k;
    if (curFill_ == kSlotBytes) submitSlot();
  }
}

void ImageWriter::reached(uint64_t offset) {
  if (paceStep_ == 0 || offset < started_ + paceStep_) return;
  started_ = offset;
  if (!threaded_) {
    run(Job{offset, 0, -1, {}});
    return;
  }
  submitSlot();  // the mark goes after the bytes before it
  push(Job{offset, 0, -1, {}});
}

// On the writer thread (or the caller's when not threaded): only one thread ever runs jobs.
void ImageWriter::run(const Job& j) {
  if (j.slot >= 0) {
    for (const Run& r : j.runs) walb::fmt::pwriteFull(fd_, path_, r.offset, slots_[j.slot].data() + r.at, r.n);
  } else if (j.n > 0) {
    if (!copyRange(src_, fd_, path_, j.offset, j.n)) throw walb::fmt::IoError(path_, "copy_file_range", EIO);
  } else if (j.offset > marked_) {
    // Best effort: a file system without sync_file_range still gets the caller's fsync.
    (void)sync_file_range(fd_, off64_t(marked_), off64_t(j.offset - marked_), SYNC_FILE_RANGE_WRITE);
    marked_ = j.offset;
  }
}

void ImageWriter::loop() {
  std::unique_lock<std::mutex> lk(m_);
  for (;;) {
    cv_.wait(lk, [this] { return stop_ || !jobs_.empty(); });
    if (stop_) return;  // only when the caller failed: finish() drains the queue first
    Job j = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    const bool failed = bool(error_);
    lk.unlock();
    try {
      if (!failed) run(j);  // after a failure the rest is skipped: the caller sees the first one
    } catch (...) {
      lk.lock();
      if (!error_) error_ = std::current_exception();
      lk.unlock();
    }
    lk.lock();
    busy_ = false;
    if (j.slot >= 0) {
      free_.push_back(j.slot);
      freed_.notify_all();
    }
    if (error_) freed_.notify_all();
    if (jobs_.empty()) idle_.notify_all();
  }
}

void ImageWriter::rethrow() {
  if (error_) std::rethrow_exception(error_);
}

void ImageWriter::finish() {
  if (!threaded_) return;
  submitSlot();
  std::unique_lock<std::mutex> lk(m_);
  idle_.wait(lk, [this] { return jobs_.empty() && !busy_; });
  rethrow();
}

}  // namespace walbctl::scan
