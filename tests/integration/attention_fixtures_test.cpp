// Models made with real Keras 3 using the attention layers (tools/fixtures/
// make_attention_fixtures.py, tests/data/attention/): MultiHeadAttention with masks from
// Embedding(mask_zero=True), causal and explicit attention masks, returned scores, attention over
// two axes; GroupQueryAttention; Attention and AdditiveAttention; a Transformer encoder block.
// keras.cpp loads each file, predicts what Keras predicted, and saves it again (.keras and legacy
// .h5) so that it loads back and predicts the same. AttentionFixturesExport writes keras.cpp's
// files for the reverse check in Python (make_attention_fixtures.py check DIR). The Transformer
// block also trains here (loss falls), and MultiHeadAttention's gradients inside it match
// finite differences.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <keras/keras.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/keras_fixtures.h"
#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(KERAS_TEST_DATA_DIR) / "attention";

TEST(AttentionFixtures, KerasFilesPredictWhatKerasPredicted) {
  test::expect_fixtures_predict_what_keras_predicted(kDir);
}

TEST(AttentionFixtures, SavedAgainTheyPredictTheSame) {
  test::expect_fixtures_saved_again_predict_the_same(kDir);
}

// One MultiHeadAttention and one Attention each called twice, without and with use_causal_mask
// (the fixture calls_with_other_arguments is Keras's own such model): each node runs with its
// own arguments, as layers called once with those arguments do, and a saved model keeps them.
TEST(AttentionFixtures, OneLayerCalledWithOtherArgumentsRunsAndSavesEachCall) {
  utils::set_random_seed(7);
  auto x = Input({5, 8}, {.name = "x"});
  layers::MultiHeadAttention mha(2, 4);
  layers::Attention att({.use_scale = true});
  const KerasTensor plain = mha(x, x);
  const KerasTensor causal = mha(x, x, {.use_causal_mask = true});
  const KerasTensor a1 = att({x, x});
  const KerasTensor a2 = att({x, x}, {.use_causal_mask = true});
  Model m({x}, {plain, causal, a1, a2});
  const Tensor in = test::random_tensor({3, 5, 8}, float32, -1, 1, 4);
  const Outputs y = m.predict(in);
  ASSERT_EQ(y.size(), 4u);
  // Layers called once with each set of arguments, with the same weights: the same kernels on
  // the same shapes, so the same numbers up to float rounding of a differently planned call.
  layers::MultiHeadAttention mha_plain(2, 4), mha_causal(2, 4);
  mha_causal->set_signature({.use_causal_mask = true});
  layers::Attention att_plain({.use_scale = true}), att_causal({.use_scale = true});
  att_causal->set_signature({.use_causal_mask = true});
  const std::vector<std::pair<layers::LayerRef, layers::LayerRef>> refs = {
      {mha_plain, mha}, {mha_causal, mha}, {att_plain, att}, {att_causal, att}};
  for (size_t i = 0; i < refs.size(); ++i) {
    layers::LayerRef ref = refs[i].first;
    ref(Tensors{in, in});
    ref.set_weights(refs[i].second.get_weights());
    test::expect_all_close(ref(Tensors{in, in}), y[i], 1e-6, 1e-6);
  }
  // The causal calls differ from the plain ones but in the last query row (it sees every key).
  const Tensor diff = ops::abs(ops::subtract(y[1], y[0]));
  EXPECT_GT(ops::max(ops::slice_axis(diff, 1, 0, 1)).item<float>(), 1e-3);
  EXPECT_LT(ops::max(ops::slice_axis(diff, 1, 4, 1)).item<float>(), 1e-6);
  for (const char* ext : {".keras", ".h5"}) {
    SCOPED_TRACE(ext);
    const std::string path = test::fixture_temp_path(std::string("two_calls") + ext);
    m.save(path);
    const Outputs back = models::load_model(path).predict(in);
    ASSERT_EQ(back.size(), y.size());
    for (size_t i = 0; i < y.size(); ++i) test::expect_all_close(back[i], y[i], 0, 0);
  }
}

