// Several wlog files of one device read as one log: each next file must carry the same uuid, pbs
// and salt, and begin at the lsid where the previous one ended (rule "wlog-sequence").
// forEachIo() calls back once per logged IO in log order, with the IO's data in memory.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "format/io.h"
#include "format/wlog.h"

namespace walb::ops {

enum class IoKind { Write, Discard };

struct LoggedIo {
  IoKind kind;
  uint64_t address;     // LB
  uint32_t blocks;      // LB
  const uint8_t* data;  // blocks*512 bytes for a write; nullptr for a discard
  size_t file;          // index into the input list
  uint64_t dataOffset;  // file offset of the data (writes)
  uint64_t recordOffset;  // file offset of its record in the logpack header
};

struct WlogStreamSummary {
  uint32_t pbs = 0;
  uint8_t uuid[16] = {};
  uint64_t beginLsid = 0, endLsid = 0;
  uint64_t packs = 0, writes = 0, discards = 0, paddings = 0;
  uint64_t writeBlocks = 0, discardBlocks = 0;
  uint64_t bytesRead = 0;
  std::vector<fmt::WlogEnd> ends;  // per file
  std::vector<uint64_t> endOffsets;
  std::vector<uint64_t> filePacks;       // logpacks read, per file
  std::vector<std::string> endDetails;   // per file
};

// How a wlog ended, as verifyFile() reports it: the commands print a torn tail from it without
// reading the log again. `known` is false when the last input was not a wlog.
struct WlogTail {
  bool known = false;
  bool complete = true;  // the END block or end_lsid was reached
  std::string end;       // wlogEndName()
  uint64_t endOffset = 0;
  uint64_t packs = 0;
  std::string detail;
};

// The tail of the last file `s` read.
WlogTail lastTail(const WlogStreamSummary& s);

// Reads `paths` in order. `fn` may be empty (a verify pass).
// With `mapped`, files are read through MappedFileSource (a mapping where WALBCTL_MMAP=1, else pread).
WlogStreamSummary forEachIo(const std::vector<std::string>& paths, const std::function<void(const LoggedIo&)>& fn,
                            bool mapped = false);

}  // namespace walb::ops
