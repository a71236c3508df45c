#include "keras/layers/convolutional.h"

#include <gtest/gtest.h>

#include <type_traits>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/backend/backend.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/regularization/activity_regularization.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"

namespace keras::layers {
namespace {

TEST(Conv1D, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Conv1D(4, 3, {.activation = "tanh"}); },
      .input_shape = {2, 7, 3},
      .expected_output_shape = {2, 5, 4},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(Conv1D, CausalDilatedKeepsTheLength) {
  test::run_layer_test({
      .make_layer = [] { return Conv1D(2, 2, {.padding = "causal", .dilation_rate = 2}); },
      .input_shape = {2, 6, 3},
      .expected_output_shape = {2, 6, 2},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(Conv2D, IssueExampleGroupsAndStrides) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Conv2D(6, {2, 2}, {.strides = {2, 1}, .groups = 2});
          },
      .input_shape = {3, 5, 5, 4},
      .expected_output_shape = {3, 2, 4, 6},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(Conv2D, SamePaddingChannelsFirst) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Conv2D(3, 3, {.strides = 2, .padding = "same", .data_format = "channels_first"});
          },
      .input_shape = {2, 2, 5, 4},
      .expected_output_shape = {2, 3, 3, 2},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(Conv3D, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Conv3D(2, {2, 2, 1}, {.use_bias = false});
          },
      .input_shape = {1, 3, 3, 2, 2},
      .expected_output_shape = {1, 2, 2, 2, 2},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
  });
}

TEST(SeparableConv1D, Contract) {
  test::run_layer_test({
      .make_layer = [] { return SeparableConv1D(3, 3, {.depth_multiplier = 2}); },
      .input_shape = {2, 6, 2},
      .expected_output_shape = {2, 4, 3},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 3,
  });
}

TEST(SeparableConv2D, Contract) {
  test::run_layer_test({
      .make_layer = [] { return SeparableConv2D(4, 3, {.padding = "same"}); },
      .input_shape = {1, 4, 5, 3},
      .expected_output_shape = {1, 4, 5, 4},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 3,
  });
}

