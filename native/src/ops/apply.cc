#include "ops/apply.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "format/error.h"
#include "format/extent_map.h"
#include "format/io.h"
#include "format/wdiff_indexed.h"
#include "format/wdiff_sorted.h"
#include "ops/detect.h"
#include "ops/preflight.h"
#include "ops/wlog_stream.h"

namespace walb::ops {

using namespace walb::fmt;

namespace {

// Refuses an input with a record beyond the end of the target (before anything is written).
void checkReach(const std::string& input, const Reach& r, const Target& t) {
  if (r.endBlock > t.sizeBlocks())
    throw FormatError(input, r.recordOffset, "target-range",
                      "a record reaches LB " + std::to_string(r.endBlock) + ", beyond the end of " + t.path() + " (" +
                          std::to_string(t.sizeBlocks()) + " blocks); nothing was written");
}

void applySorted(FileSource& src, Target& t, const ApplyOptions& opts, ApplyResult& res) {
  SortedWdiffReader r(src);
  SortedEntry e;
  std::vector<uint8_t> buf;
  while (r.next(e)) {
    const SortedRecord& rec = e.rec;
    if (rec.flags & kRecDiscard) {
      t.discard(rec.io_address, rec.io_blocks, opts.discard, src.name(), e.recordOffset);
      res.discards++;
      res.discardBlocks += rec.io_blocks;
    } else if (rec.flags & kRecAllZero) {
      t.zero(rec.io_address, rec.io_blocks, src.name(), e.recordOffset);
      res.allZeros++;
      res.allZeroBlocks += rec.io_blocks;
    } else {
      size_t bytes = size_t(rec.io_blocks) * kLogicalBlock;
      if (bytes > kMaxRecordBytes)
        throw FormatError(src.name(), e.recordOffset + 8, "record-too-large", "record too large to read as one buffer");
      if (rec.compression == 0) {  // stored as is (size and checksum checked by the reader)
        if (uint8_t* slot = t.reserve(rec.io_address, rec.io_blocks, src.name(), e.recordOffset)) {
          std::memcpy(slot, r.rawData(e), bytes);
          t.commit();
        } else {
          t.write(rec.io_address, rec.io_blocks, r.rawData(e), src.name(), e.recordOffset);
        }
      } else if (uint8_t* slot = t.reserve(rec.io_address, rec.io_blocks, src.name(), e.recordOffset)) {
        r.readData(e, slot);  // decompressed straight into the direct write's buffer
        t.commit();
      } else {
        if (buf.size() < bytes) buf.resize(bytes);
        r.readData(e, buf.data());
        t.write(rec.io_address, rec.io_blocks, buf.data(), src.name(), e.recordOffset);
      }
      res.writes++;
      res.writeBlocks += rec.io_blocks;
    }
  }
}

void applyIndexed(FileSource& src, Target& t, const ApplyOptions& opts, ApplyResult& res) {
  IndexedWdiffReader r(src);
  std::vector<uint8_t> buf;
  const auto& recs = r.records();
  for (size_t i = 0; i < recs.size(); i++) {
    const IndexedRecord& rec = recs[i];
    if (rec.flags & kRecDiscard) {
      t.discard(rec.io_address, rec.io_blocks, opts.discard, src.name(), r.recordOffset(i));
      res.discards++;
      res.discardBlocks += rec.io_blocks;
    } else if (rec.flags & kRecAllZero) {
      t.zero(rec.io_address, rec.io_blocks, src.name(), r.recordOffset(i));
      res.allZeros++;
      res.allZeroBlocks += rec.io_blocks;
    } else {
      size_t bytes = size_t(rec.io_blocks) * kLogicalBlock;
      if (bytes > kMaxRecordBytes)
        throw FormatError(src.name(), r.recordOffset(i) + 8, "record-too-large", "record too large to read as one buffer");
      if (uint8_t* slot = t.reserve(rec.io_address, rec.io_blocks, src.name(), r.recordOffset(i))) {
        r.readData(i, slot);
        t.commit();
      } else {
        if (buf.size() < bytes) buf.resize(bytes);
        r.readData(i, buf.data());
        t.write(rec.io_address, rec.io_blocks, buf.data(), src.name(), r.recordOffset(i));
      }
      res.writes++;
      res.writeBlocks += rec.io_blocks;
    }
  }
}

// Where a visible piece of a logged IO is: wlog `file` at byte `offset`, or a discard (no data).
struct LogPiece {
  bool discard;
  uint32_t file;
  uint64_t offset;
  void advance(uint64_t blocks) {
    if (!discard) offset += blocks * kLogicalBlock;
  }
};

// The log data one window holds (read in pass 1, read back from the page cache in pass 2): 1 GiB, or a
// quarter of the memory available; the window's index is a map node per visible piece.
// WALBCTL_APPLY_WINDOW (bytes) sets it (tests).
uint64_t windowBytes() {
  if (const char* e = std::getenv("WALBCTL_APPLY_WINDOW")) {
    uint64_t v = std::strtoull(e, nullptr, 10);
    if (v > 0) return v;
  }
  // Pass 2 reads the window back from the page cache: on a host with little memory to spare, a
  // smaller window, so that it is still there (a quarter of MemAvailable, at least 64 MiB).
  uint64_t w = uint64_t(1) << 30;
  if (FILE* f = std::fopen("/proc/meminfo", "r")) {
    char line[256];
    unsigned long long kib = 0;
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "MemAvailable: %llu kB", &kib) == 1) break;
    std::fclose(f);
    if (kib > 0) w = std::min<uint64_t>(w, std::max<uint64_t>(uint64_t(64) << 20, uint64_t(kib) * 1024 / 4));
  }
  return w;
}
constexpr size_t kWindowExtents = size_t(1) << 21;  // ~170 MiB of index at most
constexpr uint32_t kPieceBlocks = 2048;            // a write's slot holds at most 1 MiB

