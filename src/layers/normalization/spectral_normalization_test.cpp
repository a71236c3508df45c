// SpectralNormalization: Keras 3's training call (goldens from
// tools/fixtures/make_layer_fixtures.py spectral_goldens), the layer contract at inference, fit
// repeating the normalization at every step, and Keras's errors. Loading and saving the files
// Keras writes: tests/integration/layer_fixtures_test.cpp (tests/data/layers/wrappers.*).
#include "keras/layers/normalization/spectral_normalization.h"

#include <gtest/gtest.h>

#include <cmath>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/io/npy.h"
#include "keras/layers/activation.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/dense.h"
#include "keras/layers/embedding.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/registry.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/optimizers/optimizers.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

Tensor golden(const std::string& name, const char* kind) {
  return io::load_npy(
      str(KERAS_TEST_DATA_DIR, "/layers/goldens/spectral_", name, ".", kind, ".npy"));
}

// float32 power iterations on matrices of at most 8 x 4, summed in another order than XLA's: a
// few ulps, amplified by the normalizations' divisions to about 1e-6 relative.
TEST(SpectralNormalization, TrainingCallMatchesKeras) {
  for (const std::string name : {"dense_1", "dense_3", "conv_2", "zero_1"}) {
    SCOPED_TRACE(name);
    const Tensor x = golden(name, "x"), kernel = golden(name, "kernel");
    const int iterations = static_cast<int>(golden(name, "params").item<double>());
    LayerRef inner =
        x.rank() == 2
            ? LayerRef(Dense(kernel.dim(1), {.use_bias = false}))
            : LayerRef(Conv2D(kernel.dim(3), IntOrTuple(kernel.dim(0)), {.use_bias = false}));
    SpectralNormalization layer(inner, {.power_iterations = iterations});
    layer(x, false);
    ASSERT_EQ(layer.weights().size(), 2u);
    layer.set_weights({kernel, golden(name, "u")});
    test::expect_all_close(layer(x, true), golden(name, "y"), 2e-5, 2e-5);
    test::expect_all_close(layer.weights()[0].value(), golden(name, "kernel_after"), 2e-5, 2e-5);
    test::expect_all_close(layer.weights()[1].value(), golden(name, "u_after"), 2e-5, 2e-5);
  }
}

TEST(SpectralNormalization, InferenceLeavesTheWeights) {
  SpectralNormalization layer(Dense(3));
  const Tensor x = test::random_tensor({4, 5}, float32, -1, 1, 1);
  const Tensors before = (layer(x, false), layer.get_weights());
  layer(x, false);
  for (size_t i = 0; i < before.size(); ++i)
    test::expect_all_close(layer.get_weights()[i], before[i], 0, 0);
  // A training call leaves a kernel of spectral norm ~1 after enough calls.
  for (int i = 0; i < 30; ++i) layer(x, true);
  const Tensor k = layer.weights()[0].value();
  const Tensor gram = ops::matmul(ops::transpose(k), k);
  // The largest eigenvalue of K^T K (the square of K's largest singular value), by powers.
  Tensor v = ones({3, 1});
  for (int i = 0; i < 200; ++i) {
    const Tensor w = ops::matmul(gram, v);
    v = ops::divide(w, ops::sqrt(ops::sum(ops::square(w))));
  }
  const double lambda = ops::sum(ops::multiply(v, ops::matmul(gram, v))).item<float>();
  EXPECT_NEAR(lambda, 1.0, 1e-3);
}

TEST(SpectralNormalization, Contract) {
  // At inference (stochastic: the training call rewrites the kernel, so the numeric gradient
  // check runs the wrapped layer as it is; the training goldens are above).
  test::run_layer_test({
      .make_layer = [] { return SpectralNormalization(Dense(3, {.activation = "tanh"})); },
      .input_shape = {2, 4},
      .expected_output_shape = {2, 3},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 2,
      .stochastic = true,
  });
  test::run_layer_test({
      .make_layer = [] { return SpectralNormalization(Conv2D(3, 2), {.power_iterations = 2}); },
      .input_shape = {2, 4, 4, 2},
      .expected_output_shape = {2, 3, 3, 3},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 2,

      .stochastic = true,
  });
  test::run_layer_test({
      .make_layer = [] { return SpectralNormalization(Embedding(6, 4)); },
      .input_shape = {2, 3},
      .expected_output_shape = {2, 3, 4},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 1,
      // Its first training step divides the table (uniform in +-0.05) by its spectral norm
      // (about 0.1), which raises this mse more than 5 epochs of SGD lower it.
      .check_training_lowers_loss = false,
      .stochastic = true,
      .input_dtype = int32,
      .input_lo = 0,
      .input_hi = 5,
  });
}

