// File helpers shared by every module that reads or writes files (saving, io, callbacks, utils):
// errors are keras::IOError naming the user's path and the system's reason, and writes are
// atomic (not installed).
#pragma once

#include <string>
#include <string_view>

namespace keras::internal {

// strerror(err): "No such file or directory".
std::string errno_text(int err);

// The whole file. IOError "Unable to open file: <path> (<reason>)" when it cannot be opened
// (missing, a directory, no permission), "Error reading file: <path> (<reason>)" on a read error.
// With `max_bytes`, at most that many bytes from the start (a format check before a whole read:
// a device such as /dev/zero never ends).
std::string read_file(const std::string& path, size_t max_bytes = static_cast<size_t>(-1));

// A file written beside `path` and renamed over it by commit(): readers see the old file or the
// new one, never a partial write, whenever the process is killed. The temporary is named
// "<path>.tmp<pid>.<random>"; the constructor first removes the temporaries of `path` that
// killed writers left behind (remove_stale_temporaries). Write to temp_path() with write() or
// any other means (a std::ofstream, a library that takes a file name), then commit(). Without
// commit() the destructor removes the temporary. Every error is an IOError naming `path` (not
// the temporary) and the reason: "Unable to create file: /x/m.keras (No such file or directory)".
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_; }
  // Appends `bytes` to the temporary.
  void write(std::string_view bytes);
  // Flushes the temporary to disk (fsync) and renames it over path().
  void commit();

 private:
  std::string path_, temp_;
  int fd_ = -1;
  bool committed_ = false;
};

// Creates the folder `dir` and its missing parents (nothing when `dir` is empty or already a
// folder). IOError "<who>: cannot create the directory <dir> (<reason>)" otherwise ("Not a
// directory" when a file stands on the way).
void create_directories(const std::string& dir, std::string_view who);

// Writes `bytes` to `path` through an AtomicFile. With overwrite false, an existing `path` is an
// IOError ("File <path> exists and overwrite is false").
void write_file_atomic(const std::string& path, std::string_view bytes, bool overwrite = true);

// Removes "<path>.tmp<pid>[.<n>]" files whose writer (process <pid> on this machine) is gone:
// what a writer killed between creating its temporary and renaming it leaves. Temporaries of
// live processes are kept. Errors are ignored (best effort).
void remove_stale_temporaries(const std::string& path);

}  // namespace keras::internal
