// Conversions of the ops' result structs to JValue (done on the worker thread).
#pragma once
#include "napi/jvalue.h"
#include "ops/apply.h"
#include "ops/convert.h"
#include "ops/inspect.h"
#include "ops/merge.h"

namespace walbctl::addon {

JValue statsJson(const walb::ops::DiffStats& s);
JValue uuidJson(const uint8_t* uuid);
// How the last input wlog ended ({complete, end, endOffset, packs, endDetail}), or null.
JValue wlogTailJson(const walb::ops::WlogTail& t);
bool parseCompressionOpt(const std::string& name, walb::fmt::Compression& out);

}  // namespace walbctl::addon
