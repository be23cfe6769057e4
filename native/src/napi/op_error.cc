#include "napi/op_error.h"

#include <cstring>
#include <new>
#include <stdexcept>

#include "format/error.h"

namespace walbctl::addon {

std::optional<std::string> CaptureOpError(const std::function<void()>& fn, OpError& out) {
  try {
    fn();
    return std::nullopt;
  } catch (const walb::fmt::FormatError& e) {
    out.kind = "format";
    out.file = e.file();
    out.offset = e.offset();
    out.rule = e.rule();
    return e.what();
  } catch (const walb::fmt::IoError& e) {
    out.kind = "io";
    out.file = e.file();
    out.err = e.err();
    return e.what();
  } catch (const std::invalid_argument& e) {
    out.kind = "argument";
    return e.what();
  } catch (const std::bad_alloc&) {
    out.kind = "internal";
    return std::string("out of memory");
  } catch (const std::exception& e) {
    out.kind = "internal";
    return e.what();
  }
}

void DecorateOpError(Napi::Env env, Napi::Object err, const OpError& e) {
  if (!e.kind.empty()) err.Set("kind", e.kind);
  if (!e.file.empty()) err.Set("file", e.file);
  if (e.kind == "format") {
    err.Set("offset", Napi::Number::New(env, double(e.offset)));
    err.Set("rule", e.rule);
    err.Set("code", "bad-format");
  } else if (e.kind == "io") {
    err.Set("errno", Napi::Number::New(env, e.err));
    const char* name = strerrorname_np(e.err);
    err.Set("code", name ? std::string(name) : "E" + std::to_string(e.err));
  }
}

}  // namespace walbctl::addon
