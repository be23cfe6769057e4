// The storage's hash index in `scan` capture: one XXH3-128 hash per bulk of the volume as it was at
// the last snapshot (or full/hash backup). Layout (little-endian):
//   0  8  magic "WALBHIX1"
//   8  4  version: 1 (hashes unseeded, header 64 bytes) or 2 (seeded, header 80 bytes)
//   12 4  bulk size in bytes (a multiple of 512)
//   16 8  volume size in bytes
//   24 8  number of bulks = ceil(size / bulk)
//   32 8  gid b of the snapshot the hashes describe
//   40 8  gid e
//   48 16 device uuid
//   version 2 only: 64 8 seed of every hash (XXH3-128 with this seed), 72 8 zero
//   H  16 × n  hashes (low 64 bits, then high 64 bits), H = 64 (v1) or 80 (v2)
//   ..  16 XXH3-128 of everything before it
// Seed 0 is XXH3's unseeded hash, so a version 1 file is a version 2 file with seed 0: an index
// with seed 0 is written as version 1 (what older readers read); a seeded one as version 2. A hash
// backup hashes the archive's image with a seed chosen per run (a collision found once cannot hide a
// changed bulk from every later run).
// A file that fails any check is refused with its path and the offset of the bad field; the
// storage then needs a hash backup (the index is "lost", as an overflowed log is).
#pragma once
#include <xxhash.h>

#include <cstdint>
#include <string>
#include <vector>

namespace walbctl::scan {

struct HashIndex {
  uint32_t bulkSize = 0;
  uint64_t sizeBytes = 0;
  uint64_t gidB = 0, gidE = 0;
  uint8_t uuid[16] = {};
  uint64_t seed = 0;
  std::vector<XXH128_hash_t> hashes;
};

constexpr uint64_t kHashIndexHeaderV1 = 64;
constexpr uint64_t kHashIndexHeaderV2 = 80;

// The hash of one bulk as an index with this seed holds it.
inline XXH128_hash_t hashBulk(const void* data, size_t len, uint64_t seed) { return XXH3_128bits_withSeed(data, len, seed); }

HashIndex readHashIndex(const std::string& path);
// Writes the index to `path` (created or truncated) and fsyncs it.
void writeHashIndex(const std::string& path, const HashIndex& index);

inline bool sameHash(const XXH128_hash_t& a, const XXH128_hash_t& b) { return a.low64 == b.low64 && a.high64 == b.high64; }

// Parses 32 hex digits into 16 bytes; false when the text is not that.
bool parseUuidHex(const std::string& hex, uint8_t out[16]);

// Parses 1 to 16 hex digits (a seed); false when the text is not that.
bool parseSeedHex(const std::string& hex, uint64_t& out);
// 16 lower-case hex digits.
std::string formatSeedHex(uint64_t seed);

}  // namespace walbctl::scan
