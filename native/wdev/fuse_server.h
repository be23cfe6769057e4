// The FUSE side: one directory holding one regular file (the volume) whose reads, writes, fsyncs
// and hole punches go to the Device.
#pragma once
#include <string>

#include "device.h"

struct fuse_session;

namespace wdev {

struct FuseOptions {
  std::string mountDir;
  std::string fileName = "disk";
  std::string fsName;            // shown in /proc/mounts
  bool pageCache = false;        // default: direct_io (no double caching under a loop device)
  unsigned maxThreads = 32;
};

class FuseServer {
 public:
  FuseServer(Device& dev, FuseOptions opts);
  ~FuseServer();
  void Mount();                  // throws WdevError("mount-failed")
  int Loop();                    // until unmounted or SIGTERM/SIGINT
  void Unmount();

 private:
  ::fuse_session* se_ = nullptr;
  bool mounted_ = false;
};

}  // namespace wdev
