// The rest of keras.activations as ops (keras.ops.mish, celu, glu, sparsemax, ...), and
// keras.activations.relu with its arguments. All differentiable; each is also a name for
// `activation=` (keras::activations::get, keras/ops/nn.h) with Keras's default arguments, except
// threshold, whose arguments have no defaults in Keras either.
//
// They are built from the elementwise ops (keras/ops/elementwise.h), so their gradients are
// those ops' and they run on any backend; none has a fused kernel of its own.
#pragma once

#include <optional>

#include "keras/core/tensor.h"

namespace keras::ops {

// x * tanh(softplus(x)).
Tensor mish(const Tensor& x);
// x for x > 0, alpha * (exp(x / alpha) - 1) otherwise. ValueError for alpha == 0.
Tensor celu(const Tensor& x, double alpha = 1.0);
// (x + sqrt(x² + b)) / 2. ValueError for b < 0.
Tensor squareplus(const Tensor& x, double b = 4.0);
// 0 for x <= -1, (x + 1)² / 4 on (-1, 1), x for x >= 1.
Tensor sparse_plus(const Tensor& x);
// 0 for x <= -1, (x + 1) / 2 on (-1, 1), 1 for x >= 1.
Tensor sparse_sigmoid(const Tensor& x);
// x - tanh(x).
Tensor tanh_shrink(const Tensor& x);
// x - threshold above threshold, x + threshold below -threshold, 0 between.
Tensor soft_shrink(const Tensor& x, double threshold = 0.5);
// x where |x| > threshold, else 0.
Tensor hard_shrink(const Tensor& x, double threshold = 0.5);
// x where x > threshold, else default_value.
Tensor threshold(const Tensor& x, double threshold, double default_value);
// -1 below -1, 1 above 1, x between.
Tensor hard_tanh(const Tensor& x);
// Gated linear unit: x split into halves a, b along `axis`, a * sigmoid(b); that axis halves.
// ValueError when its size is odd.
Tensor glu(const Tensor& x, int axis = -1);
// keras.ops.sparsemax along `axis`, with Keras 3's own formula (every backend's): with z sorted
// descending, c its cumulative sums and the support S = {j : z_j - (c_j - 1) / j > 0} (1-based
// j), tau = (sum over S of c_j - 1) / |S| and the result max(x - tau, 0). Keras sums the
// cumulative sums over S where Martins & Astudillo's sparsemax takes c_|S|, so the two differ
// whenever |S| > 1 (rows then need not sum to 1); keras.cpp follows Keras, so that models made
// there predict the same. Piecewise linear, differentiable; costs O(n²) per row of n entries (an
// (n, n) comparison mask instead of a sort).
Tensor sparsemax(const Tensor& x, int axis = -1);

}  // namespace keras::ops

namespace keras::activations {

// keras.activations.relu with its arguments, in Keras 3's formula: x where x > threshold (else
// 0), clipped to [0, max_value] when max_value is given, minus negative_slope * relu(threshold -
// x). The ReLU layer computes this.
Tensor relu(const Tensor& x,
            double negative_slope,
            std::optional<double> max_value,
            double threshold = 0.0);

}  // namespace keras::activations
