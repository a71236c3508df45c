#include "keras/layers/activations/elu.h"

#include <gtest/gtest.h>

#include <cmath>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"

namespace keras::layers {
namespace {

TEST(ELU, Contract) {
  test::run_layer_test({
      .make_layer = [] { return ELU({.alpha = 0.7}); },
      .input_shape = {2, 3, 2},
      .expected_output_shape = {2, 3, 2},
  });
}

TEST(ELU, ComputesAlphaTimesExpm1BelowZero) {
  const Tensor x = test::tensor_of({-2, 0.5}, {1, 2});
  ELU elu({.alpha = 0.7});
  elu->set_dtype(float64);  // Keras's ELU(dtype="float64"): a float32 layer casts x to float32
  test::expect_all_close(elu(x), test::tensor_of({0.7 * std::expm1(-2.0), 0.5}, {1, 2}), 1e-15, 0);
  EXPECT_EQ(ELU({.alpha = 0.7})->get_config()["alpha"], 0.7);
}

}  // namespace
}  // namespace keras::layers
