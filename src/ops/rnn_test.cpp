#include "keras/ops/rnn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
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

// x = {x, kernel, bias, recurrent_kernel, h0, c0}: hs (when return_sequences), h and c weighted
// differently, as one tensor.
Tensor inference_outputs(const Tensors& x, bool go_backwards, bool return_sequences, bool bias) {
  auto [hs, h, c] = lstm_inference(x[0], x[1], bias ? x[2] : Tensor(), x[3], x[4], x[5],
                                   go_backwards, return_sequences);
  Tensors parts{h, multiply(c, 0.5)};
  if (return_sequences) parts.push_back(multiply(reshape(hs, {hs.dim(0), -1}), 0.25));
  return concatenate(parts, 1);
}

// Inputs for lstm_inference whose x has about `density` nonzeros (ones and twos), the rest
// uniform in [-1, 1], in float64.
Tensors sparse_inference_inputs(
    int64_t batch, int64_t steps, int64_t features, int64_t units, double density) {
  const Tensor u = keras::random::uniform({batch, steps, features}, 0, 1, float64, 31);
  const Tensor v = keras::random::uniform({batch, steps, features}, 1, 2, float64, 32);
  const Tensor x = where(less(u, full({}, density, float64)), round(v), zeros_like(v));
  auto uni = [](const Shape& s, uint64_t seed) {
    return keras::random::uniform(s, -1, 1, float64, seed);
  };
  const int64_t g = 4 * units;
  return {x,
          uni({features, g}, 33),
          uni({g}, 34),
          uni({units, g}, 35),
          uni({batch, units}, 36),
          uni({batch, units}, 37)};
}

// The CPU kernel's paths: one GEMM projecting all steps (small row ranges), one GEMM per step
// in blocks of 64 rows with the batch split across threads (150 rows: two threads of 75, each
// 64 + 11), batch 1, and a few rows with 4u a multiple of 64.
const test::OpCase kInferenceCases[] = {
    {.name = "lstm_inference_2x3x5",
     .input_shapes = {{2, 3, 5}, {5, 8}, {8}, {2, 8}, {2, 2}, {2, 2}},
     .fn = [](const Tensors& x) { return inference_outputs(x, false, true, true); },
     .lo = -1,
     .hi = 1,
     .forward_only = true,
     .expected_shape = Shape{2, 10}},
    {.name = "lstm_inference_backwards_no_bias",
     .input_shapes = {{3, 4, 6}, {6, 12}, {12}, {3, 12}, {3, 3}, {3, 3}},
     .fn = [](const Tensors& x) { return inference_outputs(x, true, true, false); },
     .lo = -1,
     .hi = 1,
     .forward_only = true},
    {.name = "lstm_inference_one_sample",
     .input_shapes = {{1, 9, 7}, {7, 20}, {20}, {5, 20}, {1, 5}, {1, 5}},
     .fn = [](const Tensors& x) { return inference_outputs(x, false, false, true); },
     .lo = -1,
     .hi = 1,
     .forward_only = true},
    {.name = "lstm_inference_few_rows",
     .input_shapes = {{3, 6, 7}, {7, 128}, {128}, {32, 128}, {3, 32}, {3, 32}},
     .fn = [](const Tensors& x) { return inference_outputs(x, true, true, true); },
     .lo = -1,
     .hi = 1,
     .forward_only = true},
    {.name = "lstm_inference_150_rows",
     .input_shapes = {{150, 40, 12}, {12, 64}, {64}, {16, 64}, {150, 16}, {150, 16}},
     .fn = [](const Tensors& x) { return inference_outputs(x, true, true, true); },
     .lo = -1,
     .hi = 1,
     .forward_only = true},
    {.name = "lstm_inference_150_rows_last",
     .input_shapes = {{150, 40, 12}, {12, 64}, {64}, {16, 64}, {150, 16}, {150, 16}},
     .fn = [](const Tensors& x) { return inference_outputs(x, false, false, true); },
     .lo = -1,
     .hi = 1,
     .forward_only = true},
    // Mostly-zero inputs (one-hot steps): the CPU kernel adds kernel rows instead of a GEMM;
    // 4u = 72 leaves a partial 16-float vector at the end of a row.
    {.name = "lstm_inference_one_hot_steps",
     .input_shapes = {{150, 20, 40}, {40, 72}, {72}, {18, 72}, {150, 18}, {150, 18}},
     .fn = [](const Tensors& x) { return inference_outputs(x, false, true, true); },
     .forward_only = true,
     .make_inputs = [] { return sparse_inference_inputs(150, 20, 40, 18, 0.05); }},
    {.name = "lstm_inference_sparse_one_sample",
     .input_shapes = {{1, 30, 33}, {33, 32}, {32}, {8, 32}, {1, 8}, {1, 8}},
     .fn = [](const Tensors& x) { return inference_outputs(x, true, false, false); },
     .forward_only = true,
     .make_inputs = [] { return sparse_inference_inputs(1, 30, 33, 8, 0.05); }},
};

