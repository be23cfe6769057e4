// Read-only operations: verify (every checksum and decompression), stats (wdiff-show -stat), and
// the listings behind `wlog show` / `wdiff show`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "format/layout.h"
#include "ops/convert.h"
#include "ops/detect.h"

namespace walb::ops {

struct VerifyResult {
  FileKind kind;
  uint64_t records = 0;      // wdiff records, or logged IOs of a wlog
  uint64_t packs = 0;        // sorted wdiff packs / wlog logpacks
  uint64_t fileBytes = 0;
  bool complete = true;      // sorted: END pack seen; wlog: END block or end_lsid reached
  std::string end;           // wlog: end-block | end-of-file | end-lsid | torn-tail; wdiff: end | end-of-file
  uint64_t endOffset = 0;    // where reading stopped
  std::string endDetail;
  uint64_t beginLsid = 0, endLsid = 0;  // wlog
};

// Throws FormatError for the first bad structure. A torn wlog tail is not an error (end = torn-tail).
// `decode` false: a sorted wdiff's records are checked (structure, every record's checksum of its
// stored bytes) but not decompressed (a receiver checking a transfer: native/lib/replicate/design.md).
VerifyResult verifyFile(const std::string& path, bool decode = true);

// WalB's wdiff-show -stat figures for a sorted or indexed wdiff.
DiffStats wdiffStats(const std::string& path);

struct WdiffRecordView {
  uint64_t address;
  uint32_t blocks;
  uint8_t flags;
  uint8_t compression;
  uint64_t dataOffset;  // file offset of the (compressed) data
  uint32_t dataSize;
  uint32_t checksum;
  uint32_t ioOffset = 0, origBlocks = 0;  // indexed only
};

struct WdiffView {
  FileKind kind;
  uint8_t uuid[16];
  std::vector<WdiffRecordView> records;
  DiffStats stats;
};
WdiffView showWdiff(const std::string& path);

struct WlogRecordView {
  uint64_t lsid;
  uint32_t flags;
  uint64_t address;
  uint32_t blocks;
  uint32_t checksum;
  uint64_t dataOffset;
};
struct WlogPackView {
  uint64_t lsid;
  uint64_t fileOffset;
  uint32_t totalIoSize;
  uint32_t nPadding;
  std::vector<WlogRecordView> records;
};
struct WlogView {
  fmt::WlogHeader header;
  std::vector<WlogPackView> packs;
  std::string end;
  uint64_t endOffset = 0;
  uint64_t endLsid = 0;
  std::string endDetail;
  uint64_t writes = 0, discards = 0, paddings = 0, writeBlocks = 0, discardBlocks = 0;
};
WlogView showWlog(const std::string& path);

}  // namespace walb::ops
