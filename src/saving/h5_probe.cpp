// The reading half of h5::read_untrusted (saving/h5_snapshot.h): libhdf5 1.10 crashes or hangs
// on some damaged files (a flipped byte in a variable-length string reference sends H5Aread into
// unmapped memory), and no check of the bytes beforehand can foresee every such path inside the
// library. So a forked child opens the image, walks it the way the loaders read it and writes
// what it finds as records (saving/h5_records.h) to a pipe; this process only parses records.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <string>

#include "saving/h5.h"
#include "saving/h5_records.h"

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

namespace keras::saving::h5::detail {
namespace {

// Exit codes of the child besides 0 (a full walk, its records ending in 'E').
constexpr int kWalkIncomplete = 3;  // too many objects or too deep to read
constexpr int kOrphaned = 4;        // the parent died before the child started
constexpr int kTooMuchMemory = 5;   // libhdf5 used more memory than the file can justify
constexpr int kWriteFailed = 6;     // the pipe broke (the parent gave up)
constexpr int kFailed = 7;          // another exception

// What the walk may add to the child's memory: its own reads (at most 8x the image + 64 MiB of
// data, see Walker) and libhdf5's buffers. Damaged sizes in metadata make libhdf5 allocate and
// fill gigabytes; the loading process must not, nor the machine.
int64_t memory_budget_bytes(size_t image_size) {
  return 16 * static_cast<int64_t>(image_size) + (int64_t{512} << 20);
}

// What the records may hold: the data (8x + 64 MiB), names and strings of attributes.
size_t stream_budget_bytes(size_t image_size) {
  return 16 * image_size + (size_t{128} << 20);
}

// Walks a file the way the loaders read it (see read_untrusted in h5_snapshot.h) and records what
// it finds. HDF5 errors and our own checks' exceptions are expected on damaged files: they are
// recorded for the loader to meet if it reads there.
class Walker {
 public:
  Walker(size_t image_size, RecordWriter& out)
      : out_(out),
        data_left_(8 * static_cast<int64_t>(image_size) + (int64_t{64} << 20)),
        max_links_(4 * image_size + 1000000) {}

  // False when the file has more objects or nesting than are read.
  bool walk(const File& file) {
    const uint32_t root = out_.object(Kind::group);
    H5O_info_t info;
    if (H5Oget_info2(file.id(), &info, H5O_INFO_BASIC) >= 0) seen_[info.addr] = root;
    attributes(file.id(), root);
    group(file.id(), root, 0);
    return complete_;
  }

 private:
  void attributes(hid_t obj, uint32_t index) {
    H5O_info_t info;
    if (H5Oget_info2(obj, &info, H5O_INFO_NUM_ATTRS) < 0 || info.num_attrs > 65536) {
      out_.attributes_error(index, "HDF5: cannot list the attributes (damaged file)");
      return;
    }
    for (hsize_t i = 0; i < info.num_attrs; ++i) {
      const ssize_t len =
          H5Aget_name_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, link_access());
      std::string name(len >= 0 && len < 65536 ? static_cast<size_t>(len) + 1 : 0, '\0');
      if (name.empty() || H5Aget_name_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                                             name.size(), link_access()) < 0) {
        out_.attributes_error(index, "HDF5: cannot read an attribute's name (damaged file)");
        continue;
      }
      name.resize(static_cast<size_t>(len));
      try {
        if (std::optional<std::vector<std::string>> value = read_string_attr(obj, name)) {
          out_.attribute(index, name, *value);
        } else {  // listed, but not found by its name
          out_.attributes_error(index, "HDF5: cannot find a listed attribute (damaged file)");
        }
      } catch (const Error& e) {
        out_.attribute_error(index, name, e.what());
      }
    }
  }

