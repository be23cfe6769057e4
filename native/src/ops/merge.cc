#include "ops/merge.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <queue>
#include <vector>

#include "format/checksum.h"
#include "format/error.h"
#include "format/io.h"
#include "format/wdiff_header.h"
#include "format/wdiff_indexed.h"
#include "format/wdiff_sorted.h"
#include "format/extent_map.h"

namespace walb::ops {

using namespace walb::fmt;

namespace {

// Where a merged extent's blocks come from: the (compressed) record or image at `offset` in input
// `input`, starting `skip` blocks into its decompressed form.
struct DiffSource {
  uint32_t input;
  uint8_t flags;        // kRecAllZero / kRecDiscard / 0
  uint8_t compression;
  uint64_t offset;      // file offset of the compressed bytes
  uint32_t size;        // compressed bytes
  uint32_t sum;         // their checksum
  uint32_t origBlocks;  // blocks of the decompressed record / image
  uint32_t skip;        // blocks into it where this extent starts
  uint32_t rec;         // the record's ordinal in its sorted input (kNoRec: no data, or an indexed input's image)
  void advance(uint64_t blocks) { skip += uint32_t(blocks); }
};

constexpr uint32_t kNoRec = UINT32_MAX;

class DataReader {
 public:
  explicit DataReader(const std::vector<std::string>& paths) {
    for (const auto& p : paths) files_.push_back(std::make_unique<MappedFileSource>(p));
    windows_.resize(paths.size());
    // 1 MiB per input, 64 MiB in all at most (an archive may merge hundreds of diffs): >= 64 KiB.
    window_ = std::clamp<size_t>((kWindowsBytes / paths.size()) / 4096 * 4096, 64u << 10, 1u << 20);
  }
  // The decompressed record or image of `s` (cached: consecutive pieces of one image reuse it). A
  // record stored uncompressed is its raw bytes, in place.
  const uint8_t* image(const DiffSource& s) {
    if (s.compression == uint8_t(Compression::None)) {
      if (size_t(s.origBlocks) * kLogicalBlock != s.size)
        throw FormatError(files_[s.input]->name(), s.offset, "record-decompress", "record data does not decompress (stored uncompressed, but its size is not its blocks' size)");
      return raw(s);
    }
    if (valid_ && s.input == cur_.input && s.offset == cur_.offset && s.size == cur_.size &&
        s.origBlocks == cur_.origBlocks && s.compression == cur_.compression && s.sum == cur_.sum)
      return decoded_.data();
    valid_ = false;
    FileSource& f = *files_[s.input];
    const uint8_t* raw = this->raw(s);
    size_t bytes = size_t(s.origBlocks) * kLogicalBlock;
    if (decoded_.size() < bytes) decoded_.resize(bytes);
    if (!decompress(Compression(s.compression), raw, s.size, decoded_.data(), bytes))
      throw FormatError(f.name(), s.offset, "record-decompress", "record data does not decompress");
    cur_ = s;
    valid_ = true;
    return decoded_.data();
  }
  const uint8_t* raw(const DiffSource& s) {
    FileSource& f = *files_[s.input];
    if (last_) last_->release(lastOffset_, lastSize_);  // done with the previous record's bytes
    const uint8_t* p = f.view(s.offset, s.size);
    if (!p) p = windowed(s);
    last_ = &f;
    lastOffset_ = s.offset;
    lastSize_ = s.size;
    if (checksum(p, s.size, 0) != s.sum)
      throw FormatError(f.name(), s.offset, "record-data-checksum", "record data checksum mismatch");
    return p;
  }
  // Reads ahead: records of one sorted input are read in file order (address order, the records
  // later inputs overwrote whole included), so a window per input (1 MiB; less with many inputs)
  // serves them with one pread each, not one per record (27,000 preads for a 400 MB merge). The
  // pointer holds until the input's next read.
  const uint8_t* windowed(const DiffSource& s) {
    Window& w = windows_[s.input];
    if (s.offset >= w.start && s.offset + s.size <= w.start + w.len) return w.buf.data() + (s.offset - w.start);
    FileSource& f = *files_[s.input];
    uint64_t left = f.size() > s.offset ? f.size() - s.offset : 0;
    size_t want = size_t(std::min<uint64_t>(std::max<size_t>(s.size, window_), left));
    if (want < s.size) throw FormatError(f.name(), s.offset, "wdiff-changed", "input became shorter during the merge");
    w.buf.grow(want);
    w.len = f.readAt(s.offset, w.buf.data(), want);
    w.start = s.offset;
    if (w.len < s.size) {
      w.len = 0;
      throw FormatError(f.name(), s.offset, "wdiff-changed", "input became shorter during the merge");
    }
    return w.buf.data();
  }

