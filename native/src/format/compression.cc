#include "format/compression.h"

#include <lz4.h>
#include <lzma.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

namespace walb::fmt {

bool isKnownCompression(uint8_t id) { return id <= 5; }

const char* compressionName(Compression c) {
  switch (c) {
    case Compression::None: return "none";
    case Compression::Gzip: return "gzip";
    case Compression::Snappy: return "snappy";
    case Compression::Lzma: return "lzma";
    case Compression::Lz4: return "lz4";
    case Compression::Zstd: return "zstd";
  }
  return "unknown";
}

bool parseCompression(const std::string& name, Compression& out) {
  for (uint8_t id = 0; id <= 5; id++) {
    if (name == compressionName(Compression(id))) {
      out = Compression(id);
      return true;
    }
  }
  return false;
}

namespace {

bool compressGzip(const uint8_t* in, size_t n, std::vector<uint8_t>& out, int level) {
  uLongf size = compressBound(uLong(n));
  out.resize(size);
  if (compress2(out.data(), &size, in, uLong(n), level ? level : Z_DEFAULT_COMPRESSION) != Z_OK) return false;
  out.resize(size);
  return true;
}

bool compressLzma(const uint8_t* in, size_t n, std::vector<uint8_t>& out, int level) {
  out.resize(lzma_stream_buffer_bound(n));
  size_t pos = 0;
  uint32_t preset = level > 0 ? uint32_t(level) : LZMA_PRESET_DEFAULT;
  if (lzma_easy_buffer_encode(preset, LZMA_CHECK_CRC64, nullptr, in, n, out.data(), &pos, out.size()) != LZMA_OK)
    return false;
  out.resize(pos);
  return true;
}

bool decompressLzma(const uint8_t* in, size_t n, uint8_t* out, size_t expected) {
  uint64_t memlimit = UINT64_MAX;
  size_t inPos = 0, outPos = 0;
  lzma_ret r = lzma_stream_buffer_decode(&memlimit, 0, nullptr, in, &inPos, n, out, &outPos, expected);
  if (r != LZMA_OK || outPos != expected || inPos != n) return false;
  return true;
}

bool decompressGzip(const uint8_t* in, size_t n, uint8_t* out, size_t expected) {
  uLongf size = uLongf(expected);
  uLong srcLen = uLong(n);
  int r = uncompress2(out, &size, in, &srcLen);
  return r == Z_OK && size == expected && srcLen == n;
}

}  // namespace

bool compress(Compression c, const uint8_t* in, size_t n, std::vector<uint8_t>& out, int level) {
  bool ok = false;
  switch (c) {
    case Compression::None:
      return false;
    case Compression::Gzip:
      ok = compressGzip(in, n, out, level);
      break;
    case Compression::Snappy: {
      size_t size = snappy_max_compressed_length(n);
      out.resize(size);
      ok = snappy_compress(reinterpret_cast<const char*>(in), n, reinterpret_cast<char*>(out.data()), &size) == SNAPPY_OK;
      if (ok) out.resize(size);
      break;
    }
    case Compression::Lzma:
      ok = compressLzma(in, n, out, level);
      break;
    case Compression::Lz4: {
      int bound = LZ4_compressBound(int(n));
      out.resize(size_t(bound));
      int size = level > 1 ? LZ4_compress_fast(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out.data()), int(n), bound, level)
                           : LZ4_compress_default(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out.data()), int(n), bound);
      ok = size > 0;
      if (ok) out.resize(size_t(size));
      break;
    }
    case Compression::Zstd: {
      size_t bound = ZSTD_compressBound(n);
      out.resize(bound);
      size_t size = ZSTD_compress(out.data(), bound, in, n, level ? level : 3);
      ok = !ZSTD_isError(size);
      if (ok) out.resize(size);
      break;
    }
  }
  return ok && out.size() < n;
}

bool decompress(Compression c, const uint8_t* in, size_t n, uint8_t* out, size_t expected) {
  switch (c) {
    case Compression::None:
      if (n != expected) return false;
      if (n) std::memcpy(out, in, n);
      return true;
    case Compression::Gzip:
      return decompressGzip(in, n, out, expected);
    case Compression::Snappy: {
      size_t len = 0;
      auto* src = reinterpret_cast<const char*>(in);
      if (snappy_uncompressed_length(src, n, &len) != SNAPPY_OK || len != expected) return false;
      if (snappy_validate_compressed_buffer(src, n) != SNAPPY_OK) return false;
      return snappy_uncompress(src, n, reinterpret_cast<char*>(out), &len) == SNAPPY_OK && len == expected;
    }
    case Compression::Lzma:
      return decompressLzma(in, n, out, expected);
    case Compression::Lz4: {
      if (n > size_t(INT32_MAX) || expected > size_t(INT32_MAX)) return false;
      int r = LZ4_decompress_safe(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out), int(n), int(expected));
      return r >= 0 && size_t(r) == expected;
    }
    case Compression::Zstd: {
      size_t r = ZSTD_decompress(out, expected, in, n);
      return !ZSTD_isError(r) && r == expected;
    }
  }
  return false;
}

}  // namespace walb::fmt
