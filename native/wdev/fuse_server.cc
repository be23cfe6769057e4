#define FUSE_USE_VERSION 312
#include "fuse_server.h"

#include <fuse_lowlevel.h>
#include <linux/falloc.h>
#include <linux/fuse.h>  // struct fuse_open_out, FOPEN_*: the kernel's side of the OPEN reply
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

namespace wdev {

// libfuse's low-level API: one directory (inode 1) holding one regular file (inode 2). Writes are
// handed to the Device without waiting: the thread that finishes one (its pack's leader) replies,
// so a FUSE thread goes straight back to the next request instead of sleeping per write.
namespace {
constexpr fuse_ino_t kRoot = FUSE_ROOT_ID, kFile = 2;
Device* g_dev = nullptr;
FuseOptions g_opts;
time_t g_started = 0;

struct stat Stat(fuse_ino_t ino) {
  struct stat st;
  std::memset(&st, 0, sizeof st);
  st.st_ino = ino;
  st.st_mtime = st.st_ctime = st.st_atime = g_started;
  if (ino == kRoot) {
    st.st_mode = S_IFDIR | 0755;
    st.st_nlink = 2;
  } else {
    st.st_mode = S_IFREG | 0600;
    st.st_nlink = 1;
    st.st_size = static_cast<off_t>(g_dev->sizeBytes());
    st.st_blocks = static_cast<blkcnt_t>(g_dev->sizeBytes() / 512);
  }
  return st;
}

void Init(void*, fuse_conn_info* conn) {
  conn->max_write = 1u << 20;
  conn->max_readahead = 1u << 20;
  conn->max_background = 64;
  conn->congestion_threshold = 48;
  if (conn->capable & FUSE_CAP_ASYNC_DIO) conn->want |= FUSE_CAP_ASYNC_DIO;
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
}

void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  if (parent != kRoot || g_opts.fileName != name) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  fuse_entry_param e;
  std::memset(&e, 0, sizeof e);
  e.ino = kFile;
  e.attr = Stat(kFile);
  e.attr_timeout = e.entry_timeout = 3600;
  fuse_reply_entry(req, &e);
}

void GetAttr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  if (ino != kRoot && ino != kFile) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  struct stat st = Stat(ino);
  fuse_reply_attr(req, &st, 3600);
}

void SetAttr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int toSet, fuse_file_info*) {
  // A block device does not change size; modes, owners and times are accepted and not kept.
  if ((toSet & FUSE_SET_ATTR_SIZE) && (ino != kFile || static_cast<uint64_t>(attr->st_size) != g_dev->sizeBytes())) {
    fuse_reply_err(req, EPERM);
    return;
  }
  struct stat st = Stat(ino);
  fuse_reply_attr(req, &st, 3600);
}

void ReadDir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  if (ino != kRoot) {
    fuse_reply_err(req, ENOTDIR);
    return;
  }
  std::vector<char> buf(size);
  size_t used = 0;
  const char* names[] = {".", "..", g_opts.fileName.c_str()};
  const fuse_ino_t inos[] = {kRoot, kRoot, kFile};
  for (off_t i = off; i < 3; i++) {
    struct stat st;
    std::memset(&st, 0, sizeof st);
    st.st_ino = inos[i];
    st.st_mode = i < 2 ? S_IFDIR : S_IFREG;
    size_t n = fuse_add_direntry(req, buf.data() + used, size - used, names[i], &st, i + 1);
    if (n > size - used) break;
    used += n;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (ino != kFile) {
    fuse_reply_err(req, EISDIR);
    return;
  }
  if (fi->flags & O_TRUNC) {
    fuse_reply_err(req, EPERM);
    return;
  }
  if (g_opts.pageCache) {
    fi->keep_cache = 1;
    fuse_reply_open(req, fi);
    return;
  }
  // libfuse 3.14's fuse_file_info has no bit for FOPEN_PARALLEL_DIRECT_WRITES, so the OPEN reply is
  // written here (fuse_reply_open sends the same struct): direct IO, and the kernel does not hold
  // the file's inode lock exclusively across concurrent direct writes.
  fuse_open_out out;
  std::memset(&out, 0, sizeof out);
  out.open_flags = FOPEN_DIRECT_IO | FOPEN_PARALLEL_DIRECT_WRITES;
  fuse_reply_buf(req, reinterpret_cast<const char*>(&out), sizeof out);
}

