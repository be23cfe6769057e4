// scanVolume: one pass over a volume in bulks, doing any of
//   - full backup: write every non-zero bulk into `imageOut` (a new sparse file of the volume's size;
//     all-zero bulks and holes cost nothing and stay holes);
//   - scan snapshot / hash backup: compare each bulk's XXH3-128 hash with `indexIn` and write the
//     changed bulks into the sorted wdiff `diffOut` (ALLZERO records for all-zero bulks);
//   - write the hashes of this pass as the new index `indexOut`;
//   - with `sumsBulkSize` (and `imageOut`), the image's checksums for base.sums (XXH3-64 per bulk of
//     that size, holes as zeros), from the same bytes the image is written from: no second pass.
// Hashes are XXH3-128 with a seed (hash_index.h): a bulk is compared using `indexIn`'s own seed; the
// new index takes `seed` (16 hex digits) when given, else `indexIn`'s seed, else 0 (unseeded).
// JS: scanVolume(options, onProgress?) -> Promise<{bytesScanned, bytesRead, dataBytes,
//     changedBulks, changedBytes, diffBytes, records, sums?: Buffer}>
#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>

#include "addon.h"
#include "format/compression.h"
#include "format/error.h"
#include "format/io.h"
#include "format/layout.h"
#include "format/wdiff_sorted.h"
#include "archive/bulk_hash.h"
#include "scan/hash_index.h"
#include "scan/image_writer.h"
#include "scan/op_worker.h"
#include "scan/volume_reader.h"

namespace walbctl::scan {
namespace {
using walb::fmt::IoError;

struct ScanOptions {
  std::string source, imageOut, indexIn, indexOut, diffOut, compression = "lz4";
  uint64_t sizeBytes = 0, bulkSize = 65536, gidB = 0, gidE = 0, seed = 0, sumsBulkSize = 0;
  bool hasSeed = false;
  uint8_t uuid[16] = {};
  bool sync = true;
};

struct ScanResult {
  uint64_t bytesScanned = 0, bytesRead = 0, dataBytes = 0, changedBulks = 0, changedBytes = 0, diffBytes = 0, records = 0;
  std::vector<uint8_t> sums;  // XXH3-64 per sums bulk (base-sums.md), with sumsBulkSize
};

constexpr size_t kImageGrain = 4096;

// Groups consecutive changed bulks of one kind into records of at most 1 MiB.
class RecordBuilder {
 public:
  explicit RecordBuilder(walb::fmt::SortedWdiffWriter& w) : w_(w) {}
  void add(uint64_t offset, size_t len, const uint8_t* data, bool zero) {
    if (n_ > 0 && (zero != zero_ || offset != start_ + n_ || n_ + len > kMax || (!zero && data != data_ + n_))) flush();
    if (n_ == 0) {
      start_ = offset;
      data_ = data;
      zero_ = zero;
    }
    n_ += len;
  }
  void flush() {
    if (n_ == 0) return;
    uint64_t addr = start_ / walb::fmt::kLogicalBlock;
    uint32_t blocks = uint32_t(n_ / walb::fmt::kLogicalBlock);
    if (zero_) w_.addAllZero(addr, blocks);
    else w_.addData(addr, blocks, data_);
    n_ = 0;
    records_++;
  }
  uint64_t records() const { return records_; }

