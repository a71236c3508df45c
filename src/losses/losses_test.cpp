// Losses and metrics against Keras 3's own numbers (tests/goldens, made by real Keras).
#include "keras/losses/losses.h"

#include <gtest/gtest.h>

#include "goldens/keras_goldens.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/metrics/metrics.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::losses {
namespace {

Tensor t2(std::vector<float> v) {
  return Tensor::from_vector<float>(v, {2, 3});
}

const Tensor y_true_b() {
  return t2({0, 1, 1, 1, 0, 1});
}
const Tensor y_pred_b() {
  return t2({0.1f, 0.8f, 0.6f, 0.7f, 0.2f, 0.99f});
}
const Tensor logits_b() {
  return t2({-2.0f, 1.5f, 0.3f, 0.9f, -1.2f, 4.0f});
}
const Tensor sw() {
  return Tensor::from_vector<float>({0.3f, 1.7f});
}
const Tensor y_true_c() {
  return t2({0, 0, 1, 0, 1, 0});
}
const Tensor sparse_c() {
  return Tensor::from_vector<int32_t>({2, 1});
}
const Tensor y_pred_c() {
  return t2({0.05f, 0.15f, 0.8f, 0.3f, 0.6f, 0.1f});
}
const Tensor logits_c() {
  return t2({1.0f, 2.0f, 3.0f, 0.5f, -1.0f, 2.0f});
}
const Tensor y_pred_cu() {
  return t2({0.1f, 0.3f, 1.6f, 0.6f, 1.2f, 0.2f});
}
const Tensor y_pred_cz() {
  return t2({0, 0, 1, 1, 0, 0});
}

void expect_golden(const Tensor& value, double golden) {
  EXPECT_EQ(value.rank(), 0);
  EXPECT_NEAR(value.item<double>(), golden, 2e-6 * std::max(1.0, std::abs(golden)));
}

TEST(Losses, RegressionLossesMatchKeras) {
  expect_golden((*get("mse"))(y_true_b(), y_pred_b()), goldens::kLoss_mse);
  expect_golden((*get("mse"))(y_true_b(), y_pred_b(), sw()), goldens::kLoss_mse_sw);
  expect_golden((*get("mae"))(y_true_b(), y_pred_b()), goldens::kLoss_mae);
  expect_golden((*get("mean_absolute_error"))(y_true_b(), y_pred_b(), sw()), goldens::kLoss_mae_sw);
}

TEST(Losses, BinaryCrossentropyMatchesKeras) {
  expect_golden((*get("binary_crossentropy"))(y_true_b(), y_pred_b()), goldens::kLoss_bce);
  expect_golden((*BinaryCrossentropy())(y_true_b(), y_pred_b(), sw()), goldens::kLoss_bce_sw);
  expect_golden((*BinaryCrossentropy({.from_logits = true}))(y_true_b(), logits_b()),
                goldens::kLoss_bce_logits);
  expect_golden((*BinaryCrossentropy({.label_smoothing = 0.1}))(y_true_b(), y_pred_b()),
                goldens::kLoss_bce_label_smoothing_0_1);
  expect_golden(
      (*BinaryCrossentropy({.from_logits = true, .label_smoothing = 0.1}))(y_true_b(), logits_b()),
      goldens::kLoss_bce_logits_label_smoothing_0_1);
}

TEST(Losses, CategoricalCrossentropyMatchesKeras) {
  auto cce = get("categorical_crossentropy");
  expect_golden((*cce)(y_true_c(), y_pred_c()), goldens::kLoss_cce);
  expect_golden((*cce)(y_true_c(), y_pred_c(), sw()), goldens::kLoss_cce_sw);
  expect_golden((*CategoricalCrossentropy({.from_logits = true}))(y_true_c(), logits_c()),
                goldens::kLoss_cce_logits);
  expect_golden((*cce)(y_true_c(), y_pred_cu()), goldens::kLoss_cce_unnormalized);
  expect_golden((*cce)(y_true_c(), y_pred_cz()), goldens::kLoss_cce_zero_prob);
  expect_golden((*CategoricalCrossentropy({.label_smoothing = 0.1}))(y_true_c(), y_pred_c()),
                goldens::kLoss_cce_label_smoothing_0_1);
  expect_golden((*CategoricalCrossentropy({.from_logits = true, .label_smoothing = 0.1}))(
                    y_true_c(), logits_c()),
                goldens::kLoss_cce_logits_label_smoothing_0_1);
}

TEST(Losses, SparseCategoricalCrossentropyMatchesKeras) {
  auto scce = get("sparse_categorical_crossentropy");
  expect_golden((*scce)(sparse_c(), y_pred_c()), goldens::kLoss_scce);
  expect_golden((*scce)(sparse_c().reshape({2, 1}), y_pred_c()), goldens::kLoss_scce);
  expect_golden((*scce)(sparse_c(), y_pred_c(), sw()), goldens::kLoss_scce_sw);
  expect_golden((*SparseCategoricalCrossentropy({.from_logits = true}))(sparse_c(), logits_c()),
                goldens::kLoss_scce_logits);
  expect_golden((*scce)(sparse_c(), y_pred_cz()), goldens::kLoss_scce_zero_prob);
}

TEST(Losses, ShapeErrorsAndUnknownNames) {
  EXPECT_THROW(get("hinge_of_doom"), ValueError);
  EXPECT_THROW((*get("categorical_crossentropy"))(Tensor::from_vector<float>({1, 0}), y_pred_c()),
               ValueError);
  EXPECT_THROW(
      (*get("sparse_categorical_crossentropy"))(Tensor::from_vector<int32_t>({5, 1}), y_pred_c()),
      IndexError);
}

TEST(Losses, ReductionIsValidatedWithKerasMessage) {
  test::expect_throws_with<ValueError>(
      [] { Huber({.reduction = "avg"}); },
      "Invalid value for argument `reduction`. Expected one of {'sum_over_batch_size', 'sum', "
      "None, 'none', 'mean', 'mean_with_sample_weight'}. Received: reduction=avg");
  EXPECT_FALSE(MeanSquaredError({.reduction = std::nullopt})->reduction().has_value());
  EXPECT_THROW(reduce_weighted_values(t2({1, 2, 3, 4, 5, 6}), Tensor(), Tensor(), "auto"),
               ValueError);
}

TEST(Losses, OptionsStructsFollowKerasArgumentOrder) {
  const LossPtr huber = Huber({.delta = 2.0, .reduction = "sum", .name = "h"});
  EXPECT_EQ(huber->get_config().dump(), R"({"name":"h","reduction":"sum","delta":2.0})");
  const LossPtr scce =
      SparseCategoricalCrossentropy({.from_logits = true, .ignore_class = -1, .reduction = "none"});
  EXPECT_EQ(scce->get_config().dump(),
            R"({"name":"sparse_categorical_crossentropy","reduction":"none","from_logits":true,)"
            R"("ignore_class":-1,"axis":-1})");
  EXPECT_EQ(Dice({.axis = {1, 2}})->get_config().dump(),
            R"({"name":"dice","reduction":"sum_over_batch_size","axis":[1,2]})");
  EXPECT_EQ(Tversky()->get_config()["axis"], nullptr);
  EXPECT_EQ(serialize(*Poisson()).dump(),
            R"({"module":"keras.losses","class_name":"Poisson","config":{"name":"poisson",)"
            R"("reduction":"sum_over_batch_size"},"registered_name":null})");
}

TEST(Losses, GetResolvesEveryNameKerasResolves) {
  struct Name {
    const char* name;
    const char* class_name;
    const char* loss_name;
  };
  const Name names[] = {
      {"mse", "MeanSquaredError", "mse"},
      {"MSE", "MeanSquaredError", "MSE"},
      {"mean_squared_error", "MeanSquaredError", "mean_squared_error"},
      {"MeanSquaredError", "MeanSquaredError", "mean_squared_error"},
      {"mae", "MeanAbsoluteError", "mae"},
      {"MAE", "MeanAbsoluteError", "MAE"},
      {"mape", "MeanAbsolutePercentageError", "mape"},
      {"MAPE", "MeanAbsolutePercentageError", "MAPE"},
      {"mean_absolute_percentage_error", "MeanAbsolutePercentageError",
       "mean_absolute_percentage_error"},
      {"msle", "MeanSquaredLogarithmicError", "msle"},
      {"MSLE", "MeanSquaredLogarithmicError", "MSLE"},
      {"MeanSquaredLogarithmicError", "MeanSquaredLogarithmicError",
       "mean_squared_logarithmic_error"},
      {"cosine_similarity", "CosineSimilarity", "cosine_similarity"},
      {"huber", "Huber", "huber"},
      {"Huber", "Huber", "huber_loss"},
      {"log_cosh", "LogCosh", "log_cosh"},
      {"logcosh", "LogCosh", "logcosh"},
      {"LogCosh", "LogCosh", "log_cosh"},
      {"kld", "KLDivergence", "kld"},
      {"KLD", "KLDivergence", "KLD"},
      {"kl_divergence", "KLDivergence", "kl_divergence"},
      {"kullback_leibler_divergence", "KLDivergence", "kullback_leibler_divergence"},
      {"KLDivergence", "KLDivergence", "kl_divergence"},
      {"poisson", "Poisson", "poisson"},
      {"hinge", "Hinge", "hinge"},
      {"squared_hinge", "SquaredHinge", "squared_hinge"},
      {"categorical_hinge", "CategoricalHinge", "categorical_hinge"},
      {"bce", "BinaryCrossentropy", "bce"},
      {"BCE", "BinaryCrossentropy", "BCE"},
      {"binary_crossentropy", "BinaryCrossentropy", "binary_crossentropy"},
      {"binary_focal_crossentropy", "BinaryFocalCrossentropy", "binary_focal_crossentropy"},
      {"categorical_crossentropy", "CategoricalCrossentropy", "categorical_crossentropy"},
      {"categorical_focal_crossentropy", "CategoricalFocalCrossentropy",
       "categorical_focal_crossentropy"},
      {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy",
       "sparse_categorical_crossentropy"},
      {"ctc", "CTC", "ctc"},
      {"CTC", "CTC", "ctc"},
      {"dice", "Dice", "dice"},
      {"tversky", "Tversky", "tversky"},
      {"circle", "Circle", "circle"},
      {"Circle", "Circle", "circle"},
      {"crossentropy", "LossFunctionWrapper", "crossentropy"},
      {"CE", "LossFunctionWrapper", "CE"},
  };
  for (const Name& n : names) {
    SCOPED_TRACE(n.name);
    const LossPtr loss = get(n.name);
    EXPECT_EQ(loss->class_name(), n.class_name);
    EXPECT_EQ(loss->name(), n.loss_name);
    EXPECT_EQ(loss->reduction(), "sum_over_batch_size");
  }
  // Not among keras.losses.get's names (Keras 3.15 refuses them too).
  for (const char* name : {"huber_loss", "cosine_proximity", "CategoricalGeneralizedCrossEntropy",
                           "categorical_generalized_cross_entropy", "Loss", ""}) {
    test::expect_throws_with<ValueError>([&] { get(name); },
                                         str("Could not interpret loss identifier: ", name));
  }
}

TEST(Losses, CrossentropyIsChosenByTheShapesAsInCompile) {
  const LossPtr ce = get("crossentropy");
  // Binary: predictions with one unit.
  const Tensor p1 = Tensor::from_vector<float>({0.2f, 0.9f}, {2, 1});
  const Tensor t1 = Tensor::from_vector<float>({0, 1});
  EXPECT_NEAR((*ce)(t1, p1).item<double>(), (*BinaryCrossentropy())(t1, p1).item<double>(), 1e-7);
  // Sparse: targets of lower rank, or with one unit against several.
  EXPECT_NEAR((*ce)(sparse_c(), y_pred_c()).item<double>(), goldens::kLoss_scce, 2e-6);
  EXPECT_NEAR((*ce)(sparse_c().reshape({2, 1}), y_pred_c()).item<double>(), goldens::kLoss_scce,
              2e-6);
  // Categorical otherwise.
  EXPECT_NEAR((*ce)(y_true_c(), y_pred_c()).item<double>(), goldens::kLoss_cce, 2e-6);
}

TEST(Losses, DeserializeReadsEveryFormKerasWrites) {
  auto parse = [](const char* text) { return config::parse_json(text, "test"); };
  // Keras 3's object, with arguments.
  LossPtr l = deserialize(parse(
      R"({"module": "keras.losses", "class_name": "Tversky", "config": {"name": "t",
          "reduction": "sum", "alpha": 0.3, "beta": 0.7, "axis": [1, 2]},
          "registered_name": null})"));
  EXPECT_EQ(l->get_config().dump(),
            R"({"name":"t","reduction":"sum","alpha":0.3,"beta":0.7,"axis":[1,2]})");
  // A function, as Keras serializes keras.losses.huber.
  l = deserialize(parse(
      R"({"module": "builtins", "class_name": "function", "config": "huber",
          "registered_name": "function"})"));
  EXPECT_EQ(l->class_name(), "Huber");
  // Keras's wrapper of a built-in function, with the function's arguments.
  l = deserialize(parse(
      R"({"class_name": "LossFunctionWrapper", "config": {"name": "w", "reduction": null,
          "fn": {"module": "builtins", "class_name": "function", "config": "huber",
          "registered_name": "function"}, "delta": 0.5}})"));
  EXPECT_EQ(l->get_config().dump(), R"({"name":"w","reduction":null,"delta":0.5})");
  // Keras 2: reduction "auto", and a name.
  l = deserialize(parse(
      R"({"class_name": "Huber", "config": {"reduction": "auto", "name": "huber_loss",
          "delta": 1.5}})"));
  EXPECT_EQ(l->reduction(), "sum_over_batch_size");
  EXPECT_EQ(l->get_config()["delta"], 1.5);
  EXPECT_EQ(deserialize(Json("bce"))->class_name(), "BinaryCrossentropy");
  // ignore_class null is None.
  l = deserialize(parse(R"({"class_name": "SparseCategoricalCrossentropy",
                            "config": {"ignore_class": null, "from_logits": true}})"));
  EXPECT_EQ(l->get_config()["ignore_class"], nullptr);
}

