#include "keras/layers/adaptive_pooling.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/input_layer.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

TEST(AdaptiveAveragePooling2D, ContractUnevenWindows) {
  test::run_layer_test({
      .make_layer =
          [] {
            return AdaptiveAveragePooling2D({3, 2});
          },
      .input_shape = {2, 5, 7, 3},
      .expected_output_shape = {2, 3, 2, 3},
  });
}

TEST(AdaptiveMaxPooling2D, ContractChannelsFirst) {
  test::run_layer_test({
      .make_layer = [] { return AdaptiveMaxPooling2D(2, {.data_format = "channels_first"}); },
      .input_shape = {2, 3, 5, 4},
      .expected_output_shape = {2, 3, 2, 2},
  });
}

TEST(AdaptiveAveragePooling1D, ContractUpsamples) {
  test::run_layer_test({
      .make_layer = [] { return AdaptiveAveragePooling1D(5); },
      .input_shape = {2, 3, 2},
      .expected_output_shape = {2, 5, 2},
  });
}

TEST(AdaptiveMaxPooling1D, Contract) {
  test::run_layer_test({
      .make_layer = [] { return AdaptiveMaxPooling1D(3); },
      .input_shape = {2, 7, 2},
      .expected_output_shape = {2, 3, 2},
  });
}

TEST(AdaptiveAveragePooling3D, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return AdaptiveAveragePooling3D({2, 1, 3});
          },
      .input_shape = {1, 3, 4, 5, 2},
      .expected_output_shape = {1, 2, 1, 3, 2},
  });
}

TEST(AdaptiveMaxPooling3D, Contract) {
  test::run_layer_test({
      .make_layer = [] { return AdaptiveMaxPooling3D(2); },
      .input_shape = {1, 3, 3, 5, 1},
      .expected_output_shape = {1, 2, 2, 2, 1},
  });
}

// L = 5 into 3: the windows [0, 2), [1, 4) and [3, 5) (floor(i L / n), ceil((i + 1) L / n)).
TEST(AdaptivePooling, WindowsAsKeras) {
  const Tensor x = test::tensor_of({1, 2, 3, 4, 5}, {1, 5, 1}, float32);
  test::expect_all_close(AdaptiveAveragePooling1D(3)(x),
                         test::tensor_of({1.5, 3, 4.5}, {1, 3, 1}, float32), 1e-7, 0);
  test::expect_all_close(AdaptiveMaxPooling1D(3)(x), test::tensor_of({2, 4, 5}, {1, 3, 1}, float32),
                         0, 0);
  // More outputs than inputs: 2 into 3 gives [0, 1), [0, 2), [1, 2).
  const Tensor y = test::tensor_of({2, 4}, {1, 2, 1}, float32);
  test::expect_all_close(AdaptiveAveragePooling1D(3)(y),
                         test::tensor_of({2, 3, 4}, {1, 3, 1}, float32), 0, 0);
}

TEST(AdaptivePooling, UnknownSpatialDimsGiveTheOutputSize) {
  utils::clear_session();
  AdaptiveMaxPooling2D pool({4, 4});
  const KerasTensor y = pool(keras::Input({std::nullopt, std::nullopt, 8}));
  EXPECT_EQ(shape_str(y.shape()), "(None, 4, 4, 8)");
  EXPECT_EQ(pool.name(), "adaptive_max_pooling2d_1");
  EXPECT_EQ(shape_str(pool(ones({1, 9, 13, 8})).shape()), "(1, 4, 4, 8)");
}

TEST(AdaptivePooling, ErrorsAndConfig) {
  EXPECT_THROW(AdaptiveAveragePooling2D({1, 2, 3}), TypeError);
  EXPECT_THROW(AdaptiveAveragePooling2D(0), ValueError);
  EXPECT_THROW(AdaptiveMaxPooling1D(2, {.data_format = "nhwc"}), ValueError);
  EXPECT_THROW(AdaptiveMaxPooling1D(2)(ones({1, 0, 3})), ValueError);
  EXPECT_THROW(AdaptiveMaxPooling2D(2)(keras::Input({4, 3})), ValueError);  // ndim 3
  AdaptiveAveragePooling3D pool({2, 3, 4}, {.data_format = "channels_first", .name = "p"});
  const Json c = pool->get_config();
  EXPECT_EQ(c["output_size"], Json::array({2, 3, 4}));
  EXPECT_EQ(c["data_format"], "channels_first");
  const auto back = AdaptivePoolingImpl::from_config<PoolingKind::average, 3>(c);
  EXPECT_EQ(back->get_config(), c);
  EXPECT_EQ(back->class_name(), "AdaptiveAveragePooling3D");
}

}  // namespace
}  // namespace keras::layers
