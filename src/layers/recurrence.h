// The loop over time steps that the recurrent layers share (LSTM, GRU, SimpleRNN and
// ConvLSTM*D), with Keras 3's masking: a masked step keeps the states and outputs the current h
// (or zeros with zero_output_for_mask). Internal to src/layers.
#pragma once

#include <algorithm>
#include <functional>

#include "keras/core/tensor.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"

namespace keras::layers::internal {

// A sequence (batch, timesteps, ...) or its mask (batch, timesteps) in reverse time order.
inline Tensor reverse_time(const Tensor& y) {
  Tensors steps = ops::split(y, y.dim(1), 1);
  std::reverse(steps.begin(), steps.end());
  return ops::concatenate(steps, 1);
}

struct Recurrence {
  Tensors outputs;     // each step's output in processing order (when kept)
  Tensor last_output;  // the last processed step's
  Tensors states;      // the final states
};

// One step: (this step's input, states) -> new states; the step's output is the first.
using Step = std::function<Tensors(const Tensor& input, const Tensors& states)>;

// Runs `step` over inputs[t] (one per time step, in time order; from the last with go_backwards)
// from `states`. masks: empty, or one per time step, broadcastable against the states.
inline Recurrence recur(const Tensors& inputs,
                        Tensors states,
                        const Tensors& masks,
                        bool go_backwards,
                        bool zero_output_for_mask,
                        bool keep_outputs,
                        const Step& step) {
  Recurrence r;
  const size_t steps = inputs.size();
  for (size_t k = 0; k < steps; ++k) {
    const size_t t = go_backwards ? steps - 1 - k : k;
    Tensors next = step(inputs[t], states);
    Tensor output = next[0];
    if (!masks.empty()) {
      const Tensor& m = masks[t];
      for (size_t i = 0; i < next.size(); ++i) next[i] = ops::where(m, next[i], states[i]);
      output = zero_output_for_mask ? ops::where(m, output, ops::zeros_like(output)) : next[0];
    }
    states = std::move(next);
    r.last_output = output;
    if (keep_outputs) r.outputs.push_back(output);
  }
  r.states = std::move(states);
  return r;
}

}  // namespace keras::layers::internal
