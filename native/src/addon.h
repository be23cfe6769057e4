// Registration of the addon's exports. Each operation's .cc registers itself with
// WALBCTL_EXPORT(name, function), so the init file never lists operations by hand.
#pragma once
#include <napi.h>

namespace walbctl::addon {

using Registrar = Napi::Value (*)(const Napi::CallbackInfo&);

struct Registration {
  Registration(const char* name, Registrar fn);
};

// Calls every registered export's registrar; used by init.cc only.
void ExportAll(Napi::Env env, Napi::Object exports);

}  // namespace walbctl::addon

#define WALBCTL_CONCAT2(a, b) a##b
#define WALBCTL_CONCAT(a, b) WALBCTL_CONCAT2(a, b)
#define WALBCTL_EXPORT(name, fn) \
  static ::walbctl::addon::Registration WALBCTL_CONCAT(walbctl_export_, __LINE__)(name, fn)
