// Reverse-mode automatic differentiation with an explicit tape (like tf.GradientTape).
//
// While a GradientTape is alive it is the active tape of its thread. Ops call record() after
// computing their outputs; the tape keeps the op's backward function only if one of its inputs is
// tracked: a trainable variable (requires_grad), a tensor passed to watch(), or the output of an
// op already recorded. gradient() walks the records in reverse, calling each backward function
// with the gradients of its outputs, summing broadcast gradients back to each input's shape and
// accumulating gradients of inputs used several times. First-order only: ops run inside
// gradient() are not recorded.
#pragma once

#include <functional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::autodiff {

// One gradient per input of the op; an undefined Tensor means "no gradient".
using Grads = std::vector<Tensor>;
// Receives one gradient per output, always defined: a backward function runs only when some
// output received a gradient, and the outputs of a multi-output op that received none get zeros.
using BackwardFn = std::function<Grads(const Tensors& dys)>;

class GradientTape {
 public:
  GradientTape();
  ~GradientTape();
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  // Tracks `t` so gradients with respect to it can be asked for.
  void watch(const Tensor& t);
  // d(target)/d(source) for each source, with target reduced by summation if not a scalar.
  // Sources that target does not depend on get an undefined Tensor (Keras's None).
  Tensors gradient(const Tensor& target, const Tensors& sources);
  // The same, calling on_final(i, gradient) as soon as source i's gradient is final (no record
  // left to walk adds to it): the last layers' first, so that work on them (an all-reduce) can
  // start while the rest of the backward pass runs. Sources without a gradient get no call.
  using FinalFn = std::function<void(size_t source, const Tensor& gradient)>;
  Tensors gradient(const Tensor& target, const Tensors& sources, const FinalFn& on_final);

  bool is_tracked(const Tensor& t) const;
  bool paused() const { return paused_; }
  void record(std::string_view name,
              const Tensors& inputs,
              const Tensors& outputs,
              BackwardFn backward);

 private:
  struct Entry {
    std::string_view name;
    std::vector<uint64_t> input_ids;
    std::vector<Shape> input_shapes;
    std::vector<DType> input_dtypes;
    std::vector<Tensor> outputs;  // kept for zero gradients of unused outputs
    BackwardFn backward;
  };
  std::unordered_set<uint64_t> tracked_;
  std::vector<Entry> entries_;
  GradientTape* previous_;
  bool paused_ = false;
};

// The active tape on this thread (nullptr if none, or while it computes gradients).
GradientTape* active_tape();

// Records an op on the active tape if any input is tracked. Ops call this after the forward.
void record(std::string_view name,
            const Tensors& inputs,
            const Tensors& outputs,
            BackwardFn backward);
inline void record(std::string_view name,
                   const Tensors& inputs,
                   const Tensor& output,
                   std::function<Grads(const Tensor& dy)> backward) {
  if (active_tape() == nullptr) return;
  record(name, inputs, Tensors{output},
         [fn = std::move(backward)](const Tensors& dys) { return fn(dys[0]); });
}

// True when an active tape tracks any of `inputs` (ops may skip saving tensors otherwise).
bool any_tracked(const Tensors& inputs);
// True when an active tape tracks `t`: its gradient will be needed. Ops check this at record time
// to skip gradients nobody asks for (e.g. the input of a model's first layer).
inline bool is_tracked(const Tensor& t) {
  return any_tracked({t});
}

// Sums `grad` over broadcast dimensions so it has `shape` (kernel launches, no tape recording).
Tensor reduce_to_shape(const Tensor& grad, const Shape& shape);

}  // namespace keras::autodiff
