// Reading a saved keras.ops call (internal to the op table): its positional arguments (tensors,
// Python numbers, NumPy constants) and its config values, each check a ValueError naming the op.
// Shared by the table's rows in op_table.cpp and op_table_more.cpp.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "op_table.h"

namespace keras::layers::op_table {

using Fn = OpLayerImpl::Fn;

inline const char* const kNumpy = "keras.src.ops.numpy";
inline const char* const kNn = "keras.src.ops.nn";
inline const char* const kCore = "keras.src.ops.core";
inline const char* const kMath = "keras.src.ops.math";
inline const char* const kLinalg = "keras.src.ops.linalg";
inline const char* const kImage = "keras.src.ops.image";

// The rows of op_table_more.cpp, appended to the table's.
std::vector<Spec> more_rows();
// The rows of op_table_numpy.cpp, appended after them.
std::vector<Spec> numpy_rows();

// A constant array: Keras writes NumPy arrays as __numpy__, backend tensors as __tensor__.
bool is_array_constant(const Json& j);

// ---- arguments ----

void expect_arity(const Call& c, size_t n);

// One operand of an elementwise op: input `input`, a NumPy constant, or a Python scalar, which
// JAX promotes as a weak type (see constant_for).
struct Operand {
  int input = -1;
  Tensor constant;
  double value = 0;
  bool boolean = false;
};
// Argument i of the call; `next` counts the tensors met so far (the node's input numbers).
Operand operand(const Json& a, int& next, const Call& c, size_t i);
// A Python scalar beside tensor x, as JAX promotes it: a non-integral number makes an integer or
// bool x float32, any other number makes a bool x int32.
Tensor constant_for(const Operand& c, Tensor& x);
// The operands of an elementwise call, from the node's inputs; `first` is the first operand that
// takes part in promotion (Where's condition does not).
std::vector<Operand> operands(const Call& c, size_t n, size_t first);
Tensors resolve(const std::vector<Operand>& ops_, size_t first, const Tensors& in);
void expect_one_tensor(const Call& c);
// A list of tensors as the only argument (Concatenate, Stack).
void expect_tensor_list(const Call& c);

// ---- config values ----

const char* w(const Call& c);
// An int or a list of ints under `key` (absent: every axis, the empty list).
std::vector<int> axes_of(const Call& c, const char* key = "axis");
int int_of(const Call& c, const char* key, int fallback);
double number_of(const Call& c, const char* key, double fallback);
bool bool_of(const Call& c, const char* key, bool fallback);
void expect_null(const Call& c, const char* key, const char* cls);
std::optional<DType> dtype_of(const Call& c);
// An op's data_format: null (Keras's default image_data_format) is channels_last.
std::string data_format_of(const Call& c);
int normalize_axis(int axis, int rank, const char* what);
// An int or a list of ints under `key` (absent or null: empty).
std::vector<int64_t> ints_of(const Call& c, const char* key);
// A constant list of ints in a call: a JSON list or a NumPy array (at most 64 of them).
std::vector<int64_t> constant_ints(const Json& j, const char* key, const Call& c);
// Constant indices as Keras writes them: an int, nested lists of ints, or a NumPy array.
Tensor constant_indices(const Json& j, const Call& c);
// A padding name as the backends read it (lower-cased), one of `allowed`.
std::string padding_of(const Call& c, std::initializer_list<const char*> allowed);
// strides or dilation_rate: an int or a list, 1 when absent or null.
std::vector<int64_t> spatial_of(const Call& c, const char* key);

// ---- row templates ----

// F(a, b) of two operands (tensors or constants, promoted as JAX).
template <Tensor (*F)(const Tensor&, const Tensor&)>
Fn binary(const Call& c) {
  const auto o = operands(c, 2, 0);
  return [o](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{F(t[0], t[1])};
  };
}

// A unary op computing f(x) (its parameters, read from the config, captured).
template <class F>
Fn unary_fn(const Call& c, F f) {
  expect_one_tensor(c);
  return [f](const Tensors& in) { return Tensors{f(in[0])}; };
}

template <Tensor (*F)(const Tensor&)>
Fn unary(const Call& c) {
  expect_one_tensor(c);
  return [](const Tensors& in) { return Tensors{F(in[0])}; };
}

}  // namespace keras::layers::op_table
