// writeImage: writes a whole image file onto an existing file or block device, every byte of it
// (the image's holes as zeros, so nothing of the target's old contents survives), then fsyncs it.
// The last step of `archive restore --overwrite`, after the image was built and verified beside
// the archive. The target is opened without O_CREAT or O_TRUNC and must hold the image.
// JS: writeImage({source, target}, onProgress?) -> Promise<{sizeBytes}>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "addon.h"
#include "format/error.h"
#include "format/io.h"
#include "scan/op_worker.h"
#include "scan/volume_reader.h"

namespace walbctl::archive {
namespace {
using walb::fmt::IoError;
using walbctl::scan::ProgressSink;

struct WriteOptions {
  std::string source, target;
};

void writeAll(int fd, const std::string& path, const uint8_t* p, size_t n, uint64_t off) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, off_t(off));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw IoError(path, "write", errno);
    p += w;
    n -= size_t(w);
    off += uint64_t(w);
  }
}

uint64_t runWrite(const WriteOptions& o, ProgressSink& progress) {
  int dst = walb::fmt::openOrThrow(o.target, O_WRONLY);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{dst};
  walbctl::scan::VolumeReader reader(o.source, 0, 4u << 20, 1u << 16);
  const uint64_t size = reader.size();
  if (walbctl::scan::deviceSize(dst, o.target) < size) throw IoError(o.target, "write: the target is smaller than the image", ENOSPC);
  std::vector<uint8_t> zeros(4u << 20, 0);
  walbctl::scan::Chunk c;
  while (reader.next(c)) {
    writeAll(dst, o.target, c.data ? c.data : zeros.data(), c.length, c.offset);
    progress.report(c.offset + c.length, size);
  }
  if (fsync(dst) != 0) throw IoError(o.target, "fsync", errno);
  progress.report(size, size, true);
  return size;
}

Napi::Value WriteImage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "writeImage(options, onProgress?): options must be an object");
  Napi::Object opts = info[0].As<Napi::Object>();
  auto o = std::make_shared<WriteOptions>();
  o->source = walbctl::scan::optString(opts, "source");
  o->target = walbctl::scan::optString(opts, "target");
  auto size = std::make_shared<uint64_t>(0);
  auto* worker = new walbctl::scan::OpWorker(
      env, info[1], [o, size](ProgressSink& p) { *size = runWrite(*o, p); },
      [size](Napi::Env e) {
        Napi::Object out = Napi::Object::New(e);
        out.Set("sizeBytes", Napi::Number::New(e, double(*size)));
        return out;
      });
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

}  // namespace
WALBCTL_EXPORT("writeImage", WriteImage);
}  // namespace walbctl::archive
