// IntegerLookup: the layer contract, Keras's lookups, encodings, adapt() and errors (Keras's own
// predictions from files: tests/data/layers/integer_lookup*, tests/integration/
// layer_fixtures_test.cpp), saving its vocabulary and weights.
#include "keras/layers/preprocessing/integer_lookup.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/embedding.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/registry.h"
#include "keras/models/model.h"

namespace keras::layers {
namespace {

Tensor ints(std::vector<int64_t> v, Shape shape) {
  return Tensor::from_vector<int64_t>(std::move(v), std::move(shape));
}

const std::vector<int64_t> kVocab = {12, 36, 1138, 42};

std::string temp_file(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("keras_integer_lookup_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

TEST(IntegerLookup, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return IntegerLookup({.vocabulary = std::vector<int64_t>{1, 2, 3}});
          },
      .input_shape = {4, 3},
      .expected_output_shape = {4, 3},
      .check_training_lowers_loss = false,  // int64 indices: nothing to train through
      .input_dtype = int64,
  });
  test::run_layer_test({
      .make_layer =
          [] {
            return IntegerLookup(
                {.vocabulary = std::vector<int64_t>{0, 2, 4}, .output_mode = "multi_hot"});
          },
      .input_shape = {4, 3},
      .expected_output_shape = {4, 4},
      .input_dtype = int32,
  });
}

// Keras's documented examples.
TEST(IntegerLookup, MapsIntegersToTheirIndex) {
  const Tensor x = ints({12, 1138, 42, 42, 1000, 36}, {2, 3});
  const Tensor y = IntegerLookup({.vocabulary = kVocab})(x);
  EXPECT_EQ(y.dtype(), int64);
  test::expect_all_close(y, ints({1, 3, 4, 4, 0, 2}, {2, 3}), 0, 0);
  // Two OOV indices: an OOV integer goes to floormod(x, 2) (Python's sign for negatives).
  const Tensor z =
      IntegerLookup({.num_oov_indices = 2, .vocabulary = kVocab})(ints({12, 1001, 1000, -3}, {4}));
  test::expect_all_close(z, ints({2, 1, 0, 1}, {4}), 0, 0);
  // A mask token takes index 0; the OOV index and the vocabulary move up by one.
  const Tensor m =
      IntegerLookup({.mask_token = 0, .vocabulary = kVocab})(ints({12, 0, 1138, 7}, {4}));
  test::expect_all_close(m, ints({2, 0, 4, 1}, {4}), 0, 0);
  // int32 and uint8 inputs, and a scalar.
  test::expect_all_close(
      IntegerLookup({.vocabulary = kVocab})(Tensor::from_vector<int32_t>({36, 5}, {2})),
      ints({2, 0}, {2}), 0, 0);
  test::expect_all_close(IntegerLookup({.vocabulary = std::vector<int64_t>{7}})(
                             Tensor::from_vector<uint8_t>({7, 8}, {2})),
                         ints({1, 0}, {2}), 0, 0);
  EXPECT_EQ(IntegerLookup({.vocabulary = kVocab})(ints({42}, {})).shape(), Shape{});
}

TEST(IntegerLookup, InvertMapsIndicesBack) {
  const Tensor y =
      IntegerLookup({.vocabulary = kVocab, .invert = true})(ints({1, 3, 4, 4, 0, 2, 9}, {7}));
  test::expect_all_close(y, ints({12, 1138, 42, 42, -1, 36, -1}, {7}), 0, 0);
  const Tensor m = IntegerLookup({.mask_token = 5, .vocabulary = kVocab, .invert = true})(
      ints({0, 1, 2, 5}, {4}));
  test::expect_all_close(m, ints({5, -1, 12, 42}, {4}), 0, 0);
  // A vocabulary may start with the special tokens, in Keras's order.
  const Tensor s = IntegerLookup(
      {.mask_token = 5, .vocabulary = std::vector<int64_t>{5, -1, 12, 36}})(ints({36, 5, 4}, {3}));
  test::expect_all_close(s, ints({3, 0, 1}, {3}), 0, 0);
}

TEST(IntegerLookup, Encodings) {
  const std::vector<int64_t> vocab = {12, 36, 1138, 42};
  const Tensor x = ints({12, 12, 1138, 42, 7, 36}, {2, 3});
  test::expect_all_close(IntegerLookup({.vocabulary = vocab, .output_mode = "multi_hot"})(x),
                         test::tensor_of({0, 1, 0, 1, 0, 1, 0, 1, 0, 1}, {2, 5}, float32), 0, 0);
  test::expect_all_close(IntegerLookup({.vocabulary = vocab, .output_mode = "count"})(x),
                         test::tensor_of({0, 2, 0, 1, 0, 1, 0, 1, 0, 1}, {2, 5}, float32), 0, 0);
  test::expect_all_close(
      IntegerLookup({.vocabulary = vocab, .output_mode = "one_hot"})(ints({36, 99}, {2, 1})),
      test::tensor_of({0, 0, 1, 0, 0, 1, 0, 0, 0, 0}, {2, 5}, float32), 0, 0);
  // tf_idf: counts times the weights; the OOV index gets their mean; padded with zeros.
  const Tensor t = IntegerLookup({.max_tokens = 7,
                                  .vocabulary = vocab,
                                  .idf_weights = std::vector<double>{0.5, 1.0, 2.0, 4.0},
                                  .output_mode = "tf_idf",
                                  .pad_to_max_tokens = true})(x);
  test::expect_all_close(
      t, test::tensor_of({0, 1, 0, 2, 0, 0, 0, 1.875, 0, 1, 0, 4, 0, 0}, {2, 7}, float32), 0, 0);
  // A masked value is encoded as nothing.
  test::expect_all_close(
      IntegerLookup({.mask_token = 0, .vocabulary = vocab, .output_mode = "count"})(
          ints({0, 0, 12}, {1, 3})),
      test::tensor_of({0, 1, 0, 0, 0}, {1, 5}, float32), 0, 0);
}

TEST(IntegerLookup, AdaptCountsAsKeras) {
  IntegerLookup l({.mask_token = 0});
  l->adapt(ints({1, 2, 3, 3, 3, 4, 5, 0, 0, -1, 2, 9}, {4, 3}));
  // Mask and OOV tokens left out; most frequent first, ties the larger value first.
  EXPECT_EQ(l->get_vocabulary(), (std::vector<int64_t>{0, -1, 3, 2, 9, 5, 4, 1}));
  EXPECT_EQ(l->get_vocabulary(false), (std::vector<int64_t>{3, 2, 9, 5, 4, 1}));
  EXPECT_EQ(l->vocabulary_size(), 8);
  IntegerLookup capped({.max_tokens = 3});
  capped->adapt(ints({1, 2, 3, 3, 3, 4, 2}, {7}));
  EXPECT_EQ(capped->get_vocabulary(), (std::vector<int64_t>{-1, 3, 2}));
  // tf_idf: log(1 + rows / (1 + rows holding the value)); the OOV index gets their mean.
  IntegerLookup t({.output_mode = "tf_idf"});
  t->adapt(ints({1, 1, 2, 1, 3, 3}, {3, 2}));  // 1 in rows 0 and 1, 2 in row 1, 3 in row 2
  EXPECT_EQ(t->get_vocabulary(), (std::vector<int64_t>{-1, 1, 3, 2}));
  const double w1 = std::log(1 + 3.0 / 3), w3 = std::log(1 + 3.0 / 2), w2 = w3;
  const double mean =
      (static_cast<float>(w1) + static_cast<float>(w2) + static_cast<float>(w3)) / 3;
  test::expect_all_close(t(ints({1, 1, 2, 7}, {1, 4})),
                         test::tensor_of({mean, 2 * w1, 0, w2}, {1, 4}, float32), 1e-6, 0);
  // adapt() again starts over.
  t->adapt(ints({4, 4, 5, 6}, {2, 2}));
  EXPECT_EQ(t->get_vocabulary(), (std::vector<int64_t>{-1, 4, 6, 5}));
}

TEST(IntegerLookup, ErrorsAsKeras) {
  test::expect_throws_with<ValueError>([] { IntegerLookup({.max_tokens = 1}); },
                                       "it must be greater than 1. Received: max_tokens=1");
  test::expect_throws_with<ValueError>([] { IntegerLookup({.num_oov_indices = -1}); },
                                       "must >= 0. Received: num_oov_indices=-1");
  test::expect_throws_with<ValueError>([] { IntegerLookup({.pad_to_max_tokens = true}); },
                                       "If pad_to_max_tokens is True, must set `max_tokens`.");
  test::expect_throws_with<ValueError>([] { IntegerLookup({.output_mode = "bag"}); },
                                       "Unknown value for `output_mode` argument");
  test::expect_throws_with<ValueError>(
      [] { IntegerLookup({.invert = true, .output_mode = "one_hot"}); },
      "`output_mode` must be `'int'` when `invert` is true.");
  test::expect_throws_with<ValueError>(
      [] { IntegerLookup({.idf_weights = std::vector<double>{1.0}, .output_mode = "count"}); },
      "`idf_weights` should only be set if `output_mode` is `'tf_idf'`.");
  test::expect_throws_with<ValueError>(
      [] { IntegerLookup({.vocabulary = kVocab, .output_mode = "tf_idf"}); },
      "in TF-IDF output mode, the `idf_weights` argument must also be provided.");
  test::expect_throws_with<ValueError>(
      [] {
        IntegerLookup({.vocabulary = std::vector<int64_t>{1, 2, 1, 3, 2}});
      },
      "The passed vocabulary has at least one repeated term. Please uniquify your dataset. The "
      "repeated terms are: [1, 2]");
  test::expect_throws_with<ValueError>(
      [] {
        IntegerLookup({.mask_token = 0, .vocabulary = std::vector<int64_t>{1, 0}});
      },
      "Found reserved mask token at unexpected location in `vocabulary`.");
  test::expect_throws_with<ValueError>(
      [] {
        IntegerLookup({.vocabulary = std::vector<int64_t>{1, -1}, .invert = true});
      },
      "Found reserved OOV token at unexpected location");
  test::expect_throws_with<ValueError>(
      [] { IntegerLookup({.max_tokens = 3, .vocabulary = kVocab}); },
      "Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary "
      "size is 5; `max_tokens` is 3.");
  test::expect_throws_with<ValueError>(
      [] { IntegerLookup({.vocabulary = std::vector<int64_t>{}}); },
      "Cannot set an empty vocabulary.");
  test::expect_throws_with<ValueError>(
      [] { IntegerLookup({.vocabulary = kVocab})->adapt(ints({1}, {1})); }, "Cannot adapt layer");
  test::expect_throws_with<RuntimeError>(
      [] {
        IntegerLookup({.output_mode = "multi_hot"})(ints({1}, {1, 1}));
      },
      "you must set the layer's vocabulary before calling it.");
  test::expect_throws_with<RuntimeError>(
      [] {
        IntegerLookup l({.vocabulary = kVocab, .output_mode = "count"});
        l->set_vocabulary({1, 2});
      },
      "the vocabulary size cannot be changed after the layer is called. Old vocab size is 5, "
      "new vocab size is 3");
  test::expect_throws_with<ValueError>(
      [] {
        IntegerLookup({.num_oov_indices = 0, .vocabulary = kVocab})(ints({12, 5, 6}, {3}));
      },
      "When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values [5, 6], "
      "consider setting `num_oov_indices=1`.");
  test::expect_throws_with<TypeError>([] { IntegerLookup({.vocabulary = kVocab})(ones({2})); },
                                      "takes integers");
  test::expect_throws_with<ValueError>(
      [] { IntegerLookup({.num_oov_indices = 2, .salt = {3}}); },
      "`salt` can only be used when `oov_method='farmhash'`. Received: oov_method=floormod");
}

TEST(IntegerLookup, ConfigAsKeras) {
  IntegerLookup l({.max_tokens = 9,
                   .num_oov_indices = 2,
                   .mask_token = 0,
                   .vocabulary = kVocab,
                   .name = "ids"});
  const Json c = serialize_layer(l.impl());
  EXPECT_EQ(c["class_name"], "IntegerLookup");
  const Json& cfg = c["config"];
  EXPECT_EQ(cfg["vocabulary"], Json(kVocab));
  EXPECT_EQ(cfg["vocabulary_size"], 7);
  EXPECT_EQ(cfg["num_oov_indices"], 2);
  EXPECT_EQ(cfg["mask_token"], 0);
  EXPECT_EQ(cfg["oov_token"], -1);
  EXPECT_EQ(cfg["vocabulary_dtype"], "int64");
  EXPECT_EQ(cfg["oov_method"], "floormod");
  EXPECT_TRUE(cfg["salt"].is_null());
  EXPECT_TRUE(cfg["idf_weights"].is_null());
  EXPECT_EQ(serialize_layer(*deserialize_layer(c)), c);
  // An adapted vocabulary is not in the config (it goes to the archive's assets).
  IntegerLookup a;
  a->adapt(ints({3, 3, 4}, {3}));
  EXPECT_TRUE(serialize_layer(a.impl())["config"]["vocabulary"].is_null());
  EXPECT_EQ(serialize_layer(a.impl())["config"]["vocabulary_size"], 3);
  // Built from a config that lost its vocabulary (Keras's legacy .h5): an error, not all-OOV.
  Json lost = serialize_layer(a.impl());
  test::expect_throws_with<ValueError>([&] { (*deserialize_layer(lost))(Tensors{ints({3}, {1})}); },
                                       "has no vocabulary");
  lost["config"]["vocabulary"] = "/etc/passwd";
  test::expect_throws_with<ValueError>([&] { deserialize_layer(lost); },
                                       "vocabulary file outside of the model archive");
  lost["config"]["vocabulary"] = nullptr;
  lost["config"]["vocabulary_dtype"] = "string";
  test::expect_throws_with<ValueError>([&] { deserialize_layer(lost); },
                                       "Only `vocabulary_dtype='int64'` is supported");
}

// The lookup in a traced plan (fit, predict) reads the layer's current vocabulary.
TEST(IntegerLookup, TrainsAndPredictsInAModel) {
  IntegerLookup lookup({.vocabulary = kVocab});
  auto ids = Input({3}, {.dtype = int64});
  auto h = Flatten()(Embedding(5, 4)(lookup(ids)));
  auto y = Dense(1)(h);
  Model model(ids, y);
  model.compile({.optimizer = "adam", .loss = "mse"});
  const Tensor x = ints({12, 36, 7, 1138, 42, 12, 36, 36, 36, 42, 42, 99}, {4, 3});
  const Tensor target = test::tensor_of({1, -1, 0.5, 2}, {4, 1}, float32);
  const double before = model.evaluate(x, target, {.verbose = 0})["loss"];
  model.fit(x, target, {.epochs = 30, .batch_size = 2, .verbose = 0});
  EXPECT_LT(model.evaluate(x, target, {.verbose = 0})["loss"], before);
  const Tensor p = model.predict(x, {.batch_size = 2}).front();
  // A new vocabulary of the same size reaches the traced predict plans.
  lookup->set_vocabulary({36, 12, 1138, 42});
  const Tensor swapped = ints({36, 12, 7, 1138, 42, 36, 12, 12, 12, 42, 42, 99}, {4, 3});
  test::expect_all_close(model.predict(swapped, {.batch_size = 2}).front(), p, 0, 0);
}

// The adapted vocabulary goes to assets/.../vocabulary.txt, tf_idf's weights to its
// vars/idf_weights; both come back, and .weights.h5 files carry the weights.
TEST(IntegerLookup, SavesItsVocabularyAndWeights) {
  IntegerLookup lookup({.num_oov_indices = 2, .output_mode = "tf_idf"});
  lookup->adapt(ints({1, 2, 3, 3, 3, 4, 5, 6, 7}, {3, 3}));
  auto ids = Input({3}, {.dtype = int64});
  Model model(ids, Dense(2)(lookup(ids)));
  const Tensor x = ints({1, 3, 9, 7, 7, 2}, {2, 3});
  const Tensor want = model.predict(x).front();
  for (const char* ext : {".keras", ".h5"}) {
    SCOPED_TRACE(ext);
    const std::string path = temp_file(str("lookup", ext));
    model.save(path);
    test::expect_all_close(models::load_model(path).predict(x).front(), want, 0, 0);
  }
  // Weights only: into a model with the same vocabulary and other weights.
  const std::string weights = temp_file("lookup.weights.h5");
  model.save_weights(weights);
  Model other = models::load_model(temp_file("lookup.keras"));
  auto* l = dynamic_cast<IntegerLookupImpl*>(other.get_layer(lookup->name()).layer().get());
  ASSERT_NE(l, nullptr);
  l->load_own_variables({{"idf_weights", zeros({7})}});
  EXPECT_FALSE(test::all_close(other.predict(x).front(), want, 0, 0));
  other.load_weights(weights);
  test::expect_all_close(other.predict(x).front(), want, 0, 0);
}

TEST(IntegerLookup, RejectsADamagedVocabularyFile) {
  IntegerLookup lookup;
  test::expect_throws_with<ValueError>([&] { lookup->load_assets({}); },
                                       "the archive has no vocabulary.txt");
  test::expect_throws_with<ValueError>(
      [&] {
        lookup->load_assets({{"vocabulary.txt", "-1\n12\nabc\n"}});
      },
      "line 3 of vocabulary.txt is not an integer: 'abc'");
  test::expect_throws_with<ValueError>(
      [&] {
        lookup->load_assets({{"vocabulary.txt", "-1\n99999999999999999999"}});
      },
      "line 2 of vocabulary.txt is not an integer");
  test::expect_throws_with<ValueError>(
      [&] {
        lookup->load_assets({{"vocabulary.txt", "-1\n4\n4"}});
      },
      "repeated term");
  lookup->load_assets({{"vocabulary.txt", "-1\r\n 4\r\n+7\r\n\r\n"}});
  EXPECT_EQ(lookup->get_vocabulary(), (std::vector<int64_t>{-1, 4, 7}));
  // Its size must be the one the config recorded.
  test::expect_throws_with<ValueError>(
      [&] {
        lookup->load_assets({{"vocabulary.txt", "-1\n4"}});
      },
      "vocabulary.txt has 2 entries, but the layer's config says vocabulary_size 3");
}

}  // namespace
}  // namespace keras::layers
