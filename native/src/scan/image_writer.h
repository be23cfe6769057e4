// Writes a full backup's non-zero runs into the image on a second thread, so the volume is read and
// hashed on one core while the other copies what was read into the image (copy_file_range from the
// source's page cache: the runs were just read) and starts its write-back. Falls back to writing
// from the caller's buffer, on the caller's thread, where the kernel cannot copy between the files.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

namespace walbctl::scan {

class ImageWriter {
 public:
  // `paceStep`: write-back starts every so many bytes (0: never; the caller fsyncs at the end).
  // `kernelCopy` false: always write from the caller's buffer, on the caller's thread.
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
  struct Job {
    uint64_t offset;
    uint64_t n;  // 0: a write-back mark up to `offset`
  };
  void loop();
  void run(const Job& j);
  void rethrow();

  int src_, fd_;
  std::string path_;
  uint64_t paceStep_, started_ = 0, marked_ = 0;
  bool threaded_ = false, probed_ = false, stop_ = false;
  std::mutex m_;
  std::condition_variable cv_, idle_;
  std::deque<Job> jobs_;
  bool busy_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace walbctl::scan
