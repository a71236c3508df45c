// keras.ops' control flow (cond, switch, map, scan, fori_loop, while_loop, associative_scan,
// vectorized_map) on concrete tensors with C++ callables. Each runs eagerly, calling the
// callables on tensors, so a GradientTape records through the ops they call and gradients flow
// as through JAX's control flow. Keras's semantics and errors, as JAX's: a scalar predicate or
// index, a branch index clamped into range, loop carries that keep their shapes and dtypes.
//
// A value is a Tensor or a list of tensors (Tensors), Keras's single tensor or tuple; the
// callables take and return that type (a C++ type checks what JAX's pytree check does).
//
// Not for KerasTensors: a C++ callable cannot be saved in a Keras file, so keras.cpp has no
// symbolic Cond, Scan, WhileLoop, ... nodes (docs/differences.md); call these inside a layer's
// call, or build the graph from the ops they would run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "keras/core/error.h"
#include "keras/core/tensor.h"

namespace keras::ops {

namespace control_flow_detail {
// The truth of a scalar predicate (bool or number, any device). TypeError "Pred must be a
// scalar, got ... of shape (2,)." otherwise.
bool truth(const Tensor& pred, const char* what);
inline bool truth(bool pred, const char*) {
  return pred;
}
// lax.switch's branch: index (a scalar integer) clamped into [0, branches).
int64_t branch(const Tensor& index, size_t branches);
// Entry i along axis 0, the axis removed (differentiable).
Tensor row(const Tensor& x, int64_t i);
// The rows stacked along a new axis 0 (differentiable).
Tensor stack_rows(const Tensors& rows);
// TypeError unless `out` has the count, shapes and dtypes of `in` (`what` names the loop).
void expect_same_types(const Tensors& in, const Tensors& out, const char* what);
// The common leading size of xs (ValueError naming `what` when they differ); -1 for none.
int64_t leading_size(const Tensors& xs, const char* what);

// A value as a list, and back.
inline Tensors as_list(const Tensor& t) {
  return t.defined() ? Tensors{t} : Tensors{};
}
inline Tensors as_list(const Tensors& t) {
  return t;
}
template <class V>
V from_list(const Tensors& list) {
  if constexpr (std::is_same_v<V, Tensor>) {
    return list.empty() ? Tensor{} : list[0];
  } else {
    return list;
  }
}
// The value of row i of every tensor of xs.
template <class V>
V rows_at(const V& xs, int64_t i) {
  Tensors out;
  for (const Tensor& x : as_list(xs)) out.push_back(row(x, i));
  return from_list<V>(out);
}
// A list of per-step values stacked tensor by tensor.
template <class V>
V stack_steps(const std::vector<V>& steps) {
  if (steps.empty()) return V{};
  const size_t n = as_list(steps[0]).size();
  Tensors out;
  for (size_t k = 0; k < n; ++k) {
    Tensors rows;
    for (const V& s : steps) rows.push_back(as_list(s)[k]);
    out.push_back(stack_rows(rows));
  }
  return from_list<V>(out);
}
}  // namespace control_flow_detail

// keras.ops.cond: true_fn() if pred else false_fn(). pred: bool, or a scalar tensor (bool or
// number, nonzero is true). Both callables return the same type (Tensor, Tensors, ...).
template <class Pred, class TrueFn, class FalseFn>
auto cond(const Pred& pred, TrueFn true_fn, FalseFn false_fn) {
  return control_flow_detail::truth(pred, "cond") ? true_fn() : false_fn();
}

// keras.ops.switch (`switch` is a C++ keyword): branches[index](operands...), index a scalar
// integer tensor or an integer, clamped into [0, branches.size() - 1] as lax.switch clamps it.
// branches: a vector of callables of one type (std::function<Tensor(const Tensor&)>, say).
// ValueError "Empty branch sequence" for no branches; TypeError for an index that is not a
// scalar integer.
template <class Branch, class... Operands>
auto switch_(const Tensor& index,
             const std::vector<Branch>& branches,
             const Operands&... operands) {
  return branches[static_cast<size_t>(control_flow_detail::branch(index, branches.size()))](
      operands...);
}
template <class Branch, class... Operands>
auto switch_(int64_t index, const std::vector<Branch>& branches, const Operands&... operands) {
  return switch_(Tensor::scalar<int64_t>(index), branches, operands...);
}

// keras.ops.map: f applied to each entry of xs along axis 0 (each tensor of a list sliced
// together), the results stacked along a new axis 0. xs: Tensor or Tensors; f returns a Tensor
// or Tensors. ValueError when the tensors of xs have different leading sizes.
template <class F, class Xs>
auto map(F f, const Xs& xs) {
  namespace d = control_flow_detail;
  using Y = std::decay_t<decltype(f(xs))>;
  const int64_t n = d::leading_size(d::as_list(xs), "map");
  std::vector<Y> ys;
  for (int64_t i = 0; i < n; ++i) ys.push_back(f(d::rows_at(xs, i)));
  return d::stack_steps(ys);
}

// keras.ops.vectorized_map: f applied to each entry of elements along axis 0, stacked (the
// eager result of jax.vmap; f runs once per entry).
template <class F, class Xs>
auto vectorized_map(F f, const Xs& elements) {
  return map(std::move(f), elements);
}

// keras.ops.scan: carry = init; for each entry x of xs along axis 0 (from the last when
// reverse): (carry, y) = f(carry, x); returns (carry, ys stacked along a new axis 0, in xs'
// order). Carry and y: Tensor or Tensors, f returning std::pair<Carry, Y>. xs: Tensor or
// Tensors; an undefined Tensor or an empty list is Keras's xs=None (then `length` steps, f
// getting the same empty value). An undefined y (or empty list) gives undefined ys. unroll only
// tunes JAX's compiled loop. ValueError "`unroll` must be an positive integer or boolean.
// Received: unroll=0", "scan got `length` argument of 3 which disagrees with leading axis sizes
// [4].", "scan got no values to scan over and `length` not provided."; TypeError when f
// returns a carry of another shape or dtype.
template <class F, class Carry, class Xs = Tensors>
auto scan(F f,
          const Carry& init,
          const Xs& xs = Xs{},
          std::optional<int64_t> length = std::nullopt,
          bool reverse = false,
          int unroll = 1) {
  namespace d = control_flow_detail;
  using Result = std::decay_t<decltype(f(init, xs))>;
  using Y = std::decay_t<decltype(std::declval<Result>().second)>;
  KERAS_CHECK(unroll >= 1, ValueError,
              "`unroll` must be an positive integer or boolean. Received: unroll=", unroll);
  const int64_t n_xs = d::leading_size(d::as_list(xs), "scan");
  KERAS_CHECK(n_xs >= 0 || length, ValueError,
              "scan got no values to scan over and `length` not provided.");
  KERAS_CHECK(n_xs < 0 || !length || *length == n_xs, ValueError, "scan got `length` argument of ",
              length.value_or(0), " which disagrees with leading axis sizes [", n_xs, "].");
  const int64_t n = n_xs >= 0 ? n_xs : *length;
  KERAS_CHECK(n >= 0, ValueError, "scan: `length` must be non-negative, got ", n);
  Carry carry = init;
  std::vector<Y> ys(static_cast<size_t>(n));
  for (int64_t step = 0; step < n; ++step) {
    const int64_t i = reverse ? n - 1 - step : step;
    Result r = f(carry, n_xs >= 0 ? d::rows_at(xs, i) : xs);
    d::expect_same_types(d::as_list(carry), d::as_list(r.first), "scan");
    carry = std::move(r.first);
    ys[static_cast<size_t>(i)] = std::move(r.second);
  }
  const bool no_ys = n == 0 || d::as_list(ys[0]).empty();
  return std::pair<Carry, Y>{carry, no_ys ? Y{} : d::stack_steps(ys)};
}

// keras.ops.fori_loop: val = init_val; for i in [lower, upper): val = body(i, val); returns val.
// body takes (int64_t i, const Val&) and returns a Val (Tensor, Tensors, ...). TypeError when
// body changes a tensor's shape or dtype.
template <class Body, class Val>
Val fori_loop(int64_t lower, int64_t upper, Body body, const Val& init_val) {
  namespace d = control_flow_detail;
  Val val = init_val;
  for (int64_t i = lower; i < upper; ++i) {
    Val next = body(i, val);
    if constexpr (std::is_same_v<Val, Tensor> || std::is_same_v<Val, Tensors>)
      d::expect_same_types(d::as_list(val), d::as_list(next), "fori_loop");
    val = std::move(next);
  }
  return val;
}

// keras.ops.while_loop: while cond(vars) (a bool or a scalar tensor) and fewer than
// maximum_iterations steps: vars = body(vars); returns vars. loop_vars: Tensor or Tensors (cond
// and body take them as one value, where Keras unpacks a tuple into arguments). TypeError when
// body changes a tensor's shape or dtype, or returns another count of them.
template <class Cond, class Body, class Vars>
Vars while_loop(Cond cond,
                Body body,
                const Vars& loop_vars,
                std::optional<int64_t> maximum_iterations = std::nullopt) {
  namespace d = control_flow_detail;
  Vars vars = loop_vars;
  for (int64_t i = 0;
       (!maximum_iterations || i < *maximum_iterations) && d::truth(cond(vars), "while_loop");
       ++i) {
    Vars next = body(vars);
    d::expect_same_types(d::as_list(vars), d::as_list(next), "while_loop");
    vars = std::move(next);
  }
  return vars;
}

// keras.ops.associative_scan (lax.associative_scan): the inclusive scan of elems along `axis`
// under the associative f (reverse: from the end), out[i] = f(...f(f(x0, x1), x2)..., xi). f
// takes two values of elems' type whose tensors are equal-length slices along `axis` and
// combines them elementwise; it is called O(log n) times on such slices, in JAX's order of
// combinations, so floating-point results are JAX's. ValueError "Array inputs to
// associative_scan must have the same first dimension. (saw: [(3,), (4,)])" when elems'
// tensors differ along the axis.
template <class F, class Elems>
Elems associative_scan(F f, const Elems& elems, bool reverse = false, int axis = 0);

namespace control_flow_detail {
using Combine = std::function<Tensors(const Tensors&, const Tensors&)>;
Tensors associative_scan(const Combine& f, const Tensors& elems, bool reverse, int axis);
}  // namespace control_flow_detail

template <class F, class Elems>
Elems associative_scan(F f, const Elems& elems, bool reverse, int axis) {
  namespace d = control_flow_detail;
  const d::Combine combine = [&f](const Tensors& a, const Tensors& b) {
    return d::as_list(f(d::from_list<Elems>(a), d::from_list<Elems>(b)));
  };
  return d::from_list<Elems>(d::associative_scan(combine, d::as_list(elems), reverse, axis));
}

}  // namespace keras::ops
