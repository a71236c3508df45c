#include "harness/layer_test.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "harness/guarded_device.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/backend/backend.h"
#include "keras/config/json.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/registry.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/optimizers/optimizers.h"
#include "keras/utils/utils.h"

namespace keras::test {
namespace {

constexpr uint64_t kInitSeed = 0x6c61796572;  // weights: the global generator is reseeded
constexpr uint64_t kInputSeed = 0x696e707574;
constexpr uint64_t kCotangentSeed = 0x5eed;
constexpr uint64_t kTargetSeed = 0x7461726765;
constexpr double kEps = 1e-6;
constexpr int kFitEpochs = 5;

Shape with_none_batch(Shape s) {
  if (!s.empty()) s[0] = kNone;
  return s;
}

// input_shape without its batch dimension, as keras::Input takes it.
std::vector<Dim> without_batch(const Shape& s) {
  std::vector<Dim> dims;
  for (size_t i = 1; i < s.size(); ++i) dims.emplace_back(s[i] == kNone ? Dim{} : Dim{s[i]});
  return dims;
}

// The fixed input of every step; floating inputs in `float_dtype`.
Tensor make_input(const LayerTestCase& c, DType float_dtype) {
  const bool floating = is_floating(c.input_dtype);
  const DType dtype = floating ? float_dtype : c.input_dtype;
  const double lo = c.input_lo.value_or(floating ? -1.0 : 0.0);
  const double hi = c.input_hi.value_or(floating ? 1.0 : 4.0);
  return random_tensor(c.input_shape, dtype, lo, hi, kInputSeed);
}

layers::LayerRef new_layer(const LayerTestCase& c, uint64_t seed) {
  utils::set_random_seed(seed);
  layers::LayerRef layer = c.make_layer();
  EXPECT_TRUE(static_cast<bool>(layer)) << "make_layer returned an empty handle";
  return layer;
}

// sum(y * r) on the host in long double (the finite-difference loss).
double host_loss(const Tensor& y, const Tensor& r) {
  const std::vector<double> yv = to_doubles(y), rv = to_doubles(r);
  long double acc = 0.0L;
  for (size_t i = 0; i < yv.size(); ++i) acc += static_cast<long double>(yv[i]) * rv[i];
  return static_cast<double>(acc);
}

// ---- 1. shapes ----
void check_shapes(const LayerTestCase& c) {
  SCOPED_TRACE("run_layer_test step 1: output shapes");
  layers::LayerRef layer = new_layer(c, kInitSeed);
  if (!layer) return;
  const KerasTensor input = keras::Input(without_batch(c.input_shape), {.dtype = c.input_dtype});
  const KerasTensors outputs = layer.call_multi({input});
  ASSERT_EQ(outputs.size(), 1u) << "run_layer_test expects a single-output layer";
  const Shape symbolic = outputs[0].shape();
  EXPECT_EQ(shape_str(symbolic), shape_str(with_none_batch(c.expected_output_shape)))
      << "symbolic output shape of " << layer.name();

  const std::vector<Shape> computed = layer->compute_output_shape({with_none_batch(c.input_shape)});
  ASSERT_EQ(computed.size(), 1u);
  EXPECT_EQ(shape_str(computed[0]), shape_str(symbolic))
      << "compute_output_shape disagrees with the symbolic call";
  const std::vector<Shape> computed_concrete = layer->compute_output_shape({c.input_shape});
  ASSERT_EQ(computed_concrete.size(), 1u);
  EXPECT_EQ(shape_str(computed_concrete[0]), shape_str(c.expected_output_shape))
      << "compute_output_shape with a concrete batch";

  const Tensor y = layer(make_input(c, float32), false);
  // A None in the expected shape (a size the data decides) matches any size.
  Shape eager_expected = c.expected_output_shape;
  for (size_t i = 0; i < eager_expected.size() && i < y.shape().size(); ++i) {
    if (eager_expected[i] == kNone) eager_expected[i] = y.shape()[i];
  }
  EXPECT_EQ(shape_str(y.shape()), shape_str(eager_expected)) << "eager output shape";
  EXPECT_EQ(y.dtype(), outputs[0].dtype()) << "eager and symbolic output dtypes differ";
}

// ---- 2. weight counts ----
void check_weight_counts(const LayerTestCase& c) {
  SCOPED_TRACE("run_layer_test step 2: weight counts");
  layers::LayerRef layer = new_layer(c, kInitSeed);
  if (!layer) return;
  layer(make_input(c, float32), false);
  EXPECT_TRUE(layer.built()) << layer.name() << " is not built after its first call";
  const std::vector<Variable> all = layer.weights();
  EXPECT_EQ(all.size(), c.expected_num_weights) << "weights() of " << layer.name();
  EXPECT_EQ(layer.trainable_weights().size(), c.expected_num_trainable_weights)
      << "trainable_weights() of " << layer.name();
  EXPECT_EQ(layer.non_trainable_weights().size(),
            c.expected_num_weights - c.expected_num_trainable_weights)
      << "non_trainable_weights() of " << layer.name();
  int64_t params = 0;
  for (const Variable& v : all) {
    // Integer weights (counters such as Normalization's `count`) keep Keras's int dtype.
    if (is_floating(v.dtype())) {
      EXPECT_EQ(v.dtype(), layer->dtype()) << "weight " << v.path() << " has the wrong dtype";
    }
    params += v.value().size();
  }
  EXPECT_EQ(layer.count_params(), params);
}

// ---- 3. gradients ----
void check_gradients(const LayerTestCase& c) {
  SCOPED_TRACE("run_layer_test step 3: gradients (float64, central differences)");
  layers::LayerRef layer = new_layer(c, kInitSeed);
  if (!layer) return;
  layer->set_dtype(float64);
  const bool training = !c.stochastic;
  const Tensor x = make_input(c, float64);
  const Tensor y0 = layer(x, training);
  if (!is_floating(y0.dtype())) return;  // nothing to differentiate
  EXPECT_EQ(y0.dtype(), float64) << "a float64 layer returned " << y0.dtype();
  for (const Variable& v : layer.weights()) {
    if (is_floating(v.dtype())) {
      EXPECT_EQ(v.dtype(), float64) << "weight " << v.path() << " of a float64 layer";
    }
  }
  const Tensor r = random_tensor(y0.shape(), y0.dtype(), -1.0, 1.0, kCotangentSeed);

  Tensors sources;
  std::vector<std::string> names;
  if (is_floating(x.dtype())) {
    sources.push_back(x);
    names.emplace_back("input");
  }
  for (const Variable& v : layer.trainable_weights()) {
    sources.push_back(v.value());
    names.push_back(v.path());
  }
  if (sources.empty()) return;

  Tensors grads;
  {
    autodiff::GradientTape tape;
    if (is_floating(x.dtype())) tape.watch(x);
    const Tensor y = layer(x, training);
    const Tensor loss = ops::sum(ops::multiply(y, r));
    grads = tape.gradient(loss, sources);
  }
  ASSERT_EQ(grads.size(), sources.size());

  const auto loss_at = [&] { return host_loss(layer(x, training), r); };
  for (size_t s = 0; s < sources.size(); ++s) {
    const Tensor& src = sources[s];
    ASSERT_EQ(src.dtype(), float64) << names[s];
    const Tensor grad = grads[s].defined() ? grads[s].astype(float64) : zeros(src.shape(), float64);
    ASSERT_EQ(shape_str(grad.shape()), shape_str(src.shape())) << "gradient shape of " << names[s];
    const std::vector<double> analytic = to_doubles(grad);
    double* p = src.data<double>();
    std::ostringstream details;
    int bad = 0;
    for (int64_t i = 0; i < src.size(); ++i) {
      const double orig = p[i];
      p[i] = orig + kEps;
      const double plus = loss_at();
      p[i] = orig - kEps;
      const double minus = loss_at();
      p[i] = orig;
      const double numeric = (plus - minus) / (2 * kEps);
      const double a = analytic[static_cast<size_t>(i)];
      if (!(std::abs(a - numeric) <= c.grad_tol * (1.0 + std::abs(numeric)))) {
        if (bad < 5) {
          details << "\n  at flat index " << i << ": analytic " << a << ", numeric " << numeric;
        }
        ++bad;
      }
    }
    EXPECT_EQ(bad, 0) << "gradient wrt " << names[s] << " of " << layer.name() << ": " << bad
                      << " of " << src.size() << " elements differ (grad_tol " << c.grad_tol << ")"
                      << details.str();
  }
}

// ---- 4. get_weights / set_weights ----
void check_weights_round_trip(const LayerTestCase& c) {
  SCOPED_TRACE("run_layer_test step 4: get_weights / set_weights round trip");
  const Tensor x = make_input(c, float32);
  layers::LayerRef a = new_layer(c, kInitSeed);
  if (!a) return;
  const Tensor ya = a(x, false);
  layers::LayerRef b = new_layer(c, kInitSeed + 1);
  if (!b) return;
  b(x, false);  // build

  const Tensors wa = a.get_weights();
  ASSERT_EQ(wa.size(), a.weights().size());
  b.set_weights(wa);
  const Tensors wb = b.get_weights();
  ASSERT_EQ(wb.size(), wa.size());
  for (size_t i = 0; i < wa.size(); ++i) {
    EXPECT_TRUE(all_close(wb[i], wa[i], 0.0, 0.0)) << "weight " << i << " after set_weights";
  }
  expect_all_close(b(x, false), ya, 0.0, 0.0);

  // get_weights returns copies.
  if (!wa.empty() && wa[0].size() > 0) {
    const Tensor before = a.weights()[0].value().clone();
    ops::assign(wa[0], ops::add(wa[0], 1.0));
    EXPECT_TRUE(all_close(a.weights()[0].value(), before, 0.0, 0.0))
        << "writing to a get_weights() result changed the layer";
  }
}

// ---- 5. fit lowers the loss ----
void check_training_lowers_loss(const LayerTestCase& c) {
  SCOPED_TRACE("run_layer_test step 5: fit lowers the loss");
  layers::LayerRef layer = new_layer(c, kInitSeed);
  if (!layer) return;
  const KerasTensor input = keras::Input(without_batch(c.input_shape), {.dtype = c.input_dtype});
  KerasTensor output = layer(input);
  if (layer.trainable_weights().empty()) output = layers::Dense(1)(output);
  Model model(input, output);
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.05}), .loss = "mse"});

  const Tensor x = make_input(c, float32);
  Shape target_shape = output.shape();
  ASSERT_FALSE(target_shape.empty());
  target_shape[0] = c.input_shape.at(0);
  ASSERT_TRUE(is_fully_defined(target_shape)) << shape_str(target_shape);
  const Tensor y = random_tensor(target_shape, float32, -1.0, 1.0, kTargetSeed);
  const int batch = static_cast<int>(c.input_shape[0]);

  const double before = model.evaluate(x, y, {.batch_size = batch, .verbose = 0}).at(0);
  model.fit(x, y, {.epochs = kFitEpochs, .batch_size = batch, .verbose = 0, .shuffle = false});
  const double after = model.evaluate(x, y, {.batch_size = batch, .verbose = 0}).at(0);
  EXPECT_TRUE(std::isfinite(after)) << "loss after fit: " << after;
  EXPECT_LT(after, before) << "fit (" << kFitEpochs << " epochs of SGD, lr 0.05) did not lower "
                           << "the mse loss of " << layer.name();
}

