// Every optimizer, the base optimizer's options and the schedules inside fit's plan and through
// .keras / legacy .h5 files: training resumes exactly after save and load, EMA finalizes,
// gradient accumulation runs inside the replayed plan.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <keras/keras.hpp>

#include "harness/guarded_device.h"
#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace L = keras::layers;
namespace fs = std::filesystem;
namespace O = keras::optimizers;
namespace S = keras::optimizers::schedules;

std::string temp_path(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("keras_optimizer_saving_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

struct Case {
  const char* name;
  std::function<O::OptimizerPtr()> make;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"adamax", [] { return O::Adamax({.learning_rate = 0.01}); }},
      {"nadam", [] { return O::Nadam({.learning_rate = 0.01}); }},
      {"adadelta", [] { return O::Adadelta({.learning_rate = 1.0}); }},
      {"ftrl",
       [] {
         return O::Ftrl({.learning_rate = 0.05,
                         .l1_regularization_strength = 0.001,
                         .l2_regularization_strength = 0.01,
                         .beta = 0.1});
       }},
      {"lion", [] { return O::Lion({.learning_rate = 0.001, .weight_decay = 0.1}); }},
      {"lamb", [] { return O::Lamb({.learning_rate = 0.01}); }},
      {"adafactor", [] { return O::Adafactor({.learning_rate = 0.01}); }},
      {"muon", [] { return O::Muon({.learning_rate = 0.01}); }},
      {"schedule_free_adamw",
       [] { return O::ScheduleFreeAdamW({.learning_rate = 0.01, .warmup_steps = 3}); }},
      {"adam_ema_accumulate",
       [] {
         return O::Adam({.learning_rate = 0.01,
                         .weight_decay = 0.01,
                         .use_ema = true,
                         .ema_momentum = 0.9,
                         .ema_overwrite_frequency = 2,
                         .gradient_accumulation_steps = 3});
       }},
      {"sgd_restarts",
       [] {
         return O::SGD({.learning_rate = S::CosineDecayRestarts(
                            {.initial_learning_rate = 0.05, .first_decay_steps = 3}),
                        .momentum = 0.9});
       }},
      {"rmsprop_polynomial",
       [] {
         return O::RMSprop({.learning_rate = S::PolynomialDecay(
                                {.initial_learning_rate = 0.01, .decay_steps = 5, .cycle = true}),
                            .clip = {.clipnorm = 0.5}});
       }},
      {"adamw_exponential",
       [] {
         return O::AdamW({.learning_rate = S::ExponentialDecay(
                              {.initial_learning_rate = 0.01, .decay_steps = 2, .decay_rate = 0.9}),
                          .gradient_accumulation_steps = 2});
       }},
  };
  return all;
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class OptimizerResume : public testing::TestWithParam<Case> {};

// fit(2 epochs), save, load, fit(3 epochs) == fit(2 epochs), fit(3 epochs) on the model itself,
// bit for bit on one thread (same kernels on the same shapes). 64 rows in batches of 16: 8 steps
// before the save, so accumulators (every 3 steps) hold a partial sum and EMA is mid-way.
TEST_P(OptimizerResume, TrainingResumesExactlyAfterSaveAndLoad) {
  const int threads = backend::num_threads();
  backend::set_num_threads(1);
  const Tensor x = test::random_tensor({64, 3}, float32, -1, 1, 12);
  const Tensor y = test::random_tensor({64, 2}, float32, -1, 1, 13);
  auto train = [&](Model& m, int epochs) {
    m.fit(x, y, {.epochs = epochs, .batch_size = 16, .verbose = 0, .shuffle = false});
  };
  utils::set_random_seed(5);
  Sequential straight(
      {L::Dense(5, {.activation = "relu", .input_shape = std::vector<Dim>{3}}), L::Dense(2)});
  const std::string json = straight.to_json();
  const Tensors init = straight.get_weights();
  straight.compile({.optimizer = GetParam().make(), .loss = "mse"});
  train(straight, 2);
  train(straight, 3);
  for (const char* file : {"resume.keras", "resume.h5"}) {
    SCOPED_TRACE(file);
    Model first = models::model_from_json(json);
    first.set_weights(init);
    first.compile({.optimizer = GetParam().make(), .loss = "mse"});
    train(first, 2);
    const std::string path = temp_path(std::string(GetParam().name) + "_" + file);
    first.save(path);
    Model resumed = models::load_model(path);
    EXPECT_EQ(resumed.optimizer().name(), first.optimizer().name());
    EXPECT_EQ(O::serialize(resumed.optimizer()), O::serialize(first.optimizer()));
    EXPECT_EQ(resumed.optimizer().iterations(), 8);
    train(resumed, 3);
    EXPECT_EQ(resumed.optimizer().iterations(), 20);
    for (size_t i = 0; i < init.size(); ++i) {
      test::expect_all_close(resumed.get_weights()[i], straight.get_weights()[i], 0, 0);
    }
    const auto& a = resumed.optimizer().variables();
    const auto& b = straight.optimizer().variables();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) test::expect_all_close(a[i].value(), b[i].value(), 0, 0);
  }
  backend::set_num_threads(threads);
}

