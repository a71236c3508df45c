// keras::activations against values computed by real Keras (tests/goldens/keras_goldens.h, Keras
// 3 on the JAX backend, in float64), on both the reference and the CPU backend.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "goldens/keras_goldens.h"
#include "harness/tensor_matchers.h"
#include "keras/backend/backend.h"
#include "keras/ops/nn.h"

namespace keras::activations {
namespace {

namespace g = keras::goldens;

// The goldens were computed in float64; only rounding differences are allowed.
constexpr double kRtol = 1e-12;
constexpr double kAtol = 1e-15;  // for exact zeros (relu of negatives, tanh(0), ...)

Tensor golden_input(DType dtype, Shape shape = {7}) {
  return test::tensor_of(std::vector<double>(std::begin(g::kActX), std::end(g::kActX)),
                         std::move(shape), dtype);
}

Tensor golden(const double (&values)[7], DType dtype = float64, Shape shape = {7}) {
  return test::tensor_of(std::vector<double>(std::begin(values), std::end(values)),
                         std::move(shape), dtype);
}

struct Golden {
  const char* name;
  const double (*values)[7];
};

const Golden kElementwise[] = {
    {"relu", &g::kAct_relu},
    {"sigmoid", &g::kAct_sigmoid},
    {"tanh", &g::kAct_tanh},
    {"softplus", &g::kAct_softplus},
    {"softsign", &g::kAct_softsign},
    {"elu", &g::kAct_elu},
    {"selu", &g::kAct_selu},
    {"gelu", &g::kAct_gelu},
    {"silu", &g::kAct_silu},
    {"swish", &g::kAct_silu},
    {"hard_sigmoid", &g::kAct_hard_sigmoid},
    {"exponential", &g::kAct_exponential},
    {"linear", &g::kAct_linear},
    {"relu6", &g::kAct_relu6},
};

std::vector<backend::Backend*> backends() {
  return {&backend::reference_backend(), &backend::cpu_backend()};
}

TEST(ActivationGoldens, ElementwiseMatchKerasInFloat64) {
  for (backend::Backend* be : backends()) {
    backend::ScopedBackend scope(*be);
    for (const Golden& gold : kElementwise) {
      SCOPED_TRACE(std::string(gold.name) + " on " + be->name());
      const Tensor y = get(gold.name)(golden_input(float64));
      test::expect_all_close(y, golden(*gold.values), kRtol, kAtol);
    }
  }
}

TEST(ActivationGoldens, ElementwiseMatchKerasInFloat32) {
  for (backend::Backend* be : backends()) {
    backend::ScopedBackend scope(*be);
    for (const Golden& gold : kElementwise) {
      SCOPED_TRACE(std::string(gold.name) + " on " + be->name());
      const Tensor y = get(gold.name)(golden_input(float32));
      test::expect_all_close(y, golden(*gold.values, float32), 2e-6, 1e-7);
    }
  }
}

TEST(ActivationGoldens, GeluApproximateMatchesKeras) {
  for (backend::Backend* be : backends()) {
    backend::ScopedBackend scope(*be);
    SCOPED_TRACE(be->name());
    test::expect_all_close(ops::gelu(golden_input(float64), /*approximate=*/true),
                           golden(g::kAct_gelu_approximate), kRtol, kAtol);
    // keras.activations.gelu defaults to the exact form, keras.ops.gelu to the approximation.
    test::expect_all_close(ops::gelu(golden_input(float64)), golden(g::kAct_gelu_approximate),
                           kRtol, kAtol);
    test::expect_all_close(get("gelu")(golden_input(float64)), golden(g::kAct_gelu), kRtol, kAtol);
  }
}

TEST(ActivationGoldens, HardSiluIsXTimesHardSigmoid) {
  // No hard_silu golden: Keras defines it as x * hard_sigmoid(x).
  std::vector<double> want(7);
  for (int i = 0; i < 7; ++i) want[i] = g::kActX[i] * g::kAct_hard_sigmoid[i];
  for (backend::Backend* be : backends()) {
    backend::ScopedBackend scope(*be);
    SCOPED_TRACE(be->name());
    test::expect_all_close(get("hard_silu")(golden_input(float64)), test::tensor_of(want), kRtol,
                           kAtol);
  }
}

TEST(ActivationGoldens, SoftmaxAndLogSoftmaxMatchKeras) {
  for (backend::Backend* be : backends()) {
    backend::ScopedBackend scope(*be);
    SCOPED_TRACE(be->name());
    const Tensor x = golden_input(float64, {1, 7});
    test::expect_all_close(get("softmax")(x), golden(g::kAct_softmax, float64, {1, 7}), kRtol,
                           kAtol);
    test::expect_all_close(get("log_softmax")(x), golden(g::kAct_log_softmax, float64, {1, 7}),
                           kRtol, kAtol);
    // Along axis 0 of the transposed input, and as a 1-D vector.
    test::expect_all_close(ops::softmax(golden_input(float64, {7, 1}), 0),
                           golden(g::kAct_softmax, float64, {7, 1}), kRtol, kAtol);
    test::expect_all_close(ops::log_softmax(golden_input(float64)), golden(g::kAct_log_softmax),
                           kRtol, kAtol);
    // float32.
    test::expect_all_close(get("softmax")(golden_input(float32, {1, 7})),
                           golden(g::kAct_softmax, float32, {1, 7}), 2e-6, 1e-7);
    test::expect_all_close(get("log_softmax")(golden_input(float32, {1, 7})),
                           golden(g::kAct_log_softmax, float32, {1, 7}), 2e-6, 1e-7);
  }
}

}  // namespace
}  // namespace keras::activations
