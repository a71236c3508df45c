#include "keras/ops/nn.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/activations.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/data_format.h"
#include "ops/floating.h"
#include "ops/sparse_labels.h"

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

namespace keras::ops {
namespace {

constexpr double kEpsilon = 1e-7;  // keras.config.epsilon()

void check_same_shape(const Tensor& target, const Tensor& output) {
  KERAS_CHECK(target.shape() == output.shape(), ValueError,
              "Arguments `target` and `output` must have the same shape. Received: target.shape=",
              shape_str(target.shape()), ", output.shape=", shape_str(output.shape()));
}

// Log-probabilities along `axis`: log_softmax of logits, or the renormalized, clipped
// probabilities' log.
Tensor log_probabilities(const Tensor& output, bool from_logits, int axis) {
  if (from_logits) return log_softmax(output, axis);
  const Tensor p = divide(output, sum(output, {axis}, true));
  return log(clip(p, kEpsilon, 1.0 - kEpsilon));
}

// one_hot with the classes' axis at `axis` (normalized) instead of last.
Tensor one_hot_at(const Tensor& labels, int64_t classes, int axis, DType dtype) {
  const Tensor oh = one_hot(labels, classes, dtype);
  const int rank = oh.rank();
  if (axis == rank - 1) return oh;
  return moveaxis(oh, {rank - 1}, {axis});
}

// Both operands in the output's floating dtype (float32 for integers).
Tensor as_output_float(const Tensor& t, const Tensor& output) {
  const DType dtype = is_floating(output.dtype()) ? output.dtype() : float32;
  return t.dtype() == dtype ? t : cast(t, dtype);
}

// Each of 1 or 2 values for two axes.
std::array<int64_t, 2> pair_of(const std::vector<int64_t>& v, const char* what, int64_t lowest) {
  KERAS_CHECK(v.size() == 1 || v.size() == 2, ValueError, what, " needs 1 or 2 values, got ",
              v.size());
  const std::array<int64_t, 2> out{v[0], v.size() == 2 ? v[1] : v[0]};
  for (int64_t x : out) {
    KERAS_CHECK(x >= lowest && x <= (int64_t{1} << 20), ValueError, what, " must be in [", lowest,
                ", 2^20], got ", x);
  }
  return out;
}

struct Blocks {
  std::array<int64_t, 2> k, d, p, s, n;  // kernel, dilation, padding, stride, block counts
};
Blocks blocks_of(int64_t h,
                 int64_t w,
                 const std::vector<int64_t>& kernel_size,
                 const UnfoldOptions& o,
                 const char* op) {
  Blocks b{pair_of(kernel_size, "kernel_size", 1),
           pair_of(o.dilation, "dilation", 1),
           pair_of(o.padding, "padding", 0),
           pair_of(o.stride, "stride", 1),
           {}};
  const std::array<int64_t, 2> in{h, w};
  for (size_t a = 0; a < 2; ++a) {
    b.n[a] = (in[a] + 2 * b.p[a] - b.d[a] * (b.k[a] - 1) - 1) / b.s[a] + 1;
    KERAS_CHECK(in[a] + 2 * b.p[a] - b.d[a] * (b.k[a] - 1) - 1 >= 0, ValueError, op,
                ": the kernel (", b.k[a], ", dilation ", b.d[a], ") does not fit a side of ", in[a],
                " padded by ", b.p[a]);
  }
  return b;
}

Tensor positions(int64_t count, int64_t offset, int64_t step, Device device) {
  std::vector<int64_t> idx(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) idx[static_cast<size_t>(i)] = offset + i * step;
  return Tensor::from_vector(idx, {count}, device);
}

// Adaptive pooling one spatial axis at a time: pooling a box equals pooling its rows, then the
// rows' results (a max of maxima; a mean of equal-sized means).
Tensor adaptive_pool(const Tensor& x_in,
                     const std::vector<int64_t>& output_size,
                     const std::string& data_format,
                     bool max_pool) {
  const char* what = max_pool ? "adaptive_max_pool" : "adaptive_average_pool";
  KERAS_CHECK(data_format == "channels_first" || data_format == "channels_last", ValueError, what,
              ": Invalid data_format: ", data_format,
              ". Expected 'channels_first' or 'channels_last'.");
  const int rank = x_in.rank() - 2;
  KERAS_CHECK(rank >= 1 && rank <= 3, ValueError, what,
              ": expected (batch, spatial..., channels) with 1 to 3 spatial axes, got shape ",
              shape_str(x_in.shape()));
  KERAS_CHECK(output_size.size() == 1 || static_cast<int>(output_size.size()) == rank, ValueError,
              what, ": `output_size` must be an integer or a tuple of ", rank,
              " integers. Received: ", shape_str(output_size));
  const int first = data_format == "channels_first" ? 2 : 1;
  Tensor x = x_in;
  for (int i = 0; i < rank; ++i) {
    const int axis = first + i;
    const int64_t length = x.dim(axis);
    const int64_t n = output_size[output_size.size() == 1 ? 0 : static_cast<size_t>(i)];
    KERAS_CHECK(n >= 1 && n <= (int64_t{1} << 20), ValueError, what,
                ": `output_size` must be positive. Received: ", shape_str(output_size));
    KERAS_CHECK(length > 0, ValueError, what,
                ": an input with an empty spatial dimension: ", shape_str(x_in.shape()));
    if (length == n) continue;
    Tensors parts;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t start = k * length / n, end = ((k + 1) * length + n - 1) / n;
      const Tensor window = slice_axis(x, axis, start, end - start);
      parts.push_back(max_pool ? max(window, {axis}, true) : mean(window, {axis}, true));
    }
    x = concatenate(parts, axis);
  }
  return x;
}

}  // namespace