TEST(Losses, DeserializeRejectsWhatKerasRejects) {
  auto parse = [](const char* text) { return config::parse_json(text, "test"); };
  test::expect_throws_with<ValueError>(
      [&] { deserialize(parse(R"({"class_name": "FancyLoss", "config": {}})")); },
      "Could not locate class 'FancyLoss'");
  test::expect_throws_with<TypeError>(
      [&] { deserialize(parse(R"({"class_name": "Huber", "config": {"delta": 1, "beta": 2}})")); },
      "Huber.__init__() got an unexpected keyword argument 'beta'");
  test::expect_throws_with<ValueError>(
      [&] { deserialize(parse(R"({"class_name": "Huber", "config": {"delta": "big"}})")); },
      "'delta' has an invalid value");
  test::expect_throws_with<ValueError>(
      [&] { deserialize(parse(R"({"class_name": "Dice", "config": {"reduction": "avg"}})")); },
      "Invalid value for argument `reduction`");
  test::expect_throws_with<ValueError>([&] { CategoricalGeneralizedCrossEntropy({.q = 1.0}); },
                                       "q must be in the interval (0, 1)");
}

TEST(Losses, LossFunctionWrapperAlignsRanksAndReduces) {
  const LossFn l1 = [](const Tensor& t, const Tensor& p) {
    EXPECT_EQ(t.shape(), p.shape());
    return ops::sum(ops::abs(ops::subtract(t, p)), -1);
  };
  const LossPtr l = std::make_shared<LossFunctionWrapper>(l1, Reduction("sum"), "l1");
  const Tensor t = Tensor::from_vector<float>({1, 2, 3});
  const Tensor p = Tensor::from_vector<float>({1.5f, 2, 1}, {3, 1});
  EXPECT_NEAR((*l)(t, p).item<double>(), 2.5, 1e-7);
  EXPECT_EQ(l->get_config().dump(), R"({"name":"l1","reduction":"sum"})");
}

