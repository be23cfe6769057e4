// The one error type of the format layer: which file, which byte offset, which rule of the format.
// `rule` is a stable kebab-case name (e.g. "pack-checksum", "record-overlap") that tests and the
// TypeScript wrapper (WalbFormatError.rule) match on; `what()` is the whole human sentence.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace walb::fmt {

class FormatError : public std::runtime_error {
 public:
  FormatError(std::string file, uint64_t offset, std::string rule, const std::string& detail)
      : std::runtime_error(file + ": byte " + std::to_string(offset) + ": " + detail + " [" + rule + "]"),
        file_(std::move(file)), offset_(offset), rule_(std::move(rule)), detail_(detail) {}
  const std::string& file() const { return file_; }
  uint64_t offset() const { return offset_; }
  const std::string& rule() const { return rule_; }
  const std::string& detail() const { return detail_; }

 private:
  std::string file_;
  uint64_t offset_;
  std::string rule_;
  std::string detail_;
};

// An operating-system failure (open, read, write, fsync) on a named file; carries errno.
class IoError : public std::runtime_error {
 public:
  IoError(const std::string& file, const std::string& op, int err);
  int err() const { return err_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  int err_;
};

}  // namespace walb::fmt
