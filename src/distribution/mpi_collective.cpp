#include "distribution/mpi_collective.h"

// MPI's C API only: Open MPI's deprecated C++ bindings need libmpi_cxx.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#include <sched.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "keras/core/error.h"

namespace keras::distribution::internal {

namespace {

MPI_Datatype mpi_type(DType dtype) {
  switch (dtype) {
    case DType::float32:
      return MPI_FLOAT;
    case DType::float64:
      return MPI_DOUBLE;
    case DType::int32:
      return MPI_INT32_T;
    case DType::int64:
      return MPI_INT64_T;
    case DType::uint8:
    case DType::bool_:
      return MPI_UINT8_T;
    case DType::string:
      throw_string_dtype("MPI");
  }
  return MPI_BYTE;
}

void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

class MpiCollective final : public Collective {
 public:
  explicit MpiCollective(double timeout_seconds) : timeout_(timeout_seconds) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      int provided = 0;
      MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
      std::atexit(finalize_at_exit);
    }
    MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    name_.assign(version, static_cast<size_t>(length));
    name_ = name_.substr(0, name_.find(','));
    MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node_);
    int node_size = 0;
    MPI_Comm_size(node_, &node_size);
    one_machine_ = node_size == size_;
    MPI_Comm_set_errhandler(node_, MPI_ERRORS_RETURN);  // a failed allocation is not fatal
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  double waited_seconds() const override { return waited_; }
  std::string name() const override { return name_; }

  void broadcast(void* data, int64_t count, DType dtype, int root) override {
    KERAS_CHECK(root >= 0 && root < size_, ValueError, "broadcast: root must be in [0, ", size_,
                "), got ", root);
    in_chunks(data, count, dtype, [&](void* p, int n) {
      MPI_Request request;
      MPI_Ibcast(p, n, mpi_type(dtype), root, comm_, &request);
      wait(request, "broadcast");
    });
  }

  void all_reduce(void* data, int64_t count, DType dtype, ReduceOp op) override {
    KERAS_CHECK(dtype == float32 || dtype == float64, TypeError,
                "all_reduce: expected float32 or float64, got ", dtype_name(dtype));
    in_chunks(data, count, dtype, [&](void* p, int n) {
      MPI_Request request;
      MPI_Iallreduce(MPI_IN_PLACE, p, n, mpi_type(dtype), MPI_SUM, comm_, &request);
      wait(request, "all_reduce");
    });
    if (op == ReduceOp::mean) {
      if (dtype == float32) {
        auto* p = static_cast<float*>(data);
        for (int64_t i = 0; i < count; ++i) p[i] /= static_cast<float>(size_);
      } else {
        auto* p = static_cast<double*>(data);
        for (int64_t i = 0; i < count; ++i) p[i] /= size_;
      }
    }
  }

  int64_t start_all_reduce(void* data, int64_t count, DType dtype) override {
    KERAS_CHECK(dtype == float32 || dtype == float64, TypeError,
                "all_reduce: expected float32 or float64, got ", dtype_name(dtype));
    std::vector<MPI_Request>& requests = pending_[next_request_];
    in_chunks(data, count, dtype, [&](void* p, int n) {
      requests.emplace_back();
      MPI_Iallreduce(MPI_IN_PLACE, p, n, mpi_type(dtype), MPI_SUM, comm_, &requests.back());
    });
    return next_request_++;
  }

  void wait(int64_t request) override {
    auto it = pending_.find(request);
    KERAS_CHECK(it != pending_.end(), ValueError, "wait: no pending request ", request);
    for (MPI_Request& r : it->second) wait(r, "all_reduce");
    pending_.erase(it);
  }

  void progress() override {
    for (auto& [id, requests] : pending_) {
      for (MPI_Request& r : requests) {
        int done = 0;
        if (r != MPI_REQUEST_NULL) MPI_Test(&r, &done, MPI_STATUS_IGNORE);
      }
    }
  }

  void all_gather(const void* send, void* recv, const std::vector<int64_t>& bytes) override {
    KERAS_CHECK(static_cast<int>(bytes.size()) == size_, ValueError, "all_gather: expected ", size_,
                " counts, got ", bytes.size());
    std::vector<int> counts, offsets;
    int64_t total = 0;
    for (int64_t b : bytes) {
      KERAS_CHECK(b >= 0 && total + b <= std::numeric_limits<int>::max(), ValueError,
                  "all_gather: at most 2^31 - 1 bytes in all, got more");
      counts.push_back(static_cast<int>(b));
      offsets.push_back(static_cast<int>(total));
      total += b;
    }
    MPI_Request request;
    MPI_Iallgatherv(send, counts[static_cast<size_t>(rank_)], MPI_BYTE, recv, counts.data(),
                    offsets.data(), MPI_BYTE, comm_, &request);
    wait(request, "all_gather");
  }

  void barrier() override {
    MPI_Request request;
    MPI_Ibarrier(comm_, &request);
    wait(request, "barrier");
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }

