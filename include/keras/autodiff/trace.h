// Kernel launches and their recording.
//
// Every op runs its kernels through launch(). Normally that just runs the kernel. While a
// KernelTrace is active on this thread, launch() also keeps the kernel call (which holds its
// tensors, and so their memory) so that the whole sequence can be replayed later on new data
// written into the same input buffers. This is how fit() turns one traced training step into a
// static execution plan: the buffers are allocated once, and replaying allocates nothing.
//
// Rule for ops (and everything traced): all work that depends on tensor *values* must happen
// inside a launched kernel; host code between kernels may only depend on shapes and dtypes. An
// op that cannot keep it (its output's shape or a constant it builds comes from its inputs'
// values: bincount's length, scatter's indices read on the host) calls depends_on_values(), and
// a trace active then is not replayed (its caller runs such steps eagerly).
#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace keras::autodiff {

using Kernel = std::function<void()>;

class KernelTrace {
 public:
  KernelTrace();
  ~KernelTrace();
  KernelTrace(const KernelTrace&) = delete;
  KernelTrace& operator=(const KernelTrace&) = delete;

  // The recorded kernels, in launch order (empties the trace).
  std::vector<Kernel> take() { return std::move(kernels_); }
  // False once host code read tensor values while this trace was active: a replay would reuse
  // what was read then.
  bool replayable() const { return replayable_; }
  void add(Kernel kernel) { kernels_.push_back(std::move(kernel)); }

 private:
  std::vector<Kernel> kernels_;
  KernelTrace* previous_;
  bool replayable_ = true;
  friend void depends_on_values();
};

// The innermost active trace on this thread, or nullptr.
KernelTrace* active_trace();

// Marks the traces active on this thread as not replayable: host code has read tensor values.
void depends_on_values();

// Runs `kernel` now and records it in the active trace, if any.
template <class F>
void launch(F&& kernel) {
  kernel();
  if (KernelTrace* trace = active_trace()) trace->add(Kernel(std::forward<F>(kernel)));
}

}  // namespace keras::autodiff
