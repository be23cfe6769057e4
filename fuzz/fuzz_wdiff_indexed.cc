// libFuzzer target: the indexed wdiff reader, reading every record's blocks, on arbitrary bytes.
#include <cstdint>
#include <vector>

#include "copy_source.h"
#include "format/error.h"
#include "format/io.h"
#include "format/wdiff_indexed.h"

static void run(walb::fmt::ByteSource& src) {
  try {
    walb::fmt::IndexedWdiffReader r(src);
    std::vector<uint8_t> buf;
    for (size_t i = 0; i < r.records().size(); i++) {
      if (r.records()[i].flags & (walb::fmt::kRecAllZero | walb::fmt::kRecDiscard)) continue;
      r.readData(i, buf);
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
