// Every loss class against real Keras 3 (tests/goldens/loss_goldens.h, made by
// tools/fixtures/make_loss_goldens.py): values for every reduction with and without sample
// weights, float32 values, get_config, the per-sample functions, and float64 gradients against
// finite differences through the op harness.
#include "goldens/loss_goldens.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/losses/losses.h"
#include "keras/ops/elementwise.h"

namespace keras::losses {
namespace {

using goldens::LossGoldenArray;
using goldens::LossGoldenCase;
using goldens::LossGoldenSet;

Tensor tensor_of(const LossGoldenArray& a, DType dtype) {
  const Tensor t = Tensor::from_vector<double>(a.values, Shape(a.shape.begin(), a.shape.end()));
  return t.astype(dtype);
}

const LossGoldenSet& golden_set(const std::string& name) {
  for (const LossGoldenSet& s : goldens::kLossSets) {
    if (name == s.name) return s;
  }
  throw std::runtime_error("no golden set " + name);
}

struct Inputs {
  Tensor y_true, y_pred, sample_weight;
};

// The set's tensors in `dtype` (integer labels as int32), y_pred carrying the set's mask.
Inputs inputs_of(const LossGoldenSet& s, DType dtype) {
  Inputs in{tensor_of(s.y_true, s.int_labels ? int32 : dtype), tensor_of(s.y_pred, dtype),
            tensor_of(s.sample_weight, dtype)};
  if (!s.mask.values.empty()) in.y_pred.set_keras_mask(tensor_of(s.mask, bool_));
  return in;
}

LossPtr loss_of(const LossGoldenCase& c, const Reduction& reduction) {
  Json j = config::parse_json(c.loss, "golden");
  j["config"]["reduction"] = reduction ? Json(*reduction) : Json(nullptr);
  return deserialize(j);
}

// Values of order 1 agree to ~1e-15 in float64; a few ulps of headroom for summation order and
// libm differences, relative to the value's magnitude (CTC's infeasible paths reach 1e5).
void expect_matches(const Tensor& actual, const LossGoldenArray& golden, double tol) {
  ASSERT_EQ(shape_str(actual.shape()), shape_str(Shape(golden.shape.begin(), golden.shape.end())));
  const std::vector<double> got = test::to_doubles(actual);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], golden.values[i], tol * std::max(1.0, std::abs(golden.values[i])))
        << "element " << i;
  }
}

class LossGoldenTest : public ::testing::TestWithParam<LossGoldenCase> {};

std::string case_name(const ::testing::TestParamInfo<LossGoldenCase>& info) {
  return info.param.id;
}

TEST_P(LossGoldenTest, EveryReductionMatchesKerasInFloat64) {
  const LossGoldenCase& c = GetParam();
  const Inputs in = inputs_of(golden_set(c.set), float64);
  for (const goldens::LossGoldenResult& r : c.results) {
    const Reduction reduction = r.reduction ? Reduction(r.reduction) : std::nullopt;
    SCOPED_TRACE(str("reduction=", r.reduction ? r.reduction : "None", " weighted=", r.weighted));
    const LossPtr loss = loss_of(c, reduction);
    const Tensor value = (*loss)(in.y_true, in.y_pred, r.weighted ? in.sample_weight : Tensor());
    EXPECT_EQ(value.dtype(), float64);
    expect_matches(value, r.value, 1e-12);
  }
}

TEST_P(LossGoldenTest, Float32MatchesKeras) {
  const LossGoldenCase& c = GetParam();
  const Inputs in = inputs_of(golden_set(c.set), float32);
  const Tensor value = (*loss_of(c, "sum_over_batch_size"))(in.y_true, in.y_pred, in.sample_weight);
  EXPECT_EQ(value.dtype(), float32);
  // Both sides round each op to float32 (~6e-8 relative), in different orders.
  EXPECT_NEAR(value.item<double>(), c.float32_value,
              2e-6 * std::max(1.0, std::abs(c.float32_value)));
}

// keras.cpp writes what Keras's get_config writes, plus the arguments Keras 3.15 leaves out
// (Huber's delta, CosineSimilarity's and SparseCategoricalCrossentropy's axis).
TEST_P(LossGoldenTest, GetConfigMatchesKeras) {
  const LossGoldenCase& c = GetParam();
  const Json given = config::parse_json(c.loss, "golden")["config"];
  const Json keras_config = config::parse_json(c.keras_config, "golden");
  const LossPtr loss = deserialize(config::parse_json(c.loss, "golden"));
  Json ours = loss->get_config();
  for (const char* extra : {"delta", "axis"}) {
    if (ours.contains(extra) && !keras_config.contains(extra)) {
      if (given.contains(extra)) {
        EXPECT_EQ(ours[extra], given[extra]);
      }
      ours.erase(extra);
    }
  }
  EXPECT_EQ(ours.dump(), keras_config.dump());
  // And it comes back as the same loss.
  const LossPtr again = deserialize(serialize(*loss));
  EXPECT_EQ(again->class_name(), loss->class_name());
  EXPECT_EQ(again->get_config().dump(), loss->get_config().dump());
}

