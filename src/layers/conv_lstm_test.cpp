#include "keras/layers/conv_lstm.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/initializers/initializers.h"
#include "keras/layers/bidirectional.h"
#include "keras/layers/input_layer.h"
#include "keras/models/model.h"
#include "keras/ops/activations.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/random.h"
#include "keras/ops/shape.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

Tensors call_all(const LayerRef& layer, const Tensors& inputs, bool training = false) {
  return (*layer.layer())(inputs, training);
}

// Bidirectional around a ConvLSTM: the backward half rebuilt from the config with go_backwards
// flipped, the halves concatenated on the filters (Keras's fixtures: bidirectional_conv_lstm).
TEST(ConvLSTM1D, InBidirectional) {
  utils::set_random_seed(3);
  Bidirectional bi(ConvLSTM1D(2, 2, {.padding = "same", .return_sequences = true}));
  const Tensor x = test::random_tensor({2, 4, 6, 3}, float32, -1, 1, 4);
  const Tensor y = bi(x);
  EXPECT_EQ(y.shape(), (Shape{2, 4, 6, 4}));
  EXPECT_TRUE(bi->backward_layer()->go_backwards());
  EXPECT_EQ(bi->backward_layer()->class_name(), "ConvLSTM1D");
  EXPECT_EQ(bi->initial_state_count(), 4);
  // States are (batch, steps, filters): a wrong filter count names the layer.
  auto seq = Input({4, 6, 3});
  KerasTensors in{seq, Input({6, 2}), Input({6, 2}), Input({6, 2}), Input({6, 3})};
  test::expect_throws_with<ValueError>([&] { bi(in); }, "incompatible with layer");
}

TEST(ConvLSTM2D, Contract) {
  test::run_layer_test({
      .make_layer = [] { return ConvLSTM2D(3, 2); },
      .input_shape = {2, 3, 5, 4, 2},
      .expected_output_shape = {2, 4, 3, 3},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 3,
  });
}

TEST(ConvLSTM1D, ContractSameSequencesBackwards) {
  test::run_layer_test({
      .make_layer =
          [] {
            return ConvLSTM1D(4, 3,
                              {.padding = "same",
                               .recurrent_activation = "hard_sigmoid",
                               .return_sequences = true,
                               .go_backwards = true});
          },
      .input_shape = {2, 3, 6, 2},
      .expected_output_shape = {2, 3, 6, 4},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 3,
  });
}

