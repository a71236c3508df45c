// keras.ops.linalg's factorizations and solves: the op harness (gradients, backends, shapes) on
// well-conditioned matrices made from the random inputs, Keras 3's values and its errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::ops {
namespace {

using test::OpCase;
using V = std::vector<double>;

Tensor eye_of(const Tensor& x) {  // identities shaped as the square stack x
  return tril(triu(ones_like(stop_gradient(x))));
}
// x + 4 I for x in [-1, 1]: diagonally dominant, so far from singular.
Tensor dominant(const Tensor& x) {
  return add(x, multiply(eye_of(x), 4.0));
}
// x xᵀ + n I: symmetric positive definite.
Tensor spd(const Tensor& x) {
  const Tensor g = matmul(x, swapaxes(x, -1, -2));
  return add(g, multiply(eye_of(g), static_cast<double>(x.shape().back())));
}
Tensor flat(const Tensor& x) {
  return reshape(x, {-1});
}
// Sign-free views of singular and eigen vectors (a column's sign is arbitrary).
Tensor squares(const Tensor& x) {
  return flat(square(x));
}

Tensor svd_parts(const Tensor& x, bool full) {
  const Tensors usv = svd(x, full, true);
  return concatenate({flat(usv[1]), squares(usv[0]), squares(usv[2])}, 0);
}
Tensor qr_parts(const Tensor& x, const char* mode) {
  auto [q, r] = qr(x, mode);
  return concatenate({flat(q), flat(r)}, 0);
}

const OpCase kDecompositionCases[] = {
    {.name = "inv_3x3",
     .input_shapes = {{3, 3}},
     .fn = [](const Tensors& x) { return inv(dominant(x[0])); },
     .lo = -1,
     .hi = 1,
     .parity_tol = 1e-4,
     .expected_shape = Shape{3, 3}},
    {.name = "inv_batched_2x2x3x3",
     .input_shapes = {{2, 2, 3, 3}},
     .fn = [](const Tensors& x) { return inv(dominant(x[0])); },
     .lo = -1,
     .hi = 1,
     .parity_tol = 1e-4,
     .expected_shape = Shape{2, 2, 3, 3}},
    {.name = "det_3x3",
     .input_shapes = {{3, 3}},
     .fn = [](const Tensors& x) { return det(dominant(x[0])); },
     .lo = -1,
     .hi = 1,
     .parity_tol = 1e-4,
     .expected_shape = Shape{}},
    {.name = "det_batched_general",
     .input_shapes = {{2, 4, 4}},
     .fn = [](const Tensors& x) { return det(x[0]); },
     .parity_tol = 1e-4,
     .expected_shape = Shape{2}},
    {.name = "slogdet_logabsdet",
     .input_shapes = {{2, 3, 3}},
     .fn = [](const Tensors& x) { return slogdet(x[0]).second; },
     .parity_tol = 1e-4,
     .expected_shape = Shape{2}},
    {.name = "slogdet_sign",
     .input_shapes = {{2, 3, 3}},
     .fn = [](const Tensors& x) { return slogdet(dominant(x[0])).first; },
     .lo = -1,
     .hi = 1,
     .expected_shape = Shape{2}},
    {.name = "solve_vector",
     .input_shapes = {{3, 3}, {3}},
     .fn = [](const Tensors& x) { return solve(dominant(x[0]), x[1]); },
     .lo = -1,
     .hi = 1,
     .parity_tol = 1e-4,
     .expected_shape = Shape{3}},
    {.name = "solve_batched_matrix",
     .input_shapes = {{2, 3, 3}, {2, 3, 2}},
     .fn = [](const Tensors& x) { return solve(dominant(x[0]), x[1]); },
     .lo = -1,
     .hi = 1,
     .parity_tol = 1e-4,
     .expected_shape = Shape{2, 3, 2}},
    {.name = "solve_one_vector_for_a_batch",
     .input_shapes = {{2, 3, 3}, {3}},
     .fn = [](const Tensors& x) { return solve(dominant(x[0]), x[1]); },
     .lo = -1,
     .hi = 1,
     .parity_tol = 1e-4,
     .expected_shape = Shape{2, 3}},
    {.name = "solve_triangular_upper",
     .input_shapes = {{3, 3}, {3, 2}},
     .fn = [](const Tensors& x) { return solve_triangular(dominant(x[0]), x[1]); },
     .lo = -1,
     .hi = 1,
     .expected_shape = Shape{3, 2}},
    {.name = "solve_triangular_lower_batched_vectors",
     .input_shapes = {{2, 3, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return solve_triangular(dominant(x[0]), x[1], true); },
     .lo = -1,
     .hi = 1,
     .expected_shape = Shape{2, 3}},
    {.name = "cholesky_lower",
     .input_shapes = {{3, 3}},
     .fn = [](const Tensors& x) { return cholesky(spd(x[0])); },
     .lo = -1,
     .hi = 1,
     .parity_tol = 1e-4,
     .expected_shape = Shape{3, 3}},
    {.name = "cholesky_upper_batched",
     .input_shapes = {{2, 4, 4}},
     .fn = [](const Tensors& x) { return cholesky(spd(x[0]), true); },
     .lo = -1,
     .hi = 1,
     .parity_tol = 1e-4,
     .expected_shape = Shape{2, 4, 4}},
    {.name = "cholesky_reads_the_symmetric_part",
     .input_shapes = {{3, 3}},
     .fn = [](const Tensors& x) { return cholesky(add(x[0], multiply(eye_of(x[0]), 4.0))); },
     .lo = -0.5,
     .hi = 0.5,
     .parity_tol = 1e-4,
     .expected_shape = Shape{3, 3}},
    {.name = "cholesky_inverse_lower",
     .input_shapes = {{3, 3}},
     .fn = [](const Tensors& x) { return cholesky_inverse(tril(dominant(x[0]))); },
     .lo = -1,
     .hi = 1,
     .parity_tol = 1e-4,
     .expected_shape = Shape{3, 3}},
    {.name = "cholesky_inverse_upper",
     .input_shapes = {{2, 3, 3}},
     .fn = [](const Tensors& x) { return cholesky_inverse(triu(dominant(x[0])), true); },
     .lo = -1,
     .hi = 1,
     .parity_tol = 1e-4,
     .expected_shape = Shape{2, 3, 3}},
    {.name = "qr_reduced_tall",
     .input_shapes = {{4, 3}},
     .fn = [](const Tensors& x) { return qr_parts(x[0], "reduced"); },
     .parity_tol = 1e-4,
     .expected_shape = Shape{21}},
    {.name = "qr_reduced_square_batched",
     .input_shapes = {{2, 3, 3}},
     .fn = [](const Tensors& x) { return qr_parts(x[0], "reduced"); },
     .parity_tol = 1e-4,
     .expected_shape = Shape{36}},
    {.name = "qr_complete_wide",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return qr_parts(x[0], "complete"); },
     .parity_tol = 1e-4,
     .forward_only = true,
     .expected_shape = Shape{10}},
    {.name = "eigh_symmetric",
     .input_shapes = {{4, 4}},
     .fn =
         [](const Tensors& x) {
           auto [w, v] = eigh(x[0]);
           return concatenate({w, squares(v)}, 0);
         },
     .grad_tol = 1e-5,
     .parity_tol = 1e-4,
     .expected_shape = Shape{20}},
    {.name = "eigh_batched_values",
     .input_shapes = {{2, 3, 3}},
     .fn = [](const Tensors& x) { return eigh(spd(x[0])).first; },
     .parity_tol = 1e-4,
     .expected_shape = Shape{2, 3}},
    {.name = "svd_values",
     .input_shapes = {{2, 4, 3}},
     .fn = [](const Tensors& x) { return svd(x[0], true, false)[0]; },
     .parity_tol = 1e-4,
     .expected_shape = Shape{2, 3}},
    {.name = "svd_reduced_tall",
     .input_shapes = {{4, 3}},
     .fn = [](const Tensors& x) { return svd_parts(x[0], false); },
     .grad_tol = 1e-5,
     .parity_tol = 1e-4,
     .expected_shape = Shape{3 + 12 + 9}},
    {.name = "svd_reduced_wide",
     .input_shapes = {{2, 4}},
     .fn = [](const Tensors& x) { return svd_parts(x[0], false); },
     .grad_tol = 1e-5,
     .parity_tol = 1e-4,
     .expected_shape = Shape{2 + 4 + 8}},
    {.name = "svd_full_square",
     .input_shapes = {{3, 3}},
     .fn = [](const Tensors& x) { return svd_parts(x[0], true); },
     .grad_tol = 1e-5,
     .parity_tol = 1e-4,
     .expected_shape = Shape{3 + 9 + 9}},
    {.name = "svd_full_tall_forward",
     .input_shapes = {{4, 2}},
     .fn = [](const Tensors& x) { return svd_parts(x[0], true); },
     .parity_tol = 1e-4,
     .forward_only = true,
     .expected_shape = Shape{2 + 16 + 4}},
    {.name = "lstsq_matrix",
     .input_shapes = {{4, 3}, {4, 2}},
     .fn = [](const Tensors& x) { return lstsq(x[0], x[1]); },
     .grad_tol = 1e-5,
     .parity_tol = 1e-4,
     .expected_shape = Shape{3, 2}},
    {.name = "lstsq_vector",
     .input_shapes = {{4, 2}, {4}},
     .fn = [](const Tensors& x) { return lstsq(x[0], x[1]); },
     .grad_tol = 1e-5,
     .parity_tol = 1e-4,
     .expected_shape = Shape{2}},
    {.name = "pinv_batched",
     .input_shapes = {{2, 3, 2}},
     .fn = [](const Tensors& x) { return pinv(x[0]); },
     .grad_tol = 1e-5,
     .parity_tol = 1e-4,
     .expected_shape = Shape{2, 2, 3}},
    {.name = "lu_factor_lu",
     .input_shapes = {{2, 3, 3}},
     .fn = [](const Tensors& x) { return lu_factor(x[0]).first; },
     .parity_tol = 1e-4,
     .forward_only = true,
     .expected_shape = Shape{2, 3, 3}},
    {.name = "lu_factor_pivots_wide",
     .input_shapes = {{3, 4}},
     .fn = [](const Tensors& x) { return lu_factor(x[0]).second; },
     .forward_only = true,
     .expected_shape = Shape{3},
     .expected_dtype = int32},
    {.name = "matrix_rank",
     .input_shapes = {{2, 3, 4}},
     .fn = [](const Tensors& x) { return matrix_rank(x[0]); },
     .forward_only = true,
     .expected_shape = Shape{2},
     .expected_dtype = int32},
    {.name = "inv_int_is_float32",
     .input_shapes = {{2, 2}},
     .fn = [](const Tensors& x) { return inv(add(x[0], multiply(eye_of(x[0]), 9))); },
     .lo = -2,
     .hi = 2,
     .forward_only = true,
     .input_dtypes = {int32},
     .expected_shape = Shape{2, 2},
     .expected_dtype = float32},
};
KERAS_INSTANTIATE_OP_TESTS(Decompositions, kDecompositionCases);

Tensor n_matrix() {  // np.array([[2, -1, 0.5], [1, 3, -2], [0.5, 1, 4]], "float32")
  return Tensor::from_vector<float>({2, -1, 0.5, 1, 3, -2, 0.5, 1, 4}, {3, 3});
}
Tensor a_matrix() {  // np.array([[4, 1, 2], [1, 5, 3], [2, 3, 6]], "float32")
  return Tensor::from_vector<float>({4, 1, 2, 1, 5, 3, 2, 3, 6}, {3, 3});
}
Tensor b_matrix() {  // np.array([[1, 2], [3, 4], [5, 6]], "float32")
  return Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {3, 2});
}
Tensor b_vector() {  // np.array([1, 2, 3], "float32")
  return Tensor::from_vector<float>({1, 2, 3}, {3});
}
void expect_values(const Tensor& t, const V& expected, double tol = 2e-6) {
  const V got = test::to_doubles(t);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], expected[i], tol * std::max(1.0, std::abs(expected[i]))) << "at " << i;
}

