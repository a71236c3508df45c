#include "keras/ops/conv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "backend/cpu/few_rows_conv.h"
#include "backend/cpu/vec16.h"
#include "backend/cpu/winograd_conv1d.h"
#include "backend/cpu/winograd_conv2d.h"
#include "goldens/conv_goldens.h"
#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/backend/backend.h"
#include "keras/backend/winograd.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/random.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/conv_bias.h"

namespace keras::ops {
namespace {

using Fn = std::function<Tensor(const Tensors&)>;

Fn conv_fn(ConvOptions o) {
  return [o](const Tensors& x) { return conv(x[0], x[1], o); };
}
Fn transpose_fn(ConvTransposeOptions o) {
  return [o](const Tensors& x) { return conv_transpose(x[0], x[1], o); };
}
Fn max_pool_fn(std::vector<int64_t> size, PoolOptions o) {
  return [size, o](const Tensors& x) { return max_pool(x[0], size, o); };
}
Fn average_pool_fn(std::vector<int64_t> size, PoolOptions o) {
  return [size, o](const Tensors& x) { return average_pool(x[0], size, o); };
}

const test::OpCase kCases[] = {
    {.name = "conv1d_valid",
     .input_shapes = {{2, 7, 3}, {3, 3, 4}},
     .fn = conv_fn({}),
     .expected_shape = Shape{2, 5, 4}},
    {.name = "conv1d_causal_dilation2",
     .input_shapes = {{2, 6, 2}, {2, 2, 3}},
     .fn = conv_fn({.padding = "causal", .dilation_rate = {2}}),
     .expected_shape = Shape{2, 6, 3}},
    {.name = "conv1d_same_stride2",
     .input_shapes = {{1, 8, 3}, {3, 3, 2}},
     .fn = conv_fn({.strides = {2}, .padding = "same"}),
     .expected_shape = Shape{1, 4, 2}},
    // The example: filters 6, kernel (2, 2), strides (2, 1), valid, groups 2.
    {.name = "conv2d_groups2_strides21",
     .input_shapes = {{3, 5, 5, 4}, {2, 2, 2, 6}},
     .fn = conv_fn({.strides = {2, 1}}),
     .expected_shape = Shape{3, 2, 4, 6}},
    {.name = "conv2d_same_stride2",
     .input_shapes = {{1, 6, 5, 3}, {3, 3, 3, 4}},
     .fn = conv_fn({.strides = {2}, .padding = "same"}),
     .expected_shape = Shape{1, 3, 3, 4}},
    {.name = "conv2d_1x1",
     .input_shapes = {{2, 3, 3, 4}, {1, 1, 4, 5}},
     .fn = conv_fn({}),
     .expected_shape = Shape{2, 3, 3, 5}},
    {.name = "conv2d_dilated_same",
     .input_shapes = {{1, 5, 6, 2}, {2, 3, 2, 3}},
     .fn = conv_fn({.padding = "same", .dilation_rate = {2, 1}}),
     .expected_shape = Shape{1, 5, 6, 3}},
    {.name = "conv2d_channels_first",
     .input_shapes = {{1, 3, 5, 4}, {3, 3, 3, 2}},
     .fn = conv_fn({.data_format = "channels_first"}),
     .expected_shape = Shape{1, 2, 3, 2}},
    // The fused convolution and bias Conv layers call (bias gradient summed by the tape).
    {.name = "conv_bias1d_valid",
     .input_shapes = {{2, 7, 3}, {3, 3, 4}, {4}},
     .fn = [](const Tensors& x) { return internal::conv_bias(x[0], x[1], x[2], {}); },
     .expected_shape = Shape{2, 5, 4}},
    {.name = "conv_bias2d_same",
     .input_shapes = {{2, 5, 4, 3}, {3, 3, 3, 4}, {4}},
     .fn =
         [](const Tensors& x) {
           return internal::conv_bias(x[0], x[1], x[2], {.padding = "same"});
         },
     .expected_shape = Shape{2, 5, 4, 4}},
    // With the relu of Conv layers' activation "relu" (in the output pass when untracked).
    {.name = "conv_bias_relu1d_same",
     .input_shapes = {{2, 9, 16}, {5, 16, 16}, {16}},
     .fn =
         [](const Tensors& x) {
           return internal::conv_bias(x[0], x[1], x[2], {.padding = "same"}, true);
         },
     .expected_shape = Shape{2, 9, 16}},
    {.name = "conv_bias_relu2d_valid",
     .input_shapes = {{2, 6, 5, 16}, {3, 3, 16, 16}, {16}},
     .fn = [](const Tensors& x) { return internal::conv_bias(x[0], x[1], x[2], {}, true); },
     .expected_shape = Shape{2, 4, 3, 16}},
    // Conv2D + MaxPooling2D(2) as one op: composed on these channels, and in the Winograd tiles
    // on the CPU with 16 (the last conv row in no window).
    {.name = "conv_bias_max_pool2d",
     .input_shapes = {{2, 7, 6, 3}, {3, 3, 3, 4}, {4}},
     .fn =
         [](const Tensors& x) {
           return internal::conv_bias_max_pool(x[0], x[1], x[2], {}, {2, 2}, {});
         },
     .expected_shape = Shape{2, 2, 2, 4}},
    {.name = "conv_bias_max_pool2d_winograd",
     .input_shapes = {{2, 9, 8, 16}, {3, 3, 16, 16}, {16}},
     .fn =
         [](const Tensors& x) {
           return internal::conv_bias_max_pool(x[0], x[1], x[2], {}, {2}, {});
         },
     .expected_shape = Shape{2, 3, 3, 16}},
    {.name = "conv3d_same",
     .input_shapes = {{1, 3, 4, 3, 2}, {2, 2, 2, 2, 3}},
     .fn = conv_fn({.padding = "same"}),
     .expected_shape = Shape{1, 3, 4, 3, 3}},
    {.name = "depthwise_conv2d",
     .input_shapes = {{1, 5, 4, 3}, {3, 3, 3, 2}},
     .fn = [](const Tensors& x) { return depthwise_conv(x[0], x[1], {.padding = "same"}); },
     .expected_shape = Shape{1, 5, 4, 6}},
    {.name = "separable_conv2d",
     .input_shapes = {{1, 5, 5, 3}, {3, 3, 3, 2}, {1, 1, 6, 4}},
     .fn = [](const Tensors& x) { return separable_conv(x[0], x[1], x[2], {.strides = {2}}); },
     .expected_shape = Shape{1, 2, 2, 4}},
    {.name = "conv2d_transpose_valid_stride2",
     .input_shapes = {{1, 3, 3, 4}, {3, 3, 2, 4}},
     .fn = transpose_fn({.strides = {2}}),
     .expected_shape = Shape{1, 7, 7, 2}},
    {.name = "conv2d_transpose_same_stride2",
     .input_shapes = {{2, 3, 2, 3}, {3, 3, 2, 3}},
     .fn = transpose_fn({.strides = {2}, .padding = "same"}),
     .expected_shape = Shape{2, 6, 4, 2}},
    {.name = "conv2d_transpose_output_padding",
     .input_shapes = {{1, 3, 3, 2}, {3, 3, 2, 2}},
     .fn = transpose_fn({.strides = {2}, .padding = "same", .output_padding = {{1}}}),
     .expected_shape = Shape{1, 6, 6, 2}},
    {.name = "conv1d_transpose_dilated",
     .input_shapes = {{1, 4, 2}, {2, 3, 2}},
     .fn = transpose_fn({.dilation_rate = {2}}),
     .expected_shape = Shape{1, 6, 3}},
    {.name = "max_pool1d",
     .input_shapes = {{2, 11, 3}},
     .fn = max_pool_fn({5}, {}),
     .expected_shape = Shape{2, 2, 3}},
    {.name = "max_pool2d_same_stride1",
     .input_shapes = {{1, 4, 5, 2}},
     .fn = max_pool_fn({3}, {.strides = {1}, .padding = "same"}),
     .expected_shape = Shape{1, 4, 5, 2}},
    {.name = "max_pool2d_channels_first",
     .input_shapes = {{1, 2, 5, 4}},
     .fn = max_pool_fn({2}, {.data_format = "channels_first"}),
     .expected_shape = Shape{1, 2, 2, 2}},
    {.name = "max_pool3d_same",
     .input_shapes = {{1, 3, 3, 4, 2}},
     .fn = max_pool_fn({2}, {.padding = "same"}),
     .expected_shape = Shape{1, 2, 2, 2, 2}},
    {.name = "average_pool1d_strides",
     .input_shapes = {{2, 9, 3}},
     .fn = average_pool_fn({3}, {.strides = {2}}),
     .expected_shape = Shape{2, 4, 3}},
    {.name = "average_pool2d_same",
     .input_shapes = {{1, 5, 5, 2}},
     .fn = average_pool_fn({2}, {.padding = "same"}),
     .expected_shape = Shape{1, 3, 3, 2}},
    {.name = "average_pool3d",
     .input_shapes = {{1, 4, 4, 4, 2}},
     .fn = average_pool_fn({2, 2, 1}, {}),
     .expected_shape = Shape{1, 2, 2, 4, 2}},
};

KERAS_INSTANTIATE_OP_TESTS(Conv, kCases);

Tensor closed_form(const Shape& shape, bool kernel) {
  Tensor t = Tensor::empty(shape, float64);
  double* p = t.data<double>();
  for (int64_t i = 0; i < t.size(); ++i) {
    p[i] = kernel ? 0.5 * std::cos(1.3 * i) : std::sin(0.7 * i + 0.3);
  }
  return t;
}

Tensor golden_output(const goldens::ConvGolden& g) {
  const Tensor x = closed_form(g.input_shape, false);
  const std::string name = g.name;
  if (name == "conv2d_same_stride2") {
    return conv(x, closed_form(g.kernel_shape, true), {.strides = {2}, .padding = "same"});
  }
  if (name == "conv1d_causal_dilation2") {
    return conv(x, closed_form(g.kernel_shape, true), {.padding = "causal", .dilation_rate = {2}});
  }
  if (name == "conv2d_groups2") return conv(x, closed_form(g.kernel_shape, true));
  if (name == "depthwise_conv2d_same") {
    return depthwise_conv(x, closed_form(g.kernel_shape, true), {.padding = "same"});
  }
  if (name == "conv2d_transpose_same_stride2") {
    return conv_transpose(x, closed_form(g.kernel_shape, true),
                          {.strides = {2}, .padding = "same"});
  }
  if (name == "max_pool2d_3x3_same_stride1") {
    return max_pool(x, {3}, {.strides = {1}, .padding = "same"});
  }
  if (name == "average_pool2d_same") return average_pool(x, {2}, {.padding = "same"});
  ADD_FAILURE() << "no op for golden " << name;
  return x;
}

TEST(Conv, MatchesPyTorchGoldensOnBothBackends) {
  for (backend::Backend* be : {&backend::reference_backend(), &backend::cpu_backend()}) {
    backend::ScopedBackend scope(*be);
    for (const goldens::ConvGolden& g : goldens::conv_goldens()) {
      SCOPED_TRACE(std::string(g.name) + " on " + be->name());
      const Tensor y = golden_output(g);
      ASSERT_EQ(y.shape(), Shape(g.output_shape));
      test::expect_all_close(y, Tensor::from_vector(g.output, g.output_shape), 1e-12, 1e-12);
    }
  }
}

// A convolution under test: input and kernel shapes, and the options.
struct ConvCase {
  Shape x, w;
  ConvOptions o;
};

// Calls check(c) for every case on 1 and then on 2 threads, each under a trace naming the case and
// the thread count; the thread count comes back afterwards, also when an assertion throws.
template <size_t N, class Check>
void on_one_and_two_threads(const ConvCase (&cases)[N], Check&& check) {
  struct Restore {
    int threads = backend::num_threads();
    ~Restore() { backend::set_num_threads(threads); }
  } restore;
  for (const int t : {1, 2}) {
    backend::set_num_threads(t);
    for (const ConvCase& c : cases) {
      SCOPED_TRACE(shape_str(c.x) + " * " + shape_str(c.w) + " " + std::string(c.o.padding) +
                   " threads " + std::to_string(t));
      check(c);
    }
  }
}

// y, dy/dx and dy/dw of sum(conv(x, w) * r) under the current backend.
Tensors conv_and_grads(const Tensor& x, const Tensor& w, const ConvOptions& o) {
  autodiff::GradientTape tape;
  tape.watch(x);
  tape.watch(w);
  const Tensor y = conv(x, w, o);
  const Tensor r = cast(keras::random::uniform(y.shape(), -1, 1, float32, 7), y.dtype());
  Tensors grads = tape.gradient(multiply(y, r), {x, w});
  return {y, grads[0], grads[1]};
}

// Shapes that take oneDNN's Winograd and direct paths (3x3 with 16k channels) and im2row's
// multi-chunk path; forward and both gradients against the reference loops.
TEST(Conv, FastPathsMatchTheReferenceWithGradients) {
  const ConvCase cases[] = {
      {{4, 9, 8, 16}, {3, 3, 16, 32}, {.padding = "same"}},
      {{3, 10, 7, 32}, {3, 3, 32, 16}, {}},
      {{2, 30, 64}, {5, 64, 32}, {}},
      {{9, 40, 33, 7}, {3, 4, 7, 16}, {.strides = {1, 2}, .padding = "same"}},
  };
  for (const ConvCase& c : cases) {
    SCOPED_TRACE(shape_str(c.x) + " * " + shape_str(c.w));
    const Tensor x = keras::random::uniform(c.x, -1, 1, float32, 1);
    const Tensor w = keras::random::uniform(c.w, -1, 1, float32, 2);
    Tensors ref;
    {
      backend::ScopedBackend scope(backend::reference_backend());
      ref = conv_and_grads(x, w, c.o);
    }
    const Tensors fast = conv_and_grads(x, w, c.o);
    for (size_t i = 0; i < 3; ++i) test::expect_all_close(fast[i], ref[i], 2e-4, 2e-4);
  }
}

// Largest |a - b| over the largest |b| (b float64).
double scaled_error(const Tensor& a, const Tensor& b) {
  const Tensor a64 = cast(a, float64);
  double err = 0, scale = 0;
  for (int64_t i = 0; i < b.size(); ++i) {
    err = std::max(err, std::abs(a64.data<double>()[i] - b.data<double>()[i]));
    scale = std::max(scale, std::abs(b.data<double>()[i]));
  }
  return err / scale;
}

// internal::conv_bias (what Conv layers call) adds the bias inside the convolution's output pass
// (oneDNN's, or Winograd's output transform), also while training: against the float64 reference
// of conv + bias, with Winograd's float32 rounding allowance of the tests below (1e-5 of the
// output's scale), and so are its gradients for the input, kernel and bias. The shapes take
// oneDNN's Winograd in chunks of samples (128 samples of 10x10x32: two chunks), its direct kernel
// (one input channel) and Winograd 1-D; channels_first takes the composed ops.
TEST(Conv, ConvBiasMatchesConvPlusBias) {
  const ConvCase cases[] = {
      {{128, 10, 10, 32}, {3, 3, 32, 32}, {}},
      {{5, 11, 9, 1}, {3, 3, 1, 16}, {.padding = "same"}},
      {{2, 40, 32}, {5, 32, 24}, {}},
      {{3, 8, 7, 6}, {3, 3, 8, 5}, {.data_format = "channels_first"}},
      // The bias added in the Winograd 1-D output transform: in chunks, and (one sample on 2
      // threads) by columns.
      {{3, 60, 32}, {5, 32, 40}, {.padding = "same"}},
      {{1, 40, 32}, {5, 32, 48}, {}},
  };
  for (const ConvCase& c : cases) {
    SCOPED_TRACE(shape_str(c.x) + " * " + shape_str(c.w) + " " + c.o.data_format);
    const Tensor x = keras::random::uniform(c.x, -1, 1, float32, 7);
    const Tensor w = keras::random::uniform(c.w, -1, 1, float32, 8);
    const Tensor b = keras::random::uniform({c.w.back()}, -1, 1, float32, 9);
    auto composed = [&](const Tensor& x, const Tensor& w, const Tensor& b) {
      const Tensor y = conv(x, w, c.o);
      if (c.o.data_format == "channels_last") return add(y, b);
      return add(y, reshape(b, Shape{b.size(), 1, 1}));
    };
    Tensor ref;
    {
      backend::ScopedBackend scope(backend::reference_backend());
      ref = composed(cast(x, float64), cast(w, float64), cast(b, float64));
    }
    const Tensor fused = internal::conv_bias(x, w, b, c.o);
    ASSERT_EQ(fused.shape(), ref.shape());
    EXPECT_LT(scaled_error(fused, ref), 1e-5);
    // Gradients of sum(y * r) for a fixed random r, against the composed ops in float64.
    const Tensor r = keras::random::uniform(ref.shape(), -1, 1, float32, 10);
    auto gradients = [&](const Tensor& x, const Tensor& w, const Tensor& b, auto&& fn) {
      autodiff::GradientTape tape;
      for (const Tensor& t : {x, w, b}) tape.watch(t);
      const Tensor y = fn(x, w, b);
      Tensors g = tape.gradient(sum(multiply(y, cast(r, y.dtype()))), {x, w, b});
      g.push_back(y);
      return g;
    };
    Tensors want;
    {
      backend::ScopedBackend scope(backend::reference_backend());
      want = gradients(cast(x, float64), cast(w, float64), cast(b, float64), composed);
    }
    const Tensors got = gradients(x, w, b, [&](const Tensor& x, const Tensor& w, const Tensor& b) {
      return internal::conv_bias(x, w, b, c.o);
    });
    const char* names[] = {"dx", "dw", "db", "y"};
    for (size_t i = 0; i < got.size(); ++i) {
      SCOPED_TRACE(names[i]);
      ASSERT_EQ(got[i].shape(), want[i].shape());
      EXPECT_LT(scaled_error(got[i], want[i]), 1e-5);
    }
  }
}

// conv_bias(..., relu = true), as Conv layers with activation "relu" call it: where nothing is
// tracked the backend applies relu in the convolution's output pass (Winograd 1-D and 2-D), else
// after it (few-rows and oneDNN kernels, channels_first); either way the bits of ops::relu on
// conv_bias's output, NaN kept (an input NaN spreads through its Winograd tiles) and negatives
// +0. Under a tape, the values and gradients of relu(conv_bias(...)).
TEST(Conv, ConvBiasReluHasTheBitsOfRelu) {
  const ConvCase cases[] = {
      {{3, 60, 32}, {5, 32, 40}, {.padding = "same"}},          // Winograd 1-D, chunks
      {{1, 40, 32}, {5, 32, 48}, {}},                           // by columns on 2 threads
      {{2, 30, 16}, {3, 16, 24}, {}},                           // F(6, 3)
      {{16, 10, 10, 32}, {3, 3, 32, 32}, {.padding = "same"}},  // Winograd 2-D where AVX-512
      {{1, 14, 64}, {5, 64, 40}, {}},                           // few rows
      {{5, 11, 9, 1}, {3, 3, 1, 16}, {.padding = "same"}},      // oneDNN's direct kernel
      {{3, 8, 7, 6}, {3, 3, 8, 5}, {.data_format = "channels_first"}},
  };
  auto same_bits = [](const Tensor& a, const Tensor& b) {
    ASSERT_EQ(a.shape(), b.shape());
    ASSERT_EQ(a.dtype(), b.dtype());
    EXPECT_EQ(std::memcmp(a.data<float>(), b.data<float>(), a.size() * sizeof(float)), 0);
  };
  struct Restore {  // the policy, also when an assertion throws
    ~Restore() { backend::winograd::set_policy(backend::winograd::Policy::automatic); }
  } restore;
  // Automatic, then Winograd wherever supported (also where the few-rows kernel would run).
  for (const auto policy :
       {backend::winograd::Policy::automatic, backend::winograd::Policy::always}) {
    backend::winograd::set_policy(policy);
    on_one_and_two_threads(cases, [&](const ConvCase& c) {
      Tensor x = keras::random::uniform(c.x, -1, 1, float32, 11);
      x.data<float>()[x.size() / 3] = std::nanf("");
      const Tensor w = keras::random::uniform(c.w, -1, 1, float32, 12);
      const Tensor b = keras::random::uniform({c.w.back()}, -1, 1, float32, 13);
      const Tensor want = relu(internal::conv_bias(x, w, b, c.o));
      const Tensor got = internal::conv_bias(x, w, b, c.o, true);
      same_bits(got, want);
      int64_t nans = 0, zeros = 0;
      for (int64_t i = 0; i < got.size(); ++i) {
        const float v = got.data<float>()[i];
        nans += std::isnan(v);
        zeros += v == 0 && !std::signbit(v);
      }
      EXPECT_GT(nans, 0);
      EXPECT_GT(zeros, 0);
      // Under a tape (finite inputs: the gradients of relu at NaN are not the point here).
      const Tensor xf = keras::random::uniform(c.x, -1, 1, float32, 14);
      const Tensor r = keras::random::uniform(want.shape(), -1, 1, float32, 15);
      auto run = [&](auto&& fn) {
        autodiff::GradientTape tape;
        for (const Tensor& t : {xf, w, b}) tape.watch(t);
        const Tensor y = fn();
        Tensors g = tape.gradient(sum(multiply(y, r)), {xf, w, b});
        g.push_back(y);
        return g;
      };
      const Tensors g_want = run([&] { return relu(internal::conv_bias(xf, w, b, c.o)); });
      const Tensors g_got = run([&] { return internal::conv_bias(xf, w, b, c.o, true); });
      for (size_t i = 0; i < g_got.size(); ++i) same_bits(g_got[i], g_want[i]);
    });
  }
}

// The Winograd 1-D kernels (forced on every supported geometry) against the float64 reference:
// partial last tiles, inputs shorter than a tile, every padding, odd channel counts, chunks that
// split a sequence, kernel sizes 5 and 3. Their float32 error, relative to each output's largest
// magnitude, measured at most 7e-7 here and 2e-6 on the benchmark's shapes; direct
// convolution's is about 2e-7.
TEST(Conv, Winograd1dMatchesTheFloat64ReferenceWithGradients) {
  const ConvCase cases[] = {
      {{2, 37, 9}, {5, 9, 11}, {}},
      {{1, 37, 9}, {5, 9, 11}, {.padding = "same"}},
      {{3, 21, 7}, {5, 7, 13}, {.padding = "causal"}},
      {{2, 6, 5}, {5, 5, 3}, {}},
      {{1, 3, 4}, {5, 4, 6}, {.padding = "same"}},
      {{2, 1, 3}, {5, 3, 2}, {.padding = "causal"}},
      {{2, 45, 70}, {5, 70, 66}, {.padding = "same"}},
      {{3, 700, 40}, {5, 40, 24}, {}},
      {{2, 20, 7}, {3, 7, 5}, {.padding = "same"}},
      {{1, 50, 9}, {3, 9, 4}, {}},
      {{2, 8, 3}, {3, 3, 5}, {.padding = "causal"}},
      // One sample on 2 threads splits the columns F, in blocks of channels C.
      {{1, 30, 40}, {5, 40, 600}, {.padding = "same"}},
      {{1, 23, 48}, {3, 48, 40}, {}},
      {{1, 30, 200}, {5, 200, 600}, {}},  // 5 blocks of 48 channels summed
  };
  backend::winograd::set_policy(backend::winograd::Policy::always);
  struct Restore {  // the policy, also when an assertion throws
    ~Restore() { backend::winograd::set_policy(backend::winograd::Policy::automatic); }
  } restore;
  on_one_and_two_threads(cases, [](const ConvCase& c) {
    const Tensor x = keras::random::uniform(c.x, -1, 1, float32, 1);
    const Tensor w = keras::random::uniform(c.w, -1, 1, float32, 2);
    Tensors ref;
    {
      backend::ScopedBackend scope(backend::reference_backend());
      ref = conv_and_grads(cast(x, float64), cast(w, float64), c.o);
    }
    const Tensors fast = conv_and_grads(x, w, c.o);
    for (size_t i = 0; i < 3; ++i) EXPECT_LT(scaled_error(fast[i], ref[i]), 1e-5) << i;
  });
}

// The direct kernel for few output positions (backend/cpu/few_rows_conv.h; on AVX-512 or AVX2, at
// most 16 positions over the batch) against the float64 reference, with and without the bias, on
// 1 and 2 threads: one block of 14 rows and two of 8 (AVX2: three blocks of 4 to 6), columns that
// end in a partial vector (33, 17) or an odd number of column blocks, padding, strides, dilation,
// 2-D and 3-D. It sums taps x channels
// products in order in float32, an error of about sqrt(taps C) ulps of the largest product sums:
// within 1e-5 of the output's scale, as the Winograd tests allow.
TEST(Conv, FewOutputPositionsMatchTheFloat64Reference) {
  const ConvCase cases[] = {
      {{1, 18, 256}, {5, 256, 256}, {}},  // the posts model's fourth convolution: 14 rows
      {{1, 14, 40}, {5, 40, 48}, {}},
      {{2, 8, 20}, {3, 20, 33}, {.padding = "same"}},  // 16 rows: two blocks of 8
      {{1, 9, 7}, {3, 7, 17}, {.strides = {2}, .padding = "causal", .dilation_rate = {1}}},
      {{1, 13, 8}, {2, 8, 80}, {.padding = "same", .dilation_rate = {3}}},
      // Two threads: 5 column blocks, the second thread's last one an 8-float tail.
      {{1, 12, 64}, {3, 64, 72}, {.padding = "same", .dilation_rate = {2}}},
      {{1, 4, 4, 8}, {3, 3, 8, 24}, {.padding = "same"}},
      {{1, 7, 5, 3}, {3, 2, 3, 16}, {.strides = {2, 2}}},
      {{1, 2, 3, 2, 5}, {2, 2, 2, 5, 19}, {.padding = "same"}},
  };
  on_one_and_two_threads(cases, [](const ConvCase& c) {
    const Tensor x = keras::random::uniform(c.x, -1, 1, float32, 1);
    const Tensor w = keras::random::uniform(c.w, -1, 1, float32, 2);
    const Tensor b = keras::random::uniform({c.w.back()}, -1, 1, float32, 3);
    Tensor ref, ref_bias;
    {
      backend::ScopedBackend scope(backend::reference_backend());
      ref = conv(cast(x, float64), cast(w, float64), c.o);
      ref_bias = add(ref, cast(b, float64));
    }
    const Tensor y = conv(x, w, c.o);
    ASSERT_EQ(y.shape(), ref.shape());
    // Every case is one the kernel takes (on AVX-512 or AVX2): few positions, taps x C >= 16, F
    // >= 16.
    EXPECT_LE(y.size() / y.shape().back(), backend::few_rows::kMaxRows);
    EXPECT_GE(w.size() / w.shape().back(), 16);
    EXPECT_GE(w.shape().back(), 16);
    EXPECT_LT(scaled_error(y, ref), 1e-5);
    EXPECT_LT(scaled_error(internal::conv_bias(x, w, b, c.o), ref_bias), 1e-5);
  });
}

// conv sends such a geometry to the kernel (the same bits as calling it), from the layer's call.
TEST(Conv, FewOutputPositionsTakeTheDirectKernel) {
  if (!backend::vec16::cpu_has_avx512() && !backend::vec16::cpu_has_avx2_fma()) {
    GTEST_SKIP() << "the kernel needs AVX-512 or AVX2";
  }
  const Tensor x = keras::random::uniform({1, 14, 64}, -1, 1, float32, 1);
  const Tensor w = keras::random::uniform({5, 64, 40}, -1, 1, float32, 2);
  const Tensor b = keras::random::uniform({40}, -1, 1, float32, 3);
  backend::ConvGeometry g;
  g.c = 64, g.f = 40, g.in[2] = 14, g.out[2] = 10, g.k[2] = 5;
  ASSERT_TRUE(backend::few_rows::applies(g));
  Tensor y = Tensor::empty({1, 10, 40}, float32);
  backend::few_rows::conv(g, x.data<float>(), w.data<float>(), b.data<float>(), y.data<float>());
  test::expect_all_close(internal::conv_bias(x, w, b, {}), y, 0, 0);
  backend::few_rows::conv(g, x.data<float>(), w.data<float>(), nullptr, y.data<float>());
  test::expect_all_close(conv(x, w, {}), y, 0, 0);
}

// keras.cpp's Winograd F(4x4, 3x3) (forced wherever supported: AVX-512, channels in multiples of
// 16) against the float64 reference, forward and both gradients, on 1 and 2 threads: partial last
// tiles, inputs smaller than one tile, "same" and "valid", chunks that split images and batches,
// and the biased forward. "valid" takes both gradients from the forward's tiles where each thread
// has an image (the dx adjoint), else dx as a forward of dy (one sample on 2 threads). Its
// float32 error relative to each result's largest magnitude measured at most 1.7e-6 here
// (forward 1.4e-6, data 1.7e-6 as a forward of dy and 1.1e-6 as the adjoint, weights 1.4e-6).
TEST(Conv, Winograd2dMatchesTheFloat64ReferenceWithGradients) {
  const ConvCase cases[] = {
      {{2, 12, 12, 16}, {3, 3, 16, 32}, {}},
      {{1, 7, 9, 32}, {3, 3, 32, 16}, {.padding = "same"}},
      {{3, 25, 25, 64}, {3, 3, 64, 64}, {}},
      {{7, 25, 25, 64}, {3, 3, 64, 64}, {}},  // 252 tiles: chunks end inside images
      {{1, 12, 12, 16}, {3, 3, 16, 32}, {}},
      {{2, 5, 6, 16}, {3, 3, 16, 16}, {.padding = "same"}},
      {{1, 3, 3, 16}, {3, 3, 16, 16}, {}},
      {{1, 2, 2, 16}, {3, 3, 16, 48}, {.padding = "same"}},
      {{1, 1, 1, 16}, {3, 3, 16, 16}, {.padding = "same"}},
      {{40, 9, 9, 16}, {3, 3, 16, 16}, {}},
      {{2, 14, 5, 32}, {3, 3, 32, 32}, {.padding = "same"}},
  };
  if (!backend::winograd::supports2d(backend::conv_geometry(
          {2, 12, 12, 16}, {3, 3, 16, 32}, {2, 10, 10, 32}, {{1, 1}, {1, 1}, {0, 0}, 1}))) {
    GTEST_SKIP() << "neither AVX-512 nor AVX2 on this CPU: oneDNN runs these shapes";
  }
  backend::winograd::set_policy(backend::winograd::Policy::always);
  struct Restore {  // the policy, also when an assertion throws
    ~Restore() { backend::winograd::set_policy(backend::winograd::Policy::automatic); }
  } restore;
  on_one_and_two_threads(cases, [](const ConvCase& c) {
    const Tensor x = keras::random::uniform(c.x, -1, 1, float32, 1);
    const Tensor w = keras::random::uniform(c.w, -1, 1, float32, 2);
    const Tensor b = keras::random::uniform({c.w.back()}, -1, 1, float32, 3);
    Tensors ref;
    Tensor ref_biased;
    {
      backend::ScopedBackend scope(backend::reference_backend());
      ref = conv_and_grads(cast(x, float64), cast(w, float64), c.o);
      ref_biased = add(ref[0], cast(b, float64));
    }
    const Tensors fast = conv_and_grads(x, w, c.o);
    for (size_t i = 0; i < 3; ++i) EXPECT_LT(scaled_error(fast[i], ref[i]), 1e-5) << i;
    EXPECT_LT(scaled_error(internal::conv_bias(x, w, b, c.o), ref_biased), 1e-5);
  });
}

// set_winograd_enabled(false) sends the convolutions Winograd would take (a 3x3 Conv2D with 32
// channels, a k=5 Conv1D with 32 channels) to direct kernels, whose float32 rounding is no larger:
// against the float64 reference, their error is at most Winograd's (equal where the CPU has no
// Winograd for the shape) and within 1e-5 of the scale (as the test above allows Winograd).
TEST(Conv, WinogradCanBeTurnedOff) {
  ASSERT_TRUE(backend::winograd_enabled());
  struct Case {
    Shape x, w;
  };
  for (const Case& c : {Case{{2, 12, 12, 32}, {3, 3, 32, 32}}, Case{{2, 40, 32}, {5, 32, 32}}}) {
    SCOPED_TRACE(shape_str(c.x));
    const Tensor x = keras::random::uniform(c.x, -1, 1, float32, 3);
    const Tensor w = keras::random::uniform(c.w, -1, 1, float32, 4);
    Tensor ref;
    {
      backend::ScopedBackend scope(backend::reference_backend());
      ref = conv(cast(x, float64), cast(w, float64), {});
    }
    const double winograd = scaled_error(conv(x, w, {}), ref);
    backend::set_winograd_enabled(false);
    EXPECT_FALSE(backend::winograd_enabled());
    const double direct = scaled_error(conv(x, w, {}), ref);
    backend::set_winograd_enabled(true);
    EXPECT_LE(direct, winograd);
    EXPECT_LT(direct, 1e-5);
  }
}

// A Conv layer's first call (the input not tracked) and a frozen kernel: only the gradients asked
// for, equal to those with everything watched.
// Also "valid" 25x25 with 64 channels, whose gradients come from the forward's tiles together (in
// chunks that end inside images) when both are asked for: the kernel's alone has the same bits.
void expect_gradients_of_the_tracked_inputs_only(const Shape& xs,
                                                 const Shape& ws,
                                                 const ConvOptions& o) {
  SCOPED_TRACE(shape_str(xs) + " " + std::string(o.padding));
  const Tensor x = keras::random::uniform(xs, -1, 1, float32, 11);
  const Tensor w = keras::random::uniform(ws, -1, 1, float32, 12);
  const Tensor b = keras::random::uniform({ws.back()}, -1, 1, float32, 13);
  auto gradients = [&](const Tensors& watched) {
    autodiff::GradientTape tape;
    for (const Tensor& t : watched) tape.watch(t);
    const Tensor y = internal::conv_bias(x, w, b, o);
    return tape.gradient(sum(multiply(y, y)), {x, w, b});
  };
  const Tensors all = gradients({x, w, b});
  const Tensors first_layer = gradients({w, b});
  EXPECT_FALSE(first_layer[0].defined());
  test::expect_all_close(first_layer[1], all[1], 0, 0);
  test::expect_all_close(first_layer[2], all[2], 0, 0);
  const Tensors bias_only = gradients({b});
  EXPECT_FALSE(bias_only[0].defined());
  EXPECT_FALSE(bias_only[1].defined());
  test::expect_all_close(bias_only[2], all[2], 0, 0);
}

TEST(Conv, ConvBiasGradientsOfTheTrackedInputsOnly) {
  expect_gradients_of_the_tracked_inputs_only({4, 9, 8, 16}, {3, 3, 16, 16}, {.padding = "same"});
  expect_gradients_of_the_tracked_inputs_only({7, 25, 25, 64}, {3, 3, 64, 64}, {});
}

// conv_bias_max_pool (Conv2D + MaxPooling2D(2), pooled in the Winograd tiles where the CPU runs
// Winograd: forced here) against the two ops, on 1 and 2 threads: the pooled output (the same
// non-finite outputs for a NaN input: -inf for windows all NaN), dx, dw and the bias's gradient
// within the Winograd tests' 1e-5 of the scale. The tiles compute the same values with the same
// rule (the pooling's gradient is built per tile with max_pool_backward's arithmetic), but they are
// other kernels: the compiler may contract their multiply-adds differently (measured: last-bit
// differences in dw), and the bias's gradient sums the pooled gradient instead of the
// convolution's.
TEST(Conv, ConvBiasMaxPoolMatchesTheTwoOps) {
  const ConvCase cases[] = {
      {{5, 25, 25, 64}, {3, 3, 64, 64}, {}},  // shared_vision's: the 23rd row in no window
      {{2, 12, 10, 16}, {3, 3, 16, 32}, {.padding = "same"}},
      {{1, 9, 9, 32}, {3, 3, 32, 16}, {}},  // one sample: on 2 threads, the two ops' dx
      {{3, 6, 7, 16}, {3, 3, 16, 16}, {}},
  };
  if (!backend::winograd::supports2d(backend::conv_geometry(
          {2, 12, 12, 16}, {3, 3, 16, 32}, {2, 10, 10, 32}, {{1, 1}, {1, 1}, {0, 0}, 1}))) {
    GTEST_SKIP() << "neither AVX-512 nor AVX2 on this CPU: the op is the two ops there";
  }
  backend::winograd::set_policy(backend::winograd::Policy::always);
  struct Restore {
    ~Restore() { backend::winograd::set_policy(backend::winograd::Policy::automatic); }
  } restore;
  on_one_and_two_threads(cases, [](const ConvCase& c) {
    const Tensor w = keras::random::uniform(c.w, -1, 1, float32, 2);
    const Tensor b = keras::random::uniform({c.w.back()}, -1, 1, float32, 3);
    {  // a NaN input (Winograd spreads it over its tiles): the same non-finite pooled outputs
      const Tensor x = copy(keras::random::uniform(c.x, -1, 1, float32, 1));
      x.data<float>()[((c.x[1] / 2) * c.x[2] + c.x[2] / 2) * c.x[3]] = std::nanf("");  // centre
      const Tensor two_ops = max_pool(internal::conv_bias(x, w, b, c.o), {2, 2});
      const Tensor fused = internal::conv_bias_max_pool(x, w, b, c.o, {2, 2}, {});
      ASSERT_EQ(fused.shape(), two_ops.shape());
      int64_t odd = 0;
      for (int64_t i = 0; i < fused.size(); ++i) {
        const float f = fused.data<float>()[i], t = two_ops.data<float>()[i];
        ASSERT_EQ(std::isfinite(f), std::isfinite(t)) << i;
        if (!std::isfinite(f)) {
          ASSERT_EQ(std::isnan(f), std::isnan(t)) << i;
          ASSERT_TRUE(std::isnan(f) || f == t) << i;  // an all-NaN window: -inf in both
          ++odd;
        }
      }
      EXPECT_GT(odd, 0);
    }
    const Tensor x = keras::random::uniform(c.x, -1, 1, float32, 1);
    EXPECT_LT(scaled_error(internal::conv_bias_max_pool(x, w, b, c.o, {2, 2}, {}),
                           cast(max_pool(internal::conv_bias(x, w, b, c.o), {2, 2}), float64)),
              1e-5);
    auto grads = [&](bool one_op) {
      autodiff::GradientTape tape;
      for (const Tensor& t : {x, w, b}) tape.watch(t);
      const Tensor p = one_op ? internal::conv_bias_max_pool(x, w, b, c.o, {2, 2}, {})
                              : max_pool(internal::conv_bias(x, w, b, c.o), {2, 2});
      const Tensor r = keras::random::uniform(p.shape(), -1, 1, float32, 7);
      return tape.gradient(multiply(p, r), {x, w, b});
    };
    const Tensors one = grads(true), two = grads(false);
    for (size_t i = 0; i < 3; ++i)
      EXPECT_LT(scaled_error(one[i], cast(two[i], float64)), 1e-5) << i;
  });
}

// Pooling (3x2 windows; valid, same with stride 1, strides (2, 1), and strides (4, 3): disjoint
// windows with input rows and columns between and after them that no window reads) and its input
// gradient on the CPU backend equal the reference's bit for bit. 24 samples of 9x8x64 split
// across threads.
void expect_pooling_matches_the_reference_exactly(const Tensor& x, bool max) {
  const PoolOptions options[] = {
      {}, {.strides = {1}, .padding = "same"}, {.strides = {2, 1}}, {.strides = {4, 3}}};
  for (const PoolOptions& o : options) {
    auto run = [&] {
      autodiff::GradientTape tape;
      tape.watch(x);
      const Tensor y = max ? max_pool(x, {3, 2}, o) : average_pool(x, {3, 2}, o);
      const Tensor r = keras::random::uniform(y.shape(), -1, 1, float32, 6);
      return Tensors{y, tape.gradient(multiply(y, r), {x})[0]};
    };
    Tensors ref;
    {
      backend::ScopedBackend scope(backend::reference_backend());
      ref = run();
    }
    const Tensors fast = run();
    test::expect_all_close(fast[0], ref[0], 0, 0);
    test::expect_all_close(fast[1], ref[1], 0, 0);
  }
}

// Max pooling's gradient goes to the first maximum of each window: ties (small integers, which
// repeat often) and NaN windows route exactly as in the reference.
TEST(Conv, MaxPoolGradientRoutesTiesLikeTheReference) {
  Tensor x = floor(keras::random::uniform({24, 9, 8, 64}, 0, 3, float32, 5));
  x.data<float>()[7] = std::nanf("");
  x.data<float>()[100] = -INFINITY;
  expect_pooling_matches_the_reference_exactly(x, true);
}

// Average pooling on the CPU sums in the reference's order.
TEST(Conv, AveragePoolMatchesTheReferenceExactly) {
  expect_pooling_matches_the_reference_exactly(
      keras::random::uniform({24, 9, 8, 64}, -2, 2, float32, 7), false);
}

TEST(Conv, OutputLengthsFollowKeras) {
  EXPECT_EQ(conv_output_length(5, 2, "valid", 2), 2);
  EXPECT_EQ(conv_output_length(5, 3, "same", 2), 3);
  EXPECT_EQ(conv_output_length(7, 3, "causal", 1, 2), 7);
  EXPECT_EQ(conv_output_length(kNone, 3, "valid", 1), kNone);
  EXPECT_EQ(conv_output_length(2, 3, "valid", 1), 0);
  EXPECT_EQ(conv_padding_before(6, 3, "same", 2), 0);  // total 1: 0 before, 1 after (TF)
  EXPECT_EQ(conv_padding_before(5, 3, "same", 1), 1);
  EXPECT_EQ(conv_transpose_output_length(3, 3, "valid", std::nullopt, 2), 7);
  EXPECT_EQ(conv_transpose_output_length(3, 3, "same", std::nullopt, 2), 6);
  EXPECT_EQ(conv_transpose_output_length(3, 3, "same", 1, 2), 6);
}

TEST(Conv, RejectsInputsSmallerThanTheKernel) {
  test::expect_throws_with<ValueError>(
      [] {
        conv(zeros({1, 2, 2, 1}), zeros({3, 3, 1, 4}));
      },
      "Computed output size would be negative");
  test::expect_throws_with<ValueError>(
      [] {
        max_pool(zeros({1, 1, 3}), {2});
      },
      "Computed output size would be negative");
}

// One tap of `kernel` (spatial position `tap`) as a kernel of spatial size 1.
Tensor one_tap(const Tensor& kernel, int64_t tap, int spatial_rank) {
  Shape shape(static_cast<size_t>(spatial_rank), 1);
  shape.insert(shape.end(), {kernel.dim(-2), kernel.dim(-1)});
  Tensor out = Tensor::empty(shape, kernel.dtype());
  const int64_t n = out.size();
  std::copy_n(kernel.data<float>() + tap * n, n, out.data<float>());
  return out;
}

// A dilation rate of 10^9 (from a config) made oneDNN crash generating its kernel (its offsets
// are 32-bit); such convolutions take the im2row path, where every tap but one reads padding.
// The result is then the convolution with that one tap, computed by other kernels: 3 products
// per output in float32, so 1e-6 covers the different summation orders.
TEST(Conv, HugeDilationRatesAreComputedNotCrashed) {
  const Tensor x1 = test::random_tensor({2, 5, 3}, float32, -1, 1, 1);
  const Tensor k1 = test::random_tensor({3, 3, 4}, float32, -1, 1, 2);
  const Tensor x2 = test::random_tensor({1, 4, 4, 3}, float32, -1, 1, 3);
  const Tensor k2 = test::random_tensor({3, 3, 3, 2}, float32, -1, 1, 4);
  for (const int64_t d : {int64_t{1000000000}, int64_t{1} << 31}) {
    SCOPED_TRACE(d);
    test::expect_all_close(conv(x1, k1, {.padding = "causal", .dilation_rate = {d}}),
                           conv(x1, one_tap(k1, 2, 1)), 1e-6, 1e-6);
    test::expect_all_close(conv(x2, k2, {.padding = "same", .dilation_rate = {d}}),
                           conv(x2, one_tap(k2, 4, 2)), 1e-6, 1e-6);
  }
}

TEST(Conv, RejectsMismatchedChannelsAndBadOptions) {
  EXPECT_THROW(conv(zeros({1, 5, 3}), zeros({2, 2, 4})), ValueError);
  EXPECT_THROW(conv(zeros({1, 5, 5, 3}), zeros({2, 2, 3, 4}), {.padding = "causal"}), ValueError);
  EXPECT_THROW(conv(zeros({1, 5, 3}), zeros({2, 3, 4}), {.padding = "full"}), ValueError);
  EXPECT_THROW(conv(zeros({1, 5, 3}), zeros({2, 3, 4}), {.strides = {1, 2}}), ValueError);
  EXPECT_THROW(conv(zeros({1, 5, 3}), zeros({2, 3, 4}, float64)), TypeError);
}

}  // namespace
}  // namespace keras::ops
