// walbctl-wdev: the wdev's own process (so restarting the daemon never takes a volume away).
// walbctl's TypeScript side (native/lib/wdev) runs it; each subcommand prints one JSON line, and
// an error is one line on stderr, "walbctl-wdev: <code>: <message>", with exit status 1.
//   format --ldev P --size-bytes N --ring-bytes N [--pbs 4096] --uuid HEX --salt N --name VOL
//   serve --ldev P --ddev P --mount DIR --socket P [--file-name disk] [--checkpoint-ms 1000] [--page-cache] [--no-direct-io]
//   status --ldev P · extract --ldev P --from L --to L [--max-bytes N] [--frame-only] --out FILE · set-oldest --ldev P --lsid L
//   recover --ldev P --ddev P · repair --ldev P --ddev P [format flags, when the super is lost] [--mark-overflow 1]
#include <fcntl.h>
#include <linux/falloc.h>
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "control.h"
#include "device.h"
#include "extract.h"
#include "fuse_server.h"
#include "recovery.h"

using namespace wdev;

namespace {

struct Flags {
  std::map<std::string, std::string> v;
  std::string Get(const std::string& k) const {
    auto it = v.find(k);
    if (it == v.end()) throw WdevError("usage", "missing --" + k);
    return it->second;
  }
  std::string Get(const std::string& k, const std::string& def) const {
    auto it = v.find(k);
    return it == v.end() ? def : it->second;
  }
  uint64_t Num(const std::string& k) const { return Parse(k, Get(k)); }
  uint64_t Num(const std::string& k, uint64_t def) const { return v.count(k) ? Parse(k, Get(k)) : def; }
  bool Has(const std::string& k) const { return v.count(k) > 0; }
  static uint64_t Parse(const std::string& k, const std::string& s) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
      throw WdevError("usage", "--" + k + ": expected a non-negative integer, got \"" + s + "\"");
    return std::stoull(s);
  }
};

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 2; i < argc; i++) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) throw WdevError("usage", "unexpected argument \"" + a + "\"");
    a = a.substr(2);
    if (a == "page-cache" || a == "force" || a == "no-direct-io" || a == "frame-only") f.v[a] = "1";
    else if (i + 1 < argc) f.v[a] = argv[++i];
    else throw WdevError("usage", "--" + a + " needs a value");
  }
  return f;
}

Super SuperFromFlags(const Flags& f) {
  Super s;
  s.physicalBs = static_cast<uint32_t>(f.Num("pbs", 4096));
  if (s.physicalBs != 512 && s.physicalBs != 4096) throw WdevError("usage", "--pbs must be 512 or 4096");
  const uint64_t size = f.Num("size-bytes");
  if (size == 0 || size % s.physicalBs) throw WdevError("usage", "--size-bytes must be a positive multiple of the physical block size");
  s.deviceLb = size / kLogicalBs;
  const uint64_t ring = f.Num("ring-bytes");
  if (ring < (4u << 20) || ring % s.physicalBs) throw WdevError("usage", "--ring-bytes must be at least 4 MiB and a multiple of the physical block size");
  s.ringBlocks = ring / s.physicalBs;
  if (!ParseUuidHex(f.Get("uuid"), s.uuid)) throw WdevError("usage", "--uuid must be 32 hex digits");
  s.salt = static_cast<uint32_t>(f.Num("salt"));
  s.name = f.Get("name");
  if (s.name.size() > 63) throw WdevError("usage", "--name is longer than 63 bytes");
  return s;
}

int Format(const Flags& f) {
  Super s = SuperFromFlags(f);
  const std::string path = f.Get("ldev");
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw WdevError("io", path + ": cannot create: " + std::strerror(errno));
  const uint64_t bytes = kRingOffset + s.ringBlocks * s.physicalBs;
  struct stat stbuf;
  fstat(fd, &stbuf);
  if (S_ISREG(stbuf.st_mode) && (ftruncate(fd, 0) != 0 || ftruncate(fd, static_cast<off_t>(bytes)) != 0)) {
    close(fd);
    throw WdevError("io", path + ": cannot size the log device: " + std::strerror(errno));
  }
  // The ring's space is taken now, so a full file system later cannot fail a log write (the volume
  // would overflow); a file system that cannot preallocate leaves it sparse.
  if (S_ISREG(stbuf.st_mode) && fallocate(fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(kRingOffset), static_cast<off_t>(bytes - kRingOffset)) != 0 &&
      errno != EOPNOTSUPP) {
    const int e = errno;
    close(fd);
    throw WdevError(e == ENOSPC ? "no-space" : "io", path + ": cannot allocate the " + std::to_string(bytes - kRingOffset) +
                                                         "-byte log ring: " + std::strerror(e));
  }
  close(fd);
  Ldev ldev(path, true);
  // A file was just emptied and sized, so its ring reads as zeros (and stays allocated); a block
  // device's ring is zeroed.
  if (!S_ISREG(stbuf.st_mode)) ldev.RingZero(0, s.ringBlocks, s);
  ldev.WriteSuper(s, true);
  std::printf("%s\n", StatusJson(DeviceStatus{s, s.oldestLsid, s.writtenLsid, s.permanentLsid, s.writtenLsid, false}, false).c_str());
  return 0;
}

