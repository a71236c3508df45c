// Every optimizer, the base optimizer's options and every schedule against real Keras 3's numbers
// (tests/goldens/optimizer_goldens.h, tools/fixtures/make_optimizer_goldens.py). Each optimizer is
// built from Keras's own serialized config, so these also check deserialize and get_config.
#include "goldens/optimizer_goldens.h"

#include <gtest/gtest.h>

#include <cmath>

#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/optimizers/optimizers.h"

namespace keras::goldens::optimizers {
// Test names and failure messages show the case's id, not its bytes.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.id;
}
void PrintTo(const Schedule& s, std::ostream* os) {
  *os << s.id;
}
}  // namespace keras::goldens::optimizers

namespace keras::optimizers {
namespace {

namespace g = goldens::optimizers;

Json parse(std::string_view text) {
  return config::parse_json(std::string(text), "golden");
}

// Tolerances. The trajectories are float64 and keras.cpp runs Keras's op sequence (or a fused
// kernel with the same rounding steps) except for step factors such as beta_1 ** t, computed on
// the host: within an ulp, and six steps of updates near 1 keep the difference under 1e-13; 1e-11
// leaves room for the divisions by sqrt(v) + 1e-7 that scale it up. With a schedule Keras computed
// the rate in float64 (x64) and keras.cpp in float32, as Keras does by default: the rates differ
// by up to 6e-8 relative and the weights, moved by less than 1 in total, by under 1e-7.
double tolerance(const g::Case& c) {
  return parse(c.serialized)["config"]["learning_rate"].is_object() ? 1e-6 : 1e-11;
}

struct Trajectory {
  OptimizerPtr opt;
  double trajectory[6][8];
  double final[8];
};

Trajectory run(const g::Case& c) {
  Trajectory r{deserialize(parse(c.serialized)), {}, {}};
  Variable w0("w0", Tensor::from_vector<double>({1.0, -2.0, 3.0, 0.5}));
  Variable w1("w1", Tensor::from_vector<double>({0.1, 0.2, 0.3, -0.4}, {2, 2}));
  if (!c.exclude.empty()) r.opt->exclude_from_weight_decay({std::string(c.exclude)});
  auto read = [&](double* out) {
    for (int i = 0; i < 4; ++i) {
      out[i] = w0.value().data<double>()[i];
      out[4 + i] = w1.value().data<double>()[i];
    }
  };
  for (int t = 1; t <= 6; ++t) {
    Tensor g0 = Tensor::from_vector<double>({0.1 * t, -0.2 * t, 0.3 * t, 4.0 * t});
    Tensor g1 = Tensor::from_vector<double>({0.5 * t, -0.5 * t, 0.25 * t, 1.0 * t}, {2, 2});
    r.opt->apply({g0, g1}, {w0, w1});
    read(r.trajectory[t - 1]);
  }
  r.opt->finalize_variable_values({w0, w1});
  read(r.final);
  return r;
}

class OptimizerGolden : public testing::TestWithParam<g::Case> {};

TEST_P(OptimizerGolden, TrajectoryMatchesKeras) {
  const g::Case& c = GetParam();
  const Trajectory r = run(c);
  const double tol = tolerance(c);
  for (int t = 0; t < 6; ++t) {
    for (int i = 0; i < 8; ++i) {
      EXPECT_NEAR(r.trajectory[t][i], c.trajectory[t][i], tol)
          << "step " << t + 1 << " [" << i << "]";
    }
  }
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(r.final[i], c.final[i], tol) << "final [" << i << "]";
  EXPECT_EQ(r.opt->iterations(), 6);
}

TEST_P(OptimizerGolden, ConfigAndVariablesAreKeras) {
  const g::Case& c = GetParam();
  const Trajectory r = run(c);
  Json ours = serialize(*r.opt);
  ours["config"].erase("name");
  EXPECT_EQ(ours, parse(c.serialized));
  // Keras's variables: iteration, learning_rate (without a schedule), then the slots, named after
  // the optimizer (auto-numbered in Keras: "adam_1/...") and the variable.
  std::vector<std::string> keras_names;
  for (const Json& p : parse(c.variables)) {
    const std::string path = p.get<std::string>();
    std::string name = path.substr(path.find('/') + 1);
    // Nadam's unnamed u_product is "variable", numbered per process by Keras ("variable_2").
    if (name.starts_with("variable_")) name = "variable";
    keras_names.push_back(name);
  }
  std::vector<std::string> names{"iteration"};
  if (r.opt->has_learning_rate_variable()) names.push_back("learning_rate");
  for (const Variable& v : r.opt->variables()) names.push_back(v.name());
  EXPECT_EQ(names, keras_names);
}

INSTANTIATE_TEST_SUITE_P(Keras,
                         OptimizerGolden,
                         testing::ValuesIn(g::kCases),
                         [](const testing::TestParamInfo<g::Case>& info) {
                           return std::string(info.param.id);
                         });

// The options structs build the same optimizers as Keras's configs (same kernels: bit equal).
TEST(OptimizerOptions, MatchDeserializedConfigs) {
  auto same = [](OptimizerPtr a, std::string_view id) {
    for (const g::Case& c : g::kCases) {
      if (c.id != id) continue;
      // A vector and a matrix (Adafactor factors, Muon orthogonalizes only matrices).
      auto vars = [] {
        return std::vector<Variable>{
            Variable("w0", Tensor::from_vector<double>({1.0, -2.0})),
            Variable("w1", Tensor::from_vector<double>({0.1, 0.2, 0.3, -0.4}, {2, 2}))};
      };
      const std::vector<Variable> w = vars(), v = vars();
      OptimizerPtr b = deserialize(parse(c.serialized));
      for (int t = 1; t <= 4; ++t) {
        auto grads = [t] {
          return Tensors{Tensor::from_vector<double>({0.3 * t, -0.1}),
                         Tensor::from_vector<double>({0.5, -0.2 * t, 0.1, 1.0}, {2, 2})};
        };
        a->apply(grads(), w);
        b->apply(grads(), v);
      }
      for (size_t k = 0; k < w.size(); ++k) {
        for (int64_t i = 0; i < w[k].value().size(); ++i) {
          EXPECT_EQ(w[k].value().data<double>()[i], v[k].value().data<double>()[i]) << id;
        }
      }
      return;
    }
    ADD_FAILURE() << "no case " << id;
  };
  same(Adamax({.learning_rate = 0.1, .beta_1 = 0.8, .beta_2 = 0.95}), "adamax_lr_0_1");
  same(Nadam({.learning_rate = 0.1, .beta_1 = 0.8, .beta_2 = 0.95}), "nadam_lr_0_1");
  same(Adadelta({.learning_rate = 1.0, .rho = 0.9, .epsilon = 1e-6}), "adadelta_lr_1");
  same(Ftrl({.learning_rate = 0.1,
             .learning_rate_power = -0.3,
             .initial_accumulator_value = 0.2,
             .l1_regularization_strength = 0.01,
             .l2_regularization_strength = 0.02,
             .l2_shrinkage_regularization_strength = 0.03,
             .beta = 0.5}),
       "ftrl_regularized");
  same(Lion({.learning_rate = 0.1, .beta_1 = 0.5, .beta_2 = 0.9}), "lion_lr_0_1");
  same(Lamb({.learning_rate = 0.1, .beta_1 = 0.8, .beta_2 = 0.95}), "lamb_lr_0_1");
  same(SGD({.learning_rate = 0.1, .momentum = 0.5, .weight_decay = 0.2}), "sgd_weight_decay");
  same(Adam({.learning_rate = 0.1, .use_ema = true, .ema_momentum = 0.9}), "adam_ema");
  same(Nadam({.learning_rate = 0.1,
              .weight_decay = 0.1,
              .clip = {.global_clipnorm = 1.0},
              .gradient_accumulation_steps = 2}),
       "nadam_accumulate_clip");
  same(Adafactor({.learning_rate = 0.1,
                  .beta_2_decay = -0.5,
                  .epsilon_1 = 1e-20,
                  .epsilon_2 = 0.01,
                  .clip_threshold = 0.5,
                  .relative_step = false}),
       "adafactor_options");
  same(Muon({.learning_rate = 0.05,
             .adam_beta_1 = 0.8,
             .adam_beta_2 = 0.95,
             .adam_weight_decay = std::nullopt,
             .epsilon = 1e-6,
             .weight_decay = 0.1,
             .muon_a = 3.0,
             .muon_b = -4.0,
             .muon_c = 1.5,
             .adam_lr_ratio = 0.5,
             .momentum = 0.9,
             .ns_steps = 3,
             .nesterov = false,
             .rms_rate = std::nullopt}),
       "muon_options");
  same(Muon({.learning_rate = 0.1, .adam_weight_decay = 0.2, .exclude_layers = {"^w1$"}}),
       "muon_exclude_layers");
  same(ScheduleFreeAdamW({.learning_rate = 0.1,
                          .beta_1 = 0.8,
                          .beta_2 = 0.95,
                          .epsilon = 1e-6,
                          .warmup_steps = 3,
                          .weight_decay = 0.1}),
       "schedule_free_adamw_warmup");
  same(SGD({.learning_rate = schedules::ExponentialDecay(
                {.initial_learning_rate = 0.1, .decay_steps = 2, .decay_rate = 0.5})}),
       "sgd_exponential");
  same(Adam({.learning_rate = schedules::CosineDecay({.initial_learning_rate = 0.01,
                                                      .decay_steps = 4,
                                                      .warmup_target = 0.1,
                                                      .warmup_steps = 2})}),
       "adam_cosine_warmup");
}

// exclude_from_weight_decay(var_list) excludes those variables as var_names matching them does.
TEST(OptimizerOptions, ExcludingVariablesMatchesExcludingTheirNames) {
  for (const g::Case& c : g::kCases) {
    if (c.id != "adamw_exclude_w1") continue;
    OptimizerPtr opt = AdamW({.learning_rate = 0.1, .weight_decay = 0.1});
    Variable w0("w0", Tensor::from_vector<double>({1.0, -2.0, 3.0, 0.5}));
    Variable w1("w1", Tensor::from_vector<double>({0.1, 0.2, 0.3, -0.4}, {2, 2}));
    opt->exclude_from_weight_decay({w1});
    for (int t = 1; t <= 6; ++t) {
      opt->apply({Tensor::from_vector<double>({0.1 * t, -0.2 * t, 0.3 * t, 4.0 * t}),
                  Tensor::from_vector<double>({0.5 * t, -0.5 * t, 0.25 * t, 1.0 * t}, {2, 2})},
                 {w0, w1});
    }
    for (int i = 0; i < 4; ++i) {
      EXPECT_NEAR(w0.value().data<double>()[i], c.trajectory[5][i], 1e-11);
      EXPECT_NEAR(w1.value().data<double>()[i], c.trajectory[5][4 + i], 1e-11);
    }
    return;
  }
  FAIL() << "no adamw_exclude_w1 case";
}

class ScheduleGolden : public testing::TestWithParam<g::Schedule> {};

// Keras computes schedules in float32 with XLA's pow, cos and log; keras.cpp in float32 with the C
// library's: each within an ulp or two, so values agree to a few float32 ulps (1e-6 relative).
TEST_P(ScheduleGolden, ValuesAndConfigMatchKeras) {
  const g::Schedule& s = GetParam();
  const Json keras_form = parse(s.serialized);
  const schedules::SchedulePtr schedule = schedules::deserialize(keras_form);
  EXPECT_EQ(schedules::serialize(*schedule), keras_form);
  for (int step = 0; step < 25; ++step) {
    EXPECT_NEAR((*schedule)(step), s.values[step], 1e-6 * std::abs(s.values[step]) + 1e-12)
        << "step " << step;
  }
}

INSTANTIATE_TEST_SUITE_P(Keras,
                         ScheduleGolden,
                         testing::ValuesIn(g::kSchedules),
                         [](const testing::TestParamInfo<g::Schedule>& info) {
                           return std::string(info.param.id);
                         });

TEST(Schedules, OptimizerReadsTheScheduleEveryStep) {
  auto opt = SGD({.learning_rate = schedules::PiecewiseConstantDecay(
                      {.boundaries = {0, 1}, .values = {1.0, 0.5, 0.25}})});
  Variable w("w", Tensor::from_vector<double>({0.0}));
  EXPECT_EQ(opt->learning_rate(), 1.0);
  for (int t = 0; t < 3; ++t) opt->apply({Tensor::from_vector<double>({1.0})}, {w});
  EXPECT_EQ(w.value().data<double>()[0], -1.75);
  EXPECT_EQ(opt->learning_rate(), 0.25);
  EXPECT_FALSE(opt->has_learning_rate_variable());
}

TEST(OptimizerMisuse, KerasErrors) {
  auto message = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const std::exception& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message([] { SGD({.gradient_accumulation_steps = 1}); }),
            "`gradient_accumulation_steps` must be an integer >= 2. Received: "
            "gradient_accumulation_steps=1");
  EXPECT_EQ(message([] { Adam({.use_ema = true, .ema_momentum = 1.5}); }),
            "`ema_momentum` must be in the range [0, 1]. Received: ema_momentum=1.5");
  EXPECT_EQ(message([] { Adam({.use_ema = true, .ema_overwrite_frequency = -1}); }),
            "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
            "ema_overwrite_frequency=-1");
  EXPECT_EQ(message([] { SGD({.clip = {.clipnorm = 1.0, .global_clipnorm = 2.0}}); }),
            "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
            "clipnorm=1.0, clipvalue=None, global_clipnorm=2.0");
  EXPECT_EQ(message([] { Ftrl({.learning_rate_power = 0.5}); }),
            "`learning_rate_power` needs to be negative or zero. Received: "
            "learning_rate_power=0.5.");
  EXPECT_EQ(message([] { Ftrl({.initial_accumulator_value = -1}); }),
            "`initial_accumulator_value` needs to be positive or zero. Received: "
            "initial_accumulator_value=-1.0.");
  EXPECT_EQ(message([] { Lion({.beta_1 = 0}); }),
            "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates "
            "to SignSGD. Received: beta_1=0.0.");
  EXPECT_EQ(message([] {
              schedules::ExponentialDecay(
                  {.initial_learning_rate = 0.1, .decay_steps = 0, .decay_rate = 0.5});
            }),
            "Argument `decay_steps` must be > 0. Received: decay_steps=0");
  EXPECT_EQ(
      message([] {
        schedules::CosineDecayRestarts({.initial_learning_rate = 0.1, .first_decay_steps = -1});
      }),
      "Argument `first_decay_steps` must be > 0. Received: first_decay_steps=-1");
  EXPECT_EQ(message([] {
              schedules::PiecewiseConstantDecay({.boundaries = {1, 2}, .values = {0.1, 0.2}});
            }),
            "The length of boundaries should be 1 less than the length of values. Received: "
            "boundaries=[1, 2] of length 2, and values=[0.1, 0.2] of length 2.");
  EXPECT_THROW(schedules::deserialize(parse(R"({"class_name": "StepDecay", "config": {}})")),
               ValueError);

