// What a user gets wrong, and the error that says so: every case is a keras::Error naming the
// argument or layer, the expected and the received value — never a crash, a std:: exception
// without context, or a silent success.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <keras/keras.hpp>
#include <limits>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace L = keras::layers;

Model small_model() {
  auto x = Input({4});
  return Model(x, L::Dense(1)(x));
}

TEST(Misuse, StepsPerEpochMustBePositive) {
  Model m = small_model();
  m.compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor x = ones({8, 4}), y = ones({8, 1});
  for (int steps : {0, -3}) {
    test::expect_throws_with<ValueError>(
        [&] { m.fit(x, y, {.verbose = 0, .steps_per_epoch = steps}); },
        str("steps_per_epoch must be a positive integer or None, got ", steps));
  }
  test::expect_throws_with<ValueError>([&] { m.fit(x, y, {.verbose = 0, .initial_epoch = -1}); },
                                       "initial_epoch must be non-negative, got -1");
}

TEST(Misuse, NegativeInputDimensionsAreRejectedAsKerasDoes) {
  test::expect_throws_with<ValueError>(
      [] { Input({-1}); },
      "Cannot convert '(-1,)' to a shape. Negative dimensions are not allowed.");
  test::expect_throws_with<ValueError>(
      [] {
        Input({std::nullopt, -5});
      },
      "Cannot convert '(None, -5)' to a shape. Negative dimensions are not allowed.");
  test::expect_throws_with<ValueError>([] { L::Dense(3, {.input_shape = {{-2}}}); },
                                       "Negative dimensions are not allowed");
  EXPECT_EQ(Input({0}).shape(), (Shape{kNone, 0}));  // a zero dimension is legal, as in Keras
}

TEST(Misuse, InputBatchSizeMustBePositive) {
  for (int64_t b : {0, -4}) {
    test::expect_throws_with<ValueError>(
        [&] { Input({8}, {.batch_size = b}); },
        str("Input: batch_size must be a positive integer or None, received batch_size=", b));
  }
}

// Allocations the machine cannot serve are refused before anything is touched: a MemoryError
// naming the layer, the weight and the size, instead of std::bad_alloc (or, with an
// overcommitting kernel, an OOM kill when the initializer writes the memory).
TEST(Misuse, HugeWeightsNameTheLayerAndTheSize) {
  auto x = Input({10});
  test::expect_throws_with<MemoryError>(
      [&] { L::Dense(1'000'000'000'000, {.name = "huge"})(x); },
      "Layer 'huge' cannot create its weight 'kernel' of shape (10, 1000000000000): Unable to "
      "allocate 36.38 TiB for a tensor with shape (10, 1000000000000) and data type float32");
  auto ids = Input({3});
  test::expect_throws_with<MemoryError>(
      [&] { L::Embedding(1'000'000'000'000, 64, {.name = "vocab"})(ids); },
      "Layer 'vocab' cannot create its weight 'embeddings' of shape (1000000000000, 64)");
  auto wide = Input({int64_t{1} << 40});
  test::expect_throws_with<MemoryError>([&] { L::Dense(8, {.name = "d"})(wide); },
                                        "Layer 'd' cannot create its weight 'kernel'");
  // More elements than int64 can count: a ValueError, still naming the layer.
  test::expect_throws_with<ValueError>(
      [&] { L::Dense(int64_t{1} << 40, {.name = "overflow"})(wide); },
      "Layer 'overflow' cannot create its weight 'kernel' of shape (1099511627776, "
      "1099511627776): shape (1099511627776, 1099511627776) has more elements than a tensor can "
      "hold");
  test::expect_throws_with<MemoryError>([] { Tensor::empty({int64_t{1} << 50}); },
                                        "Unable to allocate 4.00 PiB for a tensor with shape");
}

TEST(Misuse, OutOfRangeFloatIdsAreReportedAsGiven) {
  auto ids = Input({2});
  Model m(ids, L::Embedding(10, 3, {.name = "emb"})(ids));
  test::expect_throws_with<IndexError>(
      [&] {
        m.predict(test::tensor_of({1, 1e10}, {1, 2}, float32));
      },
      "Exception encountered when calling layer \"emb\" (type Embedding): indices[0,1] = 1e+10 "
      "is not in [0, 10)");
  test::expect_throws_with<IndexError>(
      [&] {
        m.call({test::tensor_of({std::nan(""), 1}, {1, 2}, float64)});
      },
      "indices[0,0] = nan is not in [0, 10)");
  test::expect_throws_with<IndexError>(
      [&] {
        m.call({test::tensor_of({-1.5, 1}, {1, 2}, float32)});
      },
      "indices[0,0] = -1.5");
  // In range, floating ids are truncated as Keras casts them.
  test::expect_all_close(m.call({test::tensor_of({2.9, 0.5}, {1, 2}, float32)})[0],
                         m.call({test::tensor_of({2, 0}, {1, 2}, int32)})[0], 0, 0);
}

TEST(Misuse, FloatToIntegerCastsSaturate) {
  const double inf = std::numeric_limits<double>::infinity();
  const Tensor x = test::tensor_of({1e10, -1e10, std::nan(""), inf, -7.9, 300});
  test::expect_all_close(
      x.astype(int32),
      test::tensor_of({2147483647, -2147483648.0, 0, 2147483647, -7, 300}, {6}, int32), 0, 0);
  test::expect_all_close(ops::cast(x, uint8), test::tensor_of({255, 0, 0, 255, 0, 255}, {6}, uint8),
                         0, 0);
  const Tensor big = ops::cast(x, int64);
  EXPECT_EQ(big.data<int64_t>()[0], 10'000'000'000);
  EXPECT_EQ(big.data<int64_t>()[3], std::numeric_limits<int64_t>::max());
}

TEST(Misuse, BadSampleWeightsAreNamed) {
  Model m = small_model();
  m.compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor x = ones({8, 4}), y = ones({8, 1});
  test::expect_throws_with<ValueError>(
      [&] { m.fit(x, y, {.verbose = 0, .sample_weight = ones({5})}); },
      "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. "
      "'x' sizes: 8, 'y' sizes: 8, 'sample_weight' sizes: 5");
  Tensor nan_weights = ones({8}, float64);
  nan_weights.data<double>()[3] = std::nan("");
  test::expect_throws_with<ValueError>(
      [&] { m.fit(x, y, {.verbose = 0, .sample_weight = nan_weights}); },
      "Data for \"sample_weight\" contains a NaN or infinite value (element 3");
  test::expect_throws_with<ValueError>(
      [&] {
        m.evaluate(x, y, {.verbose = 0, .sample_weight = ones({8, 3})});
      },
      "sample_weight");
}

}  // namespace
}  // namespace keras
