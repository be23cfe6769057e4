// XXH3-64 per bulk of an image, for the base's checksum sidecar (native/lib/archive/base-sums.md).
// BulkHasher takes an image's bytes in order, in pieces of any size (nullptr for a hole, hashed as
// zeros), and compares each finished bulk with the expected hash, so a copy checks as it reads.
#pragma once
#include <xxhash.h>

#include <cstdint>
#include <string>
#include <vector>

#include "scan/op_worker.h"

namespace walbctl::archive {

class BulkHasher {
 public:
  // `expect`: 8 bytes little-endian per bulk, or nullptr to only collect the hashes.
  BulkHasher(uint64_t sizeBytes, uint64_t bulkSize, const uint8_t* expect);
  ~BulkHasher();
  BulkHasher(const BulkHasher&) = delete;
  BulkHasher& operator=(const BulkHasher&) = delete;
  // The next `len` bytes of the image (`data` nullptr: zeros).
  void feed(const uint8_t* data, uint64_t len);
  uint64_t position() const { return pos_; }
  // Bulks whose hash differs from `expect`.
  const std::vector<uint64_t>& bad() const { return bad_; }
  // Every bulk's hash, 8 bytes little-endian each.
  const std::vector<uint8_t>& hashes() const { return hashes_; }

 private:
  void finishBulk(uint64_t hash);
  uint64_t size_, bulk_, pos_ = 0;
  const uint8_t* expect_;
  XXH3_state_t* state_;
  std::vector<uint8_t> zeros_, hashes_;
  uint64_t zeroHash_ = 0;  // of a whole bulk of zeros, once needed
  bool haveZeroHash_ = false;
  std::vector<uint64_t> bad_;
};

// Reads the whole image at `path` (its holes are not read) through a BulkHasher.
void hashWholeImage(const std::string& path, BulkHasher& hasher, uint64_t sizeBytes, walbctl::scan::ProgressSink& progress);

}  // namespace walbctl::archive
