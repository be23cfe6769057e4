// libFuzzer target: the sorted wdiff reader, decompressing every record, on arbitrary bytes.
#include <cstdint>
#include <vector>

#include "copy_source.h"
#include "format/error.h"
#include "format/io.h"
#include "format/wdiff_sorted.h"

static void run(walb::fmt::ByteSource& src) {
  try {
    walb::fmt::SortedWdiffReader r(src);
    walb::fmt::SortedEntry e;
    std::vector<uint8_t> buf;
    while (r.next(e)) {
      if (e.rec.flags & (walb::fmt::kRecAllZero | walb::fmt::kRecDiscard)) continue;
      r.readData(e, buf);
    }
  } catch (const walb::fmt::FormatError&) {
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  walb::fmt::MemorySource viewed(data, size, "fuzz");  // readers use view(): data in place
  run(viewed);
  CopySource copied(data, size);  // readers copy with readAt()
  run(copied);
  return 0;
}
