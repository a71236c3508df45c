#include "core/file_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "keras/core/error.h"

namespace keras::internal {
namespace {

namespace fs = std::filesystem;

// Linux's largest pid_max: a longer number is a random suffix (older temporaries), not a pid.
constexpr uint64_t kMaxPid = 4194304;

[[noreturn]] void fail(const char* what, const std::string& path, int err) {
  throw IOError(str(what, path, " (", errno_text(err), ")"));
}

std::string unique_suffix() {
  static std::atomic<uint64_t> counter{std::random_device{}()};
  return str(::getpid(), ".", counter.fetch_add(1) & 0xffffffffu);
}

// The pid in a temporary's suffix "<pid>", ".<pid>" or "<pid>.<n>"; 0 when it is not one of ours.
uint64_t temp_pid(std::string_view suffix) {
  if (!suffix.empty() && suffix[0] == '.') suffix.remove_prefix(1);
  uint64_t pid = 0;
  size_t i = 0;
  for (; i < suffix.size() && suffix[i] >= '0' && suffix[i] <= '9'; ++i) {
    pid = pid > kMaxPid ? pid : pid * 10 + static_cast<uint64_t>(suffix[i] - '0');
  }
  if (i == 0) return 0;
  if (i < suffix.size()) {
    if (suffix[i] != '.' || i + 1 == suffix.size()) return 0;
    for (size_t j = i + 1; j < suffix.size(); ++j) {
      if (suffix[j] < '0' || suffix[j] > '9') return 0;
    }
  }
  return pid;
}

bool process_gone(uint64_t pid) {
  if (pid > kMaxPid) return true;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace

std::string errno_text(int err) {
  return std::strerror(err);
}

std::string read_file(const std::string& path, size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("Unable to open file: ", path, errno);
  std::string out;
  struct stat st {};
  int err = ::fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
  if (err == 0 && S_ISREG(st.st_mode)) {
    out.reserve(std::min(static_cast<size_t>(st.st_size), max_bytes));
  }
  char buf[1 << 16];
  while (err == 0 && out.size() < max_bytes) {
    const ssize_t n = ::read(fd, buf, std::min(sizeof buf, max_bytes - out.size()));
    if (n == 0) break;
    if (n < 0) {
      if (errno != EINTR) err = errno;
      continue;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (err == EISDIR) fail("Unable to open file: ", path, err);
  if (err != 0) fail("Error reading file: ", path, err);
  return out;
}

void remove_stale_temporaries(const std::string& path) {
  const fs::path target(path);
  const std::string prefix = target.filename().string() + ".tmp";
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const uint64_t pid = temp_pid(std::string_view(name).substr(prefix.size()));
    std::error_code ignored;
    if (pid != 0 && process_gone(pid)) fs::remove(it->path(), ignored);
  }
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    fail("Unable to create file: ", path_, EISDIR);
  remove_stale_temporaries(path_);
  for (int attempt = 0;; ++attempt) {
    temp_ = path_ + ".tmp" + unique_suffix();
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ >= 0) break;
    if (errno != EEXIST || attempt == 100) fail("Unable to create file: ", path_, errno);
  }
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

void AtomicFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("Error writing file: ", path_, n < 0 ? errno : EIO);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void AtomicFile::commit() {
  // Without fsync a crash of the machine (not of the process) could leave the renamed file empty.
  if (::fsync(fd_) != 0 && errno != EINVAL) fail("Error writing file: ", path_, errno);
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) fail("Error writing file: ", path_, errno);
  if (::rename(temp_.c_str(), path_.c_str()) != 0) fail("Unable to write file: ", path_, errno);
  committed_ = true;
}

void create_directories(const std::string& dir, std::string_view who) {
  if (dir.empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  KERAS_CHECK(!ec, IOError, who, ": cannot create the directory ", dir, " (", ec.message(), ")");
}

void write_file_atomic(const std::string& path, std::string_view bytes, bool overwrite) {
  KERAS_CHECK(overwrite || ::access(path.c_str(), F_OK) != 0, IOError, "File ", path,
              " exists and overwrite is false");
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

}  // namespace keras::internal
