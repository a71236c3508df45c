// A shared batch-independent layer runs once on the concatenation of its same-shaped inputs
// when they have fewer than 128 rows (FunctionalImpl::run_batched). Results equal separate calls,
// in predict and in training.
#include <gtest/gtest.h>

#include "harness/tensor_matchers.h"
#include "keras/keras.hpp"

namespace keras {
namespace {

TEST(SharedBatching, SharedLstmOutputsEqualSeparateCalls) {
  utils::set_random_seed(1);
  auto a = keras::Input({6, 3}), b = keras::Input({6, 3});
  layers::LSTM lstm(4);
  keras::Model model({a, b}, {lstm(a), lstm(b)});
  const Tensor xa = test::random_tensor({5, 6, 3}, float32, -1, 1, 1);
  const Tensor xb = test::random_tensor({5, 6, 3}, float32, -1, 1, 2);
  const Outputs both = model.predict({xa, xb});
  test::expect_all_close(both[0], (*lstm.layer())({xa})[0], 1e-6, 1e-6);
  test::expect_all_close(both[1], (*lstm.layer())({xb})[0], 1e-6, 1e-6);
}

// From 128 rows a call runs by itself (joining would only copy the inputs); the results are the
// same either way (rows are independent; the tolerance covers a GEMM's blocking by row count).
TEST(SharedBatching, LargeBatchesRunSeparatelyWithTheSameResults) {
  utils::set_random_seed(2);
  auto a = keras::Input({4, 3}), b = keras::Input({4, 3});
  layers::LSTM lstm(4);
  keras::Model model({a, b}, {lstm(a), lstm(b)});
  for (int64_t rows : {127, 128, 300}) {
    SCOPED_TRACE(rows);
    const Tensor xa = test::random_tensor({rows, 4, 3}, float32, -1, 1, 3);
    const Tensor xb = test::random_tensor({rows, 4, 3}, float32, -1, 1, 4);
    const Outputs both = model.predict({xa, xb}, {.batch_size = 512});
    test::expect_all_close(both[0], (*lstm.layer())({xa})[0], 1e-6, 1e-6);
    test::expect_all_close(both[1], (*lstm.layer())({xb})[0], 1e-6, 1e-6);
  }
}

TEST(SharedBatching, DifferentShapesRunSeparately) {
  auto a = keras::Input({std::nullopt, 3}), b = keras::Input({std::nullopt, 3});
  layers::LSTM lstm(4);
  keras::Model model({a, b}, {lstm(a), lstm(b)});
  const Outputs y = model.call({test::random_tensor({2, 5, 3}, float32, -1, 1, 1),
                                test::random_tensor({2, 7, 3}, float32, -1, 1, 2)});
  EXPECT_EQ(y[0].shape(), (Shape{2, 4}));
  EXPECT_EQ(y[1].shape(), (Shape{2, 4}));
}

// Training through the batched call gives the weights of training with the two calls made
// separately, one branch at a time.
TEST(SharedBatching, TrainingMatchesSeparateCalls) {
  utils::set_random_seed(7);
  auto a = keras::Input({5, 2}), b = keras::Input({5, 2});
  layers::LSTM lstm(3);
  layers::Dense head(1);
  keras::Model shared({a, b}, head(layers::concatenate({lstm(a), lstm(b)})));
  // The same computation written with two separate graphs of the one layer: a model per branch.
  keras::Model branch(a, lstm(a));
  const Tensor xa = test::random_tensor({8, 5, 2}, float32, -1, 1, 3);
  const Tensor xb = test::random_tensor({8, 5, 2}, float32, -1, 1, 4);
  const Tensor y = test::random_tensor({8, 1}, float32, -1, 1, 5);
  const Tensors w0 = shared.get_weights();
  shared.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  shared.fit({xa, xb}, y, {.epochs = 2, .batch_size = 4, .verbose = 0, .shuffle = false});
  const Tensors trained = shared.get_weights();

  // Eager reference: the two branches called one at a time, plain SGD on the tape's gradients.
  shared.set_weights(w0);
  const std::vector<Variable> vars = shared.trainable_weights();
  for (int epoch = 0; epoch < 2; ++epoch) {
    for (int64_t s = 0; s < 8; s += 4) {
      autodiff::GradientTape tape;
      const Tensor ha = branch.call({xa.slice_rows(s, s + 4)}, true)[0];
      const Tensor hb = branch.call({xb.slice_rows(s, s + 4)}, true)[0];
      const Tensor pred = (*head.layer())({ops::concatenate({ha, hb}, 1)}, true)[0];
      const Tensor loss = ops::mean(losses::mean_squared_error(y.slice_rows(s, s + 4), pred));
      Tensors values;
      for (const Variable& v : vars) values.push_back(v.value());
      const Tensors grads = tape.gradient(loss, values);
      for (size_t i = 0; i < vars.size(); ++i) {
        vars[i].assign(ops::subtract(vars[i].value(), ops::multiply(grads[i], 0.1)));
      }
    }
  }
  const Tensors want = shared.get_weights();
  ASSERT_EQ(trained.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) test::expect_all_close(trained[i], want[i], 1e-5, 1e-6);
}

}  // namespace
}  // namespace keras
