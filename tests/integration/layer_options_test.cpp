// Layer options of issue 14: constraints applied by fit, activity regularizers, Embedding's
// initial weights, Sequential's inputs and the single-brace shape options.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/embedding.h"
#include "keras/layers/input_layer.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"

namespace keras {
namespace {

TEST(LayerOptions, FitProjectsConstrainedWeightsAfterEveryStep) {
  auto x = Input({4});
  auto dense = layers::Dense(3, {.kernel_constraint = constraints::NonNeg(),
                                 .bias_constraint = constraints::MaxNorm(0.1)});
  Model m(x, dense(x));
  m.compile({.optimizer = "sgd", .loss = "mse"});
  // Targets far below zero pull the kernel negative at every step; 4 batches (traced, then
  // replayed) must all leave it projected.
  const Tensor xs = test::random_tensor({16, 4}, float32, 0.0, 1.0, 1);
  const Tensor ys = full({16, 3}, -5.0, float32);
  m.fit(xs, ys, {.epochs = 2, .batch_size = 4, .verbose = 0});
  const Tensor k = dense->kernel().value();
  EXPECT_GE(ops::min(k).item<double>(), 0.0);
  EXPECT_LE(std::abs(ops::max(ops::abs(dense->bias().value())).item<double>()), 0.1 + 1e-6);
  // A frozen layer: no projection (Keras constrains the variables it updates).
  auto frozen = layers::Dense(3, {.kernel_initializer = initializers::Constant(-1.0),
                                  .kernel_constraint = constraints::NonNeg()});
  frozen->set_trainable(false);
  Model n(x, layers::Dense(3)(frozen(x)));
  n.compile({.optimizer = "sgd", .loss = "mse"});
  n.fit(xs, ys, {.epochs = 1, .batch_size = 4, .verbose = 0});
  EXPECT_EQ(ops::max(frozen->kernel().value()).item<double>(), -1.0);
}

// Keras 3: the penalty of each output divided by its batch size, added to the loss; its config
// round-trips on any layer.
TEST(LayerOptions, ActivityRegularizerAddsItsPenaltyPerCall) {
  auto x = Input({2});
  auto dense = layers::Dense(
      2, {.kernel_initializer = "ones", .activity_regularizer = regularizers::L2(0.1)});
  Model m(x, dense(x));
  const Tensor xs = test::tensor_of({1, 2, 3, 4, 5, 6}, {3, 2}, float32);
  const Tensor y = m.call({xs})[0];
  const Tensors losses = m->losses();
  ASSERT_EQ(losses.size(), 1u);
  const double expected = 0.1 * ops::sum(ops::square(y)).item<double>() / 3.0;
  EXPECT_NEAR(losses[0].item<double>(), expected, 1e-6 * expected);
  m.call({xs});  // the next call replaces the penalties of the last one
  EXPECT_EQ(m->losses().size(), 1u);
  // A shared layer: one penalty per call, each divided by its own batch.
  auto a = Input({2});
  auto b = Input({2});
  Model shared({a, b}, {dense(a), dense(b)});
  shared.call({xs, ops::multiply(xs, 2.0)});
  const Tensors two = shared->losses();
  ASSERT_EQ(two.size(), 2u);
  const double lo = std::min(two[0].item<double>(), two[1].item<double>());
  const double hi = std::max(two[0].item<double>(), two[1].item<double>());
  EXPECT_NEAR(hi, 4 * lo, 1e-5 * hi);  // 2x the inputs: 4x the squares
  EXPECT_NEAR(lo, expected, 1e-6 * expected);
  // Saved with every layer, read back by from_config.
  auto flatten = layers::Flatten();
  flatten->set_activity_regularizer(regularizers::L1(0.5));
  auto z = Input({2, 2});
  Model f(z, flatten(z));
  const Json config = f.get_config();
  EXPECT_EQ(config["layers"][1]["config"]["activity_regularizer"]["config"]["l1"], 0.5);
  const Model back = models::model_from_json(f.to_json());
  EXPECT_EQ(back.get_config(), config);
  EXPECT_FALSE(config["layers"][0]["config"].contains("activity_regularizer"));
}

TEST(LayerOptions, EmbeddingWeightsAndTensorInitializers) {
  const Tensor table = test::tensor_of({1, 2, 3, 4, 5, 6}, {3, 2}, float32);
  auto e = layers::Embedding(3, 2, {.weights = table});
  EXPECT_TRUE(e.built());
  test::expect_all_close(e->embeddings().value(), table, 0, 0);
  test::expect_throws_with<ValueError>(
      [&] { layers::Embedding(4, 2, {.weights = table}); },
      "Layer weight shape (4, 2) not compatible with provided weight shape (3, 2)");
  auto f = layers::Embedding(3, 2, {.embeddings_initializer = initializers::Initializer(table)});
  auto ids = Input({2}, {.dtype = int32});
  Model m(ids, f(ids));
  test::expect_all_close(f->embeddings().value(), table, 0, 0);
  test::expect_throws_with<ValueError>(
      [&] {
        auto g =
            layers::Embedding(5, 2, {.embeddings_initializer = initializers::Initializer(table)});
        g(ids);
      },
      "Expected `shape` to be (3, 2) for direct tensor as initializer. Received shape=(5, 2)");
}

TEST(LayerOptions, SequentialTakesAnInputOrAModelFirst) {
  Sequential s;
  s.add(Input({4}, {.dtype = float32}));
  EXPECT_FALSE(s->built());
  s.add(layers::Dense(3));
  EXPECT_TRUE(s->built());
  EXPECT_EQ(s.outputs()[0].shape(), (Shape{kNone, 3}));
  test::expect_throws_with<ValueError>(
      [&] { s.add(Input({5})); },
      "has already been configured to use input shape (None, 4). You cannot add a different "
      "Input layer to it.");
  // Layers before the Input: built when it comes.
  Sequential t;
  t.add(layers::Dense(2));
  EXPECT_EQ(t->compute_output_shape({{kNone, 7}}), (std::vector<Shape>{{kNone, 2}}));
  t.add(Input({7}));
  EXPECT_TRUE(t->built());
  // A model first: its input.
  auto x = Input({6});
  Model inner(x, layers::Dense(5)(x));
  Sequential u;
  u.add(inner);
  u.add(layers::Dense(1));
  EXPECT_TRUE(u->built());
  EXPECT_EQ(u.outputs()[0].shape(), (Shape{kNone, 1}));
  EXPECT_EQ(u->compute_output_shape({{8, 6}}), (std::vector<Shape>{{8, 1}}));
}

// `{.input_shape = {64}}`, as a Keras user writes input_shape=(64,), for every shape option.
TEST(LayerOptions, ShapeOptionsTakeSingleBraces) {
  auto d = layers::Dense(32, {.input_shape = {64}});
  EXPECT_EQ(*d->batch_input_shape(), (Shape{kNone, 64}));
  auto d2 = layers::Dense(32, {.input_shape = {{64}}});  // the old spelling still means (64,)
  EXPECT_EQ(*d2->batch_input_shape(), (Shape{kNone, 64}));
  auto r = layers::Dropout(0.5, {.noise_shape = {std::nullopt, 1}, .input_shape = {10, 3}});
  EXPECT_EQ(*r->batch_input_shape(), (Shape{kNone, 10, 3}));
  Sequential s({layers::Dense(4, {.input_shape = {3}}), layers::Dense(1)});
  EXPECT_TRUE(s->built());
}

}  // namespace
}  // namespace keras
