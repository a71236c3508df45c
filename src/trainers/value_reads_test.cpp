// Ops that read tensor values on the host (autodiff::depends_on_values) keep fit, evaluate and
// predict from replaying a traced plan: the values read while tracing would stay in it.
#include <gtest/gtest.h>

#include <keras/keras.hpp>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

TEST(ValueReads, MarkTheActiveTracesNotReplayable) {
  const Tensor ids = Tensor::from_vector(std::vector<int32_t>{0, 2, 2});
  autodiff::KernelTrace outer;
  {
    autodiff::KernelTrace plain;
    ops::add(ids, ids);
    EXPECT_TRUE(plain.replayable());
  }
  EXPECT_TRUE(outer.replayable());
  {
    autodiff::KernelTrace counting;
    ops::bincount(ids);  // its length is max(ids) + 1, read on the host
    EXPECT_FALSE(counting.replayable());
  }
  EXPECT_FALSE(outer.replayable());
}

// scatter_update with indices from an input: each batch scatters to its own positions. A plan
// replayed with the first batch's indices put the second batch's updates where the first's went.
TEST(ValueReads, PredictInBatchesUsesEachBatchsIndices) {
  auto x = Input({4});
  auto idx = Input({2}, {.dtype = int32});
  auto upd = Input({});
  Model model({x, idx, upd}, ops::scatter_update(x, idx, upd));
  const Tensor zeros = keras::zeros({4, 4});
  // Rows of a batch of two: (row in the batch, column).
  const Tensor indices = Tensor::from_vector(std::vector<int32_t>{0, 1, 1, 2, 1, 3, 0, 0}, {4, 2});
  const Tensor updates = Tensor::from_vector(std::vector<float>{1, 2, 3, 4}, {4});
  const Tensor expected = Tensor::from_vector(
      std::vector<float>{0, 1, 0, 0, 0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 3}, {4, 4});
  for (int round = 0; round < 2; ++round) {  // the second predict finds no plan to replay either
    const Tensor y = model.predict({zeros, indices, updates}, {.batch_size = 2});
    test::expect_all_close(y, expected, 0, 0);
  }
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const auto results =
      model.evaluate({zeros, indices, updates}, expected, {.batch_size = 2, .verbose = 0});
  EXPECT_EQ(results[0], 0.0);
}

// fit through such a model: the traced first batch is kept as an eager step and the others run
// eagerly, so the weights are those of run_eagerly (the same kernels on the same shapes: exact).
TEST(ValueReads, FitMatchesRunEagerly) {
  const Tensor x = random::uniform({8, 3}, -1.0, 1.0, float32, 5);
  const Tensor indices = Tensor::from_vector(
      std::vector<int32_t>{0, 1, 1, 0, 0, 3, 1, 2, 1, 1, 0, 0, 0, 2, 1, 3}, {8, 2});
  const Tensor target = random::uniform({8, 4}, -1.0, 1.0, float32, 6);
  Tensors trained;
  for (bool run_eagerly : {false, true}) {
    utils::set_random_seed(7);
    auto in = Input({3});
    auto idx = Input({2}, {.dtype = int32});
    auto hidden = layers::Dense(4)(in);
    auto update = ops::sum(hidden, {1});  // one value per row, scattered into its batch's rows
    Model model({in, idx}, ops::scatter_update(hidden, idx, update));
    model.compile({.optimizer = "sgd", .loss = "mse", .run_eagerly = run_eagerly});
    model.fit({x, indices}, target, {.epochs = 2, .batch_size = 2, .verbose = 0, .shuffle = false});
    const Tensors w = model.get_weights();
    if (trained.empty()) {
      trained = w;
    } else {
      for (size_t i = 0; i < w.size(); ++i) test::expect_all_close(w[i], trained[i], 0, 0);
    }
  }
}

}  // namespace
}  // namespace keras
