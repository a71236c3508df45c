// predict() on two threads runs a batch-independent model in lanes, each run start to end by one
// thread with its own plans: whole batches taken in turn (Trainer::predict_in_turn), or each
// batch split into lanes (Trainer::predict_batch).
#include <gtest/gtest.h>

#include <keras/keras.hpp>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

struct Threads {
  int saved = backend::num_threads();
  explicit Threads(int n) { backend::set_num_threads(n); }
  ~Threads() { backend::set_num_threads(saved); }
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;
};

Tensor predict_on(int threads, Model& model, const Data& x, int batch_size) {
  const Threads scope(threads);
  return model.predict(x, {.batch_size = batch_size, .verbose = 0})[0];
}

// Batches of 256 run as two lanes of 128 rows, the last batch (88 rows) as lanes of 40 and 48.
// Against one thread (the whole batch in each kernel, the kernels splitting the rows): other
// GEMM shapes and blockings, so equal within float32 rounding of 784-term sums (1e-5 relative).
// The second call on two threads replays the same plans on the same shapes: equal bit for bit.
TEST(PredictLanes, TwoThreadsPredictWhatOneDoes) {
  utils::set_random_seed(4);
  auto in = Input({784});
  auto h = layers::Dense(64, {.activation = "relu"})(in);
  Model mlp(in, layers::Dense(10, {.activation = "softmax"})(h));
  const Tensor x = random::uniform({600, 784}, 0, 1, float32, 5);
  const Tensor one = predict_on(1, mlp, Data{x}, 256);
  const Tensor two = predict_on(2, mlp, Data{x}, 256);
  ASSERT_EQ(two.shape(), (Shape{600, 10}));
  test::expect_all_close(two, one, 1e-5, 1e-6);
  test::expect_all_close(predict_on(2, mlp, Data{x}, 256), two, 0, 0);
}

// The guide's shared vision model runs in 8-row parts (models/predict_rows.h): each lane runs
// its share of the batch in such parts.
TEST(PredictLanes, LanesRunTheirShareInCacheSizedParts) {
  utils::set_random_seed(6);
  auto digit = Input({27, 27, 1});
  auto v = layers::Conv2D(16, {3, 3})(digit);
  v = layers::MaxPooling2D({2, 2})(layers::Conv2D(16, {3, 3})(v));
  Model tower(digit, layers::Flatten()(v));
  auto a = Input({27, 27, 1});
  auto b = Input({27, 27, 1});
  Model model({a, b}, layers::Dense(
                          1, {.activation = "sigmoid"})(layers::concatenate({tower(a), tower(b)})));
  const Data x{random::uniform({150, 27, 27, 1}, 0, 1, float32, 7),
               random::uniform({150, 27, 27, 1}, 0, 1, float32, 8)};
  const Tensor one = predict_on(1, model, x, 75);
  const Tensor two = predict_on(2, model, x, 75);
  ASSERT_EQ(two.shape(), (Shape{150, 1}));
  test::expect_all_close(two, one, 1e-5, 1e-6);
  test::expect_all_close(predict_on(2, model, x, 75), two, 0, 0);
}

// A bad index in the second lane of a replayed batch is predict's IndexError, and the model
// predicts as before afterwards.
TEST(PredictLanes, AnErrorInALaneIsPredictsError) {
  utils::set_random_seed(9);
  auto ids = Input({5}, {.dtype = int32});
  auto e = layers::GlobalAveragePooling1D()(layers::Embedding(10, 4)(ids));
  Model model(ids, layers::Dense(2)(e));
  Tensor x = random::randint({512, 5}, 0, 10, int32, 10);
  const Tensor before = predict_on(2, model, Data{x}, 256);
  Tensor bad = x.clone();
  bad.data<int32_t>()[450 * 5 + 2] = 12;
  test::expect_throws_with<IndexError>([&] { predict_on(2, model, Data{bad}, 256); },
                                       "= 12 is not in [0, 10)");
  test::expect_all_close(predict_on(2, model, Data{x}, 256), before, 0, 0);
}

// A batch whose trace throws leaves no plan behind: the next batch of that size is traced again
// (it used to replay the half-recorded plan and return no predictions).
TEST(PredictLanes, AFailedFirstBatchLeavesNoPlan) {
  utils::set_random_seed(11);
  auto ids = Input({3}, {.dtype = int32});
  Model model(ids, layers::Embedding(10, 4)(ids));
  Tensor bad = random::randint({2, 3}, 0, 10, int32, 12);
  const Tensor good = bad.clone();
  bad.data<int32_t>()[4] = 99;
  for (int threads : {1, 2}) {
    SCOPED_TRACE(threads);
    const Threads scope(threads);
    test::expect_throws_with<IndexError>([&] { model.predict(Data{bad}, {.verbose = 0}); },
                                         "99 is not in [0, 10)");
    const Tensor y = model.predict(Data{good}, {.verbose = 0})[0];
    ASSERT_EQ(y.shape(), (Shape{2, 3, 4}));
    test::expect_all_close(y, model.predict_on_batch(Data{good})[0], 0, 0);
  }
}

