// The checks of one sorted wdiff pack block that need no record data, shared by the reader
// (wdiff_sorted_reader.cc, which reads the file) and the stream check (wdiff_sorted_check.cc, which
// sees the file go by once, as the wire receives it): one set of rules, one set of rule names.
#pragma once
#include <cstdint>
#include <string>

#include "format/layout.h"

namespace walb::fmt {

// Checks the 4096-byte pack block `block` found at file offset `at` of the file `name`, which is
// `fileSize` bytes long: the block's checksum; for a pack that is not END, the record count, the
// pack's data size and that the file holds it, and every record's blocks, flags, compression id,
// data size and data range, and the address order (`nextAddr`: where the previous record ended;
// advanced past this pack's records). Returns the header; an END pack's is returned unchecked past
// its checksum. Rules: pack-checksum, pack-n-records, pack-empty, pack-too-large,
// pack-data-truncated, record-zero-blocks, record-flags, record-compression, record-data-size,
// record-too-large, record-data-range, record-order. Throws FormatError.
PackHeader checkSortedPack(const std::string& name, uint64_t at, const uint8_t* block, uint64_t fileSize, uint64_t& nextAddr);

}  // namespace walb::fmt