TEST(ConvLSTM3D, ContractWithoutBias) {
  test::run_layer_test({
      .make_layer = [] { return ConvLSTM3D(2, 2, {.use_bias = false}); },
      .input_shape = {1, 2, 3, 3, 3, 1},
      .expected_output_shape = {1, 2, 2, 2, 2},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(ConvLSTM2D, ContractChannelsFirstStrided) {
  test::run_layer_test({
      .make_layer =
          [] {
            return ConvLSTM2D(2, {3, 2},
                              {.strides = {2, 1},
                               .padding = "same",
                               .data_format = "channels_first",
                               .return_sequences = true});
          },
      .input_shape = {2, 2, 3, 5, 4},
      .expected_output_shape = {2, 2, 2, 3, 4},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 3,
  });
}

TEST(ConvLSTM2D, ContractWithDropout) {
  test::run_layer_test({
      .make_layer = [] { return ConvLSTM2D(2, 2, {.dropout = 0.3, .recurrent_dropout = 0.2}); },
      .input_shape = {2, 2, 3, 3, 1},
      .expected_output_shape = {2, 2, 2, 2},
      .expected_num_weights = 3,
      .expected_num_trainable_weights = 3,
      .check_training_lowers_loss = false,
      .stochastic = true,
  });
}

TEST(ConvLSTM2D, WeightShapesNamesAndParamCount) {
  utils::clear_session();
  ConvLSTM2D layer(4, 3, {.padding = "same", .return_sequences = true});
  const KerasTensor y = layer(keras::Input({3, 6, 5, 2}));
  EXPECT_EQ(shape_str(y.shape()), "(None, 3, 6, 5, 4)");
  EXPECT_EQ(layer.name(), "conv_lstm2d_1");
  EXPECT_EQ(layer.class_name(), "ConvLSTM2D");
  EXPECT_EQ(shape_str(layer->kernel().shape()), "(3, 3, 2, 16)");
  EXPECT_EQ(shape_str(layer->recurrent_kernel().shape()), "(3, 3, 4, 16)");
  EXPECT_EQ(shape_str(layer->bias().shape()), "(16,)");
  EXPECT_EQ(layer.count_params(), 880);  // Keras's summary: 880
  test::expect_all_close(
      layer->bias().value(),
      test::tensor_of({0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, {16}, float32), 0, 0);
}

// One step by hand: the gates from two convolutions, Keras's cell formulas.
TEST(ConvLSTM1D, OneStepIsKerasCell) {
  utils::set_random_seed(5);
  ConvLSTM1D layer(2, 2, {.padding = "same", .recurrent_activation = "sigmoid"});
  const Tensor x = random::normal({2, 1, 4, 3});
  const Tensor y = layer(x);
  const Tensor x0 = ops::reshape(x, {2, 4, 3});
  Tensor z =
      ops::add(ops::conv(x0, layer->kernel().value(), {.padding = "same"}), layer->bias().value());
  // h0 = 0: the recurrent convolution adds nothing; c = i * tanh(z_c); h = o * tanh(c).
  const Tensors g = ops::split(z, 4, 2);
  const Tensor c = ops::multiply(ops::sigmoid(g[0]), ops::tanh(g[2]));
  const Tensor h = ops::multiply(ops::sigmoid(g[3]), ops::tanh(c));
  test::expect_all_close(y, h, 1e-6, 1e-6);
}

// Keras 3's own correctness tests (conv_lstm1d_test.py, conv_lstm2d_test.py): constant
// initializers, arange inputs, Keras's expected outputs.
TEST(ConvLSTM1D, KerasCorrectnessGolden) {
  const Tensor x = ops::divide(ops::reshape(arange(120, float32), {2, 3, 4, 5}), 10.0);
  ConvLSTM1D layer(2, 3,
                   {.kernel_initializer = initializers::Constant(0.01),
                    .recurrent_initializer = initializers::Constant(0.02),
                    .bias_initializer = initializers::Constant(0.03)});
  test::expect_all_close(layer(x),
                         test::tensor_of({0.40807986, 0.40807986, 0.46421072, 0.46421072,
                                          0.80933154, 0.80933154, 0.8233646, 0.8233646},
                                         {2, 2, 2}, float32),
                         1e-6, 1e-6);
}

TEST(ConvLSTM2D, KerasCorrectnessGolden) {
  const Tensor x = ops::divide(ops::reshape(arange(480, float32), {2, 3, 4, 4, 5}), 100.0);
  ConvLSTM2D layer(2, 3,
                   {.kernel_initializer = initializers::Constant(0.01),
                    .recurrent_initializer = initializers::Constant(0.02),
                    .bias_initializer = initializers::Constant(0.03)});
  test::expect_all_close(
      layer(x),
      test::tensor_of({0.48694518, 0.48694518, 0.50237733, 0.50237733, 0.5461202, 0.5461202,
                       0.5598283, 0.5598283, 0.8661607, 0.8661607, 0.86909103, 0.86909103,
                       0.8774414, 0.8774414, 0.8800861, 0.8800861},
                      {2, 2, 2, 2}, float32),
      1e-6, 1e-6);
}

TEST(ConvLSTM2D, ReturnStateAndInitialStates) {
  utils::set_random_seed(6);
  ConvLSTM2D layer(3, 2, {.return_sequences = true, .return_state = true});
  const Tensor x = random::normal({2, 4, 4, 4, 1});
  const Tensors out = call_all(layer, {x});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(shape_str(out[0].shape()), "(2, 4, 3, 3, 3)");
  EXPECT_EQ(shape_str(out[1].shape()), "(2, 3, 3, 3)");
  test::expect_all_close(ops::reshape(ops::slice_axis(out[0], 1, 3, 1), {2, 3, 3, 3}), out[1], 0,
                         0);
  // Two halves, the second starting from the first's final states, equal the whole sequence.
  const Tensors first = call_all(layer, {ops::slice_axis(x, 1, 0, 2)});
  const Tensors second = call_all(layer, {ops::slice_axis(x, 1, 2, 2), first[1], first[2]});
  test::expect_all_close(second[1], out[1], 1e-6, 1e-6);
  test::expect_all_close(second[2], out[2], 1e-6, 1e-6);
  // Symbolic: initial states as extra inputs; a wrong state shape raises.
  auto seq = keras::Input({std::nullopt, 4, 4, 1});
  auto h0 = keras::Input({3, 3, 3}), c0 = keras::Input({3, 3, 3});
  const KerasTensors y = layer.call_multi({seq, h0, c0});
  EXPECT_EQ(shape_str(y[0].shape()), "(None, None, 3, 3, 3)");
  EXPECT_THROW(layer(std::vector<Tensor>{x, zeros({2, 3, 3, 2}), zeros({2, 3, 3, 2})}), ValueError);
}

TEST(ConvLSTM2D, MaskedStepsKeepTheStates) {
  utils::set_random_seed(7);
  ConvLSTM2D layer(2, 2, {.return_sequences = true});
  const Tensor x = random::normal({1, 3, 3, 3, 1});
  const Tensor whole = layer(ops::slice_axis(x, 1, 0, 2));
  Tensor masked = ops::copy(x);
  masked.set_keras_mask(test::tensor_of({1, 1, 0}, {1, 3}, bool_));
  const Tensor y = layer(masked);
  // The masked third step repeats the second step's output.
  const Tensor second = ops::slice_axis(whole, 1, 1, 1);
  test::expect_all_close(ops::slice_axis(y, 1, 1, 1), second, 1e-6, 1e-6);
  test::expect_all_close(ops::slice_axis(y, 1, 2, 1), second, 1e-6, 1e-6);
}

TEST(ConvLSTM2D, StatefulContinuesAcrossCalls) {
  utils::set_random_seed(8);
  ConvLSTM2D layer(2, 2, {.stateful = true});
  auto input = keras::Input({std::nullopt, 3, 3, 1}, {.batch_size = 2});
  layer(input);
  const Tensor x = random::normal({2, 4, 3, 3, 1});
  ConvLSTM2D plain(2, 2);
  plain(x);
  plain.set_weights(layer.get_weights());
  const Tensor expected = plain(x);
  layer(ops::slice_axis(x, 1, 0, 2));
  test::expect_all_close(layer(ops::slice_axis(x, 1, 2, 2)), expected, 1e-6, 1e-6);
  layer->reset_states();
  test::expect_all_close(layer->states()[0], zeros({2, 2, 2, 2}), 0, 0);
}

TEST(ConvLSTM2D, KerasErrors) {
  EXPECT_THROW(ConvLSTM2D(2, 3, {.strides = 2, .dilation_rate = 2}), ValueError);
  EXPECT_THROW(ConvLSTM2D(2, 3, {.padding = "causal"}), ValueError);
  EXPECT_THROW(ConvLSTM2D(0, 3), ValueError);
  EXPECT_THROW(ConvLSTM2D(2, {3, 3, 3}), ValueError);
  try {
    ConvLSTM2D(2, 3)(keras::Input({4, std::nullopt, 5, 1}));
    FAIL() << "no error for an unknown spatial dim";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("only support static input shapes"), std::string::npos);
  }
  try {
    ConvLSTM2D(2, 3)(keras::Input({4, 5, 5}));
    FAIL() << "no error for a rank-4 input";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("expected ndim=5, found ndim=4"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(ConvLSTM2D(2, 4)(keras::Input({4, 3, 3, 1})), ValueError);  // negative size
}

TEST(ConvLSTM2D, ConfigRoundTripsWithKerasKeys) {
  ConvLSTM2D layer(4, {3, 2},
                   {.strides = {2, 1},
                    .padding = "same",
                    .recurrent_activation = "hard_sigmoid",
                    .unit_forget_bias = false,
                    .dropout = 0.25,
                    .seed = 3,
                    .return_sequences = true,
                    .go_backwards = true,
                    .name = "frames"});
  const Json c = layer->get_config();
  EXPECT_EQ(c["filters"], 4);
  EXPECT_EQ(c["kernel_size"], Json::array({3, 2}));
  EXPECT_EQ(c["strides"], Json::array({2, 1}));
  EXPECT_EQ(c["recurrent_activation"], "hard_sigmoid");
  EXPECT_EQ(c["seed"], 3);
  EXPECT_EQ(c["unroll"], false);
  const auto back = ConvLSTMImpl::from_config<2>(c);
  EXPECT_EQ(back->get_config(), c);
  EXPECT_EQ(back->class_name(), "ConvLSTM2D");
}

}  // namespace
}  // namespace keras::layers