// Enough full batches for two per lane: the lanes take whole batches in turn
// (Trainer::predict_in_turn), the last batch (40 rows) is split into lanes as before. Each lane
// runs a whole batch in every kernel as one thread does, but with other thread counts inside the
// kernels: equal within float32 rounding of 784-term sums (1e-5 relative). Replayed: bit for bit.
TEST(PredictLanes, LanesTakeWholeBatchesInTurn) {
  utils::set_random_seed(13);
  auto in = Input({784});
  auto h = layers::Dense(64, {.activation = "relu"})(in);
  Model mlp(in, {layers::Dense(10, {.activation = "softmax"})(h), layers::Dense(3)(h)});
  const Tensor x = random::uniform({1000, 784}, 0, 1, float32, 14);
  const Threads scope(2);
  std::vector<Tensor> two = mlp.predict(Data{x}, {.batch_size = 64, .verbose = 0});
  ASSERT_EQ(two.size(), 2u);
  ASSERT_EQ(two[0].shape(), (Shape{1000, 10}));
  ASSERT_EQ(two[1].shape(), (Shape{1000, 3}));
  std::vector<Tensor> one;
  {
    const Threads single(1);
    one = mlp.predict(Data{x}, {.batch_size = 64, .verbose = 0});
  }
  for (size_t i = 0; i < 2; ++i) test::expect_all_close(two[i], one[i], 1e-5, 1e-6);
  std::vector<Tensor> again = mlp.predict(Data{x}, {.batch_size = 64, .verbose = 0});
  for (size_t i = 0; i < 2; ++i) test::expect_all_close(again[i], two[i], 0, 0);
  // Without the lanes (a callback observes every batch) the same predictions within rounding.
  struct Count : callbacks::Callback {
    void on_predict_batch_end(int batch, const callbacks::Logs&) override { seen.push_back(batch); }
    std::vector<int> seen;
  };
  auto count = std::make_shared<Count>();
  std::vector<Tensor> observed =
      mlp.predict(Data{x}, {.batch_size = 64, .verbose = 0, .callbacks = {count}});
  EXPECT_EQ(count->seen.size(), 16u);
  for (int b = 0; b < static_cast<int>(count->seen.size()); ++b) EXPECT_EQ(count->seen[b], b);
  for (size_t i = 0; i < 2; ++i) test::expect_all_close(observed[i], two[i], 1e-5, 1e-6);
}

// The shared vision model's 8-row parts, in lanes that take whole batches of 75.
TEST(PredictLanes, LanesInTurnRunBatchesInParts) {
  utils::set_random_seed(15);
  auto a = Input({27, 27, 1});
  auto v = layers::MaxPooling2D({2, 2})(layers::Conv2D(8, {3, 3})(a));
  Model model(a, layers::Dense(1, {.activation = "sigmoid"})(layers::Flatten()(v)));
  const Data x{random::uniform({310, 27, 27, 1}, 0, 1, float32, 16)};
  const Tensor one = predict_on(1, model, x, 75);
  const Tensor two = predict_on(2, model, x, 75);
  ASSERT_EQ(two.shape(), (Shape{310, 1}));
  test::expect_all_close(two, one, 1e-5, 1e-6);
  test::expect_all_close(predict_on(2, model, x, 75), two, 0, 0);
}

// A bad index in a batch a lane took in turn is predict's IndexError; then the model predicts
// as before.
TEST(PredictLanes, AnErrorInABatchTakenInTurnIsPredictsError) {
  utils::set_random_seed(17);
  auto ids = Input({5}, {.dtype = int32});
  auto e = layers::GlobalAveragePooling1D()(layers::Embedding(10, 4)(ids));
  Model model(ids, layers::Dense(2)(e));
  Tensor x = random::randint({640, 5}, 0, 10, int32, 18);
  const Tensor before = predict_on(2, model, Data{x}, 64);
  Tensor bad = x.clone();
  bad.data<int32_t>()[500 * 5 + 1] = -3;
  test::expect_throws_with<IndexError>([&] { predict_on(2, model, Data{bad}, 64); },
                                       "= -3 is not in [0, 10)");
  test::expect_all_close(predict_on(2, model, Data{x}, 64), before, 0, 0);
}

// Two full batches on two threads (the benchmarks' 512 rows at batch 256): once every lane has
// its plans, a predict's first batch runs in lanes as well (it ran one lane after the other, half
// the work on one thread, until `results` had been sized by a first batch). Two outputs of other
// shapes; against one thread within float32 rounding of 784-term sums, replays bit for bit.
TEST(PredictLanes, TheFirstBatchOfAPredictRunsInLanes) {
  utils::set_random_seed(17);
  auto in = Input({784});
  auto h = layers::Dense(64, {.activation = "relu"})(in);
  Model mlp(in, {layers::Dense(10, {.activation = "softmax"})(h),
                 layers::Reshape({3, 4})(layers::Dense(12)(h))});
  const Tensor x = random::uniform({512, 784}, 0, 1, float32, 18);
  const Threads scope(2);
  std::vector<std::vector<Tensor>> runs;
  for (int r = 0; r < 3; ++r)
    runs.push_back(mlp.predict(Data{x}, {.batch_size = 256, .verbose = 0}));
  ASSERT_EQ(runs[2][0].shape(), (Shape{512, 10}));
  ASSERT_EQ(runs[2][1].shape(), (Shape{512, 3, 4}));
  std::vector<Tensor> one;
  {
    const Threads single(1);
    one = mlp.predict(Data{x}, {.batch_size = 256, .verbose = 0});
  }
  for (size_t i = 0; i < 2; ++i) {
    test::expect_all_close(runs[2][i], one[i], 1e-5, 1e-6);
    test::expect_all_close(runs[1][i], runs[0][i], 0, 0);
    test::expect_all_close(runs[2][i], runs[0][i], 0, 0);
  }
}

}  // namespace
}  // namespace keras
