#include "keras/ops/activations.h"

#include <vector>

#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/floating.h"

namespace keras::ops {

Tensor mish(const Tensor& x_in) {
  const Tensor x = floating(x_in);
  return multiply(x, tanh(softplus(x)));
}

Tensor celu(const Tensor& x_in, double alpha) {
  KERAS_CHECK(alpha != 0, ValueError, "celu: alpha must not be 0");
  const Tensor x = floating(x_in);
  // alpha * elu(x / alpha) is celu for alpha > 0 and keeps elu's expm1 accuracy near 0.
  if (alpha > 0) return multiply(elu(divide(x, alpha), 1.0), alpha);
  const Tensor negative_part = multiply(subtract(exp(divide(minimum(x, 0.0), alpha)), 1.0), alpha);
  return where(greater(x, 0.0), x, negative_part);
}

Tensor squareplus(const Tensor& x_in, double b) {
  KERAS_CHECK(b >= 0, ValueError, "squareplus: b must be non-negative, got ", b);
  const Tensor x = floating(x_in);
  return multiply(add(x, sqrt(add(square(x), b))), 0.5);
}

Tensor sparse_plus(const Tensor& x_in) {
  const Tensor x = floating(x_in);
  const Tensor middle = multiply(square(add(x, 1.0)), 0.25);
  return where(less_equal(x, full_like(x, -1.0)), zeros_like(x),
               where(greater_equal(x, full_like(x, 1.0)), x, middle));
}

Tensor sparse_sigmoid(const Tensor& x_in) {
  return clip(multiply(add(floating(x_in), 1.0), 0.5), 0.0, 1.0);
}

Tensor tanh_shrink(const Tensor& x_in) {
  const Tensor x = floating(x_in);
  return subtract(x, tanh(x));
}

Tensor soft_shrink(const Tensor& x_in, double threshold) {
  const Tensor x = floating(x_in);
  // Keras's formula: x - t above t, x + t below -t, else 0 (NaN too).
  return where(greater(x, threshold), subtract(x, threshold),
               where(less(x, full_like(x, -threshold)), add(x, threshold), zeros_like(x)));
}

Tensor hard_shrink(const Tensor& x_in, double threshold) {
  const Tensor x = floating(x_in);
  return where(greater(abs(x), threshold), x, zeros_like(x));
}

Tensor threshold(const Tensor& x_in, double threshold, double default_value) {
  const Tensor x = floating(x_in);
  return where(greater(x, threshold), x, full_like(x, default_value));
}

Tensor hard_tanh(const Tensor& x) {
  return clip(floating(x), -1.0, 1.0);
}

Tensor glu(const Tensor& x_in, int axis) {
  const Tensor x = floating(x_in);
  KERAS_CHECK(x.rank() >= 1, ValueError, "glu: expected a tensor of rank >= 1");
  const int a = normalize_axis(axis, x.rank());
  KERAS_CHECK(x.shape()[static_cast<size_t>(a)] % 2 == 0, ValueError,
              "axis size must be divisible by 2. Received: x.shape=", shape_str(x.shape()),
              " with axis=", axis);
  const Tensors halves = split(x, 2, a);
  return multiply(halves[0], sigmoid(halves[1]));
}

namespace {

// Sparsemax along the last axis.
Tensor sparsemax_last(const Tensor& z) {
  // No sort: entry i's place in a stable descending sort is given by before[i, l] = "z_l comes
  // first" (larger, or equal with a smaller index), so its rank and its cumulative sum are row
  // sums over an (n, n) mask. The tie-break mask depends only on n.
  const int64_t n = z.shape().back();
  Tensor earlier = Tensor::empty({n, n}, bool_, Device::cpu());
  bool* e = earlier.data<bool>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t l = 0; l < n; ++l) e[i * n + l] = l < i;
  }
  earlier = earlier.to(z.device());
  const Tensor zi = expand_dims(z, -1), zl = expand_dims(z, -2);
  const Tensor before =
      cast(logical_or(greater(zl, zi), logical_and(equal(zl, zi), earlier)), z.dtype());
  const Tensor rank = add(sum(before, -1), 1.0);
  const Tensor cumsum = add(sum(multiply(before, zl), -1), z);
  const Tensor support = greater(subtract(z, divide(subtract(cumsum, 1.0), rank)), 0.0);
  const Tensor k = sum(cast(support, z.dtype()), -1, /*keepdims=*/true);
  const Tensor total = sum(where(support, cumsum, zeros_like(cumsum)), -1, /*keepdims=*/true);
  return maximum(subtract(z, divide(subtract(total, 1.0), k)), 0.0);
}

}  // namespace

Tensor sparsemax(const Tensor& x_in, int axis) {
  const Tensor x = floating(x_in);
  KERAS_CHECK(x.rank() >= 1, ValueError, "sparsemax: expected a tensor of rank >= 1");
  const int a = normalize_axis(axis, x.rank());
  if (a == x.rank() - 1) return sparsemax_last(x);
  std::vector<int> perm;
  for (int d = 0; d < x.rank(); ++d) {
    if (d != a) perm.push_back(d);
  }
  perm.push_back(a);
  std::vector<int> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inverse[static_cast<size_t>(perm[i])] = static_cast<int>(i);
  return transpose(sparsemax_last(transpose(x, perm)), inverse);
}

}  // namespace keras::ops

namespace keras::activations {

Tensor relu(const Tensor& x,
            double negative_slope,
            std::optional<double> max_value,
            double threshold) {
  if (negative_slope != 0 && !max_value && threshold == 0) {
    return ops::leaky_relu(x, negative_slope);
  }
  Tensor y;
  if (threshold != 0) {
    y = ops::threshold(x, threshold, 0.0);
  } else if (max_value && *max_value == 6) {
    y = ops::relu6(x);
    max_value.reset();
  } else {
    y = ops::relu(x);
  }
  if (max_value) y = ops::clip(y, 0.0, *max_value);
  if (negative_slope != 0) {
    y = ops::subtract(y, ops::multiply(ops::relu(ops::subtract(threshold, x)), negative_slope));
  }
  return y;
}

}  // namespace keras::activations