TEST(DepthwiseConv2D, Contract) {
  test::run_layer_test({
      .make_layer = [] { return DepthwiseConv2D(3, {.strides = 2, .depth_multiplier = 2}); },
      .input_shape = {2, 5, 5, 3},
      .expected_output_shape = {2, 2, 2, 6},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(Conv2DTranspose, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Conv2DTranspose(2, 3, {.strides = 2, .padding = "same"}); },
      .input_shape = {2, 3, 2, 3},
      .expected_output_shape = {2, 6, 4, 2},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(Conv2DTranspose, ValidWithOutputPadding) {
  test::run_layer_test({
      .make_layer = [] { return Conv2DTranspose(2, 3, {.strides = 2, .output_padding = 1}); },
      .input_shape = {1, 3, 3, 2},
      .expected_output_shape = {1, 8, 8, 2},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

// Keras's conv_test.py test_bad_init_args and regularization_test: its messages.
TEST(Conv2D, ArgumentErrorsInKerasWording) {
  test::expect_throws_with<ValueError>(
      [] {
        Conv2D(2, {2, 2}, {.strides = 2, .dilation_rate = {2, 1}});
      },
      "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
      "strides=(2, 2) and dilation_rate=(2, 1)");
  test::expect_throws_with<ValueError>([] { Conv1D(2, 2, {.strides = 2, .dilation_rate = 2}); },
                                       "Received: strides=(2,) and dilation_rate=(2,)");
  EXPECT_THROW(Conv2DTranspose(2, 2, {.strides = 2, .dilation_rate = 2}), ValueError);
  // Keras allows both for depthwise and separable convolutions.
  DepthwiseConv2D(2, {.strides = 2, .dilation_rate = 2});
  SeparableConv1D(2, 2, {.strides = 2, .dilation_rate = 2});
  test::expect_throws_with<ValueError>(
      [] { Conv2D(5, 2, {.groups = 0}); },
      "The number of groups must be a positive integer. Received: groups=0.");
  test::expect_throws_with<ValueError>(
      [] { ActivityRegularization({.l1 = -1.0}); },
      "Invalid value for argument l1: expected a non-negative float.Received: l1=-1.0");
}

TEST(Conv1DTranspose, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Conv1DTranspose(3, 3, {.strides = 2, .padding = "same", .output_padding = 1});
          },
      .input_shape = {2, 5, 2},
      .expected_output_shape = {2, 10, 3},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(Conv3DTranspose, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Conv3DTranspose(2, {2, 3, 2}, {.strides = {2, 1, 2}});
          },
      .input_shape = {1, 2, 3, 2, 2},
      .expected_output_shape = {1, 4, 5, 4, 2},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(DepthwiseConv1D, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return DepthwiseConv1D(3, {.strides = 2, .padding = "same", .depth_multiplier = 2});
          },
      .input_shape = {2, 7, 3},
      .expected_output_shape = {2, 4, 6},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(Conv2D, ParameterCountsAsKeras) {
  const KerasTensor x = keras::Input({27, 27, 1});
  Conv2D c(64, 3);
  c(x);
  EXPECT_EQ(c.count_params(), 640);
  Conv2D grouped(6, {2, 2}, {.groups = 2});
  grouped(keras::Input({5, 5, 4}));
  EXPECT_EQ(grouped.count_params(), 2 * 2 * 2 * 6 + 6);
  SeparableConv2D sep(128, 3, {.use_bias = false});
  sep(keras::Input({10, 10, 64}));
  EXPECT_EQ(sep.count_params(), 3 * 3 * 64 + 64 * 128);  // Xception's block2_sepconv2
  Conv2DTranspose t(8, 3);
  t(keras::Input({4, 4, 5}));
  EXPECT_EQ(t.count_params(), 3 * 3 * 8 * 5 + 8);
  DepthwiseConv2D d(3, {.depth_multiplier = 2});
  d(keras::Input({6, 6, 4}));
  EXPECT_EQ(d.count_params(), 3 * 3 * 4 * 2 + 8);
}

TEST(Conv2D, WeightNamesAndShapesAsKeras) {
  Conv2D c(4, {3, 2}, {.groups = 2});
  c(keras::Input({8, 8, 6}));
  ASSERT_EQ(c.weights().size(), 2u);
  EXPECT_EQ(c.weights()[0].name(), "kernel");
  EXPECT_EQ(c.weights()[0].shape(), (Shape{3, 2, 3, 4}));
  EXPECT_EQ(c.weights()[1].name(), "bias");
  SeparableConv1D s(5, 3);
  s(keras::Input({8, 2}));
  EXPECT_EQ(s.weights()[0].name(), "depthwise_kernel");
  EXPECT_EQ(s.weights()[1].name(), "pointwise_kernel");
  EXPECT_EQ(s.weights()[1].shape(), (Shape{1, 2, 5}));
}

TEST(Conv2D, DefaultNamesAreKeras2Style) {
  reset_uids();
  EXPECT_EQ(Conv2D(2, 3).name(), "conv2d_1");
  EXPECT_EQ(Conv2D(2, 3).name(), "conv2d_2");
  EXPECT_EQ(Conv1D(2, 3).name(), "conv1d_1");
  EXPECT_EQ(SeparableConv2D(2, 3).name(), "separable_conv2d_1");
  EXPECT_EQ(DepthwiseConv2D(3).name(), "depthwise_conv2d_1");
  EXPECT_EQ(Conv2DTranspose(2, 3).name(), "conv2d_transpose_1");
  EXPECT_EQ(Conv1DTranspose(2, 3).name(), "conv1d_transpose_1");
  EXPECT_EQ(Conv3DTranspose(2, 3).name(), "conv3d_transpose_1");
  EXPECT_EQ(DepthwiseConv1D(3).name(), "depthwise_conv1d_1");
  EXPECT_EQ(Conv3D(2, 3, {.name = "mine"}).name(), "mine");
}

TEST(Conv2D, InputTooSmallIsAValueErrorAtGraphBuildingTime) {
  const KerasTensor x = keras::Input({2, 2, 1});
  Conv2D c(4, 3, {.name = "tiny"});
  test::expect_throws_with<ValueError>([&] { c(x); }, "Computed output size would be negative");
  test::expect_throws_with<ValueError>([&] { Conv2D(4, 3, {.name = "tiny2"})(x); }, "tiny2");
}

// An output length of exactly -1 (kernel = input + 2) is an error too, not None (kNone is -1).
TEST(Conv2D, OutputLengthMinusOneIsAnErrorNotNone) {
  test::expect_throws_with<ValueError>(
      [] {
        Conv2D(2, 7)(keras::Input({5, 5, 1}));
      },
      "Computed output size would be negative");
  test::expect_throws_with<ValueError>(
      [] {
        Conv1D(2, 6)(keras::Input({4, 1}));
      },
      "Computed output size would be negative");
  test::expect_throws_with<ValueError>(
      [] {
        Conv3D(2, 5)(keras::Input({3, 3, 3, 1}));
      },
      "Computed output size would be negative");
  // A depthwise kernel is (k, k, channels, depth_multiplier).
  test::expect_throws_with<ValueError>(
      [] {
        DepthwiseConv2D(6, {.depth_multiplier = 2})(keras::Input({4, 4, 3}));
      },
      "`kernel shape=(6, 6, 3, 2)`");
}

TEST(Conv2D, NoneSpatialDimsStayNone) {
  const KerasTensor x = keras::Input({std::nullopt, std::nullopt, 3});
  const KerasTensor y = Conv2D(8, 3, {.strides = 2})(x);
  EXPECT_EQ(shape_str(y.shape()), "(None, None, None, 8)");
}

TEST(Conv2D, RejectsBadOptions) {
  EXPECT_THROW(Conv2D(0, 3), ValueError);
  EXPECT_THROW(Conv2D(5, 3, {.groups = 2}), ValueError);
  EXPECT_THROW(Conv2D(4, 3, {.padding = "causal"}), ValueError);
  EXPECT_THROW(Conv2D(4, {3, 3, 3}), ValueError);
  EXPECT_THROW(Conv2D(4, 3, {.groups = 2})(keras::Input({5, 5, 3})), ValueError);
  EXPECT_THROW(Conv2D(4, 3)(keras::Input({5, 3})), ValueError);  // wrong rank
}

TEST(Conv2D, ForwardIsConvPlusBiasThenActivation) {
  Conv2D c(3, 2, {.padding = "same", .activation = "relu", .bias_initializer = "ones"});
  const Tensor x = test::random_tensor({2, 4, 3, 2}, float32, -1, 1, 5);
  const Tensor y = c(x);
  const Tensor expected = ops::relu(
      ops::add(ops::conv(x, c->kernel().value(), {.padding = "same"}), c->bias().value()));
  test::expect_all_close(y, expected, 1e-6, 1e-6);
}

// keras.layers.Convolution2D and the other long names are the same classes.
TEST(Conv2D, KerasLongNamesAreTheSameLayers) {
  static_assert(std::is_same_v<Convolution1D, Conv1D> && std::is_same_v<Convolution2D, Conv2D> &&
                std::is_same_v<Convolution3D, Conv3D> &&
                std::is_same_v<Convolution1DTranspose, Conv1DTranspose> &&
                std::is_same_v<Convolution2DTranspose, Conv2DTranspose> &&
                std::is_same_v<Convolution3DTranspose, Conv3DTranspose> &&
                std::is_same_v<SeparableConvolution1D, SeparableConv1D> &&
                std::is_same_v<SeparableConvolution2D, SeparableConv2D>);
  Convolution2D conv(2, 3);
  EXPECT_EQ(conv->class_name(), "Conv2D");
}

}  // namespace
}  // namespace keras::layers
