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

size_t compressBound(Compression c, size_t n) {
  switch (c) {
    case Compression::None: return n;
    case Compression::Gzip: return ::compressBound(uLong(n));
    case Compression::Snappy: return snappy_max_compressed_length(n);
    case Compression::Lzma: return lzma_stream_buffer_bound(n);
    case Compression::Lz4: return size_t(LZ4_compressBound(int(n)));
    case Compression::Zstd: return ZSTD_compressBound(n);
  }
  return n;
}

size_t compressInto(Compression c, const uint8_t* in, size_t n, uint8_t* out, size_t cap, int level) {
  size_t size = 0;
  switch (c) {
    case Compression::None:
      return 0;
    case Compression::Gzip: {
      uLongf len = uLongf(cap);
      if (compress2(out, &len, in, uLong(n), level ? level : Z_DEFAULT_COMPRESSION) != Z_OK) return 0;
      size = len;
      break;
    }
    case Compression::Snappy: {
      size_t len = cap;
      if (snappy_compress(reinterpret_cast<const char*>(in), n, reinterpret_cast<char*>(out), &len) != SNAPPY_OK) return 0;
      size = len;
      break;
    }
    case Compression::Lzma: {
      size_t pos = 0;
      uint32_t preset = level > 0 ? uint32_t(level) : LZMA_PRESET_DEFAULT;
      if (lzma_easy_buffer_encode(preset, LZMA_CHECK_CRC64, nullptr, in, n, out, &pos, cap) != LZMA_OK) return 0;
      size = pos;
      break;
    }
    case Compression::Lz4: {
      if (n > size_t(LZ4_MAX_INPUT_SIZE)) return 0;
      int cap32 = cap > size_t(INT32_MAX) ? INT32_MAX : int(cap);
      int len = level > 1 ? LZ4_compress_fast(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out), int(n), cap32, level)
                          : LZ4_compress_default(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out), int(n), cap32);
      if (len <= 0) return 0;
      size = size_t(len);
      break;
    }
    case Compression::Zstd: {
      size_t len = ZSTD_compress(out, cap, in, n, level ? level : 3);
      if (ZSTD_isError(len)) return 0;
      size = len;
      break;
    }
  }
  return size < n ? size : 0;
}

bool compress(Compression c, const uint8_t* in, size_t n, std::vector<uint8_t>& out, int level) {
  if (c == Compression::None) return false;
  size_t bound = compressBound(c, n);
  if (out.size() < bound) out.resize(bound);
  size_t size = compressInto(c, in, n, out.data(), out.size(), level);
  if (size == 0) return false;
  out.resize(size);
  return true;
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
      // No separate validation pass: snappy_uncompress bounds-checks every tag itself and fails on a
      // corrupt buffer (the fuzz targets feed it arbitrary bytes), and the record's checksum was checked.
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
