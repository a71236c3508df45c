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

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <keras/keras.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(KERAS_TEST_DATA_DIR) / "attention";

// Every model file of the fixtures: <name>.keras and <name>.h5.
std::vector<fs::path> model_files() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kDir)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".keras" || ext == ".h5") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// <stem>.x0.npy, <stem>.x1.npy, ... (or .y) beside the file <stem>.<ext>.
Tensors arrays(const fs::path& file, const char* kind) {
  const std::string stem = (file.parent_path() / file.stem()).string();
  Tensors out;
  for (int i = 0; fs::exists(str(stem, ".", kind, i, ".npy")); ++i) {
    out.push_back(io::load_npy(str(stem, ".", kind, i, ".npy")));
  }
  return out;
}

std::string temp_path(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("keras_attention_fixtures_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

// float32 on both sides with other kernels (XLA vs OpenBLAS): the bound,
// |diff| <= 1e-4 + 1e-4 |expected|. The models are a few small layers deep (softmax of scores of
// order 1), so their rounding stays near 1e-6; the bound is loose against that and tight against
// any wrong formula or mask.
void expect_keras_close(const Tensors& got, const Tensors& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(str("output ", i));
    test::expect_all_close(ops::cast(got[i], float32), want[i], 1e-4, 1e-4);
  }
}

TEST(AttentionFixtures, KerasFilesPredictWhatKerasPredicted) {
  const std::vector<fs::path> files = model_files();
  ASSERT_FALSE(files.empty()) << kDir;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    std::optional<Model> loaded;
    try {
      loaded = models::load_model(file.string());
    } catch (const std::exception& e) {
      ADD_FAILURE() << file.filename() << ": " << e.what();
      continue;
    }
    Model& m = *loaded;
    const Tensors x = arrays(file, "x");
    ASSERT_FALSE(x.empty());
    expect_keras_close(m.predict(x), arrays(file, "y"));
  }
}

TEST(AttentionFixtures, SavedAgainTheyPredictTheSame) {
  for (const fs::path& file : model_files()) {
    Model m = models::load_model(file.string());
    const Tensors x = arrays(file, "x");
    const Outputs want = m.predict(x);
    for (const char* ext : {".keras", ".h5"}) {
      SCOPED_TRACE(file.filename().string() + " saved as " + ext);
      const std::string path = temp_path(file.stem().string() + ext);
      m.save(path);
      const Outputs got = models::load_model(path).predict(x);
      ASSERT_EQ(got.size(), want.size());
      // The same kernels on the same shapes: bit for bit.
      for (size_t i = 0; i < got.size(); ++i) test::expect_all_close(got[i], want[i], 0, 0);
    }
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
  fs::create_directories(dir);
  for (const fs::path& file : model_files()) {
    Model m = models::load_model(file.string());
    const Tensors x = arrays(file, "x");
    const Outputs y = m.predict(x);
    // name.keras -> name.cpp.keras and name.cpp_legacy.h5 (from the .keras; name.h5 loads the same)
    if (file.extension() == ".h5") continue;
    const std::string base = file.stem().string();
    for (const std::string& stem : {base + ".cpp", base + ".cpp_legacy"}) {
      m.save(str(dir, "/", stem, stem.ends_with("legacy") ? ".h5" : ".keras"));
      for (size_t i = 0; i < x.size(); ++i)
        io::save_npy(str(dir, "/", stem, ".x", i, ".npy"), x[i]);
      for (size_t i = 0; i < y.size(); ++i)
        io::save_npy(str(dir, "/", stem, ".y", i, ".npy"), y[i]);
    }
  }
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
  for (auto& [stem, model, x] : std::vector<std::tuple<std::string, Model, Tensors>>{
           {"cpp_transformer", t, {ids, pos}}, {"cpp_causal_gqa", c, {qx}}}) {
    const Outputs y = model.predict(x);
    for (const std::string& s : {stem + ".cpp", stem + ".cpp_legacy"}) {
      model.save(str(dir, "/", s, s.ends_with("legacy") ? ".h5" : ".keras"));
      for (size_t i = 0; i < x.size(); ++i) io::save_npy(str(dir, "/", s, ".x", i, ".npy"), x[i]);
      for (size_t i = 0; i < y.size(); ++i) io::save_npy(str(dir, "/", s, ".y", i, ".npy"), y[i]);
    }
  }
}

}  // namespace
}  // namespace keras
