#include "format/buffer_cache.h"

#include <mutex>
#include <utility>
#include <vector>

namespace walb::fmt {

namespace {
std::mutex gMutex;
// Function-local: constructed on first use and never destroyed, so a writer that ends during the
// process's exit does not hand its buffer to a cache already torn down.
std::vector<PageBuffer>& kept() {
  static auto* v = new std::vector<PageBuffer>();
  return *v;
}
}  // namespace

PageBuffer takeCachedBuffer(size_t atLeast) {
  {
    std::lock_guard<std::mutex> lock(gMutex);
    auto& v = kept();
    size_t best = v.size();
    for (size_t i = 0; i < v.size(); i++) {
      if (v[i].size() >= atLeast && (best == v.size() || v[i].size() < v[best].size())) best = i;
    }
    if (best < v.size()) {
      PageBuffer b = std::move(v[best]);
      v.erase(v.begin() + std::ptrdiff_t(best));
      return b;
    }
  }
  return PageBuffer(atLeast);
}

void giveCachedBuffer(PageBuffer&& b) {
  if (b.size() == 0 || b.size() > kCachedBufferMax) return;
  PageBuffer dropped;  // freed after the lock is released
  std::lock_guard<std::mutex> lock(gMutex);
  auto& v = kept();
  if (v.size() < kCachedBuffers) {
    v.push_back(std::move(b));
    return;
  }
  // Full: keep the larger buffers (a small one is cheap to map again).
  size_t smallest = 0;
  for (size_t i = 1; i < v.size(); i++) {
    if (v[i].size() < v[smallest].size()) smallest = i;
  }
  if (v[smallest].size() < b.size()) std::swap(v[smallest], b);
  dropped = std::move(b);
}

size_t cachedBufferCount() {
  std::lock_guard<std::mutex> lock(gMutex);
  return kept().size();
}

}  // namespace walb::fmt
