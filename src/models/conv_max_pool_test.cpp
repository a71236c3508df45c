// A Conv2D read only by a MaxPooling2D runs as one op (layers/conv_max_pool.h): which pairs the
// plan takes, and that models give what the two layers give.
#include <gtest/gtest.h>

#include <keras/keras.hpp>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

// The guide's shared vision tower: Conv2D(64, 3) twice, MaxPooling2D(2), Flatten.
Model vision_tower(layers::Conv2D& first, layers::Conv2D& second, layers::MaxPooling2D& pool) {
  auto digit = Input({27, 27, 1});
  return Model(digit, layers::Flatten()(pool(second(first(digit)))));
}

TEST(ConvMaxPool, TheGuidesTowerPairsItsSecondConvolutionWithThePooling) {
  utils::set_random_seed(3);
  layers::Conv2D first(64, {3, 3}), second(64, {3, 3});
  layers::MaxPooling2D pool({2, 2});
  Model tower = vision_tower(first, second, pool);
  EXPECT_EQ(tower.impl().max_pool_pairs(), 1);
  const Tensor x = random::uniform({5, 27, 27, 1}, 0, 1, float32, 4);
  // Against the layers called one by one (other kernels: the tiles pool, float32 rounding).
  const Tensor expected = ops::reshape(pool(second(first(x))), {5, 11 * 11 * 64});
  test::expect_all_close(tower.predict_on_batch(Data{x})[0], expected, 1e-5, 1e-6);
  // Training gradients, through the model and through the layers one by one.
  auto gradients = [&](bool through_model) {
    autodiff::GradientTape tape;
    const Tensor y = through_model ? tower(x, /*training=*/true)
                                   : ops::reshape(pool(second(first(x))), {5, 11 * 11 * 64});
    const Tensor r = random::uniform(y.shape(), -1, 1, float32, 5);
    std::vector<Variable> vars = tower.trainable_weights();
    Tensors values;
    for (const Variable& v : vars) values.push_back(v.value());
    return tape.gradient(ops::sum(ops::multiply(y, r)), values);
  };
  const Tensors fused = gradients(true), layered = gradients(false);
  ASSERT_EQ(fused.size(), 4u);
  for (size_t i = 0; i < fused.size(); ++i) {
    SCOPED_TRACE(i);
    test::expect_all_close(fused[i], layered[i], 1e-4, 1e-5);
  }
}

TEST(ConvMaxPool, OnlyALinearConv2DWithABiasThatOnlyAMaxPooling2DReads) {
  auto x = Input({12, 12, 16});
  auto conv = [](const layers::ConvOptions& o = {}) { return layers::Conv2D(16, {3, 3}, o); };
  auto pairs = [](const KerasTensor& in, const KerasTensors& out) {
    return Model(in, out).impl().max_pool_pairs();
  };
  EXPECT_EQ(pairs(x, {layers::MaxPooling2D(2)(conv()(x))}), 1);
  EXPECT_EQ(pairs(x, {layers::MaxPooling2D(2)(conv({.padding = "same"})(x))}), 1);
  auto c = conv()(x);  // also a model output
  EXPECT_EQ(pairs(x, {layers::MaxPooling2D(2)(c), c}), 0);
  auto d = conv()(x);  // also read by another layer
  EXPECT_EQ(pairs(x, {layers::add({layers::MaxPooling2D(2)(d), layers::MaxPooling2D(2)(d)})}), 0);
  EXPECT_EQ(pairs(x, {layers::MaxPooling2D(2)(conv({.activation = "relu"})(x))}), 0);
  EXPECT_EQ(pairs(x, {layers::MaxPooling2D(2)(conv({.use_bias = false})(x))}), 0);
  EXPECT_EQ(pairs(x, {layers::MaxPooling2D(3)(conv()(x))}), 0);
  EXPECT_EQ(pairs(x, {layers::MaxPooling2D(2, {.strides = 1})(conv()(x))}), 0);
  EXPECT_EQ(pairs(x, {layers::MaxPooling2D(2, {.padding = "same"})(conv()(x))}), 0);
  EXPECT_EQ(pairs(x, {layers::AveragePooling2D(2)(conv()(x))}), 0);
}

// An activity regularizer set on the convolution after the model was built: the pair runs as two
// layers from then on, so the penalty is there.
TEST(ConvMaxPool, ARegularizerSetLaterUnpairsTheLayers) {
  utils::set_random_seed(8);
  auto x = Input({10, 10, 16});
  layers::Conv2D conv(16, {3, 3});
  Model model(x, layers::MaxPooling2D(2)(conv(x)));
  EXPECT_EQ(model.impl().max_pool_pairs(), 1);
  const Tensor in = random::uniform({2, 10, 10, 16}, -1, 1, float32, 9);
  model(in);
  EXPECT_TRUE(model.impl().losses().empty());
  conv.impl().set_activity_regularizer(regularizers::L2(0.01));
  const Tensor out = model(in);
  ASSERT_EQ(model.impl().losses().size(), 1u);
  EXPECT_GT(model.impl().losses()[0].item<double>(), 0);
  test::expect_all_close(out, ops::max_pool(conv(in), {2, 2}), 0, 0);
}

// A pair whose convolution is also a model output keeps both layers' results.
TEST(ConvMaxPool, UnpairedConvolutionsStillGiveTheirOutputs) {
  utils::set_random_seed(6);
  auto x = Input({10, 10, 16});
  layers::Conv2D conv(16, {3, 3});
  auto c = conv(x);
  Model model(x, {layers::MaxPooling2D(2)(c), c});
  EXPECT_EQ(model.impl().max_pool_pairs(), 0);
  const Tensor in = random::uniform({2, 10, 10, 16}, -1, 1, float32, 7);
  const Tensors out = model.predict_on_batch(Data{in});
  test::expect_all_close(out[1], conv(in), 0, 0);
  test::expect_all_close(out[0], ops::max_pool(conv(in), {2, 2}), 0, 0);
}

}  // namespace
}  // namespace keras
