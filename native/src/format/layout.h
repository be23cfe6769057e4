// WalB's on-disk layouts (../shared/spec/walb-formats.md), as packed little-endian structs shared by
// every reader and writer. Field comments give the byte offset; tests flip bytes at these offsets.
// The host must be little-endian (checked below), so the structs are read and written with memcpy.
#pragma once
#include <cstddef>
#include <cstdint>

namespace walb::fmt {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "WalB's formats are little-endian");

constexpr uint32_t kLogicalBlock = 512;        // LB, the unit of every io_address / io_blocks
constexpr uint64_t kEndLsid = ~uint64_t(0);    // logpack_lsid of the END block; end_lsid "until END"
using Uuid = uint8_t[16];

// ---- wdiff --------------------------------------------------------------------------------------
constexpr uint16_t kWdiffVersion = 2;
constexpr uint8_t kWdiffSorted = 0;
constexpr uint8_t kWdiffIndexed = 1;
constexpr uint32_t kPackBlock = 4096;               // sorted wdiff pack header block
constexpr uint32_t kMaxPackRecords = 127;           // (4096 - 16) / 32
constexpr uint32_t kMaxPackData = 32u << 20;        // pack data limit unless it holds one record
constexpr uint32_t kWritePackData = 8u << 20;       // what walbctl's writers put in one pack (wdiff_sorted.h)
constexpr uint32_t kDefaultMaxIoBlocks = 2048;      // 1 MiB per record by default
constexpr uint8_t kPackFlagEnd = 0x01;

constexpr uint8_t kRecExist = 0x01;
constexpr uint8_t kRecAllZero = 0x02;
constexpr uint8_t kRecDiscard = 0x04;

struct __attribute__((packed)) WdiffFileHeader {  // 32 bytes
  uint32_t checksum;      // 0: of these 32 bytes, salt 0
  uint16_t version;       // 4: 2
  uint8_t type;           // 6: 0 sorted, 1 indexed
  uint8_t reserved1;      // 7
  uint64_t reserved2;     // 8
  uint8_t uuid[16];       // 16
};
static_assert(sizeof(WdiffFileHeader) == 32);

struct __attribute__((packed)) SortedRecord {  // 32 bytes, in a pack header block at 16 + 32*i
  uint64_t io_address;    // 0: LB
  uint32_t io_blocks;     // 8: LB
  uint8_t flags;          // 12: kRec*
  uint8_t compression;    // 13: Compression id
  uint16_t reserved1;     // 14
  uint32_t data_offset;   // 16: bytes from the end of the pack block
  uint32_t data_size;     // 20: compressed bytes; 0 for ALLZERO/DISCARD
  uint32_t checksum;      // 24: of the compressed data, salt 0; 0 without data
  uint32_t reserved2;     // 28
};
static_assert(sizeof(SortedRecord) == 32);

struct __attribute__((packed)) PackHeader {  // the first 16 bytes of a 4096-byte pack block
  uint32_t checksum;      // 0: of the whole 4096-byte block, salt 0
  uint16_t n_records;     // 4: <= 127
  uint8_t flags;          // 6: kPackFlagEnd
  uint8_t reserved1;      // 7
  uint32_t total_size;    // 8: data bytes after this block
  uint32_t reserved2;     // 12
};
static_assert(sizeof(PackHeader) == 16);
constexpr size_t kPackRecordsOffset = 16;

struct __attribute__((packed)) IndexedRecord {  // 48 bytes
  uint64_t io_address;    // 0: LB
  uint32_t io_blocks;     // 8: LB
  uint8_t flags;          // 12
  uint8_t compression;    // 13
  uint16_t reserved1;     // 14
  uint64_t data_offset;   // 16: of the compressed image, from the start of the file
  uint32_t data_size;     // 24
  uint32_t io_offset;     // 28: LB into the decompressed image
  uint32_t orig_blocks;   // 32: LB, decompressed image size
  uint32_t reserved2;     // 36
  uint32_t io_checksum;   // 40: of the compressed image, salt 0
  uint32_t rec_checksum;  // 44: of these 48 bytes, salt 0
};
static_assert(sizeof(IndexedRecord) == 48);

struct __attribute__((packed)) IndexSuper {  // 24 bytes, the last 24 bytes of an indexed wdiff
  uint64_t index_offset;  // 0
  uint32_t n_records;     // 8
  uint32_t n_data;        // 12
  uint32_t reserved;      // 16
  uint32_t checksum;      // 20: of the 24 bytes, salt 0
};
static_assert(sizeof(IndexSuper) == 24);

// ---- wlog ---------------------------------------------------------------------------------------
constexpr uint32_t kWlogHeaderSize = 4096;
constexpr uint16_t kSectorTypeWlogHeader = 4;
constexpr uint16_t kSectorTypeLogpack = 3;
constexpr uint16_t kWlogVersion = 2;
constexpr uint32_t kLogRecordExist = 0x01;
constexpr uint32_t kLogRecordPadding = 0x02;
constexpr uint32_t kLogRecordDiscard = 0x04;

struct __attribute__((packed)) WlogHeader {  // first 56 bytes of the 4096-byte header, rest zero
  uint16_t sector_type;        // 0: 4
  uint16_t version;            // 2: 2
  uint16_t header_size;        // 4: 4096
  uint16_t reserved1;          // 6
  uint32_t checksum;           // 8: of all 4096 bytes, salt 0
  uint32_t log_checksum_salt;  // 12
  uint32_t logical_bs;         // 16: 512
  uint32_t physical_bs;        // 20: 512 or 4096
  uint8_t uuid[16];            // 24
  uint64_t begin_lsid;         // 40
  uint64_t end_lsid;           // 48: kEndLsid = until the END block
};
static_assert(sizeof(WlogHeader) == 56);
constexpr size_t kWlogHeaderChecksumOffset = 8;

struct __attribute__((packed)) LogRecord {  // 32 bytes at 24 + 32*i of a logpack header block
  uint32_t checksum;      // 0: of io_size*512 data bytes, log salt; 0 for padding/discard
  uint32_t flags;         // 4: kLogRecord*
  uint64_t offset;        // 8: LB on the device
  uint32_t io_size;       // 16: LB
  uint16_t lsid_local;    // 20: pbs blocks from the pack header, >= 1
  uint16_t reserved1;     // 22
  uint64_t lsid;          // 24: logpack_lsid + lsid_local
};
static_assert(sizeof(LogRecord) == 32);

struct __attribute__((packed)) LogpackHeader {  // first 24 bytes of a pbs-sized block
  uint32_t checksum;       // 0: of the whole pbs block, log salt (checked when n_records > 0)
  uint16_t sector_type;    // 4: 3
  uint16_t total_io_size;  // 6: pbs blocks of data (padding included, discards excluded)
  uint64_t logpack_lsid;   // 8
  uint16_t n_records;      // 16
  uint16_t n_padding;      // 18
  uint32_t reserved1;      // 20
};
static_assert(sizeof(LogpackHeader) == 24);
constexpr size_t kLogpackRecordsOffset = 24;

inline uint32_t maxLogRecords(uint32_t pbs) { return (pbs - kLogpackRecordsOffset) / sizeof(LogRecord); }
inline bool validPbs(uint32_t pbs) { return pbs == 512 || pbs == 4096; }
// pbs blocks taken by an IO of `ioBlocks` LB.
inline uint32_t ioPhysicalBlocks(uint32_t ioBlocks, uint32_t pbs) {
  return uint32_t((uint64_t(ioBlocks) * kLogicalBlock + pbs - 1) / pbs);
}

}  // namespace walb::fmt
