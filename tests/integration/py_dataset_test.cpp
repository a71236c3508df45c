// fit / evaluate / predict on a keras::utils::PyDataset: the same numbers as on arrays, batch
// order shuffling, background workers, exceptions and early stops, Keras's errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <keras/keras.hpp>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "goldens/py_dataset_goldens.h"
#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace L = keras::layers;
using ::testing::HasSubstr;

// Arrays served in batches of batch_size rows, the last one smaller; records what it is asked.
class ArrayDataset : public utils::PyDataset {
 public:
  ArrayDataset(Tensor x, Tensor y, int64_t batch_size, utils::PyDatasetOptions options = {})
      : PyDataset(options), x_(std::move(x)), y_(std::move(y)), batch_size_(batch_size) {}
  int64_t num_batches() const override { return (x_.dim(0) + batch_size_ - 1) / batch_size_; }
  utils::Batch get(int64_t index) override {
    {
      std::lock_guard lock(mutex);
      requested.push_back(index);
    }
    if (index == fail_at) throw RuntimeError(str("cannot read batch ", index));
    if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    const int64_t begin = index * batch_size_, end = std::min(begin + batch_size_, x_.dim(0));
    utils::Batch b{.x = x_.slice_rows(begin, end)};
    if (y_.defined()) b.y = y_.slice_rows(begin, end);
    if (sample_weight.defined()) b.sample_weight = sample_weight.slice_rows(begin, end);
    return b;
  }
  void on_epoch_begin() override { ++epochs_begun; }
  void on_epoch_end() override {
    std::lock_guard lock(mutex);
    ++epochs_ended;
    requested_per_epoch.push_back(std::exchange(requested, {}));
  }

  std::mutex mutex;
  std::vector<int64_t> requested;
  std::vector<std::vector<int64_t>> requested_per_epoch;
  std::atomic<int> epochs_begun{0}, epochs_ended{0};
  int64_t fail_at = -1;
  int delay_ms = 0;
  Tensor sample_weight;

 private:
  Tensor x_, y_;
  int64_t batch_size_;
};

struct Problem {
  Tensor x, y;
};
Problem make_problem(int64_t n, uint64_t seed) {
  Tensor x = random::uniform({n, 8}, 0.0, 1.0, float32, seed);
  Tensor labels = ops::argmax(ops::slice_axis(x, 1, 0, 3), -1);
  return {x, utils::to_categorical(labels, 3)};
}

Model make_model(uint64_t seed) {
  utils::set_random_seed(seed);
  auto inputs = Input({8});
  auto h = L::Dense(16, {.activation = "relu"})(inputs);
  Model m(inputs, L::Dense(3, {.activation = "softmax"})(h));
  m.compile({.optimizer = optimizers::Adam({.learning_rate = 0.01}),
             .loss = "categorical_crossentropy",
             .metrics = {"accuracy"}});
  return m;
}

// Bit equality: the same kernels on the same shapes.
void expect_identical(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  EXPECT_EQ(test::to_doubles(a), test::to_doubles(b));
}

void expect_same_weights(const Model& a, const Model& b) {
  const std::vector<Tensor> wa = a.get_weights(), wb = b.get_weights();
  ASSERT_EQ(wa.size(), wb.size());
  for (size_t i = 0; i < wa.size(); ++i) {
    SCOPED_TRACE(i);
    expect_identical(wa[i], wb[i]);
  }
}

// Same batches (70 rows in batches of 16: four of 16 and one of 6), same plans, same kernels:
// training on the dataset and on the arrays must agree bit for bit.
TEST(PyDataset, FitMatchesArraysExactly) {
  for (int workers : {0, 1, 3}) {
    SCOPED_TRACE(workers);
    Problem p = make_problem(70, 1);
    Model on_arrays = make_model(5), on_dataset = make_model(5);
    auto ha =
        on_arrays.fit(p.x, p.y, {.epochs = 3, .batch_size = 16, .verbose = 0, .shuffle = false});
    ArrayDataset data(p.x, p.y, 16, {.workers = workers, .max_queue_size = 2});
    auto hd = on_dataset.fit(data, {}, {.epochs = 3, .verbose = 0, .shuffle = false});
    expect_same_weights(on_arrays, on_dataset);
    EXPECT_EQ(ha.history, hd.history);
    EXPECT_EQ(data.epochs_begun, 3);
    EXPECT_EQ(data.epochs_ended, 3);
    // Several workers may enter get() in any order; training still takes the batches in order.
    for (std::vector<int64_t> order : data.requested_per_epoch) {
      if (workers > 1) std::sort(order.begin(), order.end());
      EXPECT_EQ(order, (std::vector<int64_t>{0, 1, 2, 3, 4}));
    }
  }
}

