#include "format/checksum.h"

#include <cstring>

#include "format/endian.h"

namespace walb::fmt {

uint32_t checksumPartial(const void* data, size_t size, uint32_t sum) {
  const auto* p = static_cast<const uint8_t*>(data);
  size_t words = size / 4;
  // Eight 64-bit lanes (the compiler vectorises them); the sum mod 2^32 is the same. A lane cannot
  // overflow: it would take 2^32 words per lane.
  uint64_t lane[8] = {sum, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= words; i += 8) {
    uint32_t w[8];
    std::memcpy(w, p + 4 * i, sizeof(w));  // little-endian host (layout.h checks it)
    for (int k = 0; k < 8; k++) lane[k] += w[k];
  }
  for (; i < words; i++) lane[0] += loadU32(p + 4 * i);
  uint64_t total = 0;
  for (int k = 0; k < 8; k++) total += lane[k];
  uint32_t s = uint32_t(total);
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
