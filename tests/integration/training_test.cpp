// compile / fit / evaluate / predict end to end: learning, reproducibility, plans vs eager,
// Keras's log names, bad input, and no heap allocation in a steady-state training step.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <keras/keras.hpp>
#include <new>

#include "harness/tensor_matchers.h"

// ---- allocation counting (global operator new, counted only while enabled) ----
// GCC cannot see that these replace the global pair, and warns about free() on new'd memory.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<long> g_allocations{0};
thread_local bool g_counting = false;
}  // namespace

#if !defined(__SANITIZE_ADDRESS__)  // ASan provides its own operator new
void* operator new(std::size_t n) {
  if (g_counting) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#endif

namespace keras {
namespace {

using ::testing::HasSubstr;
namespace L = keras::layers;

// A learnable problem: 3 classes decided by which of the first 3 features is largest.
struct Problem {
  Tensor x, y, labels;
};
Problem make_problem(int64_t n, uint64_t seed) {
  Tensor x = random::uniform({n, 8}, 0.0, 1.0, float32, seed);
  Tensor labels = ops::argmax(ops::slice_axis(x, 1, 0, 3), -1);
  return {x, utils::to_categorical(labels, 3), labels};
}

Model make_mlp() {
  auto inputs = Input({8});
  auto h = L::Dense(16, {.activation = "relu"})(inputs);
  return Model(inputs, L::Dense(3, {.activation = "softmax"})(h));
}

TEST(Training, FitLowersLossAndLearns) {
  utils::set_random_seed(7);
  Problem p = make_problem(512, 1);
  Model model = make_mlp();
  model.compile({.optimizer = optimizers::Adam({.learning_rate = 0.01}),
                 .loss = "categorical_crossentropy",
                 .metrics = {"accuracy"}});
  auto history = model.fit(p.x, p.y, {.epochs = 15, .batch_size = 32, .verbose = 0});
  const auto& loss = history.history.at("loss");
  ASSERT_EQ(loss.size(), 15u);
  EXPECT_LT(loss.back(), loss.front() * 0.5);
  EXPECT_GT(history.history.at("accuracy").back(), 0.85);
  Problem test = make_problem(256, 2);
  std::vector<double> scores = model.evaluate(test.x, test.y, {.verbose = 0});
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_GT(scores[1], 0.85);
  EXPECT_EQ(model.metrics_names(), (std::vector<std::string>{"loss", "accuracy"}));
}

TEST(Training, HistoryKeysFollowKeras) {
  utils::set_random_seed(3);
  Problem p = make_problem(100, 3);
  Model model = make_mlp();
  model.compile({.optimizer = "rmsprop", .loss = "categorical_crossentropy", .metrics = {"acc"}});
  auto h =
      model.fit(p.x, p.y, {.epochs = 2, .batch_size = 16, .verbose = 0, .validation_split = 0.2});
  std::vector<std::string> keys;
  for (const auto& [k, v] : h.history) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"acc", "loss", "val_acc", "val_loss"}));
  EXPECT_EQ(h.epoch, (std::vector<int>{0, 1}));
}

TEST(Training, ReproducibleForASeed) {
  auto run = [] {
    utils::set_random_seed(42);
    Problem p = make_problem(200, 5);
    Model model = make_mlp();
    model.compile({.optimizer = "rmsprop", .loss = "categorical_crossentropy"});
    return model.fit(p.x, p.y, {.epochs = 3, .verbose = 0}).history.at("loss");
  };
  EXPECT_EQ(run(), run());
}

TEST(Training, CompiledPlanEqualsEagerExecution) {
  auto run = [](bool eager) {
    utils::set_random_seed(11);
    Problem p = make_problem(100, 6);  // 100 = 3 full batches of 32 and one of 4
    Model model = make_mlp();
    model.compile({.optimizer = "rmsprop",
                   .loss = "categorical_crossentropy",
                   .metrics = {"accuracy"},
                   .run_eagerly = eager});
    auto h = model.fit(p.x, p.y, {.epochs = 3, .verbose = 0, .validation_split = 0.1});
    return std::make_pair(h.history, model.get_weights());
  };
  auto [h_plan, w_plan] = run(false);
  auto [h_eager, w_eager] = run(true);
  EXPECT_EQ(h_plan, h_eager);
  ASSERT_EQ(w_plan.size(), w_eager.size());
  for (size_t i = 0; i < w_plan.size(); ++i) {
    for (int64_t j = 0; j < w_plan[i].size(); ++j) {
      ASSERT_EQ(w_plan[i].data<float>()[j], w_eager[i].data<float>()[j]);
    }
  }
}

class AllocationCounter : public callbacks::Callback {
 public:
  void on_epoch_begin(int epoch, const callbacks::Logs&) override { epoch_ = epoch; }
  void on_train_batch_begin(int, const callbacks::Logs&) override {
    if (epoch_ >= 1) {
      g_allocations = 0;
      g_counting = true;
    }
  }
  void on_train_batch_end(int, const callbacks::Logs&) override {
    if (epoch_ >= 1) {
      g_counting = false;
      max_allocations = std::max(max_allocations, g_allocations.load());
      ++counted;
    }
  }
  long max_allocations = 0;
  int counted = 0;

