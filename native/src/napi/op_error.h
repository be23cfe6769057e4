// What a failed operation tells JavaScript, shared by the addon's workers (napi/worker.h and
// scan/op_worker.h): the library's exceptions are caught on the pool thread into an OpError (no
// N-API there), and put on the rejected promise's Error on the JS thread. The TypeScript side
// (native/lib/errors.ts, native/lib/archive/wdiff-errors.ts) names files and offsets from them.
#pragma once
#include <napi.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace walbctl::addon {

struct OpError {
  std::string kind;  // "format" | "io" | "argument" | "internal"
  std::string file, rule;
  uint64_t offset = 0;
  int err = 0;
};

// Runs `fn`. When it throws, fills `out` and returns the message for SetError; else nothing.
std::optional<std::string> CaptureOpError(const std::function<void()>& fn, OpError& out);

// Puts the fields on `err`: kind; file; offset, rule and code "bad-format" for a format error;
// errno and code (its name, ENOSPC) for a system error.
void DecorateOpError(Napi::Env env, Napi::Object err, const OpError& e);

}  // namespace walbctl::addon