 private:
  std::vector<std::unique_ptr<FileSource>> files_;
  struct Window {
    PageBuffer buf;
    uint64_t start = 0;
    size_t len = 0;
  };
  static constexpr size_t kWindowsBytes = 64u << 20;
  size_t window_ = 1u << 20;
  std::vector<Window> windows_;
  std::vector<uint8_t> decoded_;
  DiffSource cur_{};
  bool valid_ = false;
  FileSource* last_ = nullptr;
  uint64_t lastOffset_ = 0;
  size_t lastSize_ = 0;
};

// One input read forward in address order: a sorted wdiff's records through its reader (headers
// only: pass 2's DataReader reads and checksums the data), an indexed wdiff's index (in address order,
// as its reader checks).
struct Cursor {
  uint32_t input = 0;
  std::unique_ptr<MappedFileSource> file;
  std::unique_ptr<SortedWdiffReader> sorted;
  std::unique_ptr<IndexedWdiffReader> indexed;
  size_t nextIndexed = 0;
  uint32_t ordinal = 0;  // of the next normal record of a sorted input
  // The current record.
  uint64_t addr = 0;
  uint32_t blocks = 0;
  DiffSource src{};
  // The last normal record of a sorted input handed to the index, until it is passed: pass 2 reads
  // it when an extent points into it; if none does, it is checksummed when the input's next record
  // arrives (or at the end), in file order.
  bool hasLast = false, lastUsed = false;
  DiffSource last{};

