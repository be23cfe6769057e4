#include "ops/inspect.h"

#include <cstring>
#include <set>

#include "format/error.h"
#include "format/io.h"
#include "format/wdiff_indexed.h"
#include "format/wdiff_sorted.h"
#include "format/wlog.h"

namespace walb::ops {

using namespace walb::fmt;

namespace {

void count(DiffStats& st, uint8_t flags, uint64_t blocks) {
  if (flags & kRecDiscard) {
    st.discardRecords++;
    st.discardBlocks += blocks;
  } else if (flags & kRecAllZero) {
    st.allZeroRecords++;
    st.allZeroBlocks += blocks;
  } else {
    st.normalRecords++;
    st.normalBlocks += blocks;
  }
}

}  // namespace

VerifyResult verifyFile(const std::string& path, bool decode) {
  FileSource src(path);
  VerifyResult v;
  v.kind = detectKind(src);
  v.fileBytes = src.size();
  std::vector<uint8_t> buf;
  if (v.kind == FileKind::SortedWdiff) {
    SortedWdiffReader r(src);
    SortedEntry e;
    while (r.next(e)) {
      if (decode && !(e.rec.flags & (kRecAllZero | kRecDiscard))) r.readData(e, buf);
      v.records++;
    }
    v.packs = r.packCount();
    v.complete = r.sawEndPack();
    v.end = r.sawEndPack() ? "end" : "end-of-file";
    v.endOffset = r.endOffset();
    if (r.endOffset() < src.size())
      throw FormatError(path, r.endOffset(), "trailing-data", "bytes follow the END pack");
  } else if (v.kind == FileKind::IndexedWdiff) {
    IndexedWdiffReader r(src);
    for (size_t i = 0; i < r.records().size(); i++) {
      if (!(r.records()[i].flags & (kRecAllZero | kRecDiscard))) r.readData(i, buf);
      v.records++;
    }
    v.end = "end";
    v.endOffset = src.size();
  } else {
    WlogReader r(src);
    WlogPack pack;
    v.beginLsid = r.header().begin_lsid;
    while (r.nextPack(pack)) {
      v.packs++;
      for (const auto& rec : pack.records)
        if (!(rec.flags & kLogRecordPadding)) v.records++;
    }
    v.end = wlogEndName(r.endReason());
    v.endOffset = r.endOffset();
    v.endDetail = r.endDetail();
    v.endLsid = r.endLsid();
    v.complete = r.endReason() == WlogEnd::EndBlock || r.endReason() == WlogEnd::EndLsid;
  }
  return v;
}

DiffStats wdiffStats(const std::string& path) {
  FileSource src(path);
  FileKind kind = detectKind(src);
  DiffStats st;
  st.fileBytes = src.size();
  if (kind == FileKind::SortedWdiff) {
    SortedWdiffReader r(src);
    SortedEntry e;
    while (r.next(e)) {
      count(st, e.rec.flags, e.rec.io_blocks);
      st.dataBytes += e.rec.data_size;
    }
  } else if (kind == FileKind::IndexedWdiff) {
    IndexedWdiffReader r(src);
    std::set<uint64_t> images;
    for (const auto& rec : r.records()) {
      count(st, rec.flags, rec.io_blocks);
      if (!(rec.flags & (kRecAllZero | kRecDiscard)) && images.insert(rec.data_offset).second) st.dataBytes += rec.data_size;
    }
  } else {
    throw FormatError(path, 0, "not-a-wdiff", "a wlog, not a wdiff");
  }
  return st;
}

WdiffView showWdiff(const std::string& path) {
  FileSource src(path);
  WdiffView v;
  v.kind = detectKind(src);
  if (v.kind == FileKind::Wlog) throw FormatError(path, 0, "not-a-wdiff", "a wlog, not a wdiff");
  std::set<uint64_t> images;
  if (v.kind == FileKind::SortedWdiff) {
    SortedWdiffReader r(src);
    std::memcpy(v.uuid, r.header().uuid, 16);
    SortedEntry e;
    while (r.next(e)) {
      const auto& x = e.rec;
      v.records.push_back({x.io_address, x.io_blocks, x.flags, x.compression, e.dataOffset, x.data_size, x.checksum});
      count(v.stats, x.flags, x.io_blocks);
      v.stats.dataBytes += x.data_size;
    }
  } else {
    IndexedWdiffReader r(src);
    std::memcpy(v.uuid, r.header().uuid, 16);
    for (const auto& x : r.records()) {
      v.records.push_back({x.io_address, x.io_blocks, x.flags, x.compression, x.data_offset, x.data_size, x.io_checksum,
                           x.io_offset, x.orig_blocks});
      count(v.stats, x.flags, x.io_blocks);
      if (!(x.flags & (kRecAllZero | kRecDiscard)) && images.insert(x.data_offset).second) v.stats.dataBytes += x.data_size;
    }
  }
  v.stats.fileBytes = src.size();
  return v;
}

WlogView showWlog(const std::string& path) {
  FileSource src(path);
  WlogReader r(src);
  WlogView v;
  v.header = r.header();
  WlogPack pack;
  while (r.nextPack(pack)) {
    WlogPackView p{pack.header.logpack_lsid, pack.fileOffset, pack.header.total_io_size, pack.header.n_padding, {}};
    for (size_t i = 0; i < pack.records.size(); i++) {
      const auto& x = pack.records[i];
      p.records.push_back({x.lsid, x.flags, x.offset, x.io_size, x.checksum, pack.dataOffsets[i]});
      if (x.flags & kLogRecordPadding) {
        v.paddings++;
      } else if (x.flags & kLogRecordDiscard) {
        v.discards++;
        v.discardBlocks += x.io_size;
      } else {
        v.writes++;
        v.writeBlocks += x.io_size;
      }
    }
    v.packs.push_back(std::move(p));
  }
  v.end = wlogEndName(r.endReason());
  v.endOffset = r.endOffset();
  v.endLsid = r.endLsid();
  v.endDetail = r.endDetail();
  return v;
}

}  // namespace walb::ops