void Read(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info*) {
  thread_local std::vector<uint8_t> buf;
  if (buf.size() < size) buf.resize(size);
  const int n = g_dev->Read(buf.data(), size, static_cast<uint64_t>(off));
  if (n < 0) fuse_reply_err(req, -n);
  else fuse_reply_buf(req, reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
}

void WriteDone(void* ctx, int rc) {
  auto req = static_cast<fuse_req_t>(ctx);
  if (rc < 0) fuse_reply_err(req, -rc);
  else fuse_reply_write(req, static_cast<size_t>(rc));
}

// The request's data goes straight into a page-aligned buffer (from libfuse's buffer, or read from
// the splice pipe), from which the Device logs and applies it: no other copy.
void WriteBuf(fuse_req_t req, fuse_ino_t, fuse_bufvec* in, off_t off, fuse_file_info*) {
  const size_t size = fuse_buf_size(in);
  std::unique_ptr<AlignedBuffer> b = Device::TakeBuffer(size);
  fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
  dst.buf[0].mem = b->data;
  const ssize_t n = fuse_buf_copy(&dst, in, static_cast<fuse_buf_copy_flags>(0));
  if (n < 0) {
    fuse_reply_err(req, static_cast<int>(-n));
    return;
  }
  g_dev->WriteAsync(std::move(b), static_cast<uint64_t>(n), static_cast<uint64_t>(off), WriteDone, req);
}

void Flush(fuse_req_t req, fuse_ino_t, fuse_file_info*) { fuse_reply_err(req, -g_dev->Flush()); }
void Fsync(fuse_req_t req, fuse_ino_t, int, fuse_file_info*) { fuse_reply_err(req, -g_dev->Flush()); }
void Release(fuse_req_t req, fuse_ino_t, fuse_file_info*) { fuse_reply_err(req, 0); }

void Fallocate(fuse_req_t req, fuse_ino_t, int mode, off_t off, off_t len, fuse_file_info*) {
  int rc;
  if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) rc = g_dev->Discard(static_cast<uint64_t>(off), static_cast<uint64_t>(len));
  else if ((mode & ~FALLOC_FL_KEEP_SIZE) == 0) rc = static_cast<uint64_t>(off + len) <= g_dev->sizeBytes() || (mode & FALLOC_FL_KEEP_SIZE) ? 0 : -EFBIG;
  else rc = -EOPNOTSUPP;
  fuse_reply_err(req, -rc);
}
}  // namespace

FuseServer::FuseServer(Device& dev, FuseOptions opts) {
  g_dev = &dev;
  g_opts = std::move(opts);
  g_started = std::time(nullptr);
}

FuseServer::~FuseServer() {
  Unmount();
  if (se_) fuse_session_destroy(se_);
}

void FuseServer::Mount() {
  static fuse_lowlevel_ops ops{};
  ops.init = Init;
  ops.lookup = Lookup;
  ops.getattr = GetAttr;
  ops.setattr = SetAttr;
  ops.readdir = ReadDir;
  ops.open = Open;
  ops.read = Read;
  ops.write_buf = WriteBuf;
  ops.flush = Flush;
  ops.fsync = Fsync;
  ops.release = Release;
  ops.fallocate = Fallocate;
  std::string o = "fsname=" + g_opts.fsName + ",subtype=wdev,allow_other,default_permissions";
  const char* argv[] = {"walbctl-wdev", "-o", o.c_str()};
  fuse_args args = FUSE_ARGS_INIT(3, const_cast<char**>(argv));
  se_ = fuse_session_new(&args, &ops, sizeof ops, nullptr);
  if (!se_) throw WdevError("mount-failed", "libfuse3 could not start a session (fuse_session_new failed; see the lines above)");
  if (fuse_session_mount(se_, g_opts.mountDir.c_str()) != 0)
    throw WdevError("mount-failed", g_opts.mountDir + ": FUSE mount failed (is /dev/fuse usable and the directory empty and not mounted?)");
  mounted_ = true;
  if (fuse_set_signal_handlers(se_) != 0) throw WdevError("mount-failed", "cannot install signal handlers");
}

int FuseServer::Loop() {
  fuse_loop_config* cfg = fuse_loop_cfg_create();
  fuse_loop_cfg_set_max_threads(cfg, g_opts.maxThreads);
  // Writes do not hold a thread, so few threads wait for requests: each waiting one costs a wake-up
  // per request (4 measured a little better than 16 on rand4k; 2 with at most 8 threads was worse).
  fuse_loop_cfg_set_idle_threads(cfg, 4);
  int rc = fuse_session_loop_mt(se_, cfg);
  fuse_loop_cfg_destroy(cfg);
  fuse_remove_signal_handlers(se_);
  return rc;
}

void FuseServer::Unmount() {
  if (mounted_) {
    fuse_session_unmount(se_);
    mounted_ = false;
  }
}

}  // namespace wdev