// Pass 2 of a window: its visible pieces in address order, data read back from the wlogs straight
// into the direct writes' slots (adjacent pieces share one IO).
class WindowWriter {
 public:
  WindowWriter(const std::vector<std::string>& paths, Target& t, const ApplyOptions& opts)
      : paths_(paths), t_(t), opts_(opts), files_(paths.size()) {}

  void write(const ExtentMap<LogPiece>& index) {
    for (const auto& [addr, e] : index.extents()) {
      const LogPiece& p = e.payload;
      const std::string& name = paths_[p.file];
      if (p.discard) {
        t_.discard(addr, e.blocks, opts_.discard, name, p.offset);
        continue;
      }
      for (uint64_t done = 0; done < e.blocks; done += kPieceBlocks) {
        uint32_t n = uint32_t(std::min<uint64_t>(kPieceBlocks, e.blocks - done));
        uint64_t off = p.offset + done * kLogicalBlock;
        size_t bytes = size_t(n) * kLogicalBlock;
        if (uint8_t* slot = t_.reserve(addr + done, n, name, off)) {
          read(p.file, off, slot, bytes);
          t_.commit();
        } else {
          if (buf_.size() < bytes) buf_.resize(bytes);
          read(p.file, off, buf_.data(), bytes);
          t_.write(addr + done, n, buf_.data(), name, off);
        }
      }
    }
  }

 private:
  void read(uint32_t file, uint64_t off, uint8_t* dst, size_t n) {
    if (!files_[file]) files_[file] = std::make_unique<FileSource>(paths_[file]);
    int fd = files_[file]->fd();
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd, dst + done, n - done, off_t(off + done));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw IoError(paths_[file], "read", errno);
      if (r == 0)
        throw FormatError(paths_[file], off + done, "wlog-changed", "wlog became shorter while it was applied");
      done += size_t(r);
    }
  }

  const std::vector<std::string>& paths_;
  Target& t_;
  const ApplyOptions& opts_;
  std::vector<std::unique_ptr<FileSource>> files_;
  std::vector<uint8_t> buf_;
};

