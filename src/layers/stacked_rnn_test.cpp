#include "keras/layers/stacked_rnn.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/bidirectional.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

Tensor reversed_in_time(const Tensor& x) {
  Tensors steps;
  for (int64_t t = x.dim(1) - 1; t >= 0; --t) steps.push_back(ops::slice_axis(x, 1, t, 1));
  return ops::concatenate(steps, 1);
}

// (batch, steps) bool mask: sample 0 ends masked, sample 1 has a hole, sample 2 starts masked.
Tensor holes_mask() {
  Tensor m = test::tensor_of({1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1}, {3, 6});
  return ops::cast(m, bool_);
}

// The stack against its cells run one after another as layers with the stack's weights: the
// same ops on the same shapes, so the same numbers bit for bit.
void expect_stack_equals_layers(const RNNOptions& options, bool masked) {
  utils::set_random_seed(7);
  const Tensor x = test::random_tensor({3, 6, 5}, float32, -1, 1, 8);
  const Tensor mask = holes_mask();
  RNN stack({LSTM(4), GRU(3, {.reset_after = false}), SimpleRNN(2, {.activation = "relu"})},
            options);
  auto with_mask = [&](Tensor t, const Tensor& m) {
    t = ops::add(t, 0.0);  // a tensor of its own to carry the mask
    if (masked) t.set_keras_mask(m);
    return t;
  };
  const Tensors got = stack.impl()(Tensors{with_mask(x, mask)});
  // The layers: the first reads the (reversed) sequence, each returns its sequence but the last.
  const bool rs = options.return_sequences, st = options.return_state;
  LSTM a(4, {.return_sequences = true, .return_state = st});
  GRU b(3, {.return_sequences = true, .return_state = st, .reset_after = false});
  SimpleRNN c(2, {.activation = "relu",
                  .return_sequences = rs,
                  .return_state = st,
                  .zero_output_for_mask = options.zero_output_for_mask});
  const Tensor in = options.go_backwards ? reversed_in_time(x) : x;
  const Tensor in_mask = options.go_backwards ? reversed_in_time(mask) : mask;
  Tensors ya = a.impl()(Tensors{with_mask(in, in_mask)});
  a.set_weights(stack->cells()[0]->get_weights());
  ya = a.impl()(Tensors{with_mask(in, in_mask)});
  Tensors yb = b.impl()(Tensors{with_mask(ya[0], in_mask)});
  b.set_weights(stack->cells()[1]->get_weights());
  yb = b.impl()(Tensors{with_mask(ya[0], in_mask)});
  Tensors yc = c.impl()(Tensors{with_mask(yb[0], in_mask)});
  c.set_weights(stack->cells()[2]->get_weights());
  yc = c.impl()(Tensors{with_mask(yb[0], in_mask)});
  Tensors want{yc[0]};
  if (st) want = {yc[0], ya[1], ya[2], yb[1], yc[1]};
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_TRUE(test::identical(got[i], want[i])) << i;
}

TEST(StackedRNN, EqualsItsCellsRunOneAfterAnother) {
  expect_stack_equals_layers({}, false);
  expect_stack_equals_layers({.return_sequences = true, .return_state = true}, false);
  expect_stack_equals_layers({.return_sequences = true, .go_backwards = true}, false);
}

// Masked steps keep every cell's states, as Keras's loop over the whole stack does.
TEST(StackedRNN, MaskedStepsEqualItsCellsRunOneAfterAnother) {
  expect_stack_equals_layers({.return_state = true}, true);
  expect_stack_equals_layers({.return_sequences = true, .go_backwards = true}, true);
  expect_stack_equals_layers({.return_sequences = true, .zero_output_for_mask = true}, true);
}

// A list of one cell is that cell's layer (Keras 3 fails on it with a mask).
TEST(StackedRNN, OneCellWithAMaskIsThatLayer) {
  utils::set_random_seed(2);
  Tensor x = ops::add(test::random_tensor({3, 6, 5}, float32, -1, 1, 8), 0.0);
  x.set_keras_mask(holes_mask());
  RNN stack({LSTM(4)}, {.return_sequences = true});
  const Tensors got = stack.impl()(Tensors{x});
  LSTM plain(4, {.return_sequences = true});
  plain.impl()(Tensors{x});
  plain.set_weights(stack.get_weights());
  EXPECT_TRUE(test::identical(got[0], plain.impl()(Tensors{x})[0]));
}

TEST(StackedRNN, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return RNN({LSTM(3), GRU(2)});
          },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 2},
      .expected_num_weights = 6,
      .expected_num_trainable_weights = 6,
  });
}

