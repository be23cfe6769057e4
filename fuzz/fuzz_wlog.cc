// libFuzzer target: the wlog reader (strict, as apply and convert use it) on arbitrary bytes.
#include <cstdint>
#include <cstring>

#include "copy_source.h"
#include "format/error.h"
#include "format/io.h"
#include "format/checksum.h"
#include "format/wlog.h"

static void run(walb::fmt::ByteSource& src) {
  try {
    walb::fmt::WlogReader r(src);
    walb::fmt::WlogPack pack;
    uint32_t sink = 0;
    while (r.nextPack(pack)) {
      for (size_t i = 0; i < pack.records.size(); i++) {
        const auto& rec = pack.records[i];
        if (rec.flags & (walb::fmt::kLogRecordDiscard | walb::fmt::kLogRecordPadding)) continue;
        sink += walb::fmt::checksum(r.ioData(pack, i), size_t(rec.io_size) * 512, 0);
      }
    }
    (void)sink;
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
