// Reads a volume (a regular file or a block device) in aligned chunks. On a file, holes found with
// SEEK_DATA/SEEK_HOLE are reported as hole chunks without reading them, so a sparse volume costs
// only its data. Also: the all-zero test used by full backup, scan and copy.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "format/io.h"

namespace walbctl::scan {

struct Chunk {
  uint64_t offset = 0;
  size_t length = 0;
  // nullptr for a hole (all zero, not read).
  const uint8_t* data = nullptr;
};

class VolumeReader {
 public:
  // `sizeBytes` 0 means the file's (or device's) own size. `chunk` is the largest read; every chunk
  // starts and ends on a multiple of `align` (except at the volume's end), and is either a hole or
  // data: the holes of a sparse file are never read.
  VolumeReader(const std::string& path, uint64_t sizeBytes, size_t chunk, size_t align = 4096);
  ~VolumeReader();
  VolumeReader(const VolumeReader&) = delete;
  VolumeReader& operator=(const VolumeReader&) = delete;
  bool next(Chunk& c);
  uint64_t size() const { return size_; }
  uint64_t bytesRead() const { return bytesRead_; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  // Asks the kernel to read the data (not the holes) of the next few chunks after `from`.
  void prefetch(uint64_t from);

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t off_ = 0;
  size_t chunk_;
  size_t align_;
  bool seekable_ = false;
  uint64_t dataEnd_ = 0;   // [.., dataEnd_) is known to be data
  uint64_t nextData_ = 0;  // [off_, nextData_) is known to be a hole
  uint64_t bytesRead_ = 0;
  uint64_t prefetched_ = 0;  // read-ahead was asked for up to here
  walb::fmt::PageBuffer buf_;  // made in one call (MAP_POPULATE): no zeroing, no fault per page
};

// Size in bytes of a regular file or a block device.
uint64_t deviceSize(int fd, const std::string& path);

bool isAllZero(const uint8_t* p, size_t n);

// Calls `run(start, len)` for each maximal run of [0, n) of `p` whose `grain`-sized pieces are not
// all zero (the last piece may be short), in order: what a sparse copy writes, as `cp --sparse=always`
// does at the file system's block size.
template <class F>
void forEachDataRun(const uint8_t* p, size_t n, size_t grain, F&& run) {
  size_t start = 0, len = 0;
  for (size_t at = 0; at < n; at += grain) {
    const size_t k = n - at < grain ? n - at : grain;
    if (!isAllZero(p + at, k)) {
      if (len == 0) start = at;
      len += k;
    } else if (len > 0) {
      run(start, len);
      len = 0;
    }
  }
  if (len > 0) run(start, len);
}

// Copies [offset, offset+n) of `src` to the same offset of `dst` inside the kernel
// (copy_file_range: from the page cache, no copy through user space). Returns false, having copied
// nothing, when the kernel or the file systems cannot; throws IoError on a real failure (ENOSPC).
bool copyRange(int src, int dst, const std::string& dstPath, uint64_t offset, uint64_t n);

}  // namespace walbctl::scan
