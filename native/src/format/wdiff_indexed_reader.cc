#include <cstring>

#include "format/checksum.h"
#include "format/error.h"
#include "format/wdiff_header.h"
#include "format/wdiff_indexed.h"
#include "format/wdiff_record.h"
#include "format/wdiff_sorted.h"

namespace walb::fmt {

IndexedWdiffReader::IndexedWdiffReader(ByteSource& src) : src_(src) {
  const std::string& name = src.name();
  header_ = readWdiffHeader(src);
  if (header_.type != kWdiffIndexed)
    throw FormatError(name, 6, "wdiff-header-type", "expected an indexed wdiff (type 1), found a sorted one");
  uint64_t size = src.size();
  if (size < sizeof(WdiffFileHeader) + sizeof(IndexSuper))
    throw FormatError(name, size, "index-super-truncated", "file too short for the index super");
  uint64_t so = size - sizeof(IndexSuper);
  src.readAt(so, &super_, sizeof(super_));
  if (!blockIsValid(&super_, sizeof(super_), 0))
    throw FormatError(name, so, "index-super-checksum", "index super checksum mismatch");
  if (super_.index_offset < sizeof(WdiffFileHeader) || super_.index_offset % 8 != 0 ||
      super_.index_offset + uint64_t(super_.n_records) * sizeof(IndexedRecord) != so)
    throw FormatError(name, so, "index-super-range", "index offset/count do not match the file size");
  records_.resize(super_.n_records);
  if (super_.n_records)
    src.readAt(super_.index_offset, records_.data(), records_.size() * sizeof(IndexedRecord));
  uint64_t nextAddr = 0;
  for (size_t i = 0; i < records_.size(); i++) {
    const IndexedRecord& r = records_[i];
    uint64_t ro = recordOffset(i);
    if (!blockIsValid(&r, sizeof(r), 0))
      throw FormatError(name, ro, "index-record-checksum", "index record checksum mismatch");
    checkRecordKind(name, ro, r.io_blocks, r.flags, r.compression);
    if (!(r.flags & (kRecAllZero | kRecDiscard))) {
      if (uint64_t(r.orig_blocks) * kLogicalBlock > kMaxRecordBytes)
        throw FormatError(name, ro + 32, "record-too-large", "image of " + std::to_string(r.orig_blocks) + " blocks");
      if (uint64_t(r.io_offset) + r.io_blocks > r.orig_blocks)
        throw FormatError(name, ro + 28, "index-record-io-range", "record blocks lie outside its image");
      if (r.data_offset < sizeof(WdiffFileHeader) || r.data_offset + r.data_size > super_.index_offset)
        throw FormatError(name, ro + 16, "record-data-range", "image lies outside the data area");
      if (r.compression == 0 && uint64_t(r.data_size) != uint64_t(r.orig_blocks) * kLogicalBlock)
        throw FormatError(name, ro + 24, "record-data-size", "uncompressed image size does not match orig_blocks");
    }
    if (r.io_address < nextAddr || r.io_address + r.io_blocks < r.io_address)
      throw FormatError(name, ro, "record-order", "record at LB " + std::to_string(r.io_address) +
                                                      " overlaps or precedes the previous record");
    nextAddr = r.io_address + r.io_blocks;
  }
}

void IndexedWdiffReader::readData(size_t i, uint8_t* out) {
  const IndexedRecord& r = records_.at(i);
  size_t size = size_t(r.io_blocks) * kLogicalBlock;
  if (r.flags & (kRecAllZero | kRecDiscard)) {
    if (size > kMaxRecordBytes)
      throw FormatError(src_.name(), recordOffset(i) + 8, "record-too-large", "record too large to read as one buffer");
    std::memset(out, 0, size);
    return;
  }
  ImageKey key{r.data_offset, r.data_size, r.orig_blocks, r.io_checksum, r.compression};
  if (!cached_ || !(cachedKey_ == key)) {
    cached_ = false;
    if (raw_.size() < r.data_size) raw_.resize(r.data_size);  // buffers grow only
    if (src_.readAt(r.data_offset, raw_.data(), r.data_size) != r.data_size)
      throw FormatError(src_.name(), r.data_offset, "record-data-range", "short read of an image");
    if (checksum(raw_.data(), r.data_size, 0) != r.io_checksum)
      throw FormatError(src_.name(), r.data_offset, "record-data-checksum", "image checksum mismatch");
    size_t imageBytes = size_t(r.orig_blocks) * kLogicalBlock;
    if (image_.size() < imageBytes) image_.resize(imageBytes);
    if (!decompress(Compression(r.compression), raw_.data(), r.data_size, image_.data(), imageBytes))
      throw FormatError(src_.name(), r.data_offset, "record-decompress",
                        std::string("image does not decompress (") + compressionName(Compression(r.compression)) + ")");
    cachedKey_ = key;
    cached_ = true;
  }
  std::memcpy(out, image_.data() + size_t(r.io_offset) * kLogicalBlock, size);
}

void IndexedWdiffReader::readData(size_t i, std::vector<uint8_t>& out) {
  out.resize(size_t(records_.at(i).io_blocks) * kLogicalBlock);
  readData(i, out.data());
}

}  // namespace walb::fmt