// ---- 6. config and .keras round trips ----
void check_saving(const LayerTestCase& c) {
  SCOPED_TRACE("run_layer_test step 6: get_config -> from_config and .keras round trip");
  const Tensor x = make_input(c, float32);
  layers::LayerRef a = new_layer(c, kInitSeed);
  if (!a) return;
  const Tensor ya = a(x, false);
  const Json serialized = layers::serialize_layer(*a.layer());
  layers::LayerRef b(layers::deserialize_layer(serialized));
  EXPECT_EQ(b.class_name(), a.class_name());
  b(x, false);  // build (wrappers write their inner layers' build_config)
  EXPECT_EQ(layers::serialize_layer(*b.layer())["config"].dump(), serialized["config"].dump());
  b.set_weights(a.get_weights());
  expect_all_close(b(x, false), ya, 0.0, 0.0);

  const KerasTensor input = keras::Input(without_batch(c.input_shape), {.dtype = c.input_dtype});
  Model model(input, a(input));
  const std::string path =
      (std::filesystem::temp_directory_path() /
       ("keras_layer_test_" + std::to_string(::getpid()) + "_" + a.name() + ".keras"))
          .string();
  model.save(path);
  Model loaded = models::load_model(path);
  std::filesystem::remove(path);
  expect_all_close(Tensor(loaded.predict(x, {.batch_size = static_cast<int>(c.input_shape[0])})),
                   ya, 0.0, 0.0);
}

