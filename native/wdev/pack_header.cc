#include "pack_header.h"

#include <cstring>

#include "format/checksum.h"
#include "format/layout.h"
#include "layout.h"

namespace wdev {

uint64_t BuildPackHeader(uint8_t* block, uint32_t pbs, uint32_t salt, uint64_t lsid, const std::vector<PackRecord>& records) {
  namespace fmt = walb::fmt;
  std::memset(block, 0, pbs);
  uint64_t dataBlocks = 0;
  uint16_t n = 0;
  for (const PackRecord& p : records) {
    fmt::LogRecord r{};
    r.flags = fmt::kLogRecordExist | (p.discard ? fmt::kLogRecordDiscard : 0);
    r.checksum = p.discard ? 0 : p.checksum;
    r.offset = p.offLb;
    r.io_size = p.lbs;
    r.lsid_local = static_cast<uint16_t>(1 + dataBlocks);
    r.lsid = lsid + r.lsid_local;
    std::memcpy(block + fmt::kLogpackRecordsOffset + sizeof r * n, &r, sizeof r);
    if (!p.discard) dataBlocks += BlocksFor(p.lbs, pbs);
    n++;
  }
  fmt::LogpackHeader h{};
  h.sector_type = fmt::kSectorTypeLogpack;
  h.total_io_size = static_cast<uint16_t>(dataBlocks);
  h.logpack_lsid = lsid;
  h.n_records = n;
  std::memcpy(block, &h, sizeof h);
  fmt::sealBlock(block, pbs, 0, salt);
  return 1 + dataBlocks;
}

}  // namespace wdev