// Values printed by Keras 3.15 (JAX backend) for the calls named above each.
TEST(Decompositions, GiveKerasValues) {
  const Tensor n = n_matrix(), a = a_matrix(), b = b_matrix(), v = b_vector();
  // keras.ops.inv(N)
  expect_values(inv(n), {0.427480906, 0.137404591, 0.0152671784, -0.152671754, 0.236641243,
                         0.137404576, -0.0152671728, -0.0763358697, 0.213740438});
  expect_values(det(n), {32.75});    // keras.ops.det(N)
  auto [sign, logabs] = slogdet(n);  // keras.ops.slogdet(N)
  expect_values(sign, {1});
  expect_values(logabs, {3.48890305});
  // keras.ops.solve(N, b)
  expect_values(solve(n, v), {0.748091638, 0.732824504, 0.473282427});
  // keras.ops.solve_triangular(N, b, lower=True) and (N, b)
  expect_values(solve_triangular(n, v, true), {0.5, 0.5, 0.5625});
  expect_values(solve_triangular(n, v), {0.895833373, 1.16666675, 0.75});
  // keras.ops.cholesky(A), cholesky(A, upper=True)
  expect_values(cholesky(a), {2, 0, 0, 0.5, 2.17944956, 0, 1, 1.14707863, 1.91942978});
  expect_values(cholesky(a, true), {2, 0.5, 1, 0, 2.17944956, 1.14707863, 0, 0, 1.91942978});
  // keras.ops.cholesky_inverse(keras.ops.cholesky(A))
  expect_values(cholesky_inverse(cholesky(a)),
                {0.300000012, -5.14179366e-09, -0.0999999866, -5.14179366e-09, 0.285714269,
                 -0.142857119, -0.0999999866, -0.142857119, 0.271428555});
  // keras.ops.qr(B) and keras.ops.qr(B, mode="complete")
  auto [q, r] = qr(b);
  expect_values(q,
                {-0.169030905, 0.897085309, -0.507092595, 0.27602604, -0.845154345, -0.345032483});
  expect_values(r, {-5.91607952, -7.4373579, 0, 0.828079581});
  auto [qc, rc] = qr(b, "complete");
  expect_values(qc, {-0.169030905, 0.897085309, 0.408247769, -0.507092595, 0.27602604, -0.816496611,
                     -0.845154345, -0.345032483, 0.408248454});
  expect_values(rc, {-5.91607952, -7.4373579, 0, 0.828079581, 0, 0});
  // keras.ops.svd(B): the singular values, and the vectors up to their signs
  const Tensors usv = svd(b);
  expect_values(usv[1], {9.52551842, 0.514301121});
  expect_values(abs(usv[0]), {0.229847804, 0.883460999, 0.408247769, 0.524744868, 0.240782246,
                              0.816496611, 0.819641948, 0.401895791, 0.408248454});
  expect_values(abs(usv[2]), {0.619629443, 0.784894466, 0.784894466, 0.619629443});
  // keras.ops.eigh(A)
  auto [w, ev] = eigh(a);
  expect_values(w, {2.19439745, 3.38677073, 9.41883087});
  expect_values(abs(ev), {0.441224635, 0.815583289, 0.374358803, 0.577350199, 0.577350259,
                          0.57735014, 0.687013388, 0.0386051051, 0.725618362});
  // keras.ops.lstsq(B, b)
  expect_values(lstsq(b, v), {-1.44936465e-07, 0.50000006}, 1e-5);
  // keras.ops.lu_factor(N)
  auto [lu, pivots] = lu_factor(n);
  expect_values(lu, {2, -1, 0.5, 0.5, 3.5, -2.25, 0.25, 0.357142866, 4.6785717});
  EXPECT_EQ(pivots.dtype(), int32);
  EXPECT_EQ(test::to_doubles(pivots), (V{0, 1, 2}));
  // keras.ops.pinv(B)
  expect_values(pinv(b),
                {-1.33333194, -0.333332568, 0.666665673, 1.08333218, 0.333332717, -0.416665852},
                1e-5);
  // keras.ops.matrix_rank(B), keras.ops.matrix_rank([[1., 2.], [2., 4.]])
  EXPECT_EQ(test::to_doubles(matrix_rank(b)), (V{2}));
  EXPECT_EQ(test::to_doubles(matrix_rank(Tensor::from_vector<float>({1, 2, 2, 4}, {2, 2}))),
            (V{1}));
}

