// Row-sparse updates (an Embedding's gradient) give exactly the dense update's results.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <vector>

#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/backend/backend.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/embedding.h"
#include "keras/layers/input_layer.h"
#include "keras/losses/losses.h"
#include "keras/models/model.h"
#include "keras/ops/random.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/optimizers/optimizers.h"
#include "keras/utils/utils.h"

namespace keras::optimizers {
namespace {

constexpr int64_t kRows = 12, kCols = 3;

// The gradient of step t of a (rows, cols) table: nonzero only in the rows in `ids` (some
// repeated).
Tensor step_gradient(int t,
                     const std::vector<int64_t>& ids,
                     DType dtype,
                     int64_t rows = kRows,
                     int64_t cols = kCols) {
  Tensor g = zeros({rows, cols}, float64);
  double* pg = static_cast<double*>(g.raw_data());
  for (int64_t r : ids) {
    for (int64_t c = 0; c < cols; ++c) pg[r * cols + c] += 0.1 * (t + 1) * (c - 1.3) + 0.01 * r;
  }
  return g.astype(dtype);
}

const std::vector<std::vector<int64_t>> kSteps = {
    {1, 4, 4, 7}, {2, 3}, {4, 11, 0}, {7}, {1, 1, 1}, {5, 9, 2, 4}, {10}, {0, 6, 8, 3, 4}};

// A table and the rows each step's gradient lists.
struct Problem {
  int64_t rows = kRows, cols = kCols;
  std::vector<std::vector<int64_t>> steps = kSteps;
};

// Runs the problem's steps with `make()` twice, once with row hints and once densely (steps in
// `dense_steps` are dense in both), and expects bit-identical weights and slots.
void expect_same_as_dense(const std::function<OptimizerPtr()>& make,
                          DType dtype,
                          const std::vector<size_t>& dense_steps = {},
                          const Problem& problem = {}) {
  SCOPED_TRACE(make()->name() + " " + std::string(dtype_name(dtype)) + " dense steps " +
               std::to_string(dense_steps.size()) + " rows " + std::to_string(problem.rows));
  const Tensor w0 = random::uniform({problem.rows, problem.cols}, -1, 1, dtype, 7);
  Variable sparse_w("w", w0.clone()), dense_w("w", w0.clone());
  OptimizerPtr sparse = make(), dense = make();
  for (size_t t = 0; t < problem.steps.size(); ++t) {
    const std::vector<int64_t>& ids = problem.steps[t];
    Tensor g = step_gradient(static_cast<int>(t), ids, dtype, problem.rows, problem.cols);
    Tensor hinted = g.clone();
    const bool is_dense = std::find(dense_steps.begin(), dense_steps.end(), t) != dense_steps.end();
    if (!is_dense) hinted.set_nonzero_rows(Tensor::from_vector<int64_t>(ids));
    sparse->apply({hinted}, {sparse_w});
    dense->apply({g}, {dense_w});
  }
  test::expect_all_close(sparse_w.value(), dense_w.value(), 0, 0);
  ASSERT_EQ(sparse->variables().size(), dense->variables().size());
  for (size_t k = 0; k < dense->variables().size(); ++k) {
    test::expect_all_close(sparse->variables()[k].value(), dense->variables()[k].value(), 0, 0);
  }
}

class RowSparse : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    scope_.emplace(std::string(GetParam()) == "reference" ? backend::reference_backend()
                                                          : backend::cpu_backend());
  }
  std::optional<backend::ScopedBackend> scope_;
};

TEST_P(RowSparse, RmspropMatchesDense) {
  for (DType dtype : {float32, float64}) {
    expect_same_as_dense([] { return RMSprop({.learning_rate = 0.05}); }, dtype);
    expect_same_as_dense([] { return RMSprop({.learning_rate = 0.05, .centered = true}); }, dtype);
    expect_same_as_dense([] { return RMSprop({.learning_rate = 0.05, .momentum = 0.5}); }, dtype);
    // Dense steps in between must first apply the deferred decays.
    expect_same_as_dense([] { return RMSprop({.learning_rate = 0.05}); }, dtype, {2, 5});
  }
}

// An Embedding-sized update (thousands of listed rows of a table of 131K floats), which the CPU
// backend splits across its threads by row: still the dense update's bits. The ids crowd the
// table's first rows (as a vocabulary's frequent tokens do) and repeat.
TEST_P(RowSparse, LargeTablesMatchDense) {
  Problem large{.rows = 4096, .cols = 32, .steps = {}};
  for (int t = 0; t < 4; ++t) {
    std::vector<int64_t> ids;
    for (int64_t i = 0; i < 3000; ++i)
      ids.push_back((i * i * 7 + 13 * t) % (i % 3 == 0 ? 64 : 4096));
    large.steps.push_back(ids);
  }
  expect_same_as_dense([] { return RMSprop({.learning_rate = 0.05}); }, float32, {}, large);
  expect_same_as_dense([] { return RMSprop({.learning_rate = 0.05}); }, float32, {2}, large);
}

TEST_P(RowSparse, SgdAndAdagradMatchDense) {
  for (DType dtype : {float32, float64}) {
    expect_same_as_dense([] { return SGD({.learning_rate = 0.1}); }, dtype);
    expect_same_as_dense([] { return SGD({.learning_rate = 0.1, .momentum = 0.9}); }, dtype);
    expect_same_as_dense([] { return Adagrad({.learning_rate = 0.1}); }, dtype, {3});
    expect_same_as_dense([] { return Adam({.learning_rate = 0.1}); }, dtype);
  }
}

