// Fused recurrent cells.
#pragma once

#include <tuple>
#include <utility>

#include "keras/core/tensor.h"

namespace keras::ops {

// One LSTM step with sigmoid gates and tanh activations, Keras gate order (i, f, c, o):
//   z (batch, 4u) = x_t @ kernel + h_prev @ recurrent_kernel + bias,  c_prev (batch, u)
//   c = sigmoid(z_f) c_prev + sigmoid(z_i) tanh(z_c),  h = sigmoid(z_o) tanh(c)
// Returns {h, c}. One kernel forward and one backward instead of a dozen elementwise ops.
std::pair<Tensor, Tensor> lstm_cell(const Tensor& z, const Tensor& c_prev);

// A whole LSTM recurrence (the cell above at every step) in one kernel and one backward:
//   xs (batch, steps, 4u) = x @ kernel + bias for every step (time order), recurrent_kernel
//   (u, 4u), h0 and c0 (batch, u); go_backwards processes time steps last to first.
// Returns {hs, c_last}: hs (batch, steps, u) holds h after each step in processing order (so
// the last h is hs[:, steps - 1]) and c_last (batch, u) the final c. Gradients flow to all four
// inputs. Throws ValueError for inconsistent shapes (steps must be at least 1) and TypeError
// for non-floating or mixed dtypes.
std::pair<Tensor, Tensor> lstm_sequence(const Tensor& xs,
                                        const Tensor& recurrent_kernel,
                                        const Tensor& h0,
                                        const Tensor& c0,
                                        bool go_backwards = false);

// An LSTM layer's forward for inference, from its unprojected inputs: x (batch, steps,
// features), kernel (features, 4u), bias (4u) or an undefined tensor for none, and the rest as
// lstm_sequence (whose arithmetic it is, the input projection x @ kernel + bias included). Returns
// {hs, h_last, c_last}; hs is computed only when `return_sequences` (else undefined). Records
// nothing on a tape: for when no input is tracked (ops::lstm_sequence is the differentiable path).
// Throws as lstm_sequence.
std::tuple<Tensor, Tensor, Tensor> lstm_inference(const Tensor& x,
                                                  const Tensor& kernel,
                                                  const Tensor& bias,
                                                  const Tensor& recurrent_kernel,
                                                  const Tensor& h0,
                                                  const Tensor& c0,
                                                  bool go_backwards,
                                                  bool return_sequences);

}  // namespace keras::ops
