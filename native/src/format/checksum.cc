#include "format/checksum.h"

#include <cstring>

#include "format/endian.h"

namespace walb::fmt {

// The sum is mod 2^32, so 32-bit lanes that wrap give the same result as any wider sum: four
// 128-bit vectors of four lanes each (GCC/Clang vector extensions: SSE2 on x86-64, NEON on arm64)
// add 16 words per step without widening. On this VM: 8-20 GB/s in cache against 2-3 GB/s for
// 64-bit lanes, which -O2 does not vectorise; merge and apply checksum every record they read.
typedef uint32_t U32x4 __attribute__((vector_size(16)));

uint32_t checksumPartial(const void* data, size_t size, uint32_t sum) {
  const auto* p = static_cast<const uint8_t*>(data);
  size_t words = size / 4;
  U32x4 a0 = {sum, 0, 0, 0}, a1 = {0, 0, 0, 0}, a2 = {0, 0, 0, 0}, a3 = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 16 <= words; i += 16) {
    U32x4 w0, w1, w2, w3;  // little-endian host (layout.h checks it); memcpy: any alignment
    std::memcpy(&w0, p + 4 * i, 16);
    std::memcpy(&w1, p + 4 * i + 16, 16);
    std::memcpy(&w2, p + 4 * i + 32, 16);
    std::memcpy(&w3, p + 4 * i + 48, 16);
    a0 += w0;
    a1 += w1;
    a2 += w2;
    a3 += w3;
  }
  U32x4 t = a0 + a1 + a2 + a3;
  uint32_t s = t[0] + t[1] + t[2] + t[3];
  for (; i < words; i++) s += loadU32(p + 4 * i);
  size_t tail = size % 4;
  if (tail) {
    uint8_t last[4] = {0, 0, 0, 0};
    for (size_t k = 0; k < tail; k++) last[k] = p[words * 4 + k];
    s += loadU32(last);
  }
  return s;
}

uint32_t checksum(const void* data, size_t size, uint32_t salt) {
  return checksumFinish(checksumPartial(data, size, salt));
}

bool blockIsValid(const void* data, size_t size, uint32_t salt) {
  return checksumPartial(data, size, salt) == 0;
}

void sealBlock(void* data, size_t size, size_t fieldOffset, uint32_t salt) {
  auto* p = static_cast<uint8_t*>(data);
  storeU32(p + fieldOffset, 0);
  storeU32(p + fieldOffset, checksum(p, size, salt));
}

}  // namespace walb::fmt