KERAS_INSTANTIATE_OP_TESTS(LstmInference, kInferenceCases);

// A zero input times an infinite weight is NaN in a GEMM; the kernel-row projection of mostly
// zero inputs must not hide it.
TEST(LstmInference, SparseInputsKeepNaNFromInfiniteWeights) {
  Tensors in = sparse_inference_inputs(4, 6, 32, 4, 0.05);
  for (DType dtype : {float32, float64}) {
    Tensors x;
    for (const Tensor& t : in) x.push_back(t.astype(dtype).clone());
    if (dtype == float32) {
      x[1].data<float>()[0] = std::numeric_limits<float>::infinity();
    } else {
      x[1].data<double>()[0] = std::numeric_limits<double>::infinity();
    }
    auto [hs, h, c] = lstm_inference(x[0], x[1], x[2], x[3], x[4], x[5], false, false);
    EXPECT_TRUE(std::isnan(c.astype(float64).at<double>({0, 0}))) << dtype_name(dtype);
  }
}

// lstm_inference is lstm_sequence on the projected inputs (float64: only the summation order of
// the projection differs, so agreement to 1e-12).
TEST(LstmInference, MatchesTheProjectedSequence) {
  for (bool backwards : {false, true}) {
    for (bool with_bias : {false, true}) {
      const int64_t batch = 70, steps = 33, features = 9, units = 6;
      Tensor x = keras::random::uniform({batch, steps, features}, -1, 1, float64, 21);
      Tensor w = keras::random::uniform({features, 4 * units}, -1, 1, float64, 22);
      Tensor b = with_bias ? keras::random::uniform({4 * units}, -1, 1, float64, 23) : Tensor();
      Tensor u = keras::random::uniform({units, 4 * units}, -1, 1, float64, 24);
      Tensor h0 = keras::random::uniform({batch, units}, -1, 1, float64, 25);
      Tensor c0 = keras::random::uniform({batch, units}, -1, 1, float64, 26);
      Tensor xs = reshape(matmul(reshape(x, {batch * steps, features}), w), {batch, steps, -1});
      if (with_bias) xs = add(xs, b);
      auto [hs_ref, c_ref] = lstm_sequence(xs, u, h0, c0, backwards);
      auto [hs, h, c] = lstm_inference(x, w, b, u, h0, c0, backwards, true);
      test::expect_all_close(hs, hs_ref, 1e-12, 1e-12);
      test::expect_all_close(h, reshape(slice_axis(hs_ref, 1, steps - 1, 1), {batch, units}), 1e-12,
                             1e-12);
      test::expect_all_close(c, c_ref, 1e-12, 1e-12);
      auto [no_hs, h2, c2] = lstm_inference(x, w, b, u, h0, c0, backwards, false);
      EXPECT_FALSE(no_hs.defined());
      test::expect_all_close(h2, h, 0, 0);  // the same kernel on the same shapes
    }
  }
}

TEST(LstmInference, RejectsBadShapes) {
  EXPECT_THROW(lstm_inference(zeros({2, 3, 5}), zeros({4, 8}), Tensor(), zeros({2, 8}),
                              zeros({2, 2}), zeros({2, 2}), false, false),
               ValueError);
  EXPECT_THROW(lstm_inference(zeros({2, 3, 5}), zeros({5, 8}), zeros({4}), zeros({2, 8}),
                              zeros({2, 2}), zeros({2, 2}), false, false),
               ValueError);
  EXPECT_THROW(lstm_inference(zeros({2, 0, 5}), zeros({5, 8}), Tensor(), zeros({2, 8}),
                              zeros({2, 2}), zeros({2, 2}), false, false),
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
