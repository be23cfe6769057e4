#include "layout.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "format/checksum.h"

namespace wdev {
namespace {
template <typename T>
void Put(uint8_t* p, T v) { std::memcpy(p, &v, sizeof v); }
template <typename T>
T Get(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
}  // namespace

void EncodeSuper(const Super& s, uint8_t* b) {
  std::memset(b, 0, kSuperSize);
  Put<uint16_t>(b + 4, kSuperSectorType);
  Put<uint16_t>(b + 6, kSuperVersion);
  Put<uint32_t>(b + 8, kLogicalBs);
  Put<uint32_t>(b + 12, s.physicalBs);
  Put<uint32_t>(b + 16, s.salt);
  Put<uint32_t>(b + 20, s.flags);
  std::memcpy(b + 24, s.uuid, 16);
  std::memcpy(b + 40, s.name.data(), std::min<size_t>(s.name.size(), 63));
  Put<uint64_t>(b + 104, s.ringBlocks);
  Put<uint64_t>(b + 112, s.oldestLsid);
  Put<uint64_t>(b + 120, s.writtenLsid);
  Put<uint64_t>(b + 128, s.permanentLsid);
  Put<uint64_t>(b + 136, s.deviceLb);
  Put<uint64_t>(b + 144, s.generation);
  Put<uint64_t>(b + 152, kRingOffset);
  std::memcpy(b + 160, s.servingBoot, 16);
  Put<uint32_t>(b + 0, walb::fmt::checksum(b, kSuperSize, 0));
}

std::string DecodeSuper(const uint8_t* b, Super* s) {
  if (Get<uint16_t>(b + 4) != kSuperSectorType) return "not a wdev super sector (sector_type at +4 is not 1)";
  if (!walb::fmt::blockIsValid(b, kSuperSize, 0)) return "super sector checksum mismatch (field at +0)";
  if (Get<uint16_t>(b + 6) != kSuperVersion) return "unsupported super sector version at +6";
  if (Get<uint32_t>(b + 8) != kLogicalBs) return "logical block size at +8 is not 512";
  s->physicalBs = Get<uint32_t>(b + 12);
  if (s->physicalBs != 512 && s->physicalBs != 4096) return "physical block size at +12 is not 512 or 4096";
  s->salt = Get<uint32_t>(b + 16);
  s->flags = Get<uint32_t>(b + 20);
  std::memcpy(s->uuid, b + 24, 16);
  s->name.assign(reinterpret_cast<const char*>(b + 40), strnlen(reinterpret_cast<const char*>(b + 40), 63));
  s->ringBlocks = Get<uint64_t>(b + 104);
  s->oldestLsid = Get<uint64_t>(b + 112);
  s->writtenLsid = Get<uint64_t>(b + 120);
  s->permanentLsid = Get<uint64_t>(b + 128);
  s->deviceLb = Get<uint64_t>(b + 136);
  s->generation = Get<uint64_t>(b + 144);
  if (Get<uint64_t>(b + 152) != kRingOffset) return "ring offset at +152 is not 8192";
  std::memcpy(s->servingBoot, b + 160, 16);
  if (s->ringBlocks < 16) return "ring size at +104 is below 16 blocks";
  if (s->oldestLsid > std::max(s->writtenLsid, s->permanentLsid))
    return "oldest lsid at +112 is past the written (+120) and permanent (+128) lsids";
  if (s->writtenLsid - std::min(s->oldestLsid, s->writtenLsid) > s->ringBlocks)
    return "lsids at +112/+120 span more than the ring";
  return "";
}

std::string DecodeLogpack(const uint8_t* b, uint32_t pbs, uint32_t salt, uint64_t expectLsid, LogpackHeader* h) {
  if (Get<uint16_t>(b + 4) != kLogpackSectorType) return "not a logpack header (sector_type at +4 is not 3)";
  h->lsid = Get<uint64_t>(b + 8);
  if (h->lsid != expectLsid) return "logpack lsid at +8 is " + std::to_string(h->lsid) + ", expected " + std::to_string(expectLsid);
  if (!walb::fmt::blockIsValid(b, pbs, salt)) return "logpack header checksum mismatch (field at +0)";
  h->totalIoSize = Get<uint16_t>(b + 6);
  uint16_t n = Get<uint16_t>(b + 16);
  h->nPadding = Get<uint16_t>(b + 18);
  if (n == 0 || n > MaxRecords(pbs)) return "logpack n_records at +16 is out of range";
  h->records.clear();
  uint64_t local = 1;
  for (uint16_t i = 0; i < n; i++) {
    const uint8_t* r = b + 24 + 32 * i;
    LogRecord rec;
    rec.checksum = Get<uint32_t>(r + 0);
    rec.flags = Get<uint32_t>(r + 4);
    rec.offsetLb = Get<uint64_t>(r + 8);
    rec.ioSizeLb = Get<uint32_t>(r + 16);
    rec.lsidLocal = Get<uint16_t>(r + 20);
    rec.lsid = Get<uint64_t>(r + 24);
    const std::string at = " (record " + std::to_string(i) + " at +" + std::to_string(24 + 32 * i) + ")";
    if (!(rec.flags & kRecExist)) return "log record without the EXIST flag" + at;
    if (rec.lsid != h->lsid + rec.lsidLocal) return "log record lsid is not logpack_lsid + lsid_local" + at;
    if (!(rec.flags & kRecDiscard)) {
      if (rec.lsidLocal != local) return "log record lsid_local is out of sequence" + at;
      local += BlocksFor(rec.ioSizeLb, pbs);
    }
    h->records.push_back(rec);
  }
  if (local - 1 != h->totalIoSize) return "logpack total_io_size at +6 does not match its records";
  return "";
}

std::string UuidHex(const uint8_t uuid[16]) {
  char buf[33];
  for (int i = 0; i < 16; i++) std::snprintf(buf + 2 * i, 3, "%02x", uuid[i]);
  return std::string(buf, 32);
}

bool ParseUuidHex(const std::string& hex, uint8_t uuid[16]) {
  if (hex.size() != 32) return false;
  for (int i = 0; i < 16; i++) {
    unsigned v;
    if (std::sscanf(hex.c_str() + 2 * i, "%2x", &v) != 1) return false;
    uuid[i] = static_cast<uint8_t>(v);
  }
  return true;
}

void CurrentBootId(uint8_t out[16]) {
  std::memset(out, 0, 16);
  std::string text;
  if (const char* env = std::getenv("WALBCTL_WDEV_BOOT_ID")) {
    text = env;
  } else if (FILE* f = std::fopen("/proc/sys/kernel/random/boot_id", "r")) {
    char line[64] = {};
    if (std::fgets(line, sizeof line, f)) text = line;
    std::fclose(f);
  }
  std::string hex;
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c))) hex += c;
  }
  if (!ParseUuidHex(hex, out)) std::memset(out, 0, 16);
}

bool IsZeroId(const uint8_t id[16]) {
  for (int i = 0; i < 16; i++) {
    if (id[i]) return false;
  }
  return true;
}

const char* OverflowCauseName(uint32_t flags) {
  if (!(flags & kFlagOverflow)) return "";
  switch (static_cast<OverflowCause>((flags & kOverflowCauseMask) >> 8)) {
    case OverflowCause::kRingFull: return "ring-full";
    case OverflowCause::kLogWriteFailed: return "log-write-failed";
    case OverflowCause::kHostRestarted: return "host-restarted";
    case OverflowCause::kLogRepaired: return "log-repaired";
    case OverflowCause::kLogReformatted: return "log-reformatted";
    default: return "unknown";
  }
}

}  // namespace wdev
