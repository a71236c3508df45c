// StringLookup and string tensors in models: lookups, encodings, adapt(), errors in Keras's
// wording, training and predicting on string inputs, saving the vocabulary (Keras's own
// predictions from files: tests/data/layers/string_lookup*, tests/integration/
// layer_fixtures_test.cpp).
#include "keras/layers/preprocessing/string_lookup.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/embedding.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/preprocessing/hashing.h"
#include "keras/layers/registry.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"

namespace keras::layers {
namespace {

using Strings = std::vector<std::string>;

Tensor text(Strings v, Shape shape) {
  return Tensor::from_strings(std::move(v), std::move(shape));
}

std::vector<int64_t> ints_of(const Tensor& t) {
  const Tensor c = t.cpu();
  return {c.data<int64_t>(), c.data<int64_t>() + c.size()};
}

Strings strings_of(const Tensor& t) {
  const std::span<std::string> s = t.strings();
  return {s.begin(), s.end()};
}

const Strings kVocab = {"the", "cat", "sat", "mat"};

std::string temp_file(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("keras_string_lookup_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

TEST(StringLookup, MapsStringsToTheirIndex) {
  StringLookup lookup({.vocabulary = kVocab});
  const Tensor y = lookup(Tensors{text({"cat", "dog", "the", "", "mat", "Cat"}, {2, 3})});
  EXPECT_EQ(y.dtype(), int64);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(ints_of(y), (std::vector<int64_t>{2, 0, 1, 0, 4, 0}));
  EXPECT_EQ(lookup->vocabulary_size(), 5);
  EXPECT_EQ(lookup->get_vocabulary(), (Strings{"[UNK]", "the", "cat", "sat", "mat"}));
  // A mask token maps to 0 and moves the rest up; bytes compare exactly (UTF-8 kept as is).
  StringLookup masked({.mask_token = "", .vocabulary = Strings{"café", "日本"}});
  EXPECT_EQ(ints_of(masked(Tensors{text({"", "日本", "cafe", "café"}, {4})})),
            (std::vector<int64_t>{0, 3, 1, 2}));
  // Several OOV indices: each OOV string always goes to the same one, in range.
  StringLookup hashed({.num_oov_indices = 3, .vocabulary = kVocab});
  const std::vector<int64_t> h = ints_of(hashed(Tensors{text({"dog", "bird", "dog", "the"}, {4})}));
  EXPECT_EQ(h[0], h[2]);
  EXPECT_LT(h[0], 3);
  EXPECT_LT(h[1], 3);
  EXPECT_EQ(h[3], 3);
}

TEST(StringLookup, HashesOovStringsAsHashingDoes) {
  // Both are TensorFlow's to_hash_bucket_fast (FarmHash) / _strong (SipHash with a salt).
  const Tensor words = text({"dog", "bird", "zebra", "x", "", "日本"}, {6});
  for (const std::vector<int64_t>& salt : {std::vector<int64_t>{}, std::vector<int64_t>{7, 11}}) {
    StringLookup lookup({.num_oov_indices = 5, .vocabulary = Strings{"a"}, .salt = salt});
    Hashing hashing(5, {.salt = salt});
    EXPECT_EQ(ints_of(lookup(Tensors{words})), ints_of(hashing(Tensors{words})));
  }
}

TEST(StringLookup, InvertMapsIndicesBackToStrings) {
  StringLookup invert({.mask_token = "", .vocabulary = kVocab, .invert = true});
  const Tensor y = invert(Tensors{Tensor::from_vector<int64_t>({0, 1, 2, 5, 9, 3}, {2, 3})});
  EXPECT_EQ(y.dtype(), string_);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(strings_of(y), (Strings{"", "[UNK]", "the", "mat", "[UNK]", "cat"}));
  test::expect_throws_with<TypeError>([&] { invert(Tensors{text({"a"}, {1})}); },
                                      "invert=True) takes integers");
}

TEST(StringLookup, Encodings) {
  const Tensor x = text({"the", "cat", "the", "dog", "mat", "mat"}, {2, 3});
  auto run = [&](StringLookupOptions o) {
    o.vocabulary = kVocab;
    StringLookup l(std::move(o));
    const Tensor y = l(Tensors{x});
    const Tensor c = y.cpu();
    return std::vector<float>(c.data<float>(), c.data<float>() + c.size());
  };
  EXPECT_EQ(run({.output_mode = "multi_hot"}), (std::vector<float>{0, 1, 1, 0, 0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(run({.output_mode = "count"}), (std::vector<float>{0, 2, 1, 0, 0, 1, 0, 0, 0, 2}));
  EXPECT_EQ(run({.max_tokens = 7, .output_mode = "multi_hot", .pad_to_max_tokens = true}).size(),
            14u);
  // tf_idf: counts times the given weights (the OOV index gets their mean).
  const std::vector<float> tfidf =
      run({.idf_weights = std::vector<double>{1, 2, 3, 4}, .output_mode = "tf_idf"});
  EXPECT_EQ(tfidf, (std::vector<float>{0, 2, 2, 0, 0, 2.5f, 0, 0, 0, 8}));
}

TEST(StringLookup, AdaptCountsAsKeras) {
  StringLookup lookup;
  // "b" x3, "a" x2, "é" x2, "c" x1: most frequent first, ties the larger bytes first ("é" is
  // 0xC3 0xA9, after "a"); the OOV token is left out of the counts.
  lookup->adapt(text({"a", "b", "é", "b", "c", "b", "a", "é", "[UNK]", "[UNK]"}, {10}));
  EXPECT_EQ(lookup->get_vocabulary(), (Strings{"[UNK]", "b", "é", "a", "c"}));
  StringLookup capped({.max_tokens = 3, .mask_token = ""});
  capped->adapt(text({"", "", "", "x", "y", "y"}, {2, 3}));
  EXPECT_EQ(capped->get_vocabulary(), (Strings{"", "[UNK]", "y"}));
  test::expect_throws_with<TypeError>(
      [&] {
        lookup->adapt(Tensor::from_vector<int64_t>({1, 2}));
      },
      "StringLookup.adapt: the data must be strings, received dtype int64");
}

TEST(StringLookup, ErrorsAsKeras) {
  StringLookup lookup({.vocabulary = kVocab});
  test::expect_throws_with<TypeError>(
      [&] {
        lookup(Tensors{Tensor::from_vector<int64_t>({1, 2})});
      },
      "(StringLookup) takes strings; received an input of dtype int64");
  test::expect_throws_with<ValueError>(
      [] {
        StringLookup({.vocabulary = Strings{"a", "b", "a"}});
      },
      "The passed vocabulary has at least one repeated term. Please uniquify your dataset. The "
      "repeated terms are: ['a']");
  test::expect_throws_with<ValueError>(
      [] {
        StringLookup({.mask_token = "", .vocabulary = Strings{"a", ""}});
      },
      "Found reserved mask token at unexpected location in `vocabulary`");
  test::expect_throws_with<ValueError>(
      [] { StringLookup({.max_tokens = 1}); },
      "If `max_tokens` is set for `StringLookup`, it must be greater than 1");
  test::expect_throws_with<NotImplementedError>([] { StringLookup({.encoding = "latin-1"}); },
                                                "encoding='latin-1' is not available");
  StringLookup strict({.num_oov_indices = 0, .vocabulary = kVocab});
  test::expect_throws_with<ValueError>(
      [&] {
        strict(Tensors{text({"the", "dog", "cow"}, {3})});
      },
      "When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values ['dog', "
      "'cow']");
  StringLookup unset({.output_mode = "multi_hot"});
  test::expect_throws_with<RuntimeError>([&] { unset(Tensors{text({"a"}, {1})}); },
                                         "you must set the layer's vocabulary before calling it");
}

TEST(StringLookup, ConfigAsKeras) {
  StringLookup lookup(
      {.mask_token = "", .oov_token = "<oov>", .vocabulary = kVocab, .salt = {3}, .name = "words"});
  const Json config = lookup->get_config();
  EXPECT_EQ(config["oov_token"], "<oov>");
  EXPECT_EQ(config["mask_token"], "");
  EXPECT_EQ(config["encoding"], "utf-8");
  EXPECT_EQ(config["vocabulary"], Json(kVocab));
  EXPECT_EQ(config["salt"], Json::parse("[3, 3]"));
  EXPECT_FALSE(config.contains("vocabulary_dtype"));
  auto back = std::dynamic_pointer_cast<StringLookupImpl>(
      deserialize_layer(Json{{"class_name", "StringLookup"}, {"config", config}}));
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->get_config(), config);
  EXPECT_EQ(back->get_vocabulary(), lookup->get_vocabulary());
}

// A string Input, StringLookup into an Embedding: fit, evaluate and predict take string tensors
// (batches sliced, shuffled and traced plans replayed as for numbers).
TEST(StringLookup, TrainsAndPredictsInAModel) {
  StringLookup lookup({.vocabulary = kVocab});
  auto words = Input({3}, {.dtype = string_});
  EXPECT_EQ(words.dtype(), string_);
  auto y = Dense(1)(Flatten()(Embedding(5, 4)(lookup(words))));
  Model model(words, y);
  model.compile({.optimizer = "adam", .loss = "mse"});
  const Tensor x = text(
      {"the", "cat", "dog", "sat", "mat", "the", "cat", "cat", "cat", "mat", "mat", "x"}, {4, 3});
  const Tensor target = test::tensor_of({1, -1, 0.5, 2}, {4, 1}, float32);
  const double before = model.evaluate(x, target, {.verbose = 0})["loss"];
  model.fit(x, target, {.epochs = 30, .batch_size = 2, .verbose = 0});
  EXPECT_LT(model.evaluate(x, target, {.verbose = 0})["loss"], before);
  const Tensor p = model.predict(x, {.batch_size = 2}).front();
  // Row by row gives the same rows (the same kernels on each row).
  for (int64_t i = 0; i < 4; ++i) {
    test::expect_all_close(model.predict(x.slice_rows(i, i + 1)).front(), p.slice_rows(i, i + 1),
                           1e-6, 1e-6);
  }
  // A new vocabulary of the same size reaches the traced predict plans.
  lookup->set_vocabulary({"cat", "the", "sat", "mat"});
  const Tensor swapped = text(
      {"cat", "the", "dog", "sat", "mat", "cat", "the", "the", "the", "mat", "mat", "x"}, {4, 3});
  test::expect_all_close(model.predict(swapped, {.batch_size = 2}).front(), p, 0, 0);
  // Numbers into a string Input, strings into a numeric layer: TypeErrors naming the layer.
  test::expect_throws_with<TypeError>(
      [&] {
        model.predict(Tensor::from_vector<float>({1, 2, 3}, {1, 3}));
      },
      "to have dtype string, but got array with dtype float32");
  test::expect_throws_with<TypeError>(
      [&] {
        model(Tensors{Tensor::from_vector<float>({1, 2, 3}, {1, 3})});
      },
      "has dtype string; it received a tensor of dtype float32");
  auto nums = Input({3}, {.dtype = string_});
  test::expect_throws_with<TypeError>(
      [&] { Dense(2, {.name = "dense_on_text"})(nums); },
      "Layer 'dense_on_text' (Dense) does not take strings; it received an input of dtype string "
      "and shape (None, 3)");
}

// The adapted vocabulary goes to assets/.../vocabulary.txt (strings with spaces and UTF-8 kept),
// tf_idf's weights to its vars/idf_weights; both come back.
TEST(StringLookup, SavesItsVocabularyAndWeights) {
  StringLookup lookup({.num_oov_indices = 2, .output_mode = "tf_idf"});
  lookup->adapt(text({"a b", "日本", "c", "c", "c", "d", "e", "f", "g"}, {3, 3}));
  StringLookup back({.invert = true});
  back->adapt(text({"x", "y", "y"}, {3}));
  auto words = Input({3}, {.dtype = string_});
  auto ids = Input({2}, {.dtype = int64});
  Model model({words, ids}, {Dense(2)(lookup(words)), back(ids)});
  const Tensors x = {text({"a b", "c", "zz", "日本", "g", "d"}, {2, 3}),
                     Tensor::from_vector<int64_t>({1, 2, 0, 5}, {2, 2})};
  const Outputs want = model.predict(x);
  EXPECT_EQ(strings_of(want[1]), (Strings{"y", "x", "[UNK]", "[UNK]"}));
  // .h5 files have no assets: keras.cpp writes the vocabulary into the layer's config there.
  for (const char* ext : {".keras", ".h5"}) {
    SCOPED_TRACE(ext);
    const std::string path = temp_file(str("lookup", ext));
    model.save(path);
    const Outputs got = models::load_model(path).predict(x);
    test::expect_all_close(got[0], want[0], 0, 0);
    test::expect_all_close(got[1], want[1], 0, 0);
  }
  test::expect_throws_with<ValueError>([&] { lookup->load_assets({}); },
                                       "the archive has no vocabulary.txt");
}

}  // namespace
}  // namespace keras::layers
