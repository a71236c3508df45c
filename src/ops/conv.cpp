#include "keras/ops/conv.h"

#include <algorithm>

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/shape.h"
#include "ops/conv_bias.h"
#include "ops/data_format.h"

namespace keras::ops {

using autodiff::Grads;
using autodiff::launch;

namespace {

int64_t dilated(int64_t kernel, int64_t dilation) {
  return checked_add(checked_mul(kernel - 1, dilation, "dilated kernel"), 1, "dilated kernel");
}

void check_padding(std::string_view padding, bool allow_causal, const char* op) {
  KERAS_CHECK(padding == "valid" || padding == "same" || (allow_causal && padding == "causal"),
              ValueError, op, ": invalid padding '", padding, "'; expected 'valid', 'same'",
              allow_causal ? " or 'causal'" : "");
}

using internal::channels_first;

// (N, C, S...) <-> (N, S..., C).
Tensor to_channels_last(const Tensor& x) {
  std::vector<int> perm{0};
  for (int d = 2; d < x.rank(); ++d) perm.push_back(d);
  perm.push_back(1);
  return transpose(x, perm);
}
Tensor to_channels_first(const Tensor& x) {
  std::vector<int> perm{0, x.rank() - 1};
  for (int d = 1; d < x.rank() - 1; ++d) perm.push_back(d);
  return transpose(x, perm);
}

void check_floating(const Tensor& x, const Tensor& kernel, const char* op) {
  KERAS_CHECK(is_floating(x.dtype()) && x.dtype() == kernel.dtype(), TypeError, op,
              ": expected floating inputs and kernel of one dtype, got ", x.dtype(), " and ",
              kernel.dtype());
}

[[noreturn]] void negative_output(const Shape& x, const Shape& kernel, const Shape& dilation) {
  throw ValueError(
      str("Computed output size would be negative. Received `inputs shape=", shape_str(x),
          "`, `kernel shape=", shape_str(kernel), "`, `dilation_rate=", shape_str(dilation), "`."));
}

// The channels_last convolution kernel call and its gradient.
Tensor conv_channels_last(const Tensor& x,
                          const Tensor& w,
                          const Shape& out,
                          backend::ConvParams p) {
  Tensor y = Tensor::empty(out, x.dtype(), x.device());
  backend::Backend& be = backend::backend_for("conv", {x, w});
  launch([&be, x, w, y, p] { be.conv(x, w, y, p); });
  if (!autodiff::any_tracked({x, w})) return y;
  const bool need_x = autodiff::is_tracked(x), need_w = autodiff::is_tracked(w);
  autodiff::record("conv", {x, w}, y, [&be, x, w, p, need_x, need_w](const Tensor& dy) {
    const Tensor dx = need_x ? empty_like(x) : Tensor(), dw = need_w ? empty_like(w) : Tensor();
    launch([&be, x, w, dy, dx, dw, p] { be.conv_backward(x, w, dy, dx, dw, p); });
    return Grads{dx, dw};
  });
  return y;
}

}  // namespace

int64_t conv_output_length(
    int64_t input, int64_t kernel, std::string_view padding, int64_t stride, int64_t dilation) {
  if (input == kNone) return kNone;
  if (padding == "valid") {
    const int64_t span = input - dilated(kernel, dilation);
    return span / stride - (span % stride < 0 ? 1 : 0) + 1;  // floor division
  }
  return (input - 1) / stride + 1;
}

int64_t conv_padding_before(
    int64_t input, int64_t kernel, std::string_view padding, int64_t stride, int64_t dilation) {
  const int64_t k = dilated(kernel, dilation);
  if (padding == "causal") return k - 1;
  if (padding != "same") return 0;
  const int64_t out = conv_output_length(input, kernel, padding, stride, dilation);
  const char* what = "convolution padding";
  return std::max<int64_t>(checked_add(checked_mul(out - 1, stride, what), k - input, what), 0) / 2;
}

int64_t conv_transpose_output_length(int64_t input,
                                     int64_t kernel,
                                     std::string_view padding,
                                     std::optional<int64_t> output_padding,
                                     int64_t stride,
                                     int64_t dilation) {
  if (input == kNone) return kNone;
  const int64_t k = dilated(kernel, dilation);
  const char* what = "transposed convolution output";
  if (!output_padding) {
    const int64_t scaled = checked_mul(input, stride, what);
    return padding == "valid" ? checked_add(scaled, std::max<int64_t>(k - stride, 0), what)
                              : scaled;
  }
  const int64_t pad = padding == "same" ? k / 2 : 0;
  return checked_add(checked_add(checked_mul(input - 1, stride, what), k - 2 * pad, what),
                     *output_padding, what);
}

std::vector<int64_t> expand_spatial(const std::vector<int64_t>& values,
                                    int rank,
                                    const char* what,
                                    int64_t min_value) {
  KERAS_CHECK(values.size() == 1 || static_cast<int>(values.size()) == rank, ValueError, "The `",
              what, "` argument must be a tuple of ", rank,
              " integers. Received: ", shape_str(values));
  for (int64_t v : values) {
    KERAS_CHECK(v >= min_value, ValueError, "The `", what,
                "` argument must be a tuple of integers >= ", min_value,
                ". Received: ", shape_str(values));
  }
  return values.size() == 1 ? std::vector<int64_t>(rank, values[0]) : values;
}

namespace {

// conv()'s checks and geometry: the channels_last input, the kernel's parameters and the
// channels_last output shape.
struct ConvSetup {
  bool cf = false;
  Tensor x;
  backend::ConvParams p;
  Shape out;
};

ConvSetup conv_setup(const Tensor& inputs, const Tensor& kernel, const ConvOptions& o) {
  ConvSetup s;
  s.cf = channels_first(o.data_format, "conv");
  check_padding(o.padding, true, "conv");
  check_floating(inputs, kernel, "conv");
  const int r = inputs.rank() - 2;
  KERAS_CHECK(r >= 1 && r <= 3 && kernel.rank() == r + 2, ValueError,
              "conv: expected inputs of rank 3 to 5 and a kernel of the same rank, got inputs ",
              shape_str(inputs.shape()), " and kernel ", shape_str(kernel.shape()));
  KERAS_CHECK(o.padding != "causal" || r == 1, ValueError,
              "conv: causal padding is only supported for 1-D convolutions");
  s.x = s.cf ? to_channels_last(inputs) : inputs;
  const int64_t c = s.x.shape().back(), cg = kernel.dim(-2), f = kernel.dim(-1);
  KERAS_CHECK(cg > 0 && c % cg == 0 && f % (c / cg) == 0, ValueError, "conv: the input channels (",
              c, ") must be a multiple of the kernel's input channels (", cg,
              "), and the filters (", f, ") a multiple of the groups. Received inputs ",
              shape_str(inputs.shape()), " and kernel ", shape_str(kernel.shape()));
  s.p = {.strides = expand_spatial(o.strides, r, "strides"),
         .dilation_rate = expand_spatial(o.dilation_rate, r, "dilation_rate"),
         .padding = {},
         .groups = c / cg};
  s.out = {s.x.dim(0)};
  for (int i = 0; i < r; ++i) {
    const int64_t in = s.x.dim(1 + i), k = kernel.dim(i);
    const int64_t len = conv_output_length(in, k, o.padding, s.p.strides[i], s.p.dilation_rate[i]);
    if (len <= 0) negative_output(inputs.shape(), kernel.shape(), s.p.dilation_rate);
    s.out.push_back(len);
    s.p.padding.push_back(
        conv_padding_before(in, k, o.padding, s.p.strides[i], s.p.dilation_rate[i]));
  }
  s.out.push_back(f);
  return s;
}

// Whether bias is one value per output channel of the convolution s, in its dtype: what the fused
// ops add inside the convolution's output pass.
bool bias_per_channel(const ConvSetup& s, const Tensor& bias) {
  return bias.dtype() == s.x.dtype() && bias.shape() == Shape{s.out.back()};
}

}  // namespace

Tensor conv(const Tensor& inputs, const Tensor& kernel, const ConvOptions& o) {
  ConvSetup s = conv_setup(inputs, kernel, o);
  const Tensor y = conv_channels_last(s.x, kernel, s.out, std::move(s.p));
  return s.cf ? to_channels_first(y) : y;
}

namespace internal {

Tensor conv_bias(const Tensor& inputs,
                 const Tensor& kernel,
                 const Tensor& bias,
                 const ConvOptions& o,
                 bool relu) {
  ConvSetup s = conv_setup(inputs, kernel, o);
  if (s.cf || !bias_per_channel(s, bias)) {
    const Tensor y = conv_channels_last(s.x, kernel, s.out, std::move(s.p));
    const Tensor biased = add_channel_bias(s.cf ? to_channels_first(y) : y, bias, s.cf);
    return relu ? ops::relu(biased) : biased;
  }
  const Tensor x = s.x;
  Tensor y = Tensor::empty(s.out, x.dtype(), x.device());
  backend::Backend& be = backend::backend_for("conv", {x, kernel, bias});
  launch([&be, x, kernel, bias, y, p = s.p, relu] { be.conv_bias(x, kernel, bias, y, p, relu); });
  if (!autodiff::any_tracked({x, kernel, bias})) return y;
  // The bias's gradient is dy itself: the tape sums it over the leading axes to (F,). relu's
  // gradient is read from its output: y > 0 exactly where its input is (NaN: neither), so
  // unary_backward gives the bits of the separate relu op.
  const bool need_x = autodiff::is_tracked(x), need_w = autodiff::is_tracked(kernel),
             need_b = autodiff::is_tracked(bias);
  autodiff::record(
      relu ? "conv_bias_relu" : "conv_bias", {x, kernel, bias}, y,
      [&be, x, kernel, y, p = std::move(s.p), need_x, need_w, need_b, relu](const Tensor& dy_out) {
        Tensor dy = dy_out;
        if (relu) {
          dy = empty_like(y);
          launch([&be, y, dy_out, dy] {
            be.unary_backward(backend::UnaryOp::relu, y, y, dy_out, dy, {});
          });
        }
        const Tensor dx = need_x ? empty_like(x) : Tensor(),
                     dw = need_w ? empty_like(kernel) : Tensor();
        if (need_x || need_w) {
          launch([&be, x, kernel, dy, dx, dw, p] { be.conv_backward(x, kernel, dy, dx, dw, p); });
        }
        return Grads{dx, dw, need_b ? dy : Tensor()};
      });
  return y;
}

Tensor conv_bias_max_pool(const Tensor& inputs,
                          const Tensor& kernel,
                          const Tensor& bias,
                          const ConvOptions& conv,
                          const std::vector<int64_t>& pool_size,
                          const PoolOptions& pool) {
  auto two = [](const std::vector<int64_t>& v) {
    return (v.size() == 1 || v.size() == 2) &&
           std::all_of(v.begin(), v.end(), [](int64_t n) { return n == 2; });
  };
  const bool fusable = inputs.rank() == 4 && two(pool_size) &&
                       (pool.strides.empty() || two(pool.strides)) && pool.padding == "valid" &&
                       pool.data_format == "channels_last" && conv.data_format == "channels_last";
  if (!fusable) return max_pool(conv_bias(inputs, kernel, bias, conv), pool_size, pool);
  ConvSetup s = conv_setup(inputs, kernel, conv);
  if (!bias_per_channel(s, bias) || s.out[1] < 2 || s.out[2] < 2) {
    return max_pool(conv_bias(inputs, kernel, bias, conv), pool_size, pool);
  }
  const Tensor x = s.x;
  const Tensor y = Tensor::empty(s.out, x.dtype(), x.device());
  const Tensor pooled =
      Tensor::empty({s.out[0], s.out[1] / 2, s.out[2] / 2, s.out[3]}, x.dtype(), x.device());
  const backend::PoolParams pp{.pool_size = {2, 2}, .strides = {2, 2}, .padding = {0, 0}};
  backend::Backend& be = backend::backend_for("conv", {x, kernel, bias});
  const bool tracked = autodiff::any_tracked({x, kernel, bias});
  launch([&be, x, kernel, bias, y, pooled, p = s.p, pp, tracked] {
    be.conv_bias_max_pool(x, kernel, bias, y, pooled, p, pp, tracked);
  });
  if (!tracked) return pooled;
  // The bias's gradient is the pooled gradient summed to (F,): each window's goes to one tap.
  const bool need_x = autodiff::is_tracked(x), need_w = autodiff::is_tracked(kernel),
             need_b = autodiff::is_tracked(bias);
  autodiff::record(
      "conv_bias_max_pool", {x, kernel, bias}, pooled,
      [&be, x, kernel, y, p = std::move(s.p), pp, need_x, need_w, need_b](const Tensor& dp) {
        const Tensor dx = need_x ? empty_like(x) : Tensor(),
                     dw = need_w ? empty_like(kernel) : Tensor();
        if (need_x || need_w) {
          launch([&be, x, kernel, y, dp, dx, dw, p, pp] {
            be.conv_max_pool_backward(x, kernel, y, dp, dx, dw, p, pp);
          });
        }
        return Grads{dx, dw, need_b ? dp : Tensor()};
      });
  return pooled;
}

Tensor add_channel_bias(const Tensor& y, const Tensor& bias, bool channels_first) {
  if (!channels_first) return add(y, bias);
  Shape per_channel(static_cast<size_t>(y.rank() - 1), 1);  // (F, 1, ...)
  per_channel[0] = bias.size();
  return add(y, reshape(bias, per_channel));
}

}  // namespace internal

Tensor depthwise_conv(const Tensor& inputs, const Tensor& kernel, const ConvOptions& o) {
  KERAS_CHECK(kernel.rank() >= 3, ValueError,
              "depthwise_conv: expected a kernel (kernel..., channels, depth_multiplier), got ",
              shape_str(kernel.shape()));
  Shape grouped(kernel.shape().begin(), kernel.shape().end() - 2);
  grouped.push_back(1);
  grouped.push_back(kernel.dim(-2) * kernel.dim(-1));
  const int64_t c = inputs.dim(channels_first(o.data_format, "depthwise_conv") ? 1 : -1);
  KERAS_CHECK(c == kernel.dim(-2), ValueError, "depthwise_conv: inputs ", shape_str(inputs.shape()),
              " have ", c, " channels but the kernel ", shape_str(kernel.shape()), " expects ",
              kernel.dim(-2));
  return conv(inputs, reshape(kernel, grouped), o);
}

Tensor separable_conv(const Tensor& inputs,
                      const Tensor& depthwise_kernel,
                      const Tensor& pointwise_kernel,
                      const ConvOptions& o) {
  const Tensor y = depthwise_conv(inputs, depthwise_kernel, o);
  return conv(y, pointwise_kernel, {.data_format = o.data_format});
}

Tensor conv_transpose(const Tensor& inputs, const Tensor& kernel, const ConvTransposeOptions& o) {
  const bool cf = channels_first(o.data_format, "conv_transpose");
  check_padding(o.padding, false, "conv_transpose");
  check_floating(inputs, kernel, "conv_transpose");
  const int r = inputs.rank() - 2;
  KERAS_CHECK(r >= 1 && r <= 3 && kernel.rank() == r + 2, ValueError,
              "conv_transpose: expected inputs of rank 3 to 5 and a kernel of the same rank, got "
              "inputs ",
              shape_str(inputs.shape()), " and kernel ", shape_str(kernel.shape()));
  const Tensor x = cf ? to_channels_last(inputs) : inputs;
  KERAS_CHECK(x.shape().back() == kernel.dim(-1), ValueError, "conv_transpose: inputs ",
              shape_str(inputs.shape()), " do not match kernel ", shape_str(kernel.shape()),
              " (kernel..., filters, input channels)");
  backend::ConvParams p{.strides = expand_spatial(o.strides, r, "strides"),
                        .dilation_rate = expand_spatial(o.dilation_rate, r, "dilation_rate"),
                        .padding = {},
                        .groups = 1};
  std::optional<std::vector<int64_t>> output_padding;
  if (o.output_padding) output_padding = expand_spatial(*o.output_padding, r, "output_padding", 0);
  Shape out{x.dim(0)};
  for (int i = 0; i < r; ++i) {
    const int64_t s = p.strides[i], k = dilated(kernel.dim(i), p.dilation_rate[i]);
    std::optional<int64_t> op;
    if (output_padding) {
      op = (*output_padding)[i];
      KERAS_CHECK(*op < s, ValueError, "conv_transpose: output_padding ",
                  shape_str(*output_padding), " must be smaller than strides ",
                  shape_str(p.strides));
    }
    const int64_t len = conv_transpose_output_length(x.dim(1 + i), kernel.dim(i), o.padding, op, s,
                                                     p.dilation_rate[i]);
    if (len <= 0) negative_output(inputs.shape(), kernel.shape(), p.dilation_rate);
    out.push_back(len);
    // Keras (jax) pads the stride-dilated input by left_pad; the matching conv pads k - 1 - it.
    int64_t left = k - 1;
    if (o.padding == "same") {
      const int64_t pad_len = op ? k + k % 2 - 2 + *op : s + k - 2;
      left = std::min(pad_len / 2 + pad_len % 2, k - 1);
    }
    p.padding.push_back(k - 1 - left);
  }
  out.push_back(kernel.dim(-2));
  Tensor y = Tensor::empty(out, x.dtype(), x.device());
  backend::Backend& be = backend::backend_for("conv_transpose", {x, kernel});
  launch([&be, x, kernel, y, p] { be.conv_backward_data(x, kernel, y, p); });
  if (autodiff::any_tracked({x, kernel})) {
    const bool need_x = autodiff::is_tracked(x), need_w = autodiff::is_tracked(kernel);
    autodiff::record("conv_transpose", {x, kernel}, y,
                     [&be, x, kernel, p, need_x, need_w](const Tensor& dy) {
                       Tensor dx, dw;
                       if (need_x) {
                         dx = empty_like(x);
                         launch([&be, dy, kernel, dx, p] { be.conv(dy, kernel, dx, p); });
                       }
                       if (need_w) {
                         dw = empty_like(kernel);
                         launch([&be, dy, x, dw, p] { be.conv_backward_weights(dy, x, dw, p); });
                       }
                       return Grads{dx, dw};
                     });
  }
  return cf ? to_channels_first(y) : y;
}

namespace {

enum class PoolKind { max, average };

Tensor pool(PoolKind kind,
            const Tensor& inputs,
            const std::vector<int64_t>& pool_size,
            const PoolOptions& o) {
  const char* op = kind == PoolKind::max ? "max_pool" : "average_pool";
  const bool cf = channels_first(o.data_format, op);
  check_padding(o.padding, false, op);
  KERAS_CHECK(is_floating(inputs.dtype()), TypeError, op, ": expected floating inputs, got ",
              inputs.dtype());
  const int r = inputs.rank() - 2;
  KERAS_CHECK(r >= 1 && r <= 3, ValueError, op, ": expected inputs of rank 3 to 5, got ",
              shape_str(inputs.shape()));
  const Tensor x = cf ? to_channels_last(inputs) : inputs;
  backend::PoolParams p{
      .pool_size = expand_spatial(pool_size, r, "pool_size"), .strides = {}, .padding = {}};
  p.strides = o.strides.empty() ? p.pool_size : expand_spatial(o.strides, r, "strides");
  // The kernels keep a window's offsets (a damaged file's pool_size of 2^40 would not fit).
  double window = 1;
  for (int64_t k : p.pool_size) window *= static_cast<double>(k);
  KERAS_CHECK(window <= static_cast<double>(int64_t{1} << 24), ValueError, op, ": pool_size ",
              shape_str(p.pool_size), " spans more than 2^24 elements");
  Shape out{x.dim(0)};
  for (int i = 0; i < r; ++i) {
    const int64_t in = x.dim(1 + i);
    const int64_t len = conv_output_length(in, p.pool_size[i], o.padding, p.strides[i]);
    KERAS_CHECK(len > 0, ValueError,
                "Computed output size would be negative. Received: `inputs.shape=",
                shape_str(inputs.shape()), "` and `pool_size=", shape_str(p.pool_size), "`.");
    out.push_back(len);
    p.padding.push_back(conv_padding_before(in, p.pool_size[i], o.padding, p.strides[i]));
  }
  out.push_back(x.shape().back());
  Tensor y = Tensor::empty(out, x.dtype(), x.device());
  backend::Backend& be = backend::backend_for(x);
  if (kind == PoolKind::max) {
    launch([&be, x, y, p] { be.max_pool(x, y, p); });
    autodiff::record("max_pool", {x}, y, [&be, x, p](const Tensor& dy) {
      Tensor dx = empty_like(x);
      launch([&be, x, dy, dx, p] { be.max_pool_backward(x, dy, dx, p); });
      return Grads{dx};
    });
  } else {
    launch([&be, x, y, p] { be.avg_pool(x, y, p); });
    autodiff::record("average_pool", {x}, y, [&be, x, p](const Tensor& dy) {
      Tensor dx = empty_like(x);
      launch([&be, dy, dx, p] { be.avg_pool_backward(dy, dx, p); });
      return Grads{dx};
    });
  }
  return cf ? to_channels_first(y) : y;
}

}  // namespace

Tensor max_pool(const Tensor& inputs, const std::vector<int64_t>& pool_size, const PoolOptions& o) {
  return pool(PoolKind::max, inputs, pool_size, o);
}

Tensor average_pool(const Tensor& inputs,
                    const std::vector<int64_t>& pool_size,
                    const PoolOptions& o) {
  return pool(PoolKind::average, inputs, pool_size, o);
}

}  // namespace keras::ops
