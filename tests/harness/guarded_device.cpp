#include "harness/guarded_device.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <mutex>

#include "keras/backend/backend.h"
#include "keras/core/error.h"

namespace keras::test {
namespace {

using namespace keras::backend;

constexpr size_t kAlignment = 64;
constexpr size_t kCapacity = size_t{16} << 30;  // address space only: pages are used on demand

// The guarded device's memory: one reserved range of host pages, inaccessible except while
// open() is in effect (nested opens count). Blocks are handed out first-fit.
class Arena {
 public:
  Arena() {
    void* p =
        mmap(nullptr, kCapacity, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    KERAS_CHECK(p != MAP_FAILED, RuntimeError, "guarded device: cannot reserve its arena");
    base_ = static_cast<char*>(p);
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  }

  bool contains(const void* p) const {
    const auto* c = static_cast<const char*>(p);
    return c >= base_ && c < base_ + kCapacity;
  }

  void* allocate(size_t nbytes) {
    const size_t size = (std::max<size_t>(nbytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
    std::lock_guard lock(mutex_);
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (it->second < size) continue;
      const size_t offset = it->first, left = it->second - size;
      free_.erase(it);
      if (left > 0) free_[offset + size] = left;
      return base_ + offset;
    }
    if (size > kCapacity - used_) {
      throw MemoryError(str("Unable to allocate ", byte_size_str(nbytes)));
    }
    const size_t offset = used_;
    used_ += size;
    if (depth_ > 0) protect(PROT_READ | PROT_WRITE);  // a kernel is running: keep it open
    return base_ + offset;
  }

  void release(void* data, size_t nbytes) {
    const size_t size = (std::max<size_t>(nbytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
    std::lock_guard lock(mutex_);
    auto [it, inserted] = free_.emplace(static_cast<char*>(data) - base_, size);
    if (auto next = std::next(it); next != free_.end() && it->first + it->second == next->first) {
      it->second += next->second;
      free_.erase(next);
    }
    if (it != free_.begin()) {
      if (auto prev = std::prev(it); prev->first + prev->second == it->first) {
        prev->second += it->second;
        free_.erase(it);
      }
    }
  }

  void open() {
    std::lock_guard lock(mutex_);
    if (depth_++ == 0) protect(PROT_READ | PROT_WRITE);
  }
  void close() {
    std::lock_guard lock(mutex_);
    if (--depth_ == 0) protect(PROT_NONE);
  }

 private:
  // Sets the protection of every page handed out so far.
  void protect(int prot) {
    const size_t bytes = (used_ + page_ - 1) / page_ * page_;
    if (bytes > 0 && mprotect(base_, bytes, prot) != 0) {
      throw RuntimeError("guarded device: mprotect failed");
    }
  }

  char* base_ = nullptr;
  size_t page_ = 4096;
  size_t used_ = 0;                // bytes below the highest block ever handed out
  std::map<size_t, size_t> free_;  // offset -> size of the free blocks below used_
  int depth_ = 0;
  std::mutex mutex_;
};

// The arena is open while one of these lives.
class Access {
 public:
  explicit Access(Arena& arena) : arena_(arena) { arena_.open(); }
  ~Access() { arena_.close(); }
  Access(const Access&) = delete;
  Access& operator=(const Access&) = delete;

 private:
  Arena& arena_;
};

Arena* g_arena = nullptr;  // for the fault handler

// A fault inside the arena is host code touching device memory: say so and abort. Any other
// fault is passed on to the default action.
void on_fault(int sig, siginfo_t* info, void*) {
  if (g_arena != nullptr && g_arena->contains(info->si_addr)) {
    char message[160];
    const int n = snprintf(message, sizeof message,
                           "guarded device: host code touched device memory at %p outside the "
                           "backend\n",
                           info->si_addr);
    if (n > 0) (void)!write(STDERR_FILENO, message, static_cast<size_t>(n));
    abort();
  }
  signal(sig, SIG_DFL);
}

void check_on_device(const char* kernel, const Tensor& t) {
  KERAS_CHECK(!t.defined() || t.device().type == DeviceType::guarded, RuntimeError,
              "guarded device: kernel ", kernel, " was given a tensor on ", t.device());
}
void check_on_device(const char* kernel, std::span<const Tensor> ts) {
  for (const Tensor& t : ts) check_on_device(kernel, t);
}
void check_on_device(const char* kernel, const LstmSequenceArgs& a) {
  for (const Tensor* t : {&a.xs, &a.u_kernel, &a.h0, &a.c0, &a.hs, &a.cs, &a.ws}) {
    check_on_device(kernel, *t);
  }
}
void check_on_device(const char* kernel, const LstmSequenceGrads& g) {
  for (const Tensor* t : {&g.dhs, &g.dc_last, &g.dxs, &g.du, &g.dh0, &g.dc0}) {
    check_on_device(kernel, *t);
  }
}
void check_on_device(const char* kernel, const LstmInferenceArgs& a) {
  for (const Tensor* t : {&a.x, &a.kernel, &a.bias, &a.u_kernel, &a.h0, &a.c0, &a.hs, &a.h, &a.c}) {
    check_on_device(kernel, *t);
  }
}
template <class T>
void check_on_device(const char*, const T&) {}  // not a tensor

// Memory from the arena; kernels are the CPU backend's, run with the arena open.
class GuardedBackend final : public Backend {
 public:
  GuardedBackend() { g_arena = &arena_; }
  const char* name() const override { return "guarded"; }

  void* allocate(size_t nbytes, Device device) override {
    check_device(device);
    return arena_.allocate(nbytes);
  }
  void deallocate(void* data, size_t nbytes, Device) noexcept override {
    arena_.release(data, nbytes);
  }
  void copy_bytes(
      const void* src, Device src_device, void* dst, Device dst_device, size_t nbytes) override {
    if (!src_device.is_host()) check_device(src_device);
    if (!dst_device.is_host()) check_device(dst_device);
    const Access access(arena_);
    std::memmove(dst, src, nbytes);
  }
  void synchronize(Device) override {}

  void fill(const Tensor& y, double value) override { run("fill", &Backend::fill, y, value); }
  void cast(const Tensor& src, const Tensor& dst) override {
    run("cast", &Backend::cast, src, dst);
  }
  void copy(const Tensor& src, const Tensor& dst) override {
    run("copy", &Backend::copy, src, dst);
  }
  void unary(UnaryOp op, const Tensor& x, const Tensor& y, UnaryParams p) override {
    run("unary", &Backend::unary, op, x, y, p);
  }
  void unary_backward(UnaryOp op,
                      const Tensor& x,
                      const Tensor& y,
                      const Tensor& dy,
                      const Tensor& dx,
                      UnaryParams p) override {
    run("unary_backward", &Backend::unary_backward, op, x, y, dy, dx, p);
  }
  void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& y) override {
    run("binary", &Backend::binary, op, a, b, y);
  }
  void where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& y) override {
    run("where", &Backend::where, cond, a, b, y);
  }
  void reduce(ReduceOp op, const Tensor& x, std::span<const int> axes, const Tensor& y) override {
    run("reduce", &Backend::reduce, op, x, axes, y);
  }
  void arg_reduce(ArgReduceOp op, const Tensor& x, int axis, const Tensor& y) override {
    run("arg_reduce", &Backend::arg_reduce, op, x, axis, y);
  }
  void argsort(const Tensor& x, int axis, bool descending, const Tensor& y) override {
    run("argsort", &Backend::argsort, x, axis, descending, y);
  }
  void gemm(const Tensor& a, const Tensor& b, const Tensor& y, GemmParams p) override {
    run("gemm", &Backend::gemm, a, b, y, p);
  }
  void dense(const Tensor& x,
             const Tensor& kernel,
             const Tensor& bias,
             const Tensor& y,
             bool relu) override {
    run("dense", &Backend::dense, x, kernel, bias, y, relu);
  }
  void transpose(const Tensor& x, std::span<const int> perm, const Tensor& y) override {
    run("transpose", &Backend::transpose, x, perm, y);
  }
  void broadcast_to(const Tensor& x, const Tensor& y) override {
    run("broadcast_to", &Backend::broadcast_to, x, y);
  }
  void concat(std::span<const Tensor> xs, int axis, const Tensor& y) override {
    run("concat", &Backend::concat, xs, axis, y);
  }
  void slice_axis(const Tensor& x, int axis, int64_t start, const Tensor& y) override {
    run("slice_axis", &Backend::slice_axis, x, axis, start, y);
  }
  void slice_axis_backward(const Tensor& dy, int axis, int64_t start, const Tensor& dx) override {
    run("slice_axis_backward", &Backend::slice_axis_backward, dy, axis, start, dx);
  }
  void gather(const Tensor& params,
              const Tensor& indices,
              const Tensor& y,
              const GatherParams& p) override {
    run("gather", &Backend::gather, params, indices, y, p);
  }
  void scatter_add(const Tensor& dy, const Tensor& indices, const Tensor& dparams) override {
    run("scatter_add", &Backend::scatter_add, dy, indices, dparams);
  }
  void one_hot(const Tensor& indices, const Tensor& y) override {
    run("one_hot", &Backend::one_hot, indices, y);
  }
  void softmax(const Tensor& x, const Tensor& y) override {
    run("softmax", &Backend::softmax, x, y);
  }
  void softmax_backward(const Tensor& y, const Tensor& dy, const Tensor& dx) override {
    run("softmax_backward", &Backend::softmax_backward, y, dy, dx);
  }
  void masked_softmax(const Tensor& x,
                      const Tensor& mask,
                      const Tensor& y,
                      bool uniform_empty_rows) override {
    run("masked_softmax", &Backend::masked_softmax, x, mask, y, uniform_empty_rows);
  }
  void log_softmax(const Tensor& x, const Tensor& y) override {
    run("log_softmax", &Backend::log_softmax, x, y);
  }
  void log_softmax_backward(const Tensor& y, const Tensor& dy, const Tensor& dx) override {
    run("log_softmax_backward", &Backend::log_softmax_backward, y, dy, dx);
  }
  void lstm_cell(const Tensor& z,
                 const Tensor& c_prev,
                 const Tensor& h,
                 const Tensor& c,
                 const Tensor& workspace) override {
    run("lstm_cell", &Backend::lstm_cell, z, c_prev, h, c, workspace);
  }
  void lstm_cell_backward(const Tensor& dh,
                          const Tensor& dc,
                          const Tensor& c_prev,
                          const Tensor& workspace,
                          const Tensor& dz,
                          const Tensor& dc_prev) override {
    run("lstm_cell_backward", &Backend::lstm_cell_backward, dh, dc, c_prev, workspace, dz, dc_prev);
  }
  void lstm_sequence(const LstmSequenceArgs& s) override {
    run("lstm_sequence", &Backend::lstm_sequence, s);
  }
  void lstm_sequence_backward(const LstmSequenceArgs& s, const LstmSequenceGrads& g) override {
    run("lstm_sequence_backward", &Backend::lstm_sequence_backward, s, g);
  }
  void lstm_inference(const LstmInferenceArgs& s) override {
    run("lstm_inference", &Backend::lstm_inference, s);
  }
  void conv(const Tensor& src,
            const Tensor& weights,
            const Tensor& dst,
            const ConvParams& p) override {
    run("conv", &Backend::conv, src, weights, dst, p);
  }
  void conv_bias(const Tensor& src,
                 const Tensor& weights,
                 const Tensor& bias,
                 const Tensor& dst,
                 const ConvParams& p,
                 bool relu) override {
    run("conv_bias", &Backend::conv_bias, src, weights, bias, dst, p, relu);
  }
  void conv_backward_data(const Tensor& diff_dst,
                          const Tensor& weights,
                          const Tensor& diff_src,
                          const ConvParams& p) override {
    run("conv_backward_data", &Backend::conv_backward_data, diff_dst, weights, diff_src, p);
  }
  void conv_backward_weights(const Tensor& src,
                             const Tensor& diff_dst,
                             const Tensor& diff_weights,
                             const ConvParams& p) override {
    run("conv_backward_weights", &Backend::conv_backward_weights, src, diff_dst, diff_weights, p);
  }
  void conv_backward(const Tensor& src,
                     const Tensor& weights,
                     const Tensor& diff_dst,
                     const Tensor& diff_src,
                     const Tensor& diff_weights,
                     const ConvParams& p) override {
    run("conv_backward", &Backend::conv_backward, src, weights, diff_dst, diff_src, diff_weights,
        p);
  }
  void conv_bias_max_pool(const Tensor& src,
                          const Tensor& weights,
                          const Tensor& bias,
                          const Tensor& dst,
                          const Tensor& pooled,
                          const ConvParams& p,
                          const PoolParams& pool,
                          bool keep_dst) override {
    run("conv_bias_max_pool", &Backend::conv_bias_max_pool, src, weights, bias, dst, pooled, p,
        pool, keep_dst);
  }
  void conv_max_pool_backward(const Tensor& src,
                              const Tensor& weights,
                              const Tensor& dst,
                              const Tensor& diff_pooled,
                              const Tensor& diff_src,
                              const Tensor& diff_weights,
                              const ConvParams& p,
                              const PoolParams& pool) override {
    run("conv_max_pool_backward", &Backend::conv_max_pool_backward, src, weights, dst, diff_pooled,
        diff_src, diff_weights, p, pool);
  }
  void max_pool(const Tensor& src, const Tensor& dst, const PoolParams& p) override {
    run("max_pool", &Backend::max_pool, src, dst, p);
  }
  void max_pool_backward(const Tensor& src,
                         const Tensor& diff_dst,
                         const Tensor& diff_src,
                         const PoolParams& p) override {
    run("max_pool_backward", &Backend::max_pool_backward, src, diff_dst, diff_src, p);
  }
  void avg_pool(const Tensor& src, const Tensor& dst, const PoolParams& p) override {
    run("avg_pool", &Backend::avg_pool, src, dst, p);
  }
  void avg_pool_backward(const Tensor& diff_dst,
                         const Tensor& diff_src,
                         const PoolParams& p) override {
    run("avg_pool_backward", &Backend::avg_pool_backward, diff_dst, diff_src, p);
  }
  void batch_norm(const Tensor& x,
                  const Tensor& scale,
                  const Tensor& offset,
                  const Tensor& mean,
                  const Tensor& variance,
                  const Tensor& y,
                  const BatchNormParams& p) override {
    run("batch_norm", &Backend::batch_norm, x, scale, offset, mean, variance, y, p);
  }
  void batch_norm_backward(const Tensor& x,
                           const Tensor& dy,
                           const Tensor& scale,
                           const Tensor& mean,
                           const Tensor& variance,
                           const Tensor& dmean,
                           const Tensor& dvariance,
                           const Tensor& dx,
                           const Tensor& dscale,
                           const Tensor& doffset,
                           const BatchNormParams& p) override {
    run("batch_norm_backward", &Backend::batch_norm_backward, x, dy, scale, mean, variance, dmean,
        dvariance, dx, dscale, doffset, p);
  }
  RandomState random_uniform(const Tensor& y, double low, double high, RandomState state) override {
    return run("random_uniform", &Backend::random_uniform, y, low, high, state);
  }
  RandomState random_normal(const Tensor& y,
                            double mean,
                            double stddev,
                            RandomState state) override {
    return run("random_normal", &Backend::random_normal, y, mean, stddev, state);
  }
  RandomState random_truncated_normal(const Tensor& y,
                                      double mean,
                                      double stddev,
                                      RandomState state) override {
    return run("random_truncated_normal", &Backend::random_truncated_normal, y, mean, stddev,
               state);
  }
  RandomState random_bernoulli(const Tensor& y, double p, RandomState state) override {
    return run("random_bernoulli", &Backend::random_bernoulli, y, p, state);
  }
  RandomState random_randint(const Tensor& y,
                             int64_t low,
                             int64_t high,
                             RandomState state) override {
    return run("random_randint", &Backend::random_randint, y, low, high, state);
  }
  RandomState random_permutation(const Tensor& y, RandomState state) override {
    return run("random_permutation", &Backend::random_permutation, y, state);
  }
  void sgd_update(const Tensor& w,
                  const Tensor& g,
                  const Tensor& momentum,
                  const SgdParams& p) override {
    run("sgd_update", &Backend::sgd_update, w, g, momentum, p);
  }
  void rmsprop_update(const Tensor& w,
                      const Tensor& g,
                      const Tensor& velocity,
                      const Tensor& momentum,
                      const Tensor& average_gradient,
                      const RmspropParams& p) override {
    run("rmsprop_update", &Backend::rmsprop_update, w, g, velocity, momentum, average_gradient, p);
  }
  void adam_update(const Tensor& w,
                   const Tensor& g,
                   const Tensor& m,
                   const Tensor& v,
                   const Tensor& v_hat,
                   const AdamParams& p) override {
    run("adam_update", &Backend::adam_update, w, g, m, v, v_hat, p);
  }
  void adagrad_update(const Tensor& w,
                      const Tensor& g,
                      const Tensor& accumulator,
                      const AdagradParams& p) override {
    run("adagrad_update", &Backend::adagrad_update, w, g, accumulator, p);
  }
  void fill_rows(const Tensor& y, const Tensor& rows, double value) override {
    run("fill_rows", &Backend::fill_rows, y, rows, value);
  }
  void sgd_update_rows(const Tensor& w,
                       const Tensor& g,
                       const Tensor& rows,
                       RowGradient layout,
                       const Tensor& last_step,
                       int64_t step,
                       const SgdParams& p) override {
    run("sgd_update_rows", &Backend::sgd_update_rows, w, g, rows, layout, last_step, step, p);
  }
  void rmsprop_update_rows(const Tensor& w,
                           const Tensor& g,
                           const Tensor& rows,
                           RowGradient layout,
                           const Tensor& velocity,
                           const Tensor& average_gradient,
                           const Tensor& last_step,
                           int64_t step,
                           const RmspropParams& p) override {
    run("rmsprop_update_rows", &Backend::rmsprop_update_rows, w, g, rows, layout, velocity,
        average_gradient, last_step, step, p);
  }
  void rmsprop_catch_up(const Tensor& velocity,
                        const Tensor& average_gradient,
                        const Tensor& last_step,
                        int64_t step,
                        const RmspropParams& p) override {
    run("rmsprop_catch_up", &Backend::rmsprop_catch_up, velocity, average_gradient, last_step, step,
        p);
  }
  void adagrad_update_rows(const Tensor& w,
                           const Tensor& g,
                           const Tensor& rows,
                           RowGradient layout,
                           const Tensor& accumulator,
                           const Tensor& last_step,
                           int64_t step,
                           const AdagradParams& p) override {
    run("adagrad_update_rows", &Backend::adagrad_update_rows, w, g, rows, layout, accumulator,
        last_step, step, p);
  }

 private:
  static void check_device(Device device) {
    KERAS_CHECK(device.type == DeviceType::guarded, RuntimeError,
                "guarded device: asked for memory on ", device);
  }

  // Checks that every tensor argument is on the guarded device, then runs the CPU kernel with
  // the arena open.
  template <class R, class... P, class... A>
  R run(const char* kernel, R (Backend::*fn)(P...), const A&... args) {
    (check_on_device(kernel, args), ...);
    const Access access(arena_);
    return (inner_.*fn)(args...);
  }

  Arena arena_;
  Backend& inner_ = cpu_backend();
};

GuardedBackend& guarded_backend() {
  static GuardedBackend* backend = [] {
    auto* b = new GuardedBackend();  // never destroyed: tensors may outlive static destructors
    register_backend(DeviceType::guarded, b);
    struct sigaction action {};
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &action, nullptr);
    sigaction(SIGBUS, &action, nullptr);
    return b;
  }();
  return *backend;
}

}  // namespace

Device guarded_device() {
  guarded_backend();
  return {DeviceType::guarded, 0};
}

OnGuardedDevice::OnGuardedDevice() : scope_(guarded_device()) {}

}  // namespace keras::test
