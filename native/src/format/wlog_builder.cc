#include <cstring>
#include <stdexcept>

#include "format/checksum.h"
#include "format/wlog.h"

namespace walb::fmt {

LogpackBuilder::LogpackBuilder(uint32_t pbs, uint32_t salt, uint32_t maxPackBlocks)
    : pbs_(pbs), salt_(salt), maxPackBlocks_(maxPackBlocks > 65535 ? 65535 : maxPackBlocks) {
  if (!validPbs(pbs)) throw std::invalid_argument("physical block size must be 512 or 4096");
  reset(0);
}

void LogpackBuilder::reset(uint64_t lsid) {
  lsid_ = lsid;
  n_ = 0;
  nPadding_ = 0;
  totalIo_ = 0;
  buf_.assign(pbs_, 0);
}

namespace {
LogRecord* recordAt(std::vector<uint8_t>& buf, uint16_t i) {
  return reinterpret_cast<LogRecord*>(buf.data() + kLogpackRecordsOffset + sizeof(LogRecord) * i);
}
}  // namespace

bool LogpackBuilder::addWrite(uint64_t offsetLb, uint32_t ioBlocks, const uint8_t* data) {
  if (ioBlocks == 0) throw std::invalid_argument("an IO has at least one block");
  uint32_t pb = ioPhysicalBlocks(ioBlocks, pbs_);
  if (n_ >= maxLogRecords(pbs_)) return false;
  if (n_ > 0 && totalIo_ + pb > maxPackBlocks_) return false;
  if (totalIo_ + pb > 65535) return false;
  LogRecord r{};
  r.flags = kLogRecordExist;
  r.offset = offsetLb;
  r.io_size = ioBlocks;
  r.lsid_local = uint16_t(1 + totalIo_);
  r.lsid = lsid_ + r.lsid_local;
  size_t bytes = size_t(ioBlocks) * kLogicalBlock;
  r.checksum = checksum(data, bytes, salt_);
  std::memcpy(recordAt(buf_, n_), &r, sizeof(r));
  size_t at = buf_.size();
  buf_.resize(at + size_t(pb) * pbs_, 0);
  std::memcpy(buf_.data() + at, data, bytes);
  totalIo_ += pb;
  n_++;
  return true;
}

bool LogpackBuilder::addDiscard(uint64_t offsetLb, uint32_t ioBlocks) {
  if (ioBlocks == 0) throw std::invalid_argument("an IO has at least one block");
  if (n_ >= maxLogRecords(pbs_)) return false;
  LogRecord r{};
  r.flags = kLogRecordExist | kLogRecordDiscard;
  r.offset = offsetLb;
  r.io_size = ioBlocks;
  r.lsid_local = uint16_t(1 + totalIo_);
  r.lsid = lsid_ + r.lsid_local;
  std::memcpy(recordAt(buf_, n_), &r, sizeof(r));
  n_++;
  return true;
}

bool LogpackBuilder::addPadding(uint32_t pbBlocks) {
  if (n_ >= maxLogRecords(pbs_) || nPadding_ > 0) return false;
  if (totalIo_ + pbBlocks > 65535 || (n_ > 0 && totalIo_ + pbBlocks > maxPackBlocks_)) return false;
  LogRecord r{};
  r.flags = kLogRecordExist | kLogRecordPadding;
  r.io_size = uint32_t(uint64_t(pbBlocks) * pbs_ / kLogicalBlock);
  r.lsid_local = uint16_t(1 + totalIo_);
  r.lsid = lsid_ + r.lsid_local;
  std::memcpy(recordAt(buf_, n_), &r, sizeof(r));
  buf_.resize(buf_.size() + size_t(pbBlocks) * pbs_, 0);
  totalIo_ += pbBlocks;
  n_++;
  nPadding_++;
  return true;
}

const std::vector<uint8_t>& LogpackBuilder::seal() {
  auto* h = reinterpret_cast<LogpackHeader*>(buf_.data());
  h->sector_type = kSectorTypeLogpack;
  h->total_io_size = uint16_t(totalIo_);
  h->logpack_lsid = lsid_;
  h->n_records = n_;
  h->n_padding = nPadding_;
  sealBlock(buf_.data(), pbs_, 0, salt_);
  return buf_;
}

std::vector<uint8_t> makeEndBlock(uint32_t pbs, uint32_t salt) {
  std::vector<uint8_t> b(pbs, 0);
  auto* h = reinterpret_cast<LogpackHeader*>(b.data());
  h->sector_type = kSectorTypeLogpack;
  h->logpack_lsid = kEndLsid;
  sealBlock(b.data(), pbs, 0, salt);
  return b;
}

std::vector<uint8_t> makeWlogHeader(uint32_t pbs, uint32_t salt, const uint8_t* uuid, uint64_t beginLsid,
                                    uint64_t endLsid) {
  std::vector<uint8_t> b(kWlogHeaderSize, 0);
  auto* h = reinterpret_cast<WlogHeader*>(b.data());
  h->sector_type = kSectorTypeWlogHeader;
  h->version = kWlogVersion;
  h->header_size = kWlogHeaderSize;
  h->log_checksum_salt = salt;
  h->logical_bs = kLogicalBlock;
  h->physical_bs = pbs;
  if (uuid) std::memcpy(h->uuid, uuid, 16);
  h->begin_lsid = beginLsid;
  h->end_lsid = endLsid;
  sealBlock(b.data(), kWlogHeaderSize, kWlogHeaderChecksumOffset, 0);
  return b;
}

namespace {
uint32_t defaultPackBlocks(const WlogWriterOptions& o) {
  if (o.maxPackBlocks) return o.maxPackBlocks;
  uint32_t blocks = validPbs(o.pbs) ? (32u << 20) / o.pbs : 65535;
  return blocks > 65535 ? 65535 : blocks;
}
}  // namespace

WlogWriter::WlogWriter(const std::string& path, const WlogWriterOptions& opts)
    : sink_(path), opts_(opts), pack_(opts.pbs, opts.salt, defaultPackBlocks(opts)), lsid_(opts.beginLsid) {
  auto h = makeWlogHeader(opts.pbs, opts.salt, opts.uuid, opts.beginLsid, kEndLsid);
  sink_.write(h.data(), h.size());
  pack_.reset(lsid_);
}

WlogWriter::~WlogWriter() = default;

void WlogWriter::flushPack() {
  if (pack_.empty()) return;
  const auto& b = pack_.seal();
  sink_.write(b.data(), b.size());
  lsid_ = pack_.nextLsid();
  pack_.reset(lsid_);
}

void WlogWriter::addWrite(uint64_t offsetLb, uint32_t ioBlocks, const uint8_t* data) {
  if (pack_.addWrite(offsetLb, ioBlocks, data)) return;
  flushPack();
  if (!pack_.addWrite(offsetLb, ioBlocks, data)) throw std::invalid_argument("IO too large for one logpack");
}

void WlogWriter::addDiscard(uint64_t offsetLb, uint32_t ioBlocks) {
  if (pack_.addDiscard(offsetLb, ioBlocks)) return;
  flushPack();
  pack_.addDiscard(offsetLb, ioBlocks);
}

void WlogWriter::addPadding(uint32_t pbBlocks) {
  if (pack_.addPadding(pbBlocks)) return;
  flushPack();
  if (!pack_.addPadding(pbBlocks)) throw std::invalid_argument("padding too large for one logpack");
}

uint64_t WlogWriter::finish() {
  flushPack();
  auto end = makeEndBlock(opts_.pbs, opts_.salt);
  sink_.write(end.data(), end.size());
  auto h = makeWlogHeader(opts_.pbs, opts_.salt, opts_.uuid, opts_.beginLsid, lsid_);
  sink_.pwriteAt(0, h.data(), h.size());
  sink_.close(opts_.sync);
  return lsid_;
}

}  // namespace walb::fmt
