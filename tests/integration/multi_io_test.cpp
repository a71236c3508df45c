// Several inputs and outputs: every structure form Keras accepts for data, losses, loss weights
// and metrics, Keras's log names, and Keras's errors for bad structures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <keras/keras.hpp>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

using ::testing::HasSubstr;
namespace L = keras::layers;

struct TwoByTwo {
  Model model;
  Tensor a, b, y_main, y_aux;
};

// main_output depends on both inputs, aux_output on the first only (like the guide's headline).
TwoByTwo make(uint64_t seed) {
  utils::clear_session();
  utils::set_random_seed(seed);
  auto main_input = Input({6}, {.name = "main_input"});
  auto aux_input = Input({3}, {.name = "aux_input"});
  auto h = L::Dense(8, {.activation = "relu"})(main_input);
  auto aux_output = L::Dense(1, {.activation = "sigmoid", .name = "aux_output"})(h);
  auto x = L::Dense(8, {.activation = "relu"})(ops::concatenate({h, aux_input}, -1));
  auto main_output = L::Dense(1, {.activation = "sigmoid", .name = "main_output"})(x);
  Model model({main_input, aux_input}, {main_output, aux_output});
  Tensor a = random::uniform({128, 6}, 0, 1, float32, seed),
         b = random::uniform({128, 3}, 0, 1, float32, seed + 1);
  Tensor y = ops::cast(ops::greater(ops::sum(a, {-1}, true), 3.0), float32);
  return {model, a, b, y, y};
}

TEST(MultiIO, ListsAndMapsGiveTheSameTraining) {
  auto run = [](bool maps) {
    TwoByTwo t = make(5);
    if (maps) {
      t.model.compile(
          {.optimizer = "rmsprop",
           .loss = {{"main_output", "binary_crossentropy"}, {"aux_output", "binary_crossentropy"}},
           .loss_weights = {{"main_output", 1.0}, {"aux_output", 0.2}},
           .metrics = {{"main_output", {"accuracy"}}, {"aux_output", {"accuracy"}}}});
      return t.model.fit({{"main_input", t.a}, {"aux_input", t.b}},
                         {{"main_output", t.y_main}, {"aux_output", t.y_aux}},
                         {.epochs = 3, .batch_size = 32, .verbose = 0});
    }
    t.model.compile({.optimizer = "rmsprop",
                     .loss = "binary_crossentropy",
                     .loss_weights = {1.0, 0.2},
                     .metrics = {"accuracy"}});
    return t.model.fit({t.a, t.b}, {t.y_main, t.y_aux},
                       {.epochs = 3, .batch_size = 32, .verbose = 0});
  };
  auto lists = run(false), maps = run(true);
  EXPECT_EQ(lists.history, maps.history);
  std::vector<std::string> keys;
  for (const auto& [k, v] : lists.history) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"aux_output_accuracy", "aux_output_loss", "loss",
                                            "main_output_accuracy", "main_output_loss"}));
  // The total is the weighted sum of the per-output losses.
  for (size_t e = 0; e < 3; ++e) {
    EXPECT_NEAR(
        lists.history.at("loss")[e],
        lists.history.at("main_output_loss")[e] + 0.2 * lists.history.at("aux_output_loss")[e],
        1e-5);
  }
}

TEST(MultiIO, PredictAndEvaluateReturnEveryOutput) {
  TwoByTwo t = make(6);
  t.model.compile({.optimizer = "sgd", .loss = {"binary_crossentropy", "mse"}, .metrics = {"acc"}});
  Outputs out = t.model.predict({t.a, t.b});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].shape(), (Shape{128, 1}));
  EXPECT_THROW((void)static_cast<Tensor>(out), ValueError);
  std::vector<double> scores = t.model.evaluate({t.a, t.b}, {t.y_main, t.y_aux}, {.verbose = 0});
  EXPECT_EQ(t.model.metrics_names(),
            (std::vector<std::string>{"loss", "main_output_loss", "aux_output_loss",
                                      "main_output_acc", "aux_output_acc"}));
  EXPECT_EQ(scores.size(), 5u);
}