INSTANTIATE_TEST_SUITE_P(Optimizers,
                         OptimizerResume,
                         testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.name);
                         });

std::string fixture(const std::string& file) {
  return std::string(KERAS_TEST_DATA_DIR) + "/optimizers/" + file;
}

// Files Keras wrote after 2 epochs (tools/fixtures/make_optimizer_fixtures.py make), loaded and
// trained one more epoch: Keras's weights after that epoch, to float32 precision. Identical state
// and 4 steps of float32 kernels that sum in other orders (XLA against OpenBLAS and ours): an ulp
// or two of weights near 1 (at most 1.5e-7 seen); 1e-5 leaves room for the divisions by
// sqrt(v) + epsilon of the adaptive rules on other machines.
TEST_P(OptimizerResume, KerasFilesResumeAsInKeras) {
  const std::string name = GetParam().name;
  const Tensor x = io::load_npy(fixture("x.npy"));
  const Tensor y = io::load_npy(fixture("y.npy"));
  Model m = models::load_model(fixture(name + ".keras"));
  EXPECT_EQ(m.optimizer().name(), GetParam().make()->name());
  Json expected = O::serialize(*GetParam().make());
  Json loaded = O::serialize(m.optimizer());
  // Keras writes its float32 learning-rate variable's value into the config.
  for (Json* j : {&expected, &loaded}) {
    Json& lr = (*j)["config"]["learning_rate"];
    if (lr.is_number()) lr = static_cast<float>(lr.get<double>());
    (*j)["config"].erase("name");
  }
  EXPECT_EQ(loaded, expected);
  EXPECT_EQ(m.optimizer().iterations(), 8);
  m.fit(x, y, {.epochs = 1, .batch_size = 16, .verbose = 0, .shuffle = false});
  const auto after = io::load_npz(fixture(name + ".after.npz"));
  const Tensors weights = m.get_weights();
  for (size_t i = 0; i < weights.size(); ++i) {
    test::expect_all_close(weights[i], after.at(str("arr_", i)), 1e-5, 1e-5);
  }
}

// Muon takes AdamW steps for an Embedding's table (exclude_embeddings) and for the layers named in
// exclude_layers: their slots include a velocity, the hidden kernel's not. Keras's file resumes as
// in Keras (tolerance as above).
TEST(OptimizerResume, MuonChoosesItsUpdatePerVariableAsKeras) {
  Model m = models::load_model(fixture("muon_embedding.keras"));
  std::vector<std::string> names;
  for (const Variable& v : m.optimizer().variables()) names.push_back(v.name());
  EXPECT_EQ(names, (std::vector<std::string>{
                       "embedding_embeddings_momentum", "embedding_embeddings_velocity",
                       "hidden_kernel_momentum", "hidden_bias_momentum", "hidden_bias_velocity",
                       "head_kernel_momentum", "head_kernel_velocity", "head_bias_momentum",
                       "head_bias_velocity"}));
  m.fit(io::load_npy(fixture("x_ids.npy")), io::load_npy(fixture("y.npy")),
        {.epochs = 1, .batch_size = 16, .verbose = 0, .shuffle = false});
  const auto after = io::load_npz(fixture("muon_embedding.after.npz"));
  const Tensors weights = m.get_weights();
  ASSERT_EQ(weights.size(), after.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    test::expect_all_close(weights[i], after.at(str("arr_", i)), 1e-5, 1e-5);
  }
}

// fit with loss_scale_factor: the gradients of the loss times 1024, divided by 1024 in apply().
// A power of two scales float32 numbers exactly (no overflow or underflow here), so the weights
// equal those of the same fit without it, bit for bit.
TEST(OptimizerResume, LossScaleFactorCancelsOutOfFit) {
  const Tensor x = io::load_npy(fixture("x.npy"));
  const Tensor y = io::load_npy(fixture("y.npy"));
  std::vector<Tensors> trained;
  for (std::optional<double> scale : {std::optional<double>(), std::optional<double>(1024.0)}) {
    utils::set_random_seed(9);
    Model m = models::load_model(fixture("adamax.keras"), {.compile = false});
    m.compile(
        {.optimizer = O::Adam({.learning_rate = 0.01, .loss_scale_factor = scale}), .loss = "mse"});
    m.fit(x, y, {.epochs = 2, .batch_size = 16, .verbose = 0, .shuffle = false});
    trained.push_back(m.get_weights());
  }
  for (size_t i = 0; i < trained[0].size(); ++i) {
    test::expect_all_close(trained[1][i], trained[0][i], 0, 0);
  }
}

