#include "harness/op_case.h"

#include <cctype>
#include <cmath>

#include "harness/guarded_device.h"
#include "keras/autodiff/tape.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"

namespace keras::test {
namespace {

constexpr uint64_t kInputSeed = 0x6b657261735f6f70;  // fixed: every run sees the same inputs
constexpr uint64_t kCotangentSeed = 0x5eed;
constexpr double kEps = 1e-6;

DType declared_dtype(const OpCase& c, size_t i) {
  return i < c.input_dtypes.size() ? c.input_dtypes[i] : float32;
}

// Indices of the inputs the gradient is checked for.
std::vector<size_t> differentiable_inputs(const OpCase& c, const Tensors& x) {
  std::vector<size_t> out;
  for (size_t i = 0; i < x.size(); ++i) {
    const bool wanted = i < c.differentiable.size() ? c.differentiable[i] : true;
    if (wanted && is_floating(x[i].dtype())) out.push_back(i);
  }
  return out;
}

// The fixed random cotangent r of loss = sum(y * r).
Tensor cotangent_for(const Tensor& y) {
  return random_tensor(y.shape(), y.dtype(), -1.0, 1.0, kCotangentSeed);
}

// sum(y * r) on the host, in long double (the finite-difference loss).
double host_loss(const Tensor& y, const Tensor& r) {
  const std::vector<double> yv = to_doubles(y), rv = to_doubles(r);
  long double acc = 0.0L;
  for (size_t i = 0; i < yv.size(); ++i) acc += static_cast<long double>(yv[i]) * rv[i];
  return static_cast<double>(acc);
}

struct CaseRun {
  Tensor y;
  Tensors grads;  // one per differentiable input (empty when not asked for)
};

// Runs the case once (on the current backend) with a tape; gradients of sum(y * r) if asked.
CaseRun run_case(const OpCase& c, const Tensors& x, const std::vector<size_t>& wrt, bool grads) {
  CaseRun run;
  autodiff::GradientTape tape;
  for (size_t i : wrt) tape.watch(x[i]);
  run.y = c.fn(x);
  if (grads && is_floating(run.y.dtype()) && !wrt.empty()) {
    Tensor loss = ops::sum(ops::multiply(run.y, cotangent_for(run.y)));
    Tensors sources;
    for (size_t i : wrt) sources.push_back(x[i]);
    run.grads = tape.gradient(loss, sources);
  }
  return run;
}

}  // namespace

void PrintTo(const OpCase& c, std::ostream* os) {
  *os << "OpCase{" << c.name << ", inputs";
  for (const Shape& s : c.input_shapes) *os << ' ' << shape_str(s);
  if (c.make_inputs) *os << " (custom)";
  *os << '}';
}

std::string op_case_name(const ::testing::TestParamInfo<OpCase>& info) {
  std::string name = info.param.name;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name.empty() ? "case_" + std::to_string(info.index) : name;
}

Tensors make_case_inputs(const OpCase& c, DType float_dtype) {
  Tensors xs;
  if (c.make_inputs) {
    for (const Tensor& t : c.make_inputs()) {
      xs.push_back(is_floating(t.dtype()) ? t.astype(float_dtype).clone() : t.clone());
    }
    return xs;
  }
  for (size_t i = 0; i < c.input_shapes.size(); ++i) {
    DType d = declared_dtype(c, i);
    if (is_floating(d)) d = float_dtype;
    xs.push_back(random_tensor(c.input_shapes[i], d, c.lo, c.hi, kInputSeed + 7919 * i));
  }
  return xs;
}

std::function<Tensors(void)> inputs_away_from(
    std::vector<Shape> shapes, std::vector<double> kinks, double lo, double hi, double margin) {
  return [shapes = std::move(shapes), kinks = std::move(kinks), lo, hi, margin] {
    Tensors xs;
    Generator gen(kInputSeed);
    for (const Shape& shape : shapes) {
      Tensor t = Tensor::empty(shape, float64);
      double* p = t.data<double>();
      for (int64_t j = 0; j < t.size(); ++j) {
        double v;
        bool near;
        int tries = 0;
        do {
          v = lo + (hi - lo) * gen.next_double();
          near = false;
          for (double k : kinks) near = near || std::abs(v - k) < margin;
        } while (near && ++tries < 1000);
        KERAS_CHECK(!near, ValueError, "inputs_away_from: [", lo, ", ", hi,
                    "] leaves no room away from the kinks");
        p[j] = v;
      }
      xs.push_back(t);
    }
    return xs;
  };
}

TEST_P(OpTest, GradientMatchesFiniteDifferences) {
  const OpCase& c = GetParam();
  if (c.forward_only) GTEST_SKIP() << c.name << " is forward_only";
  Tensors x = make_case_inputs(c, float64);
  const std::vector<size_t> wrt = differentiable_inputs(c, x);
  if (wrt.empty()) GTEST_SKIP() << c.name << " has no differentiable input";

  const CaseRun run = run_case(c, x, wrt, /*grads=*/true);
  ASSERT_EQ(run.y.dtype(), float64)
      << "with float64 inputs the output must be float64 for a gradient check (or mark the case "
         "forward_only)";
  const Tensor r = cotangent_for(run.y);
  ASSERT_EQ(run.grads.size(), wrt.size());

  for (size_t k = 0; k < wrt.size(); ++k) {
    const size_t i = wrt[k];
    SCOPED_TRACE(::testing::Message()
                 << "gradient wrt input " << i << " of shape " << shape_str(x[i].shape()));
    Tensor analytic = run.grads[k];
    if (!analytic.defined()) {
      // "No gradient": the output must then not depend on this input.
      analytic = zeros(x[i].shape(), float64);
    }
    ASSERT_EQ(analytic.shape(), x[i].shape());
    ASSERT_EQ(analytic.dtype(), float64);

    Tensor numeric = Tensor::empty(x[i].shape(), float64);
    double* p = x[i].data<double>();
    double* out = numeric.data<double>();
    for (int64_t j = 0; j < x[i].size(); ++j) {
      const double saved = p[j];
      p[j] = saved + kEps;
      const double plus = host_loss(c.fn(x), r);
      p[j] = saved - kEps;
      const double minus = host_loss(c.fn(x), r);
      p[j] = saved;
      out[j] = (plus - minus) / (2 * kEps);
    }
    EXPECT_TRUE(all_close(analytic, numeric, c.grad_tol, c.grad_tol))
        << (run.grads[k].defined() ? "" : "(the tape returned no gradient) ");
  }
}

TEST_P(OpTest, CpuMatchesReference) {
  const OpCase& c = GetParam();
  const Tensors x = make_case_inputs(c, float32);
  const std::vector<size_t> wrt = differentiable_inputs(c, x);
  const bool grads = !c.forward_only;

  CaseRun ref, cpu;
  {
    backend::ScopedBackend scope(backend::reference_backend());
    ref = run_case(c, x, wrt, grads);
  }
  {
    backend::ScopedBackend scope(backend::cpu_backend());
    cpu = run_case(c, x, wrt, grads);
  }
  EXPECT_TRUE(parity(cpu.y, ref.y, c.parity_tol)) << "forward output";
  ASSERT_EQ(cpu.grads.size(), ref.grads.size());
  for (size_t k = 0; k < ref.grads.size(); ++k) {
    EXPECT_TRUE(parity(cpu.grads[k], ref.grads[k], c.parity_tol))
        << "gradient wrt input " << wrt[k];
  }
}

TEST_P(OpTest, GuardedDeviceMatchesCpu) {
  const OpCase& c = GetParam();
  const Tensors x = make_case_inputs(c, float32);
  const std::vector<size_t> wrt = differentiable_inputs(c, x);
  const bool grads = !c.forward_only;
  // Stochastic ops draw the same numbers in both runs.
  const Generator::State random_state = global_generator().state();
  const CaseRun cpu = run_case(c, x, wrt, grads);
  global_generator().set_state(random_state);
  CaseRun guarded;
  {
    const OnGuardedDevice scope;
    Tensors xg;
    for (const Tensor& t : x) xg.push_back(t.to(guarded_device()));
    guarded = run_case(c, xg, wrt, grads);
  }
  // The guarded device runs the CPU's kernels on the same shapes: every bit agrees.
  ASSERT_TRUE(guarded.y.defined());
  EXPECT_EQ(guarded.y.device(), guarded_device()) << "the output left the inputs' device";
  EXPECT_TRUE(identical(guarded.y, cpu.y)) << "forward output";
  ASSERT_EQ(guarded.grads.size(), cpu.grads.size());
  for (size_t k = 0; k < cpu.grads.size(); ++k) {
    EXPECT_TRUE(identical(guarded.grads[k], cpu.grads[k])) << "gradient wrt input " << wrt[k];
  }
}

TEST_P(OpTest, ShapeIsConsistent) {
  const OpCase& c = GetParam();
  const Tensors x32 = make_case_inputs(c, float32);
  const Tensors x64 = make_case_inputs(c, float64);
  const Tensor y32 = c.fn(x32);
  const Tensor y64 = c.fn(x64);
  ASSERT_TRUE(y32.defined());
  EXPECT_EQ(shape_str(y32.shape()), shape_str(y64.shape())) << "float32 vs float64 inputs";
  if (c.expected_shape) {
    EXPECT_EQ(shape_str(y32.shape()), shape_str(*c.expected_shape));
  }
  if (c.expected_dtype) {
    EXPECT_EQ(y32.dtype(), *c.expected_dtype);
  }
  if (c.forward_only) return;

  const std::vector<size_t> wrt = differentiable_inputs(c, x32);
  const CaseRun run = run_case(c, x32, wrt, /*grads=*/true);
  if (!is_floating(run.y.dtype())) return;
  ASSERT_EQ(run.grads.size(), wrt.size());
  for (size_t k = 0; k < wrt.size(); ++k) {
    if (!run.grads[k].defined()) continue;  // GradientMatchesFiniteDifferences judges these
    EXPECT_EQ(shape_str(run.grads[k].shape()), shape_str(x32[wrt[k]].shape()))
        << "gradient wrt input " << wrt[k];
    EXPECT_EQ(run.grads[k].dtype(), x32[wrt[k]].dtype()) << "gradient wrt input " << wrt[k];
  }
}

}  // namespace keras::test
