// Extraction: copies the logpacks in [from, to) out of the ring into a wlog file (WalB's format,
// ../../../shared/spec/walb-formats.md, "wlog file"), checking every pack on the way.
#pragma once
#include <cstdint>
#include <string>

#include "ldev.h"

namespace wdev {

struct ExtractResult {
  uint64_t packs = 0, ios = 0, discards = 0, bytes = 0;  // bytes of the wlog file
  uint64_t end = 0;                                        // the lsid the file ends at
};

// `to` must be a pack boundary at or below the permanent lsid; a bad pack throws
// WdevError("corrupt-logpack") with its ldev byte offset. Writes `out` (the caller renames it).
// `maxBytes` > 0 bounds the packs copied: extraction stops before the pack that would take them
// past it (one pack is always taken), and the file's end_lsid says where it stopped (a batch of
// WalB's bounded log transfer).
ExtractResult ExtractWlog(const Ldev& ldev, const Super& s, uint64_t from, uint64_t to, const std::string& out, uint64_t maxBytes = 0);

}  // namespace wdev