DeviceStatus OfflineStatus(const Super& s) {
  DeviceStatus st;
  st.super = s;
  st.oldest = s.oldestLsid;
  st.written = s.writtenLsid;
  st.permanent = std::max(s.permanentLsid, s.writtenLsid);
  st.latest = st.permanent;
  st.overflow = (s.flags & kFlagOverflow) != 0;
  return st;
}

int OpenDdev(const Super& s, const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) throw WdevError("io", path + ": cannot open the data device: " + std::strerror(errno));
  off_t end = lseek(fd, 0, SEEK_END);
  if (end >= 0 && static_cast<uint64_t>(end) < s.deviceLb * kLogicalBs) {
    close(fd);
    throw WdevError("bad-ddev", path + ": the data device has " + std::to_string(end) + " bytes, the super sector says " +
                                    std::to_string(s.deviceLb * kLogicalBs));
  }
  return fd;
}

std::atomic<bool> g_stopCheckpointer{false};

int Serve(const Flags& f) {
  if (access("/dev/fuse", R_OK | W_OK) != 0)
    throw WdevError("no-fuse", std::string("/dev/fuse is not usable (") + std::strerror(errno) +
                                   "): load the fuse module or give the container the device; scan capture still works");
  signal(SIGPIPE, SIG_IGN);
  // IO buffers of up to 1 MiB come and go with every write: keep them on the heap instead of
  // mapping fresh (zeroed, faulted-in) pages each time.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  Ldev ldev(f.Get("ldev"), true);
  Super s = ldev.ReadSuper();
  const std::string ddevPath = f.Get("ddev");
  int ddev = OpenDdev(s, ddevPath);
  RecoveryResult rec = Recover(ldev, s, ddev, ddevPath);
  if (rec.hostRestarted)
    std::fprintf(stderr, "walbctl-wdev: %s: the host restarted while the log was served (the super names another boot): "
                         "the data device may hold writes the log lost, so the volume is marked overflowed and the next "
                         "backup is a hash backup\n", ldev.path().c_str());
  CurrentBootId(s.servingBoot);  // open until Shutdown closes it: a reboot before then is noticed
  ldev.WriteSuper(s, true);
  Device dev(ldev, s, ddev, ddevPath, !f.Has("no-direct-io"));
  FuseOptions fo;
  fo.mountDir = f.Get("mount");
  fo.fileName = f.Get("file-name", "disk");
  fo.fsName = "walbctl-wdev:" + s.name;
  fo.pageCache = f.Has("page-cache");
  FuseServer fuse(dev, fo);
  fuse.Mount();
  ControlServer control(dev, f.Get("socket"));
  control.Start();
  const uint64_t ckMs = f.Num("checkpoint-ms", 1000);
  std::mutex ckm;
  std::condition_variable ckcv;
  std::thread checkpointer([&] {
    std::unique_lock<std::mutex> lk(ckm);
    while (!g_stopCheckpointer) {
      ckcv.wait_for(lk, std::chrono::milliseconds(ckMs));
      if (g_stopCheckpointer) break;
      DeviceStatus st = dev.Status();
      if (!st.overflow && st.latest != st.written) {
        try {
          dev.Checkpoint();
        } catch (const std::exception& e) {
          std::fprintf(stderr, "walbctl-wdev: checkpoint failed: %s\n", e.what());
        }
      }
    }
  });
  std::printf("{\"ready\":true,\"pid\":%d,\"file\":\"%s/%s\",\"recoveredPacks\":%llu,\"recoveredIos\":%llu,\"lsid\":%llu}\n",
              getpid(), fo.mountDir.c_str(), fo.fileName.c_str(), static_cast<unsigned long long>(rec.packs),
              static_cast<unsigned long long>(rec.ios), static_cast<unsigned long long>(rec.end));
  std::fflush(stdout);
  int rc = fuse.Loop();
  {
    std::lock_guard<std::mutex> g(ckm);
    g_stopCheckpointer = true;
  }
  ckcv.notify_all();
  checkpointer.join();
  fuse.Unmount();
  dev.Shutdown();
  control.Stop();  // the socket goes last: once it is gone, the super says everything
  close(ddev);
  return rc == 0 ? 0 : 1;
}

int Status(const Flags& f) {
  Ldev ldev(f.Get("ldev"), false);
  std::printf("%s\n", StatusJson(OfflineStatus(ldev.ReadSuper()), false).c_str());
  return 0;
}

