#include <cstring>

#include "format/checksum.h"
#include "format/error.h"
#include "format/wdiff_header.h"
#include "format/wdiff_sorted.h"
#include "format/wdiff_sorted_pack.h"

namespace walb::fmt {

SortedWdiffReader::SortedWdiffReader(ByteSource& src, bool verifyData) : SortedWdiffReader(src) { verifyData_ = verifyData; }

SortedWdiffReader::SortedWdiffReader(ByteSource& src) : src_(src), block_(kPackBlock) {
  header_ = readWdiffHeader(src);
  if (header_.type != kWdiffSorted)
    throw FormatError(src.name(), 6, "wdiff-header-type", "expected a sorted wdiff (type 0), found an indexed one");
}

bool SortedWdiffReader::loadPack() {
  const std::string& name = src_.name();
  uint64_t at = offset_;
  size_t got = src_.readAt(at, block_.data(), kPackBlock);
  if (got == 0) {
    done_ = true;
    return false;
  }
  if (got < kPackBlock)
    throw FormatError(name, at, "pack-truncated", "file ends inside a pack header block");
  PackHeader h = checkSortedPack(name, at, block_.data(), src_.size(), nextAddr_);
  if (h.flags & kPackFlagEnd) {
    sawEnd_ = true;
    done_ = true;
    offset_ = at + kPackBlock;
    return false;
  }
  uint64_t dataAt = at + kPackBlock;
  if (packOffset_ >= 32 && packs_ > 0) src_.release(packOffset_, size_t(at - packOffset_));  // the previous pack
  view_ = verifyData_ ? src_.view(dataAt, h.total_size) : nullptr;  // a mapped source: read the data in place
  if (!view_ && verifyData_) {
    data_.grow(h.total_size);  // grows only, populated (no page fault per 4 KiB)
    if (src_.readAt(dataAt, data_.data(), h.total_size) != h.total_size)
      throw FormatError(name, dataAt, "pack-data-truncated", "short read of pack data");
    view_ = data_.data();
  }
  // The records' data, checked before any record is handed out (the rest is checked above).
  if (verifyData_) {
    for (uint16_t i = 0; i < h.n_records; i++) {
      SortedRecord r;
      std::memcpy(&r, block_.data() + kPackRecordsOffset + sizeof(SortedRecord) * i, sizeof(r));
      if (!(r.flags & (kRecAllZero | kRecDiscard)) && checksum(view_ + r.data_offset, r.data_size, 0) != r.checksum)
        throw FormatError(name, dataAt + r.data_offset, "record-data-checksum", "record data checksum mismatch");
    }
  }
  packOffset_ = at;
  offset_ = dataAt + h.total_size;
  n_ = h.n_records;
  i_ = 0;
  packs_++;
  return true;
}

bool SortedWdiffReader::next(SortedEntry& e) {
  while (i_ >= n_) {
    if (done_ || !loadPack()) return false;
  }
  std::memcpy(&e.rec, block_.data() + kPackRecordsOffset + sizeof(SortedRecord) * i_, sizeof(SortedRecord));
  e.recordOffset = packOffset_ + kPackRecordsOffset + sizeof(SortedRecord) * i_;
  e.dataOffset = packOffset_ + kPackBlock + e.rec.data_offset;
  i_++;
  return true;
}

const uint8_t* SortedWdiffReader::rawData(const SortedEntry& e) const { return view_ + e.rec.data_offset; }

void SortedWdiffReader::readData(const SortedEntry& e, uint8_t* out) const {
  size_t size = size_t(e.rec.io_blocks) * kLogicalBlock;
  if (size > kMaxRecordBytes)
    throw FormatError(src_.name(), e.recordOffset + 8, "record-too-large", "record too large to read as one buffer");
  if (e.rec.flags & (kRecAllZero | kRecDiscard)) {
    std::memset(out, 0, size);
    return;
  }
  if (!decompress(Compression(e.rec.compression), rawData(e), e.rec.data_size, out, size))
    throw FormatError(src_.name(), e.dataOffset, "record-decompress",
                      std::string("record data does not decompress (") + compressionName(Compression(e.rec.compression)) +
                          ") to " + std::to_string(size) + " bytes");
}

void SortedWdiffReader::readData(const SortedEntry& e, std::vector<uint8_t>& out) const {
  out.resize(size_t(e.rec.io_blocks) * kLogicalBlock);
  readData(e, out.data());
}

}  // namespace walb::fmt