 private:
  int epoch_ = 0;
};

TEST(Training, SteadyStateStepDoesNotAllocate) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "operator new is not replaced under AddressSanitizer";
#endif
  utils::set_random_seed(1);
  Problem p = make_problem(200, 9);
  Model model = make_mlp();
  model.compile(
      {.optimizer = "rmsprop", .loss = "categorical_crossentropy", .metrics = {"accuracy"}});
  auto counter = std::make_shared<AllocationCounter>();
  model.fit(p.x, p.y, {.epochs = 3, .batch_size = 32, .verbose = 0, .callbacks = {counter}});
  EXPECT_EQ(counter->counted, 14);
  EXPECT_EQ(counter->max_allocations, 0);
}

// An image model made of the normalization and spatial layers (no convolutions needed):
// BatchNormalization's moving statistics are assigned inside the traced step, SpatialDropout2D
// draws masks in it, and padding, cropping and upsampling are plain ops.
Model make_spatial_model() {
  auto inputs = Input({6, 6, 2});
  auto x = L::ZeroPadding2D(1)(inputs);             // (8, 8, 2)
  x = L::BatchNormalization({.momentum = 0.8})(x);  // moving stats in the plan
  x = L::SpatialDropout2D(0.25, {.seed = 3})(x);    // a mask per step
  x = L::UpSampling2D({1, 2})(x);                   // (8, 16, 2)
  x = L::Cropping2D({{1, 1}, {2, 2}})(x);           // (6, 12, 2)
  x = L::LayerNormalization({.axis = {1, 2, 3}})(x);
  x = L::Flatten()(x);
  return Model(inputs, L::Dense(3, {.activation = "softmax"})(x));
}

TEST(Training, SpatialModelPlanEqualsEagerAndDoesNotAllocate) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "operator new is not replaced under AddressSanitizer";
#endif
  auto run = [](bool eager) {
    utils::set_random_seed(13);
    Tensor x = random::uniform({70, 6, 6, 2}, 0.0, 2.0, float32, 4);
    Tensor y = utils::to_categorical(random::randint({70}, 0, 3, int32, 5), 3);
    Model model = make_spatial_model();
    model.compile({.optimizer = "adam", .loss = "categorical_crossentropy", .run_eagerly = eager});
    auto counter = std::make_shared<AllocationCounter>();
    auto h = model.fit(x, y, {.epochs = 3, .batch_size = 16, .verbose = 0, .callbacks = {counter}});
    return std::make_tuple(h.history.at("loss"), model.get_weights(), counter->max_allocations);
  };
  auto [loss_plan, w_plan, allocations] = run(false);
  auto [loss_eager, w_eager, unused] = run(true);
  EXPECT_EQ(allocations, 0);
  EXPECT_EQ(loss_plan, loss_eager);
  ASSERT_EQ(w_plan.size(), w_eager.size());
  ASSERT_EQ(w_plan.size(), 2u + 4u + 2u);  // Dense, BatchNormalization, LayerNormalization
  for (size_t i = 0; i < w_plan.size(); ++i) {
    for (int64_t j = 0; j < w_plan[i].size(); ++j) {
      ASSERT_EQ(w_plan[i].data<float>()[j], w_eager[i].data<float>()[j]) << "weight " << i;
    }
  }
}

TEST(Training, PredictAndEvaluateWorkInBatches) {
  utils::set_random_seed(2);
  Problem p = make_problem(70, 4);
  Model model = make_mlp();
  model.compile({.optimizer = "sgd", .loss = "categorical_crossentropy"});
  Tensor all = model.predict(p.x, {.batch_size = 32});
  Tensor one = model.predict(p.x, {.batch_size = 70});
  ASSERT_EQ(all.shape(), (Shape{70, 3}));
  // Batches of 32 and of 70 are other GEMM shapes, so other kernels and summation orders: equal
  // to float32 rounding of these few-term dot products (~1e-7 relative), not bit-equal.
  test::expect_all_close(all, one, /*rtol=*/1e-5, /*atol=*/1e-6);
  const double a = model.evaluate(p.x, p.y, {.batch_size = 7, .verbose = 0})[0];
  const double b = model.evaluate(p.x, p.y, {.batch_size = 70, .verbose = 0})[0];
  EXPECT_NEAR(a, b, 1e-6);
}