  void group(hid_t g, uint32_t index, int depth) {
    if (depth > 256) {
      complete_ = false;
      return;
    }
    std::vector<std::string> names;
    try {
      names = children(g);  // the loaders' listing, with its checks
    } catch (const Error& e) {
      out_.links_error(index, e.what());
      return;
    }
    for (const std::string& name : names) {
      if (++links_ > max_links_) complete_ = false;
      if (!complete_) return;
      child(g, index, name, depth);
    }
  }

  void child(hid_t g, uint32_t parent, const std::string& name, int depth) {
    int64_t target = -1;  // dangling, external (refused), or failing to open
    H5O_info_t info;
    if (exists(g, name) &&
        H5Oget_info_by_name2(g, name.c_str(), &info, H5O_INFO_BASIC, link_access()) >= 0) {
      auto seen = seen_.find(info.addr);
      if (seen != seen_.end()) {
        target = seen->second;  // hard links and soft links: read once
      } else if (info.type == H5O_TYPE_GROUP) {
        std::optional<Handle> sub;
        try {
          sub = open_group(g, name);
        } catch (const Error&) {
        }
        if (sub) {
          const uint32_t index = out_.object(Kind::group);
          seen_[info.addr] = index;
          target = index;
          attributes(sub->id(), index);
          group(sub->id(), index, depth + 1);
        }
      } else {
        const bool is_dataset = info.type == H5O_TYPE_DATASET;
        const uint32_t index = out_.object(is_dataset ? Kind::dataset : Kind::other);
        seen_[info.addr] = index;
        target = index;
        if (is_dataset) dataset(g, name, index);
      }
    }
    out_.link(parent, name, target);
  }

  void dataset(hid_t g, const std::string& name, uint32_t index) {
    Shape shape;
    try {
      shape = dataset_shape(g, name);
    } catch (const Error& e) {
      out_.shape_error(index, e.what());
      return;
    }
    out_.shape(index, shape);
    const hid_t id = H5Dopen2(g, name.c_str(), dataset_access());
    if (id < 0) return out_.data_error(index, Status::io_error, "HDF5: cannot open the dataset");
    Handle ds(id, H5Dclose);
    const hid_t type_id = H5Dget_type(ds.id());
    if (type_id < 0) return out_.data_error(index, Status::io_error, "HDF5: damaged dataset type");
    Handle type(type_id, H5Tclose);
    const H5T_class_t cls = H5Tget_class(type.id());
    if (cls != H5T_FLOAT && cls != H5T_INTEGER && !is_bfloat16(ds.id(), type.id())) {
      return out_.data_error(index, Status::value_error, "the file holds a non-numeric dataset");
    }
    try {
      check_storage(ds.id(), "HDF5 dataset");
    } catch (const Error& e) {
      return out_.data_error(index, Status::io_error, e.what());
    }
    const DType dtype = cls == H5T_INTEGER            ? int64
                        : H5Tget_size(type.id()) <= 4 ? float32
                                                      : float64;
    int64_t bytes = static_cast<int64_t>(dtype_size(dtype));  // saturates: dims are at most 2^40
    for (int64_t d : shape) bytes = d == 0 ? 0 : std::min<int64_t>(bytes, INT64_MAX / d) * d;
    if (bytes > data_left_) {
      return out_.data_error(index, Status::io_error,
                             str("HDF5: the dataset claims ", bytes,
                                 " bytes of data, more than the file can hold (damaged or "
                                 "hostile file, or compressed more than 8 times)"));
    }
    data_left_ -= bytes;
    try {
      const Tensor data = read_dataset(g, name, shape, dtype, "HDF5 dataset");
      out_.data(index, dtype, data.raw_data(), static_cast<uint64_t>(bytes));
    } catch (const Error& e) {
      out_.data_error(index, Status::io_error, e.what());
    }
  }

  RecordWriter& out_;
  int64_t data_left_;
  const size_t max_links_;
  size_t links_ = 0;
  std::map<haddr_t, uint32_t> seen_;
  bool complete_ = true;
};

