#include "keras/layers/bidirectional.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/keras.hpp"

namespace keras::layers {
namespace {

TEST(Bidirectional, ContractConcat) {
  test::run_layer_test({
      .make_layer = [] { return LayerRef(Bidirectional(LSTM(3))); },
      .input_shape = {2, 4, 5},
      .expected_output_shape = {2, 6},
      .expected_num_weights = 6,
      .expected_num_trainable_weights = 6,
  });
}

TEST(Bidirectional, ContractSequencesSum) {
  test::run_layer_test({
      .make_layer =
          [] {
            return LayerRef(
                Bidirectional(GRU(3, {.return_sequences = true}), {.merge_mode = "sum"}));
          },
      .input_shape = {2, 4, 5},
      .expected_output_shape = {2, 4, 3},
      .expected_num_weights = 6,
      .expected_num_trainable_weights = 6,
  });
}

TEST(Bidirectional, BackwardHalfIsTheReversedSequenceInForwardOrder) {
  utils::set_random_seed(4);
  auto rnn = SimpleRNN(2, {.return_sequences = true});
  Bidirectional bi(rnn, {.merge_mode = ""});
  Tensor x = random::uniform({1, 5, 3});
  Tensors out = (*bi.layer())({x}, false);
  ASSERT_EQ(out.size(), 2u);
  // The backward layer on x equals a forward layer (same weights) on reversed x, reversed back.
  auto plain = SimpleRNN(2, {.return_sequences = true});
  Tensor reversed = ops::concatenate(
      {ops::slice_axis(x, 1, 4, 1), ops::slice_axis(x, 1, 3, 1), ops::slice_axis(x, 1, 2, 1),
       ops::slice_axis(x, 1, 1, 1), ops::slice_axis(x, 1, 0, 1)},
      1);
  plain(reversed);
  plain.set_weights(bi->backward_layer()->get_weights());
  Tensor expected = plain(reversed);
  for (int64_t t = 0; t < 5; ++t) {
    for (int64_t u = 0; u < 2; ++u) {
      EXPECT_NEAR(out[1].at<float>({0, t, u}), expected.at<float>({0, 4 - t, u}), 1e-6);
    }
  }
  EXPECT_EQ(bi->backward_layer()->name(), "backward_" + rnn.name());
}

// Keras 2 and 3 set zero_output_for_mask = return_sequences on both halves: the returned
// sequence is zero at masked steps (tf_keras files do not save the flag, so loading relies on it).
TEST(Bidirectional, ReturnedSequenceIsZeroAtMaskedSteps) {
  utils::set_random_seed(5);
  KerasTensor tokens = Input({4}, {.dtype = int32});
  auto e = Embedding(10, 3, {.mask_zero = true})(tokens);
  Model m(tokens, Bidirectional(GRU(2, {.return_sequences = true}))(e));
  const Tensor x = test::tensor_of({3, 5, 0, 0, 7, 0, 2, 1}, {2, 4}, int32);
  const Tensor y = m.predict(x, {.verbose = 0})[0];
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t t = 0; t < 4; ++t) {
      const bool masked = x.at<int32_t>({b, t}) == 0;
      for (int64_t u = 0; u < 4; ++u) {
        if (masked) {
          EXPECT_EQ(y.at<float>({b, t, u}), 0.0f) << b << " " << t << " " << u;
        }
      }
    }
  }
  EXPECT_NE(y.at<float>({0, 1, 0}), 0.0f);
}

TEST(Bidirectional, RejectsNonRecurrentLayersAndBadModes) {
  EXPECT_THROW(Bidirectional(Dense(3)), ValueError);
  EXPECT_THROW(Bidirectional(LSTM(3), {.merge_mode = "max"}), ValueError);
}

