#include "keras/layers/embedding.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"

namespace keras::layers {
namespace {

TEST(Embedding, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Embedding(10, 3); },
      .input_shape = {2, 4},
      .expected_output_shape = {2, 4, 3},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
      .input_dtype = int32,
      .input_lo = 0,
      .input_hi = 9,
  });
}

TEST(Embedding, ContractWithInt64IdsOfRank3) {
  test::run_layer_test({
      .make_layer = [] { return Embedding({.input_dim = 6, .output_dim = 2}); },
      .input_shape = {2, 3, 2},
      .expected_output_shape = {2, 3, 2, 2},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
      .input_dtype = int64,
      .input_lo = 0,
      .input_hi = 5,
  });
}

TEST(Embedding, ContractWithOneIdPerSample) {
  test::run_layer_test({
      .make_layer = [] { return Embedding(5, 4); },
      .input_shape = {3},
      .expected_output_shape = {3, 4},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
      .input_dtype = int32,
      .input_lo = 0,
      .input_hi = 4,
  });
}

TEST(Embedding, SymbolicShapesKeepNoneDimensions) {
  const KerasTensor ids = keras::Input({std::nullopt}, {.dtype = int32});
  const KerasTensor y = Embedding(10000, 64)(ids);
  EXPECT_EQ(shape_str(y.shape()), "(None, None, 64)");
  EXPECT_EQ(y.dtype(), float32);
  const KerasTensor fixed = Embedding(100, 8)(keras::Input({100}, {.dtype = int64}));
  EXPECT_EQ(shape_str(fixed.shape()), "(None, 100, 8)");
}

TEST(Embedding, OutputRowsAreTheEmbeddingsOfTheIds) {
  Embedding e(5, 3);
  const Tensor ids = Tensor::from_vector<int32_t>({4, 0, 2, 2}, {2, 2});
  const Tensor y = e(ids);
  ASSERT_EQ(shape_str(y.shape()), "(2, 2, 3)");
  const std::vector<double> table = test::to_doubles(e->embeddings().value());
  const std::vector<double> out = test::to_doubles(y);
  const int expected_rows[] = {4, 0, 2, 2};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 3; ++j) {
      EXPECT_EQ(out[static_cast<size_t>(i * 3 + j)],
                table[static_cast<size_t>(expected_rows[i] * 3 + j)])
          << i << "," << j;
    }
  }
}

TEST(Embedding, FloatIdsAreCastToInt32) {
  Embedding e(5, 2);
  const Tensor int_ids = Tensor::from_vector<int32_t>({1, 3, 0}, {3, 1});
  const Tensor float_ids = Tensor::from_vector<float>({1.f, 3.f, 0.f}, {3, 1});
  test::expect_all_close(e(float_ids), e(int_ids), 0, 0);
  // Symbolically too: a float32 Input (as Sequential makes) gives float32 vectors.
  const KerasTensor y = e(keras::Input({1}));
  EXPECT_EQ(shape_str(y.shape()), "(None, 1, 2)");
  EXPECT_EQ(y.dtype(), float32);
}

TEST(Embedding, WeightIsNamedEmbeddings) {
  Embedding e(7, 3, {.name = "words"});
  e(Tensor::from_vector<int32_t>({1}, {1, 1}));
  ASSERT_EQ(e.weights().size(), 1u);
  EXPECT_EQ(e.weights()[0].name(), "embeddings");
  EXPECT_EQ(e.weights()[0].path(), "words/embeddings");
  EXPECT_EQ(shape_str(e.weights()[0].shape()), "(7, 3)");
  EXPECT_EQ(e.name(), "words");
  EXPECT_EQ(e.class_name(), "Embedding");
}

TEST(Embedding, ParameterCountOfTheGuidesEmbedding) {
  const KerasTensor ids = keras::Input({100}, {.dtype = int32});
  Embedding e(10000, 512, {.input_length = 100});
  e(ids);
  EXPECT_EQ(e.count_params(), 5'120'000);
}

TEST(Embedding, DefaultInitializerIsUniformWithin005) {
  Embedding e(50, 20);
  e(Tensor::from_vector<int32_t>({0}, {1, 1}));
  const std::vector<double> w = test::to_doubles(e->embeddings().value());
  double lo = 1, hi = -1;
  for (double v : w) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_GE(lo, -0.05);
  EXPECT_LE(hi, 0.05);
  EXPECT_LT(lo, -0.03);  // spread over the interval, not all zeros
  EXPECT_GT(hi, 0.03);
}

TEST(Embedding, InitializerAndRegularizerOptions) {
  Embedding e(4, 2, {.embeddings_initializer = "ones", .embeddings_regularizer = "l2"});
  e(Tensor::from_vector<int32_t>({0}, {1, 1}));
  test::expect_all_close(e->embeddings().value(), ones({4, 2}), 0, 0);
  const Tensors losses = e->losses();
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_NEAR(losses[0].item<double>(), 0.01 * 8, 1e-6);
}

TEST(Embedding, GradientTouchesOnlyTheUsedRows) {
  Embedding e(6, 2);
  e->set_dtype(float64);
  const Tensor ids = Tensor::from_vector<int32_t>({1, 4, 1}, {3, 1});
  Tensors g;
  {
    autodiff::GradientTape tape;
    const Tensor y = e(ids, true);
    g = tape.gradient(ops::sum(y), {e->embeddings().value()});
  }
  ASSERT_TRUE(g[0].defined());
  // Row 1 is used twice, row 4 once, the others never.
  test::expect_all_close(
      g[0], test::tensor_of({0, 0, 2, 2, 0, 0, 0, 0, 1, 1, 0, 0}, {6, 2}, float64), 0, 0);
}

