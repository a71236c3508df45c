// keras::ops::stft against keras.ops.stft (goldens from tools/fixtures/make_layer_fixtures.py
// stft_goldens), its gradient, and Keras's errors. get_window: stft_spectrogram_test.cpp.
#include "keras/ops/math.h"

#include <gtest/gtest.h>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/io/npy.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"

namespace keras::ops {
namespace {

Tensor golden(const std::string& name, const char* kind) {
  return io::load_npy(str(KERAS_TEST_DATA_DIR, "/layers/goldens/", name, ".", kind, ".npy"));
}

// float32 DFTs of at most 16 terms of values ~1, in another order than XLA's FFT: about 1e-6 of
// the sums' magnitude (up to ~10).
TEST(Stft, MatchesKeras) {
  for (const std::string name :
       {"stft_hann_centred", "stft_hamming_padded", "stft_no_window_uncentred", "stft_odd_fft"}) {
    SCOPED_TRACE(name);
    const std::vector<double> p = test::to_doubles(golden(name, "params"));
    const char* windows[] = {"", "hann", "hamming"};
    StftOptions options{.center = p[4] != 0};
    options.window = p[3] == 0 ? std::nullopt : std::optional<std::string>(windows[int(p[3])]);
    const auto [real, imag] =
        stft(golden(name, "x"), int64_t(p[0]), int64_t(p[1]), int64_t(p[2]), options);
    test::expect_all_close(real, golden(name, "real"), 2e-5, 2e-5);
    test::expect_all_close(imag, golden(name, "imag"), 2e-5, 2e-5);
  }
}

// The gradient of sum(real * a + imag * b) wrt the signal, against central differences in
// float64.
TEST(Stft, Gradient) {
  const Tensor x = test::random_tensor({2, 12}, float64, -1, 1, 3);
  const Tensor a = test::random_tensor({2, 4, 5}, float64, -1, 1, 4);
  const Tensor b = test::random_tensor({2, 4, 5}, float64, -1, 1, 5);
  auto loss = [&](const Tensor& v) {
    const auto [re, im] = stft(v, 6, 4, 8);
    return ops::sum(ops::add(ops::multiply(re, a), ops::multiply(im, b)));
  };
  autodiff::GradientTape tape;
  tape.watch(x);
  const Tensor grad = tape.gradient(loss(x), {x})[0];
  const std::vector<double> values = test::to_doubles(x), analytic = test::to_doubles(grad);
  for (size_t i = 0; i < values.size(); ++i) {
    std::vector<double> up = values, down = values;
    up[i] += 1e-6;
    down[i] -= 1e-6;
    const double numeric = (loss(test::tensor_of(up, {2, 12})).item<double>() -
                            loss(test::tensor_of(down, {2, 12})).item<double>()) /
                           2e-6;
    EXPECT_NEAR(analytic[i], numeric, 1e-6 * (1 + std::abs(numeric))) << i;
  }
}

TEST(Stft, KerasErrors) {
  const Tensor x = test::random_tensor({20}, float32, -1, 1, 6);
  test::expect_throws_with<ValueError>(
      [&] { stft(x, 8, 2, 4); },
      "`fft_length` must equal or larger than `sequence_length`. Received: sequence_length=8, "
      "fft_length=4");
  test::expect_throws_with<ValueError>(
      [&] { stft(x, 4, 2, 4, {.window = "blackman"}); },
      "If a string is passed to `window`, it must be one of `\"hann\"`, `\"hamming\"`. "
      "Received: window=blackman");
  test::expect_throws_with<ValueError>(
      [&] {
        stft(x, 4, 2, 4, {.window_values = {1, 2}});
      },
      "The shape of `window` must be equal to [sequence_length].");
  test::expect_throws_with<TypeError>(
      [&] { stft(ops::cast(x, int32), 4, 2, 4); },
      "Invalid input type. Expected `float32` or `float64`. Received: input type=int32");
  test::expect_throws_with<ValueError>([&] { stft(x, 32, 2, 32, {.center = false}); },
                                       "shorter than one frame");
}

const test::OpCase kExtractSequencesCases[] = {
    {.name = "extract_sequences_overlapping",
     .input_shapes = {{2, 7}},
     .fn = [](const Tensors& x) { return extract_sequences(x[0], 3, 2); },
     .expected_shape = Shape{2, 3, 3}},
    {.name = "extract_sequences_3d",
     .input_shapes = {{2, 2, 5}},
     .fn = [](const Tensors& x) { return extract_sequences(x[0], 2, 3); },
     .expected_shape = Shape{2, 2, 2, 2}},
};
KERAS_INSTANTIATE_OP_TESTS(ExtractSequences, kExtractSequencesCases);

TEST(ExtractSequences, FramesAndErrors) {
  const Tensor x = Tensor::from_vector<float>({0, 1, 2, 3, 4}, {5});
  EXPECT_EQ(test::to_doubles(extract_sequences(x, 2, 2)), (std::vector<double>{0, 1, 2, 3}));
  EXPECT_EQ(extract_sequences(x, 6, 1).shape(), (Shape{0, 6}));  // shorter than one frame
  test::expect_throws_with<ValueError>([&] { extract_sequences(x, 0, 1); }, ">= 1");
}

// A target's rank is 1 + the count of strictly larger predictions (ties count in its favour); a
// NaN prediction for it counts as -infinity (JAX's in_top_k).
TEST(InTopK, TiesAndNaN) {
  const Tensor p =
      Tensor::from_vector<float>({0.1f, 0.5f, 0.5f, 0.2f, NAN, 0.3f, 0.9f, 0.8f, 0.7f}, {3, 3});
  const Tensor t = Tensor::from_vector<int32_t>({2, 1, 2}, {3});
  const Tensor y = in_top_k(t, p, 1);
  EXPECT_EQ(y.dtype(), bool_);
  EXPECT_EQ(test::to_doubles(y), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(test::to_doubles(in_top_k(t, p, 2)), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(test::to_doubles(in_top_k(t, p, 3)), (std::vector<double>{1, 1, 1}));
  test::expect_throws_with<ValueError>([&] { in_top_k(t, zeros({2, 3}), 1); }, "batch");
}

}  // namespace
}  // namespace keras::ops

namespace keras::ops {
namespace {

// Data of 5 rows with segment ids 0, 2, 2, 5 (outside three segments: dropped), 0.
Tensors segment_inputs() {
  return {test::tensor_of(std::vector<double>{0.3, -1.2, 0.7, 1.5, -0.4, 0.9, 1.1, -0.8, 0.2, -1.6},
                          {5, 2}, float64),
          Tensor::from_vector<int32_t>({0, 2, 2, 5, 0}, {5})};
}
// The same data with every one of three segments named (a max of none is -infinity).
Tensors full_segment_inputs() {
  Tensors in = segment_inputs();
  in[1] = Tensor::from_vector<int32_t>({0, 1, 1, 2, 0}, {5});
  return in;
}

const test::OpCase kSpecialCases[] = {
    {.name = "erfinv",
     .input_shapes = {{3, 4}},
     .fn = [](const Tensors& x) { return erfinv(x[0]); },
     .lo = -0.95,
     .hi = 0.95,
     .grad_tol = 1e-5},
    // Two ranges: one loss mixing I0(8) and I0(35) would drown the small terms' finite
    // differences in the large terms' rounding.
    {.name = "i0_series",
     .input_shapes = {{3, 4}},
     .fn = [](const Tensors& x) { return i0(x[0]); },
     .lo = -8,
     .hi = 8},
    {.name = "i0_asymptotic",
     .input_shapes = {{3, 4}},
     .fn = [](const Tensors& x) { return i0(x[0]); },
     .lo = 31,
     .hi = 36},
    {.name = "cdist_broadcast",
     .input_shapes = {{2, 3, 4}, {4, 4}},
     .fn = [](const Tensors& x) { return cdist(x[0], x[1]); },
     .expected_shape = Shape{2, 3, 4}},
    {.name = "segment_sum",
     .input_shapes = {{5, 2}, {5}},
     .fn = [](const Tensors& x) { return segment_reduce(x[0], x[1], 3, SegmentReduction::sum); },
     .differentiable = {true, false},
     .make_inputs = segment_inputs,
     .expected_shape = Shape{3, 2}},
    {.name = "segment_max",
     .input_shapes = {{5, 2}, {5}},
     .fn = [](const Tensors& x) { return segment_reduce(x[0], x[1], 3, SegmentReduction::max); },
     .differentiable = {true, false},
     .make_inputs = full_segment_inputs,
     .expected_shape = Shape{3, 2}},
    {.name = "segment_prod",
     .input_shapes = {{5, 2}, {5}},
     .fn = [](const Tensors& x) { return segment_reduce(x[0], x[1], 4, SegmentReduction::prod); },
     .differentiable = {true, false},
     .make_inputs = segment_inputs,
     .expected_shape = Shape{4, 2}},
};
KERAS_INSTANTIATE_OP_TESTS(SpecialMath, kSpecialCases);

// jax.scipy.special.erfinv and numpy.i0 in float64.
TEST(SpecialMath, GiveJaxAndNumPyValues) {
  const Tensor x = test::tensor_of({-0.999, -0.5, 0.0, 0.3, 0.9, 0.999999}, {6}, float64);
  const std::vector<double> erfinv_values{
      -2.3267537655135273, -0.47693627620446977, 0.0,
      0.2724627147267544,  1.163087153676674,    3.4589107372739605};
  const std::vector<double> got = test::to_doubles(erfinv(x));
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], erfinv_values[i], 1e-12) << i;
  const Tensor edges = erfinv(test::tensor_of({-1.0, 1.0, 1.5}, {3}, float32));
  EXPECT_EQ(edges.dtype(), float32);
  const std::vector<double> e = test::to_doubles(edges);
  EXPECT_EQ(e[0], -std::numeric_limits<double>::infinity());
  EXPECT_EQ(e[1], std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(e[2]));

