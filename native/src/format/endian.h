// Little-endian loads and stores for WalB's on-disk integers. Every WalB integer is little-endian;
// these helpers read and write them from unaligned byte pointers on any host.
#pragma once
#include <cstdint>
#include <cstring>

namespace walb::fmt {

inline uint16_t loadU16(const void* p) {
  const auto* b = static_cast<const uint8_t*>(p);
  return static_cast<uint16_t>(b[0] | (b[1] << 8));
}
inline uint32_t loadU32(const void* p) {
  const auto* b = static_cast<const uint8_t*>(p);
  return uint32_t(b[0]) | (uint32_t(b[1]) << 8) | (uint32_t(b[2]) << 16) | (uint32_t(b[3]) << 24);
}
inline uint64_t loadU64(const void* p) {
  const auto* b = static_cast<const uint8_t*>(p);
  return uint64_t(loadU32(b)) | (uint64_t(loadU32(b + 4)) << 32);
}
inline void storeU16(void* p, uint16_t v) {
  auto* b = static_cast<uint8_t*>(p);
  b[0] = uint8_t(v);
  b[1] = uint8_t(v >> 8);
}
inline void storeU32(void* p, uint32_t v) {
  auto* b = static_cast<uint8_t*>(p);
  for (int i = 0; i < 4; i++) b[i] = uint8_t(v >> (8 * i));
}
inline void storeU64(void* p, uint64_t v) {
  storeU32(p, uint32_t(v));
  storeU32(static_cast<uint8_t*>(p) + 4, uint32_t(v >> 32));
}

}  // namespace walb::fmt
