#include "keras/layers/locally_connected.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/input_layer.h"
#include "keras/ops/random.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

Tensor uniform(const Shape& shape, uint64_t seed) {
  return keras::random::uniform(shape, -1, 1, float32, seed);
}

TEST(LocallyConnected1D, ContractEachImplementation) {
  for (int implementation : {1, 2, 3}) {
    SCOPED_TRACE(implementation);
    test::run_layer_test({
        .make_layer =
            [implementation] {
              return LocallyConnected1D(
                  3, 3, {.strides = 2, .activation = "tanh", .implementation = implementation});
            },
        .input_shape = {2, 7, 2},
        .expected_output_shape = {2, 3, 3},
        .expected_num_weights = 2,
        .expected_num_trainable_weights = 2,
    });
  }
  test::run_layer_test({
      .make_layer =
          [] {
            return LocallyConnected1D(2, 4,
                                      {.strides = 2,
                                       .padding = "same",
                                       .data_format = "channels_first",
                                       .use_bias = false,
                                       .implementation = 3});
          },
      .input_shape = {2, 3, 5},
      .expected_output_shape = {2, 2, 3},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
  });
}

TEST(LocallyConnected2D, ContractEachImplementation) {
  test::run_layer_test({
      .make_layer =
          [] {
            return LocallyConnected2D(2, {2, 3}, {.strides = {1, 2}});
          },
      .input_shape = {2, 4, 5, 2},
      .expected_output_shape = {2, 3, 2, 2},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
  test::run_layer_test({
      .make_layer =
          [] {
            return LocallyConnected2D(
                3, 3, {.padding = "same", .data_format = "channels_first", .implementation = 2});
          },
      .input_shape = {2, 2, 3, 4},
      .expected_output_shape = {2, 3, 3, 4},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
  test::run_layer_test({
      .make_layer =
          [] {
            return LocallyConnected2D(
                2, 2, {.strides = 2, .padding = "same", .activation = "relu", .implementation = 3});
          },
      .input_shape = {2, 5, 3, 2},
      .expected_output_shape = {2, 3, 2, 2},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

// Kernel and bias shapes as tf_keras builds them (its locally_connected_test cases' layouts).
TEST(LocallyConnected2D, WeightShapesAreTfKeras) {
  struct Case {
    int implementation;
    const char* padding;
    const char* data_format;
    Shape kernel;
  };
  // Input (6, 5) spatial, 3 channels, kernel (3, 2), strides (2, 1), 4 filters.
  const Case cases[] = {
      {1, "valid", "channels_last", {2 * 4, 3 * 2 * 3, 4}},
      {1, "valid", "channels_first", {2 * 4, 3 * 2 * 3, 4}},
      {2, "valid", "channels_last", {6, 5, 3, 2, 4, 4}},
      {2, "same", "channels_first", {3, 6, 5, 4, 3, 5}},
      // same: the windows' rows [2i - 1, 2i + 2) clipped to [0, 6) (2, 3, 3 of them), columns
      // [j - 1, j + 1) clipped to [0, 5) (1, 2, 2, 2, 2): 8 * 9 connections of 3 x 4 channels.
      {3, "same", "channels_last", {8 * 9 * 3 * 4}},
      {3, "valid", "channels_first", {2 * 4 * 3 * 2 * 3 * 4}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message()
                 << c.implementation << " " << c.padding << " " << c.data_format);
    LocallyConnected2D layer(4, {3, 2},
                             {.strides = {2, 1},
                              .padding = c.padding,
                              .data_format = c.data_format,
                              .implementation = c.implementation});
    const bool first = std::string(c.data_format) == "channels_first";
    const Tensor y = layer(uniform(first ? Shape{1, 3, 6, 5} : Shape{1, 6, 5, 3}, 1));
    EXPECT_EQ(layer->kernel().value().shape(), c.kernel);
    const int64_t rows = std::string(c.padding) == "same" ? 3 : 2;
    const int64_t cols = std::string(c.padding) == "same" ? 5 : 4;
    EXPECT_EQ(layer->bias().value().shape(), (Shape{rows, cols, 4}));
    EXPECT_EQ(y.shape(), first ? (Shape{1, 4, rows, cols}) : (Shape{1, rows, cols, 4}));
  }
}

// With one kernel copied to every position, implementation 1 is the shared-weight convolution.
TEST(LocallyConnected1D, EqualsConv1DWhenEveryPositionHasTheSameKernel) {
  const Tensor x = uniform({3, 9, 4}, 2);
  Conv1D conv(5, 3, {.strides = 2, .bias_initializer = "random_normal"});
  const Tensor expected = conv(x);
  LocallyConnected1D local(5, 3, {.strides = 2});
  local(x);
  const Tensor kernel = ops::reshape(conv->kernel().value(), {1, 3 * 4, 5});
  const Tensor bias = ops::reshape(conv->bias().value(), {1, 5});
  local->set_weights({ops::concatenate({kernel, kernel, kernel, kernel}, 0),
                      ops::concatenate({bias, bias, bias, bias}, 0)});
  // The same products summed in another order (a GEMM per position against oneDNN's
  // convolution): float32 rounding of 12-term sums of values below 1.
  test::expect_all_close(local(x), expected, 1e-5, 1e-5);
}

TEST(LocallyConnected2D, EqualsConv2DChannelsFirstWhenEveryPositionHasTheSameKernel) {
  const Tensor x = uniform({2, 3, 5, 4}, 3);
  Conv2D conv(2, {2, 3}, {.data_format = "channels_first"});
  const Tensor expected = conv(x);  // (2, 2, 4, 2)
  LocallyConnected2D local(2, {2, 3}, {.data_format = "channels_first", .use_bias = false});
  local(x);
  // Conv2D's kernel (kh, kw, C, filters) as implementation 1's window order (C, kh, kw).
  const Tensor one =
      ops::reshape(ops::transpose(conv->kernel().value(), {2, 0, 1, 3}), {1, 3 * 2 * 3, 2});
  local->set_weights({ops::concatenate({one, one, one, one, one, one, one, one}, 0)});
  test::expect_all_close(local(x), expected, 1e-5, 1e-5);
}

TEST(LocallyConnected1D, KerasErrors) {
  test::expect_throws_with<ValueError>(
      [] { LocallyConnected1D(2, 3, {.padding = "same"}); },
      "Invalid border mode for LocallyConnected1D (only \"valid\" is supported if implementation "
      "is 1): same");
  test::expect_throws_with<ValueError>([] { LocallyConnected2D(2, 3, {.implementation = 4}); },
                                       "Unrecognized implementation mode: 4.");
  test::expect_throws_with<ValueError>(
      [] { LocallyConnected1D(2, 3, {.padding = "causal", .implementation = 2}); },
      "The `padding` argument must be one of \"valid\", \"same\". Received: padding=causal");
  test::expect_throws_with<ValueError>([] { LocallyConnected2D(2, {3, 3, 3}); }, "kernel_size");
  test::expect_throws_with<ValueError>(
      [] {
        LocallyConnected1D(2, 5)(uniform({1, 4, 2}, 4));
      },
      "One of the dimensions in the output is <= 0 due to downsampling in locally_connected1d_");
  test::expect_throws_with<ValueError>(
      [] {
        LocallyConnected2D(2, 2)(keras::Input({std::nullopt, 4, 2}));
      },
      "should be fully-defined");
  test::expect_throws_with<ValueError>(
      [] {
        LocallyConnected1D(2, 2)(uniform({1, 4}, 5));
      },
      "expected ndim=3, found ndim=2");
  LocallyConnected1D built(2, 2);
  built(uniform({1, 4, 3}, 6));
  test::expect_throws_with<ValueError>([&] { built(uniform({1, 4, 2}, 7)); }, "axis -1");
}

TEST(LocallyConnected2D, ConfigIsTfKerasAndRoundTrips) {
  LocallyConnected2D layer(
      4, {3, 2}, {.strides = {2, 1}, .padding = "same", .implementation = 3, .name = "local"});
  const Json config = layer->get_config();
  EXPECT_EQ(config["filters"], 4);
  EXPECT_EQ(config["kernel_size"], Json::parse("[3, 2]"));
  EXPECT_EQ(config["strides"], Json::parse("[2, 1]"));
  EXPECT_EQ(config["padding"], "same");
  EXPECT_EQ(config["data_format"], "channels_last");
  EXPECT_EQ(config["implementation"], 3);
  EXPECT_EQ(LocallyConnectedImpl::from_config<2>(config)->get_config(), config);
  // Keras 2.2.4's config has no implementation (its only one was 1) and an upper-case padding.
  Json keras2 = config;
  keras2.erase("implementation");
  keras2["padding"] = "Valid";
  auto back = LocallyConnectedImpl::from_config<2>(keras2);
  EXPECT_EQ(back->get_config()["implementation"], 1);
  EXPECT_EQ(back->get_config()["padding"], "valid");
  EXPECT_EQ(LocallyConnected1D(2, 3)->name().rfind("locally_connected1d_", 0), 0u);
}

}  // namespace
}  // namespace keras::layers