TEST(Decompositions, FactorsReconstructTheirMatrices) {
  const Tensor x = test::random_tensor({2, 5, 4}, float64, -1, 1, 7);
  auto [q, r] = qr(x, "complete");
  test::expect_all_close(matmul(q, r), x, 1e-12, 1e-12);
  test::expect_all_close(matmul(swapaxes(q, -1, -2), q), eye_of(matmul(swapaxes(q, -1, -2), q)),
                         1e-12, 1e-12);
  for (bool full : {true, false}) {
    const Tensors usv = svd(swapaxes(x, -1, -2), full);
    const Tensor u = slice_axis(usv[0], -1, 0, 4), vt = slice_axis(usv[2], -2, 0, 4);
    test::expect_all_close(matmul(multiply(u, expand_dims(usv[1], -2)), vt), swapaxes(x, -1, -2),
                           1e-12, 1e-12);
    const Tensor vvt = matmul(usv[2], swapaxes(usv[2], -1, -2));
    test::expect_all_close(vvt, eye_of(vvt), 1e-12, 1e-12);
  }
  const Tensor s = spd(x);
  auto [w, v] = eigh(s);
  test::expect_all_close(matmul(multiply(v, expand_dims(w, -2)), swapaxes(v, -1, -2)), s, 1e-12,
                         1e-12);
  const Tensor l = cholesky(s);
  test::expect_all_close(matmul(l, swapaxes(l, -1, -2)), s, 1e-12, 1e-12);
  test::expect_all_close(matmul(inv(s), s), eye_of(s), 1e-12, 1e-12);
  // A rank-deficient matrix: zero singular values, and still orthonormal vectors.
  const Tensor low = Tensor::from_vector<double>({1, 2, 2, 4, 3, 6}, {3, 2});
  const Tensors usv = svd(low);
  expect_values(slice_axis(usv[1], 0, 1, 1), {0}, 1e-12);
  const Tensor uut = matmul(usv[0], swapaxes(usv[0], -1, -2));
  test::expect_all_close(uut, eye_of(uut), 1e-12, 1e-12);
}

