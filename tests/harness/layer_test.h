// The layer contract test (Keras's `run_layer_test` + dlib's `test_layer`).
//
//   TEST(Dense, Contract) {
//     test::run_layer_test({
//         .make_layer = [] { return layers::Dense(4, {.activation = "tanh"}); },
//         .input_shape = {2, 3},
//         .expected_output_shape = {2, 4},
//         .expected_num_weights = 2,
//         .expected_num_trainable_weights = 2,
//     });
//   }
//
// run_layer_test makes fresh layers with make_layer() and checks, in order:
//  1. shapes: the symbolic call on keras::Input (batch None) gives expected_output_shape with a
//     None batch; compute_output_shape agrees (for the None batch and for the concrete batch); an
//     eager call on a concrete input of input_shape gives expected_output_shape (any size where
//     it holds None: a size the data decides), with the same dtype as the symbolic output.
//  2. weight counts after build: weights(), trainable_weights(), non_trainable_weights().
//  3. gradients in float64 (set_dtype(float64) before the first call): loss = sum(out * r) for a
//     fixed random r; the GradientTape gradient wrt the input (floating inputs only) and every
//     trainable weight against central differences, |analytic - numeric| <= grad_tol *
//     (1 + |numeric|). The layer runs with training = !stochastic (stochastic layers are checked
//     in inference mode, where they are deterministic).
//  4. get_weights / set_weights: a second instance given the first's weights gives identical
//     outputs (inference mode).
//  5. when check_training_lowers_loss: Input -> layer (-> Dense(1) when the layer has no
//     trainable weights) compiled with SGD(learning_rate 0.05) and "mse", fit a few epochs on a
//     fixed random target; the evaluate() loss afterwards is lower than before.
//  6. when check_saving: layers::serialize_layer -> deserialize_layer (the registry) gives the
//     same config, and with the first layer's weights the same outputs; Input -> layer saved as
//     a .keras file and loaded back predicts the same. A new layer must pass this (layer.h,
//     "How to make a layer saveable"); only unserializable layers (Lambda) opt out.
//  7. backend parity (run after step 4): in float32, the output and the gradients of sum(out * r)
//     wrt the input (floating inputs only) and every trainable weight, under the reference backend
//     and under the CPU backend, agree within parity_tol relative to the reference's magnitude
//     (training = !stochastic, as in step 3).
//  8. the guarded device (harness/guarded_device.h): made again on it — layer, input, weights —
//     the output and the gradients of step 7 and, when check_training_lowers_loss, the losses
//     and weights of a 2-epoch fit (Adam, mse, shuffled batches of half the input) are those
//     of the same run on the CPU, bit for bit (the same kernels on the same shapes).
//
// Everything is seeded (keras::utils::set_random_seed and fixed input seeds), so a run is
// reproducible. Failures are reported with gtest's non-fatal assertions, prefixed by the step.
#pragma once

#include <functional>
#include <optional>

#include "keras/core/tensor.h"
#include "keras/layers/layer.h"

namespace keras::test {

struct LayerTestCase {
  std::function<layers::LayerRef()> make_layer{};
  Shape input_shape{};  // with the batch dimension
  Shape expected_output_shape{};
  size_t expected_num_weights = 0;
  size_t expected_num_trainable_weights = 0;
  bool check_gradients = true;
  double grad_tol = 1e-6;
  double parity_tol = 1e-4;  // step 7
  bool check_training_lowers_loss = true;
  bool stochastic = false;  // e.g. Dropout in training mode
  DType input_dtype = float32;
  // Input values are uniform in [input_lo, input_hi] (integers in that range for integer dtypes).
  // Defaults: [-1, 1] for floating inputs, [0, 4] for integer inputs.
  std::optional<double> input_lo{};
  std::optional<double> input_hi{};
  bool check_saving = true;  // step 6; false only for layers without a config (Lambda)
};

// Runs every check above; failures are non-fatal gtest failures in the calling test.
void run_layer_test(const LayerTestCase& c);

}  // namespace keras::test
