// Fused recurrent cells.
#pragma once

#include <utility>

#include "keras/core/tensor.h"

namespace keras::ops {

// One LSTM step with sigmoid gates and tanh activations, Keras gate order (i, f, c, o):
//   z (batch, 4u) = x_t @ kernel + h_prev @ recurrent_kernel + bias,  c_prev (batch, u)
//   c = sigmoid(z_f) c_prev + sigmoid(z_i) tanh(z_c),  h = sigmoid(z_o) tanh(c)
// Returns {h, c}. One kernel forward and one backward instead of a dozen elementwise ops.
std::pair<Tensor, Tensor> lstm_cell(const Tensor& z, const Tensor& c_prev);

}  // namespace keras::ops