// fit traces its first step and replays it: the normalization must run at every step, as the
// same training calls made eagerly do (learning rate 0: only the normalization moves weights).
TEST(SpectralNormalization, FitNormalizesAtEveryStep) {
  const Tensor x = test::random_tensor({8, 5}, float32, -1, 1, 2);
  const Tensor target = test::random_tensor({8, 3}, float32, -1, 1, 3);
  utils::set_random_seed(7);
  SpectralNormalization wrapped(Dense(3));
  const KerasTensor input = keras::Input({5});
  Model model(input, wrapped(input));
  SpectralNormalization eager(Dense(3));
  eager(x, false);
  eager.set_weights(wrapped.get_weights());
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.0}), .loss = "mse"});
  model.fit(x, target, {.epochs = 4, .batch_size = 8, .verbose = 0, .shuffle = false});
  for (int i = 0; i < 4; ++i) eager(x, true);
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    // The same kernels on the same shapes, but fit's plan and the eager calls may pick other
    // GEMM paths for a 1-row product: a few ulps.
    test::expect_all_close(wrapped.get_weights()[i], eager.get_weights()[i], 1e-6, 1e-6);
  }
}

// Keras's own cases (spectral_normalization_test.py): a rank-4 input to a wrapped Dense, float
// ids to a wrapped Embedding, a constant Conv2D kernel (4 / its spectral norm 2) and a fit.
TEST(SpectralNormalization, KerasTests) {
  test::run_layer_test({
      .make_layer = [] { return SpectralNormalization(Dense(2)); },
      .input_shape = {10, 3, 4, 5},
      .expected_output_shape = {10, 3, 4, 2},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 2,
      .stochastic = true,
  });
  SpectralNormalization embedding(Embedding(10, 4));
  EXPECT_EQ(embedding(test::tensor_of({1, 7, 3}, {3}, float32), false).shape(), (Shape{3, 4}));
  SpectralNormalization conv(Conv2D(1, 2, {.kernel_initializer = initializers::Constant(1)}),
                             {.power_iterations = 8});
  const Tensor images = ones({1, 2, 2, 1});
  test::expect_all_close(conv(images, false), test::tensor_of({4}, {1, 1, 1, 1}, float32), 1e-6,
                         1e-6);
  test::expect_all_close(conv(images, true), test::tensor_of({2}, {1, 1, 1, 1}, float32), 1e-6,
                         1e-6);
  Sequential model(
      {SpectralNormalization(Conv2D(3, 2, {.padding = "same"}), {.power_iterations = 2})});
  model.compile({.optimizer = "rmsprop", .loss = "mse"});
  const Tensor x = test::random_tensor({4, 8, 8, 3}, float32, 0, 1, 5);
  const auto history = model.fit(x, test::random_tensor({4, 8, 8, 3}, float32, 0, 1, 6),
                                 {.epochs = 2, .verbose = 0});
  EXPECT_TRUE(std::isfinite(history.history.at("loss").back()));
}

// Keras 3.15 casts the output to the input's dtype, which truncates an Embedding's vectors to
// integers (docs/differences.md); keras.cpp returns the wrapped layer's float output.
TEST(SpectralNormalization, EmbeddingOutputStaysFloat) {
  Embedding embedding(5, 3);
  SpectralNormalization wrapped(embedding);
  const Tensor ids = test::tensor_of({0, 4, 2}, {1, 3}, int32);
  const Tensor y = wrapped(ids, false);
  EXPECT_EQ(y.dtype(), float32);
  test::expect_all_close(y, embedding(ids, false), 0, 0);
  EXPECT_GT(test::max_abs(y), 0.0);
}

TEST(SpectralNormalization, KerasErrors) {
  EXPECT_EQ(test::message_of<ValueError>(
                [] { SpectralNormalization(Dense(2), {.power_iterations = 0}); }),
            "`power_iterations` should be greater than zero. Received: `power_iterations=0`");
  SpectralNormalization no_kernel(Activation("relu"));
  EXPECT_EQ(test::message_of<ValueError>([&] {
              no_kernel(test::random_tensor({2, 3}, float32, 0, 1, 4), false);
            }),
            "Activation object has no attribute 'kernel' nor 'embeddings'");
  EXPECT_THROW(SpectralNormalization(LayerRef{}), ValueError);
  Json config = SpectralNormalization(Dense(2), {.power_iterations = 2})->get_config();
  EXPECT_EQ(config["power_iterations"], 2);
  EXPECT_EQ(config["layer"]["class_name"], "Dense");
  config["power_iterations"] = -1;
  test::expect_throws_with<ValueError>(
      [&] {
        deserialize_layer(Json{{"class_name", "SpectralNormalization"}, {"config", config}});
      },
      "`power_iterations` should be greater than zero");
}

}  // namespace
}  // namespace keras::layers
