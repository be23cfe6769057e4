// verifyFile(path), wdiffStats(path), showWdiff(path), showWlog(path) -> Promise
#include "addon.h"
#include "format/compression.h"
#include "napi/results.h"
#include "napi/worker.h"
#include "ops/inspect.h"

namespace walbctl::addon {
namespace {

using namespace walb;

const char* recordKind(uint8_t flags) {
  if (flags & fmt::kRecDiscard) return "discard";
  if (flags & fmt::kRecAllZero) return "allzero";
  return "normal";
}

Napi::Value VerifyFile(const Napi::CallbackInfo& info) {
  auto path = stringArg(info[0], "path");
  const bool decode = boolOpt(optionsArg(info, 1), "decode", true);
  return OpWorker::Run(info.Env(), "walbctl.verifyFile", [=]() {
    auto r = ops::verifyFile(path, decode);
    JValue v = JValue::object();
    v.set("file", path).set("kind", ops::fileKindName(r.kind));
    v.set("records", r.records).set("packs", r.packs).set("fileBytes", r.fileBytes);
    v.set("complete", r.complete).set("end", r.end).set("endOffset", r.endOffset);
    if (!r.endDetail.empty()) v.set("endDetail", r.endDetail);
    if (r.kind == ops::FileKind::Wlog) v.set("beginLsid", bigU64(r.beginLsid)).set("endLsid", bigU64(r.endLsid));
    return v;
  });
}

Napi::Value WdiffStats(const Napi::CallbackInfo& info) {
  auto path = stringArg(info[0], "path");
  return OpWorker::Run(info.Env(), "walbctl.wdiffStats", [=]() { return statsJson(ops::wdiffStats(path)); });
}

Napi::Value ShowWdiff(const Napi::CallbackInfo& info) {
  auto path = stringArg(info[0], "path");
  return OpWorker::Run(info.Env(), "walbctl.showWdiff", [=]() {
    auto w = ops::showWdiff(path);
    bool indexed = w.kind == ops::FileKind::IndexedWdiff;
    JValue v = JValue::object();
    v.set("file", path).set("kind", ops::fileKindName(w.kind)).set("uuid", uuidJson(w.uuid));
    JValue recs = JValue::array();
    for (const auto& r : w.records) {
      JValue x = JValue::object();
      x.set("address", r.address).set("blocks", r.blocks).set("kind", recordKind(r.flags)).set("flags", unsigned(r.flags));
      x.set("compression", fmt::compressionName(fmt::Compression(r.compression)));
      x.set("dataOffset", r.dataOffset).set("dataSize", r.dataSize).set("checksum", r.checksum);
      if (indexed) x.set("ioOffset", r.ioOffset).set("origBlocks", r.origBlocks);
      recs.push(std::move(x));
    }
    v.set("records", std::move(recs));
    v.set("stats", statsJson(w.stats));
    return v;
  });
}

const char* logKind(uint32_t flags) {
  if (flags & fmt::kLogRecordPadding) return "padding";
  if (flags & fmt::kLogRecordDiscard) return "discard";
  return "write";
}

Napi::Value ShowWlog(const Napi::CallbackInfo& info) {
  auto path = stringArg(info[0], "path");
  return OpWorker::Run(info.Env(), "walbctl.showWlog", [=]() {
    auto w = ops::showWlog(path);
    JValue v = JValue::object();
    v.set("file", path);
    JValue h = JValue::object();
    h.set("uuid", uuidJson(w.header.uuid)).set("pbs", w.header.physical_bs).set("salt", w.header.log_checksum_salt);
    h.set("beginLsid", bigU64(w.header.begin_lsid)).set("endLsid", bigU64(w.header.end_lsid));
    v.set("header", std::move(h));
    JValue packs = JValue::array();
    for (const auto& p : w.packs) {
      JValue x = JValue::object();
      x.set("lsid", bigU64(p.lsid)).set("fileOffset", p.fileOffset).set("totalIoSize", p.totalIoSize).set("nPadding", p.nPadding);
      JValue recs = JValue::array();
      for (const auto& r : p.records) {
        JValue y = JValue::object();
        y.set("lsid", bigU64(r.lsid)).set("kind", logKind(r.flags)).set("flags", r.flags);
        y.set("address", r.address).set("blocks", r.blocks).set("checksum", r.checksum).set("dataOffset", r.dataOffset);
        recs.push(std::move(y));
      }
      x.set("records", std::move(recs));
      packs.push(std::move(x));
    }
    v.set("packs", std::move(packs));
    v.set("end", JValue::object().set("reason", w.end).set("offset", w.endOffset).set("lsid", bigU64(w.endLsid)).set("detail", w.endDetail));
    v.set("totals", JValue::object()
                        .set("writes", w.writes)
                        .set("writeBlocks", w.writeBlocks)
                        .set("discards", w.discards)
                        .set("discardBlocks", w.discardBlocks)
                        .set("paddings", w.paddings));
    return v;
  });
}

}  // namespace
WALBCTL_EXPORT("verifyFile", VerifyFile);
WALBCTL_EXPORT("wdiffStats", WdiffStats);
WALBCTL_EXPORT("showWdiff", ShowWdiff);
WALBCTL_EXPORT("showWlog", ShowWlog);
}  // namespace walbctl::addon