// 0 when the walk is complete (its records then need only the 'E'), else kWalkIncomplete.
int walk_image(const std::string& image, RecordWriter& out) {
  std::optional<File> file;
  try {
    file = File::open_trusted(image, "HDF5 file");
  } catch (const Error&) {
    out.refused();
    return 0;
  }
  return Walker(image.size(), out).walk(*file) ? 0 : kWalkIncomplete;
}

// KERAS_HDF5_PROBE=0, or no fork: the same walk in this process.
class StringSink : public Sink {
 public:
  StringSink(size_t limit, const std::string& what) : limit_(limit), what_(what) {}
  void write(const void* data, size_t size) override {
    KERAS_CHECK(size <= limit_ - out.size(), IOError, what_, ": the HDF5 file holds more than ",
                limit_, " bytes of attributes and data (damaged or hostile file)");
    out.append(static_cast<const char*>(data), size);
  }
  std::string out;

 private:
  size_t limit_;
  const std::string& what_;
};

std::string read_here(const std::string& image, const std::string& what) {
  StringSink sink(stream_budget_bytes(image.size()), what);
  RecordWriter out(sink);
  KERAS_CHECK(walk_image(image, out) == 0, IOError, what,
              ": the HDF5 file has too many objects or too deep a nesting to read");
  out.end();
  return std::move(sink.out);
}

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

// The child's pipe, buffered: records are written a few bytes at a time.
class FdSink : public Sink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  void write(const void* data, size_t size) override {
    if (size > sizeof(buffer_) - used_) flush();
    if (size >= sizeof(buffer_)) return put(static_cast<const char*>(data), size);
    std::memcpy(buffer_ + used_, data, size);
    used_ += size;
  }
  void flush() {
    put(buffer_, used_);
    used_ = 0;
  }

 private:
  void put(const char* p, size_t n) {
    while (n > 0) {
      const ssize_t done = ::write(fd_, p, n);
      if (done < 0 && errno == EINTR) continue;
      if (done <= 0) ::_exit(kWriteFailed);
      p += done;
      n -= static_cast<size_t>(done);
    }
  }
  int fd_;
  size_t used_ = 0;
  char buffer_[1 << 16];
};

// pages from /proc/self/statm: field 0 is the address space, 1 the resident set.
int64_t statm_bytes(int field) {
  int64_t out = 0;
  if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
    long pages[2] = {0, 0};
    if (std::fscanf(statm, "%ld %ld", &pages[0], &pages[1]) == 2) {
      out = static_cast<int64_t>(pages[field]) * ::sysconf(_SC_PAGESIZE);
    }
    std::fclose(statm);
  }
  return out;
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
  ::signal(SIGPIPE, SIG_IGN);  // a parent that gave up: write() fails, the child exits
  // Likewise when a sanitizer catches libhdf5 overrunning a buffer through an intercepted call
  // (strdup, memcpy): its report ends the child, without libFuzzer's death callback.
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
  // libhdf5 trusts sizes in the file: one damaged header makes it allocate and fill 16 GiB. With
  // the address space limited, such an allocation fails (an HDF5 error, or a sanitizer's report)
  // before it takes the machine's memory.
  const int64_t address_space = statm_bytes(0);
  rlimit limit = {};
  if (address_space > 0 && ::getrlimit(RLIMIT_AS, &limit) == 0) {
    const rlim_t wanted = static_cast<rlim_t>(address_space + memory_budget_bytes(image.size()));
    if (limit.rlim_max == RLIM_INFINITY || wanted < limit.rlim_max) limit.rlim_cur = wanted;
    ::setrlimit(RLIMIT_AS, &limit);
  }
  // The child starts sharing the parent's resident pages, which count as its own.
  const int64_t resident = statm_bytes(1);
  int code = kFailed;
  FdSink sink(fd);
  try {
    RecordWriter out(sink);
    code = walk_image(image, out);
    if (code == 0) out.end();
  } catch (const std::bad_alloc&) {
    code = kTooMuchMemory;
  } catch (...) {
    code = kFailed;
  }
  rusage usage = {};
  if (code == 0 && resident > 0 && ::getrusage(RUSAGE_SELF, &usage) == 0 &&
      usage.ru_maxrss * 1024 - resident > memory_budget_bytes(image.size())) {
    code = kTooMuchMemory;
  }
  if (code == 0) sink.flush();
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

