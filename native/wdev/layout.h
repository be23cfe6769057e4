// The ldev's on-disk layout (design.md beside this file): a reserved block, the super sector, then
// the ring buffer of WalB logpacks addressed by lsid. All integers little-endian.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace wdev {

constexpr uint32_t kLogicalBs = 512;
constexpr uint64_t kSuperOffset = 4096;       // byte offset of the super sector in the ldev
constexpr uint64_t kRingOffset = 8192;        // byte offset of ring block 0
constexpr uint16_t kSuperSectorType = 1;      // WalB's SECTOR_TYPE_SUPER
constexpr uint16_t kLogpackSectorType = 3;    // WalB's SECTOR_TYPE_LOGPACK
constexpr uint16_t kSuperVersion = 1;
constexpr uint32_t kSuperSize = 4096;         // bytes covered by the super's checksum
constexpr uint32_t kFlagOverflow = 1;
// Why the log overflowed, in flags bits 8-15 while kFlagOverflow is set (0: not recorded).
enum class OverflowCause : uint32_t { kUnknown = 0, kRingFull = 1, kLogWriteFailed = 2, kHostRestarted = 3, kLogRepaired = 4, kLogReformatted = 5 };
constexpr uint32_t kOverflowCauseMask = 0xff00;
// `flags` overflowed for `cause`; an overflow already recorded keeps its first cause.
inline uint32_t MarkOverflow(uint32_t flags, OverflowCause cause) {
  if (flags & kFlagOverflow) return flags;
  return (flags & ~kOverflowCauseMask) | kFlagOverflow | (static_cast<uint32_t>(cause) << 8);
}
inline uint32_t ClearOverflow(uint32_t flags) { return flags & ~(kFlagOverflow | kOverflowCauseMask); }
// "ring-full", "log-write-failed", "host-restarted", "log-repaired", "log-reformatted", "unknown"; "" when not overflowed.
const char* OverflowCauseName(uint32_t flags);

constexpr uint32_t kRecExist = 0x01;
constexpr uint32_t kRecPadding = 0x02;
constexpr uint32_t kRecDiscard = 0x04;
constexpr uint64_t kEndLsid = ~uint64_t{0};

// Super sector fields (offsets in design.md).
struct Super {
  uint32_t physicalBs = 4096;
  uint32_t salt = 0;
  uint8_t uuid[16] = {};
  std::string name;             // up to 63 bytes
  uint64_t ringBlocks = 0;      // ring size in physical blocks
  uint64_t oldestLsid = 0;      // first lsid not yet shipped (extracted and archived)
  uint64_t writtenLsid = 0;     // every pack before it is on the ddev (durably)
  uint64_t permanentLsid = 0;   // every pack before it was durable in the log at the last super write
  uint64_t deviceLb = 0;        // ddev size in logical blocks
  uint32_t flags = 0;           // kFlagOverflow
  uint64_t generation = 0;      // incremented on every super write
  uint8_t servingBoot[16] = {}; // boot id of the host serving the log; zero once it was closed cleanly
};

// This host's boot id (/proc/sys/kernel/random/boot_id; WALBCTL_WDEV_BOOT_ID overrides it, so tests
// can play a reboot). All zero when it cannot be read.
void CurrentBootId(uint8_t out[16]);
bool IsZeroId(const uint8_t id[16]);

void EncodeSuper(const Super& s, uint8_t* block /* kSuperSize bytes */);
// Returns an empty string when valid, else what is wrong (the caller adds the offset).
std::string DecodeSuper(const uint8_t* block, Super* out);

struct LogRecord {
  uint32_t checksum = 0;
  uint32_t flags = kRecExist;
  uint64_t offsetLb = 0;
  uint32_t ioSizeLb = 0;
  uint16_t lsidLocal = 0;
  uint64_t lsid = 0;
};

struct LogpackHeader {
  uint16_t totalIoSize = 0;  // physical blocks of data after the header
  uint64_t lsid = 0;
  uint16_t nPadding = 0;
  std::vector<LogRecord> records;
};

inline uint32_t MaxRecords(uint32_t pbs) { return (pbs - 24) / 32; }
inline uint64_t BlocksFor(uint32_t ioSizeLb, uint32_t pbs) {
  return (uint64_t{ioSizeLb} * kLogicalBs + pbs - 1) / pbs;
}

// Packs hold the bytes walb::fmt::LogpackBuilder (native/src/format/wlog.h) builds (pack_header.cc);
// this reads one back from the ring.
// Empty when valid for `expectLsid`, else why not.
std::string DecodeLogpack(const uint8_t* block, uint32_t pbs, uint32_t salt, uint64_t expectLsid,
                          LogpackHeader* out);

std::string UuidHex(const uint8_t uuid[16]);
bool ParseUuidHex(const std::string& hex, uint8_t uuid[16]);

}  // namespace wdev
