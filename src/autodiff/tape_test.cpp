#include "keras/autodiff/tape.h"

#include <gtest/gtest.h>

#include "harness/tensor_matchers.h"
#include "keras/autodiff/trace.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::autodiff {
namespace {

using test::expect_all_close;
using test::tensor_of;

TEST(GradientTape, ValueUsedTwiceAccumulates) {
  const Tensor x = tensor_of({1.5, -2.0, 0.5});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = ops::add(ops::multiply(x, x), x);  // x² + x
  const Tensors g = tape.gradient(ops::sum(y), {x});
  expect_all_close(g[0], tensor_of({4.0, -3.0, 2.0}), 0, 0);  // 2x + 1
}

TEST(GradientTape, IntermediateUsedTwiceAccumulates) {
  const Tensor x = tensor_of({0.3, -0.7});
  GradientTape tape;
  tape.watch(x);
  const Tensor e = ops::exp(x);
  const Tensor y = ops::add(ops::multiply(e, e), ops::add(e, e));  // e^2x + 2 e^x
  const Tensors g = tape.gradient(ops::sum(y), {x});
  const Tensor want = ops::add(ops::multiply(ops::exp(ops::multiply(x, 2.0)), 2.0),
                               ops::multiply(ops::exp(x), 2.0));
  expect_all_close(g[0], want, 1e-15, 0);
}

TEST(GradientTape, BroadcastGradientsReduceToInputShape) {
  const Tensor row = tensor_of({1, 2, 3});           // [3]
  const Tensor col = tensor_of({1, 2}, {2, 1});      // [2, 1]
  const Tensor scalar = tensor_of({0.5}, Shape{});   // []
  const Tensor bias = tensor_of({1, 1, 1}, {1, 3});  // [1, 3]
  const Tensor m = test::random_tensor({2, 3}, float64, -1, 1, 4);
  GradientTape tape;
  for (const Tensor& t : {row, col, scalar, bias, m}) tape.watch(t);
  const Tensor y = ops::multiply(ops::add(ops::add(ops::add(m, row), col), bias), scalar);
  const Tensors g = tape.gradient(ops::sum(y), {row, col, scalar, bias, m});
  ASSERT_EQ(g.size(), 5u);
  expect_all_close(g[0], tensor_of({1, 1, 1}), 0, 0);           // 2 rows * 0.5
  expect_all_close(g[1], tensor_of({1.5, 1.5}, {2, 1}), 0, 0);  // 3 columns * 0.5
  expect_all_close(g[3], tensor_of({1, 1, 1}, {1, 3}), 0, 0);
  expect_all_close(g[4], test::tensor_of({0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, {2, 3}), 0, 0);
  // d/ds sum((m + row + col + bias) * s) = sum(m + row + col + bias).
  expect_all_close(g[2], ops::sum(ops::add(ops::add(ops::add(m, row), col), bias)), 1e-15, 0);
  EXPECT_EQ(g[2].shape(), Shape{});
}

TEST(GradientTape, OnFinalReportsEachGradientOnceFinalLastLayersFirst) {
  // y = sum(w2 * tanh(w1 * x) + w1): w1 is used by the first and the last op, so its gradient is
  // final only after the walk passes the first; w2's as soon as its only use is walked.
  const Tensor x = tensor_of({0.5, -1.0});
  const Tensor w1 = tensor_of({0.3, 0.8}), w2 = tensor_of({-1.2, 0.4}), unused = tensor_of({1.0});
  GradientTape tape;
  for (const Tensor& t : {w1, w2, unused}) tape.watch(t);
  const Tensor h = ops::tanh(ops::multiply(w1, x));
  const Tensor y = ops::sum(ops::add(ops::multiply(w2, h), w1));
  std::vector<size_t> order;
  Tensors reported(3);
  const Tensors g = tape.gradient(y, {w1, w2, unused}, [&](size_t i, const Tensor& gi) {
    order.push_back(i);
    reported[i] = gi.clone();  // the value when reported must be the final one
  });
  EXPECT_EQ(order, (std::vector<size_t>{1, 0}));
  expect_all_close(reported[0], g[0], 0, 0);
  expect_all_close(reported[1], g[1], 0, 0);
  EXPECT_FALSE(g[2].defined());
}

TEST(GradientTape, UnrelatedSourcesGetUndefinedTensors) {
  const Tensor a = tensor_of({1, 2});
  const Tensor b = tensor_of({3, 4});
  const Tensor never_watched = tensor_of({5});
  GradientTape tape;
  tape.watch(a);
  tape.watch(b);
  const Tensor unused = ops::exp(b);  // recorded, but the target does not depend on it
  const Tensors g = tape.gradient(ops::sum(ops::square(a)), {a, b, never_watched, unused});
  ASSERT_EQ(g.size(), 4u);
  expect_all_close(g[0], tensor_of({2, 4}), 0, 0);
  EXPECT_FALSE(g[1].defined());
  EXPECT_FALSE(g[2].defined());
  EXPECT_FALSE(g[3].defined());
}

TEST(GradientTape, TrainableTensorsAreWatchedAutomatically) {
  Tensor w = tensor_of({2, -1});
  w.set_requires_grad(true);
  const Tensor plain = tensor_of({3, 3});
  GradientTape tape;
  EXPECT_TRUE(tape.is_tracked(w));
  EXPECT_FALSE(tape.is_tracked(plain));
  const Tensors g = tape.gradient(ops::sum(ops::multiply(w, plain)), {w, plain});
  expect_all_close(g[0], plain, 0, 0);
}

TEST(GradientTape, NothingIsRecordedWithoutATape) {
  EXPECT_EQ(active_tape(), nullptr);
  Tensor w = tensor_of({1, 2});
  w.set_requires_grad(true);
  EXPECT_FALSE(any_tracked({w}));
  const Tensor y = ops::multiply(w, w);  // no tape: not recorded anywhere
  GradientTape tape;
  EXPECT_EQ(active_tape(), &tape);
  EXPECT_TRUE(any_tracked({w}));
  EXPECT_FALSE(tape.is_tracked(y));
  const Tensors g = tape.gradient(ops::sum(y), {w});
  EXPECT_FALSE(g[0].defined());
}

TEST(GradientTape, TapesNestAndRestore) {
  GradientTape outer;
  EXPECT_EQ(active_tape(), &outer);
  {
    GradientTape inner;
    EXPECT_EQ(active_tape(), &inner);
  }
  EXPECT_EQ(active_tape(), &outer);
}

TEST(GradientTape, NonScalarTargetsAreSummed) {
  const Tensor x = tensor_of({1, 2, 3}, {3, 1});
  const Tensor w = tensor_of({1, 2}, {1, 2});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = ops::matmul(x, w);  // [3, 2]
  const Tensors g = tape.gradient(y, {x, y});
  expect_all_close(g[0], tensor_of({3, 3, 3}, {3, 1}), 0, 0);
  expect_all_close(g[1], ones({3, 2}, float64), 0, 0);  // d target / d target
}

TEST(GradientTape, GradientCanBeTakenTwiceAndRecordingResumes) {
  const Tensor x = tensor_of({2.0});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = ops::multiply(x, ops::multiply(x, x));  // x³
  const Tensor g1 = tape.gradient(y, {x})[0];
  EXPECT_FALSE(tape.paused());
  EXPECT_FALSE(tape.is_tracked(g1));  // ops run inside gradient() are not recorded
  const Tensor g2 = tape.gradient(y, {x})[0];
  expect_all_close(g1, tensor_of({12.0}), 0, 0);
  expect_all_close(g2, g1, 0, 0);
  const Tensor z = ops::multiply(y, 2.0);
  EXPECT_TRUE(tape.is_tracked(z));
  expect_all_close(tape.gradient(z, {x})[0], tensor_of({24.0}), 0, 0);
}

TEST(GradientTape, GradientDtypesFollowTheSources) {
  const Tensor x = tensor_of({1, 2}, {2}, float32);
  GradientTape tape;
  tape.watch(x);
  const Tensors g = tape.gradient(ops::sum(ops::cast(ops::square(x), float64)), {x});
  EXPECT_EQ(g[0].dtype(), float32);
  expect_all_close(g[0], tensor_of({2, 4}, {2}, float32), 0, 0);
}

TEST(GradientTape, RejectsNonFloatingTargets) {
  const Tensor x = tensor_of({1, 2});
  GradientTape tape;
  tape.watch(x);
  const Tensor i = ops::argmax(x);
  test::expect_throws_with<TypeError>([&] { tape.gradient(i, {x}); },
                                      "GradientTape.gradient: target must be floating point, "
                                      "got int32");
}

TEST(GradientTape, MultiOutputOpsGetZerosForUnusedOutputs) {
  const Tensor x = tensor_of({1, 2, 3});
  GradientTape tape;
  tape.watch(x);
  // A two-output op: (2x, 3x).
  const Tensor y1 = ops::multiply(ops::stop_gradient(x), 2.0);
  const Tensor y2 = ops::multiply(ops::stop_gradient(x), 3.0);
  Tensors seen;
  record("two_outputs", {x}, {y1, y2}, [&seen](const Tensors& dys) {
    seen = dys;
    return Grads{ops::add(ops::multiply(dys[0], 2.0), ops::multiply(dys[1], 3.0))};
  });
  const Tensors g = tape.gradient(ops::sum(y2), {x});
  ASSERT_EQ(seen.size(), 2u);
  ASSERT_TRUE(seen[0].defined());
  expect_all_close(seen[0], zeros({3}, float64), 0, 0);
  expect_all_close(g[0], tensor_of({3, 3, 3}), 0, 0);
}

TEST(GradientTape, BackwardMustReturnOneGradientPerInput) {
  const Tensor x = tensor_of({1, 2});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = ops::multiply(ops::stop_gradient(x), 2.0);
  record("broken", {x}, {y}, [](const Tensors&) { return Grads{}; });
  test::expect_throws_with<RuntimeError>([&] { tape.gradient(ops::sum(y), {x}); },
                                         "backward of 'broken' returned 0 gradients for 1 inputs");
}

// BUG (src/autodiff/tape.cpp, GradientTape::gradient): paused_ is set to true on entry and reset
// only on the normal return path. When a backward function throws (e.g. the matmul_t rank error
// in linalg_test.cpp, or a bad custom backward), the tape stays paused for the rest of its life:
// active_tape() then returns nullptr on this thread and every later op is silently not recorded.
// Fix: reset paused_ with a scope guard (RAII) so it is restored on every exit path.
TEST(GradientTape, StaysUsableAfterABackwardThrows) {
  const Tensor x = tensor_of({1, 2});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = ops::multiply(ops::stop_gradient(x), 2.0);
  record("throws", {x}, {y}, [](const Tensors&) -> Grads { throw ValueError("backward failed"); });
  EXPECT_THROW(tape.gradient(ops::sum(y), {x}), ValueError);
  EXPECT_FALSE(tape.paused());
  EXPECT_EQ(active_tape(), &tape);
  const Tensor z = ops::square(x);
  EXPECT_TRUE(tape.is_tracked(z));
}

TEST(GradientTape, ReduceToShapeSumsBroadcastDimensions) {
  const Tensor g = arange(24, float64).reshape({2, 3, 4});
  expect_all_close(reduce_to_shape(g, {2, 3, 4}), g, 0, 0);
  expect_all_close(reduce_to_shape(g, {4}), ops::sum(g, {0, 1}), 0, 0);
  expect_all_close(reduce_to_shape(g, {3, 1}), ops::sum(g, {0, 2}).reshape({3, 1}), 0, 0);
  expect_all_close(reduce_to_shape(g, {}), ops::sum(g), 0, 0);
  expect_all_close(reduce_to_shape(g, {2, 1, 1}), ops::sum(g, {1, 2}, true), 0, 0);
  test::expect_throws_with<ValueError>(
      [&] {
        reduce_to_shape(tensor_of({1}), {1, 1});
      },
      "has lower rank than");
}

// ---- KernelTrace ----

TEST(KernelTrace, LaunchRecordsOnlyWhileATraceIsActive) {
  EXPECT_EQ(active_trace(), nullptr);
  int runs = 0;
  launch([&runs] { ++runs; });
  EXPECT_EQ(runs, 1);
  {
    KernelTrace outer;
    EXPECT_EQ(active_trace(), &outer);
    {
      KernelTrace inner;
      launch([&runs] { ++runs; });
      EXPECT_EQ(inner.take().size(), 1u);
    }
    EXPECT_EQ(active_trace(), &outer);
    EXPECT_TRUE(outer.take().empty());  // only the innermost trace records
  }
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(active_trace(), nullptr);
}

struct DenseStep {
  Tensor y;
  Tensors grads;  // d loss / d {x, w, b}
};

// y = relu(x @ w + b); loss = sum(y * r); gradients wrt x, w and b.
DenseStep dense_step(const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& r) {
  GradientTape tape;
  for (const Tensor& t : {x, w, b}) tape.watch(t);
  DenseStep s;
  s.y = ops::relu(ops::add(ops::matmul(x, w), b));
  s.grads = tape.gradient(ops::sum(ops::multiply(s.y, r)), {x, w, b});
  return s;
}

TEST(KernelTrace, ReplayRecomputesForwardAndGradientOnNewInputs) {
  for (DType dtype : {float32, float64}) {
    SCOPED_TRACE(dtype_name(dtype));
    const Tensor x = test::random_tensor({5, 3}, dtype, -1, 1, 1);
    Tensor w = test::random_tensor({3, 4}, dtype, -1, 1, 2);
    Tensor b = test::random_tensor({4}, dtype, -0.5, 0.5, 3);
    const Tensor r = test::random_tensor({5, 4}, dtype, -1, 1, 4);
    w.set_requires_grad(true);
    b.set_requires_grad(true);

    DenseStep traced;
    std::vector<Kernel> kernels;
    {
      KernelTrace trace;
      traced = dense_step(x, w, b, r);
      kernels = trace.take();
    }
    ASSERT_FALSE(kernels.empty());
    for (const Tensor& g : traced.grads) ASSERT_TRUE(g.defined());

    // New data in the same buffers (inputs and weights), then replay the recorded kernels.
    const Tensor new_x = test::random_tensor({5, 3}, dtype, -1, 1, 11);
    const Tensor new_w = test::random_tensor({3, 4}, dtype, -1, 1, 12);
    const Tensor y_before = traced.y.clone();
    x.copy_from(new_x);
    w.copy_from(new_w);
    for (Kernel& k : kernels) k();

    const DenseStep fresh = dense_step(new_x, new_w, b, r);
    expect_all_close(traced.y, fresh.y, 0, 0);
    for (size_t i = 0; i < 3; ++i) {
      SCOPED_TRACE(::testing::Message() << "gradient " << i);
      expect_all_close(traced.grads[i], fresh.grads[i], 0, 0);
    }
    EXPECT_FALSE(test::all_close(y_before, traced.y, 0, 0)) << "the replay changed nothing";

    // Replaying again on the same data is idempotent (every buffer is rewritten, nothing
    // accumulates across replays).
    for (Kernel& k : kernels) k();
    expect_all_close(traced.y, fresh.y, 0, 0);
    for (size_t i = 0; i < 3; ++i) expect_all_close(traced.grads[i], fresh.grads[i], 0, 0);
  }
}

}  // namespace
}  // namespace keras::autodiff
