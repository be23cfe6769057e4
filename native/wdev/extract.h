// Extraction: copies the logpacks in [from, to) out of the ring into a wlog file (WalB's format,
// ../../../shared/spec/walb-formats.md, "wlog file"), checking every pack on the way.
#pragma once
#include <cstdint>
#include <string>

#include "ldev.h"

namespace wdev {

struct ExtractResult {
  uint64_t packs = 0, ios = 0, discards = 0, bytes = 0;  // bytes of the wlog file
};

// `to` must be a pack boundary at or below the permanent lsid; a bad pack throws
// WdevError("corrupt-logpack") with its ldev byte offset. Writes `out` (the caller renames it).
ExtractResult ExtractWlog(const Ldev& ldev, const Super& s, uint64_t from, uint64_t to, const std::string& out);

}  // namespace wdev
