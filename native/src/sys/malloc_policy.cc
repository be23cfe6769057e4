// The process's malloc policy, set once when the addon is loaded: allocations of 4 MiB and more are
// mapped on their own and handed back to the kernel when freed.
//
// Why: glibc raises its mmap threshold each time a large mapped block is freed (up to 32 MiB), after
// which blocks of that size come from the per-thread arenas. The data path's large buffers (a sorted
// wdiff pack's data, up to 32 MiB; the direct sink's chunks; a merge's decode buffers) are made on
// libuv's worker threads, each with an arena of its own, and a freed block in the middle of an arena
// is kept by the process: the proxy, converting 32 MiB batches of 1 MiB writes, grew to 560 MiB
// although it never held more than ~150 MiB at once (native/lib/proxy/design.md, "Memory"). A fixed
// threshold turns the adjustment off, so those buffers cost an mmap and munmap per operation (not per
// record) and never stay behind. Smaller blocks (the wire's frames, the extent index) keep the arenas.
// MALLOC_MMAP_THRESHOLD_ in the environment wins (glibc reads it at start; the addon leaves it alone).
#include <cstdlib>  // first: it defines __GLIBC__

#if defined(__GLIBC__)
#include <malloc.h>

namespace walbctl::sys {
namespace {

constexpr int kMmapThreshold = 4 << 20;

struct MallocPolicy {
  MallocPolicy() {
    if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  }
};

const MallocPolicy policy;

}  // namespace
}  // namespace walbctl::sys
#endif
