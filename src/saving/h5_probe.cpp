// h5::probe: libhdf5 1.10 crashes or hangs on some damaged files (a flipped byte in a
// variable-length string reference sends H5Aread into unmapped memory), and no check of the
// bytes beforehand can foresee every such path inside the library. So a child process reads the
// image first, the way the loaders will; only its clean exit lets this process touch the file.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "saving/h5.h"

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#define KERAS_H5_PROBE_FORK 1
#endif

#ifdef KERAS_H5_PROBE_FORK
// Provided by the sanitizers' runtimes; absent (null) otherwise.
extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));
#endif

namespace keras::saving::h5 {
namespace {

// Exit codes of the child besides 0 (a full walk, also confirmed through the pipe).
constexpr int kWalkIncomplete = 3;  // too many objects or too deep to check
constexpr int kOrphaned = 4;        // the parent died before the child started
constexpr int kTooMuchMemory = 5;   // libhdf5 used more memory than the file can justify

// What the walk may add to the child's resident memory: its own reads (at most 8x the image +
// 64 MiB, see Walker) and libhdf5's buffers. Damaged sizes in metadata make libhdf5 allocate
// and fill gigabytes; the loading process must not.
int64_t memory_budget_kib(size_t image_size) {
  return (16 * static_cast<int64_t>(image_size) + (int64_t{512} << 20)) / 1024;
}

// Walks a file the way the loaders read it (see probe() in h5.h). HDF5 errors and our own
// checks' exceptions are expected on damaged files and skipped: only crashes and hangs matter.
class Walker {
 public:
  explicit Walker(size_t image_size)
      : full_read_bytes_(8 * static_cast<int64_t>(image_size) + (int64_t{64} << 20)),
        max_links_(4 * image_size + 1000000) {}

  // False when the file has more objects or nesting than can be checked.
  bool walk(const File& file) {
    attributes(file.id());
    group(file.id(), 0);
    return complete_;
  }

 private:
  void attributes(hid_t obj) {
    H5O_info_t info;
    if (H5Oget_info(obj, &info) < 0) return;
    const hsize_t n = std::min<hsize_t>(info.num_attrs, 65536);
    for (hsize_t i = 0; i < n; ++i) {
      const ssize_t len =
          H5Aget_name_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, link_access());
      if (len < 0 || len >= 65536) continue;
      std::string name(static_cast<size_t>(len) + 1, '\0');
      if (H5Aget_name_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                             link_access()) < 0) {
        continue;
      }
      name.resize(static_cast<size_t>(len));
      try {
        read_string_attr(obj, name);
      } catch (const Error&) {
      }
    }
  }

