#include <cstring>

#include "format/checksum.h"
#include "format/error.h"
#include "format/wdiff_header.h"
#include "format/wdiff_sorted.h"

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
  if (!blockIsValid(block_.data(), kPackBlock, 0))
    throw FormatError(name, at, "pack-checksum", "pack header checksum mismatch");
  PackHeader h;
  std::memcpy(&h, block_.data(), sizeof(h));
  if (h.flags & kPackFlagEnd) {
    sawEnd_ = true;
    done_ = true;
    offset_ = at + kPackBlock;
    return false;
  }
  if (h.n_records > kMaxPackRecords)
    throw FormatError(name, at + 4, "pack-n-records", "pack holds " + std::to_string(h.n_records) + " records, at most 127");
  if (h.n_records == 0)
    throw FormatError(name, at + 4, "pack-empty", "a pack that is not END holds no records");
  if (h.n_records > 1 && h.total_size > kMaxPackData)
    throw FormatError(name, at + 8, "pack-too-large", "pack data of " + std::to_string(h.total_size) + " bytes exceeds 32 MiB");
  if (h.total_size > kMaxRecordBytes + kMaxPackData)
    throw FormatError(name, at + 8, "pack-too-large", "pack data of " + std::to_string(h.total_size) + " bytes");
  uint64_t dataAt = at + kPackBlock;
  if (src_.size() < dataAt + h.total_size)
    throw FormatError(name, src_.size(), "pack-data-truncated",
                      "file ends inside the data of the pack at byte " + std::to_string(at));
  if (packOffset_ >= 32 && packs_ > 0) src_.release(packOffset_, size_t(at - packOffset_));  // the previous pack
  view_ = verifyData_ ? src_.view(dataAt, h.total_size) : nullptr;  // a mapped source: read the data in place
  if (!view_ && verifyData_) {
    data_.grow(h.total_size);  // grows only, populated (no page fault per 4 KiB)
    if (src_.readAt(dataAt, data_.data(), h.total_size) != h.total_size)
      throw FormatError(name, dataAt, "pack-data-truncated", "short read of pack data");
    view_ = data_.data();
  }
  // Check every record of the pack before handing any out.
  for (uint16_t i = 0; i < h.n_records; i++) {
    SortedRecord r;
    uint64_t ro = at + kPackRecordsOffset + sizeof(SortedRecord) * i;
    std::memcpy(&r, block_.data() + kPackRecordsOffset + sizeof(SortedRecord) * i, sizeof(r));
    if (r.io_blocks == 0) throw FormatError(name, ro + 8, "record-zero-blocks", "record of 0 blocks");
    if ((r.flags & kRecAllZero) && (r.flags & kRecDiscard))
      throw FormatError(name, ro + 12, "record-flags", "record is both ALLZERO and DISCARD");
    if (r.flags & ~(kRecExist | kRecAllZero | kRecDiscard))
      throw FormatError(name, ro + 12, "record-flags", "unknown record flags " + std::to_string(r.flags));
    if (!isKnownCompression(r.compression))
      throw FormatError(name, ro + 13, "record-compression", "unknown compression id " + std::to_string(r.compression));
    bool noData = r.flags & (kRecAllZero | kRecDiscard);
    if (noData && r.data_size != 0)
      throw FormatError(name, ro + 20, "record-data-size", "ALLZERO/DISCARD record carries data");
    if (!noData) {
      if (uint64_t(r.io_blocks) * kLogicalBlock > kMaxRecordBytes)
        throw FormatError(name, ro + 8, "record-too-large", "record of " + std::to_string(r.io_blocks) + " blocks");
      if (r.compression == 0 && uint64_t(r.data_size) != uint64_t(r.io_blocks) * kLogicalBlock)
        throw FormatError(name, ro + 20, "record-data-size", "uncompressed record data size does not match io_blocks");
      if (uint64_t(r.data_offset) + r.data_size > h.total_size)
        throw FormatError(name, ro + 16, "record-data-range", "record data lies outside its pack");
      if (verifyData_ && checksum(view_ + r.data_offset, r.data_size, 0) != r.checksum)
        throw FormatError(name, dataAt + r.data_offset, "record-data-checksum", "record data checksum mismatch");
    }
    if (r.io_address < nextAddr_ || r.io_address + r.io_blocks < r.io_address)
      throw FormatError(name, ro, "record-order", "record at LB " + std::to_string(r.io_address) +
                                                      " overlaps or precedes the previous record");
    nextAddr_ = r.io_address + r.io_blocks;
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
