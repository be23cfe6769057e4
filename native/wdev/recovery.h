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
  bool hostRestarted = false;  // served by an earlier boot and never closed: now overflowed (see Recover)
};

struct RecoverOptions {
  // Repair: a corrupt pack ends the check (unshipped part) or the replay instead of throwing.
  bool tolerateCorruption = false;
};

// First checks every pack not yet shipped ([oldest, written): durable, needed by extraction), then
// replays [written, end of log). Throws WdevError("corrupt-logpack") naming the ldev byte offset when
// a pack below the super's permanent lsid is invalid: it was durable, so it is corruption, not a
// torn tail. `corruptAt` (when tolerated) is set to the first corrupt lsid.
//
// A log that another boot of this host served and never closed (the super's serving boot id is not
// this one's) went down with the host: a write the log had not yet flushed may have reached the ddev
// and not the log, so the archive could never learn of it. The log is still replayed, then the volume
// is marked overflowed, so the next backup is a hash backup that compares every block. (A crash of the
// process alone keeps both in the page cache: the log covers the ddev.) The super is written closed
// (serving boot id zero); `serve` records its own boot id after.
RecoveryResult Recover(Ldev& ldev, Super& s, int ddevFd, const std::string& ddevPath, const RecoverOptions& opts = {},
                       uint64_t* corruptAt = nullptr);

}  // namespace wdev
