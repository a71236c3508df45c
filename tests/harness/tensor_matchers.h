// Test helpers for tensors: closeness checks, seeded random tensors, and exception-message checks.
//
//   test::expect_all_close(actual, expected, /*rtol=*/1e-6, /*atol=*/1e-6);
//   Tensor x = test::random_tensor({2, 3}, float64, -1.0, 1.0, /*seed=*/7);
//   test::expect_throws_with<ValueError>([&] { ops::matmul(a, b); }, "inner dimensions differ");
//   EXPECT_THAT([&] { ops::matmul(a, b); }, test::ThrowsMessage("inner dimensions differ"));
//   EXPECT_EQ(test::message_of<ValueError>([&] { ops::matmul(a, b); }), "whole message");
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <source_location>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "keras/core/error.h"
#include "keras/core/random.h"
#include "keras/core/tensor.h"

namespace keras::test {

// The elements of a tensor of any dtype on any device, converted to double (row-major order).
inline std::vector<double> to_doubles(const Tensor& device_tensor) {
  const Tensor t = device_tensor.cpu();
  std::vector<double> out(static_cast<size_t>(t.size()));
  visit_dtype(t.dtype(), [&]<class T>() {
    const T* p = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(p[i]);
  });
  return out;
}

// Largest |x| over the tensor's finite elements (0 for an empty tensor).
inline double max_abs(const Tensor& t) {
  double m = 0.0;
  for (double v : to_doubles(t)) {
    if (std::isfinite(v)) m = std::max(m, std::abs(v));
  }
  return m;
}

// A tensor of `dtype` holding `values` (converted), shaped `shape` (1-D float64 when omitted), on
// the default device.
inline Tensor tensor_of(const std::vector<double>& values, Shape shape, DType dtype = float64) {
  Tensor t = Tensor::empty(std::move(shape), dtype, Device::cpu());
  KERAS_CHECK(static_cast<size_t>(t.size()) == values.size(), ValueError,
              "tensor_of: ", values.size(), " values do not fill shape ", shape_str(t.shape()));
  visit_dtype(dtype, [&]<class T>() {
    T* p = t.data<T>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<T>(values[i]);
  });
  return t.to(default_device());
}
inline Tensor tensor_of(const std::vector<double>& values) {
  return tensor_of(values, {static_cast<int64_t>(values.size())}, float64);
}

// Seeded random tensor. Floating dtypes: uniform in [lo, hi). Integer dtypes: uniform integers in
// [ceil(lo), floor(hi)]. bool: true with probability 1/2. The same seed gives the same values in
// every dtype (float32 values are the float64 ones rounded). On the default device.
inline Tensor random_tensor(Shape shape, DType dtype, double lo, double hi, uint64_t seed) {
  Tensor t = Tensor::empty(std::move(shape), dtype, Device::cpu());
  Generator gen(seed);
  visit_dtype(dtype, [&]<class T>() {
    T* p = t.data<T>();
    for (int64_t i = 0; i < t.size(); ++i) {
      if constexpr (std::is_same_v<T, bool>) {
        p[i] = (gen.next_u64() >> 63) != 0;
      } else if constexpr (std::is_floating_point_v<T>) {
        p[i] = static_cast<T>(lo + (hi - lo) * gen.next_double());
      } else {
        const auto first = static_cast<int64_t>(std::ceil(lo));
        const auto last = static_cast<int64_t>(std::floor(hi));
        const auto span = static_cast<uint64_t>(std::max<int64_t>(last - first + 1, 1));
        p[i] = static_cast<T>(first + static_cast<int64_t>(gen.next_below(span)));
      }
    }
  });
  return t.to(default_device());
}

// Checks that `actual` and `expected` have the same shape and dtype and that every element
// satisfies |actual - expected| <= atol + rtol * |expected| (NaNs must match NaNs, infinities must
// match exactly). Lists the first few mismatches.
inline ::testing::AssertionResult all_close(const Tensor& actual,
                                            const Tensor& expected,
                                            double rtol,
                                            double atol) {
  if (!actual.defined() || !expected.defined()) {
    return ::testing::AssertionFailure()
           << "undefined tensor (actual " << (actual.defined() ? "defined" : "undefined")
           << ", expected " << (expected.defined() ? "defined" : "undefined") << ")";
  }
  if (actual.shape() != expected.shape()) {
    return ::testing::AssertionFailure() << "shape " << shape_str(actual.shape()) << " != expected "
                                         << shape_str(expected.shape());
  }
  if (actual.dtype() != expected.dtype()) {
    return ::testing::AssertionFailure()
           << "dtype " << actual.dtype() << " != expected " << expected.dtype();
  }
  if (actual.dtype() == DType::string) {  // strings: equal
    const std::span<std::string> a = actual.strings(), e = expected.strings();
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] != e[i]) {
        return ::testing::AssertionFailure()
               << "string " << i << " is '" << a[i] << "', expected '" << e[i] << "'";
      }
    }
    return ::testing::AssertionSuccess();
  }
  const std::vector<double> a = to_doubles(actual), e = to_doubles(expected);
  std::ostringstream details;
  details << std::setprecision(17);
  int64_t bad = 0;
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    bool ok;
    if (std::isnan(e[i]) || std::isnan(a[i])) {
      ok = std::isnan(e[i]) && std::isnan(a[i]);
    } else if (std::isinf(e[i]) || std::isinf(a[i])) {
      ok = a[i] == e[i];
    } else {
      const double err = std::abs(a[i] - e[i]);
      ok = err <= atol + rtol * std::abs(e[i]);
      if (!ok) worst = std::max(worst, err);
    }
    if (!ok) {
      if (bad < 5) {
        details << "\n  at flat index " << i << ": actual " << a[i] << ", expected " << e[i]
                << " (diff " << a[i] - e[i] << ")";
      }
      ++bad;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << a.size() << " elements differ (rtol " << rtol << ", atol " << atol
         << ", largest finite diff " << worst << "):" << details.str();
}

