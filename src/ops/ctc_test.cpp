// logaddexp, logsumexp and ctc_loss: gradients through the op harness, values against direct
// formulas, and ctc_loss against a brute-force sum over every alignment.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"

namespace keras::ops {
namespace {

using test::OpCase;

Tensor ints(std::vector<int32_t> v, Shape shape) {
  return Tensor::from_vector<int32_t>(v, std::move(shape));
}

const OpCase kLogCases[] = {
    {.name = "logaddexp",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return logaddexp(x[0], x[1]); }},
    {.name = "logaddexp_broadcast",
     .input_shapes = {{2, 3}, {3}},
     .fn = [](const Tensors& x) { return logaddexp(x[0], x[1]); }},
    // At a == b each side gets half the gradient.
    {.name = "logaddexp_ties",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return logaddexp(x[0], x[1]); },
     .make_inputs =
         [] {
           const Tensor a = Tensor::from_vector<double>({-1, 0, 2, 30, -40, 0.5}, {2, 3});
           return Tensors{a, a.clone()};
         }},
    {.name = "logsumexp_all",
     .input_shapes = {{2, 3, 4}},
     .fn = [](const Tensors& x) { return logsumexp(x[0]); }},
    {.name = "logsumexp_axis1_keepdims",
     .input_shapes = {{2, 3, 4}},
     .fn = [](const Tensors& x) { return logsumexp(x[0], {1}, true); },
     .expected_shape = Shape{2, 1, 4}},
    {.name = "logsumexp_axes02",
     .input_shapes = {{2, 3, 4}},
     .fn =
         [](const Tensors& x) {
           return logsumexp(x[0], {0, 2});
         },
     .expected_shape = Shape{3}},
};
KERAS_INSTANTIATE_OP_TESTS(LogSumExp, kLogCases);

const OpCase kCtcCases[] = {
    {.name = "ctc_full_lengths",
     .input_shapes = {{2, 5, 4}},
     .fn =
         [](const Tensors& x) {
           return ctc_loss(ints({1, 2, 2, 3, 1, 0}, {2, 3}), x[0], ints({3, 2}, {2}),
                           ints({5, 5}, {2}));
         }},
    {.name = "ctc_short_outputs_and_blank_2",
     .input_shapes = {{3, 6, 4}},
     .fn =
         [](const Tensors& x) {
           return ctc_loss(ints({0, 1, 1, 3, 0, 0, 1, 0, 3}, {3, 3}), x[0], ints({3, 2, 0}, {3}),
                           ints({6, 4, 2}, {3}), 2);
         },
     .expected_shape = Shape{3}},
};
KERAS_INSTANTIATE_OP_TESTS(CtcLoss, kCtcCases);

TEST(LogAddExp, ValuesAndInfinities) {
  const double inf = std::numeric_limits<double>::infinity();
  const Tensor a = Tensor::from_vector<double>({0, 1000, -inf, -inf, 3}, {5});
  const Tensor b = Tensor::from_vector<double>({0, 1000, 2, -inf, -1000}, {5});
  const std::vector<double> y = test::to_doubles(logaddexp(a, b));
  EXPECT_NEAR(y[0], std::log(2.0), 1e-15);
  EXPECT_NEAR(y[1], 1000 + std::log(2.0), 1e-12);
  EXPECT_NEAR(y[2], 2.0, 1e-15);
  EXPECT_EQ(y[3], -inf);
  EXPECT_NEAR(y[4], 3.0, 1e-15);
}

TEST(LogSumExp, RowsOfMinusInfinityGiveMinusInfinityInEveryDtype) {
  const double inf = std::numeric_limits<double>::infinity();
  for (DType dtype : {float32, float64}) {
    const Tensor x = Tensor::from_vector<double>({-inf, -inf, 1, 2}, {2, 2}).astype(dtype);
    const std::vector<double> y = test::to_doubles(logsumexp(x, {1}));
    EXPECT_EQ(y[0], -inf);
    EXPECT_NEAR(y[1], 2 + std::log1p(std::exp(-1.0)), 1e-6);
  }
}