// update_rows_now (a shared table's owner updating its rows, ids in any order, with one gradient
// row per id) followed by the step's apply() gives exactly what apply() with the row hint gives.
void expect_compact_same_as_hinted(const std::function<OptimizerPtr()>& make, DType dtype) {
  SCOPED_TRACE(make()->name() + " " + std::string(dtype_name(dtype)));
  const Tensor w0 = random::uniform({kRows, kCols}, -1, 1, dtype, 7);
  Variable compact_w("w", w0.clone()), hinted_w("w", w0.clone());
  OptimizerPtr compact = make(), hinted = make();
  for (size_t t = 0; t < kSteps.size(); ++t) {
    Tensor g = step_gradient(static_cast<int>(t), kSteps[t], dtype);
    Tensor h = g.clone();
    h.set_nonzero_rows(Tensor::from_vector<int64_t>(kSteps[t]));
    hinted->apply({h}, {hinted_w});
    std::vector<int64_t> ids = kSteps[t];
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::reverse(ids.begin(), ids.end());
    if (t == 0) {  // row updates exist once the optimizer has applied a hinted gradient
      compact->apply({h}, {compact_w});
      continue;
    }
    const Tensor id_tensor = Tensor::from_vector<int64_t>(ids);
    compact->update_rows_now(0, ops::take(g, id_tensor, 0), id_tensor);
    // The step's apply: a zero gradient naming an updated row, which it skips.
    Tensor rest = zeros({kRows, kCols}, dtype);
    rest.set_nonzero_rows(Tensor::from_vector<int64_t>({ids[0], ids[0]}));
    compact->apply({rest}, {compact_w});
  }
  test::expect_all_close(compact_w.value(), hinted_w.value(), 0, 0);
  ASSERT_EQ(compact->variables().size(), hinted->variables().size());
  for (size_t k = 0; k < hinted->variables().size(); ++k) {
    test::expect_all_close(compact->variables()[k].value(), hinted->variables()[k].value(), 0, 0);
  }
}

TEST_P(RowSparse, CompactRowsMatchHintedRows) {
  for (DType dtype : {float32, float64}) {
    expect_compact_same_as_hinted([] { return RMSprop({.learning_rate = 0.05}); }, dtype);
    expect_compact_same_as_hinted([] { return RMSprop({.learning_rate = 0.05, .centered = true}); },
                                  dtype);
    expect_compact_same_as_hinted([] { return SGD({.learning_rate = 0.1}); }, dtype);
    expect_compact_same_as_hinted([] { return Adagrad({.learning_rate = 0.1}); }, dtype);
  }
}

TEST_P(RowSparse, CompactRowsNeedRowUpdatesAndOneRowPerId) {
  OptimizerPtr sgd = SGD({.learning_rate = 0.1, .momentum = 0.9});
  Variable w("w", zeros({kRows, kCols}));
  Tensor g = zeros({kRows, kCols});
  g.set_nonzero_rows(Tensor::from_vector<int64_t>({1}));
  sgd->apply({g}, {w});
  EXPECT_THROW(sgd->update_rows_now(0, zeros({1, kCols}), Tensor::from_vector<int64_t>({1})),
               ValueError);
  OptimizerPtr rms = RMSprop({.learning_rate = 0.1});
  rms->apply({g}, {w});
  try {
    rms->update_rows_now(0, zeros({2, kCols}), Tensor::from_vector<int64_t>({1, 2, 3}));
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("one row per listed id (3), got shape (2, 3)"),
              std::string::npos)
        << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, RowSparse, ::testing::Values("reference", "cpu"));

}  // namespace
}  // namespace keras::optimizers

namespace keras {
namespace {

// fit() with an Embedding (row-sparse gradients, lazily decayed RMSprop) trains the same weights
// as an eager loop that applies the same gradients densely.
TEST(RowSparseFit, EmbeddingTrainingEqualsDenseUpdates) {
  utils::set_random_seed(5);
  auto make = [] {
    auto ids = keras::Input({4}, {.dtype = int32});
    auto flat = layers::Flatten()(layers::Embedding(50, 3)(ids));
    return keras::Model(ids, layers::Dense(1)(flat));
  };
  keras::Model sparse = make(), dense = make();
  dense.set_weights(sparse.get_weights());
  const Tensor x = random::randint({32, 4}, 0, 12, int32, 3);  // rows 12..49 never used
  const Tensor y = random::uniform({32, 1}, -1, 1, float32, 4);
  sparse.compile({.optimizer = optimizers::RMSprop({.learning_rate = 0.01}), .loss = "mse"});
  sparse.fit(x, y, {.epochs = 3, .batch_size = 8, .verbose = 0, .shuffle = false});

  optimizers::OptimizerPtr opt = optimizers::RMSprop({.learning_rate = 0.01});
  const std::vector<Variable> vars = dense.trainable_weights();
  for (int epoch = 0; epoch < 3; ++epoch) {
    for (int64_t b = 0; b < 32; b += 8) {
      autodiff::GradientTape tape;
      const Tensor pred = dense.call({x.slice_rows(b, b + 8)}, true)[0];
      const Tensor loss = ops::mean(losses::mean_squared_error(y.slice_rows(b, b + 8), pred));
      Tensors values;
      for (const Variable& v : vars) values.push_back(v.value());
      Tensors grads = tape.gradient(loss, values);
      for (Tensor& g : grads) g = g.clone();  // no row hints: dense updates
      opt->apply(grads, vars);
    }
  }
  const Tensors got = sparse.get_weights(), want = dense.get_weights();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) test::expect_all_close(got[i], want[i], 1e-5, 1e-6);
  // The optimizer's velocities, once the deferred decays are applied, agree too.
  const auto& a = sparse.optimizer().variables();
  const auto& b = opt->variables();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    test::expect_all_close(a[i].value(), b[i].value(), 1e-5, 1e-9);
  }
}

}  // namespace
}  // namespace keras
