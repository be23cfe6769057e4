// Apply (redo) of wlogs and wdiffs onto a file or block device, in the order given, as WalB's
// wlog-redo -z / wdiff-redo do. Consecutive wlog inputs are read as one log (sequence checked).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ops/target.h"
#include "ops/wlog_stream.h"

namespace walb::ops {

struct ApplyOptions {
  DiscardMode discard = DiscardMode::Zero;
  bool sync = true;
};

struct ApplyResult {
  uint64_t writes = 0, allZeros = 0, discards = 0;
  uint64_t writeBlocks = 0, allZeroBlocks = 0, discardBlocks = 0;
  uint64_t bytesWritten = 0;
  uint64_t inputBytes = 0;
  WlogTail lastWlog;  // how the last input ended, when it is a wlog
};

ApplyResult applyLogs(const std::vector<std::string>& inputs, const std::string& target, const ApplyOptions& opts);

}  // namespace walb::ops