  const std::vector<double> at{0.0, 1.0, -2.5, 14.9, 15.1, 30.0, 100.0};  // 30: the switch
  const std::vector<double> i0_values{1.0,
                                      1.2660658777520082,
                                      3.289839144050123,
                                      308375.5786874392,
                                      374103.411190409,
                                      781672297823.9775,
                                      1.0737517071310738e+42};
  const std::vector<double> bessel = test::to_doubles(i0(test::tensor_of(at, {7}, float64)));
  for (size_t i = 0; i < at.size(); ++i) EXPECT_NEAR(bessel[i] / i0_values[i], 1.0, 1e-13) << at[i];
  EXPECT_EQ(i0(Tensor::from_vector<int32_t>({1}, {1})).dtype(), float32);
}

TEST(SpecialMath, SegmentsAndDistancesGiveJaxValues) {
  const Tensors in = segment_inputs();
  // jax.ops.segment_sum / segment_max / segment_min(data, [0, 2, 2, 5, 0], 3).
  EXPECT_EQ(test::to_doubles(segment_reduce(in[0], in[1], 3, SegmentReduction::sum)),
            (std::vector<double>{0.3 + 0.2, -1.2 - 1.6, 0, 0, 0.7 - 0.4, 1.5 + 0.9}));
  const std::vector<double> mx =
      test::to_doubles(segment_reduce(in[0], in[1], 3, SegmentReduction::max));
  EXPECT_EQ(mx[0], 0.3);
  EXPECT_EQ(mx[2], -std::numeric_limits<double>::infinity());  // an empty segment
  const Tensor ints =
      segment_reduce(Tensor::from_vector<int32_t>({4, 7}, {2}),
                     Tensor::from_vector<int32_t>({1, 1}, {2}), 2, SegmentReduction::min);
  EXPECT_EQ(test::to_doubles(ints), (std::vector<double>{2147483647.0, 4.0}));
  test::expect_throws_with<ValueError>(
      [&] {
        segment_reduce(in[0], Tensor::from_vector<float>({0, 1}, {2}), 2, SegmentReduction::sum);
      },
      "segment_ids");
  const Tensor a = test::tensor_of({0, 0, 3, 4}, {2, 2}, float32);
  EXPECT_EQ(test::to_doubles(cdist(a, a)), (std::vector<double>{0, 5, 5, 0}));
  test::expect_throws_with<ValueError>(
      [&] {
        cdist(a, test::tensor_of({1, 2, 3}, {1, 3}, float32));
      },
      "last dimension of inputs to `cdist` must match");
}

}  // namespace
}  // namespace keras::ops
