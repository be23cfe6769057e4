// Large allocations of this executable are 4096-byte aligned, so any large std::vector can be written
// with O_DIRECT without a bounce copy (the write path itself uses AlignedBuffer, direct_io.h). Small
// allocations are plain malloc.
#include <cstdlib>
#include <new>

namespace {
constexpr std::size_t kLarge = 64 << 10;
constexpr std::size_t kAlign = 4096;

void* Allocate(std::size_t n) {
  void* p = n >= kLarge ? std::aligned_alloc(kAlign, (n + kAlign - 1) / kAlign * kAlign) : std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t n) { return Allocate(n); }
void* operator new[](std::size_t n) { return Allocate(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
