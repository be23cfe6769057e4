#include "format/wdiff_sorted_check.h"

#include <algorithm>
#include <cstring>

#include "format/checksum.h"
#include "format/error.h"
#include "format/wdiff_header.h"
#include "format/wdiff_sorted.h"
#include "format/wdiff_sorted_pack.h"

namespace walb::fmt {

namespace {
constexpr size_t kHeaderBytes = sizeof(WdiffFileHeader);
const uint8_t kZeros[64 << 10] = {};
}  // namespace

SortedWdiffStreamCheck::SortedWdiffStreamCheck(std::string name, uint64_t size) : name_(std::move(name)), size_(size), buf_(kPackBlock) {}

void SortedWdiffStreamCheck::feed(const uint8_t* data, size_t n) {
  while (n > 0) {
    if (!data) {
      // A run of zeros goes through the same path, a slice at a time.
      size_t k = std::min(n, sizeof(kZeros));
      feed(kZeros, k);
      n -= k;
      continue;
    }
    size_t k = 0;
    switch (state_) {
      case State::Header:
      case State::Block: {
        size_t want = state_ == State::Header ? kHeaderBytes : kPackBlock;
        k = std::min(n, want - fill_);
        std::memcpy(buf_.data() + fill_, data, k);
        fill_ += k;
        pos_ += k;
        if (fill_ == want) blockDone();
        break;
      }
      case State::Data:
        k = size_t(std::min<uint64_t>(n, dataSize_ - dataSeen_));
        dataBytes(data, k);
        pos_ += k;
        if (dataSeen_ == dataSize_) enterBlock();
        break;
      case State::End:
        throw FormatError(name_, pos_, "trailing-data", "bytes follow the END pack");
      case State::Skip:
        pos_ += n;
        return;
    }
    data += k;
    n -= k;
  }
}

void SortedWdiffStreamCheck::enterBlock() {
  state_ = State::Block;
  fill_ = 0;
  at_ = pos_;
}

void SortedWdiffStreamCheck::blockDone() {
  if (state_ == State::Header) {
    WdiffFileHeader h;
    std::memcpy(&h, buf_.data(), sizeof(h));
    checkWdiffHeader(name_, h);
    if (h.type != kWdiffSorted) {
      state_ = State::Skip;
      return;
    }
    enterBlock();
    return;
  }
  PackHeader h = checkSortedPack(name_, at_, buf_.data(), size_, nextAddr_);
  if (h.flags & kPackFlagEnd) {
    state_ = State::End;
    result_.complete = true;
    result_.endOffset = pos_;
    if (pos_ < size_) throw FormatError(name_, pos_, "trailing-data", "bytes follow the END pack");
    return;
  }
  result_.packs++;
  result_.records += h.n_records;
  pieces_.clear();
  for (uint16_t i = 0; i < h.n_records; i++) {
    SortedRecord r;
    std::memcpy(&r, buf_.data() + kPackRecordsOffset + sizeof(SortedRecord) * i, sizeof(r));
    if (r.flags & (kRecAllZero | kRecDiscard)) continue;
    Piece p{r.data_offset, uint64_t(r.data_offset) + r.data_size, r.checksum};
    pieces_.push_back(p);
  }
  std::stable_sort(pieces_.begin(), pieces_.end(), [](const Piece& a, const Piece& b) { return a.from < b.from; });
  at_ = pos_;  // the pack's data starts here
  // A record of no stored bytes is checked now (its sum is that of nothing).
  for (auto& p : pieces_)
    if (p.from == p.to) closePiece(p);
  open_ = 0;
  dataSize_ = h.total_size;
  dataSeen_ = 0;
  state_ = State::Data;
  if (dataSize_ == 0) enterBlock();
}

void SortedWdiffStreamCheck::dataBytes(const uint8_t* data, size_t n) {
  const uint64_t lo = dataSeen_, hi = dataSeen_ + n;
  // Pieces are sorted by their start; those wholly before `lo` are closed and skipped for good.
  while (open_ < pieces_.size() && pieces_[open_].done) open_++;
  for (size_t i = open_; i < pieces_.size(); i++) {
    Piece& p = pieces_[i];
    if (p.from >= hi) break;
    if (p.done || p.to <= lo) continue;
    uint64_t a = std::max(p.from, lo), b = std::min(p.to, hi);
    sumInto(p, data + (a - lo), size_t(b - a));
    if (b == p.to) closePiece(p);
  }
  dataSeen_ = hi;
}

void SortedWdiffStreamCheck::sumInto(Piece& r, const uint8_t* p, size_t n) {
  if (r.carried > 0) {
    while (r.carried < 4 && n > 0) {
      r.carry[r.carried++] = *p++;
      n--;
    }
    if (r.carried < 4) return;
    r.sum = checksumPartial(r.carry, 4, r.sum);
    r.carried = 0;
  }
  size_t whole = n & ~size_t(3);
  r.sum = checksumPartial(p, whole, r.sum);
  for (size_t k = whole; k < n; k++) r.carry[r.carried++] = p[k];
}

void SortedWdiffStreamCheck::closePiece(Piece& r) {
  uint32_t sum = r.carried > 0 ? checksumPartial(r.carry, r.carried, r.sum) : r.sum;
  r.done = true;
  if (checksumFinish(sum) != r.want)
    throw FormatError(name_, at_ + r.from, "record-data-checksum", "record data checksum mismatch");
}

SortedWdiffStreamCheck::Result SortedWdiffStreamCheck::finish() const {
  if (pos_ != size_)
    throw FormatError(name_, pos_, "stream-short", "the check saw " + std::to_string(pos_) + " of the file's " + std::to_string(size_) + " bytes");
  switch (state_) {
    case State::Header:
      throw FormatError(name_, 0, "wdiff-header-short", "file is shorter than the 32-byte wdiff header");
    case State::Block:
      if (fill_ > 0) throw FormatError(name_, at_, "pack-truncated", "file ends inside a pack header block");
      break;
    case State::Data:  // checkSortedPack made sure the file holds the pack's data
    case State::End:
    case State::Skip:
      break;
  }
  Result r = result_;
  if (!r.complete) r.endOffset = pos_;
  return r;
}

}  // namespace walb::fmt