TEST(StackedRNN, ContractWithSequencesBackwardsAndDropout) {
  test::run_layer_test({
      .make_layer =
          [] {
            return RNN({SimpleRNN(3, {.dropout = 0.2}), LSTM(2, {.recurrent_dropout = 0.3})},
                       {.return_sequences = true, .go_backwards = true});
          },
      .input_shape = {2, 4, 3},
      .expected_output_shape = {2, 4, 2},
      .expected_num_weights = 6,
      .expected_num_trainable_weights = 6,
      .stochastic = true,
  });
}

TEST(StackedRNN, ShapesStatesAndInitialStates) {
  auto x = Input({5, 3});
  auto h = Input({4}), c = Input({4}), g = Input({2});
  RNN stack({LSTM(4), GRU(2)}, {.return_state = true});
  const KerasTensors out = stack.call_multi({x, h, c, g});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].shape(), (Shape{kNone, 2}));
  EXPECT_EQ(out[1].shape(), (Shape{kNone, 4}));
  EXPECT_EQ(out[2].shape(), (Shape{kNone, 4}));
  EXPECT_EQ(out[3].shape(), (Shape{kNone, 2}));
  EXPECT_EQ(stack->initial_state_count(), 3);
  // The GRU starts from g: its final state differs from a start at zeros.
  Model m({x, h, c, g}, out);
  const Tensor xs = test::random_tensor({2, 5, 3}, float32, -1, 1, 1);
  const Tensor hs = test::random_tensor({2, 4}, float32, -1, 1, 2);
  const Tensor cs = test::random_tensor({2, 4}, float32, -1, 1, 3);
  const Tensor gs = test::random_tensor({2, 2}, float32, -1, 1, 4);
  const Tensors y = m.predict({xs, hs, cs, gs});
  const Tensors y0 = m.predict({xs, hs, cs, ops::multiply(gs, 0.0)});
  EXPECT_GT(test::max_abs(ops::subtract(y[3], y0[3])), 1e-3);
  EXPECT_TRUE(test::identical(y[1], y0[1]));  // the LSTM does not see g
  // A wrong state width names the layer.
  test::expect_throws_with<ValueError>([&] { stack({x, h, c, Input({3})}); }, "incompatible");
}

TEST(StackedRNN, ConfigIsKerasStackedRNNCellsAndRoundTrips) {
  RNN stack({LSTM(3, {.name = "first"}), LSTM(2), GRU(2)},
            {.return_sequences = true, .go_backwards = true, .name = "stack"});
  stack.impl()(Tensors{test::random_tensor({2, 4, 5}, float32, -1, 1, 1)});
  const Json config = stack->get_config();
  EXPECT_EQ(config["name"], "stack");
  EXPECT_EQ(config["go_backwards"], true);
  EXPECT_EQ(config["return_sequences"], true);
  const Json& cell = config["cell"];
  EXPECT_EQ(cell["class_name"], "StackedRNNCells");
  ASSERT_EQ(cell["config"]["cells"].size(), 3u);
  EXPECT_EQ(cell["config"]["cells"][0]["class_name"], "LSTMCell");
  EXPECT_EQ(cell["config"]["cells"][0]["config"]["name"], "first");
  EXPECT_EQ(cell["config"]["cells"][2]["class_name"], "GRUCell");
  EXPECT_FALSE(cell["config"]["cells"][0]["config"].contains("return_sequences"));
  EXPECT_EQ(cell["config"]["cells"][1]["build_config"]["input_shape"][1], 3);
  // Weights under Keras's paths: cells named by class, in order.
  const std::vector<Layer::VariableGroup> groups = stack->saved_variables();
  std::vector<std::string> paths;
  for (const auto& g : groups) {
    if (!g.variables.empty()) paths.push_back(g.path);
  }
  EXPECT_EQ(paths,
            (std::vector<std::string>{"cell/cells/lstm_cell/vars", "cell/cells/lstm_cell_1/vars",
                                      "cell/cells/gru_cell/vars"}));
  // From the config (the registry's RNN entry): the same layer.
  auto again = std::dynamic_pointer_cast<StackedRNNImpl>(RecurrentImpl::from_rnn_config(config));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->cells().size(), 3u);
  EXPECT_EQ(again->cells()[0]->name(), "first");
  EXPECT_TRUE(again->options().go_backwards);
  EXPECT_FALSE(again->cells()[0]->go_backwards());  // the stack reverses once
  EXPECT_TRUE(again->cells()[2]->return_sequences());
}

