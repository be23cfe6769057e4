// The checks every wdiff record shares, sorted or indexed: its block count, its flags and its
// compression id. `at` is the file offset of the 32- or 48-byte record; the fields sit at the same
// offsets in both (blocks at +8, flags at +12, compression at +13). Rules: record-zero-blocks,
// record-flags, record-compression. Throws FormatError.
#pragma once
#include <cstdint>
#include <string>

namespace walb::fmt {

void checkRecordKind(const std::string& name, uint64_t at, uint32_t ioBlocks, uint8_t flags, uint8_t compression);

}  // namespace walb::fmt
