#include "ops/wlog_stream.h"

#include <cstring>
#include <memory>

#include "format/error.h"
#include "format/layout.h"

namespace walb::ops {

using namespace walb::fmt;

WlogStreamSummary forEachIo(const std::vector<std::string>& paths, const std::function<void(const LoggedIo&)>& fn,
                            bool mapped) {
  WlogStreamSummary s;
  for (size_t f = 0; f < paths.size(); f++) {
    std::unique_ptr<FileSource> file = mapped ? std::make_unique<MappedFileSource>(paths[f]) : std::make_unique<FileSource>(paths[f]);
    FileSource& src = *file;
    WlogReader reader(src);
    const WlogHeader& h = reader.header();
    if (f == 0) {
      s.pbs = h.physical_bs;
      std::memcpy(s.uuid, h.uuid, 16);
      s.beginLsid = h.begin_lsid;
    } else {
      if (std::memcmp(s.uuid, h.uuid, 16) != 0)
        throw FormatError(paths[f], 24, "wlog-sequence", "uuid differs from " + paths[0] + ": not a wlog of the same device");
      if (h.physical_bs != s.pbs)
        throw FormatError(paths[f], 20, "wlog-sequence", "physical_bs differs from " + paths[0]);
      if (h.begin_lsid != s.endLsid)
        throw FormatError(paths[f], 40, "wlog-sequence", "begin_lsid " + std::to_string(h.begin_lsid) +
                                                            " does not continue the previous wlog (which ended at lsid " +
                                                            std::to_string(s.endLsid) + ")");
    }
    WlogPack pack;
    uint64_t packs = 0;
    while (reader.nextPack(pack)) {
      s.packs++;
      packs++;
      s.bytesRead += uint64_t(pack.header.total_io_size + 1) * h.physical_bs;
      for (size_t i = 0; i < pack.records.size(); i++) {
        const LogRecord& r = pack.records[i];
        if (r.flags & kLogRecordPadding) {
          s.paddings++;
          continue;
        }
        LoggedIo io{};
        io.address = r.offset;
        io.blocks = r.io_size;
        io.file = f;
        io.recordOffset = pack.fileOffset + kLogpackRecordsOffset + sizeof(LogRecord) * i;
        if (r.flags & kLogRecordDiscard) {
          io.kind = IoKind::Discard;
          s.discards++;
          s.discardBlocks += r.io_size;
        } else {
          io.kind = IoKind::Write;
          io.data = reader.ioData(pack, i);
          io.dataOffset = pack.dataOffsets[i];
          s.writes++;
          s.writeBlocks += r.io_size;
        }
        if (fn) fn(io);
      }
    }
    s.endLsid = reader.endLsid();
    s.ends.push_back(reader.endReason());
    s.endOffsets.push_back(reader.endOffset());
    s.filePacks.push_back(packs);
    s.endDetails.push_back(reader.endDetail());
  }
  return s;
}

WlogTail lastTail(const WlogStreamSummary& s) {
  WlogTail t;
  if (s.ends.empty()) return t;
  t.known = true;
  WlogEnd e = s.ends.back();
  t.complete = e == WlogEnd::EndBlock || e == WlogEnd::EndLsid;
  t.end = wlogEndName(e);
  t.endOffset = s.endOffsets.back();
  t.packs = s.filePacks.back();
  t.detail = s.endDetails.back();
  return t;
}

}  // namespace walb::ops
