// Reading logpacks back from the ring: header checks, then every IO's data checksum. Used by
// start-up recovery (replay onto the ddev) and by extraction (copy into a wlog file).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ldev.h"

namespace wdev {

struct PackRead {
  LogpackHeader header;
  std::vector<uint8_t> bytes;  // header block then data blocks, (1 + totalIoSize) × pbs
  std::string error;           // empty when the pack is valid
  uint64_t errorOffset = 0;    // ldev byte offset the error points at
  uint64_t next() const { return header.lsid + 1 + header.totalIoSize; }
};

// Reads the pack expected at `lsid`; false (with error and errorOffset) when it is not valid.
bool ReadPack(const Ldev& ldev, const Super& s, uint64_t lsid, PackRead* out);

}  // namespace wdev