  void group(hid_t g, int depth) {
    if (depth > 256) {
      complete_ = false;
      return;
    }
    try {
      children(g);  // the loaders' listing, which may stop at the first bad link
    } catch (const Error&) {
    }
    H5G_info_t info;
    if (H5Gget_info(g, &info) < 0) return;
    for (hsize_t i = 0; i < info.nlinks && complete_; ++i) {
      if (++links_ > max_links_) {
        complete_ = false;
        return;
      }
      const ssize_t len =
          H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, link_access());
      if (len < 0 || len >= 65536) continue;
      std::string name(static_cast<size_t>(len) + 1, '\0');
      if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                             link_access()) < 0) {
        continue;
      }
      name.resize(static_cast<size_t>(len));
      child(g, name, depth);
    }
  }

  void child(hid_t g, const std::string& name, int depth) {
    if (!exists(g, name)) return;
    H5O_info_t info;
    if (H5Oget_info_by_name(g, name.c_str(), &info, link_access()) < 0) return;
    if (!seen_.insert(info.addr).second) return;  // hard links and soft links: once per object
    if (info.type == H5O_TYPE_GROUP) {
      std::optional<Handle> sub;
      try {
        sub = open_group(g, name);
      } catch (const Error&) {
      }
      if (!sub) return;
      attributes(sub->id());
      group(sub->id(), depth + 1);
    } else if (info.type == H5O_TYPE_DATASET) {
      dataset(g, name);
    }
  }

  void dataset(hid_t g, const std::string& name) {
    Shape shape;
    try {
      shape = dataset_shape(g, name);
    } catch (const Error&) {
      return;
    }
    const hid_t id = H5Dopen2(g, name.c_str(), dataset_access());
    if (id < 0) return;
    Handle ds(id, H5Dclose);
    attributes(ds.id());
    try {
      check_storage(ds.id(), name);  // read_dataset refuses what fails it, and so does the walk
    } catch (const Error&) {
      return;
    }
    int64_t elements = 1;  // saturates: dims are at most 2^40 each
    for (int64_t d : shape) elements = d == 0 ? 0 : std::min<int64_t>(elements, INT64_MAX / d) * d;
    if (elements == 0) return;
    if (elements <= full_read_bytes_ / 4) {
      try {
        read_dataset(g, name, shape, float32, name);
      } catch (const Error&) {
      }
    }
    // Type conversion depends on the stored type, not on where an element is: one element
    // as each dtype a loader may ask for exercises it.
    for (const hid_t type : {H5T_NATIVE_FLOAT, H5T_NATIVE_DOUBLE, H5T_NATIVE_INT32,
                             H5T_NATIVE_INT64, H5T_NATIVE_UINT8}) {
      read_first(ds.id(), static_cast<int>(shape.size()), type);
    }
  }

  static void read_first(hid_t ds, int rank, hid_t type) {
    alignas(8) unsigned char element[64] = {};
    const hid_t file_space = H5Dget_space(ds);
    if (file_space < 0) return;
    Handle space(file_space, H5Sclose);
    if (rank == 0) {
      H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, element);
      return;
    }
    const std::vector<hsize_t> start(static_cast<size_t>(rank), 0);
    const std::vector<hsize_t> count(static_cast<size_t>(rank), 1);
    if (H5Sselect_hyperslab(space.id(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                            nullptr) < 0) {
      return;
    }
    const hsize_t one = 1;
    const hid_t mem = H5Screate_simple(1, &one, nullptr);
    if (mem < 0) return;
    Handle mem_space(mem, H5Sclose);
    H5Dread(ds, type, mem_space.id(), space.id(), H5P_DEFAULT, element);
  }

  const int64_t full_read_bytes_;
  const size_t max_links_;
  size_t links_ = 0;
  std::set<haddr_t> seen_;
  bool complete_ = true;
};

#ifdef KERAS_H5_PROBE_FORK

bool probe_enabled() {
  const char* v = std::getenv("KERAS_HDF5_PROBE");
  if (v == nullptr) return true;
  const std::string s = v;
  return !(s == "0" || s == "off" || s == "OFF" || s == "false" || s == "no");
}

// 30 s, and 30 s more per 128 MiB: a healthy walk takes milliseconds per MiB.
std::chrono::milliseconds probe_timeout(size_t image_size) {
  double base = 30;
  if (const char* v = std::getenv("KERAS_HDF5_PROBE_TIMEOUT")) {
    char* end = nullptr;
    const double parsed = std::strtod(v, &end);
    if (end != v && parsed >= 0 && parsed < 1e6) base = parsed;
  }
  const double seconds = base * (1 + static_cast<double>(image_size) / (128 << 20));
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

const char* signal_name(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGABRT:
      return "SIGABRT";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    case SIGKILL:
      return "SIGKILL";
    default:
      return "a signal";
  }
}

[[noreturn]] void run_child(const std::string& image, int fd, pid_t parent) {
#if defined(__linux__)
  // A hung child must not outlive a parent that died waiting for it.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(kOrphaned);
#else
  (void)parent;
#endif
  // Die by the signal itself: a sanitizer's or libFuzzer's handler, inherited from the parent,
  // would report libhdf5's crash as a bug of this program (and libFuzzer would save the input).
  sigset_t unblock;
  sigemptyset(&unblock);
  for (const int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTRAP}) {
    struct sigaction action = {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    sigaction(sig, &action, nullptr);
    sigaddset(&unblock, sig);
  }
  pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
  // Likewise when a sanitizer catches libhdf5 overrunning a buffer through an intercepted call
  // (strdup, memcpy): its report ends the child, without libFuzzer's death callback.
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
  // The child starts sharing the parent's resident pages, which count as its own.
  int64_t resident_kib = 0;
  if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
    long pages_total = 0, pages_resident = 0;
    if (std::fscanf(statm, "%ld %ld", &pages_total, &pages_resident) == 2) {
      resident_kib = static_cast<int64_t>(pages_resident) * ::sysconf(_SC_PAGESIZE) / 1024;
    }
    std::fclose(statm);
  }
  int code = kWalkIncomplete;
  char verdict = 'k';  // walked; 'r': libhdf5 refused to open the file
  try {
    File file = File::open_unprobed(image, "probe");
    code = Walker(image.size()).walk(file) ? 0 : kWalkIncomplete;
  } catch (const Error&) {
    verdict = 'r';
    code = 0;
  } catch (...) {
    code = kWalkIncomplete;
  }
  rusage usage = {};
  if (code == 0 && resident_kib > 0 && ::getrusage(RUSAGE_SELF, &usage) == 0 &&
      usage.ru_maxrss - resident_kib > memory_budget_kib(image.size())) {
    code = kTooMuchMemory;
  }
  if (code == 0) {
    while (::write(fd, &verdict, 1) < 0 && errno == EINTR) {
    }
  }
  ::_exit(code);  // no atexit handlers, no flushing of the parent's stdio buffers
}

