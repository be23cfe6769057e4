// The control socket of a serving wdev: one line in, one JSON line out. Commands:
//   status · sync (flush the log, then status) · checkpoint · set-oldest LSID · reset · stop
#pragma once
#include <atomic>
#include <string>
#include <thread>

#include "device.h"

namespace wdev {

std::string StatusJson(const DeviceStatus& st, bool serving);

class ControlServer {
 public:
  ControlServer(Device& dev, std::string socketPath);
  ~ControlServer();
  void Start();   // throws WdevError when the socket cannot be bound
  void Stop();

 private:
  void Run();
  std::string Handle(const std::string& line);
  Device& dev_;
  std::string path_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace wdev