Tensor adaptive_average_pool(const Tensor& x,
                             const std::vector<int64_t>& output_size,
                             const std::string& data_format) {
  return adaptive_pool(x, output_size, data_format, false);
}
Tensor adaptive_max_pool(const Tensor& x,
                         const std::vector<int64_t>& output_size,
                         const std::string& data_format) {
  return adaptive_pool(x, output_size, data_format, true);
}

Tensor binary_crossentropy(const Tensor& target_in, const Tensor& output, bool from_logits) {
  const Tensor target = as_output_float(target_in, output);
  check_same_shape(target, output);
  if (from_logits) {
    return negative(add(multiply(target, log_sigmoid(output)),
                        multiply(subtract(1.0, target), log_sigmoid(negative(output)))));
  }
  const Tensor p = clip(output, kEpsilon, 1.0 - kEpsilon);
  return negative(
      add(multiply(target, log(p)), multiply(subtract(1.0, target), log(subtract(1.0, p)))));
}

Tensor categorical_crossentropy(const Tensor& target_in,
                                const Tensor& output,
                                bool from_logits,
                                int axis) {
  const Tensor target = as_output_float(target_in, output);
  check_same_shape(target, output);
  KERAS_CHECK(output.rank() >= 1, ValueError,
              "Arguments `target` and `output` must be at least rank 1. Received: target.shape=",
              shape_str(target.shape()), ", output.shape=", shape_str(output.shape()));
  return negative(sum(multiply(target, log_probabilities(output, from_logits, axis)), {axis}));
}

Tensor sparse_labels(const Tensor& target, const Tensor& output, int class_axis) {
  KERAS_CHECK(output.rank() >= 1, ValueError,
              "Argument `output` must be at least rank 1. Received: output.shape=",
              shape_str(output.shape()));
  Tensor labels = target;
  if (labels.rank() == output.rank() && labels.shape()[class_axis] == 1) {
    labels = squeeze(labels, class_axis);
  }
  Shape res_shape = output.shape();
  res_shape.erase(res_shape.begin() + class_axis);
  KERAS_CHECK(labels.shape() == res_shape, ValueError,
              "Arguments `target` and `output` must have the same shape up until the last "
              "dimension: target.shape=",
              shape_str(labels.shape()), ", output.shape=", shape_str(output.shape()));
  return labels;
}

Tensor sparse_categorical_crossentropy(const Tensor& target,
                                       const Tensor& output,
                                       bool from_logits,
                                       int axis) {
  KERAS_CHECK(output.rank() >= 1, ValueError,
              "Argument `output` must be at least rank 1. Received: output.shape=",
              shape_str(output.shape()));
  const int class_axis = normalize_axis(axis, output.rank());
  Tensor labels = sparse_labels(target, output, class_axis);
  if (labels.dtype() != int32) labels = cast(labels, int32);
  const Tensor probabilities = as_output_float(output, output);
  const Tensor one_hot_target =
      one_hot_at(labels, output.shape()[class_axis], class_axis, probabilities.dtype());
  return categorical_crossentropy(one_hot_target, probabilities, from_logits, class_axis);
}