// ---- 7. backend parity ----
void check_backend_parity(const LayerTestCase& c) {
  SCOPED_TRACE("run_layer_test step 7: the CPU backend against the reference backend (float32)");
  layers::LayerRef layer = new_layer(c, kInitSeed);
  if (!layer) return;
  const bool training = !c.stochastic;
  const Tensor x = make_input(c, float32);
  struct Run {
    Tensor y;
    Tensors grads;  // of sum(y * r): the input (when floating), then each trainable weight
  };
  // One layer for both runs (built by the first), so both use the same weights.
  auto run = [&](backend::Backend& be) {
    backend::ScopedBackend scope(be);
    Run r;
    autodiff::GradientTape tape;
    Tensors sources;
    if (is_floating(x.dtype())) {
      tape.watch(x);
      sources.push_back(x);
    }
    r.y = layer(x, training);
    if (!is_floating(r.y.dtype())) return r;
    for (const Variable& v : layer.trainable_weights()) sources.push_back(v.value());
    if (sources.empty()) return r;
    const Tensor cotangent = random_tensor(r.y.shape(), r.y.dtype(), -1.0, 1.0, kCotangentSeed);
    r.grads = tape.gradient(ops::sum(ops::multiply(r.y, cotangent)), sources);
    return r;
  };
  const Run ref = run(backend::reference_backend());
  const Run cpu = run(backend::cpu_backend());
  EXPECT_TRUE(parity(cpu.y, ref.y, c.parity_tol)) << "output of " << layer.name();
  ASSERT_EQ(cpu.grads.size(), ref.grads.size());
  for (size_t k = 0; k < ref.grads.size(); ++k) {
    EXPECT_TRUE(parity(cpu.grads[k], ref.grads[k], c.parity_tol))
        << "gradient " << k << " (0 is the input's when it is floating, then the trainable weights)"
        << " of " << layer.name();
  }
}

