#include "ops/detect.h"

#include "format/checksum.h"
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
  uint8_t b[32] = {};
  size_t got = src.readAt(0, b, sizeof(b));
  // A sealed 32-byte header is a wdiff header: the wdiff reader names any bad field.
  if (got == sizeof(b) && fmt::blockIsValid(b, sizeof(b), 0)) {
    fmt::WdiffFileHeader h = fmt::readWdiffHeader(src);
    return h.type == fmt::kWdiffSorted ? FileKind::SortedWdiff : FileKind::IndexedWdiff;
  }
  if (got >= 6 && fmt::loadU16(b) == fmt::kSectorTypeWlogHeader && fmt::loadU16(b + 4) == fmt::kWlogHeaderSize)
    return FileKind::Wlog;
  // A damaged wdiff header still says version 2 at byte 4: let the wdiff reader name the rule.
  if (got >= 8 && fmt::loadU16(b + 4) == fmt::kWdiffVersion && (b[6] == 0 || b[6] == 1))
    return b[6] == 0 ? FileKind::SortedWdiff : FileKind::IndexedWdiff;
  throw fmt::FormatError(src.name(), 0, "unknown-format", "neither a wlog nor a wdiff (no valid header)");
}

}  // namespace walb::ops
