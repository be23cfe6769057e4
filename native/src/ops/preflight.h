// A cheap pass over an apply's inputs before the target is touched: headers only (wdiff pack blocks
// or index, wlog logpack headers; data is skipped), giving the end of the highest range any record
// writes. Apply refuses a target too small for it before writing a single block.
#pragma once
#include <cstdint>
#include <string>

#include "format/io.h"
#include "ops/detect.h"

namespace walb::ops {

struct Reach {
  uint64_t endBlock = 0;  // one past the highest LB written
  uint64_t recordOffset = 0;  // file offset of the record that reaches it
};

// Throws FormatError on a bad header it meets (the full checks happen when the data is applied).
Reach inputReach(fmt::ByteSource& src, FileKind kind);

}  // namespace walb::ops
