// An address-ordered map of non-overlapping extents where the newest insert wins: inserting
// [addr, addr+blocks) cuts every older extent it overlaps into the parts that stay visible.
// The payload says where an extent's blocks come from; cutting `k` blocks off its front calls
// payload.advance(k) so the remaining part still points at its own first block. Memory is one map
// node per extent: the index of a diff, never its data (see ops/design.md, "overlap cutting").
#pragma once
#include <cstdint>
#include <iterator>
#include <map>

namespace walb::fmt {

template <typename Payload>
class ExtentMap {
 public:
  struct Extent {
    uint64_t blocks;
    Payload payload;
  };
  using Map = std::map<uint64_t, Extent>;

  void insert(uint64_t addr, uint64_t blocks, const Payload& payload) {
    if (blocks == 0) return;
    const uint64_t end = addr + blocks;
    auto it = map_.lower_bound(addr);
    if (it != map_.begin()) {
      auto prev = std::prev(it);
      const uint64_t pEnd = prev->first + prev->second.blocks;
      if (pEnd > addr) {
        if (pEnd > end) {  // the new extent lies inside prev: its right part stays visible too
          Extent right = prev->second;
          right.blocks = pEnd - end;
          right.payload.advance(end - prev->first);
          map_.emplace_hint(it, end, right);
        }
        prev->second.blocks = addr - prev->first;
      }
    }
    while (it != map_.end() && it->first < end) {
      const uint64_t cEnd = it->first + it->second.blocks;
      if (cEnd > end) {
        Extent right = it->second;
        right.blocks = cEnd - end;
        right.payload.advance(end - it->first);
        it = map_.erase(it);
        map_.emplace_hint(it, end, right);
        break;
      }
      it = map_.erase(it);
    }
    map_.emplace(addr, Extent{blocks, payload});
  }

  const Map& extents() const { return map_; }
  size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }
  void clear() { map_.clear(); }

 private:
  Map map_;
};

}  // namespace walb::fmt
