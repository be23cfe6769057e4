#include "control.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace wdev {

std::string StatusJson(const DeviceStatus& st, bool serving) {
  const Super& s = st.super;
  const uint64_t base = std::min(st.oldest, st.written);
  const uint64_t usage = st.overflow ? s.ringBlocks : st.latest - base;
  std::string j = "{";
  auto num = [&](const char* k, uint64_t v) { j += std::string("\"") + k + "\":" + std::to_string(v) + ","; };
  j += "\"serving\":" + std::string(serving ? "true" : "false") + ",";
  j += "\"name\":\"" + s.name + "\",";
  j += "\"uuid\":\"" + UuidHex(s.uuid) + "\",";
  num("salt", s.salt);
  num("physicalBs", s.physicalBs);
  num("sizeBytes", s.deviceLb * kLogicalBs);
  num("oldestLsid", st.oldest);
  num("writtenLsid", st.written);
  num("permanentLsid", st.permanent);
  num("latestLsid", st.latest);
  num("capacityPb", s.ringBlocks);
  num("usagePb", usage);
  num("writes", st.writes);
  num("discards", st.discards);
  num("packs", st.packs);
  num("flushes", st.flushes);
  num("logSyncs", st.logSyncs);
  j += "\"overflow\":" + std::string(st.overflow ? "true" : "false") + ",";
  j += "\"overflowReason\":" + (st.overflow ? "\"" + std::string(OverflowCauseName(s.flags | kFlagOverflow)) + "\"" : std::string("null")) + "}";
  return j;
}

ControlServer::ControlServer(Device& dev, std::string socketPath) : dev_(dev), path_(std::move(socketPath)) {}

ControlServer::~ControlServer() { Stop(); }

void ControlServer::Start() {
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof addr.sun_path) throw WdevError("usage", path_ + ": socket path too long");
  std::strcpy(addr.sun_path, path_.c_str());
  unlink(path_.c_str());
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 16) != 0)
    throw WdevError("io", path_ + ": cannot listen on the control socket: " + std::strerror(errno));
  thread_ = std::thread([this] { Run(); });
}

void ControlServer::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) {
    close(fd_);
    unlink(path_.c_str());
    fd_ = -1;
  }
}

void ControlServer::Run() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    std::string line;
    char buf[256];
    for (;;) {
      pollfd q{c, POLLIN, 0};
      if (poll(&q, 1, 2000) <= 0) break;
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
      if (line.find('\n') != std::string::npos) break;
    }
    line = line.substr(0, line.find('\n'));
    std::string reply = Handle(line) + "\n";
    ssize_t ignored = write(c, reply.data(), reply.size());
    (void)ignored;
    close(c);
  }
}

std::string ControlServer::Handle(const std::string& line) {
  try {
    if (line == "status") return StatusJson(dev_.Status(), true);
    if (line == "sync") {
      if (dev_.Flush() != 0) throw WdevError("io", "flushing the log failed");
      return StatusJson(dev_.Status(), true);
    }
    if (line == "checkpoint") {
      dev_.Checkpoint();
      return StatusJson(dev_.Status(), true);
    }
    if (line.rfind("set-oldest ", 0) == 0) {
      dev_.SetOldest(std::stoull(line.substr(11)));
      return StatusJson(dev_.Status(), true);
    }
    if (line.rfind("extract ", 0) == 0) {
      // extract FROM TO MAX-BYTES FRAME-ONLY(0|1) PATH (the rest of the line: a path may hold spaces)
      unsigned long long from = 0, to = 0, maxBytes = 0;
      int frameOnly = 0, used = 0;
      if (std::sscanf(line.c_str() + 8, "%llu %llu %llu %d %n", &from, &to, &maxBytes, &frameOnly, &used) < 4 || used == 0 || line.size() <= 8 + size_t(used))
        throw WdevError("bad-request", "extract FROM TO MAX-BYTES FRAME-ONLY PATH");
      const std::string out = line.substr(8 + size_t(used));
      ExtractResult r = dev_.Extract(from, to, out, maxBytes, frameOnly != 0);
      return ExtractJson(r, from, dev_.Status().super.physicalBs);
    }
    if (line == "reset") {
      dev_.Reset();
      return StatusJson(dev_.Status(), true);
    }
    if (line == "stop") {
      kill(getpid(), SIGTERM);
      return "{\"stopping\":true}";
    }
    return "{\"error\":\"unknown command\",\"code\":\"usage\"}";
  } catch (const WdevError& e) {
    std::string m = e.what();
    for (auto& ch : m) if (ch == '"' || ch == '\\') ch = '\'';
    return "{\"error\":\"" + m + "\",\"code\":\"" + e.code() + "\"}";
  } catch (const std::exception& e) {
    std::string m = e.what();
    for (auto& ch : m) if (ch == '"' || ch == '\\') ch = '\'';
    return "{\"error\":\"" + m + "\",\"code\":\"internal\"}";
  }
}

}  // namespace wdev
