// Start-up recovery: replay every valid pack from the super's written lsid onto the ddev, so the
// ddev holds every acknowledged write before the file is served again (design.md, "Recovery").
#pragma once
#include <cstdint>

#include "ldev.h"

namespace wdev {

struct RecoveryResult {
  uint64_t end = 0;        // the lsid where the log ends; new packs start here
  uint64_t packs = 0;      // packs replayed
  uint64_t ios = 0;        // IOs (writes and discards) replayed
};

// Throws WdevError("corrupt-logpack") naming the ldev byte offset when a pack below the super's
// permanent lsid is invalid: that pack was durable, so it is corruption, not a torn tail.
RecoveryResult Recover(Ldev& ldev, Super& s, int ddevFd, const std::string& ddevPath);

}  // namespace wdev
