#include "keras/layers/recurrent.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "goldens/rnn_goldens.h"
#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/config/json.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/models/model.h"
#include "keras/ops/random.h"
#include "keras/ops/shape.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

using goldens::RnnGoldenCase;

// Every output of an eager call.
Tensors call_all(const LayerRef& layer, const Tensors& inputs, bool training = false) {
  return (*layer.layer())(inputs, training);
}

// ---- goldens from Keras 3 ----

LayerRef make_golden_layer(const RnnGoldenCase& c) {
  const std::string layer = c.layer;
  const initializers::Initializer kernel =
      c.constant_weights ? initializers::Constant(goldens::kRnnConstKernel) : "glorot_uniform";
  const initializers::Initializer recurrent =
      c.constant_weights ? initializers::Constant(goldens::kRnnConstRecurrent) : "orthogonal";
  const initializers::Initializer bias =
      c.constant_weights ? initializers::Constant(goldens::kRnnConstBias) : "zeros";
  if (layer == "LSTM") {
    return LSTM(goldens::kRnnUnits, {.activation = c.activation,
                                     .use_bias = c.use_bias,
                                     .kernel_initializer = kernel,
                                     .recurrent_initializer = recurrent,
                                     .bias_initializer = bias,
                                     .unit_forget_bias = c.unit_forget_bias,
                                     .return_sequences = c.return_sequences,
                                     .return_state = c.return_state,
                                     .go_backwards = c.go_backwards});
  }
  if (layer == "GRU") {
    return GRU(goldens::kRnnUnits, {.activation = c.activation,
                                    .use_bias = c.use_bias,
                                    .kernel_initializer = kernel,
                                    .recurrent_initializer = recurrent,
                                    .bias_initializer = bias,
                                    .return_sequences = c.return_sequences,
                                    .return_state = c.return_state,
                                    .go_backwards = c.go_backwards,
                                    .reset_after = c.reset_after});
  }
  return SimpleRNN(goldens::kRnnUnits, {.activation = c.activation,
                                        .use_bias = c.use_bias,
                                        .kernel_initializer = kernel,
                                        .recurrent_initializer = recurrent,
                                        .bias_initializer = bias,
                                        .return_sequences = c.return_sequences,
                                        .return_state = c.return_state,
                                        .go_backwards = c.go_backwards});
}

Tensor golden_tensor(const double* values, const Shape& shape, DType dtype) {
  return test::tensor_of(std::vector<double>(values, values + num_elements(shape)), shape, dtype);
}

void check_golden_case(const RnnGoldenCase& c, DType dtype, double tol) {
  SCOPED_TRACE(std::string(c.name) + (dtype == float64 ? " (float64)" : " (float32)"));
  LayerRef layer = make_golden_layer(c);
  layer->set_dtype(dtype);
  const Shape in_shape(std::begin(goldens::kRnnInputShape), std::end(goldens::kRnnInputShape));
  const Tensor x = golden_tensor(goldens::kRnnInput, in_shape, dtype);
  call_all(layer, {x});  // builds
  const std::vector<Variable> weights = layer.weights();
  const auto num_weights = static_cast<size_t>(c.num_weights);
  const auto num_outputs = static_cast<size_t>(c.num_outputs);
  ASSERT_EQ(weights.size(), num_weights);
  Tensors golden_weights;
  for (size_t i = 0; i < num_weights; ++i) {
    golden_weights.push_back(golden_tensor(c.weights[i], weights[i].shape(), dtype));
  }
  if (c.constant_weights) {
    for (size_t i = 0; i < num_weights; ++i) {
      test::expect_all_close(weights[i].value(), golden_weights[i], 0, 0);  // initializers
    }
  } else {
    layer.set_weights(golden_weights);
  }
  const Tensors outputs = call_all(layer, {x});
  ASSERT_EQ(outputs.size(), num_outputs);
  for (size_t i = 0; i < num_outputs; ++i) {
    ASSERT_EQ(outputs[i].size(), c.output_sizes[i]) << "output " << i;
    test::expect_all_close(outputs[i], golden_tensor(c.outputs[i], outputs[i].shape(), dtype), tol,
                           tol);
  }
}

TEST(RecurrentGoldens, MatchKeras3InFloat64) {
  for (const RnnGoldenCase& c : goldens::kRnnCases) check_golden_case(c, float64, 1e-12);
}

