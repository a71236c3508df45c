#include "keras/ops/rnn.h"

#include <gtest/gtest.h>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/ops/elementwise.h"
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