int Extract(const Flags& f) {
  Ldev ldev(f.Get("ldev"), false);
  Super s = ldev.ReadSuper();
  const uint64_t from = f.Num("from"), to = f.Num("to");
  // --permanent: the serving process's permanent lsid (it may be ahead of the super's)
  const uint64_t permanent = f.Num("permanent", std::max(s.permanentLsid, s.writtenLsid));
  if (from < s.oldestLsid || from > to || to > permanent)
    throw WdevError("bad-lsid", "cannot extract [" + std::to_string(from) + ", " + std::to_string(to) + "): the log holds [" +
                                    std::to_string(s.oldestLsid) + ", " + std::to_string(permanent) + ")");
  if (s.flags & kFlagOverflow) throw WdevError("overflow", "the log overflowed: a hash backup must follow");
  ExtractResult r = ExtractWlog(ldev, s, from, to, f.Get("out"), f.Num("max-bytes", 0), f.Has("frame-only"));
  std::printf("%s\n", ExtractJson(r, from, s.physicalBs).c_str());
  return 0;
}

int SetOldest(const Flags& f) {
  Ldev ldev(f.Get("ldev"), true);
  Super s = ldev.ReadSuper();
  const uint64_t lsid = f.Num("lsid");
  const uint64_t permanent = std::max(s.permanentLsid, s.writtenLsid);
  if (lsid < s.oldestLsid || lsid > permanent)
    throw WdevError("bad-lsid", "oldest lsid " + std::to_string(lsid) + " is outside [" + std::to_string(s.oldestLsid) + ", " +
                                    std::to_string(permanent) + "]");
  s.oldestLsid = lsid;
  ldev.WriteSuper(s, true);
  std::printf("%s\n", StatusJson(OfflineStatus(s), false).c_str());
  return 0;
}

int RecoverCmd(const Flags& f) {
  Ldev ldev(f.Get("ldev"), true);
  Super s = ldev.ReadSuper();
  int ddev = OpenDdev(s, f.Get("ddev"));
  RecoveryResult r = Recover(ldev, s, ddev, f.Get("ddev"));
  close(ddev);
  std::printf("{\"recoveredPacks\":%llu,\"recoveredIos\":%llu,\"lsid\":%llu}\n", static_cast<unsigned long long>(r.packs),
              static_cast<unsigned long long>(r.ios), static_cast<unsigned long long>(r.end));
  return 0;
}

// Repair: a lost super is rebuilt from the volume's config; a corrupt pack ends the log there.
// Either way the volume is marked overflowed, so the next backup is a hash backup.
int Repair(const Flags& f) {
  Ldev ldev(f.Get("ldev"), true);
  Super s;
  std::string what;
  try {
    s = ldev.ReadSuper();
  } catch (const WdevError& e) {
    if (e.code() != "corrupt-super") throw;
    s = SuperFromFlags(f);
    what = "rebuilt the super sector";
    ldev.RingZero(0, s.ringBlocks, s);
    s.flags = MarkOverflow(s.flags, OverflowCause::kLogRepaired);
    ldev.WriteSuper(s, true);
  }
  int ddev = OpenDdev(s, f.Get("ddev"));
  uint64_t corruptAt = kEndLsid;
  RecoverOptions ro;
  ro.tolerateCorruption = true;
  Recover(ldev, s, ddev, f.Get("ddev"), ro, &corruptAt);
  if (corruptAt != kEndLsid) {
    // The log is not whole any more: what it held after the damage cannot be shipped.
    s = ldev.ReadSuper();
    s.flags = MarkOverflow(s.flags, OverflowCause::kLogRepaired);
    ldev.WriteSuper(s, true);
    what = "cut the log at the corrupt logpack of lsid " + std::to_string(corruptAt) + " (ldev byte offset " +
           std::to_string(ldev.RingByteOffset(corruptAt, s.ringBlocks, s.physicalBs)) + ")";
  } else if (what.empty()) {
    what = "nothing to repair";
  }
  close(ddev);
  if (f.Has("mark-overflow")) {
    Super cur = ldev.ReadSuper();
    if (!(cur.flags & kFlagOverflow)) {
      cur.flags = MarkOverflow(cur.flags, OverflowCause::kLogReformatted);
      ldev.WriteSuper(cur, true);
      what += "; marked overflowed";
    }
  }
  std::string w = what;
  for (auto& ch : w) if (ch == '"' || ch == '\\') ch = '\'';
  std::printf("{\"repaired\":\"%s\",\"overflow\":%s}\n", w.c_str(), (ldev.ReadSuper().flags & kFlagOverflow) ? "true" : "false");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "walbctl-wdev: usage: walbctl-wdev format|serve|status|extract|set-oldest|recover|repair --flags (run through \"walbctl wdev\")\n");
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "--version") {
    std::printf("walbctl-wdev 1\n");
    return 0;
  }
  try {
    Flags f = ParseFlags(argc, argv);
    if (cmd == "format") return Format(f);
    if (cmd == "serve") return Serve(f);
    if (cmd == "status") return Status(f);
    if (cmd == "extract") return Extract(f);
    if (cmd == "set-oldest") return SetOldest(f);
    if (cmd == "recover") return RecoverCmd(f);
    if (cmd == "repair") return Repair(f);
    throw WdevError("usage", "unknown subcommand \"" + cmd + "\"");
  } catch (const WdevError& e) {
    std::fprintf(stderr, "walbctl-wdev: %s: %s\n", e.code().c_str(), e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "walbctl-wdev: internal: %s\n", e.what());
    return 1;
  }
}
