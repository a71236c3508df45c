// Hashing: the layer contract, TensorFlow's bins (Keras 3.15's numbers, from
// `keras.layers.Hashing(...)(x)`), errors and config. Whole models: tests/data/layers/hashing*.
#include "keras/layers/preprocessing/hashing.h"

#include <gtest/gtest.h>

#include <cmath>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/preprocessing/integer_lookup.h"
#include "keras/layers/registry.h"
#include "layers/preprocessing/string_hash.h"

namespace keras::layers {
namespace {

Tensor ints(std::vector<int64_t> v, Shape shape) {
  return Tensor::from_vector<int64_t>(std::move(v), std::move(shape));
}

TEST(Hashing, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Hashing(5); },
      .input_shape = {4, 3},
      .expected_output_shape = {4, 3},
      .check_gradients = false,  // int64 bins (the float64 step would make it a float layer)
      .check_training_lowers_loss = false,  // nothing to train through
      .input_dtype = int64,
  });
  test::run_layer_test({
      .make_layer = [] { return Hashing(6, {.mask_value = 0, .output_mode = "multi_hot"}); },
      .input_shape = {4, 3},
      .expected_output_shape = {4, 6},
      .input_dtype = int32,
  });
}

TEST(Hashing, BinsAreTensorFlows) {
  const Tensor x = ints({1, 2, 3, -4, 0, 9223372036854775807}, {1, 6});
  test::expect_all_close(Hashing(3)(x), ints({0, 1, 0, 1, 1, 2}, {1, 6}), 0, 0);
  test::expect_all_close(Hashing(5, {.mask_value = 0})(x), ints({2, 4, 2, 3, 0, 4}, {1, 6}), 0, 0);
  test::expect_all_close(Hashing(4, {.salt = {133}})(x), ints({2, 3, 3, 2, 1, 3}, {1, 6}), 0, 0);
  test::expect_all_close(Hashing(4, {.salt = {1, 2}})(x), ints({2, 1, 1, 3, 3, 2}, {1, 6}), 0, 0);
  // Floats are truncated to int64 first (NaN and out of range: the smallest int64).
  test::expect_all_close(Hashing(6)(test::tensor_of({1.9, -2.5, NAN, 1e30}, {1, 4}, float32)),
                         ints({3, 1, 2, 2}, {1, 4}), 0, 0);
  test::expect_all_close(Hashing(6)(Tensor::from_vector<bool>({true, false}, {1, 2})),
                         ints({0, 5}, {1, 2}), 0, 0);
  test::expect_all_close(Hashing(3, {.output_mode = "count"})(x),
                         test::tensor_of({2, 3, 1}, {1, 3}, float32), 0, 0);
  EXPECT_EQ(Hashing(3)(x).dtype(), int64);
}

// FarmHash's Fingerprint64 and SipHash-2-4, against TensorFlow's to_hash_bucket_fast / _strong
// (num_buckets 2^63 - 1, key [7, 11]) for texts of every length class of FarmHash.
TEST(Hashing, StringHashesAreTensorFlows) {
  struct Case {
    const char* text;
    uint64_t fast, strong;
  };
  const Case cases[] = {
      {"", 1936946117179621456u, 3361664221164768847u},
      {"abc", 2640714258260161385u, 4014758527784878935u},
      {"12345", 7327511717521308921u, 4664229653958169785u},
      {"-1234567", 4561049060225586265u, 7101685782142943468u},
      {"123456789012345678", 704066306491908369u, 2201028934561989927u},
      {"0123456789012345678901234567890123", 5755474634529195488u, 7413989314065220597u},
      {"The quick brown fox jumps over the lazy dog, then again and again and again and again; "
       "yes!! 1234567890",
       918374399111335735u, 859613889915567509u},
  };
  const uint64_t m = (uint64_t{1} << 63) - 1;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(string_hash::fingerprint64(c.text) % m, c.fast);
    EXPECT_EQ(string_hash::siphash(7, 11, c.text) % m, c.strong);
  }
}

TEST(Hashing, ErrorsAsKeras) {
  test::expect_throws_with<ValueError>(
      [] { Hashing(0); },
      "The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: "
      "num_bins=0.");
  test::expect_throws_with<ValueError>([] { Hashing(3, {.output_mode = "tf_idf"}); },
                                       "Invalid value for argument `output_mode`.");
  test::expect_throws_with<ValueError>([] { Hashing(3, {.sparse = true}); },
                                       "`sparse` may only be true if `output_mode` is");
  test::expect_throws_with<ValueError>(
      [] {
        Hashing(3, {.salt = {1, 2, 3}});
      },
      "The `salt` argument for `Hashing` can only be");
}

TEST(Hashing, ConfigAsKeras) {
  Hashing h(5, {.mask_value = 0, .salt = {9}, .name = "h"});
  const Json c = serialize_layer(h.impl());
  EXPECT_EQ(c["config"]["num_bins"], 5);
  EXPECT_EQ(c["config"]["mask_value"], 0);
  EXPECT_EQ(c["config"]["salt"], Json::array({9, 9}));
  EXPECT_EQ(c["config"]["output_mode"], "int");
  EXPECT_EQ(c["config"]["dtype"]["config"]["name"], "int64");
  EXPECT_EQ(serialize_layer(*deserialize_layer(c)), c);
  Json bad = c;
  bad["config"]["mask_value"] = Json::array();
  test::expect_throws_with<ValueError>([&] { deserialize_layer(bad); },
                                       "is neither a number nor a string");
  bad["config"]["mask_value"] = nullptr;
  bad["config"]["dtype"] = "float32";
  test::expect_throws_with<ValueError>(
      [&] { (*deserialize_layer(bad))(Tensors{ints({1}, {1})}); },
      "When `output_mode=\"int\"`, `dtype` should be an integer type");
}

}  // namespace
}  // namespace keras::layers

namespace keras::layers {
namespace {

// A damaged config's sizes: an error when the output cannot be made, never a crash.
TEST(Hashing, AbsurdSizesFromAConfigAreErrors) {
  for (auto [bins, says] : {std::pair<int64_t, const char*>{int64_t{1} << 60, "does not fit"},
                            {int64_t{1} << 40, "Unable to allocate 8.00 TiB"}}) {
    Json c = serialize_layer(Hashing(5, {.output_mode = "one_hot"}).impl());
    c["config"]["num_bins"] = bins;
    const std::shared_ptr<Layer> h = deserialize_layer(c);
    EXPECT_NE(test::message_of([&] {
                (*h)(Tensors{ints({1, 2}, {2, 1})});
              }).find(says),
              std::string::npos);
    Json l = serialize_layer(IntegerLookup({.max_tokens = 8,
                                            .vocabulary = std::vector<int64_t>{1},
                                            .output_mode = "count",
                                            .pad_to_max_tokens = true})
                                 .impl());
    l["config"]["max_tokens"] = bins;
    EXPECT_NE(test::message_of([&] {
                (*deserialize_layer(l))(Tensors{ints({1, 2}, {2, 1})});
              }).find(says),
              std::string::npos);
  }
}

}  // namespace
}  // namespace keras::layers
