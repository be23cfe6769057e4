#include "extract.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "direct_io.h"

#include "format/wlog.h"
#include "scan.h"

namespace wdev {

namespace {

// The ring's blocks for the header walk of a frame-only extract, read in windows through a second
// fd opened with O_DIRECT: a buffered read would copy every block through the page cache (on this
// project's VMs ~30 % of the shipping's CPU was that copy) and leave the ldev's pages cached, which
// makes every later direct log write of the serving wdev invalidate them (bench:ship, perf,
// 2026-12-06: +30 % of the wdev server's CPU per write while shipping). A window is kWindow bytes
// from the pack wanted, or its header block alone after a pack larger than kWide (a 1 MiB sequential
// write's pack is not read whole for its header). The range [from, to) is permanent and stays in
// the ring until the shipper's set-oldest, so nothing writes it meanwhile. A wdev served without
// direct IO (its log is in the page cache), a file system that refuses O_DIRECT, or
// WALBCTL_NO_DIRECT_IO=1 gives the buffered fd.
class RingWindow {
 public:
  static constexpr uint64_t kWindow = 256 << 10;
  static constexpr uint64_t kWide = 64 << 10;

  RingWindow(const Ldev& ldev, const Super& s, uint64_t end, bool direct) : ldev_(ldev), s_(s), end_(end), buf_(std::max<uint64_t>(kWindow, s.physicalBs)) {
    const char* off = std::getenv("WALBCTL_NO_DIRECT_IO");
    if (direct && !(off && *off && std::strcmp(off, "0") != 0)) fd_ = open(ldev.path().c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
  }
  ~RingWindow() {
    if (fd_ >= 0) close(fd_);
  }
  RingWindow(const RingWindow&) = delete;
  RingWindow& operator=(const RingWindow&) = delete;

  // The block at `lsid` (valid until the next call); `wide`: read a window from it if not held.
  const uint8_t* Block(uint64_t lsid, bool wide) {
    const uint32_t pbs = s_.physicalBs;
    if (lsid >= first_ && lsid < first_ + count_) return buf_.data + (lsid - first_) * pbs;
    const uint64_t pos = lsid % s_.ringBlocks;
    uint64_t n = wide ? kWindow / pbs : 1;
    n = std::max<uint64_t>(1, std::min({n, end_ > lsid ? end_ - lsid : 1, s_.ringBlocks - pos}));
    count_ = 0;
    if (fd_ >= 0 && !ReadDirect(buf_.data, n * pbs, kRingOffset + pos * pbs)) {
      close(fd_);
      fd_ = -1;
    }
    if (fd_ < 0) ldev_.RingRead(lsid, buf_.data, n, s_);
    first_ = lsid;
    count_ = n;
    return buf_.data;
  }

 private:
  // False when the file system refuses this direct read (EINVAL: alignment): the buffered fd then.
  bool ReadDirect(uint8_t* p, uint64_t n, uint64_t off) {
    while (n > 0) {
      ssize_t r = pread(fd_, p, n, static_cast<off_t>(off));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && errno == EINVAL) return false;
      if (r < 0) throw WdevError("io", ldev_.path() + ": read at offset " + std::to_string(off) + ": " + std::strerror(errno));
      if (r == 0) throw WdevError("truncated", ldev_.path() + ": unexpected end of file at offset " + std::to_string(off));
      p += r;
      n -= static_cast<uint64_t>(r);
      off += static_cast<uint64_t>(r);
    }
    return true;
  }

  const Ldev& ldev_;
  const Super& s_;
  uint64_t end_;
  AlignedBuffer buf_;
  int fd_ = -1;
  uint64_t first_ = 0, count_ = 0;
};

// Reads and checks the header of the pack at `lsid` only (its data stays in the ring): false with
// `p->error` and `p->errorOffset` when it is not a valid pack for `lsid`.
bool ReadPackHeader(RingWindow& w, const Ldev& ldev, const Super& s, uint64_t lsid, bool wide, PackRead* p) {
  p->bytes.resize(s.physicalBs);
  p->error.clear();
  p->errorOffset = ldev.RingByteOffset(lsid, s.ringBlocks, s.physicalBs);
  std::memcpy(p->bytes.data(), w.Block(lsid, wide), s.physicalBs);
  p->error = DecodeLogpack(p->bytes.data(), s.physicalBs, s.salt, lsid, &p->header);
  if (p->error.empty() && uint64_t{p->header.totalIoSize} + 1 > s.ringBlocks) p->error = "logpack total_io_size at +6 exceeds the ring";
  return p->error.empty();
}

}  // namespace

void ReadRingBlock(const Ldev& ldev, const Super& s, uint64_t lsid, uint8_t* out, bool direct) {
  RingWindow w(ldev, s, lsid + 1, direct);
  std::memcpy(out, w.Block(lsid, false), s.physicalBs);
}

ExtractResult ExtractWlog(const Ldev& ldev, const Super& s, uint64_t from, uint64_t to, const std::string& out, uint64_t maxBytes, bool frameOnly,
                          bool directReads) {
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
    RingWindow window(ldev, s, to, directReads && frameOnly);
    bool wide = true;  // the first header: a window from it
    uint64_t lsid = from;
    uint64_t copied = 0;
    for (; lsid < to; lsid = p.next()) {
      if (!(frameOnly ? ReadPackHeader(window, ldev, s, lsid, wide, &p) : ReadPack(ldev, s, lsid, &p))) {
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
      wide = packBytes <= RingWindow::kWide;
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