// Keras 3's numbers for batches of uneven sizes (rows [0, 4), [4, 6), [6, 9)), with and without
// sample weights in the batches. Keras (XLA) and keras.cpp sum the 3-term dot products and the
// batch means in other orders: a few float32 ulps on values of order 1 per step, over 9 SGD
// steps of size ~0.01; 1e-5 covers that and is far below one step.
TEST(PyDataset, UnevenBatchesWithSampleWeightsMatchKeras) {
  namespace G = keras::goldens::py_dataset;
  auto vals = [](const double* p, size_t n) { return std::vector<double>(p, p + n); };
  const Tensor x = test::tensor_of(vals(G::kX, 27), {9, 3}, float32);
  const Tensor y = test::tensor_of(vals(G::kY, 18), {9, 2}, float32);
  const Tensor sw = test::tensor_of(vals(G::kSampleWeight, 9), {9}, float32);
  class Uneven : public utils::PyDataset {
   public:
    Uneven(Tensor x, Tensor y, Tensor sw)
        : PyDataset({.workers = 2}), x_(std::move(x)), y_(std::move(y)), sw_(std::move(sw)) {}
    int64_t num_batches() const override { return 3; }
    utils::Batch get(int64_t i) override {
      const int64_t bounds[] = {0, 4, 6, 9};
      const int64_t b = bounds[i], e = bounds[i + 1];
      utils::Batch batch{.x = x_.slice_rows(b, e), .y = y_.slice_rows(b, e)};
      if (sw_.defined()) batch.sample_weight = sw_.slice_rows(b, e);
      return batch;
    }

   private:
    Tensor x_, y_, sw_;
  };
  auto expect_near = [](const std::vector<double>& got, const std::vector<double>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << i;
  };
  for (bool weighted : {false, true}) {
    SCOPED_TRACE(weighted);
    KerasTensor in = Input({3});
    Model m(in, L::Dense(2, {.activation = "softmax", .name = "dense"})(in));
    m.get_layer("dense").set_weights({test::tensor_of(vals(G::kKernel, 6), {3, 2}, float32),
                                      test::tensor_of(vals(G::kBias, 2), {2}, float32)});
    m.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}),
               .loss = "categorical_crossentropy",
               .metrics = {"accuracy"},
               .weighted_metrics = {"accuracy"}});
    Uneven data(x, y, weighted ? sw : Tensor());
    auto h = m.fit(data, {}, {.epochs = 3, .verbose = 0, .shuffle = false});
    expect_near(h.history.at("loss"),
                weighted ? vals(G::kWeightedLoss, 3) : vals(G::kPlainLoss, 3));
    expect_near(h.history.at("accuracy"),
                weighted ? vals(G::kWeightedAccuracy, 3) : vals(G::kPlainAccuracy, 3));
    expect_near(h.history.at("weighted_accuracy"), weighted ? vals(G::kWeightedWeightedAccuracy, 3)
                                                            : vals(G::kPlainWeightedAccuracy, 3));
    const std::vector<Tensor> w = m.get_layer("dense").get_weights();
    expect_near(test::to_doubles(w[0]),
                weighted ? vals(G::kWeightedTrainedKernel, 6) : vals(G::kPlainTrainedKernel, 6));
    expect_near(test::to_doubles(w[1]),
                weighted ? vals(G::kWeightedTrainedBias, 2) : vals(G::kPlainTrainedBias, 2));
    EXPECT_NEAR(m.evaluate(data, {}, {.verbose = 0})["loss"],
                weighted ? G::kWeightedEvaluateLoss[0] : G::kPlainEvaluateLoss[0], 1e-5);
    expect_near(test::to_doubles(m.predict(data)),
                weighted ? vals(G::kWeightedPredict, 18) : vals(G::kPlainPredict, 18));
  }
}