 private:
  static constexpr size_t kMax = size_t(walb::fmt::kDefaultMaxIoBlocks) * walb::fmt::kLogicalBlock;
  walb::fmt::SortedWdiffWriter& w_;
  uint64_t start_ = 0;
  size_t n_ = 0;
  const uint8_t* data_ = nullptr;
  bool zero_ = false;
  uint64_t records_ = 0;
};

ScanResult runScan(const ScanOptions& o, ProgressSink& progress) {
  ScanResult r;
  const size_t bulk = size_t(o.bulkSize);
  const size_t chunk = std::max<size_t>(bulk, (4u << 20) / bulk * bulk);
  VolumeReader reader(o.source, o.sizeBytes, chunk, bulk);
  const uint64_t size = reader.size();
  const uint64_t nBulks = (size + bulk - 1) / bulk;

  std::optional<HashIndex> old;
  if (!o.indexIn.empty()) {
    old = readHashIndex(o.indexIn);
    if (old->bulkSize != bulk || old->sizeBytes != size) {
      throw walb::fmt::FormatError(o.indexIn, 12, "hash-index-geometry", "hash index bulk size or volume size differs from the volume's");
    }
  }
  HashIndex fresh;
  fresh.seed = o.hasSeed ? o.seed : old ? old->seed : 0;
  // The seed the comparison needs: the old index's. A second hash per bulk only when they differ.
  const uint64_t cmpSeed = old ? old->seed : fresh.seed;
  const bool twoSeeds = old && cmpSeed != fresh.seed;
  fresh.bulkSize = uint32_t(bulk);
  fresh.sizeBytes = size;
  fresh.gidB = o.gidB;
  fresh.gidE = o.gidE;
  std::copy(o.uuid, o.uuid + 16, fresh.uuid);
  fresh.hashes.resize(size_t(nBulks));

  std::vector<uint8_t> zeros(bulk, 0);
  const size_t tail = size_t(size % bulk);
  const XXH128_hash_t zeroHash = hashBulk(zeros.data(), bulk, fresh.seed), zeroTailHash = hashBulk(zeros.data(), tail, fresh.seed);
  const XXH128_hash_t cmpZeroHash = hashBulk(zeros.data(), bulk, cmpSeed), cmpZeroTailHash = hashBulk(zeros.data(), tail, cmpSeed);

  int imageFd = -1;
  if (!o.imageOut.empty()) {
    imageFd = walb::fmt::openOrThrow(o.imageOut, O_WRONLY | O_CREAT | O_TRUNC);
    if (ftruncate(imageFd, off_t(size)) != 0) {
      int e = errno;
      ::close(imageFd);
      throw IoError(o.imageOut, "truncate", e);
    }
  }
  struct FdCloser {
    int& fd;
    ~FdCloser() { if (fd >= 0) ::close(fd); }
  } closer{imageFd};

  std::unique_ptr<walb::fmt::SortedWdiffWriter> writer;
  std::unique_ptr<RecordBuilder> builder;
  if (!o.diffOut.empty()) {
    walb::fmt::SortedWriterOptions wo;
    if (!walb::fmt::parseCompression(o.compression, wo.compression)) {
      throw std::invalid_argument("unknown compression \"" + o.compression + "\"");
    }
    wo.uuid = o.uuid;
    wo.sync = o.sync;
    writer = std::make_unique<walb::fmt::SortedWdiffWriter>(o.diffOut, wo);
    builder = std::make_unique<RecordBuilder>(*writer);
  }

  // The image is written from the buffer the scan read and hashed (not copied again from the
  // source by the kernel): on a volume written to during the backup, the image and its sums agree.
  std::optional<ImageWriter> image;
  if (imageFd >= 0) image.emplace(reader.fd(), imageFd, o.imageOut, o.sync ? (32u << 20) : 0, /*kernelCopy=*/false);
  std::optional<walbctl::archive::BulkHasher> sums;
  if (o.sumsBulkSize > 0) sums.emplace(size, o.sumsBulkSize, nullptr);
  Chunk c;
  while (reader.next(c)) {
    uint64_t runStart = 0;
    size_t runLen = 0;  // pending run of non-zero bytes to write to the image
    for (size_t at = 0; at < c.length; at += bulk) {
      const size_t len = std::min(bulk, c.length - at);
      const uint64_t offset = c.offset + at;
      const uint64_t i = offset / bulk;
      const uint8_t* p = c.data ? c.data + at : nullptr;
      const bool zero = p == nullptr || isAllZero(p, len);
      XXH128_hash_t h = zero ? (len == bulk ? zeroHash : zeroTailHash) : hashBulk(p, len, fresh.seed);
      fresh.hashes[size_t(i)] = h;
      if (twoSeeds) h = zero ? (len == bulk ? cmpZeroHash : cmpZeroTailHash) : hashBulk(p, len, cmpSeed);
      if (!zero) r.dataBytes += len;
      if (imageFd >= 0 && !zero) {
        // Only the 4 KiB blocks that are not all zeros are written (as cp --sparse=always does):
        // the rest of a bulk stays a hole, and the fsync waits for fewer bytes.
        forEachDataRun(p, len, kImageGrain, [&](size_t s, size_t n) {
          if (runLen > 0 && runStart + runLen == offset + s) {
            runLen += n;
            return;
          }
          if (runLen > 0) image->write(runStart, c.data + (runStart - c.offset), runLen);
          runStart = offset + s;
          runLen = n;
        });
      }
      if (builder && !sameHash(h, old->hashes[size_t(i)])) {
        r.changedBulks++;
        r.changedBytes += len;
        builder->add(offset, len, p, zero);
      }
    }
    if (sums) sums->feed(c.data, c.length);
    if (imageFd >= 0 && runLen > 0) image->write(runStart, c.data + (runStart - c.offset), runLen);
    if (image) image->reached(c.offset + c.length);
    if (builder) builder->flush();  // the chunk buffer is reused: records never span chunks
    r.bytesScanned += c.length;
    progress.report(r.bytesScanned, size);
  }
  r.bytesRead = reader.bytesRead();
  if (image) image->finish();
  if (imageFd >= 0 && o.sync && fsync(imageFd) != 0) throw IoError(o.imageOut, "fsync", errno);
  if (writer) {
    r.diffBytes = writer->finish();
    r.records = builder->records();
  }
  if (!o.indexOut.empty()) writeHashIndex(o.indexOut, fresh);
  if (sums) r.sums = sums->hashes();
  progress.report(r.bytesScanned, size, true);
  return r;
}

Napi::Value ScanVolume(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "scanVolume(options, onProgress?): options must be an object");
  Napi::Object opts = info[0].As<Napi::Object>();
  auto o = std::make_shared<ScanOptions>();
  o->source = optString(opts, "source");
  o->imageOut = optStringOr(opts, "imageOut", "");
  o->indexIn = optStringOr(opts, "indexIn", "");
  o->indexOut = optStringOr(opts, "indexOut", "");
  o->diffOut = optStringOr(opts, "diffOut", "");
  o->compression = optStringOr(opts, "compression", "lz4");
  o->sizeBytes = optU64Or(opts, "sizeBytes", 0);
  o->bulkSize = optU64Or(opts, "bulkSize", 65536);
  o->gidB = optU64Or(opts, "gidB", 0);
  o->gidE = optU64Or(opts, "gidE", 0);
  o->sync = optBoolOr(opts, "sync", true);
  o->sumsBulkSize = optU64Or(opts, "sumsBulkSize", 0);
  std::string seed = optStringOr(opts, "seed", "");
  if (!seed.empty()) {
    if (!parseSeedHex(seed, o->seed)) throw Napi::TypeError::New(env, "option \"seed\" must be 1 to 16 hex digits");
    o->hasSeed = true;
  }
  std::string uuid = optStringOr(opts, "uuid", std::string(32, '0'));
  if (!parseUuidHex(uuid, o->uuid)) throw Napi::TypeError::New(env, "option \"uuid\" must be 32 hex digits");
  if (o->bulkSize == 0 || o->bulkSize % 512 != 0 || o->bulkSize > (1u << 20)) {
    throw Napi::TypeError::New(env, "option \"bulkSize\" must be a multiple of 512 up to 1 MiB");
  }
  if (o->sumsBulkSize % 4096 != 0) throw Napi::TypeError::New(env, "option \"sumsBulkSize\" must be a multiple of 4096");
  if (o->sumsBulkSize > 0 && o->imageOut.empty()) throw Napi::TypeError::New(env, "option \"sumsBulkSize\" needs \"imageOut\" (the sums are the image's)");
  if (o->sizeBytes % 512 != 0) throw Napi::TypeError::New(env, "option \"sizeBytes\" must be a multiple of 512");
  if (!o->diffOut.empty() && o->indexIn.empty()) throw Napi::TypeError::New(env, "option \"diffOut\" needs \"indexIn\"");
  auto result = std::make_shared<ScanResult>();
  auto* worker = new OpWorker(
      env, info[1], [o, result](ProgressSink& p) { *result = runScan(*o, p); },
      [result](Napi::Env e) {
        Napi::Object out = Napi::Object::New(e);
        out.Set("bytesScanned", Napi::Number::New(e, double(result->bytesScanned)));
        out.Set("bytesRead", Napi::Number::New(e, double(result->bytesRead)));
        out.Set("dataBytes", Napi::Number::New(e, double(result->dataBytes)));
        out.Set("changedBulks", Napi::Number::New(e, double(result->changedBulks)));
        out.Set("changedBytes", Napi::Number::New(e, double(result->changedBytes)));
        out.Set("diffBytes", Napi::Number::New(e, double(result->diffBytes)));
        out.Set("records", Napi::Number::New(e, double(result->records)));
        if (!result->sums.empty()) out.Set("sums", Napi::Buffer<uint8_t>::Copy(e, result->sums.data(), result->sums.size()));
        return out;
      });
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

}  // namespace
WALBCTL_EXPORT("scanVolume", ScanVolume);
}  // namespace walbctl::scan
