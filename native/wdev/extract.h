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
  uint64_t ringBlocks = 0;                                 // the ring's size in physical blocks
};

// `to` must be a pack boundary at or below the permanent lsid; a bad pack throws
// WdevError("corrupt-logpack") with its ldev byte offset. Writes `out` (the caller renames it).
// `maxBytes` > 0 bounds the packs copied: extraction stops before the pack that would take them
// past it (one pack is always taken), and the file's end_lsid says where it stopped (a batch of
// WalB's bounded log transfer).
//
// `frameOnly`: only the packs' headers are read and checked (their data stays in the ring, checked by
// the proxy's conversion), and `out` gets the wlog's frame only: its header block (kWlogHeaderSize
// bytes) then its end block (pbs bytes). `bytes` is still the whole wlog's size: the sender reads the
// packs from the ring between the two (ldev byte kRingOffset + (lsid % ringBlocks) × pbs).
// `directReads`: the frame-only walk reads the ring with O_DIRECT, in windows (a wdev whose log
// writes go through the page cache passes false).
ExtractResult ExtractWlog(const Ldev& ldev, const Super& s, uint64_t from, uint64_t to, const std::string& out, uint64_t maxBytes = 0,
                          bool frameOnly = false, bool directReads = true);

// The ring block at `lsid` into `out` (pbs bytes), read as the frame-only walk reads it: with O_DIRECT
// when `direct` (set-oldest's check of a pack header leaves no ldev page cached for the next direct
// log write there to invalidate), else or where the file system refuses it through the buffered fd.
void ReadRingBlock(const Ldev& ldev, const Super& s, uint64_t lsid, uint8_t* out, bool direct);

// The one JSON line `extract` answers with, from the command line and on the control socket alike:
// {"packs","ios","discards","bytes","from","to","ringBlocks","pbs"}.
std::string ExtractJson(const ExtractResult& r, uint64_t from, uint32_t pbs);

}  // namespace wdev
