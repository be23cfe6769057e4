// A logpack's header block built on its own: each IO's data stays in its writer's buffer (its
// checksum computed there, in parallel), and the pack goes to the ldev as one vectored write of the
// header block followed by the IOs' data. The bytes are those of the formats layer's
// LogpackBuilder (format/wlog.h), which the tests' log readers check.
#pragma once
#include <cstdint>
#include <vector>

namespace wdev {

struct PackRecord {
  uint64_t offLb = 0;
  uint32_t lbs = 0;
  uint32_t checksum = 0;  // of lbs × 512 data bytes with the log salt; unused for a discard
  bool discard = false;
};

// Fills `block` (pbs bytes) with the sealed header of the pack at `lsid` holding `records`, in order.
// Returns the pack's size in physical blocks (1 + its data blocks).
uint64_t BuildPackHeader(uint8_t* block, uint32_t pbs, uint32_t salt, uint64_t lsid, const std::vector<PackRecord>& records);

}  // namespace wdev
