#include "keras/layers/spatial_reshaping.h"

#include <gtest/gtest.h>

#include "goldens/normalization_goldens.h"
#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/layers/input_layer.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

template <size_t K>
Tensor golden(const double (&values)[K], Shape shape) {
  return test::tensor_of(std::vector<double>(values, values + K), std::move(shape));
}

std::string symbolic_shape(LayerRef layer, std::vector<Dim> input) {
  return shape_str(layer(keras::Input(std::move(input))).shape());
}

// 0, 1, 2, ... as float32 of `shape`.
Tensor iota(Shape shape) {
  return arange(num_elements(shape), float32).reshape(std::move(shape));
}

// ---- contracts ----

TEST(ZeroPadding1D, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return ZeroPadding1D({1, 2});
          },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 6, 4},
  });
}

TEST(ZeroPadding2D, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return ZeroPadding2D({{1, 0}, {2, 1}});
          },
      .input_shape = {2, 3, 2, 2},
      .expected_output_shape = {2, 4, 5, 2},
  });
}

TEST(ZeroPadding3D, ContractChannelsFirst) {
  test::run_layer_test({
      .make_layer =
          [] {
            return ZeroPadding3D({1, 0, 2}, {.data_format = "channels_first"});
          },
      .input_shape = {1, 2, 2, 2, 2},
      .expected_output_shape = {1, 2, 4, 2, 6},
  });
}

TEST(Cropping1D, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Cropping1D(); },
      .input_shape = {2, 5, 3},
      .expected_output_shape = {2, 3, 3},
  });
}

TEST(Cropping2D, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Cropping2D({{1, 0}, {0, 2}}, {.data_format = "channels_first"});
          },
      .input_shape = {2, 2, 4, 5},
      .expected_output_shape = {2, 2, 3, 3},
  });
}

TEST(Cropping3D, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Cropping3D(); },
      .input_shape = {1, 3, 4, 3, 2},
      .expected_output_shape = {1, 1, 2, 1, 2},
  });
}

TEST(UpSampling1D, Contract) {
  test::run_layer_test({
      .make_layer = [] { return UpSampling1D(3); },
      .input_shape = {2, 2, 3},
      .expected_output_shape = {2, 6, 3},
  });
}

TEST(UpSampling2D, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return UpSampling2D({2, 3});
          },
      .input_shape = {2, 2, 2, 3},
      .expected_output_shape = {2, 4, 6, 3},
  });
}

TEST(UpSampling2D, ContractBilinear) {
  test::run_layer_test({
      .make_layer =
          [] {
            return UpSampling2D({2, 3}, {.interpolation = "bilinear"});
          },
      .input_shape = {2, 3, 2, 2},
      .expected_output_shape = {2, 6, 6, 2},
  });
}

TEST(UpSampling2D, ContractBicubicChannelsFirst) {
  test::run_layer_test({
      .make_layer =
          [] {
            return UpSampling2D(2, {.data_format = "channels_first", .interpolation = "BiCubic"});
          },
      .input_shape = {2, 2, 3, 4},
      .expected_output_shape = {2, 2, 6, 8},
  });
}

TEST(UpSampling2D, ContractLanczos5) {
  test::run_layer_test({
      .make_layer =
          [] {
            return UpSampling2D({1, 2}, {.interpolation = "lanczos5"});
          },
      .input_shape = {1, 2, 6, 2},
      .expected_output_shape = {1, 2, 12, 2},
  });
}

TEST(UpSampling3D, ContractChannelsFirst) {
  test::run_layer_test({
      .make_layer = [] { return UpSampling3D(2, {.data_format = "channels_first"}); },
      .input_shape = {1, 2, 2, 1, 2},
      .expected_output_shape = {1, 2, 4, 2, 4},
  });
}

// ---- output shapes (Keras's rules, None kept) ----

