// keras::ops on KerasTensors build graph nodes that train like any layer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <keras/keras.hpp>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace L = keras::layers;

TEST(SymbolicOps, ShapesKeepNoneDimensions) {
  utils::clear_session();
  auto x = Input({std::nullopt, 8});
  auto y = ops::sum(ops::relu(x), {-1});
  EXPECT_EQ(y.shape(), (Shape{kNone, kNone}));
  auto z = ops::reshape(Input({6}), {-1, 2, 3});
  EXPECT_EQ(z.shape(), (Shape{kNone, 2, 3}));
  auto m = ops::matmul(Input({4}), random::uniform({4, 5}));
  EXPECT_EQ(m.shape(), (Shape{kNone, 5}));
  EXPECT_EQ(ops::argmax(Input({3})).dtype(), int32);
  EXPECT_EQ(ops::concatenate({Input({2}), Input({3})}, -1).shape(), (Shape{kNone, 5}));
}

TEST(SymbolicOps, ModelWithOpsTrainsAndMatchesEager) {
  utils::clear_session();
  utils::set_random_seed(3);
  auto a = Input({4}, {.name = "a"});
  auto b = Input({4}, {.name = "b"});
  auto h = L::Dense(8)(a);
  auto mixed = ops::relu(h) + ops::multiply(L::Dense(8)(b), 0.5);
  auto out = L::Dense(1, {.activation = "sigmoid"})(ops::tanh(mixed));
  Model model({a, b}, out);
  EXPECT_THAT(model.summary_string(), ::testing::HasSubstr("add_1 (Add)"));
  Tensor xa = random::uniform({64, 4}), xb = random::uniform({64, 4});
  Tensor y = ops::cast(ops::greater(ops::sum(xa, {-1}, true), 2.0), float32);
  model.compile(
      {.optimizer = optimizers::Adam({.learning_rate = 0.02}), .loss = "binary_crossentropy"});
  auto h1 = model.fit({xa, xb}, y, {.epochs = 20, .batch_size = 16, .verbose = 0});
  EXPECT_LT(h1.history.at("loss").back(), h1.history.at("loss").front());
  Tensor p1 = model.predict({xa, xb});
  Tensor p2 = model.call({xa, xb})[0];
  // predict() runs batches of 32, call() all 64 rows at once: other GEMM shapes, so equal to
  // float32 rounding of these 4- and 8-term dot products, not bit-equal.
  test::expect_all_close(p1, p2, /*rtol=*/1e-5, /*atol=*/1e-6);
}

TEST(SymbolicOps, BadShapesFailAtGraphBuildTime) {
  auto x = Input({4});
  EXPECT_THROW(ops::matmul(x, random::uniform({5, 2})), ValueError);
  EXPECT_THROW(ops::add(Input({3}), Input({4})), ValueError);
}

}  // namespace
}  // namespace keras
