#include <cstring>

#include "format/buffer_cache.h"
#include "format/checksum.h"
#include "format/error.h"
#include "format/wlog.h"

namespace walb::fmt {

const char* wlogEndName(WlogEnd e) {
  switch (e) {
    case WlogEnd::None: return "none";
    case WlogEnd::EndBlock: return "end-block";
    case WlogEnd::EndOfFile: return "end-of-file";
    case WlogEnd::EndLsid: return "end-lsid";
    case WlogEnd::TornTail: return "torn-tail";
  }
  return "none";
}

WlogReader::~WlogReader() { giveCachedBuffer(std::move(data_)); }

WlogReader::WlogReader(ByteSource& src, bool strict) : src_(src), strict_(strict) {
  const std::string& name = src.name();
  std::vector<uint8_t> b(kWlogHeaderSize);
  if (src.readAt(0, b.data(), b.size()) != b.size())
    throw FormatError(name, 0, "wlog-header-short", "file is shorter than the 4096-byte wlog header");
  std::memcpy(&header_, b.data(), sizeof(header_));
  if (header_.sector_type != kSectorTypeWlogHeader)
    throw FormatError(name, 0, "wlog-header-sector-type", "sector_type " + std::to_string(header_.sector_type) + ", expected 4");
  if (!blockIsValid(b.data(), b.size(), 0))
    throw FormatError(name, kWlogHeaderChecksumOffset, "wlog-header-checksum", "wlog header checksum mismatch");
  if (header_.version != kWlogVersion)
    throw FormatError(name, 2, "wlog-header-version", "wlog version " + std::to_string(header_.version) + ", expected 2");
  if (header_.header_size != kWlogHeaderSize)
    throw FormatError(name, 4, "wlog-header-size", "header_size " + std::to_string(header_.header_size) + ", expected 4096");
  if (header_.logical_bs != kLogicalBlock)
    throw FormatError(name, 16, "wlog-header-lbs", "logical_bs " + std::to_string(header_.logical_bs) + ", expected 512");
  if (!validPbs(header_.physical_bs))
    throw FormatError(name, 20, "wlog-header-pbs", "physical_bs " + std::to_string(header_.physical_bs) + ", expected 512 or 4096");
  if (header_.end_lsid < header_.begin_lsid)
    throw FormatError(name, 48, "wlog-header-lsids", "end_lsid precedes begin_lsid");
  lsid_ = header_.begin_lsid;
  block_.resize(header_.physical_bs);
}

// A structure at `offset` is bad. At the tail it is the end of the log; followed by a valid
// logpack or END block it is corruption in the middle, reported as a FormatError when strict.
bool WlogReader::stop(WlogEnd why, uint64_t offset, const std::string& detail, const std::string& rule) {
  if (why == WlogEnd::TornTail && strict_ && looksLikeLaterPack(offset + pbs()))
    throw FormatError(src_.name(), offset, rule, detail + " (valid log data follows: not a torn tail)");
  end_ = why;
  endOffset_ = offset;
  endDetail_ = detail;
  return false;
}

bool WlogReader::looksLikeLaterPack(uint64_t from) const {
  uint32_t pbs = header_.physical_bs;
  std::vector<uint8_t> b(pbs);
  uint64_t start = kWlogHeaderSize + ((from > kWlogHeaderSize ? from - kWlogHeaderSize : 0) + pbs - 1) / pbs * pbs;
  for (uint64_t at = start; at + pbs <= src_.size(); at += pbs) {
    if (src_.readAt(at, b.data(), pbs) != pbs) break;
    LogpackHeader h;
    std::memcpy(&h, b.data(), sizeof(h));
    if (h.sector_type != kSectorTypeLogpack) continue;
    if (h.logpack_lsid == kEndLsid && h.n_records == 0 && blockIsValid(b.data(), pbs, salt())) return true;
    if (h.n_records > 0 && h.n_records <= maxLogRecords(pbs) && h.logpack_lsid > lsid_ && h.logpack_lsid != kEndLsid &&
        blockIsValid(b.data(), pbs, salt()))
      return true;
  }
  return false;
}

bool WlogReader::nextPack(WlogPack& pack) {
  if (end_ != WlogEnd::None) return false;
  const uint32_t pbs = header_.physical_bs;
  if (offset_ > released_) {  // the previous pack is consumed
    src_.release(released_, size_t(offset_ - released_));
    released_ = offset_;
  }
  const uint64_t at = offset_;
  if (header_.end_lsid != kEndLsid && lsid_ >= header_.end_lsid) return stop(WlogEnd::EndLsid, at, "end_lsid reached", "");
  size_t got = src_.readAt(at, block_.data(), pbs);
  if (got == 0) return stop(WlogEnd::EndOfFile, at, "end of file", "");
  if (got < pbs) return stop(WlogEnd::TornTail, at, "file ends inside a logpack header", "logpack-truncated");
  LogpackHeader h;
  std::memcpy(&h, block_.data(), sizeof(h));
  if (h.sector_type != kSectorTypeLogpack)
    return stop(WlogEnd::TornTail, at, "not a logpack header (sector_type " + std::to_string(h.sector_type) + ")", "logpack-sector-type");
  if (h.logpack_lsid == kEndLsid && h.n_records == 0) {
    end_ = WlogEnd::EndBlock;
    endOffset_ = at;
    endDetail_ = "END block";
    return false;
  }
  if (h.n_records == 0 || h.n_records > maxLogRecords(pbs))
    return stop(WlogEnd::TornTail, at + 16, "logpack n_records " + std::to_string(h.n_records) + " out of range", "logpack-n-records");
  if (!blockIsValid(block_.data(), pbs, salt()))
    return stop(WlogEnd::TornTail, at, "logpack header checksum mismatch", "logpack-checksum");
  if (h.logpack_lsid != lsid_)
    return stop(WlogEnd::TornTail, at + 8, "logpack lsid " + std::to_string(h.logpack_lsid) + ", expected " + std::to_string(lsid_),
                "logpack-lsid");
  // Records: ranges inside the pack's data, lsids consistent.
  pack.header = h;
  pack.fileOffset = at;
  pack.records.clear();
  pack.dataOffsets.clear();
  unsigned nPadding = 0;
  for (uint16_t i = 0; i < h.n_records; i++) {
    LogRecord r;
    uint64_t ro = at + kLogpackRecordsOffset + sizeof(LogRecord) * i;
    std::memcpy(&r, block_.data() + kLogpackRecordsOffset + sizeof(LogRecord) * i, sizeof(r));
    if (!(r.flags & kLogRecordExist))
      return stop(WlogEnd::TornTail, ro + 4, "log record without the EXIST flag", "log-record-flags");
    if ((r.flags & kLogRecordPadding) && (r.flags & kLogRecordDiscard))
      return stop(WlogEnd::TornTail, ro + 4, "log record both PADDING and DISCARD", "log-record-flags");
    if (r.lsid_local == 0 || r.lsid != h.logpack_lsid + r.lsid_local)
      return stop(WlogEnd::TornTail, ro + 20, "log record lsid does not match its pack", "log-record-lsid");
    if (r.offset + r.io_size < r.offset)
      return stop(WlogEnd::TornTail, ro + 8, "log record address range wraps past 2^64", "log-record-range");
    if (r.flags & kLogRecordPadding) nPadding++;
    if (!(r.flags & kLogRecordDiscard)) {
      uint64_t endPb = uint64_t(r.lsid_local) - 1 + ioPhysicalBlocks(r.io_size, pbs);
      if (endPb > h.total_io_size || (!(r.flags & kLogRecordPadding) && r.io_size == 0))
        return stop(WlogEnd::TornTail, ro + 16, "log record data lies outside its pack", "log-record-range");
    } else if (r.io_size == 0) {
      return stop(WlogEnd::TornTail, ro + 16, "discard of 0 blocks", "log-record-range");
    }
    pack.records.push_back(r);
    pack.dataOffsets.push_back(at + uint64_t(r.lsid_local) * pbs);
  }
  if (nPadding != h.n_padding || nPadding > 1)
    return stop(WlogEnd::TornTail, at + 18, "n_padding does not match the padding records", "logpack-n-padding");
  uint64_t dataBytes = uint64_t(h.total_io_size) * pbs;
  if (src_.size() < at + pbs + dataBytes)
    return stop(WlogEnd::TornTail, at, "file ends inside the data of this logpack", "logpack-data-truncated");
  dataBase_ = at + pbs;
  dataView_ = src_.view(at + pbs, dataBytes);  // a mapped source: read the data in place
  if (!dataView_) {
    if (data_.size() < dataBytes) {  // grows only; a kept buffer has no fresh pages to fault in
      giveCachedBuffer(std::move(data_));
      data_ = takeCachedBuffer(dataBytes);
    }
    if (src_.readAt(at + pbs, data_.data(), dataBytes) != dataBytes)
      return stop(WlogEnd::TornTail, at, "short read of logpack data", "logpack-data-truncated");
    dataView_ = data_.data();
  }
  for (size_t i = 0; i < pack.records.size(); i++) {
    const LogRecord& r = pack.records[i];
    if (r.flags & (kLogRecordPadding | kLogRecordDiscard)) continue;
    if (checksum(ioData(pack, i), size_t(r.io_size) * kLogicalBlock, salt()) != r.checksum) {
      // A torn write of this IO: the pack ends before it (WalB shrinks the pack), and so does the log.
      uint64_t bad = pack.dataOffsets[i];
      if (strict_ && looksLikeLaterPack(at + pbs + dataBytes))
        throw FormatError(src_.name(), bad, "log-io-checksum", "logged IO data checksum mismatch (valid log data follows)");
      pack.records.resize(i);
      pack.dataOffsets.resize(i);
      end_ = WlogEnd::TornTail;
      endOffset_ = bad;
      endDetail_ = "logged IO data checksum mismatch";
      lsid_ = h.logpack_lsid + r.lsid_local;  // where a redo would continue writing the log
      offset_ = at + pbs + dataBytes;
      return !pack.records.empty();
    }
  }
  lsid_ = h.logpack_lsid + 1 + h.total_io_size;
  offset_ = at + pbs + dataBytes;
  return true;
}

const uint8_t* WlogReader::ioData(const WlogPack& pack, size_t i) const {
  return dataView_ + (pack.dataOffsets[i] - dataBase_);
}

}  // namespace walb::fmt