// The check runs block-wise; the message still names the first bad element, in any block.
TEST(MultiIO, NonFiniteDataIsAnErrorNamingTheElement) {
  TwoByTwo t = make(7);
  t.model.compile({.loss = "mse"});
  for (const float bad : {std::nanf(""), INFINITY, -INFINITY}) {
    Tensor a = t.a.clone();
    a.data<float>()[5 * 6 + 2] = bad;
    EXPECT_THAT(test::message_of([&] {
                  t.model.fit({a, t.b}, {t.y_main, t.y_aux}, {.epochs = 1, .verbose = 0});
                }),
                HasSubstr("Data for \"main_input\" contains a NaN or infinite value (element 32"));
  }
  Tensor big = random::uniform({3, 5000}, 0, 1, float32, 1);
  big.data<float>()[2 * 5000 + 4500] = INFINITY;
  auto in = Input({5000}, {.name = "big"});
  Model m(in, L::Dense(1)(in));
  m.compile({.loss = "mse"});
  EXPECT_THAT(test::message_of([&] {
                m.fit(big, zeros({3, 1}), {.epochs = 1, .verbose = 0});
              }),
              HasSubstr("(element 14500 of an array of shape (3, 5000))"));
}

TEST(MultiIO, StructureErrorsUseKerasWording) {
  TwoByTwo t = make(7);
  EXPECT_THAT(test::message_of([&] {
                t.model.compile({.loss = {{"main_out", "mse"}}});
              }),
              HasSubstr("Unknown entry in loss dictionary: \"main_out\". Only expected the "
                        "following keys: ['main_output', 'aux_output']"));
  EXPECT_THAT(test::message_of([&] {
                t.model.compile({.loss = "mse", .loss_weights = {{"aux", 1.0}}});
              }),
              HasSubstr("Unknown entry in loss_weights dictionary: \"aux\""));
  EXPECT_THAT(test::message_of([&] {
                t.model.compile({.loss = {"mse", "mse", "mse"}});
              }),
              HasSubstr("The model has 2 outputs, but you passed loss=3 losses"));
  EXPECT_THAT(test::message_of([&] { t.model.compile({.loss = "mse", .loss_weights = {1.0}}); }),
              HasSubstr("it should have one entry per model output"));
  t.model.compile({.optimizer = "sgd", .loss = "mse"});
  EXPECT_THAT(test::message_of([&] {
                t.model.fit({{"main_input", t.a}}, {t.y_main, t.y_aux}, {.verbose = 0});
              }),
              HasSubstr("No data provided for \"aux_input\". Need data for each key in: "
                        "['main_input', 'aux_input']"));
  EXPECT_THAT(test::message_of([&] {
                t.model.fit({t.a, t.b}, {t.y_main}, {.verbose = 0});
              }),
              HasSubstr("Expected to see 2 array(s), but instead got 1 array(s)."));
  EXPECT_THAT(test::message_of([&] {
                t.model.fit({t.b, t.a}, {t.y_main, t.y_aux}, {.verbose = 0});
              }),
              HasSubstr("Error when checking input: expected main_input to have shape (6,) but got "
                        "array with shape (3,)"));
  EXPECT_THAT(test::message_of([&] {
                t.model.fit({t.a, t.b.slice_rows(0, 100)}, {t.y_main, t.y_aux}, {.verbose = 0});
              }),
              HasSubstr("Data cardinality is ambiguous"));
}

TEST(MultiIO, OutputWithoutLossIsAllowed) {
  TwoByTwo t = make(8);
  t.model.compile({.optimizer = "sgd", .loss = {{"main_output", "binary_crossentropy"}}});
  auto h = t.model.fit({t.a, t.b}, {{"main_output", t.y_main}, {"aux_output", t.y_aux}},
                       {.epochs = 1, .verbose = 0});
  // Keras 3 logs "<output>_loss" only when more than one output has a loss: here just "loss".
  EXPECT_EQ(h.history.count("loss"), 1u);
  EXPECT_EQ(h.history.count("main_output_loss"), 0u);
  EXPECT_EQ(h.history.count("aux_output_loss"), 0u);
}

