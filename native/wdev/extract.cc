#include "extract.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "format/wlog.h"
#include "scan.h"

namespace wdev {

namespace {

// Reads and checks the header of the pack at `lsid` only (its data stays in the ring): false with
// `p->error` and `p->errorOffset` when it is not a valid pack for `lsid`.
bool ReadPackHeader(const Ldev& ldev, const Super& s, uint64_t lsid, PackRead* p) {
  p->bytes.resize(s.physicalBs);
  p->error.clear();
  p->errorOffset = ldev.RingByteOffset(lsid, s.ringBlocks, s.physicalBs);
  ldev.RingRead(lsid, p->bytes.data(), 1, s);
  p->error = DecodeLogpack(p->bytes.data(), s.physicalBs, s.salt, lsid, &p->header);
  if (p->error.empty() && uint64_t{p->header.totalIoSize} + 1 > s.ringBlocks) p->error = "logpack total_io_size at +6 exceeds the ring";
  return p->error.empty();
}

}  // namespace

ExtractResult ExtractWlog(const Ldev& ldev, const Super& s, uint64_t from, uint64_t to, const std::string& out, uint64_t maxBytes, bool frameOnly) {
  ExtractResult res;
  res.ringBlocks = s.ringBlocks;
  int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw WdevError("io", out + ": cannot create: " + std::strerror(errno));
  try {
    const std::vector<uint8_t> head = walb::fmt::makeWlogHeader(s.physicalBs, s.salt, s.uuid, from, to);
    uint64_t pos = 0;
    PwriteAll(fd, head.data(), head.size(), pos, out);
    pos += head.size();
    PackRead p;
    uint64_t lsid = from;
    uint64_t copied = 0;
    for (; lsid < to; lsid = p.next()) {
      if (!(frameOnly ? ReadPackHeader(ldev, s, lsid, &p) : ReadPack(ldev, s, lsid, &p))) {
        if (lsid == from && from != s.oldestLsid) {
          // Shipping only starts at the oldest lsid or at a snapshot's, which start packs: a bad
          // start given by hand is the likelier cause.
          throw WdevError("bad-lsid", "lsid " + std::to_string(from) + " does not start a logpack (" + p.error + " at ldev byte offset " +
                                          std::to_string(p.errorOffset) + ")");
        }
        throw WdevError("corrupt-logpack", ldev.path() + ": corrupt logpack at byte offset " + std::to_string(p.errorOffset) +
                                               " (lsid " + std::to_string(lsid) + "): " + p.error +
                                               " (repair with \"walbctl wdev repair\", which marks the volume overflowed)");
      }
      if (p.next() > to) throw WdevError("bad-lsid", "lsid " + std::to_string(to) + " is not a logpack boundary");
      const uint64_t packBytes = (1 + uint64_t{p.header.totalIoSize}) * s.physicalBs;
      if (maxBytes > 0 && res.packs > 0 && copied + packBytes > maxBytes) break;
      copied += packBytes;
      if (!frameOnly) {
        PwriteAll(fd, p.bytes.data(), p.bytes.size(), pos, out);
        pos += p.bytes.size();
      }
      res.packs++;
      for (const LogRecord& r : p.header.records) (r.flags & kRecDiscard ? res.discards : res.ios)++;
    }
    res.end = lsid;
    if (lsid != to) {  // stopped early: the header's end_lsid says where
      const std::vector<uint8_t> h2 = walb::fmt::makeWlogHeader(s.physicalBs, s.salt, s.uuid, from, lsid);
      PwriteAll(fd, h2.data(), h2.size(), 0, out);
    }
    const std::vector<uint8_t> end = walb::fmt::makeEndBlock(s.physicalBs, s.salt);
    PwriteAll(fd, end.data(), end.size(), pos, out);
    pos += end.size();
    // The frame is read back at once by the sender of the same host: no fsync (a crash loses only a
    // batch not yet sent, cut again from the ring).
    if (!frameOnly && fsync(fd) != 0) throw WdevError("io", out + ": fsync: " + std::strerror(errno));
    res.bytes = frameOnly ? pos + copied : pos;
  } catch (...) {
    close(fd);
    unlink(out.c_str());
    throw;
  }
  close(fd);
  return res;
}

std::string ExtractJson(const ExtractResult& r, uint64_t from, uint32_t pbs) {
  char line[320];
  std::snprintf(line, sizeof line, "{\"packs\":%llu,\"ios\":%llu,\"discards\":%llu,\"bytes\":%llu,\"from\":%llu,\"to\":%llu,\"ringBlocks\":%llu,\"pbs\":%u}",
                static_cast<unsigned long long>(r.packs), static_cast<unsigned long long>(r.ios), static_cast<unsigned long long>(r.discards),
                static_cast<unsigned long long>(r.bytes), static_cast<unsigned long long>(from), static_cast<unsigned long long>(r.end),
                static_cast<unsigned long long>(r.ringBlocks), pbs);
  return line;
}

}  // namespace wdev
