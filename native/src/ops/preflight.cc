#include "ops/preflight.h"

#include <cstring>
#include <vector>

#include "format/checksum.h"
#include "format/error.h"
#include "format/layout.h"
#include "format/wdiff_header.h"
#include "format/wdiff_indexed.h"
#include "format/wlog.h"

namespace walb::ops {

using namespace walb::fmt;

namespace {

void reach(Reach& r, uint64_t addr, uint64_t blocks, uint64_t at) {
  uint64_t end = addr + blocks;
  if (end < addr) end = ~uint64_t(0);  // a wrapping range: certainly too far
  if (end > r.endBlock) {
    r.endBlock = end;
    r.recordOffset = at;
  }
}

Reach sortedReach(ByteSource& src) {
  Reach r;
  readWdiffHeader(src);
  std::vector<uint8_t> block(kPackBlock);
  uint64_t at = sizeof(WdiffFileHeader);
  while (src.readAt(at, block.data(), kPackBlock) == kPackBlock) {
    if (!blockIsValid(block.data(), kPackBlock, 0)) throw FormatError(src.name(), at, "pack-checksum", "pack header checksum mismatch");
    PackHeader h;
    std::memcpy(&h, block.data(), sizeof(h));
    if (h.flags & kPackFlagEnd) break;
    if (h.n_records > kMaxPackRecords)
      throw FormatError(src.name(), at + 4, "pack-n-records", "pack holds " + std::to_string(h.n_records) + " records, at most 127");
    for (uint16_t i = 0; i < h.n_records; i++) {
      SortedRecord rec;
      std::memcpy(&rec, block.data() + kPackRecordsOffset + sizeof(SortedRecord) * i, sizeof(rec));
      reach(r, rec.io_address, rec.io_blocks, at + kPackRecordsOffset + sizeof(SortedRecord) * i);
    }
    at += kPackBlock + h.total_size;
  }
  return r;
}

Reach wlogReach(ByteSource& src) {
  Reach r;
  WlogReader reader(src);  // checks the header
  const uint32_t pbs = reader.pbs();
  const uint64_t endLsid = reader.header().end_lsid;
  std::vector<uint8_t> block(pbs);
  uint64_t at = kWlogHeaderSize;
  uint64_t lsid = reader.header().begin_lsid;
  while ((endLsid == kEndLsid || lsid < endLsid) && src.readAt(at, block.data(), pbs) == pbs) {
    LogpackHeader h;
    std::memcpy(&h, block.data(), sizeof(h));
    // Stop where the reader would stop; the apply itself classifies what follows.
    if (h.sector_type != kSectorTypeLogpack || h.n_records == 0 || h.n_records > maxLogRecords(pbs) ||
        h.logpack_lsid != lsid || !blockIsValid(block.data(), pbs, reader.salt()))
      break;
    for (uint16_t i = 0; i < h.n_records; i++) {
      LogRecord rec;
      std::memcpy(&rec, block.data() + kLogpackRecordsOffset + sizeof(LogRecord) * i, sizeof(rec));
      if (!(rec.flags & kLogRecordPadding)) reach(r, rec.offset, rec.io_size, at + kLogpackRecordsOffset + sizeof(LogRecord) * i);
    }
    lsid = h.logpack_lsid + 1 + h.total_io_size;
    at += uint64_t(pbs) * (1 + h.total_io_size);
  }
  return r;
}

}  // namespace

Reach inputReach(ByteSource& src, FileKind kind) {
  switch (kind) {
    case FileKind::SortedWdiff:
      return sortedReach(src);
    case FileKind::IndexedWdiff: {
      IndexedWdiffReader reader(src);  // loads and checks the whole index
      Reach r;
      for (size_t i = 0; i < reader.records().size(); i++) {
        const auto& rec = reader.records()[i];
        reach(r, rec.io_address, rec.io_blocks, reader.recordOffset(i));
      }
      return r;
    }
    case FileKind::Wlog:
      return wlogReach(src);
  }
  return {};
}

}  // namespace walb::ops