std::string read_records(const std::string& image, const std::string& what) {
  if (!probe_enabled()) return read_here(image, what);
  const std::chrono::milliseconds timeout = probe_timeout(image.size());
  const size_t stream_limit = stream_budget_bytes(image.size());
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
              ": cannot read the HDF5 file: pipe() failed (set KERAS_HDF5_PROBE=0 to read it in "
              "this process)");
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  KERAS_CHECK(pid >= 0, IOError, what,
              ": cannot read the HDF5 file: fork() failed (set KERAS_HDF5_PROBE=0 to read it in "
              "this process)");
  if (pid == 0) run_child(image, write_end.get(), parent);
  write_end.reset();  // EOF on read_end once the child is gone

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string stream;
  bool timed_out = false, too_long = false, failed = false;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p = {read_end.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
    if (ready < 0 && errno != EINTR) {
      failed = true;
      break;
    }
    if (ready <= 0) continue;
    char chunk[1 << 16];
    const ssize_t got = ::read(read_end.get(), chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) failed = true;
    if (got <= 0) break;  // EOF: the child is done (or dead)
    if (static_cast<size_t>(got) > stream_limit - stream.size()) {
      too_long = true;
      break;
    }
    stream.append(chunk, static_cast<size_t>(got));
  }
  if (timed_out || too_long || failed) ::kill(pid, SIGKILL);
  const std::optional<int> status = reap(pid);
  const bool exited = status && WIFEXITED(*status);
  const std::string prefix = str(what, ": the HDF5 library ");
  if (timed_out) {
    throw IOError(str(prefix, "did not finish reading this file within ",
                      static_cast<double>(timeout.count()) / 1000,
                      " s (damaged or hostile file; KERAS_HDF5_PROBE_TIMEOUT sets the limit)"));
  }
  if (too_long) {
    throw IOError(str(what, ": the HDF5 file holds more than ", stream_limit,
                      " bytes of attributes and data (damaged or hostile file)"));
  }
  if (failed) throw IOError(str(what, ": cannot read the HDF5 file: waiting for it failed"));
  // SIGCHLD ignored: the status is lost, and a complete answer ends in 'E'.
  if ((exited && WEXITSTATUS(*status) == 0) || (!status && !stream.empty() && stream.back() == 'E'))
    return stream;
  if (status && WIFSIGNALED(*status)) {
    const int sig = WTERMSIG(*status);
    throw IOError(str(prefix, "crashed (signal ", sig, ", ", signal_name(sig),
                      ") reading this file: it is damaged or hostile"));
  }
  if (exited && WEXITSTATUS(*status) == kTooMuchMemory) {
    throw IOError(str(prefix, "needed more than ", memory_budget_bytes(image.size()) >> 20,
                      " MiB to read this ", image.size(),
                      "-byte file (damaged or hostile sizes inside it)"));
  }
  if (exited && WEXITSTATUS(*status) == kWalkIncomplete) {
    throw IOError(str(what, ": the HDF5 file has too many objects or too deep a nesting to read"));
  }
  throw IOError(str(
      prefix, "failed reading this file (reading process ",
      exited ? str("exited with status ", WEXITSTATUS(*status)) : std::string("ended abnormally"),
      "): it is damaged or hostile"));
}

#else

std::string read_records(const std::string& image, const std::string& what) {
  return read_here(image, what);
}

#endif

}  // namespace keras::saving::h5::detail