Tensor psnr(const Tensor& x1, const Tensor& x2, double max_val) {
  KERAS_CHECK(x1.shape() == x2.shape(), ValueError, "Input shapes ", shape_str(x1.shape()), " and ",
              shape_str(x2.shape()), " must match for PSNR calculation. ");
  const Tensor mse = mean(square(subtract(x1, x2)));
  return subtract(scalar_like(20.0 * std::log10(max_val), mse), multiply(log10(mse), 10.0));
}

Tensor unfold(const Tensor& x, const std::vector<int64_t>& kernel_size, const UnfoldOptions& o) {
  KERAS_CHECK(x.rank() == 4, ValueError,
              "unfold: expected a 4-D input (N, C, H, W), received shape ", shape_str(x.shape()));
  const Blocks b = blocks_of(x.shape()[2], x.shape()[3], kernel_size, o, "unfold");
  const Tensor padded = pad(x, {{0, 0}, {0, 0}, {b.p[0], b.p[0]}, {b.p[1], b.p[1]}});
  Tensors columns;  // (N, C, 1, nh, nw) per kernel position
  for (int64_t i = 0; i < b.k[0]; ++i) {
    const Tensor rows = take(padded, positions(b.n[0], i * b.d[0], b.s[0], x.device()), 2);
    for (int64_t j = 0; j < b.k[1]; ++j) {
      columns.push_back(
          expand_dims(take(rows, positions(b.n[1], j * b.d[1], b.s[1], x.device()), 3), 2));
    }
  }
  const int64_t n = x.shape()[0], c = x.shape()[1];
  return reshape(concatenate(columns, 2), {n, c * b.k[0] * b.k[1], b.n[0] * b.n[1]});
}

Tensor fold(const Tensor& x,
            const std::vector<int64_t>& output_size,
            const std::vector<int64_t>& kernel_size,
            const UnfoldOptions& o) {
  KERAS_CHECK(x.rank() == 3, ValueError,
              "fold: expected a 3-D input (N, C * kh * kw, L), received shape ",
              shape_str(x.shape()));
  const std::array<int64_t, 2> size = pair_of(output_size, "output_size", 1);
  const Blocks b = blocks_of(size[0], size[1], kernel_size, o, "fold");
  const int64_t kk = b.k[0] * b.k[1], n = x.shape()[0];
  KERAS_CHECK(x.shape()[1] % kk == 0 && x.shape()[2] == b.n[0] * b.n[1], ValueError,
              "fold: an input of shape ", shape_str(x.shape()), " does not hold (C * ", kk, ", ",
              b.n[0] * b.n[1], ") blocks for output_size (", size[0], ", ", size[1], ")");
  const int64_t c = x.shape()[1] / kk;
  const int64_t hp = size[0] + 2 * b.p[0], wp = size[1] + 2 * b.p[1];
  const Tensor blocks = reshape(x, {n, c, kk, b.n[0], b.n[1]});
  // Each kernel position's blocks spread out by the stride (zeros between) and placed at its
  // offset in the padded output, then all summed.
  Tensor sum_ = zeros({n, c, hp, wp}, x.dtype(), x.device());
  for (int64_t i = 0; i < b.k[0]; ++i) {
    for (int64_t j = 0; j < b.k[1]; ++j) {
      Tensor part = squeeze(slice_axis(blocks, 2, i * b.k[1] + j, 1), 2);
      part = reshape(pad(reshape(part, {n, c, b.n[0], 1, b.n[1], 1}),
                         {{0, 0}, {0, 0}, {0, 0}, {0, b.s[0] - 1}, {0, 0}, {0, b.s[1] - 1}}),
                     {n, c, b.n[0] * b.s[0], b.n[1] * b.s[1]});
      const int64_t top = i * b.d[0], left = j * b.d[1];
      part = pad(part, {{0, 0},
                        {0, 0},
                        {top, std::max<int64_t>(hp - top - b.n[0] * b.s[0], 0)},
                        {left, std::max<int64_t>(wp - left - b.n[1] * b.s[1], 0)}});
      sum_ = add(sum_, slice(part, {0, 0, 0, 0}, {n, c, hp, wp}));
    }
  }
  return slice(sum_, {0, 0, b.p[0], b.p[1]}, {n, c, size[0], size[1]});
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