TEST(Decompositions, SingularAndIndefiniteMatrices) {
  const Tensor singular = Tensor::from_vector<float>({1, 2, 2, 4}, {2, 2});
  expect_values(det(singular), {0});
  auto [sign, logabs] = slogdet(singular);  // NumPy: (0, -inf)
  expect_values(sign, {0});
  EXPECT_EQ(test::to_doubles(logabs)[0], -INFINITY);
  // Not positive definite: NaN (JAX's jitted cholesky; Keras's eager call raises).
  const V l = test::to_doubles(cholesky(Tensor::from_vector<float>({1, 2, 2, 1}, {2, 2})));
  for (double e : l) EXPECT_TRUE(std::isnan(e));
  // Empty matrices: det 1, inverse empty.
  EXPECT_EQ(test::to_doubles(det(Tensor::empty({2, 0, 0}, float32))), (V{1, 1}));
  EXPECT_EQ(inv(Tensor::empty({0, 3, 3}, float32)).shape(), (Shape{0, 3, 3}));
}

TEST(Decompositions, GradientsOfUnsupportedCasesAreNotImplemented) {
  autodiff::GradientTape tape;
  const Tensor x = test::random_tensor({2, 4}, float64, -1, 1, 3);
  tape.watch(x);
  const Tensor q = qr(x).first;
  test::expect_throws_with<NotImplementedError>([&] { tape.gradient(sum(q), {x}); },
                                                "at least as many rows");
  const Tensor u = svd(x).front();
  test::expect_throws_with<NotImplementedError>([&] { tape.gradient(sum(u), {x}); },
                                                "square matrices only");
}

