// hashImage: the XXH3-64 hash of each bulk of an image (the archive's base), for its checksum
// sidecar (native/lib/archive/base-sums.md). The whole image is read in large aligned chunks and
// its holes are not read (they hash as zeros); with `bulks`, only those bulks are read (an apply
// refreshes the bulks it wrote). The last bulk may be short: it is hashed as it is.
// JS: hashImage({path, bulkSize, sizeBytes, bulks?: number[]}, onProgress?) -> Promise<Buffer>
//     (8 bytes little-endian per bulk: every bulk in order, or the listed ones in the listed order)
#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "addon.h"
#include "archive/bulk_hash.h"
#include "format/error.h"
#include "format/io.h"
#include "scan/op_worker.h"

namespace walbctl::archive {
namespace {
using walb::fmt::IoError;
using walbctl::scan::ProgressSink;

struct HashOptions {
  std::string path;
  uint64_t bulkSize = 0, sizeBytes = 0;
  bool some = false;
  std::vector<uint64_t> bulks;
};

void putLe64(std::vector<uint8_t>& out, size_t at, uint64_t v) {
  for (int i = 0; i < 8; i++) out[at + i] = uint8_t(v >> (8 * i));
}

std::vector<uint8_t> hashWhole(const HashOptions& o, ProgressSink& progress) {
  BulkHasher hasher(o.sizeBytes, o.bulkSize, nullptr);
  hashWholeImage(o.path, hasher, o.sizeBytes, progress);
  return hasher.hashes();
}

std::vector<uint8_t> hashSome(const HashOptions& o, ProgressSink& progress) {
  std::vector<uint8_t> out(o.bulks.size() * 8);
  std::vector<uint8_t> buf(o.bulkSize);
  int fd = walb::fmt::openOrThrow(o.path, O_RDONLY);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  for (size_t i = 0; i < o.bulks.size(); i++) {
    uint64_t off = o.bulks[i] * o.bulkSize;
    if (off >= o.sizeBytes) throw IoError(o.path, "hash: bulk past the end of the image", EINVAL);
    size_t len = size_t(std::min<uint64_t>(o.bulkSize, o.sizeBytes - off)), got = 0;
    while (got < len) {
      ssize_t n = ::pread(fd, buf.data() + got, len - got, off_t(off + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw IoError(o.path, "read", errno);
      if (n == 0) throw IoError(o.path, "read: the image is shorter than its recorded size", EIO);
      got += size_t(n);
    }
    putLe64(out, i * 8, XXH3_64bits(buf.data(), len));
    progress.report((i + 1) * o.bulkSize, o.bulks.size() * o.bulkSize);
  }
  return out;
}

Napi::Value HashImage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "hashImage(options, onProgress?): options must be an object");
  Napi::Object opts = info[0].As<Napi::Object>();
  auto o = std::make_shared<HashOptions>();
  o->path = walbctl::scan::optString(opts, "path");
  o->bulkSize = walbctl::scan::optU64(opts, "bulkSize");
  o->sizeBytes = walbctl::scan::optU64(opts, "sizeBytes");
  if (o->bulkSize == 0 || o->bulkSize % 4096 != 0) throw Napi::RangeError::New(env, "option \"bulkSize\" must be a positive multiple of 4096");
  Napi::Value bulks = opts.Get("bulks");
  if (bulks.IsArray()) {
    o->some = true;
    Napi::Array a = bulks.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) o->bulks.push_back(uint64_t(a.Get(i).As<Napi::Number>().Int64Value()));
  }
  auto result = std::make_shared<std::vector<uint8_t>>();
  auto* worker = new walbctl::scan::OpWorker(
      env, info[1], [o, result](ProgressSink& p) { *result = o->some ? hashSome(*o, p) : hashWhole(*o, p); },
      [result](Napi::Env e) { return Napi::Buffer<uint8_t>::Copy(e, result->data(), result->size()); });
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

}  // namespace
WALBCTL_EXPORT("hashImage", HashImage);
}  // namespace walbctl::archive
