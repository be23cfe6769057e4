// An address-ordered map of non-overlapping extents where the newest insert wins: inserting
// [addr, addr+blocks) cuts every older extent it overlaps into the parts that stay visible.
// The payload says where an extent's blocks come from; cutting `k` blocks off its front calls
// payload.advance(k) so the remaining part still points at its own first block. Memory is one map
// node per extent: the index of a diff, never its data (see ops/design.md, "overlap cutting").
#pragma once
#include <cstdint>
#include <iterator>
#include <algorithm>
#include <map>
#include <utility>
#include <vector>

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

  // Inserts [addr, addr+blocks) under the extents `stays(payload)` names: those are left whole and
  // the new extent fills only what they do not cover (one extent per uncovered run, its payload
  // advanced to the run's first block); every other extent it overlaps is cut as by insert(). For a
  // merge that reads its inputs side by side in address order, so that an older input's record can
  // arrive after a newer one's: newest wins whatever the order of the inserts.
  template <typename Stays>
  void insertUnder(uint64_t addr, uint64_t blocks, const Payload& payload, Stays stays) {
    if (blocks == 0) return;
    const uint64_t end = addr + blocks;
    auto it = map_.lower_bound(addr);
    if (it != map_.begin() && std::prev(it)->first + std::prev(it)->second.blocks > addr) --it;
    uint64_t pos = addr;
    bool covered = false;
    for (; it != map_.end() && it->first < end; ++it) {
      if (!stays(it->second.payload)) continue;
      covered = true;
      break;
    }
    if (!covered) return insert(addr, blocks, payload);  // the common case: nothing stays
    // The runs of [addr, end) that no staying extent covers, found before any insert changes the map.
    std::vector<std::pair<uint64_t, uint64_t>> runs;
    for (; it != map_.end() && it->first < end; ++it) {
      if (!stays(it->second.payload)) continue;
      if (it->first > pos) runs.emplace_back(pos, it->first - pos);
      pos = std::max(pos, it->first + it->second.blocks);
    }
    if (pos < end) runs.emplace_back(pos, end - pos);
    for (const auto& [at, n] : runs) {
      Payload p = payload;
      p.advance(at - addr);
      insert(at, n, p);
    }
  }

  // Calls fn(addr, extent) for each extent, from the first, that ends at or before `end`, and
  // removes it. In a merge these are the extents no record still to come can overlap.
  template <typename Fn>
  void takeUpTo(uint64_t end, Fn fn) {
    for (auto it = map_.begin(); it != map_.end() && it->first + it->second.blocks <= end;) {
      fn(it->first, it->second);
      it = map_.erase(it);
    }
  }

  const Map& extents() const { return map_; }
  size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }
  void clear() { map_.clear(); }

 private:
  Map map_;
};

}  // namespace walb::fmt
