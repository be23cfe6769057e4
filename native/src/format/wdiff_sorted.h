// Sorted wdiff (type 0): [file header] {[pack block 4096][pack data]}* [END pack].
//
// SortedWdiffWriter streams records in strictly increasing, non-overlapping address order. It
// compresses each data record (stored with id 0 when compression does not shrink it; after such a
// record the next 1, 2, 4 … 64 are stored without trying until one shrinks again), packs up to
// 127 records and 8 MiB of data per pack (a single larger record gets a pack of its own), seals
// every pack block with its checksum and writes the END pack on finish(). The caller splits records
// (kDefaultMaxIoBlocks) and decides ALLZERO; the writer never merges or splits.
//
// SortedWdiffReader streams records in file order, one pack in memory at a time, checking every
// rule of the format; a FormatError names the file, the byte offset of the bad structure and the rule.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format/compression.h"
#include "format/io.h"
#include "format/layout.h"

namespace walb::fmt {

struct SortedWriterOptions {
  Compression compression = Compression::Lz4;
  int level = 0;                       // 0 = the library's default
  const uint8_t* uuid = nullptr;       // 16 bytes, or nullptr for zeros
  // A pack's data is held in memory until the pack is full: 8 MiB, not the format's 32 MiB, keeps a
  // conversion or merge of 1 MiB writes to that much. 127 records of up to 64 KiB fit in 8 MiB, so
  // such packs are WalB's byte for byte; with larger IOs a pack closes sooner than WalB's (any
  // reader takes both). Readers take up to kMaxPackData.
  uint32_t maxPackData = kWritePackData;
  bool sync = true;                    // fsync on finish()
  bool direct = false;                 // whole 4 MiB chunks written with O_DIRECT (FileSink)
};

class SortedWdiffWriter {
 public:
  SortedWdiffWriter(const std::string& path, const SortedWriterOptions& opts);
  ~SortedWdiffWriter();
  // `data` holds blocks*512 uncompressed bytes.
  void addData(uint64_t addr, uint32_t blocks, const uint8_t* data) { addData(addr, blocks, data, nullptr); }
  // The same, for a caller that knows the checksum of the uncompressed bytes (a whole record it read
  // and checked): stored uncompressed, the record takes it instead of summing the bytes again.
  void addData(uint64_t addr, uint32_t blocks, const uint8_t* data, const uint32_t* rawChecksum);
  void addAllZero(uint64_t addr, uint32_t blocks);
  void addDiscard(uint64_t addr, uint32_t blocks);
  // Adds a record whose data is already compressed with rec.compression (data_offset is recomputed;
  // flags, sizes and the checksum are taken as given: the caller read the data and checked it). Used
  // to copy records without recompressing.
  void addRaw(const SortedRecord& rec, const uint8_t* compressed);
  // Flushes the last pack, writes END, closes (fsync when opts.sync). Returns the file size.
  uint64_t finish();
  uint64_t recordCount() const { return nRecords_; }
  uint64_t dataBytes() const { return dataBytes_; }  // compressed data bytes written so far

 private:
  void append(SortedRecord rec, const uint8_t* data, size_t size, const uint32_t* sum = nullptr);
  void flushPack();
  void checkOrder(uint64_t addr, uint32_t blocks);
  FileSink sink_;
  SortedWriterOptions opts_;
  std::vector<uint8_t> block_;   // the 4096-byte pack block being filled
  PageBuffer data_;     // the pack's data: the first dataLen_ bytes (grows only; from buffer_cache.h)
  size_t dataLen_ = 0;
  PageBuffer scratch_;  // a record compressed (grows only; from buffer_cache.h)
  uint16_t n_ = 0;
  uint64_t nextAddr_ = 0;
  uint64_t nRecords_ = 0;
  uint64_t dataBytes_ = 0;
  bool finished_ = false;
  static constexpr uint32_t kMaxCompressionSkip = 64;
  uint32_t miss_ = 0;  // records stored without trying after the last one that did not shrink
  uint32_t skip_ = 0;  // how many more to store without trying
};

struct SortedEntry {
  SortedRecord rec;
  uint64_t recordOffset = 0;  // file offset of the 32-byte record
  uint64_t dataOffset = 0;    // file offset of the record's data
};

class SortedWdiffReader {
 public:
  // Reads and checks the file header (a sorted one). `src` must outlive the reader.
  explicit SortedWdiffReader(ByteSource& src);
  // With `verifyData` false the records' data is neither read nor checksummed (every header still is),
  // and rawData()/readData() must not be called: for a pass that needs only the records, followed by
  // one that checks each record's data where it uses it (merge).
  SortedWdiffReader(ByteSource& src, bool verifyData);
  const WdiffFileHeader& header() const { return header_; }
  // The next record; false at the END pack or at end of file (on a pack boundary). Checks the pack
  // block, record ranges, flags, compression ids, address order and the data checksum.
  bool next(SortedEntry& e);
  // The compressed bytes of the record last returned by next(), valid until the next call.
  const uint8_t* rawData(const SortedEntry& e) const;
  // Decompresses that record into `out` (blocks*512 bytes); zeros for ALLZERO/DISCARD.
  void readData(const SortedEntry& e, std::vector<uint8_t>& out) const;
  void readData(const SortedEntry& e, uint8_t* out) const;
  // Offset just past the END pack (or the file size when there is none) once next() returned false.
  uint64_t endOffset() const { return offset_; }
  bool sawEndPack() const { return sawEnd_; }
  uint64_t packCount() const { return packs_; }

 private:
  bool loadPack();
  ByteSource& src_;
  WdiffFileHeader header_;
  uint64_t offset_ = 32;      // next pack block
  uint64_t packOffset_ = 0;   // current pack block
  std::vector<uint8_t> block_;
  PageBuffer data_;  // the current pack's data when the source is not mapped (grows only)
  const uint8_t* view_ = nullptr;  // the current pack's data: in the source's mapping or in data_
  uint16_t n_ = 0, i_ = 0;
  uint64_t nextAddr_ = 0;
  bool sawEnd_ = false, done_ = false;
  uint64_t packs_ = 0;
  bool verifyData_ = true;
};

// Largest record data a reader will decompress (a record that claims more is rejected).
constexpr uint64_t kMaxRecordBytes = 256ull << 20;

}  // namespace walb::fmt