// The same shape, dtype and bytes (both undefined also agree), on any devices: for the same
// kernels on the same shapes, where every bit must agree.
inline ::testing::AssertionResult identical(const Tensor& actual, const Tensor& expected) {
  if (actual.defined() != expected.defined()) {
    return ::testing::AssertionFailure()
           << "actual is " << (actual.defined() ? "" : "un") << "defined, expected is "
           << (expected.defined() ? "" : "un") << "defined";
  }
  if (!actual.defined()) return ::testing::AssertionSuccess();
  if (actual.shape() != expected.shape() || actual.dtype() != expected.dtype()) {
    return ::testing::AssertionFailure()
           << shape_str(actual.shape()) << " " << actual.dtype() << " != expected "
           << shape_str(expected.shape()) << " " << expected.dtype();
  }
  const Tensor a = actual.cpu(), e = expected.cpu();
  const auto* pa = static_cast<const unsigned char*>(a.host_data());
  const auto* pe = static_cast<const unsigned char*>(e.host_data());
  if (std::equal(pa, pa + a.nbytes(), pe)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "the bytes differ" << all_close(actual, expected, 0.0, 0.0).message();
}

// Backend parity: all_close within `tol` relative to the magnitude of the reference result
// (exact for non-floating results); both undefined also agree.
inline ::testing::AssertionResult parity(const Tensor& actual,
                                         const Tensor& reference,
                                         double tol) {
  if (actual.defined() != reference.defined()) {
    return ::testing::AssertionFailure() << "one backend returned an undefined tensor (reference "
                                         << (reference.defined() ? "defined" : "undefined") << ")";
  }
  if (!actual.defined()) return ::testing::AssertionSuccess();
  if (!is_floating(reference.dtype())) return all_close(actual, reference, 0.0, 0.0);
  return all_close(actual, reference, tol, tol * std::max(1.0, max_abs(reference)));
}

// EXPECTs all_close(actual, expected, rtol, atol); failures point at the caller's line.
inline void expect_all_close(const Tensor& actual,
                             const Tensor& expected,
                             double rtol,
                             double atol,
                             std::source_location where = std::source_location::current()) {
  const ::testing::AssertionResult r = all_close(actual, expected, rtol, atol);
  if (!r) ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line())) << r.message();
}

// Expects f() to throw E (or a subclass) whose what() contains `substring`.
template <class E = Error, class F>
void expect_throws_with(F&& f,
                        std::string_view substring,
                        std::source_location where = std::source_location::current()) {
  try {
    std::forward<F>(f)();
  } catch (const E& e) {
    const std::string_view what = e.what();
    if (what.find(substring) == std::string_view::npos) {
      ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
          << "exception message \"" << what << "\" does not contain \"" << substring << "\"";
    }
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
        << "threw an exception of the wrong type (" << typeid(e).name() << "): " << e.what();
    return;
  } catch (...) {
    ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
        << "threw a non-std exception";
    return;
  }
  ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
      << "did not throw (expected a message containing \"" << substring << "\")";
}

// The message of the E that f() throws, for comparing whole messages: "no exception" when f()
// returns, "wrong exception type: <what>" for another exception.
template <class E = Error, class F>
std::string message_of(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception type: ") + e.what();
  }
  return "no exception";
}

// gMock matcher form: EXPECT_THAT([&] { ... }, test::ThrowsMessage("text")).
template <class E = Error>
auto ThrowsMessage(const std::string& substring) {
  return ::testing::ThrowsMessage<E>(::testing::HasSubstr(substring));
}

}  // namespace keras::test
