#include "scan.h"

#include "format/checksum.h"

namespace wdev {

bool ReadPack(const Ldev& ldev, const Super& s, uint64_t lsid, PackRead* out) {
  const uint32_t pbs = s.physicalBs;
  out->bytes.resize(pbs);
  out->error.clear();
  out->errorOffset = ldev.RingByteOffset(lsid, s.ringBlocks, pbs);
  ldev.RingRead(lsid, out->bytes.data(), 1, s);
  std::string why = DecodeLogpack(out->bytes.data(), pbs, s.salt, lsid, &out->header);
  if (!why.empty()) {
    out->error = why;
    return false;
  }
  const uint64_t total = out->header.totalIoSize;
  if (total + 1 > s.ringBlocks) {
    out->error = "logpack total_io_size at +6 exceeds the ring";
    return false;
  }
  out->bytes.resize((1 + total) * pbs);
  if (total > 0) ldev.RingRead(lsid + 1, out->bytes.data() + pbs, total, s);
  for (size_t i = 0; i < out->header.records.size(); i++) {
    const LogRecord& r = out->header.records[i];
    if (r.flags & (kRecDiscard | kRecPadding)) continue;
    const uint8_t* data = out->bytes.data() + uint64_t{r.lsidLocal} * pbs;
    if (walb::fmt::checksum(data, uint64_t{r.ioSizeLb} * kLogicalBs, s.salt) != r.checksum) {
      out->error = "IO data checksum mismatch for record " + std::to_string(i) + " (lsid " + std::to_string(r.lsid) + ")";
      out->errorOffset = ldev.RingByteOffset(r.lsid, s.ringBlocks, pbs);
      return false;
    }
  }
  return true;
}

}  // namespace wdev
