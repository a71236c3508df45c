#include "keras/ops/nn.h"

#include <algorithm>

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/activations.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/data_format.h"
#include "ops/floating.h"

namespace keras::ops {

using autodiff::Grads;
using autodiff::launch;
using backend::UnaryOp;

Tensor relu(const Tensor& x) {
  return unary(UnaryOp::relu, x);
}
Tensor relu6(const Tensor& x) {
  return unary(UnaryOp::relu6, x);
}
Tensor leaky_relu(const Tensor& x, double negative_slope) {
  return unary(UnaryOp::leaky_relu, x, {.a = negative_slope});
}
Tensor sigmoid(const Tensor& x) {
  return unary(UnaryOp::sigmoid, x);
}
Tensor tanh(const Tensor& x) {
  return unary(UnaryOp::tanh, x);
}
Tensor softplus(const Tensor& x) {
  return unary(UnaryOp::softplus, x);
}
Tensor softsign(const Tensor& x) {
  return unary(UnaryOp::softsign, x);
}
Tensor elu(const Tensor& x, double alpha) {
  return unary(UnaryOp::elu, x, {.a = alpha});
}
Tensor selu(const Tensor& x) {
  return unary(UnaryOp::selu, x);
}
Tensor gelu(const Tensor& x, bool approximate) {
  return unary(approximate ? UnaryOp::gelu_approximate : UnaryOp::gelu, x);
}
Tensor silu(const Tensor& x) {
  return unary(UnaryOp::silu, x);
}
Tensor hard_sigmoid(const Tensor& x) {
  return unary(UnaryOp::hard_sigmoid, x);
}
Tensor hard_silu(const Tensor& x) {
  return unary(UnaryOp::hard_silu, x);
}
Tensor log_sigmoid(const Tensor& x) {
  return negative(softplus(negative(x)));
}

namespace {

// The 4-D input of depth_to_space / space_to_depth, with its dims as (N, H, W, C).
struct Pixels {
  int64_t n, h, w, c;
  bool last;
};
Pixels pixels_of(const Tensor& x, int64_t block, const std::string& data_format, const char* op) {
  KERAS_CHECK(x.rank() == 4, ValueError, op, ": expected a 4-D input, got shape ",
              shape_str(x.shape()));
  KERAS_CHECK(block >= 1, ValueError, op, ": block_size must be >= 1, got ", block);
  const Shape& s = x.shape();
  const bool last = !internal::channels_first(data_format, op);
  return last ? Pixels{s[0], s[1], s[2], s[3], true} : Pixels{s[0], s[2], s[3], s[1], false};
}

}  // namespace

Tensor depth_to_space(const Tensor& x, int64_t b, const std::string& data_format) {
  const Pixels p = pixels_of(x, b, data_format, "depth_to_space");
  KERAS_CHECK(p.c % (b * b) == 0, ValueError, "depth_to_space: the channels (", p.c,
              ") must be a multiple of block_size^2 = ", b * b);
  const int64_t c = p.c / (b * b);
  if (p.last) {  // (N, H, W, b, b, c) -> (N, H, b, W, b, c)
    return reshape(transpose(reshape(x, {p.n, p.h, p.w, b, b, c}), {0, 1, 3, 2, 4, 5}),
                   {p.n, p.h * b, p.w * b, c});
  }
  // (N, c, b, b, H, W) -> (N, c, H, b, W, b)
  return reshape(transpose(reshape(x, {p.n, c, b, b, p.h, p.w}), {0, 1, 4, 2, 5, 3}),
                 {p.n, c, p.h * b, p.w * b});
}

Tensor space_to_depth(const Tensor& x, int64_t b, const std::string& data_format) {
  const Pixels p = pixels_of(x, b, data_format, "space_to_depth");
  KERAS_CHECK(p.h % b == 0 && p.w % b == 0, ValueError, "space_to_depth: height and width (", p.h,
              ", ", p.w, ") must be multiples of block_size ", b);
  const int64_t h = p.h / b, w = p.w / b;
  if (p.last) {  // (N, h, b, w, b, C) -> (N, h, w, b, b, C)
    return reshape(transpose(reshape(x, {p.n, h, b, w, b, p.c}), {0, 1, 3, 2, 4, 5}),
                   {p.n, h, w, p.c * b * b});
  }
  // (N, C, h, b, w, b) -> (N, C, b, b, h, w)
  return reshape(transpose(reshape(x, {p.n, p.c, h, b, w, b}), {0, 1, 3, 5, 2, 4}),
                 {p.n, p.c * b * b, h, w});
}

Tensor multi_hot(const Tensor& x, int64_t num_classes, int axis, DType dtype) {
  KERAS_CHECK(num_classes >= 1, ValueError, "multi_hot: num_classes must be >= 1, got ",
              num_classes);
  const Tensor ids = cast(x, int32);
  // Ids outside [0, num_classes) set nothing, as in JAX's one_hot.
  const Tensor valid = logical_and(greater_equal(ids, scalar_like(0, ids)),
                                   less(ids, scalar_like(static_cast<double>(num_classes), ids)));
  Tensor hot = one_hot(where(valid, ids, zeros_like(ids)), num_classes, dtype);
  hot = multiply(hot, cast(expand_dims(valid, -1), dtype));
  const int rank = hot.rank();
  KERAS_CHECK(axis >= -rank && axis < rank, ValueError, "multi_hot: axis ", axis,
              " is out of bounds for the one-hot encoding of rank ", rank);
  hot = moveaxis(hot, {rank - 1}, {axis < 0 ? axis + rank : axis});
  return max(hot, {x.rank() > 1 ? 1 : 0});
}

Tensor normalize(const Tensor& x_in, int axis, int order, double epsilon) {
  KERAS_CHECK(order >= 1, ValueError,
              "Argument `order` must be an int >= 1. Received: order=", order);
  const Tensor x = x_in.rank() == 0 ? expand_dims(x_in, 0) : x_in;
  if (order == 2) {
    const Tensor inv_norm = reciprocal(sqrt(sum(square(x), {axis}, true)));
    return multiply(x, minimum(inv_norm, 1.0 / epsilon));
  }
  const Tensor a = abs(x);
  const Tensor norm =
      order == 1 ? sum(a, {axis}, true) : power(sum(power(a, order), {axis}, true), 1.0 / order);
  return divide(x, maximum(norm, epsilon));
}

namespace {

// `v` (of the normalized axes' shape) shaped to broadcast against x: 1 outside `axes`.
Tensor along_axes(const Tensor& v, const Tensor& x, const std::vector<int>& axes) {
  if (!v.defined() || v.rank() == x.rank()) return v;
  Shape shape(static_cast<size_t>(x.rank()), 1);
  for (int a : axes) shape[static_cast<size_t>(a)] = x.shape()[static_cast<size_t>(a)];
  return reshape(cast(v, x.dtype()), shape);
}

std::vector<int> sorted_axes(std::vector<int> axes, int rank) {
  for (int& a : axes) a = normalize_axis(a, rank);
  std::sort(axes.begin(), axes.end());
  return axes;
}

}  // namespace

Tensor layer_normalization(const Tensor& x_in,
                           const Tensor& gamma_in,
                           const Tensor& beta_in,
                           std::vector<int> axes_in,
                           double epsilon,
                           bool rms_scaling) {
  const Tensor x = floating(x_in);
  const std::vector<int> axes = sorted_axes(std::move(axes_in), x.rank());
  const Tensor gamma = along_axes(gamma_in, x, axes), beta = along_axes(beta_in, x, axes);
  const Tensor var = ops::var(x, axes, true);
  Tensor inv = rsqrt(add(var, epsilon));
  // Keras casts the result back to x's dtype (integers too).
  if (rms_scaling) {
    const Tensor y = multiply(x, inv);
    return cast(gamma.defined() ? multiply(y, gamma) : y, x_in.dtype());
  }
  if (gamma.defined()) inv = multiply(inv, gamma);
  Tensor res = negative(multiply(mean(x, axes, true), inv));
  if (beta.defined()) res = add(res, beta);
  return cast(add(multiply(x, inv), res), x_in.dtype());
}

Tensor rms_normalization(const Tensor& x_in,
                         const Tensor& scale,
                         std::vector<int> axes_in,
                         double epsilon) {
  const Tensor x = floating(x_in.rank() == 0 ? expand_dims(x_in, 0) : x_in);
  const std::vector<int> axes = sorted_axes(std::move(axes_in), x.rank());
  const Tensor y = multiply(x, rsqrt(add(mean(square(x), axes, true), epsilon)));
  return cast(scale.defined() ? multiply(y, cast(scale, y.dtype())) : y, x_in.dtype());
}

namespace {

// Moves `axis` last, applies f on the last axis, and moves it back.
template <class F>
Tensor on_axis(const Tensor& x, int axis, F&& f) {
  axis = normalize_axis(axis, x.rank());
  if (axis == x.rank() - 1) return f(x);
  std::vector<int> perm;
  for (int d = 0; d < x.rank(); ++d) {
    if (d != axis) perm.push_back(d);
  }
  perm.push_back(axis);
  std::vector<int> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int>(i);
  return transpose(f(transpose(x, perm)), inverse);
}

}  // namespace

namespace {

// softmax and log_softmax share their structure: a fused kernel on the last axis and a backward
// kernel that needs only the output.
using RowKernel = void (backend::Backend::*)(const Tensor&, const Tensor&);
using RowBackward = void (backend::Backend::*)(const Tensor&, const Tensor&, const Tensor&);

Tensor last_axis_op(
    const char* name, const Tensor& x_in, int axis, RowKernel forward, RowBackward backward) {
  const Tensor x = floating(x_in);
  KERAS_CHECK(x.rank() >= 1, ValueError, name, ": expected a tensor of rank >= 1");
  return on_axis(x, axis, [name, forward, backward](const Tensor& v) {
    Tensor y = empty_like(v);
    backend::Backend& be = backend::backend_for(v);
    launch([&be, forward, v, y] { (be.*forward)(v, y); });
    autodiff::record(name, {v}, y, [&be, backward, y](const Tensor& dy) {
      Tensor dx = empty_like(y);
      launch([&be, backward, y, dy, dx] { (be.*backward)(y, dy, dx); });
      return Grads{dx};
    });
    return y;
  });
}

}  // namespace

Tensor softmax(const Tensor& x, int axis) {
  return last_axis_op("softmax", x, axis, &backend::Backend::softmax,
                      &backend::Backend::softmax_backward);
}

Tensor log_softmax(const Tensor& x, int axis) {
  return last_axis_op("log_softmax", x, axis, &backend::Backend::log_softmax,
                      &backend::Backend::log_softmax_backward);
}

Moments moments(const Tensor& x, std::vector<int> axes, bool keepdims) {
  const Tensor mean = ops::mean(x, axes, /*keepdims=*/true);
  const Tensor variance = ops::mean(square(subtract(x, mean)), axes, keepdims);
  return {keepdims ? mean : reshape(mean, variance.shape()), variance};
}

namespace {

// Checks x and batch normalization's per-channel arguments; returns the normalized axis.
int check_batch_normalization(const char* op,
                              const Tensor& x,
                              int axis,
                              std::initializer_list<std::pair<const char*, Tensor>> vectors) {
  axis = normalize_axis(axis, x.rank());
  const int64_t features = x.shape()[static_cast<size_t>(axis)];
  for (const auto& [what, t] : vectors) {
    if (!t.defined()) continue;
    KERAS_CHECK(t.rank() == 1 && t.shape()[0] == features, ValueError, op, ": `", what,
                "` must have shape (", features, ",) to match axis ", axis, " of x ",
                shape_str(x.shape()), ", got ", shape_str(t.shape()));
  }
  return axis;
}

// Type promotion as Keras's: the computation runs in x's dtype when it is floating, else in
// float32, and every argument is cast to it. Returns whether any needed a cast.
bool promote(std::initializer_list<Tensor*> tensors) {
  const DType x_dtype = (*tensors.begin())->dtype();
  const DType dtype = is_floating(x_dtype) ? x_dtype : float32;
  bool cast_any = false;
  for (Tensor* t : tensors) {
    if (!t->defined() || t->dtype() == dtype) continue;
    *t = cast(*t, dtype);
    cast_any = true;
  }
  return cast_any;
}

Tensor channel_vector(const Tensor& x, int axis) {
  return Tensor::empty({x.shape()[static_cast<size_t>(axis)]}, x.dtype(), x.device());
}

}  // namespace

Tensor batch_normalization(const Tensor& x,
                           const Tensor& mean,
                           const Tensor& variance,
                           int axis,
                           const Tensor& offset,
                           const Tensor& scale,
                           double epsilon) {
  KERAS_CHECK(mean.defined(), ValueError, "batch_normalization: `mean` is required");
  KERAS_CHECK(variance.defined(), ValueError, "batch_normalization: `variance` is required");
  {
    Tensor cx = x, cm = mean, cv = variance, co = offset, cs = scale;
    if (promote({&cx, &cm, &cv, &co, &cs})) {
      return batch_normalization(cx, cm, cv, axis, co, cs, epsilon);
    }
  }
  const backend::BatchNormParams p{
      .axis = check_batch_normalization(
          "batch_normalization", x, axis,
          {{"mean", mean}, {"variance", variance}, {"offset", offset}, {"scale", scale}}),
      .epsilon = epsilon,
      .training = false};
  Tensor y = empty_like(x);
  backend::Backend& be =
      backend::backend_for("batch_normalization", {x, scale, offset, mean, variance});
  launch([&be, x, scale, offset, mean, variance, y, p] {
    be.batch_norm(x, scale, offset, mean, variance, y, p);
  });
  const Tensors inputs = {x, mean, variance, offset, scale};
  if (!autodiff::any_tracked(inputs)) return y;
  const bool need_dx = autodiff::is_tracked(x);
  const bool need_statistics = autodiff::any_tracked({mean, variance});
  // The statistics' gradients are made from the parameters'; a frozen layer needs only dx.
  const bool need_sums = need_statistics || autodiff::any_tracked({offset, scale});
  autodiff::record("batch_normalization", inputs, y, [=, &be](const Tensor& dy) {
    const Tensor dx = need_dx ? empty_like(x) : Tensor();
    const Tensor dscale = need_sums ? channel_vector(x, p.axis) : Tensor();
    const Tensor doffset = need_sums ? channel_vector(x, p.axis) : Tensor();
    launch([&be, x, dy, scale, mean, variance, dx, dscale, doffset, p] {
      be.batch_norm_backward(x, dy, scale, mean, variance, {}, {}, dx, dscale, doffset, p);
    });
    Tensor dmean, dvariance;
    if (need_statistics) {
      // With inv = 1 / sqrt(variance + epsilon): dy/dmean = -scale * inv and dy/dvariance =
      // -scale * inv^3 (x - mean) / 2 = -scale * inv^2 x_hat / 2 (dscale sums dy * x_hat).
      const Tensor inv = reciprocal(sqrt(add(variance, epsilon)));
      const Tensor factor = scale.defined() ? multiply(inv, scale) : inv;
      dmean = negative(multiply(factor, doffset));
      dvariance = multiply(multiply(multiply(factor, inv), dscale), -0.5);
    }
    return Grads{dx, dmean, dvariance, doffset, dscale};
  });
  return y;
}

FusedBatchNormalization fused_batch_normalization(
    const Tensor& x, int axis, const Tensor& offset, const Tensor& scale, double epsilon) {
  {
    Tensor cx = x, co = offset, cs = scale;
    if (promote({&cx, &co, &cs})) return fused_batch_normalization(cx, axis, co, cs, epsilon);
  }
  const backend::BatchNormParams p{
      .axis = check_batch_normalization("fused_batch_normalization", x, axis,
                                        {{"offset", offset}, {"scale", scale}}),
      .epsilon = epsilon,
      .training = true};
  FusedBatchNormalization r{
      .y = empty_like(x), .mean = channel_vector(x, p.axis), .variance = channel_vector(x, p.axis)};
  backend::Backend& be = backend::backend_for("fused_batch_normalization", {x, scale, offset});
  launch([&be, x, scale, offset, r, p] {
    be.batch_norm(x, scale, offset, r.mean, r.variance, r.y, p);
  });
  const Tensors inputs = {x, offset, scale};
  if (!autodiff::any_tracked(inputs)) return r;
  const bool need_dx = autodiff::is_tracked(x);
  autodiff::record(
      "fused_batch_normalization", inputs, {r.y, r.mean, r.variance},
      [&be, x, scale, mean = r.mean, variance = r.variance, need_dx, p](const Tensors& dys) {
        const Tensor dx = need_dx ? empty_like(x) : Tensor();
        const Tensor dscale = channel_vector(x, p.axis), doffset = channel_vector(x, p.axis);
        launch([&be, x, dys, scale, mean, variance, dx, dscale, doffset, p] {
          be.batch_norm_backward(x, dys[0], scale, mean, variance, dys[1], dys[2], dx, dscale,
                                 doffset, p);
        });
        return Grads{dx, doffset, dscale};
      });
  return r;
}

}  // namespace keras::ops

