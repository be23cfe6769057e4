// Record compression by WalB's id: 0 none, 1 gzip (zlib stream, compress2), 2 snappy (raw),
// 3 lzma (xz container), 4 lz4 (raw block, no length prefix), 5 zstd (one frame).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace walb::fmt {

enum class Compression : uint8_t { None = 0, Gzip = 1, Snappy = 2, Lzma = 3, Lz4 = 4, Zstd = 5 };

bool isKnownCompression(uint8_t id);
const char* compressionName(Compression c);
// Accepts "none", "gzip", "snappy", "lzma", "lz4", "zstd"; false for anything else.
bool parseCompression(const std::string& name, Compression& out);

// Compresses `n` bytes into `out` (resized to the compressed size). Returns false when the result
// would not be smaller than the input (WalB then stores the data with id 0). `level` 0 = default.
bool compress(Compression c, const uint8_t* in, size_t n, std::vector<uint8_t>& out, int level = 0);

// The largest output compressInto() may produce for `n` input bytes.
size_t compressBound(Compression c, size_t n);
// Compresses into `out` (capacity `cap` >= compressBound) without allocating. Returns the compressed
// size, or 0 when it would not be smaller than the input (or `c` is None).
size_t compressInto(Compression c, const uint8_t* in, size_t n, uint8_t* out, size_t cap, int level = 0);

// Decompresses into exactly `expected` bytes at `out`. Returns false when the data is not a valid
// stream of that kind or does not decompress to exactly `expected` bytes. Never reads past `in + n`
// nor writes past `out + expected`.
bool decompress(Compression c, const uint8_t* in, size_t n, uint8_t* out, size_t expected);

}  // namespace walb::fmt