TEST(SpatialReshaping, OutputShapesFollowKeras) {
  EXPECT_EQ(symbolic_shape(ZeroPadding1D(), {5, 3}), "(None, 7, 3)");
  EXPECT_EQ(symbolic_shape(ZeroPadding1D(2, {.data_format = "channels_first"}), {5, 3}),
            "(None, 5, 7)");
  EXPECT_EQ(symbolic_shape(ZeroPadding2D(), {Dim{}, 4, 3}), "(None, None, 6, 3)");
  EXPECT_EQ(symbolic_shape(ZeroPadding2D({1, 2}), {4, 4, 3}), "(None, 6, 8, 3)");
  EXPECT_EQ(symbolic_shape(ZeroPadding3D(), {2, 3, 4, 1}), "(None, 4, 5, 6, 1)");
  EXPECT_EQ(symbolic_shape(Cropping1D({2, 0}), {Dim{}, 3}), "(None, None, 3)");
  EXPECT_EQ(symbolic_shape(Cropping2D(), {4, 5, 3}), "(None, 4, 5, 3)");
  EXPECT_EQ(symbolic_shape(Cropping2D(1, {.data_format = "channels_first"}), {3, 4, 5}),
            "(None, 3, 2, 3)");
  EXPECT_EQ(symbolic_shape(Cropping3D({1, {0, 2}, 0}), {4, 5, 6, 2}), "(None, 2, 3, 6, 2)");
  EXPECT_EQ(symbolic_shape(UpSampling1D(), {Dim{}, 3}), "(None, None, 3)");
  EXPECT_EQ(symbolic_shape(UpSampling2D(), {3, 4, 2}), "(None, 6, 8, 2)");
  EXPECT_EQ(symbolic_shape(UpSampling2D({1, 3}, {.data_format = "channels_first"}), {2, 3, 4}),
            "(None, 2, 3, 12)");
  EXPECT_EQ(symbolic_shape(UpSampling3D({1, 2, 3}), {2, 2, 2, 5}), "(None, 2, 4, 6, 5)");
}

TEST(SpatialReshaping, DefaultNamesAndClassNamesFollowKeras) {
  utils::clear_session();
  EXPECT_EQ(ZeroPadding1D().name(), "zero_padding1d_1");
  EXPECT_EQ(ZeroPadding2D().name(), "zero_padding2d_1");
  EXPECT_EQ(ZeroPadding2D().name(), "zero_padding2d_2");
  EXPECT_EQ(ZeroPadding3D().name(), "zero_padding3d_1");
  EXPECT_EQ(Cropping1D().name(), "cropping1d_1");
  EXPECT_EQ(Cropping2D().name(), "cropping2d_1");
  EXPECT_EQ(Cropping3D().name(), "cropping3d_1");
  EXPECT_EQ(UpSampling1D().name(), "up_sampling1d_1");
  EXPECT_EQ(UpSampling2D().name(), "up_sampling2d_1");
  EXPECT_EQ(UpSampling3D().name(), "up_sampling3d_1");
  EXPECT_EQ(ZeroPadding2D().class_name(), "ZeroPadding2D");
  EXPECT_EQ(Cropping3D().class_name(), "Cropping3D");
  EXPECT_EQ(UpSampling1D().class_name(), "UpSampling1D");
}

// ---- values ----

TEST(ZeroPadding2D, MatchesKerasChannelsFirst) {
  ZeroPadding2D pad({{1, 2}, {0, 1}}, {.data_format = "channels_first"});
  pad->set_dtype(float64);
  test::expect_all_close(pad(golden(goldens::kSpatialInput, {1, 2, 2, 3})),
                         golden(goldens::kZeroPadding2DOutput, {1, 2, 5, 4}), 0, 0);
}

TEST(UpSampling2D, MatchesKerasChannelsFirst) {
  UpSampling2D up({2, 3}, {.data_format = "channels_first"});
  up->set_dtype(float64);
  test::expect_all_close(up(golden(goldens::kSpatialInput, {1, 2, 2, 3})),
                         golden(goldens::kUpSampling2DOutput, {1, 2, 4, 9}), 0, 0);
}

TEST(ZeroPadding1D, PadsTheStepsAxis) {
  // (1, 2, 2): steps [[0, 1], [2, 3]] padded (1, 2).
  test::expect_all_close(ZeroPadding1D({1, 2})(iota({1, 2, 2})),
                         test::tensor_of({0, 0, 0, 1, 2, 3, 0, 0, 0, 0}, {1, 5, 2}, float32), 0, 0);
}

TEST(Cropping2D, KeepsTheMiddle) {
  // (1, 3, 4, 1) = 0..11 row-major; crop one row at the top, one column left and two right.
  test::expect_all_close(Cropping2D({{1, 0}, {1, 2}})(iota({1, 3, 4, 1})),
                         test::tensor_of({5, 9}, {1, 2, 1, 1}, float32), 0, 0);
}

