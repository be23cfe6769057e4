// A sorted wdiff checked as its bytes go by, once, in order: the wire's receiver feeds it each
// frame of a diff as it arrives, so that the commit need not read the file back to verify it
// (native/lib/wire/transfers/diff.ts). It applies the reader's rules (the header's; each pack
// block's, through checkSortedPack; every record's data checksum over its stored bytes; the END
// pack; nothing after it) and throws the reader's FormatError for the first fault, at the same byte
// offset. A record's data may arrive in any number of pieces: its checksum is summed piece by piece,
// with the 1-3 bytes left over from a piece carried to the next, since the sum is over 4-byte words
// counted from the record's first byte.
//
// An indexed wdiff is not checked here: after its header, `checked()` is false and the caller
// verifies the file as before.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "format/layout.h"

namespace walb::fmt {

class SortedWdiffStreamCheck {
 public:
  // `name` is the file the bytes are written to (errors name it); `size` is the whole stream's.
  SortedWdiffStreamCheck(std::string name, uint64_t size);

  // The next `n` bytes of the file (`data` null: `n` zero bytes). Throws FormatError at the first
  // fault; after one, the check must not be fed again.
  void feed(const uint8_t* data, size_t n);

  struct Result {
    uint64_t packs = 0, records = 0;
    bool complete = false;  // the END pack was seen
    uint64_t endOffset = 0;
  };
  // After the last byte: throws FormatError if the file ends inside the header or a pack block.
  Result finish() const;

  // False for an indexed wdiff (not checked here), once its header has gone by.
  bool checked() const { return state_ != State::Skip; }
  uint64_t offset() const { return pos_; }

 private:
  enum class State { Header, Block, Data, End, Skip };
  struct Piece {
    uint64_t from, to;  // the record's data, relative to the pack's data
    uint32_t want, sum = 0;
    uint8_t carry[4] = {0, 0, 0, 0};
    uint8_t carried = 0;
    bool done = false;
  };
  void enterBlock();
  void blockDone();
  void dataBytes(const uint8_t* data, size_t n);
  void sumInto(Piece& r, const uint8_t* p, size_t n);
  void closePiece(Piece& r);

  std::string name_;
  uint64_t size_;
  uint64_t pos_ = 0;
  State state_ = State::Header;
  std::vector<uint8_t> buf_;  // the header or the pack block being gathered
  size_t fill_ = 0;
  uint64_t at_ = 0;           // file offset of the block being gathered, then of its pack's data
  uint64_t dataSize_ = 0;     // the current pack's data size, and how much of it went by
  uint64_t dataSeen_ = 0;
  std::vector<Piece> pieces_;
  size_t open_ = 0;           // pieces before this one are closed (pieces_ is sorted by `from`)
  uint64_t nextAddr_ = 0;
  Result result_;
};

}  // namespace walb::fmt
