// Indexed wdiff (type 1): [file header][compressed IO images, arrival order][0-7 zero bytes]
// [index records, 48 B each, sorted by address][index super, 24 B, end of file].
//
// IndexedWdiffWriter appends each IO's image as it arrives (streaming: data never stays in memory)
// and keeps only the index: the newest write wins, older extents are cut into the visible pieces,
// which keep pointing into their image through io_offset. finish() splits every extent into
// power-of-two, address-aligned records of at most maxIoBlocks, writes the index and the super.
//
// IndexedWdiffReader loads and checks the super and the whole index up front (every record checksum,
// order, ranges), then reads a record's blocks by decompressing its image (the last image is cached).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "format/compression.h"
#include "format/extent_map.h"
#include "format/io.h"
#include "format/layout.h"

namespace walb::fmt {

struct IndexedWriterOptions {
  Compression compression = Compression::Lz4;
  int level = 0;
  const uint8_t* uuid = nullptr;
  uint32_t maxIoBlocks = kDefaultMaxIoBlocks;
  bool sync = true;
  bool direct = false;                 // whole 4 MiB chunks written with O_DIRECT (FileSink)
};

class IndexedWdiffWriter {
 public:
  IndexedWdiffWriter(const std::string& path, const IndexedWriterOptions& opts);
  ~IndexedWdiffWriter();
  // One logged IO, newest last. `data` holds blocks*512 bytes; all-zero data becomes ALLZERO.
  void addData(uint64_t addr, uint32_t blocks, const uint8_t* data);
  void addDiscard(uint64_t addr, uint32_t blocks);
  void addAllZero(uint64_t addr, uint32_t blocks);
  uint64_t finish();  // writes padding, index and super; fsyncs when opts.sync; returns file size
  size_t indexExtents() const { return index_.size(); }

 private:
  // Where an extent's blocks are: image at dataOffset, starting ioOffset blocks into it.
  struct Extent {
    uint8_t flags;
    uint8_t compression;
    uint64_t dataOffset;
    uint32_t dataSize;
    uint32_t ioOffset;
    uint32_t origBlocks;
    uint32_t ioChecksum;
    void advance(uint64_t blocks) { ioOffset += uint32_t(blocks); }
  };
  FileSink sink_;
  IndexedWriterOptions opts_;
  ExtentMap<Extent> index_;
  std::vector<uint8_t> scratch_;
  uint32_t nData_ = 0;  // IOs added (WalB's n_data counts writes, all-zero writes and discards)
};

class IndexedWdiffReader {
 public:
  explicit IndexedWdiffReader(ByteSource& src);
  const WdiffFileHeader& header() const { return header_; }
  const std::vector<IndexedRecord>& records() const { return records_; }
  uint64_t indexOffset() const { return super_.index_offset; }
  const IndexSuper& super() const { return super_; }
  // File offset of record i (for error messages).
  uint64_t recordOffset(size_t i) const { return super_.index_offset + sizeof(IndexedRecord) * i; }
  // Reads record i's blocks (io_blocks*512 bytes; zeros for ALLZERO/DISCARD) into `out`, checking the
  // image checksum and its decompression.
  void readData(size_t i, uint8_t* out);
  void readData(size_t i, std::vector<uint8_t>& out);

 private:
  ByteSource& src_;
  WdiffFileHeader header_;
  IndexSuper super_;
  std::vector<IndexedRecord> records_;
  // The cached image is the one these fields name; a record differing in any of them reloads.
  struct ImageKey {
    uint64_t offset;
    uint32_t size, orig, sum;
    uint8_t compression;
    bool operator==(const ImageKey& o) const {
      return offset == o.offset && size == o.size && orig == o.orig && sum == o.sum && compression == o.compression;
    }
  };
  ImageKey cachedKey_{};
  bool cached_ = false;
  std::vector<uint8_t> image_;
  std::vector<uint8_t> raw_;
};

// Splits [addr, addr+blocks) into power-of-two, address-aligned pieces of at most maxBlocks, calling
// fn(pieceAddr, pieceBlocks) in address order (maxBlocks is rounded down to a power of two).
template <typename Fn>
void forEachAlignedPiece(uint64_t addr, uint64_t blocks, uint32_t maxBlocks, Fn fn) {
  uint64_t cap = 1;
  while (cap * 2 <= maxBlocks) cap *= 2;
  while (blocks > 0) {
    uint64_t s = addr ? (addr & (~addr + 1)) : cap;  // lowest set bit = largest alignment
    if (s > cap) s = cap;
    while (s > blocks) s /= 2;
    fn(addr, uint32_t(s));
    addr += s;
    blocks -= s;
  }
}

}  // namespace walb::fmt