  bool advance() {
    if (sorted) {
      SortedEntry e;
      if (!sorted->next(e)) return false;
      const SortedRecord& rec = e.rec;
      uint8_t kind = rec.flags & (kRecAllZero | kRecDiscard);
      addr = rec.io_address;
      blocks = rec.io_blocks;
      src = DiffSource{input, kind, rec.compression, e.dataOffset, rec.data_size, rec.checksum, rec.io_blocks, 0,
                       kind ? kNoRec : ordinal++};
      return true;
    }
    if (nextIndexed >= indexed->records().size()) return false;
    const IndexedRecord& rec = indexed->records()[nextIndexed++];
    uint8_t kind = rec.flags & (kRecAllZero | kRecDiscard);
    addr = rec.io_address;
    blocks = rec.io_blocks;
    src = DiffSource{input, kind, rec.compression, rec.data_offset, rec.data_size, rec.io_checksum,
                     rec.orig_blocks, kind ? 0 : rec.io_offset, kNoRec};
    return true;
  }
};

}  // namespace

// A k-way merge: the inputs are read side by side, a record at a time from the input whose next
// record starts lowest, into the extent index (newest input wins whatever the order of the inserts:
// insertUnder). Every extent that ends at or before the lowest next start is final (no record to
// come can overlap it) and is written then and removed. The output is written while the inputs'
// headers are still being read, and the index holds only the extents that straddle the inputs'
// positions. The records are the ones inserting every input whole, oldest first, gives (see design.md).
MergeResult mergeWdiffs(const std::vector<std::string>& inputs, const std::string& output, const MergeOptions& opts) {
  if (inputs.empty()) throw std::invalid_argument("no wdiff given");
  MergeResult res;
  ExtentMap<DiffSource> index;
  uint8_t uuid[16] = {};
  bool sameUuid = true;
  std::vector<Cursor> cursors(inputs.size());
  for (size_t i = 0; i < inputs.size(); i++) {
    Cursor& c = cursors[i];
    c.input = uint32_t(i);
    c.file = std::make_unique<MappedFileSource>(inputs[i]);
    WdiffFileHeader h = readWdiffHeader(*c.file);
    if (i == 0)
      std::memcpy(uuid, h.uuid, 16);
    else if (std::memcmp(uuid, h.uuid, 16) != 0)
      sameUuid = false;
    if (h.type == kWdiffSorted)
      c.sorted = std::make_unique<SortedWdiffReader>(*c.file, /*verifyData=*/false);
    else
      c.indexed = std::make_unique<IndexedWdiffReader>(*c.file);
  }
  // The inputs by their next record's start (ties: any order, insertUnder decides who wins).
  using Head = std::pair<uint64_t, uint32_t>;
  std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heads;
  for (Cursor& c : cursors)
    if (c.advance()) heads.emplace(c.addr, c.input);

  SortedWriterOptions wo;
  wo.compression = opts.compression;
  wo.uuid = opts.hasUuid ? opts.uuid : sameUuid ? uuid : nullptr;
  wo.sync = opts.sync;
  wo.direct = true;  // large outputs: no page-cache copy, no writeback left for the fsync
  SortedWdiffWriter writer(output, wo);
  DataReader reader(inputs);
  DiffStats& st = res.stats;
  auto write = [&](uint64_t addr, const ExtentMap<DiffSource>::Extent& e) {
    const DiffSource& s = e.payload;
    // A record longer than 2^32-1 blocks cannot come from the inputs; pieces fit in u32.
    uint32_t blocks = uint32_t(e.blocks);
    if (s.flags & kRecDiscard) {
      writer.addDiscard(addr, blocks);
      st.discardRecords++;
      st.discardBlocks += blocks;
      return;
    }
    if (s.flags & kRecAllZero) {
      writer.addAllZero(addr, blocks);
      st.allZeroRecords++;
      st.allZeroBlocks += blocks;
      return;
    }
    if (s.rec != kNoRec) cursors[s.input].lastUsed = true;  // an extent of a record is written before its input's next record arrives
    bool whole = s.skip == 0 && blocks == s.origBlocks;
    if (whole && s.compression == uint8_t(opts.compression)) {
      SortedRecord rec{};
      rec.io_address = addr;
      rec.io_blocks = blocks;
      rec.compression = s.compression;
      rec.data_size = s.size;
      rec.checksum = s.sum;  // raw() checks it
      writer.addRaw(rec, reader.raw(s));
      res.copiedRecords++;
      st.normalRecords++;
      st.normalBlocks += blocks;
      return;
    }
    const uint8_t* data = reader.image(s) + size_t(s.skip) * kLogicalBlock;
    res.reencodedRecords++;
    // A piece of a normal record stays normal even when its blocks are all zeros (WalB keeps the
    // record's kind through cuts; the outputs are then byte-identical).
    // A whole record stored uncompressed keeps its checksum (raw() checked it) if it stays so.
    bool sameBytes = whole && s.compression == uint8_t(Compression::None);
    writer.addData(addr, blocks, data, sameBytes ? &s.sum : nullptr);
    st.normalRecords++;
    st.normalBlocks += blocks;
  };
  // A record no extent pointed into (later inputs overwrote it whole) is still read and checksummed,
  // in its file's order: a damaged input fails the merge as it fails WalB's, which reads every record.
  auto settle = [&](Cursor& c) {
    if (c.hasLast && !c.lastUsed) reader.raw(c.last);
    c.hasLast = false;
  };
  for (;;) {
    uint64_t frontier = heads.empty() ? UINT64_MAX : heads.top().first;
    index.takeUpTo(frontier, write);
    if (heads.empty()) break;
    Cursor& c = cursors[heads.top().second];
    heads.pop();
    uint32_t input = c.input;
    index.insertUnder(c.addr, c.blocks, c.src, [input](const DiffSource& s) { return s.input > input; });
    if (index.size() > res.indexExtents) res.indexExtents = index.size();
    res.inputRecords++;
    if (c.src.rec != kNoRec) {
      settle(c);  // its records before this one are passed: every extent of them is written
      c.hasLast = true;
      c.lastUsed = false;
      c.last = c.src;
    }
    if (c.advance()) heads.emplace(c.addr, c.input);
  }
  for (Cursor& c : cursors) settle(c);
  st.fileBytes = writer.finish();
  st.dataBytes = writer.dataBytes();
  return res;
}

}  // namespace walb::ops
