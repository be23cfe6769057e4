// A small JSON-like value built on a worker thread (no N-API there) and turned into a JS value on
// the main thread by toJs(). Operations' results travel to JS this way.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace walbctl::addon {

struct JValue {
  enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
  bool b = false;
  double n = 0;
  std::string s;
  std::vector<JValue> items;
  std::vector<std::pair<std::string, JValue>> fields;

  JValue() = default;
  JValue(bool v) : type(Type::Bool), b(v) {}
  JValue(double v) : type(Type::Number), n(v) {}
  JValue(int v) : type(Type::Number), n(v) {}
  JValue(unsigned v) : type(Type::Number), n(v) {}
  JValue(uint64_t v) : type(Type::Number), n(double(v)) {}
  JValue(int64_t v) : type(Type::Number), n(double(v)) {}
  JValue(const char* v) : type(Type::String), s(v) {}
  JValue(std::string v) : type(Type::String), s(std::move(v)) {}

  static JValue object() {
    JValue v;
    v.type = Type::Object;
    return v;
  }
  static JValue array() {
    JValue v;
    v.type = Type::Array;
    return v;
  }
  JValue& set(const std::string& key, JValue v) {
    fields.emplace_back(key, std::move(v));
    return *this;
  }
  JValue& push(JValue v) {
    items.push_back(std::move(v));
    return *this;
  }
};

// 64-bit values that may exceed 2^53 (lsids, the END lsid) travel as decimal strings.
inline JValue bigU64(uint64_t v) { return JValue(std::to_string(v)); }

}  // namespace walbctl::addon
