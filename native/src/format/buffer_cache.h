#pragma once
// Spare PageBuffers shared by the writers of one process (buffer_cache.cc). A writer that ends hands
// its large buffers back, and the next writer takes them instead of mapping fresh pages: a fresh page
// is zeroed by the kernel and, when first touched, a trap to the hypervisor on the VMs walbctl is
// measured on. A proxy converting 7 MiB batches of 1 MiB writes spent a quarter of its CPU on the
// fresh pages of its pack buffer (bench:ship, 2026-12-07). At most kCachedBuffers buffers of at most
// kCachedBufferMax bytes each are kept, so what stays mapped between writers is bounded.
#include <cstddef>

#include "format/io.h"

namespace walb::fmt {

constexpr size_t kCachedBuffers = 4;
constexpr size_t kCachedBufferMax = 9u << 20;

// The smallest kept buffer of at least `atLeast` bytes, else a new one. Its contents are undefined.
PageBuffer takeCachedBuffer(size_t atLeast);
// Keeps `b` for a later take when it is small enough and there is room; frees it otherwise.
void giveCachedBuffer(PageBuffer&& b);
// How many buffers are kept now (for tests).
size_t cachedBufferCount();

}  // namespace walb::fmt
