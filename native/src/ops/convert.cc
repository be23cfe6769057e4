#include "ops/convert.h"

#include <cstring>
#include <memory>
#include <stdexcept>

#include "format/error.h"
#include "format/io.h"
#include "format/wdiff_indexed.h"
#include "format/wdiff_sorted.h"
#include "format/extent_map.h"
#include "ops/wlog_stream.h"

namespace walb::ops {

using namespace walb::fmt;

bool isAllZero(const uint8_t* p, size_t n) {
  static const uint8_t zeros[4096] = {};
  while (n >= sizeof(zeros)) {
    if (std::memcmp(p, zeros, sizeof(zeros)) != 0) return false;
    p += sizeof(zeros);
    n -= sizeof(zeros);
  }
  return n == 0 || std::memcmp(p, zeros, n) == 0;
}

namespace {

// Where a converted extent's blocks are: in wlog file `file` at byte `offset`, or nowhere (discard).
// `zero` is decided once per logged IO, as WalB does: every piece of an all-zero IO is ALLZERO, and a
// piece of an IO with data stays a normal record even when the blocks left of it are all zeros.
struct LogSource {
  bool discard;
  bool zero;
  uint32_t file;
  uint64_t offset;
  void advance(uint64_t blocks) {
    if (!discard) offset += blocks * kLogicalBlock;
  }
};

// Pieces at least this large are read where they lie in the mapping; smaller ones are copied.
constexpr size_t kViewMinBytes = 256u << 10;

ConvertResult convertSorted(const std::vector<std::string>& inputs, const std::string& output, const ConvertOptions& opts) {
  ConvertResult res;
  ExtentMap<LogSource> index;
  // Pass 1: every IO, split into maxIoBlocks pieces from its start, goes into the index; newest wins.
  WlogStreamSummary s = forEachIo(inputs, [&](const LoggedIo& io) {
    const bool zero = io.kind == IoKind::Write && isAllZero(io.data, size_t(io.blocks) * kLogicalBlock);
    for (uint64_t done = 0; done < io.blocks; done += opts.maxIoBlocks) {
      uint64_t n = std::min<uint64_t>(opts.maxIoBlocks, io.blocks - done);
      LogSource src{io.kind == IoKind::Discard, zero, uint32_t(io.file), io.dataOffset + done * kLogicalBlock};
      index.insert(io.address + done, n, src);
    }
    if (index.size() > res.indexExtents) res.indexExtents = index.size();
  }, /*mapped=*/true);
  // Pass 2: the visible pieces in address order, data read back from the wlogs.
  std::vector<std::unique_ptr<FileSource>> files;
  for (const auto& p : inputs) files.push_back(std::make_unique<MappedFileSource>(p));
  SortedWriterOptions wo;
  wo.compression = opts.compression;
  wo.uuid = s.uuid;
  wo.sync = opts.sync;
  wo.direct = true;  // large outputs: no page-cache copy, no writeback left for the fsync
  SortedWdiffWriter writer(output, wo);
  std::vector<uint8_t> buf;
  DiffStats& st = res.stats;
  for (const auto& [addr, e] : index.extents()) {
    uint32_t blocks = uint32_t(e.blocks);
    if (e.payload.discard) {
      writer.addDiscard(addr, blocks);
      st.discardRecords++;
      st.discardBlocks += blocks;
      continue;
    }
    if (e.payload.zero) {
      writer.addAllZero(addr, blocks);
      st.allZeroRecords++;
      st.allZeroBlocks += blocks;
      continue;
    }
    size_t bytes = size_t(blocks) * kLogicalBlock;
    FileSource& f = *files[e.payload.file];
    // Small pieces are copied out rather than read in place: they come in address order, so from
    // anywhere in the log, and a page cache of large folios maps a whole folio (up to 2 MiB) for the
    // first touch of one 4 KiB piece. In place, a 32 MiB wlog of random 4 KiB writes took 0.85 CPU-s
    // to convert and stayed mapped whole; copied, ~0.1 s and nothing mapped.
    const uint8_t* data = bytes >= kViewMinBytes ? f.view(e.payload.offset, bytes) : nullptr;
    const bool inPlace = data != nullptr;
    if (!data) {
      if (buf.size() < bytes) buf.resize(bytes);  // grows only: no zero-fill per record
      // pread (FileSource's), not a copy from the mapping (MappedFileSource's readAt).
      if (f.FileSource::readAt(e.payload.offset, buf.data(), bytes) != bytes)
        throw FormatError(f.name(), e.payload.offset, "wlog-changed", "wlog became shorter during conversion");
      data = buf.data();
    }
    // Done with these bytes after this record: keep them out of our RSS (a mapping, WALBCTL_MMAP=1).
    struct Release {
      FileSource& f;
      uint64_t off;
      size_t n;
      ~Release() {
        if (n) f.release(off, n);
      }
    } release{f, e.payload.offset, inPlace ? bytes : 0};
    writer.addData(addr, blocks, data);
    st.normalRecords++;
    st.normalBlocks += blocks;
  }
  st.fileBytes = writer.finish();
  st.dataBytes = writer.dataBytes();
  res.wlogBytes = s.bytesRead;
  res.beginLsid = s.beginLsid;
  res.endLsid = s.endLsid;
  res.logIos = s.writes + s.discards;
  res.lastWlog = lastTail(s);
  return res;
}

ConvertResult convertIndexed(const std::vector<std::string>& inputs, const std::string& output, const ConvertOptions& opts) {
  ConvertResult res;
  // The uuid is known only after the first header is read: peek it.
  uint8_t uuid[16] = {};
  {
    FileSource src(inputs.at(0));
    WlogReader r(src);
    std::memcpy(uuid, r.header().uuid, 16);
  }
  IndexedWriterOptions wo;
  wo.compression = opts.compression;
  wo.uuid = uuid;
  wo.maxIoBlocks = opts.maxIoBlocks;
  wo.sync = opts.sync;
  wo.direct = true;  // large outputs: no page-cache copy, no writeback left for the fsync
  IndexedWdiffWriter writer(output, wo);
  WlogStreamSummary s = forEachIo(inputs, [&](const LoggedIo& io) {
    if (io.kind == IoKind::Discard)
      writer.addDiscard(io.address, io.blocks);
    else
      writer.addData(io.address, io.blocks, io.data);
    if (writer.indexExtents() > res.indexExtents) res.indexExtents = writer.indexExtents();
  }, /*mapped=*/true);
  res.stats.fileBytes = writer.finish();
  res.wlogBytes = s.bytesRead;
  res.beginLsid = s.beginLsid;
  res.endLsid = s.endLsid;
  res.logIos = s.writes + s.discards;
  res.lastWlog = lastTail(s);
  return res;
}

}  // namespace

ConvertResult convertWlogs(const std::vector<std::string>& inputs, const std::string& output, const ConvertOptions& opts) {
  if (inputs.empty()) throw std::invalid_argument("no wlog given");
  if (opts.maxIoBlocks == 0) throw std::invalid_argument("maxIoBlocks must be positive");
  return opts.indexed ? convertIndexed(inputs, output, opts) : convertSorted(inputs, output, opts);
}

}  // namespace walb::ops