// Keras's backward_layer: any recurrent layer with the opposite go_backwards. Here a GRU of
// other units behind an LSTM, with its own states (two for the LSTM, one for the GRU). Same
// layers, same kernels, same shapes: exact.
TEST(Bidirectional, GivenBackwardLayerRunsBackwards) {
  utils::set_random_seed(7);
  auto gru = GRU(2, {.return_sequences = true, .go_backwards = true, .name = "gru_back"});
  Bidirectional bi(LSTM(3, {.return_sequences = true}), {.backward_layer = gru});
  EXPECT_EQ(bi->backward_layer().get(), gru.layer().get());  // the given layer, not a copy
  const Tensor x = random::uniform({2, 4, 5});
  const Tensor y = bi(x);
  EXPECT_EQ(y.shape(), (Shape{2, 4, 5}));
  const Tensor f = (*bi->forward_layer())({x}, false)[0];
  const Tensor b = gru(x);  // backward time order
  for (int64_t t = 0; t < 4; ++t) {
    test::expect_all_close(
        ops::slice_axis(y, 1, t, 1),
        ops::concatenate({ops::slice_axis(f, 1, t, 1), ops::slice_axis(b, 1, 3 - t, 1)}, -1), 0, 0);
  }
  auto seq = Input({4, 5});
  EXPECT_EQ(bi(seq).shape(), (Shape{kNone, 4, 5}));
  auto h3 = Input({3}), h2 = Input({2});
  EXPECT_EQ(bi.call_multi({seq, h3, h3, h2})[0].shape(), (Shape{kNone, 4, 5}));
  EXPECT_THROW(bi.call_multi({seq, h3, h3, h3}), ValueError);  // the GRU's state is 2 wide

  // A given layer that is not the mirror of the forward one, in Keras's words.
  test::expect_throws_with<ValueError>(
      [] { Bidirectional(LSTM(3), {.backward_layer = LSTM(3)}); },
      "Forward layer and backward layer should have different `go_backwards` value. Received: "
      "forward_layer.go_backwards False, backward_layer.go_backwards=False");
  test::expect_throws_with<ValueError>(
      [] {
        Bidirectional(LSTM(3, {.return_sequences = true}),
                      {.backward_layer = LSTM(3, {.go_backwards = true})});
      },
      "Forward layer and backward layer are expected to have the same value for attribute "
      "\"return_sequences\", got \"True\" for forward layer and \"False\" for backward layer");
  EXPECT_THROW(Bidirectional(LSTM(3), {.backward_layer = Dense(3)}), ValueError);
}

// Keras's initial_state=[hf, cf, hb, cb]: the first half starts the forward layer, the second
// the backward one. Same layers, same kernels, same shapes: exact.
TEST(Bidirectional, InitialStatesAreSplitBetweenTheDirections) {
  utils::set_random_seed(6);
  Bidirectional bi(LSTM(3), {.merge_mode = ""});
  const Tensor x = random::uniform({2, 4, 5});
  Tensors states;
  for (int i = 0; i < 4; ++i) states.push_back(random::uniform({2, 3}));
  const Tensors out = (*bi.layer())({x, states[0], states[1], states[2], states[3]}, false);
  ASSERT_EQ(out.size(), 2u);
  const Tensors f = (*bi->forward_layer())({x, states[0], states[1]}, false);
  const Tensors b = (*bi->backward_layer())({x, states[2], states[3]}, false);
  test::expect_all_close(out[0], f[0], 0, 0);
  test::expect_all_close(out[1], b[0], 0, 0);
  const Tensor zero_start = (*bi->backward_layer())({x}, false)[0];
  EXPECT_GT(test::max_abs(ops::subtract(out[1], zero_start)), 1e-3);

  auto seq = Input({4, 5});
  auto h = Input({3});
  EXPECT_EQ(bi.call_multi({seq, h, h, h, h})[0].shape(), (Shape{kNone, 3}));
  EXPECT_THROW(Bidirectional(LSTM(3))({seq, h, h}), ValueError);  // two states for four
}

TEST(Bidirectional, ReturnStateGivesBothDirections) {
  auto x = Input({std::nullopt, 4});
  KerasTensors out = Bidirectional(LSTM(3, {.return_state = true})).call_multi({x});
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].shape(), (Shape{kNone, 6}));
  EXPECT_EQ(out[4].shape(), (Shape{kNone, 3}));
}

// Keras builds a layer called eagerly with the tensor's batch size, so a stateful RNN (alone or
// in Bidirectional) runs on a tensor without an Input of fixed batch; its states carry from call
// to call until reset_state(s), which Bidirectional forwards to both halves (AttributeError
// when they are not stateful, as Keras).
TEST(Bidirectional, StatefulLayersCalledEagerlyKeepTheirStates) {
  const Tensor x = test::random_tensor({2, 4, 5}, float32, -1, 1, 8);
  LSTM lstm(3, {.stateful = true});
  const Tensor first = lstm(x), second = lstm(x);
  EXPECT_GT(test::max_abs(ops::subtract(first, second)), 1e-3);
  lstm->reset_states();
  test::expect_all_close(lstm(x), first, 0, 0);  // same kernels, same shapes: exact

  Bidirectional bi(GRU(3, {.stateful = true}));
  const Tensor a = bi(x), b = bi(x);
  EXPECT_GT(test::max_abs(ops::subtract(a, b)), 1e-3);
  bi->reset_states();
  test::expect_all_close(bi(x), a, 0, 0);
  test::expect_throws_with<AttributeError>([] { Bidirectional(GRU(3))->reset_state(); },
                                           "Layer must be stateful.");
}

}  // namespace
}  // namespace keras::layers
