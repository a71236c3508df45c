#include "keras/ops/rnn.h"

#include <gtest/gtest.h>

#include <tuple>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/random.h"
#include "keras/ops/shape.h"

namespace keras::ops {
namespace {

// h and c weighted differently, so the gradient checks both outputs.
Tensor cell_outputs(const Tensors& x) {
  auto [h, c] = lstm_cell(x[0], x[1]);
  return concatenate({h, multiply(c, 0.5)}, 1);
}

const test::OpCase kCases[] = {
    {.name = "lstm_cell_2x3", .input_shapes = {{2, 12}, {2, 3}}, .fn = cell_outputs},
    {.name = "lstm_cell_1x1", .input_shapes = {{1, 4}, {1, 1}}, .fn = cell_outputs},
    {.name = "lstm_cell_wide",
     .input_shapes = {{3, 64}, {3, 16}},
     .fn = cell_outputs,
     .lo = -4,
     .hi = 4},
};

KERAS_INSTANTIATE_OP_TESTS(LstmCell, kCases);

// hs and c_last weighted differently; x = {xs, recurrent_kernel, h0, c0}.
Tensor sequence_outputs(const Tensors& x, bool go_backwards) {
  auto [hs, c] = lstm_sequence(x[0], x[1], x[2], x[3], go_backwards);
  return concatenate({reshape(hs, {hs.dim(0), -1}), multiply(c, 0.5)}, 1);
}

// Batches of 17 and 24 rows split across threads on the CPU backend.
const test::OpCase kSequenceCases[] = {
    {.name = "lstm_sequence_2x3x2",
     .input_shapes = {{2, 3, 8}, {2, 8}, {2, 2}, {2, 2}},
     .fn = [](const Tensors& x) { return sequence_outputs(x, false); },
     .lo = -1,
     .hi = 1},
    {.name = "lstm_sequence_backwards",
     .input_shapes = {{3, 4, 12}, {3, 12}, {3, 3}, {3, 3}},
     .fn = [](const Tensors& x) { return sequence_outputs(x, true); },
     .lo = -1,
     .hi = 1},
    {.name = "lstm_sequence_one_step",
     .input_shapes = {{2, 1, 4}, {1, 4}, {2, 1}, {2, 1}},
     .fn = [](const Tensors& x) { return sequence_outputs(x, false); }},
    {.name = "lstm_sequence_17_rows",
     .input_shapes = {{17, 5, 16}, {4, 16}, {17, 4}, {17, 4}},
     .fn = [](const Tensors& x) { return sequence_outputs(x, true); },
     .lo = -1,
     .hi = 1},
    {.name = "lstm_sequence_24_rows",
     .input_shapes = {{24, 6, 20}, {5, 20}, {24, 5}, {24, 5}},
     .fn = [](const Tensors& x) { return sequence_outputs(x, false); },
     .lo = -1,
     .hi = 1,
     .expected_shape = Shape{24, 35}},
};

KERAS_INSTANTIATE_OP_TESTS(LstmSequence, kSequenceCases);

// The sequence kernel equals lstm_cell applied step by step, in both directions.
TEST(LstmSequence, MatchesTheCellStepByStep) {
  for (bool backwards : {false, true}) {
    const int64_t batch = 19, steps = 7, units = 5;
    Tensor xs = keras::random::uniform({batch, steps, 4 * units}, -1, 1, float64, 11);
    Tensor u = keras::random::uniform({units, 4 * units}, -1, 1, float64, 12);
    Tensor h = keras::random::uniform({batch, units}, -1, 1, float64, 13);
    Tensor c = keras::random::uniform({batch, units}, -1, 1, float64, 14);
    auto [hs, c_last] = lstm_sequence(xs, u, h, c, backwards);
    for (int64_t k = 0; k < steps; ++k) {
      const int64_t t = backwards ? steps - 1 - k : k;
      const Tensor x_t = reshape(slice_axis(xs, 1, t, 1), {batch, 4 * units});
      std::tie(h, c) = lstm_cell(add(x_t, matmul(h, u)), c);
      test::expect_all_close(reshape(slice_axis(hs, 1, k, 1), {batch, units}), h, 1e-12, 1e-12);
    }
    test::expect_all_close(c_last, c, 1e-12, 1e-12);
  }
}

TEST(LstmSequence, RejectsBadShapes) {
  EXPECT_THROW(lstm_sequence(zeros({2, 3, 8}), zeros({2, 8}), zeros({2, 3}), zeros({2, 3})),
               ValueError);
  EXPECT_THROW(lstm_sequence(zeros({2, 0, 8}), zeros({2, 8}), zeros({2, 2}), zeros({2, 2})),
               ValueError);
}

TEST(LstmCell, MatchesTheComposedFormula) {
  Tensor z = keras::random::uniform({2, 8}, -2, 2, float64, 3);
  Tensor c_prev = keras::random::uniform({2, 2}, -1, 1, float64, 4);
  auto [h, c] = lstm_cell(z, c_prev);
  Tensors g = split(z, 4, 1);
  Tensor c_ref = add(multiply(sigmoid(g[1]), c_prev), multiply(sigmoid(g[0]), tanh(g[2])));
  Tensor h_ref = multiply(sigmoid(g[3]), tanh(c_ref));
  test::expect_all_close(c, c_ref, 1e-12, 1e-12);
  test::expect_all_close(h, h_ref, 1e-12, 1e-12);
}

TEST(LstmCell, RejectsBadShapes) {
  EXPECT_THROW(lstm_cell(zeros({2, 7}), zeros({2, 2})), ValueError);
}

}  // namespace
}  // namespace keras::ops
