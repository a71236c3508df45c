// HashedCrossing: TensorFlow's cross hash (numbers from tf.sparse.cross_hashed), shapes, errors
// and config. Whole models from Keras: tests/data/layers/hashed_crossing*.
#include "keras/layers/preprocessing/hashed_crossing.h"

#include <gtest/gtest.h>

#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/registry.h"
#include "layers/preprocessing/string_hash.h"

namespace keras::layers {
namespace {

Tensor ints(std::vector<int64_t> v, Shape shape) {
  return Tensor::from_vector<int64_t>(std::move(v), std::move(shape));
}

// tf.sparse.cross_hashed([a, b], 2**63 - 1) and with a third feature c = 4 (TensorFlow 2.x).
TEST(HashedCrossing, CrossHashIsTensorFlows) {
  const int64_t a[] = {1, 2, -3, 123456789, 0}, b[] = {5, 7, 9, -1, 0};
  const uint64_t two[] = {6135528351060340733u, 1375251797817012800u, 1552942680507088051u,
                          5306503103119178265u, 7883058887674371304u};
  const uint64_t three[] = {7378169066698768078u, 8023160687426603634u, 8209846708320118090u,
                            5676828239558914891u, 5403854306319823225u};
  const uint64_t m = (uint64_t{1} << 63) - 1;
  using string_hash::fingerprint_cat64;
  for (int i = 0; i < 5; ++i) {
    const uint64_t h = fingerprint_cat64(
        fingerprint_cat64(string_hash::kCrossHashKey, static_cast<uint64_t>(a[i])),
        static_cast<uint64_t>(b[i]));
    EXPECT_EQ(h % m, two[i]);
    EXPECT_EQ(fingerprint_cat64(h, 4) % m, three[i]);
  }
  const Tensor bins = HashedCrossing(m)({ints({1, 2, -3, 123456789, 0}, {5, 1}),
                                         Tensor::from_vector<int32_t>({5, 7, 9, -1, 0}, {5, 1})});
  EXPECT_EQ(bins.dtype(), int64);
  EXPECT_EQ(bins.shape(), (Shape{5, 1}));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(static_cast<uint64_t>(bins.data<int64_t>()[i]), two[i]);
}

TEST(HashedCrossing, Shapes) {
  const Tensor a = ints({1, 2, 3}, {3}), b = ints({4, 5, 6}, {3});
  EXPECT_EQ(HashedCrossing(4)({a, b}).shape(), (Shape{3}));
  EXPECT_EQ(HashedCrossing(4, {.output_mode = "one_hot"})({a, b}).shape(), (Shape{3, 4}));
  EXPECT_EQ(HashedCrossing(
                4, {.output_mode = "one_hot"})({ints({1, 2, 3}, {3, 1}), ints({4, 5, 6}, {3, 1})})
                .shape(),
            (Shape{3, 4}));
  auto x = Input({1}, {.dtype = int64}), y = Input({1}, {.dtype = int64});
  EXPECT_EQ(HashedCrossing(6, {.output_mode = "one_hot"})({x, y}).shape(), (Shape{kNone, 6}));
}

TEST(HashedCrossing, ErrorsAsKeras) {
  const Tensor a = ints({1, 2}, {2, 1});
  test::expect_throws_with<ValueError>([&] { HashedCrossing(3)(Tensors{a}); },
                                       "`HashedCrossing` should be called on at least two inputs.");
  test::expect_throws_with<ValueError>(
      [&] {
        HashedCrossing(3)({a, ints({1, 2, 3, 4}, {2, 2})});
      },
      "All `HashedCrossing` inputs should have");
  test::expect_throws_with<ValueError>(
      [&] {
        HashedCrossing(3)({a, test::tensor_of({1, 2}, {2, 1}, float32)});
      },
      "All `HashedCrossing` inputs should have an integer or string dtype.");
  test::expect_throws_with<ValueError>([] { HashedCrossing(3, {.output_mode = "count"}); },
                                       "Unknown value for `output_mode` argument");
}

TEST(HashedCrossing, ConfigAsKeras) {
  const Json c = serialize_layer(HashedCrossing(5, {.name = "x"}).impl());
  EXPECT_EQ(c["config"], (Json{{"num_bins", 5},
                               {"output_mode", "int"},
                               {"sparse", false},
                               {"name", "x"},
                               {"dtype", "int64"}}));
  EXPECT_EQ(serialize_layer(*deserialize_layer(c)), c);
  const Json hot = serialize_layer(HashedCrossing(5, {.output_mode = "one_hot"}).impl());
  EXPECT_EQ(hot["config"]["dtype"], "float32");
}

}  // namespace
}  // namespace keras::layers
