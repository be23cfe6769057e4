#define FUSE_USE_VERSION 312
#include "fuse_server.h"

#include <fuse.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <linux/falloc.h>

namespace wdev {

namespace {
Device* g_dev = nullptr;
FuseOptions g_opts;
time_t g_started = 0;

bool IsFile(const char* path) { return path[0] == '/' && g_opts.fileName == path + 1; }

int GetAttr(const char* path, struct stat* st, fuse_file_info*) {
  std::memset(st, 0, sizeof *st);
  st->st_uid = 0;
  st->st_gid = 0;
  st->st_mtime = st->st_ctime = st->st_atime = g_started;
  if (std::strcmp(path, "/") == 0) {
    st->st_mode = S_IFDIR | 0755;
    st->st_nlink = 2;
    return 0;
  }
  if (!IsFile(path)) return -ENOENT;
  st->st_mode = S_IFREG | 0600;
  st->st_nlink = 1;
  st->st_size = static_cast<off_t>(g_dev->sizeBytes());
  st->st_blocks = static_cast<blkcnt_t>(g_dev->sizeBytes() / 512);
  return 0;
}

int ReadDir(const char* path, void* buf, fuse_fill_dir_t filler, off_t, fuse_file_info*, fuse_readdir_flags) {
  if (std::strcmp(path, "/") != 0) return -ENOENT;
  filler(buf, ".", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  filler(buf, "..", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  filler(buf, g_opts.fileName.c_str(), nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  return 0;
}

int Open(const char* path, fuse_file_info* fi) {
  if (!IsFile(path)) return -ENOENT;
  if (fi->flags & O_TRUNC) return -EPERM;
  fi->direct_io = g_opts.pageCache ? 0 : 1;
  fi->keep_cache = g_opts.pageCache ? 1 : 0;
  return 0;
}

int Read(const char*, char* buf, size_t size, off_t off, fuse_file_info*) {
  return g_dev->Read(reinterpret_cast<uint8_t*>(buf), size, static_cast<uint64_t>(off));
}

int Write(const char*, const char* buf, size_t size, off_t off, fuse_file_info*) {
  return g_dev->Write(reinterpret_cast<const uint8_t*>(buf), size, static_cast<uint64_t>(off));
}

// The request's data goes straight into the thread's aligned IO buffer (from libfuse's buffer, or
// read from the splice pipe), from which the Device logs and applies it: no other copy.
int WriteBuf(const char*, fuse_bufvec* in, off_t off, fuse_file_info*) {
  const size_t size = fuse_buf_size(in);
  uint8_t* b = Device::IoBuffer(size);
  fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
  dst.buf[0].mem = b;
  const ssize_t n = fuse_buf_copy(&dst, in, static_cast<fuse_buf_copy_flags>(0));
  if (n < 0) return static_cast<int>(n);
  return g_dev->Write(b, static_cast<uint64_t>(n), static_cast<uint64_t>(off));
}

int Flush(const char*, fuse_file_info*) { return g_dev->Flush(); }
int Fsync(const char*, int, fuse_file_info*) { return g_dev->Flush(); }

int Fallocate(const char*, int mode, off_t off, off_t len, fuse_file_info*) {
  if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) return g_dev->Discard(static_cast<uint64_t>(off), static_cast<uint64_t>(len));
  if ((mode & ~FALLOC_FL_KEEP_SIZE) == 0) return static_cast<uint64_t>(off + len) <= g_dev->sizeBytes() || (mode & FALLOC_FL_KEEP_SIZE) ? 0 : -EFBIG;
  return -EOPNOTSUPP;
}

int Truncate(const char* path, off_t size, fuse_file_info*) {
  if (!IsFile(path)) return -ENOENT;
  return static_cast<uint64_t>(size) == g_dev->sizeBytes() ? 0 : -EPERM;  // a block device does not change size
}

int Utimens(const char*, const struct timespec[2], fuse_file_info*) { return 0; }
int Chmod(const char*, mode_t, fuse_file_info*) { return 0; }
int Chown(const char*, uid_t, gid_t, fuse_file_info*) { return 0; }

void* Init(fuse_conn_info* conn, fuse_config* cfg) {
  conn->max_write = 1u << 20;
  conn->max_readahead = 1u << 20;
  conn->max_background = 64;
  conn->congestion_threshold = 48;
  if (conn->capable & FUSE_CAP_ASYNC_DIO) conn->want |= FUSE_CAP_ASYNC_DIO;
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  cfg->attr_timeout = 3600;
  cfg->entry_timeout = 3600;
  cfg->direct_io = g_opts.pageCache ? 0 : 1;
  return nullptr;
}
}  // namespace

FuseServer::FuseServer(Device& dev, FuseOptions opts) {
  g_dev = &dev;
  g_opts = std::move(opts);
  g_started = std::time(nullptr);
}

FuseServer::~FuseServer() {
  Unmount();
  if (fuse_) fuse_destroy(fuse_);
}

void FuseServer::Mount() {
  static fuse_operations ops{};
  ops.getattr = GetAttr;
  ops.readdir = ReadDir;
  ops.open = Open;
  ops.read = Read;
  ops.write = Write;
  ops.write_buf = WriteBuf;
  ops.flush = Flush;
  ops.fsync = Fsync;
  ops.fallocate = Fallocate;
  ops.truncate = Truncate;
  ops.utimens = Utimens;
  ops.chmod = Chmod;
  ops.chown = Chown;
  ops.init = Init;
  std::string o = "fsname=" + g_opts.fsName + ",subtype=wdev,allow_other,default_permissions";
  const char* argv[] = {"walbctl-wdev", "-o", o.c_str()};
  fuse_args args = FUSE_ARGS_INIT(3, const_cast<char**>(argv));
  fuse_ = fuse_new(&args, &ops, sizeof ops, nullptr);
  if (!fuse_) throw WdevError("mount-failed", "libfuse3 could not start a session (fuse_new failed; see the lines above)");
  if (fuse_mount(fuse_, g_opts.mountDir.c_str()) != 0)
    throw WdevError("mount-failed", g_opts.mountDir + ": FUSE mount failed (is /dev/fuse usable and the directory empty and not mounted?)");
  mounted_ = true;
  if (fuse_set_signal_handlers(fuse_get_session(fuse_)) != 0) throw WdevError("mount-failed", "cannot install signal handlers");
}

int FuseServer::Loop() {
  fuse_loop_config* cfg = fuse_loop_cfg_create();
  fuse_loop_cfg_set_max_threads(cfg, g_opts.maxThreads);
  fuse_loop_cfg_set_idle_threads(cfg, 16);
  int rc = fuse_loop_mt(fuse_, cfg);
  fuse_loop_cfg_destroy(cfg);
  fuse_remove_signal_handlers(fuse_get_session(fuse_));
  return rc;
}

void FuseServer::Unmount() {
  if (mounted_) {
    fuse_unmount(fuse_);
    mounted_ = false;
  }
}

}  // namespace wdev
