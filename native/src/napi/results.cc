#include "napi/results.h"

#include <cstdio>

namespace walbctl::addon {

JValue statsJson(const walb::ops::DiffStats& s) {
  JValue o = JValue::object();
  o.set("normal", JValue::object().set("records", s.normalRecords).set("blocks", s.normalBlocks));
  o.set("allZero", JValue::object().set("records", s.allZeroRecords).set("blocks", s.allZeroBlocks));
  o.set("discard", JValue::object().set("records", s.discardRecords).set("blocks", s.discardBlocks));
  o.set("records", s.normalRecords + s.allZeroRecords + s.discardRecords);
  o.set("dataBytes", s.dataBytes);
  o.set("fileBytes", s.fileBytes);
  return o;
}

JValue uuidJson(const uint8_t* u) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
                u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  return JValue(std::string(buf));
}

bool parseCompressionOpt(const std::string& name, walb::fmt::Compression& out) {
  return walb::fmt::parseCompression(name, out);
}

JValue wlogTailJson(const walb::ops::WlogTail& t) {
  if (!t.known) return JValue();
  JValue v = JValue::object();
  v.set("complete", t.complete).set("end", t.end).set("endOffset", t.endOffset).set("packs", t.packs);
  v.set("endDetail", t.detail.empty() ? JValue() : JValue(t.detail));
  return v;
}

}  // namespace walbctl::addon