// The child's wait status, or nullopt when it was reaped elsewhere (SIGCHLD ignored).
std::optional<int> reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return std::nullopt;
  }
  return status;
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

#endif  // KERAS_H5_PROBE_FORK

}  // namespace

#ifdef KERAS_H5_PROBE_FORK

void probe(const std::string& image, const std::string& what) {
  if (!probe_enabled()) return;
  const std::chrono::milliseconds timeout = probe_timeout(image.size());
  // Created here once, so that the child does not create them after fork.
  link_access();
  group_access();
  dataset_access();
  // Close-on-exec: programs that other threads start must not hold the write end open.
  int fds[2];
#if defined(__linux__)
  const int piped = ::pipe2(fds, O_CLOEXEC);
#else
  const int piped = ::pipe(fds);
  if (piped == 0) {
    ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  }
#endif
  KERAS_CHECK(piped == 0, IOError, what,
              ": cannot check the HDF5 file: pipe() failed (set KERAS_HDF5_PROBE=0 to skip)");
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  KERAS_CHECK(pid >= 0, IOError, what,
              ": cannot check the HDF5 file: fork() failed (set KERAS_HDF5_PROBE=0 to skip)");
  if (pid == 0) run_child(image, write_end.get(), parent);
  write_end.reset();  // EOF on read_end once the child is gone

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char byte = 0;
  ssize_t got = -1;
  bool timed_out = false;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p = {read_end.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
    if (ready < 0 && errno != EINTR) break;  // got stays -1: reported as a failed check
    if (ready <= 0) continue;
    got = ::read(read_end.get(), &byte, 1);
    if (got < 0 && errno == EINTR) continue;
    break;
  }
  if (timed_out || got < 0) ::kill(pid, SIGKILL);
  const std::optional<int> status = reap(pid);
  if (got == 1 && byte == 'k') return;
  // The caller's H5Fopen would fail the same way, and libhdf5 1.10 leaks memory when it does.
  if (got == 1 && byte == 'r') {
    throw IOError(str(what, ": cannot open the HDF5 file (truncated or corrupt)"));
  }

  const std::string prefix = str(what, ": the HDF5 library ");
  if (timed_out) {
    throw IOError(str(prefix, "did not finish reading this file within ",
                      static_cast<double>(timeout.count()) / 1000,
                      " s (damaged or hostile file; KERAS_HDF5_PROBE_TIMEOUT sets the limit)"));
  }
  if (got < 0) throw IOError(str(what, ": cannot check the HDF5 file: waiting for it failed"));
  if (status && WIFSIGNALED(*status)) {
    const int sig = WTERMSIG(*status);
    throw IOError(str(prefix, "crashed (signal ", sig, ", ", signal_name(sig),
                      ") reading this file: it is damaged or hostile"));
  }
  if (status && WIFEXITED(*status) && WEXITSTATUS(*status) == kTooMuchMemory) {
    throw IOError(str(prefix, "needed more than ", memory_budget_kib(image.size()) / 1024,
                      " MiB to read this ", image.size(),
                      "-byte file (damaged or hostile sizes inside it)"));
  }
  if (status && WIFEXITED(*status) && WEXITSTATUS(*status) == kWalkIncomplete) {
    throw IOError(str(what, ": the HDF5 file has too many objects or too deep a nesting to check"));
  }
  throw IOError(str(prefix, "failed reading this file (checking process ",
                    status && WIFEXITED(*status) ? str("exited with status ", WEXITSTATUS(*status))
                                                 : std::string("ended abnormally"),
                    "): it is damaged or hostile"));
}

#else

void probe(const std::string&, const std::string&) {}

#endif

}  // namespace keras::saving::h5