// A window of the log at a time (1 GiB of data by default): pass 1 reads it (every logpack and IO
// checksum checked) into an extent index where the newest write wins; pass 2 writes only what stays
// visible, in address order, adjacent pieces joined into one IO. The image is the one a write of every
// IO in log order gives (wlog-redo's), with fewer bytes and fewer, larger IOs. The next window's
// writes start after this one's: the index keeps a window's writes disjoint, and AioWriter makes a
// write wait for an overlapping one in flight.
//
// `unchecked`: nothing was written yet and these wlogs had no headers-only pass (applyLogs): pass 1
// checks that every IO fits the target before the first write; if the log is longer than a window,
// the headers of what is left (from the file being read on) are read before that write.
void applyWlogs(const std::vector<std::string>& paths, Target& t, const ApplyOptions& opts, ApplyResult& res, bool unchecked) {
  ExtentMap<LogPiece> index;
  WindowWriter writer(paths, t, opts);
  const uint64_t window = windowBytes();
  uint64_t held = 0;
  WlogStreamSummary s = forEachIo(paths, [&](const LoggedIo& io) {
    uint64_t bytes = io.kind == IoKind::Write ? uint64_t(io.blocks) * kLogicalBlock : 0;
    if (!index.empty() && (held + bytes > window || index.size() >= kWindowExtents)) {
      if (unchecked) {
        for (size_t f = io.file; f < paths.size(); f++) {
          FileSource src(paths[f]);
          checkReach(paths[f], inputReach(src, FileKind::Wlog), t);
        }
        unchecked = false;
      }
      writer.write(index);
      index.clear();
      held = 0;
    }
    if (unchecked && (io.address > t.sizeBlocks() || io.blocks > t.sizeBlocks() - io.address))
      checkReach(paths[io.file], Reach{io.address + io.blocks < io.address ? ~uint64_t(0) : io.address + io.blocks, io.recordOffset}, t);
    if (io.kind == IoKind::Discard) {
      index.insert(io.address, io.blocks, LogPiece{true, uint32_t(io.file), io.dataOffset});
      res.discards++;
      res.discardBlocks += io.blocks;
    } else {
      index.insert(io.address, io.blocks, LogPiece{false, uint32_t(io.file), io.dataOffset});
      held += bytes;
      res.writes++;
      res.writeBlocks += io.blocks;
    }
  }, /*mapped=*/true);
  writer.write(index);
  res.inputBytes += s.bytesRead;
  res.lastWlog = lastTail(s);
}

}  // namespace

ApplyResult applyLogs(const std::vector<std::string>& inputs, const std::string& target, const ApplyOptions& opts) {
  if (inputs.empty()) throw std::invalid_argument("nothing to apply");
  // Before touching the target: every input's headers, and whether the target is large enough.
  // The wlogs the inputs begin with are checked by their own pass 1 instead, which reads every logpack
  // before the first write: on a cold log, a headers-only pass reads the whole log from the disk (its
  // read-ahead) and pass 1 then reads it again, one after the other.
  std::vector<FileKind> kinds;
  for (const auto& p : inputs) {
    FileSource src(p);
    kinds.push_back(detectKind(src));
  }
  size_t leading = 0;
  while (leading < inputs.size() && kinds[leading] == FileKind::Wlog) leading++;
  std::vector<Reach> reaches(inputs.size());
  for (size_t i = leading; i < inputs.size(); i++) {
    FileSource src(inputs[i]);
    reaches[i] = inputReach(src, kinds[i]);
  }
  Target t(target);
  for (size_t i = leading; i < inputs.size(); i++) checkReach(inputs[i], reaches[i], t);
  ApplyResult res;
  for (size_t i = 0; i < inputs.size();) {
    if (kinds[i] == FileKind::Wlog) {
      std::vector<std::string> run;
      bool unchecked = i == 0;
      while (i < inputs.size() && kinds[i] == FileKind::Wlog) run.push_back(inputs[i++]);
      applyWlogs(run, t, opts, res, unchecked);
      continue;
    }
    MappedFileSource src(inputs[i]);
    res.inputBytes += src.size();
    res.lastWlog = WlogTail{};  // a wdiff after the wlogs: the last input is not a wlog
    if (kinds[i] == FileKind::SortedWdiff)
      applySorted(src, t, opts, res);
    else
      applyIndexed(src, t, opts, res);
    i++;
  }
  t.flush();
  if (opts.sync) t.sync();
  res.bytesWritten = t.bytesWritten();
  return res;
}

}  // namespace walb::ops
