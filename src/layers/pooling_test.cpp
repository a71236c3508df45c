#include "keras/layers/pooling.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/layers/input_layer.h"

namespace keras::layers {
namespace {

test::LayerTestCase pooling_case(std::function<LayerRef()> make, Shape in, Shape out) {
  return {.make_layer = std::move(make),
          .input_shape = std::move(in),
          .expected_output_shape = std::move(out)};
}

TEST(MaxPooling1D, Contract) {
  test::run_layer_test(pooling_case([] { return MaxPooling1D(5); }, {2, 11, 3}, {2, 2, 3}));
}
TEST(MaxPooling2D, SameStride1KeepsTheSize) {
  test::run_layer_test(pooling_case(
      [] {
        return MaxPooling2D({3, 3}, {.strides = 1, .padding = "same"});
      },
      {1, 4, 5, 2}, {1, 4, 5, 2}));
}
TEST(MaxPooling2D, DefaultPoolIs2) {
  test::run_layer_test(pooling_case([] { return MaxPooling2D(); }, {2, 5, 4, 3}, {2, 2, 2, 3}));
}
TEST(MaxPooling2D, ChannelsFirst) {
  test::run_layer_test(
      pooling_case([] { return MaxPooling2D(2, {.data_format = "channels_first"}); }, {1, 3, 4, 5},
                   {1, 3, 2, 2}));
}
TEST(MaxPooling3D, Contract) {
  test::run_layer_test(pooling_case([] { return MaxPooling3D(2, {.padding = "same"}); },
                                    {1, 3, 3, 2, 2}, {1, 2, 2, 1, 2}));
}
TEST(AveragePooling1D, Contract) {
  test::run_layer_test(
      pooling_case([] { return AveragePooling1D(3, {.strides = 2}); }, {2, 9, 3}, {2, 4, 3}));
}
TEST(AveragePooling2D, SamePadding) {
  test::run_layer_test(pooling_case([] { return AveragePooling2D(2, {.padding = "same"}); },
                                    {1, 5, 5, 2}, {1, 3, 3, 2}));
}
TEST(AveragePooling3D, Contract) {
  test::run_layer_test(pooling_case(
      [] {
        return AveragePooling3D({2, 2, 1});
      },
      {1, 4, 4, 3, 2}, {1, 2, 2, 3, 2}));
}

TEST(AveragePooling2D, SamePaddingAveragesOverValidElementsOnly) {
  const Tensor x = ones({1, 3, 3, 1});
  const Tensor y = AveragePooling2D(2, {.padding = "same"})(x);
  test::expect_all_close(y, ones({1, 2, 2, 1}), 0, 0);
}

TEST(GlobalPooling, Contracts) {
  test::run_layer_test(pooling_case([] { return GlobalMaxPooling1D(); }, {2, 5, 3}, {2, 3}));
  test::run_layer_test(pooling_case([] { return GlobalMaxPooling2D({.keepdims = true}); },
                                    {2, 3, 4, 3}, {2, 1, 1, 3}));
  test::run_layer_test(pooling_case([] { return GlobalMaxPooling3D(); }, {1, 2, 3, 2, 4}, {1, 4}));
  test::run_layer_test(pooling_case(
      [] { return GlobalAveragePooling1D({.data_format = "channels_first"}); }, {2, 3, 5}, {2, 3}));
  test::run_layer_test(pooling_case([] { return GlobalAveragePooling2D(); }, {2, 3, 4, 3}, {2, 3}));
  test::run_layer_test(pooling_case([] { return GlobalAveragePooling3D({.keepdims = true}); },
                                    {1, 2, 3, 2, 4}, {1, 1, 1, 1, 4}));
}

TEST(Pooling, DefaultNamesAndClassNames) {
  reset_uids();
  MaxPooling2D m;
  EXPECT_EQ(m.name(), "max_pooling2d_1");
  EXPECT_EQ(m.class_name(), "MaxPooling2D");
  EXPECT_EQ(AveragePooling1D().name(), "average_pooling1d_1");
  EXPECT_EQ(GlobalMaxPooling1D().name(), "global_max_pooling1d_1");
  EXPECT_EQ(GlobalAveragePooling2D().class_name(), "GlobalAveragePooling2D");
}

TEST(Pooling, InputTooSmallIsAValueErrorAtGraphBuildingTime) {
  const KerasTensor x = keras::Input({4, 3});
  test::expect_throws_with<ValueError>([&] { MaxPooling1D(5, {.name = "pool"})(x); },
                                       "Computed output size would be negative");
}

// Keras 3: GlobalAveragePooling1D supports masking (it averages the unmasked steps) and its
// output carries no mask.
TEST(Pooling, GlobalAveragePooling1DConsumesTheMask) {
  EXPECT_TRUE(GlobalAveragePooling1D()->supports_masking());
  EXPECT_FALSE(GlobalMaxPooling1D()->supports_masking());
  Tensor x = test::random_tensor({2, 3, 4}, float32, -1, 1, 5);
  x.set_keras_mask(Tensor::from_vector<bool>({true, true, false, true, false, false}, {2, 3}));
  EXPECT_FALSE(GlobalAveragePooling1D()(x).keras_mask().defined());
}

}  // namespace
}  // namespace keras::layers
