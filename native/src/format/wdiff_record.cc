#include "format/wdiff_record.h"

#include "format/compression.h"
#include "format/error.h"
#include "format/layout.h"

namespace walb::fmt {

void checkRecordKind(const std::string& name, uint64_t at, uint32_t ioBlocks, uint8_t flags, uint8_t compression) {
  if (ioBlocks == 0) throw FormatError(name, at + 8, "record-zero-blocks", "record of 0 blocks");
  if ((flags & kRecAllZero) && (flags & kRecDiscard))
    throw FormatError(name, at + 12, "record-flags", "record is both ALLZERO and DISCARD");
  if (flags & ~(kRecExist | kRecAllZero | kRecDiscard))
    throw FormatError(name, at + 12, "record-flags", "unknown record flags " + std::to_string(flags));
  if (!isKnownCompression(compression))
    throw FormatError(name, at + 13, "record-compression", "unknown compression id " + std::to_string(compression));
}

}  // namespace walb::fmt
