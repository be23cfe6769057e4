#include "scan/image_writer.h"

#include <fcntl.h>

#include <cerrno>

#include "format/error.h"
#include "format/io.h"
#include "scan/volume_reader.h"

namespace walbctl::scan {

ImageWriter::ImageWriter(int srcFd, int fd, const std::string& path, uint64_t paceStep, bool kernelCopy)
    : src_(srcFd), fd_(fd), path_(path), paceStep_(paceStep), probed_(!kernelCopy) {}

ImageWriter::~ImageWriter() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> g(m_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ImageWriter::write(uint64_t offset, const uint8_t* data, size_t n) {
  if (n == 0) return;
  if (!probed_) {
    // The first run, on this thread: tells whether the kernel can copy between these files.
    probed_ = true;
    threaded_ = copyRange(src_, fd_, path_, offset, n);
    if (!threaded_) walb::fmt::pwriteFull(fd_, path_, offset, data, n);
    else thread_ = std::thread([this] { loop(); });
    return;
  }
  if (!threaded_) {
    walb::fmt::pwriteFull(fd_, path_, offset, data, n);
    return;
  }
  {
    std::lock_guard<std::mutex> g(m_);
    if (error_) std::rethrow_exception(error_);
    jobs_.push_back({offset, n});
  }
  cv_.notify_one();
}

void ImageWriter::reached(uint64_t offset) {
  if (paceStep_ == 0 || offset < started_ + paceStep_) return;
  started_ = offset;
  if (!threaded_) {
    run({offset, 0});
    return;
  }
  {
    std::lock_guard<std::mutex> g(m_);
    jobs_.push_back({offset, 0});
  }
  cv_.notify_one();
}

// On the writer thread (or the caller's when not threaded): only one thread ever runs jobs.
void ImageWriter::run(const Job& j) {
  if (j.n > 0) {
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
    if (stop_) return;  // only when the scan failed: finish() drains the queue first
    Job j = jobs_.front();
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
    if (jobs_.empty()) idle_.notify_all();
  }
}

void ImageWriter::rethrow() {
  if (error_) std::rethrow_exception(error_);
}

void ImageWriter::finish() {
  if (!threaded_) return;
  std::unique_lock<std::mutex> lk(m_);
  idle_.wait(lk, [this] { return jobs_.empty() && !busy_; });
  rethrow();
}

}  // namespace walbctl::scan
