// keras.losses in compile / fit / evaluate and in saved models: losses by name and by object,
// sequence outputs with ignore_class, CTC training, (n,) targets against (n, 1) outputs, loss
// objects and their options through save and load, models compiled and saved by real Keras 3
// (tests/data/losses, tools/fixtures/make_loss_fixtures.py), and files for the reverse check.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <keras/keras.hpp>
#include <string>

#include "harness/tensor_matchers.h"
#include "keras/config/json.h"

namespace keras {
namespace {

namespace L = keras::layers;
namespace fs = std::filesystem;
using losses::LossPtr;

std::string temp_path(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("keras_losses_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

std::string fixture(const std::string& file) {
  return std::string(KERAS_TEST_DATA_DIR) + "/losses/" + file;
}

Model dense_model(int64_t in,
                  const std::vector<std::pair<std::string, int64_t>>& outs,
                  const char* activation = nullptr) {
  auto x = Input({in}, {.name = "x"});
  KerasTensors ys;
  for (const auto& [name, units] : outs) {
    ys.push_back(
        L::Dense(units, {.activation = activation ? activation : "linear", .name = name})(x));
  }
  return Model({x}, ys);
}

double loss_of(Model& m, const Data& x, const Data& y, const Data& sw = {}) {
  const int n = static_cast<int>(x.list().front().shape()[0]);
  return m.evaluate(x, y, {.batch_size = n, .verbose = 0, .sample_weight = sw}).front();
}

// evaluate() runs the loss the model was compiled with on the model's own predictions: it must
// equal the loss object called directly (same kernels on the same shapes, up to the float32
// rounding of a different op order in the plan: 1e-6 relative).
TEST(LossTraining, CompiledByNameOrObjectTheLossIsTheLossObject) {
  utils::set_random_seed(3);
  const Tensor x = random::uniform({16, 5}, -1.0, 1.0, float32, 1);
  const Tensor labels = random::randint({16}, 0, 3, int32, 2);
  const Tensor y = utils::to_categorical(labels, 3);
  struct Case {
    LossItem item;
    LossPtr direct;
  };
  const std::vector<Case> cases = {
      {"huber", losses::Huber()},
      {losses::Huber({.delta = 0.2}), losses::Huber({.delta = 0.2})},
      {"kld", losses::KLDivergence()},
      {"log_cosh", losses::LogCosh()},
      {"categorical_focal_crossentropy", losses::CategoricalFocalCrossentropy()},
      {losses::CategoricalHinge(), losses::CategoricalHinge()},
      {losses::CategoricalCrossentropy({.label_smoothing = 0.1, .reduction = "sum"}),
       losses::CategoricalCrossentropy({.label_smoothing = 0.1, .reduction = "sum"})},
      {"poisson", losses::Poisson()},
      {losses::Tversky({.alpha = 0.3, .beta = 0.7, .axis = {1}}),
       losses::Tversky({.alpha = 0.3, .beta = 0.7, .axis = {1}})},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.direct->class_name());
    Model m = dense_model(5, {{"p", 3}}, "softmax");
    const LossSpec spec = c.item.loss() ? LossSpec(c.item.loss()) : LossSpec(c.item.name().c_str());
    m.compile({.optimizer = optimizers::Adam({.learning_rate = 0.02}), .loss = spec});
    auto history = m.fit(x, y, {.epochs = 8, .batch_size = 8, .verbose = 0});
    const auto& losses_seen = history.history.at("loss");
    EXPECT_LT(losses_seen.back(), losses_seen.front());
    const double evaluated = loss_of(m, x, y);
    const double direct = (*c.direct)(y, m.predict(x)[0]).item<double>();
    EXPECT_NEAR(evaluated, direct, 1e-6 * std::max(1.0, std::abs(direct)));
  }
}

TEST(LossTraining, TargetsOfShapeNAgainstOneUnitOutputsWeightEachSample) {
  utils::set_random_seed(4);
  Model m = dense_model(3, {{"r", 1}});
  m.compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor x = random::uniform({6, 3}, -1.0, 1.0, float32, 5);
  const Tensor y = random::uniform({6}, -1.0, 1.0, float32, 6);
  const Tensor sw = Tensor::from_vector<float>({1, 0, 2, 0.5f, 3, 1});
  const Tensor p = m.predict(x)[0];
  double want = 0;
  for (int64_t i = 0; i < 6; ++i) {
    const double d = y.data<float>()[i] - p.data<float>()[i];
    want += sw.data<float>()[i] * d * d;
  }
  EXPECT_NEAR(loss_of(m, x, y, sw), want / 6, 1e-6);
  m.fit(x, y, {.epochs = 2, .batch_size = 3, .verbose = 0, .sample_weight = sw});
}

TEST(LossTraining, SequenceOutputsWithIgnoreClass) {
  utils::set_random_seed(5);
  auto in = Input({4, 3});
  Model m({in}, {L::Dense(5)(in)});
  const LossPtr loss =
      losses::SparseCategoricalCrossentropy({.from_logits = true, .ignore_class = 0});
  m.compile({.optimizer = optimizers::Adam({.learning_rate = 0.05}), .loss = loss});
  const Tensor x = random::uniform({8, 4, 3}, -1.0, 1.0, float32, 7);
  const Tensor y = random::randint({8, 4}, 0, 5, int32, 8);
  auto history = m.fit(x, y, {.epochs = 10, .batch_size = 8, .verbose = 0});
  EXPECT_LT(history.history.at("loss").back(), history.history.at("loss").front());
  EXPECT_NEAR(loss_of(m, x, y), (*loss)(y, m.predict(x)[0]).item<double>(), 1e-6);
}

TEST(LossTraining, UnreducedLossesEvaluateButDoNotTrain) {
  Model m = dense_model(3, {{"r", 2}});
  m.compile({.optimizer = "sgd", .loss = losses::MeanSquaredError({.reduction = "none"})});
  const Tensor x = random::uniform({4, 3}, -1.0, 1.0, float32, 20);
  const Tensor y = random::uniform({4, 2}, -1.0, 1.0, float32, 21);
  // The tracked loss averages the per-sample values, as Keras's loss tracker does.
  EXPECT_NEAR(loss_of(m, x, y), (*losses::MeanSquaredError())(y, m.predict(x)[0]).item<double>(),
              1e-6);
  test::expect_throws_with<TypeError>([&] { m.fit(x, y, {.epochs = 1, .verbose = 0}); },
                                      "Gradient only defined for scalar-output functions");
}

TEST(LossTraining, CtcLearnsLabelSequences) {
  utils::set_random_seed(6);
  auto in = Input({8, 4});
  auto h = L::Dense(16, {.activation = "tanh"})(in);
  Model m({in}, {L::Dense(4)(h)});
  m.compile({.optimizer = optimizers::Adam({.learning_rate = 0.05}), .loss = "ctc"});
  const Tensor x = random::uniform({6, 8, 4}, -1.0, 1.0, float32, 9);
  const Tensor y =
      Tensor::from_vector<int32_t>({1, 2, 0, 3, 3, 1, 2, 0, 0, 1, 1, 2, 3, 0, 0, 2, 1, 3}, {6, 3});
  auto history = m.fit(x, y, {.epochs = 30, .batch_size = 6, .verbose = 0});
  const auto& seen = history.history.at("loss");
  EXPECT_LT(seen.back(), 0.5 * seen.front());
}

TEST(LossSaving, LossObjectsAndTheirOptionsSurviveSaveAndLoad) {
  utils::set_random_seed(8);
  const Tensor x = random::uniform({6, 4}, -1.0, 1.0, float32, 10);
  const Tensor ya = ops::multiply(random::uniform({6, 2}, -1.0, 1.0, float32, 11), 4.0);
  const Tensor yb = Tensor::from_vector<int32_t>({0, 1, 2, 1, 1, 0});
  for (const char* ext : {".keras", ".h5"}) {
    SCOPED_TRACE(ext);
    Model m = dense_model(4, {{"a", 2}, {"b", 3}});
    m.compile({.optimizer = "sgd",
               .loss = {{"a", losses::Huber({.delta = 2.0, .reduction = "sum"})},
                        {"b", losses::SparseCategoricalCrossentropy(
                                  {.from_logits = true, .ignore_class = 1})}},
               .loss_weights = {{"a", 0.5}, {"b", 2.0}}});
    const double before = loss_of(m, x, {ya, yb});
    m.save(temp_path(std::string("options") + ext));
    Model loaded = models::load_model(temp_path(std::string("options") + ext));
    EXPECT_EQ(loss_of(loaded, x, {ya, yb}), before);  // same kernels, same shapes
    // The default options would give another number.
    Model defaults = dense_model(4, {{"a", 2}, {"b", 3}});
    defaults.set_weights(m.get_weights());
    defaults.compile({.optimizer = "sgd",
                      .loss = {{"a", "huber"}, {"b", "sparse_categorical_crossentropy"}},
                      .loss_weights = {{"a", 0.5}, {"b", 2.0}}});
    EXPECT_GT(std::abs(loss_of(defaults, x, {ya, yb}) - before), 0.1);
  }
}

// Models compiled and saved by Keras 3: keras.cpp compiles them with the same losses and
// evaluates what Keras evaluates (float32, one batch; both round differently: 1e-5).
TEST(LossSaving, ModelsSavedByKerasCompileWithTheirLosses) {
  for (const char* name :
       {"huber_delta2", "focal_sparse", "string_list", "functions", "crossentropy_alias",
        "segmentation", "ctc", "masked_sequence", "regularized_metrics"}) {
    SCOPED_TRACE(name);
    Model m = models::load_model(fixture(str(name, ".keras")));
    const Tensor x = io::load_npy(fixture(str(name, ".x0.npy")));
    std::vector<Tensor> ys;
    for (int i = 0; fs::exists(fixture(str(name, ".y", i, ".npy"))); ++i) {
      ys.push_back(io::load_npy(fixture(str(name, ".y", i, ".npy"))));
    }
    const double want = io::load_npy(fixture(str(name, ".loss.npy"))).item<double>();
    const double got = ys.size() == 1 ? loss_of(m, x, ys[0]) : loss_of(m, x, Data(ys));
    EXPECT_NEAR(got, want, 1e-5 * std::max(1.0, std::abs(want)));
  }
}

// A Keras 3 model with OrthogonalRegularizer penalties (by rows and by columns), an Identity
// initializer in its config, and metrics with arguments (cross-entropies from logits and
// smoothed, Pearson and concordance correlation): every value Keras's evaluate reported.
TEST(LossSaving, KerasMetricsWithArgumentsEvaluateAsKeras) {
  Model m = models::load_model(fixture("regularized_metrics.keras"));
  const Tensor x = io::load_npy(fixture("regularized_metrics.x0.npy"));
  const Tensor y = io::load_npy(fixture("regularized_metrics.y0.npy"));
  const Results got = m.evaluate(x, y, {.batch_size = 6, .verbose = 0});
  std::ifstream in(fixture("regularized_metrics.evaluate.json"));
  const Json want = Json::parse(in);
  ASSERT_EQ(got.names().size(), want.size());
  for (const auto& [name, value] : want.items()) {
    SCOPED_TRACE(name);
    EXPECT_NEAR(got[name], value.get<double>(),
                1e-5 * std::max(1.0, std::abs(value.get<double>())));
  }
  std::map<std::string, Json> configs;  // the compiled metrics, by name, as keras.cpp sees them
  for (const metrics::MetricPtr& metric : m.metrics()) {
    configs[metric->name()] = metrics::serialize(*metric);
  }
  ASSERT_EQ(configs.count("cce"), 1u);
  EXPECT_EQ(configs["cce"]["config"]["label_smoothing"], 0.1);
  EXPECT_EQ(configs["cce"]["config"]["from_logits"], true);
  EXPECT_EQ(configs["pearson_correlation"]["class_name"], "PearsonCorrelation");
  EXPECT_EQ(configs["ccc"]["class_name"], "ConcordanceCorrelation");
}

// Writes models compiled with loss objects for `make_loss_fixtures.py check DIR`: Keras must
// compile them with the same losses and arguments and evaluate the same loss.
TEST(LossSavingExport, WritesFilesForThePythonCheck) {
  const char* dir = std::getenv("KERAS_LOSS_EXPORT_DIR");
  if (dir == nullptr) GTEST_SKIP() << "KERAS_LOSS_EXPORT_DIR not set";
  fs::create_directories(dir);
  auto write = [&](const std::string& name, Model m, const Json& losses_written, const Tensor& x,
                   const std::vector<Tensor>& ys) {
    m.save(str(dir, "/", name, ".keras"));
    io::save_npy(str(dir, "/", name, ".x0.npy"), x);
    for (size_t i = 0; i < ys.size(); ++i)
      io::save_npy(str(dir, "/", name, ".y", i, ".npy"), ys[i]);
    const double loss = ys.size() == 1 ? loss_of(m, x, ys[0]) : loss_of(m, x, Data(ys));
    io::save_npy(str(dir, "/", name, ".loss.npy"), full({}, loss, float64));
    std::ofstream(str(dir, "/", name, ".losses.json")) << losses_written.dump();
  };
  utils::set_random_seed(9);
  const Tensor x = random::uniform({6, 4}, -1.0, 1.0, float32, 12);
  {
    const LossPtr huber = losses::Huber({.delta = 2.0});
    Model m = dense_model(4, {{"out", 2}});
    m.compile({.optimizer = "sgd", .loss = huber});
    write("huber_delta2", m, losses::serialize(*huber), x,
          {ops::multiply(random::uniform({6, 2}, -1.0, 1.0, float32, 13), 4.0)});
  }
  {
    const LossPtr a = losses::BinaryFocalCrossentropy(
        {.apply_class_balancing = true, .alpha = 0.4, .gamma = 3.0, .label_smoothing = 0.1});
    const LossPtr b =
        losses::SparseCategoricalCrossentropy({.from_logits = true, .ignore_class = 1});
    Model m = dense_model(4, {{"a", 3}, {"b", 4}}, "sigmoid");
    m.compile({.optimizer = "adam",
               .loss = {{"a", a}, {"b", b}},
               .loss_weights = {{"a", 0.5}, {"b", 2.0}}});
    write("focal_sparse", m, Json{{"a", losses::serialize(*a)}, {"b", losses::serialize(*b)}}, x,
          {ops::cast(random::randint({6, 3}, 0, 2, int32, 14), float32),
           Tensor::from_vector<int32_t>({0, 1, 2, 3, 1, 2})});
  }
  {
    const LossPtr dice = losses::Dice({.axis = {1}});
    const LossPtr tversky = losses::Tversky({.alpha = 0.3, .beta = 0.7, .reduction = "sum"});
    Model m = dense_model(4, {{"g", 5}, {"h", 5}}, "sigmoid");
    m.compile({.optimizer = "sgd", .loss = {dice, tversky}});
    write("segmentation", m, Json{losses::serialize(*dice), losses::serialize(*tversky)}, x,
          {ops::cast(random::randint({6, 5}, 0, 2, int32, 15), float32),
           ops::cast(random::randint({6, 5}, 0, 2, int32, 16), float32)});
  }
  {  // Keras's file saved again: OrthogonalRegularizer penalties, Identity, metric arguments
    Model m = models::load_model(fixture("regularized_metrics.keras"));
    write("regularized_metrics", m,
          losses::serialize(*losses::CategoricalCrossentropy({.from_logits = true})),
          io::load_npy(fixture("regularized_metrics.x0.npy")),
          {io::load_npy(fixture("regularized_metrics.y0.npy"))});
  }
  {
    const LossPtr cosine = losses::CosineSimilarity({.axis = -1, .name = "cos"});
    Model m = dense_model(4, {{"c", 3}, {"d", 3}});
    m.compile({.optimizer = "sgd", .loss = {"mape", cosine}});
    write("names_and_objects", m, Json{"mape", losses::serialize(*cosine)}, x,
          {random::uniform({6, 3}, 0.5, 2.0, float32, 17),
           random::uniform({6, 3}, -1.0, 1.0, float32, 18)});
  }
  {
    auto in = Input({5, 3});
    Model m({in}, {L::Dense(4)(in)});
    const LossPtr ctc = losses::CTC();
    m.compile({.optimizer = "sgd", .loss = ctc});
    write("ctc", m, losses::serialize(*ctc), random::uniform({3, 5, 3}, -1.0, 1.0, float32, 19),
          {Tensor::from_vector<int32_t>({1, 2, 0, 3, 3, 1, 2, 0, 0}, {3, 3})});
  }
}

}  // namespace
}  // namespace keras
