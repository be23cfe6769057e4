#include "ops/merge.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>

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
  uint32_t rec;         // the record's ordinal in its sorted input (kNoRec: an indexed input's image)
  void advance(uint64_t blocks) { skip += uint32_t(blocks); }
};

constexpr uint32_t kNoRec = UINT32_MAX;

// A sorted input's normal record, for the check of those pass 2 never reads (overwritten whole).
struct RecordData {
  uint64_t offset;
  uint32_t size;
  uint32_t sum;
};

class DataReader {
 public:
  // `checked[i][r]` is set when record r of input i has been read and its checksum matched.
  DataReader(const std::vector<std::string>& paths, std::vector<std::vector<uint8_t>>& checked) : checked_(checked) {
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
    if (s.rec != kNoRec) checked_[s.input][s.rec] = 1;
    return p;
  }
  // Checksums the data of every normal record of a sorted input that pass 2 did not read: records
  // later inputs overwrite whole. Their data does not reach the output, but a damaged input must
  // still fail the merge (as it fails WalB's, which reads every record), in file order.
  // Reads ahead: records of one input are read in file order (address order in a sorted input, the
  // order of checkUnread), so a window per input (1 MiB; less with many inputs) serves them with one pread each, not one per
  // record (27,000 preads for a 400 MB merge). The pointer holds until the input's next read.
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
  void checkUnread(size_t input, const std::vector<RecordData>& recs, const std::atomic<bool>* stop = nullptr) {
    for (size_t r = 0; r < recs.size(); r++) {
      if (checked_[input][r]) continue;
      if (stop && stop->load(std::memory_order_relaxed)) return;
      DiffSource s{uint32_t(input), 0, 0, recs[r].offset, recs[r].size, recs[r].sum, 0, 0, uint32_t(r)};
      raw(s);
    }
  }

 private:
  std::vector<std::unique_ptr<FileSource>> files_;
  std::vector<std::vector<uint8_t>>& checked_;
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

}  // namespace

MergeResult mergeWdiffs(const std::vector<std::string>& inputs, const std::string& output, const MergeOptions& opts) {
  if (inputs.empty()) throw std::invalid_argument("no wdiff given");
  MergeResult res;
  ExtentMap<DiffSource> index;
  uint8_t uuid[16] = {};
  bool sameUuid = true;
  std::vector<std::vector<RecordData>> records(inputs.size());  // sorted inputs' normal records
  std::vector<std::vector<uint8_t>> checked(inputs.size());
  // Pass 1: the index. Later inputs are inserted later, so they win.
  for (size_t i = 0; i < inputs.size(); i++) {
    MappedFileSource src(inputs[i]);
    WdiffFileHeader h = readWdiffHeader(src);
    if (i == 0)
      std::memcpy(uuid, h.uuid, 16);
    else if (std::memcmp(uuid, h.uuid, 16) != 0)
      sameUuid = false;
    if (h.type == kWdiffSorted) {
      // Headers only: pass 2 reads and checksums the data of every record it writes (DataReader::raw)
      // and, on a second thread during pass 2, of the records later inputs overwrote whole (checkUnread): each record's
      // data is read and checksummed once.
      SortedWdiffReader r(src, /*verifyData=*/false);
      SortedEntry e;
      while (r.next(e)) {
        const SortedRecord& rec = e.rec;
        uint8_t kind = rec.flags & (kRecAllZero | kRecDiscard);
        uint32_t ordinal = kNoRec;
        if (!kind) {
          ordinal = uint32_t(records[i].size());
          records[i].push_back(RecordData{e.dataOffset, rec.data_size, rec.checksum});
        }
        DiffSource s{uint32_t(i), kind, rec.compression, e.dataOffset, rec.data_size, rec.checksum, rec.io_blocks, 0, ordinal};
        index.insert(rec.io_address, rec.io_blocks, s);
        res.inputRecords++;
      }
    } else {
      IndexedWdiffReader r(src);
      for (const IndexedRecord& rec : r.records()) {
        uint8_t kind = rec.flags & (kRecAllZero | kRecDiscard);
        DiffSource s{uint32_t(i), kind, rec.compression, rec.data_offset, rec.data_size, rec.io_checksum,
                     rec.orig_blocks, kind ? 0 : rec.io_offset, kNoRec};  // the reader checksummed the images
        index.insert(rec.io_address, rec.io_blocks, s);
        res.inputRecords++;
      }
    }
    if (index.size() > res.indexExtents) res.indexExtents = index.size();
    checked[i].assign(records[i].size(), 0);
  }
  // The records later inputs overwrote whole: no extent points into them, so pass 2 does not read
  // them. Their data is checksummed on a second thread, with its own descriptors and windows, while
  // pass 2 writes the output (at the end, after pass 2, it held the output's finish back: ~0.2 s of
  // a 1.2 s merge of ten 80 MB `--rand` wdiffs). Pass 2 reads every record an extent points into.
  std::vector<std::vector<uint8_t>> used(inputs.size());
  for (size_t i = 0; i < inputs.size(); i++) used[i].assign(records[i].size(), 0);
  bool anyUnread = false;
  for (const auto& [addr, e] : index.extents())
    if (e.payload.rec != kNoRec) used[e.payload.input][e.payload.rec] = 1;
  for (const auto& u : used) anyUnread = anyUnread || std::find(u.begin(), u.end(), 0) != u.end();
  std::atomic<bool> stopUnread{false};
  std::exception_ptr unreadError;
  std::thread unread;
  if (anyUnread) {
    unread = std::thread([&] {
      try {
        DataReader r2(inputs, used);  // marks what it checks in `used`, which only it touches now
        for (size_t i = 0; i < inputs.size() && !stopUnread; i++) r2.checkUnread(i, records[i], &stopUnread);
      } catch (...) {
        unreadError = std::current_exception();
      }
    });
  }
  struct Joiner {
    std::thread& t;
    std::atomic<bool>& stop;
    ~Joiner() {
      stop = true;  // pass 2 failed: its error is the one reported
      if (t.joinable()) t.join();
    }
  } joiner{unread, stopUnread};
  // Pass 2: the visible pieces in address order.
  SortedWriterOptions wo;
  wo.compression = opts.compression;
  wo.uuid = opts.hasUuid ? opts.uuid : sameUuid ? uuid : nullptr;
  wo.sync = opts.sync;
  wo.direct = true;  // large outputs: no page-cache copy, no writeback left for the fsync
  SortedWdiffWriter writer(output, wo);
  DataReader reader(inputs, checked);
  DiffStats& st = res.stats;
  for (const auto& [addr, e] : index.extents()) {
    const DiffSource& s = e.payload;
    // A record longer than 2^32-1 blocks cannot come from the inputs; pieces fit in u32.
    uint32_t blocks = uint32_t(e.blocks);
    if (s.flags & kRecDiscard) {
      writer.addDiscard(addr, blocks);
      st.discardRecords++;
      st.discardBlocks += blocks;
      continue;
    }
    if (s.flags & kRecAllZero) {
      writer.addAllZero(addr, blocks);
      st.allZeroRecords++;
      st.allZeroBlocks += blocks;
      continue;
    }
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
      continue;
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
  }
  // Before the output is finished: a damaged record fails the merge even where it is overwritten.
  if (unread.joinable()) unread.join();
  if (unreadError) std::rethrow_exception(unreadError);
  st.fileBytes = writer.finish();
  st.dataBytes = writer.dataBytes();
  return res;
}

}  // namespace walb::ops