TEST(StackedRNN, BadCellsRaise) {
  test::expect_throws_with<ValueError>([] { RNN(std::vector<LayerRef>{}); }, "at least one cell");
  test::expect_throws_with<ValueError>(
      [] {
        RNN({LSTM(2), Dense(3)});
      },
      "Received at index 1: Dense");
  test::expect_throws_with<ValueError>([] { RNN({LSTM(2, {.return_sequences = true})}); },
                                       "these are the RNN's options");
  LSTM twice(2);
  test::expect_throws_with<ValueError>(
      [&] {
        RNN({twice, GRU(2), twice});
      },
      "cells 0 and 2 are the same layer");
  LSTM built(2);
  built(Tensors{test::random_tensor({1, 2, 3}, float32, -1, 1, 1)});
  test::expect_throws_with<ValueError>([&] { RNN({built}); }, "is already built");
  test::expect_throws_with<ValueError>(
      [] {
        RecurrentImpl::from_rnn_config(
            Json::parse(R"({"cell": {"class_name": "StackedRNNCells", "config": {"cells": []}}})"));
      },
      "needs a list of cells");
  test::expect_throws_with<NotImplementedError>(
      [] {
        RecurrentImpl::from_rnn_config(Json::parse(
            R"({"cell": {"class_name": "StackedRNNCells", "config": {"cells": [
                {"class_name": "MinimalRNNCell", "config": {"units": 2}}]}}})"));
      },
      "this one has MinimalRNNCell");
  test::expect_throws_with<ValueError>(
      [] {
        RecurrentImpl::from_rnn_config(Json::parse(
            R"({"cell": {"class_name": "StackedRNNCells", "config": {"cells": [
                {"class_name": "GRUCell", "config": {"units": 2}},
                {"class_name": "LSTMCell", "config": 3}]}}})"));
      },
      "RNN: cell 1 (LSTMCell) has no config object");
}

// Bidirectional around a stack: the backward half is the stack rebuilt from its config with
// go_backwards flipped (new cells), its sequence put back in forward time order.
TEST(StackedRNN, InBidirectional) {
  utils::set_random_seed(4);
  const Tensor x = test::random_tensor({2, 5, 3}, float32, -1, 1, 6);
  Bidirectional bi(RNN({LSTM(3), GRU(2)}, {.return_sequences = true}));
  const Tensor y = bi(x);
  EXPECT_EQ(y.shape(), (Shape{2, 5, 4}));
  EXPECT_EQ(bi->weights().size(), 12u);
  auto backward = std::dynamic_pointer_cast<StackedRNNImpl>(bi->backward_layer());
  ASSERT_TRUE(backward);
  EXPECT_TRUE(backward->go_backwards());
  EXPECT_EQ(backward->name(), "backward_" + bi->forward_layer()->name());
  EXPECT_NE(backward->cells()[0].get(),
            std::static_pointer_cast<StackedRNNImpl>(bi->forward_layer())->cells()[0].get());
  const Tensor f = (*bi->forward_layer())({x}, false)[0];
  const Tensor b = reversed_in_time((*bi->backward_layer())({x}, false)[0]);
  EXPECT_TRUE(test::identical(y, ops::concatenate({f, b}, -1)));
  // Initial states: the forward stack's (h, c of the LSTM, h of the GRU), then the backward's.
  EXPECT_EQ(bi->initial_state_count(), 6);
  auto in = Input({5, 3});
  KerasTensors states;
  for (int64_t u : {3, 3, 2, 3, 3, 2}) states.push_back(Input({u}));
  KerasTensors all{in};
  all.insert(all.end(), states.begin(), states.end());
  EXPECT_EQ(bi(all).shape(), (Shape{kNone, 5, 4}));
}

// A stateful stack keeps every cell's states between calls until reset_state().
TEST(StackedRNN, StatefulKeepsEveryCellsStates) {
  auto x = Input({3, 2}, {.batch_size = 2});
  RNN stack({LSTM(3), GRU(2)}, {.stateful = true});
  Model m(x, stack(x));
  const Tensor xs = test::random_tensor({2, 3, 2}, float32, -1, 1, 1);
  const Tensor first = m.predict(xs)[0];
  const Tensor second = m.predict(xs)[0];
  EXPECT_GT(test::max_abs(ops::subtract(first, second)), 1e-4);
  stack->reset_state();
  EXPECT_TRUE(test::identical(m.predict(xs)[0], first));
}

}  // namespace
}  // namespace keras::layers
