// copyImage: the first step of a restore. Clones the base image into a new file with FICLONE (a
// reflink: no data is copied, the file system shares the extents) where the file system supports it,
// else makes a sparse copy: holes are skipped with SEEK_DATA/SEEK_HOLE and all-zero 4 KiB blocks are
// not written, so the copy is as sparse as the base.
// With `checkBulkSize` and `checkHashes` (the base's sums), every bulk read is hashed as the copy
// reads it (after a reflink, the clone is read once to hash it) and the bulks that differ are returned:
// the restore refuses an image it cannot verify.
// JS: copyImage({source, target, mode: 'auto'|'reflink'|'copy', sync, checkBulkSize?, checkHashes?}, onProgress?)
//     -> Promise<{method: 'reflink'|'copy', sizeBytes, bytesWritten, badBulks: number[]}>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "addon.h"
#include "archive/bulk_hash.h"
#include "format/error.h"
#include "format/io.h"
#include "scan/op_worker.h"
#include "scan/image_writer.h"
#include "scan/volume_reader.h"

namespace walbctl::archive {
namespace {
using walb::fmt::IoError;
using walbctl::scan::ProgressSink;

struct CopyOptions {
  std::string source, target, mode = "auto";
  bool sync = true;
  uint64_t checkBulkSize = 0;
  std::vector<uint8_t> checkHashes;
};

struct CopyResult {
  std::string method;
  uint64_t sizeBytes = 0, bytesWritten = 0;
  std::vector<uint64_t> badBulks;
};

constexpr size_t kChunk = 1u << 20;
constexpr size_t kPiece = 64u << 10;    // holes of the base shorter than this are read
constexpr size_t kZeroGrain = 4096;     // a zero block this size is left a hole

bool reflinkUnsupported(int e) { return e == EOPNOTSUPP || e == EXDEV || e == EINVAL || e == ENOTTY || e == ENOSYS; }

CopyResult runCopy(const CopyOptions& o, ProgressSink& progress) {
  CopyResult r;
  int src = walb::fmt::openOrThrow(o.source, O_RDONLY);
  uint64_t size = walbctl::scan::deviceSize(src, o.source);
  int dst = walb::fmt::openOrThrow(o.target, O_WRONLY | O_CREAT | O_TRUNC);
  struct Closer {
    int a, b;
    ~Closer() { ::close(a); ::close(b); }
  } closer{src, dst};
  r.sizeBytes = size;
  std::unique_ptr<BulkHasher> hasher;
  if (o.checkBulkSize > 0) {
    if (o.checkHashes.size() != (size + o.checkBulkSize - 1) / o.checkBulkSize * 8) throw IoError(o.source, "check: the image's size does not fit its checksums", EINVAL);
    hasher = std::make_unique<BulkHasher>(size, o.checkBulkSize, o.checkHashes.data());
  }
  if (o.mode != "copy") {
    if (ioctl(dst, FICLONE, src) == 0) {
      r.method = "reflink";
      if (o.sync && fsync(dst) != 0) throw IoError(o.target, "fsync", errno);
      if (hasher) {
        hashWholeImage(o.target, *hasher, size, progress);
        r.badBulks = hasher->bad();
      }
      progress.report(size, size, true);
      return r;
    }
    int e = errno;
    if (o.mode == "reflink" || !reflinkUnsupported(e)) throw IoError(o.target, "reflink (FICLONE)", e);
  }
  r.method = "copy";
  if (ftruncate(dst, off_t(size)) != 0) throw IoError(o.target, "truncate", errno);
  walbctl::scan::VolumeReader reader(o.source, size, kChunk, kPiece);
  // auto (the file system cannot clone): copy inside the kernel, on a second thread while this one
  // reads; copy: always through the buffer.
  walbctl::scan::ImageWriter image(src, dst, o.target, o.sync ? (32u << 20) : 0, o.mode == "auto");
  walbctl::scan::Chunk c;
  while (reader.next(c)) {
    if (hasher) hasher->feed(c.data, c.length);
    if (c.data) {
      // Only the 4 KiB blocks that are not all zeros are written, as cp --sparse=always does.
      walbctl::scan::forEachDataRun(c.data, c.length, kZeroGrain, [&](size_t at, size_t n) {
        image.write(c.offset + at, c.data + at, n);
        r.bytesWritten += n;
      });
    }
    image.reached(c.offset + c.length);
    progress.report(c.offset + c.length, size);
  }
  image.finish();
  if (o.sync && fsync(dst) != 0) throw IoError(o.target, "fsync", errno);
  if (hasher) r.badBulks = hasher->bad();
  progress.report(size, size, true);
  return r;
}

Napi::Value CopyImage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "copyImage(options, onProgress?): options must be an object");
  Napi::Object opts = info[0].As<Napi::Object>();
  auto o = std::make_shared<CopyOptions>();
  o->source = walbctl::scan::optString(opts, "source");
  o->target = walbctl::scan::optString(opts, "target");
  o->mode = walbctl::scan::optStringOr(opts, "mode", "auto");
  o->sync = walbctl::scan::optBoolOr(opts, "sync", true);
  o->checkBulkSize = walbctl::scan::optU64Or(opts, "checkBulkSize", 0);
  if (o->checkBulkSize > 0) {
    if (!opts.Get("checkHashes").IsBuffer()) throw Napi::TypeError::New(env, "option \"checkHashes\" must be a Buffer when checkBulkSize is set");
    auto b = opts.Get("checkHashes").As<Napi::Buffer<uint8_t>>();
    o->checkHashes.assign(b.Data(), b.Data() + b.Length());
  }
  if (o->mode != "auto" && o->mode != "reflink" && o->mode != "copy") {
    throw Napi::TypeError::New(env, "option \"mode\" must be auto, reflink or copy");
  }
  auto result = std::make_shared<CopyResult>();
  auto* worker = new walbctl::scan::OpWorker(
      env, info[1], [o, result](ProgressSink& p) { *result = runCopy(*o, p); },
      [result](Napi::Env e) {
        Napi::Object out = Napi::Object::New(e);
        out.Set("method", result->method);
        out.Set("sizeBytes", Napi::Number::New(e, double(result->sizeBytes)));
        out.Set("bytesWritten", Napi::Number::New(e, double(result->bytesWritten)));
        Napi::Array bad = Napi::Array::New(e, result->badBulks.size());
        for (size_t i = 0; i < result->badBulks.size(); i++) bad.Set(uint32_t(i), Napi::Number::New(e, double(result->badBulks[i])));
        out.Set("badBulks", bad);
        return out;
      });
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

}  // namespace
WALBCTL_EXPORT("copyImage", CopyImage);
}  // namespace walbctl::archive