TEST(Losses, TargetsOfShapeNAgainstPredictionsOfShapeNBy1KeepOneValuePerSample) {
  // Keras adds the axis to the targets: per-sample values, so sample weights weight samples.
  const Tensor t = Tensor::from_vector<float>({0, 1, 1, 0});
  const Tensor p = Tensor::from_vector<float>({0.5f, 0.75f, 1, 0}, {4, 1});
  const Tensor sw = Tensor::from_vector<float>({1, 2, 3, 4});
  const Tensor values = (*MeanSquaredError({.reduction = "none"}))(t, p);
  EXPECT_EQ(values.shape(), (Shape{4}));
  EXPECT_NEAR((*MeanSquaredError())(t, p, sw).item<double>(), (0.25 + 2 * 0.0625) / 4, 1e-7);
  EXPECT_EQ(mean_squared_error(t, p).shape(), (Shape{4}));
}

TEST(Losses, SampleWeightsBroadcastAsInKeras) {
  const Tensor y = ones({2, 3, 4}, float32);
  const Tensor p = zeros({2, 3, 4}, float32);
  const LossPtr mse = MeanSquaredError();
  // (batch,) weights cannot weight (batch, steps) values (Keras: incompatible shapes).
  EXPECT_THROW((*mse)(y, p, Tensor::from_vector<float>({1, 2})), ValueError);
  // (batch, 1) and (batch, steps) can.
  EXPECT_NEAR((*mse)(y, p, Tensor::from_vector<float>({1, 2}, {2, 1})).item<double>(), 1.5, 1e-7);
  EXPECT_NEAR((*mse)(y, p, ones({2, 3}, float32)).item<double>(), 1.0, 1e-7);
  // mean_with_sample_weight divides by the weights' sum.
  EXPECT_NEAR((*MeanSquaredError({.reduction = "mean_with_sample_weight"}))(
                  y, p, Tensor::from_vector<float>({1, 3}, {2, 1}))
                  .item<double>(),
              12.0 / 4.0, 1e-6);
}

