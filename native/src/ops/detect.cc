#include "ops/detect.h"

#include "format/endian.h"
#include "format/error.h"
#include "format/layout.h"
#include "format/wdiff_header.h"

namespace walb::ops {

const char* fileKindName(FileKind k) {
  switch (k) {
    case FileKind::Wlog: return "wlog";
    case FileKind::SortedWdiff: return "sorted-wdiff";
    case FileKind::IndexedWdiff: return "indexed-wdiff";
  }
  return "unknown";
}

FileKind detectKind(fmt::ByteSource& src) {
  int type = fmt::peekWdiffType(src);
  if (type == fmt::kWdiffSorted) return FileKind::SortedWdiff;
  if (type == fmt::kWdiffIndexed) return FileKind::IndexedWdiff;
  uint8_t b[8] = {};
  size_t got = src.readAt(0, b, sizeof(b));
  if (got >= 6 && fmt::loadU16(b) == fmt::kSectorTypeWlogHeader && fmt::loadU16(b + 4) == fmt::kWlogHeaderSize)
    return FileKind::Wlog;
  if (type >= 0)
    throw fmt::FormatError(src.name(), 6, "wdiff-header-type", "unknown wdiff type " + std::to_string(type));
  // A damaged wdiff header still says version 2 at byte 4: let the wdiff reader name the rule.
  if (got >= 8 && fmt::loadU16(b + 4) == fmt::kWdiffVersion && (b[6] == 0 || b[6] == 1))
    return b[6] == 0 ? FileKind::SortedWdiff : FileKind::IndexedWdiff;
  throw fmt::FormatError(src.name(), 0, "unknown-format", "neither a wlog nor a wdiff (no valid header)");
}

}  // namespace walb::ops
