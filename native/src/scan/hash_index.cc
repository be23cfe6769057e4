#include "scan/hash_index.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "format/endian.h"
#include "format/error.h"
#include "format/io.h"

namespace walbctl::scan {
using walb::fmt::FormatError;
using walb::fmt::IoError;

static const char kMagic[8] = {'W', 'A', 'L', 'B', 'H', 'I', 'X', '1'};

HashIndex readHashIndex(const std::string& path) {
  walb::fmt::FileSource src(path);
  uint8_t h[kHashIndexHeaderV2] = {};
  if (src.readAt(0, h, kHashIndexHeaderV1) != kHashIndexHeaderV1) throw FormatError(path, 0, "hash-index-short", "hash index shorter than its 64-byte header");
  if (std::memcmp(h, kMagic, 8) != 0) throw FormatError(path, 0, "hash-index-magic", "not a walbctl hash index (bad magic)");
  const uint32_t version = walb::fmt::loadU32(h + 8);
  if (version != 1 && version != 2) throw FormatError(path, 8, "hash-index-version", "unknown hash index version " + std::to_string(version) + " (this walbctl reads 1 and 2)");
  const uint64_t header = version == 1 ? kHashIndexHeaderV1 : kHashIndexHeaderV2;
  if (version == 2 && src.readAt(kHashIndexHeaderV1, h + kHashIndexHeaderV1, 16) != 16) throw FormatError(path, kHashIndexHeaderV1, "hash-index-short", "hash index shorter than its 80-byte version 2 header");
  HashIndex idx;
  idx.seed = version == 2 ? walb::fmt::loadU64(h + 64) : 0;
  if (version == 2 && walb::fmt::loadU64(h + 72) != 0) throw FormatError(path, 72, "hash-index-reserved", "reserved header bytes are not zero");
  idx.bulkSize = walb::fmt::loadU32(h + 12);
  idx.sizeBytes = walb::fmt::loadU64(h + 16);
  uint64_t n = walb::fmt::loadU64(h + 24);
  idx.gidB = walb::fmt::loadU64(h + 32);
  idx.gidE = walb::fmt::loadU64(h + 40);
  std::memcpy(idx.uuid, h + 48, 16);
  if (idx.bulkSize == 0 || idx.bulkSize % 512 != 0) throw FormatError(path, 12, "hash-index-bulk", "bulk size is not a positive multiple of 512");
  if (n != (idx.sizeBytes + idx.bulkSize - 1) / idx.bulkSize) throw FormatError(path, 24, "hash-index-count", "bulk count does not match the volume size");
  if (src.size() != header + n * 16 + 16) throw FormatError(path, src.size(), "hash-index-size", "file size does not match the bulk count (truncated?)");
  std::vector<uint8_t> body(size_t(n) * 16);
  if (!body.empty() && src.readAt(header, body.data(), body.size()) != body.size()) {
    throw FormatError(path, header, "hash-index-short", "hash index truncated");
  }
  uint8_t trailer[16];
  src.readAt(header + body.size(), trailer, 16);
  XXH3_state_t* st = XXH3_createState();
  XXH3_128bits_reset(st);
  XXH3_128bits_update(st, h, size_t(header));
  XXH3_128bits_update(st, body.data(), body.size());
  XXH128_hash_t sum = XXH3_128bits_digest(st);
  XXH3_freeState(st);
  if (walb::fmt::loadU64(trailer) != sum.low64 || walb::fmt::loadU64(trailer + 8) != sum.high64) {
    throw FormatError(path, header + body.size(), "hash-index-checksum", "hash index checksum mismatch");
  }
  idx.hashes.resize(size_t(n));
  for (uint64_t i = 0; i < n; i++) {
    idx.hashes[i].low64 = walb::fmt::loadU64(&body[i * 16]);
    idx.hashes[i].high64 = walb::fmt::loadU64(&body[i * 16 + 8]);
  }
  return idx;
}

void writeHashIndex(const std::string& path, const HashIndex& idx) {
  const uint64_t header = idx.seed == 0 ? kHashIndexHeaderV1 : kHashIndexHeaderV2;
  std::vector<uint8_t> out(header + idx.hashes.size() * 16 + 16);
  std::memcpy(out.data(), kMagic, 8);
  walb::fmt::storeU32(&out[8], idx.seed == 0 ? 1 : 2);
  walb::fmt::storeU32(&out[12], idx.bulkSize);
  walb::fmt::storeU64(&out[16], idx.sizeBytes);
  walb::fmt::storeU64(&out[24], idx.hashes.size());
  walb::fmt::storeU64(&out[32], idx.gidB);
  walb::fmt::storeU64(&out[40], idx.gidE);
  std::memcpy(&out[48], idx.uuid, 16);
  if (idx.seed != 0) walb::fmt::storeU64(&out[64], idx.seed);  // 72..80 stay zero
  for (size_t i = 0; i < idx.hashes.size(); i++) {
    walb::fmt::storeU64(&out[header + i * 16], idx.hashes[i].low64);
    walb::fmt::storeU64(&out[header + i * 16 + 8], idx.hashes[i].high64);
  }
  size_t bodyEnd = out.size() - 16;
  XXH128_hash_t sum = XXH3_128bits(out.data(), bodyEnd);
  walb::fmt::storeU64(&out[bodyEnd], sum.low64);
  walb::fmt::storeU64(&out[bodyEnd + 8], sum.high64);
  int fd = walb::fmt::openOrThrow(path, O_WRONLY | O_CREAT | O_TRUNC);
  try {
    walb::fmt::pwriteFull(fd, path, 0, out.data(), out.size());
    if (fsync(fd) != 0) throw IoError(path, "fsync", errno);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

bool parseUuidHex(const std::string& hex, uint8_t out[16]) {
  if (hex.size() != 32) return false;
  for (size_t i = 0; i < 16; i++) {
    unsigned v = 0;
    for (size_t j = 0; j < 2; j++) {
      char c = hex[i * 2 + j];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= unsigned(c - '0');
      else if (c >= 'a' && c <= 'f') v |= unsigned(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= unsigned(c - 'A' + 10);
      else return false;
    }
    out[i] = uint8_t(v);
  }
  return true;
}

bool parseSeedHex(const std::string& hex, uint64_t& out) {
  if (hex.empty() || hex.size() > 16) return false;
  uint64_t v = 0;
  for (char c : hex) {
    v <<= 4;
    if (c >= '0' && c <= '9') v |= uint64_t(c - '0');
    else if (c >= 'a' && c <= 'f') v |= uint64_t(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= uint64_t(c - 'A' + 10);
    else return false;
  }
  out = v;
  return true;
}

std::string formatSeedHex(uint64_t seed) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; i--, seed >>= 4) s[size_t(i)] = kDigits[seed & 15];
  return s;
}

}  // namespace walbctl::scan
