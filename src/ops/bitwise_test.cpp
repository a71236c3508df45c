// keras::ops' bitwise functions and gcd against keras.ops on JAX (Keras 3.15): values, dtypes
// and errors. Expected values are Keras's outputs, pasted; the Keras call is named beside each.
#include "keras/ops/bitwise.h"

#include <gtest/gtest.h>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"

namespace keras::ops {
namespace {

using test::tensor_of;
using test::to_doubles;

const Tensor kI32 = tensor_of({12, -7, 5, 0}, {4}, int32);
const Tensor kJ32 = tensor_of({1, 2, 3, 0}, {4}, int32);
const Tensor kU8 = tensor_of({12, 250, 5, 0}, {4}, uint8);
const Tensor kBool = tensor_of({1, 0, 1, 0}, {4}, bool_);

void expect_values(const Tensor& t, DType dtype, const std::vector<double>& values) {
  EXPECT_EQ(t.dtype(), dtype);
  EXPECT_EQ(to_doubles(t), values);
}

// Integer ops: the reference backend and the guarded device (host staging) agree exactly.
const test::OpCase kBitwiseCases[] = {
    {.name = "xor_broadcast_int32",
     .input_shapes = {{3, 4}, {4}},
     .fn = [](const Tensors& x) { return bitwise_xor(x[0], x[1]); },
     .lo = -50,
     .hi = 50,
     .forward_only = true,
     .input_dtypes = {int32, int32},
     .expected_shape = Shape{3, 4},
     .expected_dtype = int32},
    {.name = "shifts_uint8_int64",
     .input_shapes = {{5}, {5}},
     .fn = [](const Tensors& x) { return right_shift(left_shift(x[0], x[1]), x[1]); },
     .lo = 0,
     .hi = 9,
     .forward_only = true,
     .input_dtypes = {uint8, int64},
     .expected_shape = Shape{5},
     .expected_dtype = int64},
    {.name = "gcd_and_invert",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return bitwise_invert(gcd(x[0], x[1])); },
     .lo = -30,
     .hi = 30,
     .forward_only = true,
     .input_dtypes = {int32, int32},
     .expected_shape = Shape{2, 3},
     .expected_dtype = int32},
};
KERAS_INSTANTIATE_OP_TESTS(Bitwise, kBitwiseCases);

TEST(Bitwise, MatchesKeras) {
  // keras.ops.bitwise_and / or / xor(int32 [12, -7, 5, 0], int32 [1, 2, 3, 0])
  expect_values(bitwise_and(kI32, kJ32), int32, {0, 0, 1, 0});
  expect_values(bitwise_or(kI32, kJ32), int32, {13, -5, 7, 0});
  expect_values(bitwise_xor(kI32, kJ32), int32, {13, -5, 6, 0});
  // (uint8 [12, 250, 5, 0], int32 [1, 2, 3, 0]): int32
  expect_values(bitwise_or(kU8, kJ32), int32, {13, 250, 7, 0});
  expect_values(bitwise_xor(kU8, kJ32), int32, {13, 248, 6, 0});
  // (uint8, uint8 [1, 2, 3, 7]): uint8
  const Tensor u = tensor_of({1, 2, 3, 7}, {4}, uint8);
  expect_values(bitwise_and(kU8, u), uint8, {0, 2, 1, 0});
  expect_values(bitwise_or(kU8, u), uint8, {13, 250, 7, 7});
  // (bool [T, F, T, F], bool [T, T, F, F]): bool; (bool, int32): int32
  const Tensor b = tensor_of({1, 1, 0, 0}, {4}, bool_);
  expect_values(bitwise_and(kBool, b), bool_, {1, 0, 0, 0});
  expect_values(bitwise_or(kBool, b), bool_, {1, 1, 1, 0});
  expect_values(bitwise_xor(kBool, b), bool_, {0, 1, 1, 0});
  expect_values(bitwise_or(kBool, kJ32), int32, {1, 2, 3, 0});
  // keras.ops.bitwise_not / bitwise_invert of int32, uint8 and bool
  expect_values(bitwise_not(kI32), int32, {-13, 6, -6, -1});
  expect_values(bitwise_invert(kU8), uint8, {243, 5, 250, 255});
  expect_values(bitwise_not(kBool), bool_, {0, 1, 0, 1});
  expect_values(bitwise_invert(tensor_of({12, -7, 5, 0}, {4}, int64)), int64, {-13, 6, -6, -1});
}

TEST(Bitwise, ShiftsMatchKeras) {
  // keras.ops.left_shift / right_shift(int32 [12, -7, 5, 0], int32 [1, 2, 3, 0])
  expect_values(left_shift(kI32, kJ32), int32, {24, -28, 40, 0});
  expect_values(bitwise_left_shift(kI32, kJ32), int32, {24, -28, 40, 0});
  expect_values(right_shift(kI32, kJ32), int32, {6, -2, 0, 0});
  expect_values(bitwise_right_shift(kI32, kJ32), int32, {6, -2, 0, 0});
  // (uint8 [12, 250, 5, 0], int32): int32; (uint8, uint8 [1, 2, 3, 7]): uint8
  expect_values(left_shift(kU8, kJ32), int32, {24, 1000, 40, 0});
  expect_values(left_shift(kU8, tensor_of({1, 2, 3, 7}, {4}, uint8)), uint8, {24, 232, 40, 0});
  // (x, 2): a Python int keeps x's dtype
  expect_values(left_shift(kU8, 2), uint8, {48, 232, 20, 0});
  expect_values(right_shift(kI32, 2), int32, {3, -2, 1, 0});
  // (bool, bool): int32
  expect_values(left_shift(kBool, tensor_of({1, 1, 0, 0}, {4}, bool_)), int32, {2, 0, 1, 0});
  expect_values(right_shift(kBool, tensor_of({1, 1, 0, 0}, {4}, bool_)), int32, {0, 0, 1, 0});
  // Counts past the width or negative: left_shift(int32 [1, 1, 1, -1, 5], [31, 32, 40, -1, 33]),
  // right_shift(int32 [-8, 8, -1, 7, -5], [1, 32, 40, -1, 1]), and uint8's.
  expect_values(left_shift(tensor_of({1, 1, 1, -1, 5}, {5}, int32),
                           tensor_of({31, 32, 40, -1, 33}, {5}, int32)),
                int32, {-2147483648.0, 0, 0, 0, 0});
  expect_values(right_shift(tensor_of({-8, 8, -1, 7, -5}, {5}, int32),
                            tensor_of({1, 32, 40, -1, 1}, {5}, int32)),
                int32, {-4, 0, -1, 0, -3});
  expect_values(right_shift(tensor_of({200, 200, 3}, {3}, uint8), tensor_of({1, 8, 9}, {3}, uint8)),
                uint8, {100, 0, 0});
  expect_values(left_shift(tensor_of({200, 200, 3}, {3}, uint8), tensor_of({1, 8, 9}, {3}, uint8)),
                uint8, {144, 0, 0});
}

TEST(Bitwise, GcdMatchesKeras) {
  // keras.ops.gcd(int32 [-12, 0, 0, 7, -9], int32 [18, 0, -5, -21, 6])
  expect_values(
      gcd(tensor_of({-12, 0, 0, 7, -9}, {5}, int32), tensor_of({18, 0, -5, -21, 6}, {5}, int32)),
      int32, {6, 0, 5, 7, 3});
  // (uint8 [12, 250, 5, 0], uint8 [1, 2, 3, 7]); (int32, 2) broadcast
  expect_values(gcd(kU8, tensor_of({1, 2, 3, 7}, {4}, uint8)), uint8, {1, 2, 1, 7});
  expect_values(gcd(kI32, tensor_of({2}, {}, int32)), int32, {2, 1, 1, 2});
  // Broadcasting (2, 1) with (3,), and int64 kept.
  const Tensor g = gcd(tensor_of({4, 9}, {2, 1}, int64), tensor_of({6, 12, 27}, {3}, int64));
  EXPECT_EQ(g.shape(), (Shape{2, 3}));
  expect_values(g, int64, {2, 4, 1, 3, 3, 9});
}

TEST(Bitwise, RejectsFloatsAsKeras) {
  const Tensor f = tensor_of({1, 2}, {2}, float32);
  const Tensor i = tensor_of({1, 2}, {2}, int32);
  EXPECT_EQ(test::message_of<TypeError>([&] { bitwise_and(f, i); }),
            "bitwise_and does not accept dtype float32 at position 0. Accepted dtypes at "
            "position 0 are subtypes of integer, bool.");
  EXPECT_THAT([&] { bitwise_xor(i, f); },
              test::ThrowsMessage<TypeError>("bitwise_xor does not accept dtype float32 at "
                                             "position 1"));
  EXPECT_THAT([&] { left_shift(f, i); },
              test::ThrowsMessage<TypeError>(
                  "left_shift does not accept dtype float32 at position 0. Accepted dtypes at "
                  "position 0 are subtypes of integer."));
  EXPECT_THAT([&] { right_shift(tensor_of({1}, {1}, float64), 1); },
              test::ThrowsMessage<TypeError>("right_shift does not accept dtype float64"));
  EXPECT_EQ(test::message_of<TypeError>([&] { bitwise_not(f); }),
            "bitwise_not does not accept dtype float32. Accepted dtypes are subtypes of "
            "integer, bool.");
  EXPECT_THAT([&] { bitwise_invert(f); }, test::ThrowsMessage<TypeError>("bitwise_invert"));
  EXPECT_THAT([&] { gcd(f, i); }, test::ThrowsMessage<ValueError>("must be integers"));
  EXPECT_THAT([&] { gcd(kBool, kBool); }, test::ThrowsMessage<ValueError>("must be integers"));
  EXPECT_THAT(
      [&] {
        bitwise_and(tensor_of({1, 2, 3}, {3}, int32), i);
      },
      test::ThrowsMessage<ValueError>(""));
}

}  // namespace
}  // namespace keras::ops