TEST(Losses, EmptyBatchesAndScalarsAreNotReduced) {
  const Tensor empty = (*MeanSquaredError())(zeros({0, 3}, float32), zeros({0, 3}, float32));
  EXPECT_EQ(empty.shape(), (Shape{0}));
  const Tensor scalar = (*Dice())(ones({2, 2}, float32), ones({2, 2}, float32));
  EXPECT_EQ(scalar.rank(), 0);
}

TEST(Losses, IgnoreClassMasksTheReduction) {
  const Tensor labels = Tensor::from_vector<int32_t>({2, 1, 2, 0});
  const Tensor probs = t2({0.2f, 0.3f, 0.5f, 0.1f, 0.6f, 0.3f}).reshape({2, 3});
  const Tensor p4 = ops::concatenate({probs, probs}, 0);
  const Tensor values = sparse_categorical_crossentropy(labels, p4, false, 2);
  ASSERT_TRUE(values.keras_mask().defined());
  const std::vector<double> v = test::to_doubles(values);
  EXPECT_EQ(v[0], 0.0);
  EXPECT_EQ(v[2], 0.0);
  // sum_over_batch_size averages over the 2 kept samples, sum adds them.
  const double kept = v[1] + v[3];
  EXPECT_NEAR((*SparseCategoricalCrossentropy({.ignore_class = 2}))(labels, p4).item<double>(),
              kept / 2, 1e-6);
  EXPECT_NEAR((*SparseCategoricalCrossentropy({.ignore_class = 2, .reduction = "sum"}))(labels, p4)
                  .item<double>(),
              kept, 1e-6);
}

