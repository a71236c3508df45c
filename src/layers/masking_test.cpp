// Masking (Masking, Embedding mask_zero) and initial states of the recurrent layers, against
// Keras 3's numbers (tests/goldens/rnn_mask_goldens.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "goldens/rnn_mask_goldens.h"
#include "harness/tensor_matchers.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/embedding.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/merging.h"
#include "keras/layers/recurrent.h"
#include "keras/models/model.h"
#include "keras/optimizers/optimizers.h"
#include "keras/trainers/trainer.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

LayerRef make_rnn(const std::string& kind, bool sequences, bool backwards) {
  const auto k = initializers::Constant(0.1), r = initializers::Constant(-0.05),
             b = initializers::Constant(0.2);
  if (kind == "lstm") {
    return LSTM(3, {.kernel_initializer = k,
                    .recurrent_initializer = r,
                    .bias_initializer = b,
                    .return_sequences = sequences,
                    .go_backwards = backwards});
  }
  if (kind == "gru") {
    return GRU(3, {.kernel_initializer = k,
                   .recurrent_initializer = r,
                   .bias_initializer = b,
                   .return_sequences = sequences,
                   .go_backwards = backwards});
  }
  return SimpleRNN(3, {.kernel_initializer = k,
                       .recurrent_initializer = r,
                       .bias_initializer = b,
                       .return_sequences = sequences,
                       .go_backwards = backwards});
}

// An eager call: every output.
Tensors eager(const LayerRef& layer, const Tensors& inputs) {
  return (*layer.layer())(inputs);
}

Tensor golden(const double* values, Shape shape, DType dtype = float64) {
  return test::tensor_of(std::vector<double>(values, values + num_elements(shape)), shape, dtype);
}

struct MaskCase {
  const char* kind;
  bool sequences;
  bool backwards;
  const double* expected;
};

const MaskCase kCases[] = {
    {"lstm", false, false, goldens::kMask_lstm_last_fwd},
    {"lstm", false, true, goldens::kMask_lstm_last_back},
    {"lstm", true, false, goldens::kMask_lstm_seq_fwd},
    {"lstm", true, true, goldens::kMask_lstm_seq_back},
    {"gru", false, false, goldens::kMask_gru_last_fwd},
    {"gru", false, true, goldens::kMask_gru_last_back},
    {"gru", true, false, goldens::kMask_gru_seq_fwd},
    {"gru", true, true, goldens::kMask_gru_seq_back},
    {"simple_rnn", false, false, goldens::kMask_simple_rnn_last_fwd},
    {"simple_rnn", false, true, goldens::kMask_simple_rnn_last_back},
    {"simple_rnn", true, false, goldens::kMask_simple_rnn_seq_fwd},
    {"simple_rnn", true, true, goldens::kMask_simple_rnn_seq_back},
};

TEST(Masking, RecurrentLayersSkipMaskedStepsAsKeras) {
  for (DType dtype : {float64, float32}) {
    for (const MaskCase& c : kCases) {
      SCOPED_TRACE(std::string(c.kind) + (c.sequences ? " seq" : " last") +
                   (c.backwards ? " back" : " fwd"));
      auto x = keras::Input({5, 4}, {.dtype = dtype});
      Masking masking(0.0);
      LayerRef rnn = make_rnn(c.kind, c.sequences, c.backwards);
      masking->set_dtype(dtype);
      rnn->set_dtype(dtype);
      keras::Model model(x, rnn(masking(x)));
      const Tensor y = model.predict(golden(goldens::kMaskX, {2, 5, 4}, dtype))[0];
      const Shape shape = c.sequences ? Shape{2, 5, 3} : Shape{2, 3};
      const double tol = dtype == float64 ? 1e-12 : 1e-5;
      test::expect_all_close(y, golden(c.expected, shape, dtype), tol, tol);
    }
  }
}

TEST(Masking, InitialStatesAsExtraInputsMatchKeras) {
  for (const std::string kind : {"lstm", "gru", "simple_rnn"}) {
    SCOPED_TRACE(kind);
    auto x = keras::Input({5, 4}, {.dtype = float64});
    LayerRef rnn = make_rnn(kind, true, false);
    rnn->set_dtype(float64);
    KerasTensors inputs{x};
    Tensors feed{golden(goldens::kMaskX, {2, 5, 4})};
    for (int s = 0; s < (kind == "lstm" ? 2 : 1); ++s) {
      inputs.push_back(keras::Input({3}, {.dtype = float64}));
      feed.push_back(golden(s == 0 ? goldens::kMaskH0 : goldens::kMaskC0, {2, 3}));
    }
    keras::Model model(inputs, rnn(inputs));
    const double* expected = kind == "lstm"  ? goldens::kState_lstm_seq
                             : kind == "gru" ? goldens::kState_gru_seq
                                             : goldens::kState_simple_rnn_seq;
    test::expect_all_close(model.predict(feed)[0], golden(expected, {2, 5, 3}), 1e-12, 1e-12);
  }
}

