#include "keras/layers/reshaping.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/layers/input_layer.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

// ---- RepeatVector ----

TEST(RepeatVector, Contract) {
  test::run_layer_test({
      .make_layer = [] { return RepeatVector(3); },
      .input_shape = {2, 4},
      .expected_output_shape = {2, 3, 4},
  });
}

TEST(RepeatVector, SymbolicShape) {
  const KerasTensor x = keras::Input({32});
  const KerasTensor y = RepeatVector(5)(x);
  EXPECT_EQ(shape_str(y.shape()), "(None, 5, 32)");
  EXPECT_EQ(y.layer()->class_name(), "RepeatVector");
  const KerasTensor u = RepeatVector(2)(keras::Input({std::nullopt}));
  EXPECT_EQ(shape_str(u.shape()), "(None, 2, None)");
}

TEST(RepeatVector, RepeatsEachSample) {
  const Tensor x = test::tensor_of({1, 2, 3, 4}, {2, 2}, float32);
  const Tensor y = RepeatVector(3)(x);
  test::expect_all_close(
      y, test::tensor_of({1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}, {2, 3, 2}, float32), 0, 0);
}

TEST(RepeatVector, IntegerInputsKeepTheirDtype) {
  const Tensor x = Tensor::from_vector<int32_t>({7, 8}, {1, 2});
  const Tensor y = RepeatVector(2)(x);
  EXPECT_EQ(y.dtype(), int32);
  EXPECT_EQ(RepeatVector(2)(keras::Input({2}, {.dtype = int32})).dtype(), int32);
}

TEST(RepeatVector, RejectsInputsThatAreNot2D) {
  RepeatVector r(2, {.name = "rep"});
  test::expect_throws_with<ValueError>(
      [&] {
        r(keras::Input({3, 4}));
      },
      "Input 0 is incompatible with layer rep: expected ndim=2, found ndim=3");
  test::expect_throws_with<ValueError>([] { RepeatVector(0); }, "Received: n=0");
}

// ---- Permute ----

TEST(Permute, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Permute({2, 1});
          },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 4, 3},
  });
}

TEST(Permute, ContractOfRank4) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Permute({3, 1, 2});
          },
      .input_shape = {2, 3, 4, 2},
      .expected_output_shape = {2, 2, 3, 4},
  });
}

TEST(Permute, SymbolicShapeUsesOneBasedDims) {
  const KerasTensor x = keras::Input({10, 64});
  const KerasTensor y = Permute({2, 1})(x);
  EXPECT_EQ(shape_str(y.shape()), "(None, 64, 10)");
  const KerasTensor z = Permute({2, 1})(keras::Input({std::nullopt, 8}));
  EXPECT_EQ(shape_str(z.shape()), "(None, 8, None)");
}

TEST(Permute, MatchesTranspose) {
  const Tensor x = test::random_tensor({2, 3, 4, 5}, float32, -1, 1, 9);
  test::expect_all_close(Permute({3, 1, 2})(x), ops::transpose(x, {0, 3, 1, 2}), 0, 0);
}

TEST(Permute, RejectsInvalidDims) {
  test::expect_throws_with<ValueError>(
      [] {
        Permute({1, 3});
      },
      "Invalid permutation `dims` for Permute Layer: (1, 3). The set of indices in `dims` must "
      "be consecutive and start from 1.");
  test::expect_throws_with<ValueError>([] { Permute({0, 1}); }, "(0, 1)");
  test::expect_throws_with<ValueError>([] { Permute({1, 1}); }, "(1, 1)");
  Permute p({2, 1}, {.name = "perm"});
  test::expect_throws_with<ValueError>(
      [&] { p(keras::Input({3})); },
      "Input 0 is incompatible with layer perm: expected ndim=3, found ndim=2");
}

}  // namespace
}  // namespace keras::layers
