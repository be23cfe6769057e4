// Which of WalB's formats a file holds, from its header alone.
#pragma once
#include <string>

#include "format/io.h"

namespace walb::ops {

enum class FileKind { Wlog, SortedWdiff, IndexedWdiff };
const char* fileKindName(FileKind k);

// Throws FormatError (rule "unknown-format", offset 0) when the header is neither a valid wdiff
// header nor a wlog header (sector_type 4). A wlog header with a bad checksum counts as a wlog (so
// the wlog reader reports the exact rule).
FileKind detectKind(fmt::ByteSource& src);

}  // namespace walb::ops
