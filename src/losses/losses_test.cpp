// Losses and metrics against Keras 3's own numbers (tests/goldens, made by real Keras).
#include "keras/losses/losses.h"

#include <gtest/gtest.h>

#include "goldens/keras_goldens.h"
#include "keras/metrics/metrics.h"

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