namespace keras::activations {

namespace {

struct NamedActivation {
  std::string_view name;
  Tensor (*fn)(const Tensor&);
};

Tensor identity(const Tensor& x) {
  return x;
}
Tensor softmax_last(const Tensor& x) {
  return ops::softmax(x, -1);
}
Tensor log_softmax_last(const Tensor& x) {
  return ops::log_softmax(x, -1);
}
Tensor gelu_exact(const Tensor& x) {
  return ops::gelu(x, false);
}
Tensor elu_default(const Tensor& x) {
  return ops::elu(x, 1.0);
}
Tensor leaky_relu_default(const Tensor& x) {
  return ops::leaky_relu(x, 0.2);
}
Tensor celu_default(const Tensor& x) {
  return ops::celu(x);
}
Tensor squareplus_default(const Tensor& x) {
  return ops::squareplus(x);
}
Tensor soft_shrink_default(const Tensor& x) {
  return ops::soft_shrink(x);
}
Tensor hard_shrink_default(const Tensor& x) {
  return ops::hard_shrink(x);
}
Tensor glu_last(const Tensor& x) {
  return ops::glu(x, -1);
}
Tensor sparsemax_last(const Tensor& x) {
  return ops::sparsemax(x, -1);
}

// Keras 2's (tf_keras's) hard_sigmoid, clip(0.2 x + 0.5, 0, 1), which Keras 3 redefined as
// clip(x / 6 + 0.5, 0, 1): what "hard_sigmoid" means in files Keras 2 wrote (saving reads them so).
Tensor keras2_hard_sigmoid(const Tensor& x) {
  return ops::hard_sigmoid(ops::multiply(x, 1.2));
}

constexpr NamedActivation kActivations[] = {
    {"linear", identity},
    {"relu", ops::relu},
    {"relu6", ops::relu6},
    {"leaky_relu", leaky_relu_default},
    {"sigmoid", ops::sigmoid},
    {"tanh", ops::tanh},
    {"softmax", softmax_last},
    {"log_softmax", log_softmax_last},
    {"elu", elu_default},
    {"selu", ops::selu},
    {"softplus", ops::softplus},
    {"softsign", ops::softsign},
    {"swish", ops::silu},
    {"silu", ops::silu},
    {"gelu", gelu_exact},
    {"hard_sigmoid", ops::hard_sigmoid},
    {"keras2_hard_sigmoid", keras2_hard_sigmoid},
    {"hard_silu", ops::hard_silu},
    {"hard_swish", ops::hard_silu},
    {"exponential", ops::exp},
    {"mish", ops::mish},
    {"celu", celu_default},
    {"squareplus", squareplus_default},
    {"sparse_plus", ops::sparse_plus},
    {"sparse_sigmoid", ops::sparse_sigmoid},
    {"tanh_shrink", ops::tanh_shrink},
    {"soft_shrink", soft_shrink_default},
    {"hard_shrink", hard_shrink_default},
    {"hard_tanh", ops::hard_tanh},
    {"log_sigmoid", ops::log_sigmoid},
    {"glu", glu_last},
    {"sparsemax", sparsemax_last},
};

}  // namespace

Activation get(std::string_view name) {
  if (name.empty()) return identity;
  for (const NamedActivation& a : kActivations) {
    if (a.name == name) return a.fn;
  }
  KERAS_CHECK(name != "threshold", ValueError,
              "The activation 'threshold' needs its arguments `threshold` and `default_value`: "
              "use keras::ops::threshold(x, threshold, default_value) in a C++ function");
  throw ValueError(str("Could not interpret activation function identifier: ", excerpt(name)));
}

void validate(std::string_view name) {
  (void)get(name);
}

}  // namespace keras::activations
