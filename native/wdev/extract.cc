#include "extract.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "format/wlog.h"
#include "scan.h"

namespace wdev {

ExtractResult ExtractWlog(const Ldev& ldev, const Super& s, uint64_t from, uint64_t to, const std::string& out, uint64_t maxBytes) {
  ExtractResult res;
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
      if (!ReadPack(ldev, s, lsid, &p)) {
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
      if (maxBytes > 0 && res.packs > 0 && copied + p.bytes.size() > maxBytes) break;
      copied += p.bytes.size();
      PwriteAll(fd, p.bytes.data(), p.bytes.size(), pos, out);
      pos += p.bytes.size();
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
    if (fsync(fd) != 0) throw WdevError("io", out + ": fsync: " + std::strerror(errno));
    res.bytes = pos;
  } catch (...) {
    close(fd);
    unlink(out.c_str());
    throw;
  }
  close(fd);
  return res;
}

}  // namespace wdev
