// Merge of consecutive wdiffs (sorted or indexed) into one sorted wdiff; the later input wins.
// Streaming, a k-way merge: the inputs' records are read side by side in address order into an
// ExtentMap (newest input wins whatever the order of the inserts), and each extent is written, its
// data read back from its input and checksummed, as soon as no record still to come can overlap it.
// Memory is the extents that straddle the inputs' positions plus a window per input (see design.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "format/compression.h"
#include "ops/convert.h"

namespace walb::ops {

struct MergeOptions {
  fmt::Compression compression = fmt::Compression::Lz4;
  bool sync = true;
  // The output's uuid: these 16 bytes when set, else the inputs' uuid when they all share one, else zeros.
  bool hasUuid = false;
  uint8_t uuid[16] = {};
};

struct MergeResult {
  DiffStats stats;
  uint64_t inputRecords = 0;
  uint64_t indexExtents = 0;
  uint64_t copiedRecords = 0;     // copied without recompressing
  uint64_t reencodedRecords = 0;  // cut or recompressed
};

MergeResult mergeWdiffs(const std::vector<std::string>& inputs, const std::string& output, const MergeOptions& opts);

}  // namespace walb::ops