// ---- 8. the guarded device ----
void check_guarded_device(const LayerTestCase& c) {
  SCOPED_TRACE("run_layer_test step 8: on the guarded device, the CPU's results bit for bit");
  const bool training = !c.stochastic;
  struct Run {
    Tensor y;
    Tensors grads;  // as in step 7
    std::vector<double> losses;
    Tensors weights;  // after the fit
  };
  // Everything is made in the run's device scope: weights, inputs, the model and its fit.
  auto run = [&](bool guarded) {
    std::optional<OnGuardedDevice> scope;
    if (guarded) scope.emplace();
    Run r;
    layers::LayerRef layer = new_layer(c, kInitSeed);
    if (!layer) return r;
    const Tensor x = make_input(c, float32);
    autodiff::GradientTape tape;
    Tensors sources;
    if (is_floating(x.dtype())) {
      tape.watch(x);
      sources.push_back(x);
    }
    r.y = layer(x, training);
    EXPECT_EQ(r.y.device(), default_device()) << "the output left the input's device";
    for (const Variable& v : layer.trainable_weights()) sources.push_back(v.value());
    if (is_floating(r.y.dtype()) && !sources.empty()) {
      const Tensor cotangent = random_tensor(r.y.shape(), r.y.dtype(), -1.0, 1.0, kCotangentSeed);
      r.grads = tape.gradient(ops::sum(ops::multiply(r.y, cotangent)), sources);
    }
    if (!c.check_training_lowers_loss) return r;
    layers::LayerRef fitted = new_layer(c, kInitSeed);
    const KerasTensor input = keras::Input(without_batch(c.input_shape), {.dtype = c.input_dtype});
    KerasTensor output = fitted(input);
    if (fitted.trainable_weights().empty()) output = layers::Dense(1)(output);
    Model model(input, output);
    model.compile({.optimizer = optimizers::Adam({.learning_rate = 0.01}), .loss = "mse"});
    Shape target_shape = output.shape();
    target_shape[0] = c.input_shape.at(0);
    const Tensor target = random_tensor(target_shape, float32, -1.0, 1.0, kTargetSeed);
    const int batch = std::max(1, static_cast<int>(c.input_shape[0]) / 2);
    r.losses =
        model.fit(x, target, {.epochs = 2, .batch_size = batch, .verbose = 0}).history.at("loss");
    r.weights = model.get_weights();
    return r;
  };
  const Run cpu = run(false);
  const Run guarded = run(true);
  EXPECT_TRUE(identical(guarded.y, cpu.y)) << "output";
  ASSERT_EQ(guarded.grads.size(), cpu.grads.size());
  for (size_t k = 0; k < cpu.grads.size(); ++k) {
    EXPECT_TRUE(identical(guarded.grads[k], cpu.grads[k]))
        << "gradient " << k
        << " (0 is the input's when it is floating, then the trainable weights)";
  }
  EXPECT_EQ(guarded.losses, cpu.losses) << "fit's losses";
  ASSERT_EQ(guarded.weights.size(), cpu.weights.size());
  for (size_t k = 0; k < cpu.weights.size(); ++k) {
    EXPECT_TRUE(identical(guarded.weights[k], cpu.weights[k])) << "weight " << k << " after fit";
  }
}