TEST(Training, VariableLengthInputsGetAPlanPerLength) {
  // Input((None, 4)): batches of the same size but another length must not replay the plan
  // traced for the first length (its buffers have the old length).
  utils::set_random_seed(3);
  auto ids = Input({std::nullopt, 4});
  auto h = L::Conv1D(5, 3, {.activation = "relu"})(ids);
  Model model(ids, L::Dense(2)(L::GlobalMaxPooling1D()(h)));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  for (int64_t length : {6, 11, 6, 20, 11}) {
    Tensor x = random::uniform({8, length, 4}, 0.0, 1.0, float32, static_cast<uint64_t>(length));
    Tensor planned = model.predict(x, {.batch_size = 8});
    Tensor eager = model(x);
    ASSERT_EQ(planned.shape(), (Shape{8, 2})) << length;
    for (int64_t i = 0; i < planned.size(); ++i) {
      ASSERT_FLOAT_EQ(planned.data<float>()[i], eager.data<float>()[i]) << length;
    }
    Tensor y = random::uniform({8, 2}, 0.0, 1.0, float32, 1);
    const double loss = model.evaluate(x, y, {.batch_size = 8, .verbose = 0})[0];
    const double fitted = model.fit(x, y, {.batch_size = 8, .verbose = 0}).history.at("loss")[0];
    EXPECT_NEAR(loss, fitted, 1e-5 * (1 + loss)) << length;
  }
}

TEST(Training, SparseLabelsAndSampleWeights) {
  utils::set_random_seed(5);
  Problem p = make_problem(256, 8);
  Model model = make_mlp();
  model.compile({.optimizer = optimizers::Adam({.learning_rate = 0.01}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"}});
  auto h = model.fit(p.x, p.labels, {.epochs = 10, .verbose = 0, .sample_weight = ones({256})});
  EXPECT_GT(h.history.at("accuracy").back(), 0.8);
}

TEST(Training, BadInputGetsClearErrors) {
  Problem p = make_problem(64, 1);
  Model model = make_mlp();
  auto msg = [](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_THAT(msg([&] { model.fit(p.x, p.y, {.verbose = 0}); }),
              HasSubstr("You must compile your model before training/testing."));
  EXPECT_THAT(msg([&] { model.compile({.optimizer = "adamx", .loss = "mse"}); }),
              HasSubstr("Could not interpret optimizer identifier: adamx"));
  EXPECT_THAT(msg([&] { model.compile({.loss = "msee"}); }),
              HasSubstr("Could not interpret loss identifier: msee"));
  EXPECT_THAT(msg([&] { model.compile({.loss = "mse", .metrics = {"acuracy"}}); }),
              HasSubstr("Could not interpret metric identifier: acuracy"));
  EXPECT_THAT(msg([&] { L::Dense(3, {.activation = "relux"}); }),
              HasSubstr("Could not interpret activation function identifier: relux"));
  model.compile({.optimizer = "rmsprop", .loss = "categorical_crossentropy"});
  EXPECT_THAT(msg([&] { model.fit(p.x, p.y.slice_rows(0, 60), {.verbose = 0}); }),
              HasSubstr("Data cardinality is ambiguous"));
  EXPECT_THAT(msg([&] {
                model.fit(random::uniform({64, 9}), p.y, {.verbose = 0});
              }),
              HasSubstr("Error when checking input: expected input_"));
  EXPECT_THAT(msg([&] { model.fit(p.x.slice_rows(0, 0), p.y.slice_rows(0, 0), {.verbose = 0}); }),
              HasSubstr("Expected input data to be non-empty."));
  Tensor bad = p.x.clone();
  bad.at<float>({3, 2}) = NAN;
  EXPECT_THAT(msg([&] { model.fit(bad, p.y, {.verbose = 0}); }), HasSubstr("NaN"));
  EXPECT_THAT(msg([&] { model.fit(p.x, p.y, {.verbose = 0, .validation_split = 1.5}); }),
              HasSubstr("validation_split"));
  EXPECT_THAT(msg([&] {
                model.fit({p.x, p.x}, p.y, {.verbose = 0});
              }),
              HasSubstr("Expected to see 1 array(s), but instead got 2 array(s)."));
  EXPECT_THAT(
      msg([&] {
        model.compile({.optimizer = optimizers::SGD({.learning_rate = 1e30}), .loss = "mse"});
        model.fit(p.x, ops::multiply(p.y, 1e30), {.epochs = 2, .verbose = 0});
      }),
      HasSubstr("Invalid loss"));
}

TEST(Training, ProgressBarLooksLikeKeras) {
  std::ostringstream out;
  callbacks::Progbar bar(1875, 1, out, /*dynamic=*/0);
  bar.update(1875, {{"accuracy", 0.81234}, {"loss", 0.53009}}, true);
  EXPECT_THAT(out.str(),
              ::testing::MatchesRegex(
                  "1875/1875 ━━━━━━━━━━━━━━━━━━━━ 0s [0-9]+(s|ms|us)/step - accuracy: 0.8123 - "
                  "loss: 0.5301\n"));
  EXPECT_EQ(callbacks::format_step_time(0.002), " 2ms/step");
  EXPECT_EQ(callbacks::format_eta(75), "1:15");
  EXPECT_EQ(callbacks::format_value(0.0001234), "1.2340e-04");
}

}  // namespace
}  // namespace keras
