#include "ops/apply.h"

#include <cstring>
#include <memory>
#include <stdexcept>

#include "format/error.h"
#include "format/io.h"
#include "format/wdiff_indexed.h"
#include "format/wdiff_sorted.h"
#include "ops/detect.h"
#include "ops/preflight.h"
#include "ops/wlog_stream.h"

namespace walb::ops {

using namespace walb::fmt;

namespace {

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

void applyWlogs(const std::vector<std::string>& paths, Target& t, const ApplyOptions& opts, ApplyResult& res) {
  // Read with pread, a logpack at a time (a mapping only with WALBCTL_MMAP=1: format/io.h says why),
  // each IO then copied into its AIO slot.
  WlogStreamSummary s = forEachIo(paths, [&](const LoggedIo& io) {
    if (io.kind == IoKind::Discard) {
      t.discard(io.address, io.blocks, opts.discard, paths[io.file], io.dataOffset);
      res.discards++;
      res.discardBlocks += io.blocks;
    } else {
      t.write(io.address, io.blocks, io.data, paths[io.file], io.dataOffset);
      res.writes++;
      res.writeBlocks += io.blocks;
    }
  }, /*mapped=*/true);
  res.inputBytes += s.bytesRead;
  res.lastWlog = lastTail(s);
}

}  // namespace

ApplyResult applyLogs(const std::vector<std::string>& inputs, const std::string& target, const ApplyOptions& opts) {
  if (inputs.empty()) throw std::invalid_argument("nothing to apply");
  // Before touching the target: every input's headers, and whether the target is large enough.
  std::vector<FileKind> kinds;
  std::vector<Reach> reaches;
  for (const auto& p : inputs) {
    FileSource src(p);
    kinds.push_back(detectKind(src));
    reaches.push_back(inputReach(src, kinds.back()));
  }
  Target t(target);
  for (size_t i = 0; i < inputs.size(); i++) {
    if (reaches[i].endBlock > t.sizeBlocks())
      throw FormatError(inputs[i], reaches[i].recordOffset, "target-range",
                        "a record reaches LB " + std::to_string(reaches[i].endBlock) + ", beyond the end of " + target + " (" +
                            std::to_string(t.sizeBlocks()) + " blocks); nothing was written");
  }
  ApplyResult res;
  for (size_t i = 0; i < inputs.size();) {
    if (kinds[i] == FileKind::Wlog) {
      std::vector<std::string> run;
      while (i < inputs.size() && kinds[i] == FileKind::Wlog) run.push_back(inputs[i++]);
      applyWlogs(run, t, opts, res);
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