TEST(PyDataset, ShuffleDrawsABatchOrderPerEpochFromTheSeed) {
  auto orders = [] {
    Problem p = make_problem(80, 2);
    Model m = make_model(3);
    ArrayDataset data(p.x, p.y, 8);  // one worker: get() is called in the batch order
    m.fit(data, {}, {.epochs = 4, .verbose = 0});
    return data.requested_per_epoch;
  };
  const auto first = orders();
  ASSERT_EQ(first.size(), 4u);
  bool any_shuffled = false;
  for (const auto& order : first) {
    std::vector<int64_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    any_shuffled = any_shuffled || order != sorted;
  }
  EXPECT_TRUE(any_shuffled);
  EXPECT_NE(first[0], first[1]);
  EXPECT_EQ(first, orders());  // keras::utils::set_random_seed makes it reproducible
}

TEST(PyDataset, ShuffledFitMatchesArraysInTheSameBatchOrder) {
  // With batch_size dividing n, shuffling whole batches of the arrays' rows in the order the
  // dataset was shuffled gives the dataset's batches: the arrays rearranged that way, trained
  // with shuffle=false, must give the same weights exactly.
  Problem p = make_problem(64, 4);
  Model on_dataset = make_model(9);
  ArrayDataset data(p.x, p.y, 16);
  on_dataset.fit(data, {}, {.epochs = 1, .verbose = 0});
  ASSERT_EQ(data.requested_per_epoch.size(), 1u);
  std::vector<Tensor> xs, ys;
  for (int64_t b : data.requested_per_epoch[0]) {
    xs.push_back(p.x.slice_rows(b * 16, b * 16 + 16));
    ys.push_back(p.y.slice_rows(b * 16, b * 16 + 16));
  }
  Model on_arrays = make_model(9);
  on_arrays.fit(ops::concatenate(xs, 0), ops::concatenate(ys, 0),
                {.batch_size = 16, .verbose = 0, .shuffle = false});
  expect_same_weights(on_arrays, on_dataset);
}

TEST(PyDataset, EvaluatePredictAndValidationMatchArrays) {
  Problem p = make_problem(50, 6), val = make_problem(37, 7);
  Model a = make_model(11), b = make_model(11);
  ArrayDataset train(p.x, p.y, 10), val_data(val.x, val.y, 10, {.workers = 2});
  auto ha = a.fit(p.x, p.y,
                  {.epochs = 2,
                   .batch_size = 10,
                   .verbose = 0,
                   .validation_data = ValidationData{val.x, val.y},
                   .shuffle = false});
  auto hb = b.fit(
      train, {},
      {.epochs = 2, .verbose = 0, .validation_data = ValidationData{val_data}, .shuffle = false});
  EXPECT_EQ(ha.history, hb.history);
  EXPECT_EQ(hb.history.at("val_loss").size(), 2u);
  EXPECT_EQ(val_data.epochs_ended, 2);

  EXPECT_EQ(a.evaluate(val.x, val.y, {.batch_size = 10, .verbose = 0}),
            b.evaluate(val_data, {}, {.verbose = 0}));
  Tensor pa = a.predict(val.x, {.batch_size = 10});
  Tensor pb = b.predict(val_data);  // targets in the batches are ignored
  expect_identical(pb, pa);
  EXPECT_EQ(pb.shape(), (Shape{37, 3}));
  ArrayDataset inputs_only(val.x, Tensor(), 10, {.workers = 0});
  expect_identical(b.predict(inputs_only), pa);
}

