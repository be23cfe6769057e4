// The addon's entry point: exports every function registered with WALBCTL_EXPORT.
#include <string>
#include <utility>
#include <vector>

#include "addon.h"

namespace walbctl::addon {
namespace {
std::vector<std::pair<std::string, Registrar>>& Registry() {
  static std::vector<std::pair<std::string, Registrar>> registry;
  return registry;
}
}  // namespace

Registration::Registration(const char* name, Registrar fn) { Registry().emplace_back(name, fn); }

void ExportAll(Napi::Env env, Napi::Object exports) {
  for (const auto& [name, fn] : Registry()) {
    exports.Set(name, Napi::Function::New(env, fn, name));
  }
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), "walbctl-native 1");
}
WALBCTL_EXPORT("version", Version);

}  // namespace walbctl::addon

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  walbctl::addon::ExportAll(env, exports);
  return exports;
}

NODE_API_MODULE(walb_native, Init)
