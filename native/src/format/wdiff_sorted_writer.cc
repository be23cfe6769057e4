#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "format/buffer_cache.h"
#include "format/checksum.h"
#include "format/wdiff_header.h"
#include "format/wdiff_sorted.h"

namespace walb::fmt {

SortedWdiffWriter::SortedWdiffWriter(const std::string& path, const SortedWriterOptions& opts)
    : sink_(path, true, opts.direct), opts_(opts), block_(kPackBlock, 0) {
  WdiffFileHeader h = makeWdiffHeader(kWdiffSorted, opts.uuid);
  sink_.write(&h, sizeof(h));
}

SortedWdiffWriter::~SortedWdiffWriter() {
  giveCachedBuffer(std::move(data_));
  giveCachedBuffer(std::move(scratch_));
}

void SortedWdiffWriter::checkOrder(uint64_t addr, uint32_t blocks) {
  if (finished_) throw std::logic_error("SortedWdiffWriter: add after finish");
  if (blocks == 0) throw std::logic_error("SortedWdiffWriter: empty record");
  if (addr < nextAddr_) throw std::logic_error("SortedWdiffWriter: records out of order or overlapping");
  if (addr + blocks < addr) throw std::logic_error("SortedWdiffWriter: record address range wraps");
  nextAddr_ = addr + blocks;
}

void SortedWdiffWriter::append(SortedRecord rec, const uint8_t* data, size_t size, const uint32_t* sum) {
  if (n_ > 0 && (n_ >= kMaxPackRecords || dataLen_ + size > opts_.maxPackData)) flushPack();
  rec.data_offset = uint32_t(dataLen_);
  rec.data_size = uint32_t(size);
  rec.checksum = !size ? 0 : sum ? *sum : checksum(data, size, 0);
  rec.reserved1 = 0;
  rec.reserved2 = 0;
  std::memcpy(block_.data() + kPackRecordsOffset + sizeof(SortedRecord) * n_, &rec, sizeof(rec));
  n_++;
  nRecords_++;
  dataBytes_ += size;
  if (size) {
    // Doubling, but never past what one pack holds (a 32 MiB pack must not leave a 64 MiB buffer);
    // a kept buffer (buffer_cache.h) is usually large enough at once, and its pages are not fresh.
    if (data_.size() < dataLen_ + size) {
      size_t cap = std::max<size_t>(opts_.maxPackData, dataLen_ + size);
      PageBuffer bigger = takeCachedBuffer(std::min(cap, std::max({dataLen_ + size, data_.size() * 2, size_t(64) << 10})));
      if (dataLen_) std::memcpy(bigger.data(), data_.data(), dataLen_);
      giveCachedBuffer(std::move(data_));
      data_ = std::move(bigger);
    }
    std::memcpy(data_.data() + dataLen_, data, size);
    dataLen_ += size;
  }
}

void SortedWdiffWriter::addData(uint64_t addr, uint32_t blocks, const uint8_t* data, const uint32_t* rawChecksum) {
  checkOrder(addr, blocks);
  SortedRecord rec{};
  rec.io_address = addr;
  rec.io_blocks = blocks;
  size_t raw = size_t(blocks) * kLogicalBlock;
  size_t size = 0;
  if (opts_.compression != Compression::None && skip_ > 0) {
    skip_--;  // the last records did not shrink: this one is stored as it is without trying
  } else if (opts_.compression != Compression::None) {
    // scratch_ only grows, and comes from the kept buffers: compressing never zero-fills a fresh one.
    size_t bound = compressBound(opts_.compression, raw);
    if (scratch_.size() < bound) {
      giveCachedBuffer(std::move(scratch_));
      scratch_ = takeCachedBuffer(bound);
    }
    size = compressInto(opts_.compression, data, raw, scratch_.data(), scratch_.size(), opts_.level);
    // Incompressible data (encrypted, already compressed, fio's random buffers) made compression the
    // largest cost of a proxy's conversion and merge, for nothing: after a record that does not
    // shrink, the next 1, 2, 4 … up to kMaxCompressionSkip records are stored without trying; one
    // that shrinks ends the skipping.
    if (size == 0) {
      miss_ = miss_ ? std::min<uint32_t>(miss_ * 2, kMaxCompressionSkip) : 1;
      skip_ = miss_;
    } else {
      miss_ = 0;
    }
  }
  if (size > 0) {
    rec.compression = uint8_t(opts_.compression);
    append(rec, scratch_.data(), size);
  } else {
    rec.compression = 0;
    append(rec, data, raw, rawChecksum);
  }
}

void SortedWdiffWriter::addAllZero(uint64_t addr, uint32_t blocks) {
  checkOrder(addr, blocks);
  SortedRecord rec{};
  rec.io_address = addr;
  rec.io_blocks = blocks;
  rec.flags = kRecAllZero;
  append(rec, nullptr, 0);
}

void SortedWdiffWriter::addDiscard(uint64_t addr, uint32_t blocks) {
  checkOrder(addr, blocks);
  SortedRecord rec{};
  rec.io_address = addr;
  rec.io_blocks = blocks;
  rec.flags = kRecDiscard;
  append(rec, nullptr, 0);
}

void SortedWdiffWriter::addRaw(const SortedRecord& rec, const uint8_t* compressed) {
  checkOrder(rec.io_address, rec.io_blocks);
  bool noData = rec.flags & (kRecAllZero | kRecDiscard);
  uint32_t sum = rec.checksum;  // a packed field: copied to be pointed at
  append(rec, noData ? nullptr : compressed, noData ? 0 : rec.data_size, &sum);
}

void SortedWdiffWriter::flushPack() {
  if (n_ == 0) return;
  auto* h = reinterpret_cast<PackHeader*>(block_.data());
  h->n_records = n_;
  h->flags = 0;
  h->total_size = uint32_t(dataLen_);
  sealBlock(block_.data(), kPackBlock, 0, 0);
  sink_.write(block_.data(), kPackBlock);
  sink_.write(data_.data(), dataLen_);
  std::memset(block_.data(), 0, kPackBlock);
  dataLen_ = 0;
  n_ = 0;
}

uint64_t SortedWdiffWriter::finish() {
  flushPack();
  std::memset(block_.data(), 0, kPackBlock);
  reinterpret_cast<PackHeader*>(block_.data())->flags = kPackFlagEnd;
  sealBlock(block_.data(), kPackBlock, 0, 0);
  sink_.write(block_.data(), kPackBlock);
  uint64_t size = sink_.offset();
  sink_.close(opts_.sync);
  finished_ = true;
  return size;
}

}  // namespace walb::fmt
