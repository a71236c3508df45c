// keras::ops' Fourier transforms and logdet against Keras 3.15 on JAX (values printed by
// keras.ops.fft / fft2 / ifft2 / rfft / irfft / istft / logdet on the inputs below), their
// gradients (the op harness), round trips, and Keras's errors.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/math.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::ops {
namespace {

Tensor f32(const std::vector<double>& v, Shape shape) {
  return cast(test::tensor_of(v, std::move(shape)), float32);
}
void expect_close(const Tensor& got, const std::vector<double>& want, double tol = 2e-5) {
  EXPECT_EQ(got.dtype(), float32);
  test::expect_all_close(got, f32(want, got.shape()), tol, tol);
}

// Printed by KERAS_BACKEND=jax python: a = round(sin(arange(10) * 0.9) * 2, 3).reshape(2, 5),
// b = round(cos(arange(10) * 0.7), 3).reshape(2, 5) (float32).
const std::vector<double> kRe = {0,           1.56700003, 1.94799995,   0.855000019, -0.88499999,
                                 -1.95500004, -1.546,     0.0340000018, 1.58700001,  1.94000006};
const std::vector<double> kIm = {1,           0.764999986, 0.170000002, -0.504999995, -0.941999972,
                                 -0.93599999, -0.49000001, 0.187000006, 0.776000023,  1};
// keras.ops.fft((a, b))
const std::vector<double> kFftRe = {3.48500013,  -0.0367164612, 0.675811231, -0.0469612479,
                                    -4.07713366, 0.060000062,   -4.90794373, -2.08846378,
                                    -1.4572084,  -1.38138413};
const std::vector<double> kFftIm = {0.488000035, -1.75811541, 0.637930512, 1.44141996,
                                    4.1907649,   0.53700006,  2.67072916,  -0.478986859,
                                    -1.62304389, -5.78569841};
// keras.ops.fft2 / ifft2 of (a, b).reshape(10)[:6].reshape(2, 3)
const std::vector<double> kFft2Re = {1.52999973, 1.02758908,  0.00741124153,
                                     5.5,        -3.51201892, -4.55298138};
const std::vector<double> kFft2Im = {-0.447999954, 0.369808435, 1.56319165,
                                     4.31799984,   1.35510278,  -1.15810275};
const std::vector<double> kIfft2Re = {0.254999936, 0.00123521686, 0.171264842,
                                      0.916666687, -0.75883019,   -0.585336506};
const std::vector<double> kIfft2Im = {-0.0746666789, 0.260531962, 0.0616347417,
                                      0.71966666,    -0.19301714, 0.225850463};
// keras.ops.rfft(a), rfft(a, 8), rfft(a, 3)
const std::vector<double> kRfftRe = {3.48500013,  -2.05692506, 0.314424992,
                                     0.060000062, -3.14466381, -1.77283609};
const std::vector<double> kRfftIm = {0, -2.9744401, -0.401744723, 0, 4.22821379, 0.572028518};
const std::vector<double> kRfft8Re = {3.4849999,   1.38845992,   -2.83299994, 0.38154,
                                      -1.35899997, 0.0600000247, -6.11036539, -0.0489999875,
                                      -1.67963457, -0.0219999924};
const std::vector<double> kRfft8Im = {0, -3.66061258,   -0.712000012, 0.235387325,   0,
                                      0, -0.0629913434, 3.1329999,    0.00500866026, 0};
const std::vector<double> kRfft3Re = {3.51499987, -1.75749993, -3.46700001, -1.19900012};
const std::vector<double> kRfft3Im = {0, 0.329955608, 0, 1.36832011};
// keras.ops.irfft((a, b)) (fft_length 8), irfft((a, b), 5), irfft((a, b), 13)
const std::vector<double> kIrfft = {0.981874943,   0.148028076,  -0.915125012, -0.0187019557,
                                    -0.229124993,  -0.011778079, -0.280125022, 0.324951947,
                                    0.0168750044,  -1.13802457,  0.306125015,  0.0631582141,
                                    -0.0036249999, 0.0707744956, -0.326875001, -0.943408191};
const std::vector<double> kIrfft5 = {1.40600002,    -0.767686844, -0.381496251, -0.151115373,
                                     -0.105701447,  -0.995800018, -0.450657994, 0.299843669,
                                     -0.0728461966, -0.735539496};
const std::vector<double> kIrfft13 = {
    0.536153853,  0.584256411,   -0.193950549,   -0.692213535, -0.194689989, 0.0397709347,
    -0.228270635, -0.0607483424, 0.085419178,    -0.224810004, -0.166041732, 0.203693286,
    0.311430931,  0.159615397,   -0.685428441,   -0.639223576, 0.244636327,  0.174524307,
    -0.105702423, 0.150832206,   -0.00688121887, -0.1399322,   0.189884856,  -0.257508606,
    -0.856401324, -0.183415517};
// Frames fr = round(sin(arange(15) * 1.3), 3).reshape(3, 5), fi = round(cos(arange(15) * 0.4), 3).
const std::vector<double> kFramesRe = {
    0,           0.963999987, 0.515999973, -0.688000023, -0.883000016,
    0.215000004, 0.999000013, 0.319000006, -0.828000009, -0.762000024,
    0.419999987, 0.986999989, 0.108000003, -0.92900002,  -0.605000019};
const std::vector<double> kFramesIm = {1,
                                       0.921000004,
                                       0.697000027,
                                       0.361999989,
                                       -0.0289999992,
                                       -0.416000009,
                                       -0.736999989,
                                       -0.941999972,
                                       -0.998000026,
                                       -0.897000015,
                                       -0.653999984,
                                       -0.307000011,
                                       0.0869999975,
                                       0.469000012,
                                       0.776000023};
// keras.ops.istft((fr, fi), 8, 4, 8); (..., 6, 3, 8, window="hamming", center=False);
// (..., 8, 4, 8, window=None, length=9); (..., 7, 2, 8, window="blackman") (JAX's short
// overlap-add)
const std::vector<double> kIstftHann = {-0.0503749996, 0.0458516888, -0.313000023, 0.00934844185,
                                        -0.0313750058, -0.228301123, 0.0610000044, -0.266455084};
const std::vector<double> kIstftHamming = {0,
                                           0.0169446692,
                                           -1.22298384,
                                           -0.30417484,
                                           0.0284273587,
                                           -0.240286708,
                                           -0.189702958,
                                           0.00192795799,
                                           -0.239303336,
                                           -0.280320466,
                                           -0.0106249955,
                                           -0.264534205,
                                           -0.787500024,
                                           0};
const std::vector<double> kIstftNone = {0.00374999642, 0.858198047,  -0.313000023,
                                        0.673826158,   -0.013000017, 0.144387722,
                                        0.0610000044,  -0.314578503, -0.0212499909};
const std::vector<double> kIstftBlackman = {-0.136439189, -0.132191226};
// keras.ops.logdet of [[2,1,0],[1,3,1],[0,1,4]], [[0,1,0],[1,0,0],[0,0,2]] (det -2), a singular one
const std::vector<double> kLogdet = {2.8903718, 0.693147182, -INFINITY};

TEST(Fft, MatchesKeras) {
  const ComplexPair x{f32(kRe, {2, 5}), f32(kIm, {2, 5})};
  auto [fr, fi] = fft(x);
  expect_close(fr, kFftRe);
  expect_close(fi, kFftIm);
  const ComplexPair x6{f32({kRe.begin(), kRe.begin() + 6}, {2, 3}),
                       f32({kIm.begin(), kIm.begin() + 6}, {2, 3})};
  auto [f2r, f2i] = fft2(x6);
  expect_close(f2r, kFft2Re);
  expect_close(f2i, kFft2Im);
  auto [i2r, i2i] = ifft2(x6);
  expect_close(i2r, kIfft2Re);
  expect_close(i2i, kIfft2Im);
}

TEST(Rfft, MatchesKeras) {
  const Tensor a = f32(kRe, {2, 5});
  auto [r, i] = rfft(a);
  EXPECT_EQ(r.shape(), (Shape{2, 3}));
  expect_close(r, kRfftRe);
  expect_close(i, kRfftIm);
  auto [r8, i8] = rfft(a, 8);
  expect_close(r8, kRfft8Re);
  expect_close(i8, kRfft8Im);
  auto [r3, i3] = rfft(a, 3);
  expect_close(r3, kRfft3Re);
  expect_close(i3, kRfft3Im);
  const ComplexPair x{a, f32(kIm, {2, 5})};
  const Tensor y = irfft(x);
  EXPECT_EQ(y.shape(), (Shape{2, 8}));
  expect_close(y, kIrfft);
  expect_close(irfft(x, 5), kIrfft5);
  expect_close(irfft(x, 13), kIrfft13);
  EXPECT_EQ(irfft({slice_axis(a, 1, 0, 1), slice_axis(a, 1, 0, 1)}).shape(), (Shape{2, 0}));
}

TEST(Istft, MatchesKeras) {
  const ComplexPair x{f32(kFramesRe, {3, 5}), f32(kFramesIm, {3, 5})};
  expect_close(istft(x, 8, 4, 8), kIstftHann);
  expect_close(istft(x, 6, 3, 8, {.window = "hamming", .center = false}), kIstftHamming);
  expect_close(istft(x, 8, 4, 8, {.length = 9, .window = std::nullopt}), kIstftNone);
  expect_close(istft(x, 7, 2, 8, {.window = "blackman"}), kIstftBlackman);
  // keras.ops.istft((fr, fi), 8, 4, 8, window=None, center=False)
  expect_close(istft(x, 8, 4, 8, {.window = std::nullopt, .center = false}),
               {0.17524996, 0.00271115, -0.75825, -0.4684292, 0.00375, 0.85819805, -0.31300002,
                0.67382616, -0.01300002, 0.14438772, 0.061, -0.3145785, -0.02124999, -0.40738264,
                -0.48825002, 1.034434});
  EXPECT_EQ(istft(x, 8, 4, 8, {.length = 30}).shape(), (Shape{12}));  // clamped, as Python
}

// A batch of frame stacks gives each stack's signal.
TEST(Istft, BatchesAreIndependent) {
  const Tensor re = test::random_tensor({3, 5, 5}, float64, -1, 1, 11);
  const Tensor im = test::random_tensor({3, 5, 5}, float64, -1, 1, 12);
  const IstftOptions o{.window = std::nullopt, .center = false};
  const Tensor all = istft({re, im}, 8, 4, 8, o);
  for (int64_t b = 0; b < 3; ++b) {
    const Tensor one =
        istft({reshape(slice_axis(re, 0, b, 1), {5, 5}), reshape(slice_axis(im, 0, b, 1), {5, 5})},
              8, 4, 8, o);
    test::expect_all_close(reshape(slice_axis(all, 0, b, 1), {24}), one, 1e-12, 1e-12);
  }
}

TEST(Logdet, MatchesKeras) {
  const Tensor m = f32(
      {2, 1, 0, 1, 3, 1, 0, 1, 4, 0, 1, 0, 1, 0, 0, 0, 0, 2, 1, 2, 3, 2, 4, 6, 1, 0, 1}, {3, 3, 3});
  const std::vector<double> got = test::to_doubles(logdet(m));
  EXPECT_NEAR(got[0], kLogdet[0], 1e-5);
  EXPECT_NEAR(got[1], kLogdet[1], 1e-5);
  EXPECT_TRUE(std::isinf(got[2]) && got[2] < 0);
  EXPECT_EQ(logdet(cast(m, int32)).dtype(), float32);
  EXPECT_EQ(logdet(cast(m, float64)).dtype(), float64);
}

// stft then istft gives the signal back (hann frames overlapping by 3/4, centred), and a long
// power-of-two and a long odd transform invert through ifft2 / irfft.
TEST(Istft, InvertsStft) {
  const Tensor x = test::random_tensor({2, 64}, float64, -1, 1, 7);
  const auto [re, im] = stft(x, 16, 4, 16);
  test::expect_all_close(istft({re, im}, 16, 4, 16, {.length = 64}), x, 1e-12, 1e-12);
  const auto [r2, i2] = stft(cast(x, float32), 12, 3, 16, {.window = "hamming"});
  test::expect_all_close(istft({r2, i2}, 12, 3, 16, {.length = 64, .window = "hamming"}),
                         cast(x, float32), 1e-5, 1e-5);
  // Frames longer than stft's DFT kernels (fft_length above 11,584) go through the FFT instead.
  const Tensor y = test::random_tensor({1, 3 * 12288}, float64, -1, 1, 8);
  const auto [r3, i3] = stft(y, 12288, 3072, 12288);
  EXPECT_EQ(r3.shape(), (Shape{1, 13, 6145}));
  test::expect_all_close(istft({r3, i3}, 12288, 3072, 12288, {.length = 3 * 12288}), y, 1e-9, 1e-9);
}

TEST(Fft, LongTransformsInvert) {
  for (int64_t n : {4096, 4099}) {
    const Tensor x = test::random_tensor({2, n}, float64, -1, 1, 8);
    const auto [r, i] = rfft(x);
    test::expect_all_close(irfft({r, i}, n), x, 1e-12, 1e-12);
    const Tensor y = test::random_tensor({2, n}, float64, -1, 1, 9);
    const auto [fr, fi] = fft({reshape(x, {1, 2, n}), reshape(y, {1, 2, n})});
    const auto [br, bi] = ifft2(fft2({reshape(x, {1, 2, n}), reshape(y, {1, 2, n})}));
    test::expect_all_close(br, reshape(x, {1, 2, n}), 1e-12, 1e-12);
    test::expect_all_close(bi, reshape(y, {1, 2, n}), 1e-12, 1e-12);
    // Parseval: sum |X|^2 = n sum |x|^2.
    const double energy = sum(add(square(x), square(y))).item<double>();
    const double spectrum = sum(add(square(fr), square(fi))).item<double>();
    EXPECT_NEAR(spectrum, static_cast<double>(n) * energy, 1e-9 * spectrum);
  }
}

TEST(Fft, KerasErrors) {
  const Tensor a = test::random_tensor({2, 4}, float32, -1, 1, 3);
  test::expect_throws_with<ValueError>(
      [&] {
        fft({a, slice_axis(a, 0, 0, 1)});
      },
      "Input `x` should be a tuple of two tensors - real and imaginary.Both the real and "
      "imaginary parts should have the same shape. Received: x[0].shape = (2, 4), x[1].shape = "
      "(1, 4)");
  test::expect_throws_with<ValueError>(
      [&] {
        fft({cast(a, int32), cast(a, int32)});
      },
      "At least one tensor in input `x` is not of type float.");
  test::expect_throws_with<ValueError>(
      [&] {
        fft2({reshape(a, {8}), reshape(a, {8})});
      },
      "Input should have rank >= 2.");
  test::expect_throws_with<ValueError>([&] { rfft(a, 0); }, "Shape should be positive.");
  test::expect_throws_with<ValueError>([&] { irfft({a, a}, 0); }, "Shape should be positive.");
  test::expect_throws_with<ValueError>(
      [&] {
        istft({a, a}, 4, 0, 4);
      },
      "`sequence_stride` must be a positive integer. Received: "
      "sequence_stride=0");
  test::expect_throws_with<ValueError>(
      [&] {
        istft({reshape(a, {8}), reshape(a, {8})}, 4, 2, 4);
      },
      "Input `x` must have at least 2 dimensions. Received shape: (8,)");
  test::expect_throws_with<ValueError>(
      [&] {
        istft({a, a}, 4, 2, 4, {.window_values = {1, 2}});
      },
      "The shape of `window` must be equal to [sequence_length].Received: window shape=(2,)");
  test::expect_throws_with<ValueError>([&] { logdet(a); },
                                       "Argument to slogdet() must have shape [..., n, n], got "
                                       "(2, 4)");
  EXPECT_EQ(fft({a, cast(a, float64)}).first.dtype(), float64);
  EXPECT_EQ(rfft(cast(a, int32)).first.dtype(), float32);
}

// sum(fn(x) * r) of a complex op's two outputs: both parts in one tensor.
Tensor both(const ComplexPair& y) {
  return concatenate({y.first, y.second}, -1);
}

const test::OpCase kFftCases[] = {
    {.name = "fft_pow2",
     .input_shapes = {{2, 8}, {2, 8}},
     .fn =
         [](const Tensors& x) {
           return both(fft({x[0], x[1]}));
         },
     .expected_shape = Shape{2, 16}},
    {.name = "fft_odd",
     .input_shapes = {{3, 7}, {3, 7}},
     .fn =
         [](const Tensors& x) {
           return both(fft({x[0], x[1]}));
         }},
    {.name = "fft2",
     .input_shapes = {{2, 3, 4}, {2, 3, 4}},
     .fn =
         [](const Tensors& x) {
           return both(fft2({x[0], x[1]}));
         }},
    {.name = "ifft2",
     .input_shapes = {{5, 4}, {5, 4}},
     .fn =
         [](const Tensors& x) {
           return both(ifft2({x[0], x[1]}));
         }},
    {.name = "rfft_padded",
     .input_shapes = {{2, 6}},
     .fn = [](const Tensors& x) { return both(rfft(x[0], 9)); },
     .expected_shape = Shape{2, 10}},
    {.name = "rfft_cut",
     .input_shapes = {{2, 8}},
     .fn = [](const Tensors& x) { return both(rfft(x[0], 6)); }},
    {.name = "irfft_even",
     .input_shapes = {{2, 5}, {2, 5}},
     .fn =
         [](const Tensors& x) {
           return irfft({x[0], x[1]});
         },
     .expected_shape = Shape{2, 8}},
    {.name = "irfft_odd",
     .input_shapes = {{2, 4}, {2, 4}},
     .fn =
         [](const Tensors& x) {
           return irfft({x[0], x[1]}, 9);
         }},
    {.name = "istft_hann",
     .input_shapes = {{2, 4, 5}, {2, 4, 5}},
     .fn =
         [](const Tensors& x) {
           return istft({x[0], x[1]}, 8, 4, 8);
         },
     .expected_shape = Shape{2, 12}},
    {.name = "istft_no_window",
     .input_shapes = {{3, 5}, {3, 5}},
     .fn =
         [](const Tensors& x) {
           return istft({x[0], x[1]}, 6, 3, 8, {.window = std::nullopt, .center = false});
         }},
    {.name = "stft",
     .input_shapes = {{2, 20}},
     .fn = [](const Tensors& x) { return both(stft(x[0], 7, 3, 8)); }},
    {.name = "logdet",
     .input_shapes = {{2, 3, 3}},
     .fn =
         [](const Tensors& x) {
           const Tensor eye = tril(triu(ones_like(stop_gradient(x[0]))));
           return logdet(add(x[0], multiply(eye, 5.0)));
         },
     .lo = -1,
     .hi = 1},
};
KERAS_INSTANTIATE_OP_TESTS(FftOps, kFftCases);

}  // namespace
}  // namespace keras::ops
