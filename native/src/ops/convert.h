// wlog -> wdiff conversion (WalB's wlog-to-wdiff). See design.md beside this file.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "format/compression.h"
#include "format/layout.h"
#include "ops/wlog_stream.h"

namespace walb::ops {

struct ConvertOptions {
  bool indexed = false;
  fmt::Compression compression = fmt::Compression::Lz4;
  uint32_t maxIoBlocks = fmt::kDefaultMaxIoBlocks;
  bool sync = true;
};

struct DiffStats {
  uint64_t normalRecords = 0, allZeroRecords = 0, discardRecords = 0;
  uint64_t normalBlocks = 0, allZeroBlocks = 0, discardBlocks = 0;
  uint64_t dataBytes = 0;  // compressed data bytes
  uint64_t fileBytes = 0;
};

struct ConvertResult {
  DiffStats stats;
  uint64_t wlogBytes = 0;  // bytes of logpacks read
  uint64_t beginLsid = 0, endLsid = 0;
  uint64_t logIos = 0;
  uint64_t indexExtents = 0;  // peak size of the extent index
  WlogTail lastWlog;          // how the last wlog ended
};

// Converts `inputs` (consecutive wlogs of one device) into one wdiff at `output` (written in place:
// the caller renames a temporary file). The uuid of the wdiff is the wlogs'.
ConvertResult convertWlogs(const std::vector<std::string>& inputs, const std::string& output, const ConvertOptions& opts);

bool isAllZero(const uint8_t* p, size_t n);

}  // namespace walb::ops