TEST(PyDataset, SampleWeightsClassWeightsAndMapsMatchArrays) {
  Problem p = make_problem(40, 8);
  Tensor sw = random::uniform({40}, 0.5, 2.0, float32, 3);
  {
    Model a = make_model(12), b = make_model(12);
    a.fit(p.x, p.y, {.batch_size = 8, .verbose = 0, .shuffle = false, .sample_weight = sw});
    ArrayDataset data(p.x, p.y, 8);
    data.sample_weight = sw;
    b.fit(data, {}, {.verbose = 0, .shuffle = false});
    expect_same_weights(a, b);
  }
  {
    Model a = make_model(13), b = make_model(13);
    a.fit(p.x, p.y,
          {.batch_size = 8, .verbose = 0, .shuffle = false, .class_weight = {{0, 2.0}, {2, 0.5}}});
    ArrayDataset data(p.x, p.y, 8);
    b.fit(data, {}, {.verbose = 0, .shuffle = false, .class_weight = {{0, 2.0}, {2, 0.5}}});
    expect_same_weights(a, b);
    data.sample_weight = sw;
    EXPECT_THAT(
        [&] {
          b.fit(data, {}, {.verbose = 0, .class_weight = {{0, 2.0}}});
        },
        ::testing::ThrowsMessage<ValueError>(
            HasSubstr("You cannot specify `class_weight` and `sample_weight` at the same time.")));
  }
  // Two inputs given by name, one output given by name.
  class Named : public utils::PyDataset {
   public:
    explicit Named(Problem p) : p_(std::move(p)) {}
    int64_t num_batches() const override { return 4; }
    utils::Batch get(int64_t i) override {
      Tensor x = p_.x.slice_rows(i * 10, i * 10 + 10);
      return {.x = {{"left", ops::slice_axis(x, 1, 0, 4)}, {"right", ops::slice_axis(x, 1, 4, 4)}},
              .y = {{"out", p_.y.slice_rows(i * 10, i * 10 + 10)}}};
    }

   private:
    Problem p_;
  };
  auto two_inputs = [] {
    utils::set_random_seed(4);
    auto left = Input({4}, {.name = "left"}), right = Input({4}, {.name = "right"});
    auto h = L::Dense(3, {.activation = "softmax", .name = "out"})(L::concatenate({left, right}));
    Model m({left, right}, h);
    m.compile({.optimizer = "sgd", .loss = "categorical_crossentropy"});
    return m;
  };
  Model a = two_inputs(), b = two_inputs();
  a.fit({ops::slice_axis(p.x, 1, 0, 4), ops::slice_axis(p.x, 1, 4, 4)}, p.y,
        {.batch_size = 10, .verbose = 0, .shuffle = false});
  Named named(p);
  b.fit(named, {}, {.verbose = 0, .shuffle = false});
  expect_same_weights(a, b);
}

TEST(PyDataset, AnExceptionInGetReachesTheCaller) {
  for (int workers : {0, 1, 4}) {
    SCOPED_TRACE(workers);
    Problem p = make_problem(64, 9);
    Model m = make_model(1);
    ArrayDataset data(p.x, p.y, 8, {.workers = workers, .max_queue_size = 3});
    data.fail_at = 5;
    EXPECT_THAT([&] { m.fit(data, {}, {.epochs = 2, .verbose = 0, .shuffle = false}); },
                ::testing::ThrowsMessage<RuntimeError>(HasSubstr("cannot read batch 5")));
    EXPECT_EQ(data.epochs_ended, 0);
    EXPECT_THAT([&] { m.evaluate(data, {}, {.verbose = 0}); },
                ::testing::ThrowsMessage<RuntimeError>(HasSubstr("cannot read batch 5")));
    EXPECT_THAT([&] { m.predict(data); },
                ::testing::ThrowsMessage<RuntimeError>(HasSubstr("cannot read batch 5")));
    // The model still trains afterwards.
    data.fail_at = -1;
    EXPECT_EQ(m.fit(data, {}, {.verbose = 0}).history.at("loss").size(), 1u);
  }
}

// Stops training after batch `at` of the first epoch.
class StopAt : public callbacks::Callback {
 public:
  explicit StopAt(int at) : at_(at) {}
  void on_train_batch_end(int batch, const callbacks::Logs&) override {
    if (batch == at_) trainer().stop_training = true;
  }

 private:
  int at_;
};

TEST(PyDataset, AnEarlyStopOrAFailingCallbackStopsTheWorkers) {
  Problem p = make_problem(160, 10);
  Model m = make_model(2);
  ArrayDataset data(p.x, p.y, 8, {.workers = 2, .max_queue_size = 2});
  data.delay_ms = 2;
  auto h = m.fit(data, {}, {.epochs = 5, .verbose = 0, .callbacks = {std::make_shared<StopAt>(2)}});
  EXPECT_EQ(h.history.at("loss").size(), 1u);
  EXPECT_EQ(data.epochs_ended, 1);
  ASSERT_EQ(data.requested_per_epoch.size(), 1u);
  // Three batches trained; the workers read at most max_queue_size ahead (plus the ones running).
  EXPECT_GE(data.requested_per_epoch[0].size(), 3u);
  EXPECT_LE(data.requested_per_epoch[0].size(), 3u + 2u + 2u);

  auto failing =
      callbacks::LambdaCallback({.on_train_batch_end = [](int batch, const callbacks::Logs&) {
        if (batch == 3) throw ValueError("callback failed");
      }});
  EXPECT_THAT([&] { m.fit(data, {}, {.epochs = 2, .verbose = 0, .callbacks = {failing}}); },
              ::testing::ThrowsMessage<ValueError>(HasSubstr("callback failed")));
}