// tf_keras's files (make_optimizer_fixtures.py make2) hold no learning-rate variable: the
// iteration count and the slots (names checked in the .h5) resume training as tf_keras does
// (tf_keras's weights after one more epoch of the loaded .h5; tolerance as above). The metrics'
// states in tf_keras's .keras are not weights of the model.
TEST(OptimizerResume, TfKerasFilesResumeAsInTfKeras) {
  const Tensor x = io::load_npy(fixture("x.npy"));
  const Tensor y = io::load_npy(fixture("y.npy"));
  for (const char* name : {"adam", "rmsprop"}) {
    for (const char* ext : {".h5", ".keras"}) {
      SCOPED_TRACE(str(name, ext));
      Model m = models::load_model(fixture(str("tf_keras_", name, ext)));
      EXPECT_EQ(m.optimizer().iterations(), 8);
      EXPECT_NEAR(m.optimizer().learning_rate(), 0.01, 1e-9);
      m.fit(x, y, {.epochs = 1, .batch_size = 16, .verbose = 0, .shuffle = false});
      const auto after = io::load_npz(fixture(str("tf_keras_", name, ".after.npz")));
      const Tensors weights = m.get_weights();
      for (size_t i = 0; i < weights.size(); ++i) {
        test::expect_all_close(weights[i], after.at(str("arr_", i)), 1e-5, 1e-5);
      }
    }
  }
}

// Writes, for `make_optimizer_fixtures.py check DIR`, each case's model after 2 epochs
// (<name>.keras), its optimizer's variables in Keras's order (<name>.vars.npz) and its weights
// after one more epoch (<name>.after.npz): Keras must load the file with these variables and
// train to these weights.
TEST(OptimizerExport, WritesFilesForThePythonCheck) {
  const char* dir = std::getenv("KERAS_OPTIMIZER_EXPORT_DIR");
  if (dir == nullptr) GTEST_SKIP() << "KERAS_OPTIMIZER_EXPORT_DIR not set";
  fs::create_directories(dir);
  const Tensor x = test::random_tensor({64, 3}, float32, -1, 1, 12);
  const Tensor y = test::random_tensor({64, 2}, float32, -1, 1, 13);
  io::save_npy(str(dir, "/x.npy"), x);
  io::save_npy(str(dir, "/y.npy"), y);
  for (const Case& c : cases()) {
    utils::set_random_seed(5);
    Sequential m(
        {L::Dense(5, {.activation = "relu", .input_shape = std::vector<Dim>{3}}), L::Dense(2)});
    m.compile({.optimizer = c.make(), .loss = "mse"});
    m.fit(x, y, {.epochs = 2, .batch_size = 16, .verbose = 0, .shuffle = false});
    m.save(str(dir, "/", c.name, ".keras"));
    std::map<std::string, Tensor> vars{
        {"arr_0", Tensor::scalar<int64_t>(m.optimizer().iterations())}};
    size_t k = 1;
    if (m.optimizer().has_learning_rate_variable()) {
      vars[str("arr_", k++)] = full({}, m.optimizer().learning_rate(), float32);
    }
    for (const Variable& v : m.optimizer().variables()) vars[str("arr_", k++)] = v.value();
    io::save_npz(str(dir, "/", c.name, ".vars.npz"), vars);
    m.fit(x, y, {.epochs = 1, .batch_size = 16, .verbose = 0, .shuffle = false});
    std::map<std::string, Tensor> after;
    const Tensors weights = m.get_weights();
    for (size_t i = 0; i < weights.size(); ++i) after[str("arr_", i)] = weights[i];
    io::save_npz(str(dir, "/", c.name, ".after.npz"), after);
  }
}

