// A ByteSource over memory that offers no view(): readers take their copying (pread-like) path.
// Each fuzz target runs an input through both paths.
#pragma once
#include "format/io.h"

class CopySource : public walb::fmt::ByteSource {
 public:
  CopySource(const uint8_t* data, size_t size) : mem_(data, size, "fuzz") {}
  size_t readAt(uint64_t offset, void* buf, size_t n) override { return mem_.readAt(offset, buf, n); }
  uint64_t size() const override { return mem_.size(); }
  const std::string& name() const override { return mem_.name(); }

 private:
  walb::fmt::MemorySource mem_;
};