TEST(Metrics, AccuracyResolvesByKerasRule) {
  using metrics::get;
  auto binary = get("accuracy", {kNone, 1}, {kNone, 1});
  auto sparse = get("acc", {kNone}, {kNone, 10});
  auto categorical = get("accuracy", {kNone, 10}, {kNone, 10});
  binary->update_state(Tensor::from_vector<float>({1, 0, 1}, {3, 1}),
                       Tensor::from_vector<float>({0.9f, 0.2f, 0.3f}, {3, 1}));
  EXPECT_NEAR(binary->result(), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(sparse->name(), "acc");
  sparse->update_state(sparse_c(), y_pred_c());
  EXPECT_NEAR(sparse->result(), 1.0, 1e-12);
  categorical->update_state(y_true_c(), y_pred_c());
  EXPECT_NEAR(categorical->result(), goldens::kMetric_categorical_accuracy, 1e-12);
  categorical->update_state(y_true_c(), t2({0.9f, 0.05f, 0.05f, 0.3f, 0.6f, 0.1f}));
  EXPECT_NEAR(categorical->result(), 0.75, 1e-12);
  categorical->reset_state();
  EXPECT_EQ(categorical->result(), 0.0);
  EXPECT_THROW(metrics::validate("acuracy"), ValueError);
}

TEST(Metrics, BinaryAccuracyMatchesKeras) {
  auto m = metrics::get("binary_accuracy", {kNone, 3}, {kNone, 3});
  m->update_state(y_true_b(), y_pred_b());
  EXPECT_NEAR(m->result(), goldens::kMetric_binary_accuracy, 1e-12);
}

TEST(Metrics, AucMatchesKeras) {
  auto auc = metrics::get("AUC", {kNone, 1}, {kNone, 1});
  auc->update_state(Tensor::from_vector<float>({0, 0, 1, 1, 1, 0}),
                    Tensor::from_vector<float>({0.1f, 0.4f, 0.35f, 0.8f, 0.65f, 0.5f}));
  EXPECT_NEAR(auc->result(), goldens::kMetric_auc, 1e-6);
  auc->reset_state();
  auc->update_state(Tensor::from_vector<float>({0, 1}), Tensor::from_vector<float>({0.2f, 0.9f}));
  EXPECT_NEAR(auc->result(), 1.0, 1e-9);
}

}  // namespace
}  // namespace keras::losses