// sample_weight follows y's structure (Keras 3): a list or a dict by output name weighs each output
// by its own array; one array (or a list of one) weighs every output; an output left out (an
// undefined Tensor, a missing key) is unweighted.
TEST(MultiIO, SampleWeightsPerOutput) {
  TwoByTwo t = make(8);
  t.model.compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor w_main = random::uniform({128}, 0, 2, float32, 21);
  const Tensor w_aux = random::uniform({128}, 0, 2, float32, 22);
  const Data x{t.a, t.b}, y{t.y_main, t.y_aux};
  // Keras's "sum_over_batch_size": sum(w * squared error) / n, per output.
  const Outputs p = t.model.predict(x);
  auto weighted_mse = [](const Tensor& y_true, const Tensor& y_pred, const Tensor& w) {
    const Tensor se = ops::squeeze(ops::square(ops::subtract(y_true, y_pred)), {-1});
    return ops::mean(w.defined() ? ops::multiply(se, w) : se).item<double>();
  };
  const double main_w = weighted_mse(t.y_main, p[0], w_main);
  const double aux_w = weighted_mse(t.y_aux, p[1], w_aux);
  const double aux_plain = weighted_mse(t.y_aux, p[1], Tensor());
  const double tol = 1e-5;  // float32 sums of 128 terms against float32 ops

  Results list = t.model.evaluate(
      x, y, {.batch_size = 128, .verbose = 0, .sample_weight = Data{w_main, w_aux}});
  EXPECT_NEAR(list["main_output_loss"], main_w, tol);
  EXPECT_NEAR(list["aux_output_loss"], aux_w, tol);
  Results dict =
      t.model.evaluate(x, y,
                       {.batch_size = 128,
                        .verbose = 0,
                        .sample_weight = Data{{"aux_output", w_aux}, {"main_output", w_main}}});
  EXPECT_EQ(dict.dict(), list.dict());  // the same arrays, the same kernels
  Results missing = t.model.evaluate(
      x, y, {.batch_size = 128, .verbose = 0, .sample_weight = Data{{"main_output", w_main}}});
  EXPECT_NEAR(missing["main_output_loss"], main_w, tol);
  EXPECT_NEAR(missing["aux_output_loss"], aux_plain, tol);
  Results undefined = t.model.evaluate(
      x, y, {.batch_size = 128, .verbose = 0, .sample_weight = Data{w_main, Tensor()}});
  EXPECT_EQ(undefined.dict(), missing.dict());
  Results shared =
      t.model.evaluate(x, y, {.batch_size = 128, .verbose = 0, .sample_weight = w_main});
  EXPECT_NEAR(shared["aux_output_loss"], weighted_mse(t.y_aux, p[1], w_main), tol);
  EXPECT_EQ(t.model.evaluate(x, y, {.batch_size = 128, .verbose = 0, .sample_weight = Data{w_main}})
                .dict(),
            shared.dict());

  EXPECT_THAT(
      [&] {
        t.model.evaluate(x, y, {.verbose = 0, .sample_weight = Data{{"aux", w_aux}}});
      },
      ::testing::ThrowsMessage<ValueError>(HasSubstr(
          "Unknown entry in sample_weight dictionary: \"aux\". Only expected the following "
          "keys: ['main_output', 'aux_output']")));
  EXPECT_THAT(
      [&] {
        t.model.evaluate(x, y, {.verbose = 0, .sample_weight = Data{w_main, w_aux, w_aux}});
      },
      ::testing::ThrowsMessage<ValueError>(HasSubstr("Expected to see 2 array(s)")));
  EXPECT_THAT(
      [&] {
        t.model.evaluate(x, y,
                         {.verbose = 0, .sample_weight = Data{w_main, w_aux.slice_rows(0, 64)}});
      },
      ::testing::ThrowsMessage<ValueError>(HasSubstr("'sample_weight' sizes: 128, 64")));

  // Training: an output weighted by zeros gives its own head no gradient (plain SGD: unchanged).
  const Tensor aux_kernel = t.model.get_layer("aux_output").get_weights()[0];
  t.model.fit(x, y,
              {.epochs = 2,
               .batch_size = 32,
               .verbose = 0,
               .sample_weight = Data{{"aux_output", ops::zeros_like(w_aux)}}});
  EXPECT_TRUE(ops::all(ops::equal(t.model.get_layer("aux_output").get_weights()[0], aux_kernel))
                  .item<bool>());
}

}  // namespace
}  // namespace keras
