// TextVectorization: standardizing, splitting, n-grams, the output modes, adapt(), errors in
// Keras's wording, training on raw text, saving (Keras's own predictions from files:
// tests/data/layers/text_vectorization*, tests/integration/layer_fixtures_test.cpp).
#include "keras/layers/preprocessing/text_vectorization.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/embedding.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/pooling.h"
#include "keras/layers/registry.h"
#include "keras/models/model.h"

namespace keras::layers {
namespace {

using Strings = std::vector<std::string>;

Tensor text(Strings v) {
  return Tensor::from_strings(std::move(v));
}

Strings strings_of(const Tensor& t) {
  const std::span<std::string> s = t.strings();
  return {s.begin(), s.end()};
}

std::vector<int64_t> ints_of(const Tensor& t) {
  return {t.data<int64_t>(), t.data<int64_t>() + t.size()};
}

std::vector<float> floats_of(const Tensor& t) {
  return {t.data<float>(), t.data<float>() + t.size()};
}

std::string temp_file(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("keras_text_vectorization_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

TEST(TextVectorization, TokenizesAsKeras) {
  TextVectorization v;  // lower_and_strip_punctuation, whitespace
  const Tensor t = v->tokens(text({"The CAT, sat!", "  Über\tcafé  ", ""}), std::nullopt);
  EXPECT_EQ(t.shape(), (Shape{3, 3}));
  // ASCII letters lowered only (as TensorFlow's strings.lower), ASCII punctuation dropped.
  EXPECT_EQ(strings_of(t), (Strings{"the", "cat", "sat", "Über", "café", "", "", "", ""}));
  TextVectorization chars({.standardize = "", .split = "character"});
  EXPECT_EQ(strings_of(chars->tokens(text({"aé!"}), 4)), (Strings{"a", "é", "!", ""}));
  TextVectorization grams({.split = "whitespace", .ngrams = {2}});
  EXPECT_EQ(strings_of(grams->tokens(text({"a b c"}), std::nullopt)),
            (Strings{"a", "b", "c", "a b", "b c"}));
  TextVectorization widths({.ngrams = {1, 3}, .ngrams_widths = true});
  EXPECT_EQ(strings_of(widths->tokens(text({"a b c d"}), 5)),
            (Strings{"a", "b", "c", "d", "a b c"}));
  TextVectorization whole({.standardize = "lower", .split = ""});
  EXPECT_EQ(strings_of(whole->tokens(Tensor::from_strings({"A B", "c"}, {2, 1}), 1)),
            (Strings{"a b", "c"}));
}

TEST(TextVectorization, OutputModes) {
  const Strings vocab = {"the", "cat", "sat"};
  const Tensor x = text({"the cat sat on the mat", "cat"});
  TextVectorization ids({.output_sequence_length = 4, .vocabulary = vocab});
  // 0 pads, 1 is "[UNK]"; rows are cut to the length.
  EXPECT_EQ(ints_of(ids(Tensors{x})), (std::vector<int64_t>{2, 3, 4, 1, 3, 0, 0, 0}));
  TextVectorization longest({.vocabulary = vocab});
  EXPECT_EQ(longest(Tensors{x}).shape(), (Shape{2, 6}));
  TextVectorization multi({.output_mode = "multi_hot", .vocabulary = vocab});
  EXPECT_EQ(floats_of(multi(Tensors{x})), (std::vector<float>{1, 1, 1, 1, 0, 0, 1, 0}));
  TextVectorization count({.output_mode = "count", .vocabulary = vocab});
  EXPECT_EQ(floats_of(count(Tensors{x})), (std::vector<float>{2, 2, 1, 1, 0, 0, 1, 0}));
  EXPECT_EQ(ids->get_vocabulary(), (Strings{"", "[UNK]", "the", "cat", "sat"}));
}

TEST(TextVectorization, AdaptsAsKeras) {
  TextVectorization v({.max_tokens = 5, .output_sequence_length = 3});
  v->adapt(text({"b a", "B c b", "d"}));
  // "b" x3, then ties broken by the larger bytes: "d", "c", "a"; max_tokens 5 keeps 3 of them.
  EXPECT_EQ(v->get_vocabulary(), (Strings{"", "[UNK]", "b", "d", "c"}));
  EXPECT_EQ(v->vocabulary_size(), 5);
}

TEST(TextVectorization, ErrorsAsKeras) {
  test::expect_throws_with<ValueError>(
      [] { TextVectorization({.output_mode = "count", .output_sequence_length = 3}); },
      "`output_sequence_length` must not be set if `output_mode` is not 'int'");
  test::expect_throws_with<ValueError>([] { TextVectorization({.split = "comma"}); },
                                       "Unknown value for `split` argument of TextVectorization");
  test::expect_throws_with<ValueError>(
      [] { TextVectorization({.standardize = "upper"}); },
      "Unknown value for `standardize` argument of TextVectorization");
  test::expect_throws_with<NotImplementedError>([] { TextVectorization({.ragged = true}); },
                                                "ragged");
  TextVectorization v({.vocabulary = Strings{"a"}});
  test::expect_throws_with<ValueError>(
      [&] {
        v(Tensors{Tensor::from_strings({"a", "b", "c", "d"}, {2, 2})});
      },
      "the input rank must be 1 or the last shape dimension must be 1. Received: "
      "inputs.shape=(2, 2) with rank=2");
  test::expect_throws_with<TypeError>(
      [&] { v(Tensors{Tensor::from_vector<float>({1})}); },
      "(TextVectorization) takes strings; received an input of dtype float32");
  Json config = v->get_config();
  config["standardize"] = Json{{"class_name", "function"}};
  test::expect_throws_with<NotImplementedError>(
      [&] {
        deserialize_layer(Json{{"class_name", "TextVectorization"}, {"config", config}});
      },
      "is a Python function");
}

// Raw text in, a trained classifier out: fit and predict take string tensors; without an
// output length the model runs eagerly (each batch its own width), with one it is traced.
TEST(TextVectorization, TrainsOnRawTextAndSaves) {
  const Tensor x = text({"good movie", "bad film", "great good fun", "awful bad", "good good",
                         "bad, bad!", "fun great", "awful film"});
  const Tensor y = Tensor::from_vector<float>({1, 0, 1, 0, 1, 0, 1, 0}, {8, 1});
  for (const bool fixed : {true, false}) {
    SCOPED_TRACE(fixed ? "output_sequence_length 4" : "no output length");
    TextVectorization v(
        {.output_sequence_length = fixed ? std::optional<int64_t>(4) : std::nullopt});
    v->adapt(x);
    EXPECT_EQ(v->traceable(), fixed);
    auto in = Input({}, {.dtype = string_});
    auto h = GlobalAveragePooling1D()(Embedding(v->vocabulary_size(), 8)(v(in)));
    Model model(in, Dense(1, {.activation = "sigmoid"})(h));
    model.compile({.optimizer = "adam", .loss = "binary_crossentropy", .metrics = {"accuracy"}});
    const double before = model.evaluate(x, y, {.verbose = 0})["loss"];
    model.fit(x, y, {.epochs = 40, .batch_size = 4, .verbose = 0});
    EXPECT_LT(model.evaluate(x, y, {.verbose = 0})["loss"], before);
    const Tensor p = model.predict(x, {.batch_size = 3}).front();
    const std::string path = temp_file(fixed ? "fixed.keras" : "free.keras");
    model.save(path);
    test::expect_all_close(models::load_model(path).predict(x, {.batch_size = 3}).front(), p, 0, 0);
  }
}

}  // namespace
}  // namespace keras::layers
