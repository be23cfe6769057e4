#include "recovery.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "scan.h"

namespace wdev {

namespace {
void ReplayPack(const PackRead& p, uint32_t pbs, int ddevFd, const std::string& ddevPath) {
  for (const LogRecord& r : p.header.records) {
    if (r.flags & kRecPadding) continue;
    const uint64_t off = r.offsetLb * kLogicalBs, len = uint64_t{r.ioSizeLb} * kLogicalBs;
    if (r.flags & kRecDiscard) {
      if (fallocate(ddevFd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(off), static_cast<off_t>(len)) != 0)
        throw WdevError("io", ddevPath + ": punching a hole at " + std::to_string(off) + ": " + std::strerror(errno));
      continue;
    }
    PwriteAll(ddevFd, p.bytes.data() + uint64_t{r.lsidLocal} * pbs, len, off, ddevPath);
  }
}
}  // namespace

namespace {
WdevError Corrupt(const Ldev& ldev, const Super& s, uint64_t lsid, const PackRead& p) {
  return WdevError("corrupt-logpack", ldev.path() + ": corrupt logpack at byte offset " + std::to_string(p.errorOffset) + " (lsid " +
                                          std::to_string(lsid) + ", durable up to lsid " + std::to_string(s.permanentLsid) +
                                          "): " + p.error + " (repair with \"walbctl wdev repair\", which marks the volume overflowed)");
}
}  // namespace

RecoveryResult Recover(Ldev& ldev, Super& s, int ddevFd, const std::string& ddevPath, const RecoverOptions& opts, uint64_t* corruptAt) {
  RecoveryResult res;
  uint8_t boot[16];
  CurrentBootId(boot);
  if (!IsZeroId(s.servingBoot) && std::memcmp(s.servingBoot, boot, 16) != 0 && !(s.flags & kFlagOverflow)) res.hostRestarted = true;
  if (s.flags & kFlagOverflow) {
    // Overflowed: the ddev was synced when logging stopped and every write since went straight to it.
    res.end = s.writtenLsid;
    return res;
  }
  const uint64_t base = std::min(s.oldestLsid, s.writtenLsid);
  PackRead p;
  for (uint64_t lsid = s.oldestLsid; lsid < s.writtenLsid; lsid = p.next()) {
    if (!ReadPack(ldev, s, lsid, &p) || p.next() > s.writtenLsid) {
      if (p.error.empty()) p.error = "logpack runs past the written lsid";
      if (!opts.tolerateCorruption) throw Corrupt(ldev, s, lsid, p);
      if (corruptAt) *corruptAt = lsid;
      break;
    }
  }
  uint64_t lsid = s.writtenLsid;
  for (;;) {
    if (!ReadPack(ldev, s, lsid, &p)) {
      if (lsid < s.permanentLsid) {
        if (!opts.tolerateCorruption) throw Corrupt(ldev, s, lsid, p);
        if (corruptAt && *corruptAt == kEndLsid) *corruptAt = lsid;
      }
      break;
    }
    if (p.next() - base > s.ringBlocks) break;  // cannot be ours: it would overrun unshipped log
    ReplayPack(p, s.physicalBs, ddevFd, ddevPath);
    res.packs++;
    res.ios += p.header.records.size();
    lsid = p.next();
  }
  if (fdatasync(ddevFd) != 0) throw WdevError("io", ddevPath + ": fdatasync: " + std::strerror(errno));
  res.end = lsid;
  // Clear the free part of the ring so no stale pack past the end can later pass for the next one.
  if (s.oldestLsid > lsid) s.oldestLsid = lsid;
  ldev.RingZero(lsid, s.oldestLsid + s.ringBlocks - lsid, s);
  s.writtenLsid = lsid;
  s.permanentLsid = lsid;
  std::memset(s.servingBoot, 0, sizeof s.servingBoot);
  if (res.hostRestarted) s.flags = MarkOverflow(s.flags, OverflowCause::kHostRestarted);
  ldev.WriteSuper(s, true);
  return res;
}

}  // namespace wdev