INSTANTIATE_TEST_SUITE_P(Keras,
                         LossGoldenTest,
                         ::testing::ValuesIn(goldens::kLossCases),
                         case_name);

// float64 gradients of every case (reduction "none", weighted) against finite differences.
std::vector<test::OpCase> gradient_cases() {
  std::vector<test::OpCase> cases;
  for (const LossGoldenCase& c : goldens::kLossCases) {
    const LossGoldenSet& s = golden_set(c.set);
    const LossPtr loss = loss_of(c, "none");
    cases.push_back(test::OpCase{
        .name = c.id,
        .input_shapes = {Shape(s.y_pred.shape.begin(), s.y_pred.shape.end())},
        .fn =
            [loss, &s](const Tensors& x) {
              const Inputs in = inputs_of(s, x[0].dtype());
              if (in.y_pred.keras_mask().defined()) x[0].set_keras_mask(in.y_pred.keras_mask());
              return (*loss)(in.y_true, x[0], in.sample_weight);
            },
        // CTC's infeasible paths are scored near 1e5: central differences lose ~1e-5 there.
        .grad_tol = std::string(c.id) == "ctc_long" ? 1e-4 : 1e-6,
        .parity_tol = 1e-5,
        // Circle's self-distance 1 - <x, x> of unit embeddings sits on the kink of max(., 0)
        // (remove_diagonal=false keeps it): shrink them off it.
        .make_inputs =
            [&s, shrink = std::string(c.set) == "circle" ? 0.9 : 1.0] {
              return Tensors{ops::multiply(tensor_of(s.y_pred, float64), shrink)};
            },
    });
  }
  return cases;
}

KERAS_INSTANTIATE_OP_TESTS(LossGradients, gradient_cases());

// ---- keras.losses.<function>(y_true, y_pred, **kwargs) ----

Tensor call_function(const std::string& fn, const Json& kw, const Tensor& t, const Tensor& p) {
  auto num = [&](const char* k, double d) { return config::get<double>(kw, k, d); };
  auto flag = [&](const char* k) { return config::get<bool>(kw, k, false); };
  auto axes = [&] { return config::get<std::vector<int>>(kw, "axis", {}); };
  if (fn == "mean_squared_error") return mean_squared_error(t, p);
  if (fn == "mean_absolute_error") return mean_absolute_error(t, p);
  if (fn == "huber") return huber(t, p, num("delta", 1.0));
  if (fn == "log_cosh") return log_cosh(t, p);
  if (fn == "cosine_similarity") return cosine_similarity(t, p, config::get<int>(kw, "axis", -1));
  if (fn == "kl_divergence") return kl_divergence(t, p);
  if (fn == "poisson") return poisson(t, p);
  if (fn == "hinge") return hinge(t, p);
  if (fn == "binary_crossentropy") {
    return binary_crossentropy(t, p, flag("from_logits"), num("label_smoothing", 0.0));
  }
  if (fn == "binary_focal_crossentropy") {
    return binary_focal_crossentropy(t, p, flag("apply_class_balancing"), num("alpha", 0.25),
                                     num("gamma", 2.0));
  }
  if (fn == "categorical_crossentropy") {
    return categorical_crossentropy(t, p, flag("from_logits"), num("label_smoothing", 0.0));
  }
  if (fn == "categorical_focal_crossentropy") {
    return categorical_focal_crossentropy(t, p, num("alpha", 0.25));
  }
  if (fn == "sparse_categorical_crossentropy") {
    return sparse_categorical_crossentropy(t, p, false,
                                           config::get<int64_t>(kw, "ignore_class", -1));
  }
  if (fn == "ctc") return ctc(t, p);
  if (fn == "dice") return dice(t, p, axes());
  if (fn == "tversky") return tversky(t, p, num("alpha", 0.5), num("beta", 0.5), axes());
  throw std::runtime_error("no function " + fn);
}

TEST(LossFunctions, MatchKeras) {
  for (const goldens::LossGoldenFunction& f : goldens::kLossFunctions) {
    SCOPED_TRACE(f.function);
    const Inputs in = inputs_of(golden_set(f.set), float64);
    const Tensor value =
        call_function(f.function, config::parse_json(f.kwargs, "golden"), in.y_true, in.y_pred);
    expect_matches(value, f.value, 1e-12);
  }
}

}  // namespace
}  // namespace keras::losses