  auto scheduled = SGD({.learning_rate = schedules::InverseTimeDecay(
                            {.initial_learning_rate = 0.1, .decay_steps = 1, .decay_rate = 1})});
  EXPECT_THROW(scheduled->set_learning_rate(0.5), TypeError);

  auto opt = AdamW();
  Variable w("kernel", Tensor::from_vector<float>({1.0f}));
  opt->apply({Tensor::from_vector<float>({1.0f})}, {w});
  EXPECT_EQ(message([&] { opt->exclude_from_weight_decay({"kernel"}); }),
            "`exclude_from_weight_decay()` can only be configured before the optimizer is built.");
  EXPECT_THROW(Adam()->exclude_from_weight_decay({"[unclosed"}), ValueError);

  auto ema = Adam({.use_ema = true});
  ema->apply({Tensor::from_vector<float>({1.0f})}, {w});
  EXPECT_THROW(ema->finalize_variable_values({}), ValueError);
  EXPECT_EQ(get("Lamb")->name(), "Lamb");
  // loss_scale_factor is kept in the config; apply() divides the gradients by it (Keras's
  // test_static_loss_scaling: fit's gradients are of the loss times the factor).
  const Json with_scale = parse(
      R"({"class_name": "Adam", "config": {"learning_rate": 0.01, "loss_scale_factor": 128.0}})");
  EXPECT_EQ(serialize(*deserialize(with_scale))["config"]["loss_scale_factor"], 128.0);
  Variable scaled("v", Tensor::from_vector<float>({1.0f, 2.0f, 3.0f, 4.0f}));
  SGD({.learning_rate = 1.0, .loss_scale_factor = 1024.0})
      ->apply({Tensor::from_vector<float>({1024.0f, 2048.0f, 3072.0f, 4096.0f})}, {scaled});
  test::expect_all_close(scaled.value(), Tensor::from_vector<float>({0, 0, 0, 0}), 0, 0);
  EXPECT_EQ(message([&] { SGD()->apply({Tensor()}, {scaled}); }),
            "No gradients provided for any variable.");
  EXPECT_EQ(get("nadam")->name(), "Nadam");
  EXPECT_EQ(get("Adafactor")->name(), "Adafactor");
  EXPECT_EQ(get("muon")->name(), "Muon");
  EXPECT_EQ(get("schedulefreeadamw")->name(), "ScheduleFreeAdamW");
  EXPECT_THROW(Muon({.exclude_layers = {"dense("}}), ValueError);
  EXPECT_THROW(Muon({.ns_steps = 1000000}), ValueError);
  EXPECT_THROW(deserialize(parse(R"({"class_name": "Muon", "config": {"exclude_layers": "x"}})")),
               ValueError);
  // Keras names an optimizer after its class, in snake case.
  EXPECT_EQ(serialize(*RMSprop())["config"]["name"], "rm_sprop");
  EXPECT_EQ(serialize(*AdamW())["config"]["name"], "adam_w");
  EXPECT_EQ(serialize(*ScheduleFreeAdamW())["config"]["name"], "schedule_free_adam_w");
  EXPECT_EQ(serialize(*Adam())["config"]["name"], "adam");
}

// The optimizer Keras wraps for a mixed_float16 model (a legacy .h5's training_config): the
// inner one, with its options.
TEST(OptimizerOptions, LossScaleOptimizerGivesItsInnerOptimizer) {
  const OptimizerPtr o = deserialize(parse(R"({"class_name": "LossScaleOptimizer", "config": {
      "name": "loss_scale_optimizer", "initial_scale": 32768.0, "dynamic_growth_steps": 2000,
      "inner_optimizer": {"module": "keras.optimizers", "class_name": "Adam",
                          "config": {"name": "adam", "learning_rate": 0.002, "beta_1": 0.8}}}})"));
  EXPECT_EQ(o->name(), "Adam");
  EXPECT_NEAR(o->learning_rate(), 0.002, 1e-12);
  EXPECT_EQ(o->get_config()["beta_1"], 0.8);
  EXPECT_THROW(deserialize(parse(R"({"class_name": "LossScaleOptimizer", "config": {}})")),
               ValueError);
  // tf_keras's .h5: the registered name, and its optimizer-wrapping class.
  EXPECT_EQ(deserialize(parse(R"({"class_name": "Custom>RMSprop", "config": {"rho": 0.8}})"))
                ->get_config()["rho"],
            0.8);
  EXPECT_EQ(deserialize(parse(R"({"class_name": "LossScaleOptimizerV3", "config": {
      "inner_optimizer": {"class_name": "SGD", "config": {}}, "dynamic": true}})"))
                ->name(),
            "SGD");
}

}  // namespace
}  // namespace keras::optimizers