// -log of the summed probability of every path of `steps` frames that collapses (merge repeats,
// drop blanks) to `labels`.
double brute_force_ctc(const std::vector<std::vector<double>>& logits,
                       const std::vector<int>& labels,
                       int steps,
                       int blank) {
  const int classes = static_cast<int>(logits[0].size());
  std::vector<std::vector<double>> p(steps, std::vector<double>(classes));
  for (int t = 0; t < steps; ++t) {
    double z = 0;
    for (int k = 0; k < classes; ++k) z += std::exp(logits[t][k]);
    for (int k = 0; k < classes; ++k) p[t][k] = std::exp(logits[t][k]) / z;
  }
  double total = 0;
  std::vector<int> path(steps, 0);
  for (int64_t n = 0, count = static_cast<int64_t>(std::pow(classes, steps)); n < count; ++n) {
    int64_t r = n;
    for (int t = 0; t < steps; ++t, r /= classes) path[t] = static_cast<int>(r % classes);
    std::vector<int> collapsed;
    for (int t = 0; t < steps; ++t) {
      if (path[t] != blank && (t == 0 || path[t] != path[t - 1])) collapsed.push_back(path[t]);
    }
    if (collapsed != labels) continue;
    double prob = 1;
    for (int t = 0; t < steps; ++t) prob *= p[t][path[t]];
    total += prob;
  }
  return -std::log(total);
}

TEST(CtcLoss, EqualsTheSumOverAlignments) {
  const int batch = 3, time = 5, classes = 3;
  const Tensor logits = test::random_tensor({batch, time, classes}, float64, -2, 2, 11);
  // Labels (padded), their lengths and the frames used; blank 0, then blank 2.
  const Tensor target = ints({1, 2, 1, 1, 1, 0, 2, 0, 0}, {3, 3});
  const Tensor target_length = ints({3, 2, 1}, {3});
  const Tensor output_length = ints({5, 4, 2}, {3});
  const std::vector<std::vector<int>> labels{{1, 2, 1}, {1, 1}, {2}};
  for (int blank : {0, 2}) {
    std::vector<std::vector<int>> want_labels = labels;
    if (blank == 2) want_labels = {{1, 0, 1}, {1, 1}, {0}};  // 2 is the blank: relabel the rest
    const Tensor t = blank == 0 ? target : ints({1, 0, 1, 1, 1, 0, 0, 0, 0}, {3, 3});
    const std::vector<double> got =
        test::to_doubles(ctc_loss(t, logits, target_length, output_length, blank));
    for (int b = 0; b < batch; ++b) {
      std::vector<std::vector<double>> frames;
      for (int s = 0; s < time; ++s) {
        std::vector<double> row;
        for (int k = 0; k < classes; ++k) row.push_back(logits.at<double>({b, s, k}));
        frames.push_back(row);
      }
      const int steps = output_length.data<int32_t>()[b];
      // Paths through impossible states are scored exp(-1e5), not 0: nothing visible in double.
      EXPECT_NEAR(got[b], brute_force_ctc(frames, want_labels[b], steps, blank), 1e-12)
          << "sample " << b << " blank " << blank;
    }
  }
}

TEST(CtcLoss, ImpossibleLabelsScoreAboutMinusLogEpsilon) {
  // Three labels with a repeat need 4 frames; 2 cannot hold them.
  const Tensor logits = zeros({1, 2, 3}, float64);
  const double loss =
      ctc_loss(ints({1, 1, 2}, {1, 3}), logits, ints({3}, {1}), ints({2}, {1})).item<double>();
  EXPECT_GT(loss, 5e4);
  EXPECT_TRUE(std::isfinite(loss));
}

TEST(CtcLoss, RejectsBadShapes) {
  const Tensor logits = zeros({2, 4, 3}, float32);
  test::expect_throws_with<ValueError>(
      [&] {
        ctc_loss(ints({1, 2}, {2}), logits, ints({1, 1}, {2}), ints({4, 4}, {2}));
      },
      "ctc_loss");
  test::expect_throws_with<ValueError>(
      [&] {
        ctc_loss(ints({1, 2, 1}, {3, 1}), logits, ints({1, 1, 1}, {3}), ints({4, 4, 4}, {3}));
      },
      "batch sizes differ");
  test::expect_throws_with<ValueError>(
      [&] {
        ctc_loss(ints({1, 2}, {2, 1}), logits, ints({1, 1}, {2}), ints({4, 4}, {2}), 3);
      },
      "mask_index=3");
}

}  // namespace
}  // namespace keras::ops