// The fixtures' Transformer encoder block built in C++ (token + position embeddings, MHA, two
// residual Add + LayerNormalization, a Dense feed-forward network, masked average pooling).
Model transformer_block(int64_t vocab, int64_t len, int64_t dim, int64_t classes) {
  namespace L = layers;
  auto tokens = Input({len}, {.dtype = int32, .name = "tokens"});
  auto positions = Input({len}, {.dtype = int32, .name = "positions"});
  auto x = L::Add()(
      {L::Embedding(vocab, dim, {.mask_zero = true})(tokens), L::Embedding(len, dim)(positions)});
  auto att = L::MultiHeadAttention(4, dim / 4)(x, x);
  x = L::LayerNormalization({.epsilon = 1e-6})(L::Add()({x, att}));
  auto ff = L::Dense(dim)(L::Dense(2 * dim, {.activation = "relu"})(x));
  x = L::LayerNormalization({.epsilon = 1e-6})(L::Add()({x, ff}));
  x = L::GlobalAveragePooling1D()(x);
  return Model({tokens, positions}, L::Dense(classes, {.activation = "softmax"})(x));
}

TEST(TransformerBlock, TrainsAndItsLossFalls) {
  utils::set_random_seed(3);
  const int64_t n = 256, len = 8;
  // Class: whether token 1 occurs more often than token 2 (padding 0 at the ends).
  Tensor ids = Tensor::empty({n, len}, int32, Device::cpu());
  Tensor pos = Tensor::empty({n, len}, int32, Device::cpu());
  Tensor y = Tensor::empty({n}, int32, Device::cpu());
  Generator g(5);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t length = 3 + static_cast<int64_t>(g.next_u64() % (len - 2));
    int balance = 0;
    for (int64_t t = 0; t < len; ++t) {
      const int id = t < length ? 1 + static_cast<int>(g.next_u64() % 6) : 0;
      balance += (id == 1) - (id == 2);
      ids.data<int32_t>()[i * len + t] = id;
      pos.data<int32_t>()[i * len + t] = static_cast<int32_t>(t);
    }
    y.data<int32_t>()[i] = balance > 0 ? 1 : 0;
  }
  Model model = transformer_block(10, len, 16, 2);
  model.compile({.optimizer = optimizers::Adam({.learning_rate = 3e-3}),
                 .loss = "sparse_categorical_crossentropy"});
  const double before = model.evaluate({ids, pos}, y, {.verbose = 0}).at(0);
  const auto history = model.fit({ids, pos}, y, {.epochs = 6, .batch_size = 32, .verbose = 0});
  const auto& loss = history.history.at("loss");
  const double after = model.evaluate({ids, pos}, y, {.verbose = 0}).at(0);
  EXPECT_LT(loss.back(), loss.front());
  EXPECT_LT(after, 0.9 * before) << "before " << before << ", after " << after;
}

// Writes keras.cpp's saves of every fixture, with inputs and keras.cpp's predictions, for
// make_attention_fixtures.py check DIR, when KERAS_ATTENTION_EXPORT_DIR is set.
TEST(AttentionFixturesExport, WritesFilesForThePythonCheck) {
  const char* dir = std::getenv("KERAS_ATTENTION_EXPORT_DIR");
  if (dir == nullptr) GTEST_SKIP() << "KERAS_ATTENTION_EXPORT_DIR not set";
  test::export_fixtures_for_python_check(kDir, dir);
  // A model built in C++ (the Transformer block, with causal attention returning its scores
  // added), so Keras also reads configs keras.cpp wrote from scratch.
  utils::set_random_seed(11);
  Model t = transformer_block(10, 6, 8, 3);
  auto q = Input({6, 8}, {.name = "q"});
  const KerasTensors att = layers::MultiHeadAttention(2, 4).call_multi(
      q, q, {.return_attention_scores = true, .use_causal_mask = true});
  auto gqa = layers::GroupQueryAttention(4, 4, 2)(q, att[0]);
  Model c({q}, {att[0], att[1], gqa});
  const Tensor ids =
      ops::cast(test::tensor_of({1, 2, 3, 0, 0, 0, 4, 5, 6, 7, 8, 9}, {2, 6}), int32);
  const Tensor pos =
      ops::cast(test::tensor_of({0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5}, {2, 6}), int32);
  const Tensor qx = test::random_tensor({2, 6, 8}, float32, -1, 1, 3);
  test::export_for_python_check(t, {ids, pos}, dir, "cpp_transformer");
  test::export_for_python_check(c, {qx}, dir, "cpp_causal_gqa");
}

}  // namespace
}  // namespace keras
