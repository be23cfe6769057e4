// WalB's salted checksum (spec: "Checksum (used everywhere)").
//   sum = salt; sum += every 4-byte little-endian word (a 1-3 byte tail is zero-padded), mod 2^32;
//   stored = (~sum + 1) mod 2^32.
// A block holding its own checksum therefore sums to 0 with the same salt: blockIsValid() tests that.
#pragma once
#include <cstddef>
#include <cstdint>

namespace walb::fmt {

// Adds the words of `data` to a running sum. `size` must be a multiple of 4 except for the last call.
uint32_t checksumPartial(const void* data, size_t size, uint32_t sum);

// The value stored on disk for `size` bytes of `data` with `salt`.
inline uint32_t checksumFinish(uint32_t sum) { return ~sum + 1; }
uint32_t checksum(const void* data, size_t size, uint32_t salt);

// True when a block that contains its own checksum field sums to 0 (the stored field included).
bool blockIsValid(const void* data, size_t size, uint32_t salt);

// Sets the 4-byte checksum field at `fieldOffset` of a block: zeroes it, computes, stores.
void sealBlock(void* data, size_t size, size_t fieldOffset, uint32_t salt);

}  // namespace walb::fmt