// Runs one step; an exception fails the test with the step's name and the later steps still run.
template <class F>
void run_step(const char* step, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "run_layer_test " << step << " threw: " << e.what();
  }
}

}  // namespace

void run_layer_test(const LayerTestCase& c) {
  ASSERT_TRUE(static_cast<bool>(c.make_layer)) << "LayerTestCase.make_layer is not set";
  ASSERT_FALSE(c.input_shape.empty()) << "LayerTestCase.input_shape needs a batch dimension";
  ASSERT_TRUE(is_fully_defined(c.input_shape)) << shape_str(c.input_shape);
  ASSERT_TRUE(!c.expected_output_shape.empty() && c.expected_output_shape[0] != kNone)
      << "expected_output_shape needs the concrete batch: " << shape_str(c.expected_output_shape);
  ASSERT_LE(c.expected_num_trainable_weights, c.expected_num_weights)
      << "expected_num_trainable_weights exceeds expected_num_weights";

  run_step("step 1 (output shapes)", [&] { check_shapes(c); });
  run_step("step 2 (weight counts)", [&] { check_weight_counts(c); });
  if (c.check_gradients) run_step("step 3 (gradients)", [&] { check_gradients(c); });
  run_step("step 4 (get_weights / set_weights)", [&] { check_weights_round_trip(c); });
  run_step("step 7 (backend parity)", [&] { check_backend_parity(c); });
  if (c.check_saving) run_step("step 6 (saving)", [&] { check_saving(c); });
  if (c.check_training_lowers_loss) {
    run_step("step 5 (fit lowers the loss)", [&] { check_training_lowers_loss(c); });
  }
  run_step("step 8 (guarded device)", [&] { check_guarded_device(c); });
}

}  // namespace keras::test