  void* allocate_shared(size_t bytes) override {
    // Every process checks for room first, so that the blocking allocation below either
    // succeeds everywhere or fails cleanly (a full tmpfs would raise SIGBUS on first touch).
    int ok = one_machine_ && bytes > 0 && shared_memory_room() > bytes + (size_t{64} << 20);
    ok = all_agree(ok);
    if (!ok) return nullptr;
    void* base = nullptr;
    MPI_Win win = MPI_WIN_NULL;
    ok = MPI_Win_allocate_shared(static_cast<MPI_Aint>(rank_ == 0 ? bytes : 0), 1, MPI_INFO_NULL,
                                 node_, &base, &win) == MPI_SUCCESS;
    void* data = nullptr;
    if (ok) {
      MPI_Aint size = 0;
      int unit = 0;
      ok = MPI_Win_shared_query(win, 0, &size, &unit, &data) == MPI_SUCCESS &&
           static_cast<size_t>(size) >= bytes && data != nullptr;
    }
    if (!all_agree(ok)) {
      if (win != MPI_WIN_NULL) MPI_Win_free(&win);
      return nullptr;
    }
    windows_[data] = win;
    return data;
  }

  void free_shared(void* data) override {
    auto it = windows_.find(data);
    if (it == windows_.end()) return;
    barrier();  // every process is here: the blocking free cannot wait on a dead one
    MPI_Win_free(&it->second);
    windows_.erase(it);
  }

 private:
  // MPI counts are ints: larger buffers go in pieces.
  template <class F>
  void in_chunks(void* data, int64_t count, DType dtype, F&& f) {
    constexpr int64_t kMax = std::numeric_limits<int>::max() / 8;
    auto* p = static_cast<char*>(data);
    int64_t done = 0;
    do {  // once for an empty buffer: every process still takes part
      const int64_t n = std::min(kMax, count - done);
      f(p + done * static_cast<int64_t>(dtype_size(dtype)), static_cast<int>(n));
      done += n;
    } while (done < count);
  }

  // Polls instead of blocking so that a dead or stopped peer ends the job after the timeout.
  void wait(MPI_Request& request, const char* what) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    for (int64_t spins = 0;; ++spins) {
      int done = 0;
      MPI_Test(&request, &done, MPI_STATUS_IGNORE);
      if (done) {
        waited_ += std::chrono::duration<double>(clock::now() - start).count();
        return;
      }
      if (spins < 2000) continue;
      const double waited = std::chrono::duration<double>(clock::now() - start).count();
      if (waited > timeout_) {
        const std::string silent = silent_processes();
        std::fprintf(stderr,
                     "keras::distribution: RuntimeError: process %d of %d waited %.0f s in %s for "
                     "the other processes (KERAS_DISTRIBUTION_TIMEOUT=%g); %s; aborting the job\n",
                     rank_, size_, waited, what, timeout_, silent.c_str());
        std::fflush(stderr);
        MPI_Abort(comm_, 1);
      }
      if (waited > 0.05) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      } else {
        sched_yield();
      }
    }
  }

  // After a timeout: every live process also times out, and they tell each other so; those that
  // say nothing within min(timeout, 10 s) are named (dead, stopped, or stuck outside keras).
  std::string silent_processes() {
    constexpr int kTag = 0x6b63;
    static char alive = 1;
    std::vector<char> heard(static_cast<size_t>(size_), 0);
    std::vector<MPI_Request> receives(static_cast<size_t>(size_), MPI_REQUEST_NULL);
    for (int r = 0; r < size_; ++r) {
      if (r == rank_) continue;
      MPI_Request send;
      MPI_Isend(&alive, 1, MPI_CHAR, r, kTag, comm_, &send);
      MPI_Request_free(&send);
      MPI_Irecv(&heard[static_cast<size_t>(r)], 1, MPI_CHAR, r, kTag, comm_,
                &receives[static_cast<size_t>(r)]);
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(std::min(timeout_, 10.0));
    std::vector<int> done(static_cast<size_t>(size_), 0);
    done[static_cast<size_t>(rank_)] = 1;
    while (std::chrono::steady_clock::now() < deadline) {
      bool all = true;
      for (int r = 0; r < size_; ++r) {
        if (!done[static_cast<size_t>(r)]) {
          MPI_Test(&receives[static_cast<size_t>(r)], &done[static_cast<size_t>(r)],
                   MPI_STATUS_IGNORE);
        }
        all = all && done[static_cast<size_t>(r)];
      }
      if (all) return "every process answered afterwards (a slow step?)";
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::string silent;
    for (int r = 0; r < size_; ++r) {
      if (!done[static_cast<size_t>(r)]) silent += (silent.empty() ? "" : ", ") + std::to_string(r);
    }
    return "process " + silent + " did not answer (dead or hung)";
  }

  // Free bytes where Open MPI puts shared windows' backing files (its default, /dev/shm).
  static size_t shared_memory_room() {
    struct statvfs fs {};
    if (statvfs("/dev/shm", &fs) != 0) return 0;
    return static_cast<size_t>(fs.f_bavail) * static_cast<size_t>(fs.f_frsize);
  }

  // Whether `ok` holds on every process (a polled all-reduce).
  int all_agree(int ok) {
    MPI_Request request;
    MPI_Iallreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, comm_, &request);
    wait(request, "all_reduce");
    return ok;
  }

  std::map<int64_t, std::vector<MPI_Request>> pending_;  // started by start_all_reduce
  std::map<void*, MPI_Win> windows_;                     // allocate_shared's
  MPI_Comm node_ = MPI_COMM_NULL;                        // the processes of this machine
  bool one_machine_ = false;
  int64_t next_request_ = 0;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  double timeout_;
  double waited_ = 0.0;  // in wait(), in all
  std::string name_;
};

}  // namespace

bool launched_by_mpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_SIZE") != nullptr ||
         std::getenv("PMIX_RANK") != nullptr;
}

std::unique_ptr<Collective> make_mpi_collective(double timeout_seconds) {
  return std::make_unique<MpiCollective>(timeout_seconds);
}

}  // namespace keras::distribution::internal