TEST(Decompositions, KerasErrors) {
  const Tensor m23 = Tensor::empty({2, 3}, float32), v3 = Tensor::empty({3}, float32);
  const Tensor m22 = zeros({2, 2}, float32);
  EXPECT_EQ(test::message_of<ValueError>([&] { inv(m23); }),
            "inv: Expected a square matrix. Received non-square input with shape (2, 3)");
  EXPECT_EQ(test::message_of<ValueError>([&] { det(v3); }),
            "det: Expected input to have rank >= 2. Received input with shape (3,).");
  test::expect_throws_with<ValueError>([&] { cholesky(m23); }, "cholesky: Expected a square");
  test::expect_throws_with<ValueError>([&] { eigh(v3); }, "eigh: Expected input to have rank");
  test::expect_throws_with<ValueError>([&] { svd(v3); }, "svd: Expected input to have rank");
  test::expect_throws_with<ValueError>([&] { lu_factor(v3); }, "lu_factor: Expected input");
  EXPECT_EQ(test::message_of<ValueError>([&] {
              solve(m22, Tensor::empty({3, 1}, float32));
            }),
            "solve: Incompatible shapes between `a` and `b`. Expected `a.shape[-2] == "
            "b.shape[-2]`. Received: a.shape=(2, 2), b.shape=(3, 1)");
  test::expect_throws_with<ValueError>(
      [&] {
        solve_triangular(m22, Tensor::empty({3, 2, 5}, float32));
      },
      "Expected `a.shape[-1] == b.shape[-1]`");
  test::expect_throws_with<ValueError>([&] { solve(m22, v3); }, "do not match");
  EXPECT_EQ(test::message_of<ValueError>([&] { qr(m22, "r"); }),
            "`mode` argument value not supported. Expected one of {'reduced', 'complete'}. "
            "Received: mode=r");
  EXPECT_EQ(test::message_of<ValueError>([&] {
              lstsq(Tensor::empty({2, 2, 2}, float32), v3);
            }),
            "lstsq: Expected a to have rank 2. Received: a.shape=(2, 2, 2)");
  test::expect_throws_with<ValueError>([&] { lstsq(m23, v3); },
                                       "Expected b.shape[0] to be equal to a.shape[0]");
}

}  // namespace
}  // namespace keras::ops
