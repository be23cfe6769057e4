// wlog files: [wlog header 4096 B] {[logpack header, one pbs block][IO data, padded to pbs]}* [END].
//
// LogpackBuilder assembles one logpack in memory (header block + data), so both the wlog file
// writer and the wdev's log device can produce byte-exact packs. WlogWriter streams packs to a file.
// WlogReader reads packs one at a time and ends at the END block, at end of file, or at the first
// invalid logpack (a torn tail). With `strict` (the default) it then looks past the bad spot: a valid
// logpack or END block further on means the damage is in the middle, and it throws FormatError.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "format/io.h"
#include "format/layout.h"

namespace walb::fmt {

class LogpackBuilder {
 public:
  LogpackBuilder(uint32_t pbs, uint32_t salt, uint32_t maxPackBlocks = 65535);
  // Starts a new, empty pack at `lsid`.
  void reset(uint64_t lsid);
  // Adds one IO; false (nothing added) when the pack is full: too many records or data blocks.
  bool addWrite(uint64_t offsetLb, uint32_t ioBlocks, const uint8_t* data);
  bool addDiscard(uint64_t offsetLb, uint32_t ioBlocks);
  // A padding record of `pbBlocks` physical blocks (data zero-filled, meaningless).
  bool addPadding(uint32_t pbBlocks);
  bool empty() const { return n_ == 0; }
  uint16_t nRecords() const { return n_; }
  uint64_t lsid() const { return lsid_; }
  // The lsid right after this pack: lsid + 1 + total_io_size.
  uint64_t nextLsid() const { return lsid_ + 1 + totalIo_; }
  // Seals the header checksum and returns header block + data (1 + total_io_size pbs blocks).
  const std::vector<uint8_t>& seal();

 private:
  uint32_t pbs_, salt_, maxPackBlocks_;
  uint64_t lsid_ = 0;
  uint16_t n_ = 0, nPadding_ = 0;
  uint32_t totalIo_ = 0;
  std::vector<uint8_t> buf_;
};

// The END block for `pbs`: a logpack header with lsid kEndLsid and no records (checksum sealed).
std::vector<uint8_t> makeEndBlock(uint32_t pbs, uint32_t salt);
// A sealed 4096-byte wlog header.
std::vector<uint8_t> makeWlogHeader(uint32_t pbs, uint32_t salt, const uint8_t* uuid, uint64_t beginLsid,
                                    uint64_t endLsid);

struct WlogWriterOptions {
  uint32_t pbs = 4096;
  uint32_t salt = 0;
  const uint8_t* uuid = nullptr;
  uint64_t beginLsid = 0;
  uint32_t maxPackBlocks = 0;  // data pbs blocks per pack; 0 = 32 MiB worth (at most 65535)
  bool sync = true;
};

class WlogWriter {
 public:
  WlogWriter(const std::string& path, const WlogWriterOptions& opts);
  ~WlogWriter();
  void addWrite(uint64_t offsetLb, uint32_t ioBlocks, const uint8_t* data);
  void addDiscard(uint64_t offsetLb, uint32_t ioBlocks);
  void addPadding(uint32_t pbBlocks);
  // Ends the current pack (the next IO starts a new one).
  void flushPack();
  // Writes END, rewrites the header's end_lsid, fsyncs. Returns the end lsid.
  uint64_t finish();

 private:
  FileSink sink_;
  WlogWriterOptions opts_;
  LogpackBuilder pack_;
  uint64_t lsid_;
};

enum class WlogEnd { None, EndBlock, EndOfFile, EndLsid, TornTail };
const char* wlogEndName(WlogEnd e);

struct WlogPack {
  LogpackHeader header;
  uint64_t fileOffset = 0;              // of the logpack header block
  std::vector<LogRecord> records;       // the valid records (a torn pack keeps its valid prefix)
  std::vector<uint64_t> dataOffsets;    // file offset of each record's data
};

class WlogReader {
 public:
  // Reads and checks the wlog header (rules wlog-header-*). `src` must outlive the reader.
  WlogReader(ByteSource& src, bool strict = true);
  ~WlogReader();  // hands its pack buffer back (buffer_cache.h)
  WlogReader(const WlogReader&) = delete;
  WlogReader& operator=(const WlogReader&) = delete;
  const WlogHeader& header() const { return header_; }
  uint32_t pbs() const { return header_.physical_bs; }
  uint32_t salt() const { return header_.log_checksum_salt; }
  // The next pack with its data in memory (checked: header checksum, lsids, record ranges, IO data
  // checksums); false at the end.
  bool nextPack(WlogPack& pack);
  // Record i's data (io_size*512 bytes) of the pack last returned; valid until the next call.
  const uint8_t* ioData(const WlogPack& pack, size_t i) const;
  WlogEnd endReason() const { return end_; }
  uint64_t endOffset() const { return endOffset_; }  // where reading stopped
  uint64_t endLsid() const { return lsid_; }          // lsid after the last valid pack
  const std::string& endDetail() const { return endDetail_; }

 private:
  bool stop(WlogEnd why, uint64_t offset, const std::string& detail, const std::string& rule);
  bool looksLikeLaterPack(uint64_t from) const;
  ByteSource& src_;
  bool strict_;
  WlogHeader header_;
  uint64_t offset_ = kWlogHeaderSize;
  uint64_t lsid_ = 0;
  std::vector<uint8_t> block_;
  PageBuffer data_;  // a pack's data when the source is not mapped (grows only; from buffer_cache.h)
  uint64_t dataBase_ = 0;
  const uint8_t* dataView_ = nullptr;
  uint64_t released_ = 0;  // bytes before this were handed back with src_.release()  // the current pack's data: in the source's mapping or in data_
  WlogEnd end_ = WlogEnd::None;
  uint64_t endOffset_ = 0;
  std::string endDetail_;
};

}  // namespace walb::fmt