TEST(Cropping1D, KeepsTheMiddleSteps) {
  test::expect_all_close(Cropping1D({0, 2})(iota({1, 4, 1})),
                         test::tensor_of({0, 1}, {1, 2, 1}, float32), 0, 0);
}

TEST(UpSampling1D, RepeatsSteps) {
  test::expect_all_close(UpSampling1D(2)(iota({1, 2, 2})),
                         test::tensor_of({0, 1, 0, 1, 2, 3, 2, 3}, {1, 4, 2}, float32), 0, 0);
}

TEST(UpSampling3D, RepeatsEveryAxis) {
  const Tensor y = UpSampling3D({2, 1, 3})(iota({1, 2, 1, 2, 1}));
  ASSERT_EQ(shape_str(y.shape()), "(1, 4, 1, 6, 1)");
  EXPECT_EQ(test::to_doubles(y), (std::vector<double>{0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1,  //
                                                      2, 2, 2, 3, 3, 3, 2, 2, 2, 3, 3, 3}));
}

TEST(ZeroPadding2D, IntegerInputsKeepTheirDtype) {
  const Tensor x = test::tensor_of({1, 2}, {1, 1, 2, 1}, int32);
  const Tensor y = ZeroPadding2D(1)(x);
  EXPECT_EQ(y.dtype(), int32);
  EXPECT_EQ(shape_str(y.shape()), "(1, 3, 4, 1)");
}

// ---- errors ----

TEST(Cropping2D, CroppingEverythingIsAGraphBuildingError) {
  test::expect_throws_with<ValueError>(
      [] {
        Cropping2D({{2, 2}, {0, 0}}, {.name = "crop"})(keras::Input({4, 5, 3}));
      },
      "\"crop\" (type Cropping2D): Values in `cropping` argument should be smaller than the "
      "corresponding spatial dimension of the input. Received: input_shape=(None, 4, 5, 3), "
      "cropping=((2, 2), (0, 0))");
  test::expect_throws_with<ValueError>(
      [] {
        Cropping1D({2, 1}, {.name = "crop1"})(keras::Input({3, 2}));
      },
      "`cropping` parameter of `Cropping1D` layer must be smaller than the input length");
  // Unknown sizes are checked when a concrete input arrives.
  Cropping2D crop({3, 0}, {.name = "crop_late"});
  crop(keras::Input({Dim{}, 4, 1}));
  test::expect_throws_with<ValueError>([&] { crop(zeros({1, 6, 4, 1})); }, "crop_late");
}

TEST(SpatialReshaping, BadArgumentsAreValueErrors) {
  test::expect_throws_with<ValueError>(
      [] {
        ZeroPadding2D({1, 2, 3});
      },
      "`padding` should have 2 elements");
  test::expect_throws_with<ValueError>([] { ZeroPadding2D({{1, -1}, 0}); }, "must be non-negative");
  test::expect_throws_with<ValueError>(
      [] {
        Cropping3D({1, 1});
      },
      "`cropping` should have 3 elements");
  EXPECT_THROW(UpSampling2D(0), ValueError);
  EXPECT_THROW(UpSampling1D(-1), ValueError);
  EXPECT_THROW(UpSampling2D({2, 2, 2}), ValueError);
  test::expect_throws_with<ValueError>(
      [] { UpSampling2D(2, {.interpolation = "cubic"}); },
      "Invalid value for argument `interpolation`. Expected of one ('bilinear', 'nearest', "
      "'lanczos3', 'lanczos5', 'bicubic', 'area', 'gaussian', 'mitchellcubic'). Received: "
      "interpolation=cubic");
  EXPECT_THROW(UpSampling1D(2, {.interpolation = "bilinear"}), ValueError);
  EXPECT_THROW(ZeroPadding2D(1, {.data_format = "NHWC"}), ValueError);
  EXPECT_THROW(Cropping1D(1, {.data_format = "channels_first"}), ValueError);
  test::expect_throws_with<ValueError>(
      [] {
        UpSampling2D(2, {.name = "up"})(keras::Input({4, 4}));
      },
      "up");
}

}  // namespace
}  // namespace keras::layers