// On the test-only guarded device (host code cannot touch its memory) every case trains to the
// CPU's weights and optimizer variables bit for bit: the runtime scalars, the conditional update
// of gradient accumulation and EMA's overwrite all go through the device's kernels.
TEST_P(OptimizerResume, TrainsOnTheGuardedDeviceAsOnTheCpu) {
  const Tensor x_host = test::random_tensor({64, 3}, float32, -1, 1, 12);
  const Tensor y_host = test::random_tensor({64, 2}, float32, -1, 1, 13);
  auto run = [&](std::optional<Device> device) {
    std::optional<DeviceScope> scope;
    if (device) scope.emplace(*device);
    utils::set_random_seed(5);
    Sequential m(
        {L::Dense(5, {.activation = "relu", .input_shape = std::vector<Dim>{3}}), L::Dense(2)});
    m.compile({.optimizer = GetParam().make(), .loss = "mse"});
    const Tensor x = x_host.to(default_device()), y = y_host.to(default_device());
    m.fit(x, y, {.epochs = 3, .batch_size = 16, .verbose = 0, .shuffle = false});
    Tensors out = m.get_weights();
    for (const Variable& v : m.optimizer().variables()) out.push_back(v.value().cpu());
    return out;
  };
  const Tensors guarded = run(test::guarded_device());
  const Tensors cpu = run(std::nullopt);
  ASSERT_EQ(guarded.size(), cpu.size());
  for (size_t i = 0; i < cpu.size(); ++i) {
    EXPECT_TRUE(test::identical(guarded[i].cpu(), cpu[i])) << "tensor " << i;
  }
}

Model small_model(O::OptimizerPtr opt) {
  utils::set_random_seed(3);
  auto in = Input({3});
  Model m(in, L::Dense(2)(in));
  m.compile({.optimizer = std::move(opt), .loss = "mse"});
  return m;
}

// SGD on accumulated gradients: two batches of 16 averaged are one batch of 32 (mse averages
// over the batch), so the replayed plan with gradient_accumulation_steps = 2 follows plain SGD on
// batches of 32. Only the summation order differs: float32 rounding, 1e-6 on weights near 1.
TEST(GradientAccumulation, RunsInsideTheReplayedPlan) {
  const Tensor x = test::random_tensor({64, 3}, float32, -1, 1, 21);
  const Tensor y = test::random_tensor({64, 2}, float32, -1, 1, 22);
  Model accumulated = small_model(O::SGD({.learning_rate = 0.1, .gradient_accumulation_steps = 2}));
  Model plain = small_model(O::SGD({.learning_rate = 0.1}));
  accumulated.fit(x, y, {.epochs = 3, .batch_size = 16, .verbose = 0, .shuffle = false});
  plain.fit(x, y, {.epochs = 3, .batch_size = 32, .verbose = 0, .shuffle = false});
  EXPECT_EQ(accumulated.optimizer().iterations(), 12);
  EXPECT_EQ(accumulated.optimizer().update_iterations(), 6);
  for (size_t i = 0; i < 2; ++i) {
    test::expect_all_close(accumulated.get_weights()[i], plain.get_weights()[i], 1e-6, 1e-6);
  }
}

// fit ends by giving the variables their moving averages (Keras's finalize_variable_values).
TEST(Ema, FitEndsWithTheMovingAverages) {
  const Tensor x = test::random_tensor({32, 3}, float32, -1, 1, 31);
  const Tensor y = test::random_tensor({32, 2}, float32, -1, 1, 32);
  Model m = small_model(O::Adam({.learning_rate = 0.1, .use_ema = true, .ema_momentum = 0.5}));
  m.fit(x, y, {.epochs = 2, .batch_size = 8, .verbose = 0});
  const auto& slots = m.optimizer().variables();
  ASSERT_TRUE(slots[0].name().ends_with("_kernel_average")) << slots[0].name();
  test::expect_all_close(m.get_weights()[0], slots[0].value(), 0, 0);
  test::expect_all_close(m.get_weights()[1], slots[1].value(), 0, 0);
}

// A callback's learning-rate change reaches the traced step; a schedule refuses it as Keras does.
TEST(Schedules, LearningRateSchedulerRefusesAScheduleAsKerasDoes) {
  const Tensor x = test::random_tensor({8, 3}, float32, -1, 1, 41);
  const Tensor y = test::random_tensor({8, 2}, float32, -1, 1, 42);
  Model m = small_model(
      O::SGD({.learning_rate = S::ExponentialDecay(
                  {.initial_learning_rate = 0.1, .decay_steps = 1, .decay_rate = 0.5})}));
  m.fit(x, y, {.epochs = 1, .batch_size = 4, .verbose = 0});
  EXPECT_EQ(m.optimizer().learning_rate(), 0.1f * 0.25f);  // float32, as Keras computes it
  EXPECT_THROW(m.optimizer().set_learning_rate(0.1), TypeError);
}

}  // namespace
}  // namespace keras
