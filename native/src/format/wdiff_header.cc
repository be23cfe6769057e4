#include "format/wdiff_header.h"

#include <cstring>

#include "format/checksum.h"
#include "format/error.h"

namespace walb::fmt {

WdiffFileHeader makeWdiffHeader(uint8_t type, const uint8_t* uuid) {
  WdiffFileHeader h;
  std::memset(&h, 0, sizeof(h));
  h.version = kWdiffVersion;
  h.type = type;
  if (uuid) std::memcpy(h.uuid, uuid, 16);
  sealBlock(&h, sizeof(h), 0, 0);
  return h;
}

WdiffFileHeader readWdiffHeader(ByteSource& src) {
  WdiffFileHeader h;
  if (src.readAt(0, &h, sizeof(h)) != sizeof(h))
    throw FormatError(src.name(), 0, "wdiff-header-short", "file is shorter than the 32-byte wdiff header");
  checkWdiffHeader(src.name(), h);
  return h;
}

void checkWdiffHeader(const std::string& name, const WdiffFileHeader& h) {
  if (!blockIsValid(&h, sizeof(h), 0))
    throw FormatError(name, 0, "wdiff-header-checksum", "wdiff file header checksum mismatch");
  if (h.version != kWdiffVersion)
    throw FormatError(name, 4, "wdiff-header-version", "wdiff version " + std::to_string(h.version) + ", expected 2");
  if (h.type != kWdiffSorted && h.type != kWdiffIndexed)
    throw FormatError(name, 6, "wdiff-header-type", "unknown wdiff type " + std::to_string(h.type));
}

int peekWdiffType(ByteSource& src) {
  WdiffFileHeader h;
  if (src.readAt(0, &h, sizeof(h)) != sizeof(h)) return -1;
  if (!blockIsValid(&h, sizeof(h), 0) || h.version != kWdiffVersion) return -1;
  return h.type;
}

}  // namespace walb::fmt
