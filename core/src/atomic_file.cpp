// nnc core: atomic file replacement (temporary file beside the target, fsync, rename).
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <system_error>

#include "nnc/npy.h"

namespace nnc {
namespace {

namespace fs = std::filesystem;

Location file_location(const std::string& file) {
  Location location;
  location.file = file;
  return location;
}

std::string describe_errno(int err) { return std::system_category().message(err); }

Status io_error(const fs::path& path, const std::string& what, int err) {
  return make_error(ErrorCode::kIoError, what + ": " + describe_errno(err), file_location(path.string()));
}

/// A temporary file that deletes itself unless committed (renamed over the target).
class TempFile {
 public:
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    close_fd();
    if (!path_.empty() && !committed_) ::unlink(path_.c_str());
  }

  /// Creates "<dir>/.<name>.tmp-<pid>-<counter>-<clock>" exclusively, honouring the umask.
  int open_beside(const fs::path& target) {
    static std::atomic<uint64_t> counter{0};
    fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto tick = std::chrono::steady_clock::now().time_since_epoch().count();
      std::string name = "." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                         std::to_string(counter.fetch_add(1)) + "-" + std::to_string(tick % 1000000);
      fs::path candidate = dir / name;
      fd_ = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ >= 0) {
        path_ = candidate;
        return 0;
      }
      if (errno != EEXIST) return errno;
    }
    return EEXIST;
  }

  int write_all(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno;
      done += static_cast<size_t>(n);
    }
    return 0;
  }

  /// Flushes the bytes to disk and closes the descriptor.
  int sync_and_close() {
    if (::fsync(fd_) != 0) return errno;
    int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

  int rename_to(const fs::path& target) {
    if (::rename(path_.c_str(), target.c_str()) != 0) return errno;
    committed_ = true;
    return 0;
  }

 private:
  void close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  fs::path path_;
  int fd_ = -1;
  bool committed_ = false;
};

/// Makes the rename itself durable; best effort (some file systems refuse to fsync directories).
void sync_directory(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

Status write_file_atomically(const std::filesystem::path& path, const std::string& bytes) {
  if (path.empty() || !path.has_filename())
    return make_error(ErrorCode::kInvalidArgument,
                      "cannot write a file: the path '" + path.string() + "' names no file",
                      file_location(path.string()));
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec)
      return make_error(ErrorCode::kIoError,
                        "cannot create directory '" + path.parent_path().string() + "': " + ec.message(),
                        file_location(path.string()));
  }
  TempFile temp;
  if (int err = temp.open_beside(path)) return io_error(path, "cannot create a temporary file beside it", err);
  if (int err = temp.write_all(bytes))
    return io_error(path, "cannot write " + std::to_string(bytes.size()) + " bytes", err);
  if (int err = temp.sync_and_close()) return io_error(path, "cannot flush the file to disk", err);
  if (int err = temp.rename_to(path)) return io_error(path, "cannot replace the file", err);
  sync_directory(path.parent_path());
  return Status::ok();
}

}  // namespace nnc