// With initial states and a mask, a masked first step outputs the initial h.
TEST(Masking, MaskedFirstStepOutputsTheInitialState) {
  auto x = keras::Input({5, 4}, {.dtype = float64});
  auto h = keras::Input({3}, {.dtype = float64});
  Masking masking(0.0);
  masking->set_dtype(float64);
  LayerRef rnn = make_rnn("gru", true, false);
  rnn->set_dtype(float64);
  keras::Model model({x, h}, rnn({masking(x), h}));
  const Tensor h0 = golden(goldens::kMaskH0, {2, 3});
  const Tensor y = model.predict({golden(goldens::kMaskX, {2, 5, 4}), h0})[0];
  for (int64_t u = 0; u < 3; ++u) {  // sample 0 is padding at steps 0 and 3
    EXPECT_EQ(y.at<double>({0, 0, u}), h0.at<double>({0, u}));
    EXPECT_EQ(y.at<double>({0, 3, u}), y.at<double>({0, 2, u}));
    EXPECT_NE(y.at<double>({1, 0, u}), h0.at<double>({1, u}));
  }
}

TEST(Masking, WrongStateCountOrShapeRaises) {
  auto x = keras::Input({5, 4});
  auto h = keras::Input({3}), wide = keras::Input({4});
  LSTM lstm(3);
  EXPECT_THROW(lstm({x, h}), ValueError);           // an LSTM takes two states
  EXPECT_THROW(lstm({x, wide, wide}), ValueError);  // states are (batch, units)
  EXPECT_NO_THROW(lstm({x, h, h}));
}

TEST(Masking, EmbeddingMaskZeroMasksPaddingIds) {
  Embedding embedding(10, 2, {.mask_zero = true});
  const Tensor ids = test::tensor_of({3, 0, 5, 0, 0, 9}, {2, 3}, int32);
  const Tensor y = eager(embedding, {ids})[0];
  ASSERT_TRUE(y.keras_mask().defined());
  const std::vector<bool> want = {true, false, true, false, false, true};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(y.keras_mask().data<bool>()[i], want[i]) << i;
  }
  EXPECT_FALSE(eager(Embedding(10, 2), {ids})[0].keras_mask().defined());
}

// Padding at the end of a sequence does not change an LSTM's result: the padded batch equals
// the unpadded sequences run one by one, eagerly and in fit's compiled plan.
TEST(Masking, PaddedSequencesEqualUnpaddedOnes) {
  utils::set_random_seed(3);
  auto ids = keras::Input({std::nullopt}, {.dtype = int32});
  Embedding embedding(20, 4, {.mask_zero = true});
  LSTM lstm(5);
  Dense dense(1);
  keras::Model model(ids, dense(lstm(embedding(ids))));
  const Tensor padded = test::tensor_of({4, 7, 1, 0, 0, 0, 2, 9, 9, 13, 5, 0}, {2, 6}, int32);
  const Tensor y = model.predict(padded)[0];
  const Tensor a = model.call({test::tensor_of({4, 7, 1}, {1, 3}, int32)})[0];
  const Tensor b = model.call({test::tensor_of({2, 9, 9, 13, 5}, {1, 5}, int32)})[0];
  EXPECT_NEAR(y.at<float>({0, 0}), a.at<float>({0, 0}), 1e-6);
  EXPECT_NEAR(y.at<float>({1, 0}), b.at<float>({0, 0}), 1e-6);
  model.compile({.optimizer = optimizers::RMSprop(), .loss = "mse"});
  model.fit(padded, test::tensor_of({0.5, -0.5}, {2, 1}, float32), {.epochs = 3, .verbose = 0});
  const Tensor y2 = model.predict(padded)[0];
  const Tensor a2 = model.call({test::tensor_of({4, 7, 1}, {1, 3}, int32)})[0];
  EXPECT_NEAR(y2.at<float>({0, 0}), a2.at<float>({0, 0}), 1e-6);
}

TEST(Masking, MasksFlowThroughDenseAndMergeLayers) {
  const Tensor x = test::tensor_of({1, 1, 0, 0, 2, 2}, {1, 3, 2}, float32);
  const Tensor masked = eager(Masking(0.0), {x})[0];
  const Tensor dense = eager(Dense(2), {masked})[0];
  ASSERT_TRUE(dense.keras_mask().defined());
  const Tensor joined = eager(Concatenate(), {masked, dense})[0];
  ASSERT_TRUE(joined.keras_mask().defined());
  EXPECT_EQ(joined.keras_mask().shape(), (Shape{1, 3}));
  EXPECT_FALSE(joined.keras_mask().data<bool>()[1]);
  EXPECT_TRUE(joined.keras_mask().data<bool>()[2]);
}

}  // namespace
}  // namespace keras::layers
