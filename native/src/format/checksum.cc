#include "format/checksum.h"

#include "format/endian.h"

namespace walb::fmt {

uint32_t checksumPartial(const void* data, size_t size, uint32_t sum) {
  const auto* p = static_cast<const uint8_t*>(data);
  size_t words = size / 4;
  // Two accumulators in 64 bits let the compiler vectorise; the result is the same mod 2^32.
  uint64_t a = sum, b = 0;
  size_t i = 0;
  for (; i + 1 < words; i += 2) {
    a += loadU32(p + 4 * i);
    b += loadU32(p + 4 * i + 4);
  }
  if (i < words) a += loadU32(p + 4 * i);
  uint32_t s = uint32_t(a + b);
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
