#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "format/checksum.h"
#include "format/wdiff_header.h"
#include "format/wdiff_indexed.h"

namespace walb::fmt {

namespace {
bool allZero(const uint8_t* p, size_t n) {
  static const uint8_t zeros[4096] = {};
  while (n >= sizeof(zeros)) {
    if (std::memcmp(p, zeros, sizeof(zeros)) != 0) return false;
    p += sizeof(zeros);
    n -= sizeof(zeros);
  }
  return n == 0 || std::memcmp(p, zeros, n) == 0;
}
}  // namespace

IndexedWdiffWriter::IndexedWdiffWriter(const std::string& path, const IndexedWriterOptions& opts)
    : sink_(path, true, opts.direct), opts_(opts) {
  if (opts_.maxIoBlocks == 0) throw std::invalid_argument("maxIoBlocks must be positive");
  WdiffFileHeader h = makeWdiffHeader(kWdiffIndexed, opts.uuid);
  sink_.write(&h, sizeof(h));
}

IndexedWdiffWriter::~IndexedWdiffWriter() = default;

void IndexedWdiffWriter::addData(uint64_t addr, uint32_t blocks, const uint8_t* data) {
  size_t raw = size_t(blocks) * kLogicalBlock;
  if (allZero(data, raw)) {
    addAllZero(addr, blocks);  // counts as one IO (n_data counts every IO, as WalB does)
    return;
  }
  Extent e{0, 0, sink_.offset(), 0, 0, blocks, 0};
  const uint8_t* bytes = data;
  size_t size = raw;
  size_t bound = compressBound(opts_.compression, raw);
  if (scratch_.size() < bound) scratch_.resize(bound);  // grows only
  if (size_t c = compressInto(opts_.compression, data, raw, scratch_.data(), scratch_.size(), opts_.level)) {
    e.compression = uint8_t(opts_.compression);
    bytes = scratch_.data();
    size = c;
  }
  e.dataSize = uint32_t(size);
  e.ioChecksum = checksum(bytes, size, 0);
  sink_.write(bytes, size);
  nData_++;
  index_.insert(addr, blocks, e);  // newest wins: older extents are cut
}

void IndexedWdiffWriter::addDiscard(uint64_t addr, uint32_t blocks) {
  nData_++;
  index_.insert(addr, blocks, Extent{kRecDiscard, 0, sink_.offset(), 0, 0, 0, 0});
}

void IndexedWdiffWriter::addAllZero(uint64_t addr, uint32_t blocks) {
  nData_++;
  index_.insert(addr, blocks, Extent{kRecAllZero, 0, sink_.offset(), 0, 0, 0, 0});
}

uint64_t IndexedWdiffWriter::finish() {
  uint64_t pad = (8 - sink_.offset() % 8) % 8;
  sink_.writeZeros(pad);
  uint64_t indexOffset = sink_.offset();
  uint32_t n = 0;
  for (const auto& kv : index_.extents()) {
    const uint64_t addr = kv.first;
    const Extent& e = kv.second.payload;
    uint32_t base = e.ioOffset;
    forEachAlignedPiece(addr, kv.second.blocks, opts_.maxIoBlocks, [&](uint64_t a, uint32_t b) {
      IndexedRecord r;
      std::memset(&r, 0, sizeof(r));
      r.io_address = a;
      r.io_blocks = b;
      r.flags = e.flags;
      r.compression = e.compression;
      r.data_offset = e.dataOffset;
      r.data_size = e.dataSize;
      r.io_offset = base + uint32_t(a - addr);
      r.orig_blocks = e.origBlocks;
      r.io_checksum = e.ioChecksum;
      sealBlock(&r, sizeof(r), 44, 0);
      sink_.write(&r, sizeof(r));
      n++;
    });
  }
  IndexSuper s;
  std::memset(&s, 0, sizeof(s));
  s.index_offset = indexOffset;
  s.n_records = n;
  s.n_data = nData_;
  sealBlock(&s, sizeof(s), 20, 0);
  sink_.write(&s, sizeof(s));
  uint64_t size = sink_.offset();
  sink_.close(opts_.sync);
  return size;
}

}  // namespace walb::fmt