TEST(Embedding, OutOfRangeIdThrowsIndexErrorNamingTheLayer) {
  Embedding e(10, 3, {.name = "emb"});
  const Tensor too_big = Tensor::from_vector<int32_t>({1, 2, 10, 3}, {2, 2});
  test::expect_throws_with<IndexError>(
      [&] { e(too_big); },
      "Exception encountered when calling layer \"emb\" (type Embedding): indices[1,0] = 10 is "
      "not in [0, 10)");
  const Tensor negative = Tensor::from_vector<int64_t>({-1}, {1, 1});
  test::expect_throws_with<IndexError>([&] { e(negative); }, "indices[0,0] = -1 is not in [0, 10)");
  const Tensor float_ids = Tensor::from_vector<float>({12.f}, {1, 1});
  test::expect_throws_with<IndexError>([&] { e(float_ids); }, "\"emb\"");
}

TEST(Embedding, OutOfRangeIdThrowsInCompiledPredictAndFit) {
  const KerasTensor ids = keras::Input({2}, {.dtype = int32});
  Embedding e(4, 2, {.name = "vocab4"});
  const KerasTensor y = Flatten()(e(ids));
  Model model(ids, Dense(1)(y));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor good = Tensor::from_vector<int32_t>({0, 1, 2, 3}, {2, 2});
  const Tensor bad = Tensor::from_vector<int32_t>({0, 1, 4, 3}, {2, 2});
  const Tensor target = zeros({2, 1});
  // Run once with good ids so that the traced plans exist, then replay them with a bad id.
  EXPECT_EQ(shape_str(model.predict(good, {.verbose = 0}).shape()), "(2, 1)");
  model.fit(good, target, {.epochs = 1, .verbose = 0});
  test::expect_throws_with<IndexError>([&] { model.predict(bad, {.verbose = 0}); },
                                       "\"vocab4\" (type Embedding)");
  test::expect_throws_with<IndexError>(
      [&] { model.fit(bad, target, {.epochs = 1, .verbose = 0, .shuffle = false}); },
      "indices[1,0] = 4 is not in [0, 4)");
}

TEST(Embedding, InputLengthFixesTheTimestepDimension) {
  Embedding e(1000, 64, {.input_length = 10});
  ASSERT_TRUE(e->batch_input_shape().has_value());
  EXPECT_EQ(shape_str(*e->batch_input_shape()), "(None, 10)");
  const KerasTensor y = e(keras::Input({std::nullopt}, {.dtype = int32}));
  EXPECT_EQ(shape_str(y.shape()), "(None, 10, 64)");
  test::expect_throws_with<ValueError>([&] { e(keras::Input({5}, {.dtype = int32})); },
                                       "\"input_length\" is 10, but received input has shape "
                                       "(None, 5)");
}

TEST(Embedding, GuideSpellingInSequential) {
  // Embedding(output_dim=512, input_dim=10000, input_length=100) as a Sequential's first layer.
  Sequential model({Embedding({.input_dim = 10000, .output_dim = 512, .input_length = 100})});
  EXPECT_EQ(shape_str(model.output_shape()), "(None, 100, 512)");
  EXPECT_EQ(model.count_params(), 5'120'000);
}

TEST(Embedding, RejectsNonPositiveSizes) {
  test::expect_throws_with<ValueError>(
      [] { Embedding(0, 5); }, "`input_dim` must be a positive integer. Received: input_dim=0");
  test::expect_throws_with<ValueError>([] { Embedding(5, -1); },
                                       "`output_dim` must be a positive integer. Received: "
                                       "output_dim=-1");
  test::expect_throws_with<ValueError>([] { Embedding(EmbeddingOptions{}); },
                                       "Received: input_dim=0");
  test::expect_throws_with<ValueError>([] { Embedding(10, 4, {.input_dim = 11}); },
                                       "input_dim given twice");
}

TEST(Embedding, MaskZeroIsAcceptedAndStored) {
  Embedding e(10, 2, {.mask_zero = true});
  EXPECT_TRUE(e->mask_zero());
  EXPECT_EQ(shape_str(e(Tensor::from_vector<int32_t>({0, 1}, {1, 2})).shape()), "(1, 2, 2)");
}

TEST(Embedding, SharedLayerHasOneSetOfWeights) {
  Embedding e(20, 4);
  const KerasTensor a = keras::Input({3}, {.dtype = int32});
  const KerasTensor b = keras::Input({5}, {.dtype = int32});
  EXPECT_EQ(shape_str(e(a).shape()), "(None, 3, 4)");
  EXPECT_EQ(shape_str(e(b).shape()), "(None, 5, 4)");
  EXPECT_EQ(e.weights().size(), 1u);
  EXPECT_EQ(e->inbound_nodes().size(), 2u);
}

// Keras: supports_masking = mask_zero.
TEST(Embedding, SupportsMaskingWhenItMasksZeros) {
  EXPECT_TRUE(Embedding(5, 2, {.mask_zero = true})->supports_masking());
  EXPECT_FALSE(Embedding(5, 2)->supports_masking());
}

}  // namespace
}  // namespace keras::layers
