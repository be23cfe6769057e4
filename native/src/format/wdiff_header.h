// The 32-byte wdiff file header shared by sorted and indexed wdiffs.
#pragma once
#include <cstdint>
#include <string>

#include "format/io.h"
#include "format/layout.h"

namespace walb::fmt {

// A sealed header (checksum set) of `type` with `uuid` (16 bytes, or nullptr for zeros).
WdiffFileHeader makeWdiffHeader(uint8_t type, const uint8_t* uuid);

// Reads and checks the header at offset 0. Rules: wdiff-header-short, wdiff-header-checksum,
// wdiff-header-version, wdiff-header-type. Throws FormatError.
WdiffFileHeader readWdiffHeader(ByteSource& src);

// The same checks of a header already in memory (a stream's first 32 bytes), named `name`.
void checkWdiffHeader(const std::string& name, const WdiffFileHeader& h);

// The type byte of a file that starts with a valid wdiff header, or -1 when it does not.
int peekWdiffType(ByteSource& src);

}  // namespace walb::fmt
