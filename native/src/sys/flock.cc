// flock(fd, nonBlocking): takes an exclusive flock(2) on an open file descriptor; unflock(fd) drops
// it. The kernel releases the lock when its holder dies, however it dies, so a lock taken this way is
// never stale. Synchronous: with nonBlocking it never waits (returns false when another holds it).
#include <sys/file.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "addon.h"

namespace walbctl::sys {
namespace {

int fdArg(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "fd must be a number");
  return info[0].As<Napi::Number>().Int32Value();
}

Napi::Error errnoError(Napi::Env env, const char* what, int e) {
  Napi::Error err = Napi::Error::New(env, std::string(what) + ": " + std::strerror(e));
  err.Set("errno", Napi::Number::New(env, e));
  return err;
}

Napi::Value Flock(const Napi::CallbackInfo& info) {
  int fd = fdArg(info);
  bool nonBlocking = info.Length() > 1 && info[1].ToBoolean().Value();
  for (;;) {
    if (::flock(fd, LOCK_EX | (nonBlocking ? LOCK_NB : 0)) == 0) return Napi::Boolean::New(info.Env(), true);
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return Napi::Boolean::New(info.Env(), false);
    throw errnoError(info.Env(), "flock", errno);
  }
}

Napi::Value Unflock(const Napi::CallbackInfo& info) {
  int fd = fdArg(info);
  if (::flock(fd, LOCK_UN) != 0) throw errnoError(info.Env(), "flock(LOCK_UN)", errno);
  return info.Env().Undefined();
}

}  // namespace
WALBCTL_EXPORT("flock", Flock);
WALBCTL_EXPORT("unflock", Unflock);
}  // namespace walbctl::sys
