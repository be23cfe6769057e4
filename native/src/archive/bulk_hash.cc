#include "archive/bulk_hash.h"

#include <algorithm>

#include "scan/volume_reader.h"

namespace walbctl::archive {

BulkHasher::BulkHasher(uint64_t sizeBytes, uint64_t bulkSize, const uint8_t* expect)
    : size_(sizeBytes), bulk_(bulkSize), expect_(expect), state_(XXH3_createState()), zeros_(1u << 16, 0) {
  hashes_.reserve(size_t((sizeBytes + bulkSize - 1) / bulkSize) * 8);
  XXH3_64bits_reset(state_);
}

BulkHasher::~BulkHasher() { XXH3_freeState(state_); }

void BulkHasher::feed(const uint8_t* data, uint64_t len) {
  while (len > 0 && pos_ < size_) {
    uint64_t take = std::min({len, bulk_ - pos_ % bulk_, size_ - pos_});
    if (!data && take == bulk_) {
      // A whole bulk of hole (most of a sparse base): its hash is always the same.
      if (!haveZeroHash_) {
        for (uint64_t left = bulk_; left > 0;) {
          size_t n = size_t(std::min<uint64_t>(left, zeros_.size()));
          XXH3_64bits_update(state_, zeros_.data(), n);
          left -= n;
        }
        zeroHash_ = XXH3_64bits_digest(state_);
        XXH3_64bits_reset(state_);
        haveZeroHash_ = true;
      }
      pos_ += take;
      len -= take;
      finishBulk(zeroHash_);
      continue;
    }
    if (data) {
      XXH3_64bits_update(state_, data, size_t(take));
      data += take;
    } else {
      for (uint64_t left = take; left > 0;) {
        size_t n = size_t(std::min<uint64_t>(left, zeros_.size()));
        XXH3_64bits_update(state_, zeros_.data(), n);
        left -= n;
      }
    }
    pos_ += take;
    len -= take;
    if (pos_ % bulk_ == 0 || pos_ == size_) {
      finishBulk(XXH3_64bits_digest(state_));
      XXH3_64bits_reset(state_);
    }
  }
}

void BulkHasher::finishBulk(uint64_t h) {
  uint64_t index = hashes_.size() / 8;
  for (int i = 0; i < 8; i++) hashes_.push_back(uint8_t(h >> (8 * i)));
  if (expect_) {
    uint64_t want = 0;
    for (int i = 0; i < 8; i++) want |= uint64_t(expect_[index * 8 + i]) << (8 * i);
    if (want != h) bad_.push_back(index);
  }
}

void hashWholeImage(const std::string& path, BulkHasher& hasher, uint64_t sizeBytes, walbctl::scan::ProgressSink& progress) {
  walbctl::scan::VolumeReader reader(path, sizeBytes, 8u << 20, 1u << 16);
  walbctl::scan::Chunk c;
  while (reader.next(c)) {
    hasher.feed(c.data, c.length);
    progress.report(c.offset + c.length, sizeBytes);
  }
  progress.report(sizeBytes, sizeBytes, true);
}

}  // namespace walbctl::archive