TEST(PyDataset, ProgressBarCountsBatches) {
  Problem p = make_problem(30, 11);
  Model m = make_model(2);
  ArrayDataset data(p.x, p.y, 8);
  testing::internal::CaptureStdout();
  m.fit(data, {}, {.epochs = 2, .verbose = 2});
  m.evaluate(data);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_THAT(out, HasSubstr("4/4"));
  EXPECT_THAT(out, HasSubstr("Epoch 2/2"));
}

TEST(PyDataset, ErrorsFollowKeras) {
  Problem p = make_problem(16, 12);
  Model m = make_model(2);
  ArrayDataset data(p.x, p.y, 8);
  auto expect_error = [](auto f, const std::string& message) {
    EXPECT_THAT(f, ::testing::ThrowsMessage<ValueError>(HasSubstr(message)));
  };
  expect_error([&] { m.fit(data, p.y, {.verbose = 0}); },
               "When providing `x` as a PyDataset, `y` should not be passed. Instead, the targets "
               "should be included as part of the PyDataset.");
  expect_error([&] { m.fit(data, {}, {.verbose = 0, .sample_weight = p.y}); },
               "When providing `x` as a PyDataset, `sample_weights` should not be passed.");
  expect_error([&] { m.fit(data, {}, {.batch_size = 8, .verbose = 0}); },
               "When providing `x` as a PyDataset, `batch_size` should not be passed.");
  expect_error([&] { m.evaluate(data, {}, {.batch_size = 8, .verbose = 0}); },
               "`batch_size` should not be passed");
  expect_error([&] { m.predict(data, {.batch_size = 8}); }, "`batch_size` should not be passed");
  expect_error([&] { m.fit(data, {}, {.verbose = 0, .validation_split = 0.5}); },
               "Argument `validation_split` is only supported for tensors or NumPy arrays.");
  expect_error(
      [&] {
        m.fit(p.x, p.y, {.verbose = 0, .validation_data = ValidationData{data, p.y}});
      },
      "`y` should not be passed");
  expect_error([&] { m.fit(p.x, data, {.verbose = 0}); }, "a PyDataset can only be passed as `x`");
  ArrayDataset no_targets(p.x, Tensor(), 8);
  expect_error([&] { m.fit(no_targets, {}, {.verbose = 0}); },
               "Expected target data `y` to be provided");
  ArrayDataset empty(p.x.slice_rows(0, 0), p.y.slice_rows(0, 0), 8);
  expect_error([&] { m.fit(empty, {}, {.verbose = 0}); }, "The PyDataset has length 0");
  expect_error([] { ArrayDataset d(Tensor(), Tensor(), 1, {.workers = -1}); },
               "`workers` must be a non-negative integer");
  expect_error([] { ArrayDataset d(Tensor(), Tensor(), 1, {.max_queue_size = 0}); },
               "`max_queue_size` must be a positive integer");
  // A batch that does not fit the model names the input, as for arrays.
  ArrayDataset wrong(ops::slice_axis(p.x, 1, 0, 5), p.y, 8);
  EXPECT_THAT([&] { m.fit(wrong, {}, {.verbose = 0}); },
              ::testing::ThrowsMessage<ValueError>(HasSubstr("Error when checking input")));
}

TEST(PyDataset, SharedPtrDatasetsAndTheSequenceAlias) {
  Problem p = make_problem(24, 13);
  Model m = make_model(2);
  std::shared_ptr<utils::Sequence> data = std::make_shared<ArrayDataset>(p.x, p.y, 8);
  EXPECT_EQ(m.fit(data, {}, {.epochs = 2, .verbose = 0}).history.at("loss").size(), 2u);
  EXPECT_EQ(m.predict(std::make_shared<ArrayDataset>(p.x, p.y, 5)).shape(), (Shape{24, 3}));
}

TEST(PyDataset, BuildsAnUnbuiltSequentialFromTheFirstBatch) {
  Problem p = make_problem(24, 14);
  utils::set_random_seed(1);
  Sequential m;
  m.add(L::Dense(4, {.activation = "relu"}));
  m.add(L::Dense(3, {.activation = "softmax"}));
  m.compile({.optimizer = "sgd", .loss = "categorical_crossentropy"});
  ArrayDataset data(p.x, p.y, 8);
  EXPECT_EQ(m.fit(data, {}, {.verbose = 0}).history.at("loss").size(), 1u);
  EXPECT_EQ(m.predict(data).shape(), (Shape{24, 3}));
}

}  // namespace
}  // namespace keras
