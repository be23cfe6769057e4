#include "format/wdiff_sorted_pack.h"

#include <cstring>

#include "format/checksum.h"
#include "format/error.h"
#include "format/wdiff_record.h"
#include "format/wdiff_sorted.h"

namespace walb::fmt {

PackHeader checkSortedPack(const std::string& name, uint64_t at, const uint8_t* block, uint64_t fileSize, uint64_t& nextAddr) {
  if (!blockIsValid(block, kPackBlock, 0))
    throw FormatError(name, at, "pack-checksum", "pack header checksum mismatch");
  PackHeader h;
  std::memcpy(&h, block, sizeof(h));
  if (h.flags & kPackFlagEnd) return h;
  if (h.n_records > kMaxPackRecords)
    throw FormatError(name, at + 4, "pack-n-records", "pack holds " + std::to_string(h.n_records) + " records, at most 127");
  if (h.n_records == 0)
    throw FormatError(name, at + 4, "pack-empty", "a pack that is not END holds no records");
  if (h.n_records > 1 && h.total_size > kMaxPackData)
    throw FormatError(name, at + 8, "pack-too-large", "pack data of " + std::to_string(h.total_size) + " bytes exceeds 32 MiB");
  if (h.total_size > kMaxRecordBytes + kMaxPackData)
    throw FormatError(name, at + 8, "pack-too-large", "pack data of " + std::to_string(h.total_size) + " bytes");
  uint64_t dataAt = at + kPackBlock;
  if (fileSize < dataAt + h.total_size)
    throw FormatError(name, fileSize, "pack-data-truncated", "file ends inside the data of the pack at byte " + std::to_string(at));
  for (uint16_t i = 0; i < h.n_records; i++) {
    SortedRecord r;
    uint64_t ro = at + kPackRecordsOffset + sizeof(SortedRecord) * i;
    std::memcpy(&r, block + kPackRecordsOffset + sizeof(SortedRecord) * i, sizeof(r));
    checkRecordKind(name, ro, r.io_blocks, r.flags, r.compression);
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
    }
    if (r.io_address < nextAddr || r.io_address + r.io_blocks < r.io_address)
      throw FormatError(name, ro, "record-order", "record at LB " + std::to_string(r.io_address) + " overlaps or precedes the previous record");
    nextAddr = r.io_address + r.io_blocks;
  }
  return h;
}

}  // namespace walb::fmt