TEST(RecurrentGoldens, MatchKeras3InFloat32) {
  for (const RnnGoldenCase& c : goldens::kRnnCases) check_golden_case(c, float32, 1e-5);
}

// ---- the layer contract ----

TEST(LSTM, Contract) {
  test::run_layer_test({
      .make_layer = [] { return LSTM(3); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 3,
  });
}

TEST(LSTM, ContractWithSequencesBackwardsAndNoBias) {
  test::run_layer_test({
      .make_layer =
          [] {
            return LSTM(2, {.use_bias = false, .return_sequences = true, .go_backwards = true});
          },
      .input_shape = {2, 4, 3},
      .expected_output_shape = {2, 4, 2},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(LSTM, ContractWithDropout) {
  test::run_layer_test({
      .make_layer = [] { return LSTM(3, {.dropout = 0.3, .recurrent_dropout = 0.2}); },
      .input_shape = {2, 3, 2},
      .expected_output_shape = {2, 3},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 3,
      .stochastic = true,
  });
}

TEST(GRU, Contract) {
  test::run_layer_test({
      .make_layer = [] { return GRU(3); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 3,
  });
}

TEST(GRU, ContractResetBeforeWithSequences) {
  test::run_layer_test({
      .make_layer = [] { return GRU(2, {.return_sequences = true, .reset_after = false}); },
      .input_shape = {2, 3, 3},
      .expected_output_shape = {2, 3, 2},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 3,
  });
}

TEST(SimpleRNN, Contract) {
  test::run_layer_test({
      .make_layer = [] { return SimpleRNN(3); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 3,
  });
}

TEST(SimpleRNN, ContractWithSequencesAndRegularizers) {
  test::run_layer_test({
      .make_layer =
          [] {
            return SimpleRNN(3, {.kernel_regularizer = regularizers::L2(0.01),
                                 .recurrent_regularizer = "l2",
                                 .bias_regularizer = regularizers::L1(0.01),
                                 .return_sequences = true});
          },
      .input_shape = {2, 3, 2},
      .expected_output_shape = {2, 3, 3},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 3,
  });
}

// ---- weights ----

TEST(LSTM, WeightShapesNamesAndParamCount) {
  utils::clear_session();
  LSTM lstm(32);
  lstm(keras::Input({std::nullopt, 512}));
  ASSERT_EQ(lstm.weights().size(), 3u);
  EXPECT_EQ(lstm->kernel().path(), "lstm_1/kernel");
  EXPECT_EQ(lstm->recurrent_kernel().path(), "lstm_1/recurrent_kernel");
  EXPECT_EQ(lstm->bias().path(), "lstm_1/bias");
  EXPECT_EQ(shape_str(lstm->kernel().shape()), "(512, 128)");
  EXPECT_EQ(shape_str(lstm->recurrent_kernel().shape()), "(32, 128)");
  EXPECT_EQ(shape_str(lstm->bias().shape()), "(128,)");
  EXPECT_EQ(lstm.count_params(), 69760);  // 4 * 32 * (512 + 32 + 1)
  EXPECT_EQ(lstm.class_name(), "LSTM");
}

TEST(LSTM, UnitForgetBiasOnlySetsTheForgetSlice) {
  LSTM lstm(2);
  lstm(ones({1, 1, 3}));
  test::expect_all_close(lstm->bias().value(),
                         test::tensor_of({0, 0, 1, 1, 0, 0, 0, 0}, {8}, float32), 0, 0);
  LSTM plain(2, {.unit_forget_bias = false});
  plain(ones({1, 1, 3}));
  test::expect_all_close(plain->bias().value(), zeros({8}), 0, 0);
}

TEST(GRU, WeightShapesAndParamCount) {
  utils::clear_session();
  GRU gru(32);
  gru(keras::Input({std::nullopt, 512}));
  EXPECT_EQ(gru->bias().path(), "gru_1/bias");
  EXPECT_EQ(shape_str(gru->kernel().shape()), "(512, 96)");
  EXPECT_EQ(shape_str(gru->recurrent_kernel().shape()), "(32, 96)");
  EXPECT_EQ(shape_str(gru->bias().shape()), "(2, 96)");
  EXPECT_EQ(gru.count_params(), 3 * 32 * (512 + 32 + 2));
  GRU v1(32, {.reset_after = false});
  v1(keras::Input({std::nullopt, 512}));
  EXPECT_EQ(shape_str(v1->bias().shape()), "(96,)");
  EXPECT_EQ(v1.count_params(), 3 * 32 * (512 + 32 + 1));
}

TEST(SimpleRNN, WeightShapesAndParamCount) {
  utils::clear_session();
  SimpleRNN rnn(32);
  rnn(keras::Input({std::nullopt, 512}));
  EXPECT_EQ(rnn->kernel().path(), "simple_rnn_1/kernel");
  EXPECT_EQ(shape_str(rnn->recurrent_kernel().shape()), "(32, 32)");
  EXPECT_EQ(rnn.count_params(), 32 * (512 + 32 + 1));
}

TEST(Recurrent, DefaultNames) {
  utils::clear_session();
  EXPECT_EQ(LSTM(1).name(), "lstm_1");
  EXPECT_EQ(LSTM(1).name(), "lstm_2");
  EXPECT_EQ(GRU(1).name(), "gru_1");
  EXPECT_EQ(SimpleRNN(1).name(), "simple_rnn_1");
  EXPECT_EQ(GRU(1, {.name = "encoder"}).name(), "encoder");
  EXPECT_EQ(GRU(1).class_name(), "GRU");
  EXPECT_EQ(SimpleRNN(1).class_name(), "SimpleRNN");
}

TEST(Recurrent, RegularizersAddOneLossPerWeight) {
  LSTM lstm(2, {.kernel_regularizer = "l2",
                .recurrent_regularizer = regularizers::L1(0.1),
                .bias_regularizer = regularizers::L2(0.5)});
  lstm(ones({1, 2, 3}));
  const Tensors losses = lstm->losses();
  ASSERT_EQ(losses.size(), 3u);
  EXPECT_NEAR(losses[2].item<double>(), 0.5 * 2.0, 1e-6);  // the forget slice is ones
}

// ---- shapes ----

TEST(Recurrent, NoneTimestepsInSymbolicShapesAndAnyLengthAtRunTime) {
  const KerasTensor x = keras::Input({std::nullopt, 4});
  LSTM seq(5, {.return_sequences = true});
  EXPECT_EQ(shape_str(seq(x).shape()), "(None, None, 5)");
  GRU last(6);
  EXPECT_EQ(shape_str(last(x).shape()), "(None, 6)");
  for (int64_t steps : {1, 2, 7}) {
    const Tensor in = test::random_tensor({3, steps, 4}, float32, -1, 1, 9);
    EXPECT_EQ(shape_str(seq(in).shape()), shape_str({3, steps, 5}));
    EXPECT_EQ(shape_str(last(in).shape()), "(3, 6)");
  }
}

TEST(Recurrent, InputShapeOption) {
  const LSTM lstm(4, {.input_shape = std::vector<Dim>{std::nullopt, 8}});
  ASSERT_TRUE(lstm->batch_input_shape().has_value());
  EXPECT_EQ(shape_str(*lstm->batch_input_shape()), "(None, None, 8)");
  Sequential model({LSTM(4, {.input_shape = std::vector<Dim>{5, 3}}), Dense(1)});
  EXPECT_EQ(shape_str(model.outputs()[0].shape()), "(None, 1)");
}

TEST(LSTM, ReturnStateGivesOutputHAndC) {
  const KerasTensor x = keras::Input({std::nullopt, 4});
  const KerasTensors out = LSTM(5, {.return_state = true}).call_multi({x});
  ASSERT_EQ(out.size(), 3u);
  for (const KerasTensor& t : out) EXPECT_EQ(shape_str(t.shape()), "(None, 5)");
  const KerasTensors seq =
      LSTM(5, {.return_sequences = true, .return_state = true}).call_multi({x});
  ASSERT_EQ(seq.size(), 3u);
  EXPECT_EQ(shape_str(seq[0].shape()), "(None, None, 5)");

  // Eagerly: the output is h, and the last step of the sequence is h too.
  LSTM lstm(5, {.return_sequences = true, .return_state = true});
  const Tensors y = call_all(lstm, {test::random_tensor({2, 3, 4}, float32, -1, 1, 1)});
  ASSERT_EQ(y.size(), 3u);
  test::expect_all_close(ops::reshape(ops::slice_axis(y[0], 1, 2, 1), {2, 5}), y[1], 0, 0);
  EXPECT_FALSE(test::all_close(y[1], y[2], 1e-3, 1e-3));  // h != c
}

TEST(GRU, ReturnStateGivesOutputAndH) {
  const KerasTensor x = keras::Input({3, 4});
  const KerasTensors out = GRU(5, {.return_state = true}).call_multi({x});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(shape_str(out[1].shape()), "(None, 5)");
  const KerasTensors rnn = SimpleRNN(5, {.return_state = true}).call_multi({x});
  ASSERT_EQ(rnn.size(), 2u);
  GRU gru(5, {.return_state = true});
  const Tensors y = call_all(gru, {test::random_tensor({2, 3, 4}, float32, -1, 1, 1)});
  ASSERT_EQ(y.size(), 2u);
  test::expect_all_close(y[0], y[1], 0, 0);
}

// go_backwards on x equals a forward pass over x reversed in time, outputs included. Within
// float32 rounding, not bit for bit: a time step's rows sit elsewhere in the input projection's
// GEMM, and a kernel may round rows by their position (AVX2's sgemm rounds its last rows
// differently). A few ulps of 3-term sums carried through 4 steps of a 3-unit GRU: 1e-6.
TEST(Recurrent, GoBackwardsEqualsForwardOnReversedInput) {
  const Tensor x = test::random_tensor({2, 4, 3}, float32, -1, 1, 5);
  Tensors steps;
  for (int64_t t = 3; t >= 0; --t) steps.push_back(ops::slice_axis(x, 1, t, 1));
  const Tensor reversed = ops::concatenate(steps, 1);
  utils::set_random_seed(3);
  GRU backward(3, {.return_sequences = true, .go_backwards = true});
  backward(x);
  GRU forward(3, {.return_sequences = true});
  forward(x);
  forward.set_weights(backward.get_weights());
  test::expect_all_close(backward(x), forward(reversed), 1e-6, 1e-6);
}

// ---- dropout ----

Tensor eye(int64_t n) {
  Tensor t = zeros({n, n});
  for (int64_t i = 0; i < n; ++i) t.at<float>({i, i}) = 1.0f;
  return t;
}

// With x = ones, an identity kernel, a zero recurrent kernel and a linear activation, each output
// step is the input mask itself: the same mask at every step, and a new one per call.
TEST(Recurrent, InputDropoutMaskIsDrawnOncePerCall) {
  SimpleRNN rnn(
      4, {.activation = "linear", .use_bias = false, .dropout = 0.5, .return_sequences = true});
  const Tensor x = ones({3, 5, 4});
  rnn(x);
  rnn.set_weights({eye(4), zeros({4, 4})});
  const Tensor y = rnn(x, true);
  const Tensor first = ops::slice_axis(y, 1, 0, 1);
  for (double v : test::to_doubles(first)) EXPECT_TRUE(v == 0.0 || v == 2.0) << v;
  for (int64_t t = 1; t < 5; ++t) test::expect_all_close(ops::slice_axis(y, 1, t, 1), first, 0, 0);
  EXPECT_FALSE(test::all_close(rnn(x, true), y, 0, 0));  // 2^-60 chance of equal masks
  test::expect_all_close(rnn(x, false), x, 0, 0);
}

// The same with an identity recurrent kernel and recurrent dropout only: h1 = 1, h2 = 1 + m,
// h3 = 1 + m * h2, with one mask m (0 or 2) for both steps.
TEST(Recurrent, RecurrentDropoutMaskIsDrawnOncePerCall) {
  SimpleRNN rnn(4, {.activation = "linear",
                    .use_bias = false,
                    .recurrent_dropout = 0.5,
                    .return_sequences = true});
  const Tensor x = ones({3, 3, 4});
  rnn(x);
  rnn.set_weights({eye(4), eye(4)});
  const std::vector<double> y = test::to_doubles(rnn(x, true));
  for (size_t b = 0; b < 3; ++b) {
    for (size_t j = 0; j < 4; ++j) {
      const double h1 = y[b * 12 + j], h2 = y[b * 12 + 4 + j], h3 = y[b * 12 + 8 + j];
      const double m = h2 - 1.0;
      EXPECT_EQ(h1, 1.0);
      EXPECT_TRUE(m == 0.0 || m == 2.0) << m;
      EXPECT_EQ(h3, 1.0 + m * h2);
    }
  }
}

TEST(Recurrent, DropoutOnlyInTraining) {
  utils::set_random_seed(4);
  const Tensor x = test::random_tensor({4, 3, 5}, float32, -1, 1, 2);
  LSTM lstm(6, {.dropout = 0.5, .recurrent_dropout = 0.5});
  const Tensor inference = lstm(x);
  test::expect_all_close(lstm(x, false), inference, 0, 0);
  const Tensor train1 = lstm(x, true), train2 = lstm(x, true);
  EXPECT_FALSE(test::all_close(train1, inference, 1e-4, 1e-4));
  EXPECT_FALSE(test::all_close(train1, train2, 1e-4, 1e-4));  // new masks per call
  GRU gru(6, {.dropout = 0.5, .recurrent_dropout = 0.5, .reset_after = false});
  EXPECT_FALSE(test::all_close(gru(x, true), gru(x, false), 1e-4, 1e-4));
}

TEST(Recurrent, SeededDropoutIsReproducible) {
  const Tensor x = test::random_tensor({4, 3, 5}, float32, -1, 1, 2);
  auto run = [&] {
    utils::set_random_seed(8);
    GRU gru(3, {.dropout = 0.4, .recurrent_dropout = 0.3, .seed = 17});
    return gru(x, true);
  };
  test::expect_all_close(run(), run(), 0, 0);
}

// ---- graphs, sharing, training ----

// Without a tape the layer runs ops::lstm_inference (the projection fused into the recurrence);
// under one that watches the input, the projection and ops::lstm_sequence. Same arithmetic in a
// different order: float32 agreement within a few ulps of the O(1) states, times the steps.
TEST(LSTM, InferenceKernelMatchesTheDifferentiablePath) {
  for (bool backwards : {false, true}) {
    for (bool sequences : {false, true}) {
      SCOPED_TRACE(std::to_string(backwards) + std::to_string(sequences));
      LayerRef layer = LSTM(
          16, {.return_sequences = sequences, .return_state = true, .go_backwards = backwards});
      const Tensor x = random::uniform({90, 30, 20}, -1, 1, float32, 5);
      const Tensors inferred = call_all(layer, {x});
      Tensors traced;
      {
        autodiff::GradientTape tape;
        tape.watch(x);
        traced = call_all(layer, {x});
      }
      ASSERT_EQ(inferred.size(), traced.size());
      for (size_t i = 0; i < traced.size(); ++i) {
        test::expect_all_close(inferred[i], traced[i], 1e-5, 1e-5);
      }
    }
  }
}

TEST(LSTM, SharedLayerOnTwoInputsHasOneSetOfWeights) {
  utils::clear_session();
  const KerasTensor a = keras::Input({3, 4}), b = keras::Input({5, 4});
  LSTM shared(6);
  const KerasTensor ea = shared(a), eb = shared(b);
  EXPECT_EQ(shared->inbound_nodes().size(), 2u);
  Model model({a, b}, {ea, eb});
  EXPECT_EQ(model.trainable_weights().size(), 3u);
  EXPECT_EQ(model.count_params(), shared.count_params());
  const Tensor xa = test::random_tensor({2, 3, 4}, float32, -1, 1, 1);
  const Tensor xb = test::random_tensor({2, 5, 4}, float32, -1, 1, 2);
  const Outputs y = model.call({xa, xb});
  ASSERT_EQ(y.size(), 2u);
  test::expect_all_close(y[0], shared(xa), 0, 0);
  test::expect_all_close(y[1], shared(xb), 0, 0);
}

TEST(Recurrent, FitWithDropoutPlanMatchesEager) {
  const Tensor x = test::random_tensor({24, 5, 3}, float32, -1, 1, 1);
  const Tensor y = ops::slice_axis(ops::reshape(x, {24, 15}), 1, 0, 1);
  auto run = [&](bool eager) {
    utils::set_random_seed(5);
    const KerasTensor in = keras::Input({5, 3});
    const KerasTensor h = LSTM(4, {.dropout = 0.2, .recurrent_dropout = 0.2})(in);
    Model model(in, Dense(1)(h));
    model.compile({.optimizer = "rmsprop", .loss = "mse", .run_eagerly = eager});
    auto history = model.fit(x, y, {.epochs = 3, .batch_size = 8, .verbose = 0});
    return std::make_pair(history.history.at("loss"), model.get_weights());
  };
  const auto [loss_plan, w_plan] = run(false);
  const auto [loss_eager, w_eager] = run(true);
  ASSERT_EQ(loss_plan.size(), 3u);
  EXPECT_LT(loss_plan.back(), loss_plan.front());
  for (size_t i = 0; i < loss_plan.size(); ++i) EXPECT_NEAR(loss_plan[i], loss_eager[i], 1e-5);
  ASSERT_EQ(w_plan.size(), w_eager.size());
  for (size_t i = 0; i < w_plan.size(); ++i)
    test::expect_all_close(w_plan[i], w_eager[i], 1e-5, 1e-6);
}

// ---- errors ----

TEST(LSTM, RankTwoInputRaisesNdimError) {
  utils::clear_session();
  LSTM lstm(4);
  test::expect_throws_with<ValueError>(
      [&] { lstm(keras::Input({5})); },
      "Input 0 is incompatible with layer lstm_1: expected ndim=3, found ndim=2");
  test::expect_throws_with<ValueError>(
      [&] {
        lstm(ones({2, 5}));
      },
      "expected ndim=3, found ndim=2");
  EXPECT_FALSE(lstm.built());
}

TEST(Recurrent, WrongFeatureCountAfterBuildRaises) {
  GRU gru(2);
  gru(keras::Input({3, 4}));
  test::expect_throws_with<ValueError>(
      [&] {
        gru(keras::Input({3, 5}));
      },
      "expected axis -1 of input shape to have value 4");
}

TEST(Recurrent, InvalidArgumentsRaise) {
  test::expect_throws_with<ValueError>([] { LSTM(0); }, "expected a positive integer, got 0");
  test::expect_throws_with<ValueError>([] { GRU(-2); }, "got -2");
  test::expect_throws_with<ValueError>([] { SimpleRNN(2, {.activation = "nope"}); },
                                       "Could not interpret activation function identifier");
  SimpleRNN rnn(2);
  test::expect_throws_with<ValueError>(
      [&] {
        rnn(keras::Input({3, std::nullopt}));
      },
      "should be defined. Found None");
  test::expect_throws_with<ValueError>([&] { rnn(ones({2, 0, 3})); }, "no timesteps");
}

// Keras's RNN(cell): one built-in cell is the matching layer, with the wrapper's flags and name,
// saved again in Keras's form (the numbers against Keras, both ways: the rnn_cells layer
// fixtures); other cells are refused by name (a stack of cells: stacked_rnn_test.cpp).
TEST(Recurrent, RnnOverOneCellLoadsAsTheLayer) {
  const Json config = Json::parse(R"({"name": "wrapped", "return_sequences": true,
      "go_backwards": true, "cell": {"class_name": "GRUCell", "config": {"name": "gru_cell",
      "units": 3, "reset_after": false, "recurrent_activation": "hard_sigmoid"}}})");
  auto layer = std::dynamic_pointer_cast<GRUImpl>(RecurrentImpl::from_rnn_config(config));
  ASSERT_TRUE(layer);
  EXPECT_EQ(layer->name(), "wrapped");
  EXPECT_EQ(layer->units(), 3);
  EXPECT_TRUE(layer->return_sequences());
  EXPECT_TRUE(layer->go_backwards());
  // Saved as Keras wrote it: class RNN, the options in the cell's config.
  EXPECT_EQ(layer->class_name(), "RNN");
  const Json saved = layer->get_config();
  EXPECT_EQ(saved["go_backwards"], true);
  EXPECT_EQ(saved["cell"]["class_name"], "GRUCell");
  EXPECT_EQ(saved["cell"]["config"]["reset_after"], false);
  EXPECT_EQ(saved["cell"]["config"]["recurrent_activation"], "hard_sigmoid");
  EXPECT_FALSE(saved.contains("units"));
  test::expect_throws_with<NotImplementedError>(
      [] {
        RecurrentImpl::from_rnn_config(
            Json::parse(R"({"cell": {"class_name": "MinimalRNNCell", "config": {"units": 3}}})"));
      },
      "this one's cell is MinimalRNNCell");
  test::expect_throws_with<NotImplementedError>(
      [] { RecurrentImpl::from_rnn_config(Json::parse(R"({"cell": [1, 2]})")); },
      "this one has [1,2]");
}

}  // namespace
}  // namespace keras::layers
