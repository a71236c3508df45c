// keras::ops on symbolic tensors. Calling an op on KerasTensors adds a node to the functional
// graph, wrapping the eager op in an OpLayer (as Keras 3 does with its Operation nodes):
//   auto x = keras::Input({784});
//   auto h = keras::ops::relu(keras::ops::matmul(x, w) + b);   // w, b: KerasTensors or Tensors
// Output shapes are found by running the op on small placeholder tensors twice, with different
// sizes for the unknown (None) dimensions: a dimension that changes between the runs is None.
//
// Saving: every op below saves as Keras 3 saves its Operation ({"module": "keras.src.ops.numpy",
// "class_name": "Add", "config": {"name": "add"}, "inbound_nodes": [{"args": [x, 2], ...}]}:
// constants among the arguments as Keras writes them) and loads from Keras 3's files, with the
// other keras.ops classes of OpLayerImpl::saved_classes() (GetItem, Pad, Std, ...). An op built
// with apply_op from a C++ function is not serializable: saving its model throws
// NotImplementedError naming it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/layers/layer.h"
#include "keras/ops/conv.h"
#include "keras/ops/image.h"
#include "keras/ops/nn.h"

namespace keras::layers {

namespace op_table {
struct Spec;
}

class OpLayerImpl final : public Layer {
 public:
  using Fn = std::function<Tensors(const Tensors&)>;
  // `op_name` in snake_case ("add"); the layer is named "<op_name>_<n>". Not serializable.
  OpLayerImpl(std::string op_name, Fn fn);
  // A saved op: `class_name` one of saved_classes() ("Add"), `config` as Keras writes it
  // ({"name": "any", "axis": -1, "keepdims": false}; no name: a fresh "<op>_<n>"), `args` and
  // `kwargs` its call's arguments, each tensor written as an object
  // {"class_name": "__keras_tensor__", ...} and taken from the node's inputs in depth-first order,
  // other values constants ([x, 0]; NumPy arrays as {"class_name": "__numpy__", ...}).
  // ValueError naming the op and the key or argument that keras.cpp does not support.
  OpLayerImpl(const std::string& class_name,
              const Json& config,
              const Json& args,
              const Json& kwargs);
  OpLayerImpl(const std::string& class_name, const Json& config, const Json& args);
  // From a config alone (the registry's form): set_call_arguments must follow, before its call.
  static std::shared_ptr<Layer> from_config(const std::string& class_name, const Json& config);
  // The Keras 3 classes that save and load (Add, Mean, Reshape, Take, GetItem, Softmax, ...).
  static std::vector<std::string> saved_classes();
  // The saved node's "args" and "kwargs" (only the keyword arguments Keras passes to the op, such
  // as Pad's constant_values).
  void set_call_arguments(const Json& args, const Json& kwargs);

  std::string class_name() const override { return class_name_; }
  // Keras's module of the op: "keras.src.ops.numpy", ".nn", ".core" or ".math".
  std::string module() const override;
  bool saveable() const { return saved_.has_value(); }
  // The saved config; throws NotImplementedError for an op that is not saveable.
  Json get_config() const override;
  // The node's {"args": ..., "kwargs": ...} as Keras writes them: the call's arguments with its
  // tensors replaced by `tensors` (their __keras_tensor__ forms), in the order of the node's
  // inputs: the positional arguments' tensors, then the keyword arguments' by sorted key
  // (kwargs are {} for most ops).
  Json call_json(const std::vector<Json>& tensors) const;

  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  // Records the dtypes of the next symbolic call (output dtypes come from the placeholder run).
  void set_input_dtypes(std::vector<DType> dtypes) { input_dtypes_ = std::move(dtypes); }
  // Symbolic call that records the inputs' dtypes first.
  KerasTensors apply(const KerasTensors& inputs);

 private:
  struct Saved {
    const op_table::Spec* spec;
    std::shared_ptr<const Json> config;
    std::shared_ptr<const Json> args;  // null until set_call_arguments
    std::shared_ptr<const Json> kwargs;
  };
  OpLayerImpl(const op_table::Spec& spec, const Json& config);
  Tensors run_placeholder(const std::vector<Shape>& shapes, int64_t unknown) const;
  std::string class_name_;
  Fn fn_;
  std::optional<Saved> saved_;
  std::vector<DType> input_dtypes_;
  mutable std::vector<DType> output_dtypes_;  // from the last placeholder run
};

// Shape inference by placeholder runs, shared by OpLayer and Lambda:
// zeros of `shapes` with every None dimension set to `unknown`, in `dtypes` (float32 past its end);
Tensors placeholder_inputs(const std::vector<Shape>& shapes,
                           const std::vector<DType>& dtypes,
                           int64_t unknown);
// the output shapes of two runs with different `unknown` sizes: a dimension that differs is None.
std::vector<Shape> shapes_from_placeholder_runs(const Tensors& a, const Tensors& b);

// Adds a node computing fn(inputs) to the graph; returns its outputs.
KerasTensors apply_op(const std::string& op_name, OpLayerImpl::Fn fn, const KerasTensors& inputs);

}  // namespace keras::layers

namespace keras::ops {

// Ops on KerasTensors, each saved as Keras 3's class of the same keras.ops function (add: Add,
// abs: Absolute, divide: Divide, true_divide and operator/: TrueDivide, slice_axis: GetItem with
// slices, ...), with its constants among the node's arguments.
// Binary ops (KerasTensor with KerasTensor, and with a scalar, which promotes as a Python number
// does in JAX: int32 + 1.5 is float32).
KerasTensor add(const KerasTensor& a, const KerasTensor& b);
KerasTensor subtract(const KerasTensor& a, const KerasTensor& b);
KerasTensor multiply(const KerasTensor& a, const KerasTensor& b);
KerasTensor divide(const KerasTensor& a, const KerasTensor& b);
KerasTensor true_divide(const KerasTensor& a, const KerasTensor& b);  // Python's a / b
KerasTensor maximum(const KerasTensor& a, const KerasTensor& b);
KerasTensor minimum(const KerasTensor& a, const KerasTensor& b);
KerasTensor power(const KerasTensor& a, const KerasTensor& b);
KerasTensor equal(const KerasTensor& a, const KerasTensor& b);
KerasTensor not_equal(const KerasTensor& a, const KerasTensor& b);
KerasTensor less(const KerasTensor& a, const KerasTensor& b);
KerasTensor less_equal(const KerasTensor& a, const KerasTensor& b);
KerasTensor greater(const KerasTensor& a, const KerasTensor& b);
KerasTensor greater_equal(const KerasTensor& a, const KerasTensor& b);
KerasTensor logical_and(const KerasTensor& a, const KerasTensor& b);
KerasTensor logical_or(const KerasTensor& a, const KerasTensor& b);
// Comparisons with a constant (Keras's `not_equal(ids, 0)`, the mask of Embedding(mask_zero)).
KerasTensor equal(const KerasTensor& a, double b);
KerasTensor not_equal(const KerasTensor& a, double b);
KerasTensor less(const KerasTensor& a, double b);
KerasTensor greater(const KerasTensor& a, double b);
KerasTensor matmul(const KerasTensor& a, const KerasTensor& b);
// b becomes a constant of the graph, saved in the node's arguments as a NumPy array.
KerasTensor matmul(const KerasTensor& a, const Tensor& b);
KerasTensor add(const KerasTensor& a, double b);
KerasTensor subtract(const KerasTensor& a, double b);
KerasTensor multiply(const KerasTensor& a, double b);
KerasTensor divide(const KerasTensor& a, double b);
KerasTensor power(const KerasTensor& a, double exponent);
// The constant first (Python's 2 - x): saved with the constant as the first argument.
KerasTensor add(double a, const KerasTensor& b);
KerasTensor subtract(double a, const KerasTensor& b);
KerasTensor multiply(double a, const KerasTensor& b);
KerasTensor true_divide(const KerasTensor& a, double b);
KerasTensor true_divide(double a, const KerasTensor& b);
// where(cond, a, b): a where cond is true, else b (broadcast).
KerasTensor where(const KerasTensor& cond, const KerasTensor& a, const KerasTensor& b);

// Unary ops and activations.
KerasTensor negative(const KerasTensor& x);
KerasTensor abs(const KerasTensor& x);
KerasTensor square(const KerasTensor& x);
KerasTensor sqrt(const KerasTensor& x);
KerasTensor exp(const KerasTensor& x);
KerasTensor log(const KerasTensor& x);
KerasTensor relu(const KerasTensor& x);
KerasTensor relu6(const KerasTensor& x);
KerasTensor leaky_relu(const KerasTensor& x, double negative_slope = 0.2);
KerasTensor sigmoid(const KerasTensor& x);
KerasTensor tanh(const KerasTensor& x);
KerasTensor softplus(const KerasTensor& x);
KerasTensor softsign(const KerasTensor& x);
KerasTensor elu(const KerasTensor& x, double alpha = 1.0);
KerasTensor selu(const KerasTensor& x);
KerasTensor gelu(const KerasTensor& x, bool approximate = true);
KerasTensor silu(const KerasTensor& x);
KerasTensor hard_sigmoid(const KerasTensor& x);
KerasTensor softmax(const KerasTensor& x, int axis = -1);
KerasTensor log_softmax(const KerasTensor& x, int axis = -1);
KerasTensor clip(const KerasTensor& x, double x_min, double x_max);
KerasTensor cast(const KerasTensor& x, DType dtype);
KerasTensor logical_not(const KerasTensor& x);
// keras.ops' NumPy functions (and keras.ops.erf), saved as Keras's Sin, Cos, ..., Erf.
KerasTensor sin(const KerasTensor& x);
KerasTensor cos(const KerasTensor& x);
KerasTensor tan(const KerasTensor& x);
KerasTensor arcsin(const KerasTensor& x);
KerasTensor arccos(const KerasTensor& x);
KerasTensor arctan(const KerasTensor& x);
KerasTensor sinh(const KerasTensor& x);
KerasTensor cosh(const KerasTensor& x);
KerasTensor arcsinh(const KerasTensor& x);
KerasTensor arccosh(const KerasTensor& x);
KerasTensor arctanh(const KerasTensor& x);
KerasTensor ceil(const KerasTensor& x);
KerasTensor trunc(const KerasTensor& x);
KerasTensor expm1(const KerasTensor& x);
KerasTensor log2(const KerasTensor& x);
KerasTensor log10(const KerasTensor& x);
KerasTensor exp2(const KerasTensor& x);
KerasTensor erf(const KerasTensor& x);
KerasTensor isnan(const KerasTensor& x);
KerasTensor isinf(const KerasTensor& x);
KerasTensor isfinite(const KerasTensor& x);
KerasTensor floor_divide(const KerasTensor& a, const KerasTensor& b);
KerasTensor floor_divide(const KerasTensor& a, double b);
KerasTensor mod(const KerasTensor& a, const KerasTensor& b);
KerasTensor mod(const KerasTensor& a, double b);
// Same shape, zeros / ones of `dtype` (x's own when nullopt).
KerasTensor zeros_like(const KerasTensor& x, std::optional<DType> dtype = std::nullopt);
KerasTensor ones_like(const KerasTensor& x, std::optional<DType> dtype = std::nullopt);

// Reductions.
KerasTensor sum(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor mean(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor max(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor min(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor prod(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor any(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor all(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor amax(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor amin(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor var(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor std(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor argmax(const KerasTensor& x, int axis = -1, bool keepdims = false);
KerasTensor argmin(const KerasTensor& x, int axis = -1, bool keepdims = false);
// Sorting (keras/ops/sort.h): saved as Keras 3's Sort, Argsort and TopK.
KerasTensor sort(const KerasTensor& x, int axis = -1);
KerasTensor argsort(const KerasTensor& x, int axis = -1);
std::pair<KerasTensor, KerasTensor> top_k(const KerasTensor& x, int64_t k, bool sorted = true);

// Shapes.
KerasTensor reshape(const KerasTensor& x, Shape shape);
KerasTensor transpose(const KerasTensor& x, std::vector<int> axes = {});
KerasTensor swapaxes(const KerasTensor& x, int axis1, int axis2);
KerasTensor tril(const KerasTensor& x, int k = 0);
KerasTensor triu(const KerasTensor& x, int k = 0);
KerasTensor flip(const KerasTensor& x, std::vector<int> axes = {});
KerasTensor roll(const KerasTensor& x, std::vector<int64_t> shifts, std::vector<int> axes = {});
KerasTensor tile(const KerasTensor& x, std::vector<int64_t> repeats);
KerasTensor cumsum(const KerasTensor& x, std::optional<int> axis = std::nullopt);
KerasTensor cumprod(const KerasTensor& x, std::optional<int> axis = std::nullopt);
KerasTensor moveaxis(const KerasTensor& x, std::vector<int> source, std::vector<int> destination);
KerasTensor expand_dims(const KerasTensor& x, int axis);
KerasTensor squeeze(const KerasTensor& x, std::optional<int> axis = std::nullopt);
KerasTensor concatenate(const KerasTensors& xs, int axis = 0);
// Joins tensors of one shape along a new axis.
KerasTensor stack(const KerasTensors& xs, int axis = 0);
// x[..., start:start + size, ...] along `axis` (start >= 0), saved as Keras's GetItem.
KerasTensor slice_axis(const KerasTensor& x, int axis, int64_t start, int64_t size);
// keras.ops.take_along_axis (saved as TakeAlongAxis); nullopt: x flattened.
KerasTensor take_along_axis(const KerasTensor& x,
                            const KerasTensor& indices,
                            std::optional<int> axis = std::nullopt);
// keras.ops.take: the entries of x at `indices` along `axis` (nullopt: of x flattened); their
// dimensions replace the axis. Constant indices may be negative (counted from the end).
KerasTensor take(const KerasTensor& x,
                 const KerasTensor& indices,
                 std::optional<int> axis = std::nullopt);
KerasTensor take(const KerasTensor& x,
                 const std::vector<int64_t>& indices,
                 std::optional<int> axis = std::nullopt);
KerasTensor one_hot(const KerasTensor& indices, int64_t num_classes, DType dtype = float32);
// keras/ops/elementwise.h's, reduce.h's, shape.h's and linalg.h's NumPy functions, saved as
// Keras 3's Arctan2, Fmax, Fmin, Logaddexp2, Isclose, Nansum, ..., Quantile, Percentile, Median,
// Ravel, Rot90, Tensordot, Outer, Inner, Vdot.
KerasTensor arctan2(const KerasTensor& a, const KerasTensor& b);
KerasTensor fmax(const KerasTensor& a, const KerasTensor& b);
KerasTensor fmin(const KerasTensor& a, const KerasTensor& b);
KerasTensor logaddexp2(const KerasTensor& a, const KerasTensor& b);
// keras.ops.isin (Keras 3's IsIn node): x2 a tensor or a list of values.
KerasTensor isin(const KerasTensor& x1,
                 const KerasTensor& x2,
                 bool assume_unique = false,
                 bool invert = false);
KerasTensor isin(const KerasTensor& x1,
                 const std::vector<double>& x2,
                 bool assume_unique = false,
                 bool invert = false);
KerasTensor isclose(const KerasTensor& a,
                    const KerasTensor& b,
                    double rtol = 1e-5,
                    double atol = 1e-8,
                    bool equal_nan = false);
KerasTensor nansum(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor nanprod(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor nanmean(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor nanmax(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor nanmin(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor nanvar(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor nanstd(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor nancumsum(const KerasTensor& x, std::optional<int> axis = std::nullopt);
KerasTensor nancumprod(const KerasTensor& x, std::optional<int> axis = std::nullopt);
KerasTensor nanargmax(const KerasTensor& x, int axis = -1, bool keepdims = false);
KerasTensor nanargmin(const KerasTensor& x, int axis = -1, bool keepdims = false);
KerasTensor median(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
// One q (no q axis) or a list of them (their axis first).
KerasTensor quantile(const KerasTensor& x,
                     std::vector<double> qs,
                     std::vector<int> axes = {},
                     const std::string& method = "linear",
                     bool keepdims = false);
KerasTensor quantile(const KerasTensor& x,
                     double q,
                     std::vector<int> axes = {},
                     const std::string& method = "linear",
                     bool keepdims = false);
KerasTensor percentile(const KerasTensor& x,
                       std::vector<double> qs,
                       std::vector<int> axes = {},
                       const std::string& method = "linear",
                       bool keepdims = false);
KerasTensor percentile(const KerasTensor& x,
                       double q,
                       std::vector<int> axes = {},
                       const std::string& method = "linear",
                       bool keepdims = false);
KerasTensor ravel(const KerasTensor& x);
KerasTensor rot90(const KerasTensor& x, int k = 1, std::pair<int, int> axes = {0, 1});
KerasTensor tensordot(const KerasTensor& a, const KerasTensor& b, int axes = 2);
KerasTensor tensordot(const KerasTensor& a,
                      const KerasTensor& b,
                      const std::vector<int>& axes_a,
                      const std::vector<int>& axes_b);
// b a constant of the graph (a NumPy array in the node's arguments), as tensordot(x, w).
KerasTensor tensordot(const KerasTensor& a, const Tensor& b, int axes = 1);
// keras.ops.norm (saved as Linalg's Norm), normalize, layer_normalization, rms_normalization
// (gamma, beta, scale: constants of the graph, undefined for none).
// keras/ops/math.h's, linalg.h's and nn.h's functions of Keras 3's later releases, saved as its
// Erfinv, I0, Kron, Cross, CDist, BinaryCrossentropy, CategoricalCrossentropy,
// SparseCategoricalCrossentropy, PSNR, Unfold and Fold.
KerasTensor erfinv(const KerasTensor& x);
KerasTensor i0(const KerasTensor& x);
KerasTensor kron(const KerasTensor& a, const KerasTensor& b);
KerasTensor cross(const KerasTensor& a,
                  const KerasTensor& b,
                  std::optional<int> axis = std::nullopt);
KerasTensor cdist(const KerasTensor& x, const KerasTensor& y);
KerasTensor binary_crossentropy(const KerasTensor& target,
                                const KerasTensor& output,
                                bool from_logits = false);
KerasTensor categorical_crossentropy(const KerasTensor& target,
                                     const KerasTensor& output,
                                     bool from_logits = false,
                                     int axis = -1);
KerasTensor sparse_categorical_crossentropy(const KerasTensor& target,
                                            const KerasTensor& output,
                                            bool from_logits = false,
                                            int axis = -1);
KerasTensor psnr(const KerasTensor& x1, const KerasTensor& x2, double max_val);
// keras/ops/linalg.h's factorizations and solves, saved as Keras's Inv, Det, Slogdet, Solve,
// SolveTriangular, Cholesky, CholeskyInverse, Qr, SVD, Eigh, LuFactor, Pinv and MatrixRank
// (svd: {u, s, vh}, or {s} without compute_uv).
KerasTensor inv(const KerasTensor& x);
KerasTensor det(const KerasTensor& x);
std::pair<KerasTensor, KerasTensor> slogdet(const KerasTensor& x);
KerasTensor solve(const KerasTensor& a, const KerasTensor& b);
KerasTensor solve_triangular(const KerasTensor& a, const KerasTensor& b, bool lower = false);
KerasTensor cholesky(const KerasTensor& x, bool upper = false);
KerasTensor cholesky_inverse(const KerasTensor& x, bool upper = false);
std::pair<KerasTensor, KerasTensor> qr(const KerasTensor& x, const std::string& mode = "reduced");
KerasTensors svd(const KerasTensor& x, bool full_matrices = true, bool compute_uv = true);
std::pair<KerasTensor, KerasTensor> eigh(const KerasTensor& x);
std::pair<KerasTensor, KerasTensor> lu_factor(const KerasTensor& x);
KerasTensor pinv(const KerasTensor& x, std::optional<double> rcond = std::nullopt);
KerasTensor matrix_rank(const KerasTensor& x, std::optional<double> tol = std::nullopt);
// keras/ops/math.h's Fourier transforms and logdet, saved as Keras's FFT, FFT2, IFFT2, RFFT,
// IRFFT, STFT, ISTFT and Logdet; a complex value is its (real, imaginary) pair. window: a name
// or none (std::nullopt).
using KerasComplex = std::pair<KerasTensor, KerasTensor>;
KerasComplex fft(const KerasComplex& x);
KerasComplex fft2(const KerasComplex& x);
KerasComplex ifft2(const KerasComplex& x);
KerasComplex rfft(const KerasTensor& x, std::optional<int64_t> fft_length = std::nullopt);
KerasTensor irfft(const KerasComplex& x, std::optional<int64_t> fft_length = std::nullopt);
KerasComplex stft(const KerasTensor& x,
                  int64_t sequence_length,
                  int64_t sequence_stride,
                  int64_t fft_length,
                  std::optional<std::string> window = "hann",
                  bool center = true);
KerasTensor istft(const KerasComplex& x,
                  int64_t sequence_length,
                  int64_t sequence_stride,
                  int64_t fft_length,
                  std::optional<int64_t> length = std::nullopt,
                  std::optional<std::string> window = "hann",
                  bool center = true);
KerasTensor logdet(const KerasTensor& x);
KerasTensor unfold(const KerasTensor& x,
                   const std::vector<int64_t>& kernel_size,
                   const UnfoldOptions& options = {});
KerasTensor fold(const KerasTensor& x,
                 const std::vector<int64_t>& output_size,
                 const std::vector<int64_t>& kernel_size,
                 const UnfoldOptions& options = {});
KerasTensor norm(const KerasTensor& x,
                 std::optional<double> ord = std::nullopt,
                 std::vector<int> axes = {},
                 bool keepdims = false);
KerasTensor norm(const KerasTensor& x,
                 const std::string& ord,
                 std::vector<int> axes = {},
                 bool keepdims = false);
KerasTensor normalize(const KerasTensor& x, int axis = -1, int order = 2);
KerasTensor layer_normalization(const KerasTensor& x,
                                const Tensor& gamma = {},
                                const Tensor& beta = {},
                                std::vector<int> axes = {-1},
                                std::optional<double> epsilon = std::nullopt);
KerasTensor rms_normalization(const KerasTensor& x,
                              const Tensor& scale = {},
                              std::vector<int> axes = {-1},
                              std::optional<double> epsilon = std::nullopt);
// keras.ops.dot_product_attention (saved as DotProductAttention); mask: bool, optional.
KerasTensor dot_product_attention(const KerasTensor& query,
                                  const KerasTensor& key,
                                  const KerasTensor& value,
                                  const std::optional<KerasTensor>& mask = std::nullopt,
                                  std::optional<double> scale = std::nullopt,
                                  bool is_causal = false);
KerasTensor outer(const KerasTensor& a, const KerasTensor& b);
KerasTensor inner(const KerasTensor& a, const KerasTensor& b);
KerasTensor vdot(const KerasTensor& a, const KerasTensor& b);
KerasTensor dot(const KerasTensor& a, const KerasTensor& b);
KerasTensor dot(const KerasTensor& a, const Tensor& b);  // b a constant of the graph

// keras/ops/conv.h's ops with constant kernels (NumPy arrays in the node's arguments), saved as
// Keras 3's Conv, DepthwiseConv, SeparableConv, ConvTranspose, MaxPool and AveragePool.
KerasTensor conv(const KerasTensor& inputs, const Tensor& kernel, const ConvOptions& options = {});
KerasTensor depthwise_conv(const KerasTensor& inputs,
                           const Tensor& kernel,
                           const ConvOptions& options = {});
KerasTensor separable_conv(const KerasTensor& inputs,
                           const Tensor& depthwise_kernel,
                           const Tensor& pointwise_kernel,
                           const ConvOptions& options = {});
KerasTensor conv_transpose(const KerasTensor& inputs,
                           const Tensor& kernel,
                           const ConvTransposeOptions& options = {});
KerasTensor max_pool(const KerasTensor& inputs,
                     const std::vector<int64_t>& pool_size,
                     const PoolOptions& options = {});
KerasTensor average_pool(const KerasTensor& inputs,
                         const std::vector<int64_t>& pool_size,
                         const PoolOptions& options = {});
// keras.ops.batch_normalization with constant statistics (offset and scale undefined for none),
// saved as Keras 3's BatchNorm.
KerasTensor batch_normalization(const KerasTensor& x,
                                const Tensor& mean,
                                const Tensor& variance,
                                int axis,
                                const Tensor& offset = {},
                                const Tensor& scale = {},
                                double epsilon = 1e-3);
// Saved as Keras 3's DepthToSpace, SpaceToDepth and MultiHot.
KerasTensor depth_to_space(const KerasTensor& x,
                           int64_t block_size,
                           const std::string& data_format = "channels_last");
KerasTensor space_to_depth(const KerasTensor& x,
                           int64_t block_size,
                           const std::string& data_format = "channels_last");
KerasTensor multi_hot(const KerasTensor& x,
                      int64_t num_classes,
                      int axis = -1,
                      DType dtype = float32);
// Saved as Keras 3's Unstack (one output per entry of the axis, which must be known), Slice,
// Diag, Average (weights undefined for none), ExtractSequences and InTopK.
KerasTensors unstack(const KerasTensor& x, int axis = 0);
KerasTensor slice(const KerasTensor& x,
                  const std::vector<int64_t>& start_indices,
                  const std::vector<int64_t>& shape);
KerasTensor diag(const KerasTensor& x, int k = 0);
KerasTensor average(const KerasTensor& x,
                    std::optional<int> axis = std::nullopt,
                    const Tensor& weights = {});
KerasTensor extract_sequences(const KerasTensor& x,
                              int64_t sequence_length,
                              int64_t sequence_stride);
KerasTensor in_top_k(const KerasTensor& targets, const KerasTensor& predictions, int64_t k);
// keras/ops/bitwise.h's, shape.h's, math.h's, sort.h's, reduce.h's and elementwise.h's NumPy
// functions of Keras 3's later releases, saved as its BitwiseAnd, BitwiseOr, BitwiseXor,
// BitwiseNot, BitwiseInvert, LeftShift, RightShift, BitwiseLeftShift, BitwiseRightShift, Gcd,
// Linspace, Logspace, Geomspace, Meshgrid, Fliplr, Flipud, Hsplit, Vsplit, Dsplit, Dstack,
// Bincount (constant weights), UnravelIndex, Argpartition, Nanmedian, Nanquantile,
// Nanpercentile, Correlate, Isreal and Conjugate (keras.ops.kaiser takes no symbolic tensor).
KerasTensor bitwise_and(const KerasTensor& x, const KerasTensor& y);
KerasTensor bitwise_or(const KerasTensor& x, const KerasTensor& y);
KerasTensor bitwise_xor(const KerasTensor& x, const KerasTensor& y);
KerasTensor bitwise_not(const KerasTensor& x);
KerasTensor bitwise_invert(const KerasTensor& x);
KerasTensor left_shift(const KerasTensor& x, const KerasTensor& y);
KerasTensor right_shift(const KerasTensor& x, const KerasTensor& y);
KerasTensor left_shift(const KerasTensor& x, int64_t y);
KerasTensor right_shift(const KerasTensor& x, int64_t y);
KerasTensor bitwise_left_shift(const KerasTensor& x, const KerasTensor& y);
KerasTensor bitwise_right_shift(const KerasTensor& x, const KerasTensor& y);
KerasTensor gcd(const KerasTensor& x1, const KerasTensor& x2);
KerasTensor linspace(const KerasTensor& start,
                     const KerasTensor& stop,
                     int64_t num = 50,
                     bool endpoint = true,
                     std::optional<DType> dtype = std::nullopt,
                     int axis = 0);
KerasTensor logspace(const KerasTensor& start,
                     const KerasTensor& stop,
                     int64_t num = 50,
                     bool endpoint = true,
                     double base = 10.0,
                     std::optional<DType> dtype = std::nullopt,
                     int axis = 0);
KerasTensor geomspace(const KerasTensor& start,
                      const KerasTensor& stop,
                      int64_t num = 50,
                      bool endpoint = true,
                      std::optional<DType> dtype = std::nullopt,
                      int axis = 0);
KerasTensors meshgrid(const KerasTensors& xs, const std::string& indexing = "xy");
KerasTensor fliplr(const KerasTensor& x);
KerasTensor flipud(const KerasTensor& x);
KerasTensors hsplit(const KerasTensor& x, int64_t sections);
KerasTensors hsplit(const KerasTensor& x, const std::vector<int64_t>& indices);
KerasTensors vsplit(const KerasTensor& x, int64_t sections);
KerasTensors vsplit(const KerasTensor& x, const std::vector<int64_t>& indices);
KerasTensors dsplit(const KerasTensor& x, int64_t sections);
KerasTensors dsplit(const KerasTensor& x, const std::vector<int64_t>& indices);
KerasTensor dstack(const KerasTensors& xs);
// The output length depends on x's values; the graph's shape is the placeholders' (minlength,
// or 1), so give a minlength above every value.
KerasTensor bincount(const KerasTensor& x, const Tensor& weights = {}, int64_t minlength = 0);
KerasTensors unravel_index(const KerasTensor& indices, const std::vector<int64_t>& shape);
KerasTensor argpartition(const KerasTensor& x, int64_t kth, std::optional<int> axis = -1);
KerasTensor nanmedian(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor nanquantile(const KerasTensor& x,
                        std::vector<double> qs,
                        std::vector<int> axes = {},
                        const std::string& method = "linear",
                        bool keepdims = false);
KerasTensor nanquantile(const KerasTensor& x,
                        double q,
                        std::vector<int> axes = {},
                        const std::string& method = "linear",
                        bool keepdims = false);
KerasTensor nanpercentile(const KerasTensor& x,
                          std::vector<double> qs,
                          std::vector<int> axes = {},
                          const std::string& method = "linear",
                          bool keepdims = false);
KerasTensor nanpercentile(const KerasTensor& x,
                          double q,
                          std::vector<int> axes = {},
                          const std::string& method = "linear",
                          bool keepdims = false);
KerasTensor correlate(const KerasTensor& x1,
                      const KerasTensor& x2,
                      const std::string& mode = "valid");
KerasTensor isreal(const KerasTensor& x);
KerasTensor conj(const KerasTensor& x);
// keras/ops/core.h's, math.h's and nn.h's core functions, saved as Keras 3's Scatter,
// ScatterUpdate, SliceUpdate, Rearrange (with axes_lengths as the call's keyword arguments),
// SegmentSum, SegmentMax, SegmentMin, SegmentProd, HardSilu (hard_swish too), CTCLoss and
// CTCDecode. Constant indices and start indices are saved in the node's arguments. The
// segment reductions need num_segments (Keras on JAX cannot load a node without it).
KerasTensor scatter(const KerasTensor& indices, const KerasTensor& values, const Shape& shape);
KerasTensor scatter(const Tensor& indices, const KerasTensor& values, const Shape& shape);
KerasTensor scatter_update(const KerasTensor& inputs,
                           const KerasTensor& indices,
                           const KerasTensor& updates,
                           const std::optional<std::string>& reduction = std::nullopt);
KerasTensor scatter_update(const KerasTensor& inputs,
                           const Tensor& indices,
                           const KerasTensor& updates,
                           const std::optional<std::string>& reduction = std::nullopt);
KerasTensor slice_update(const KerasTensor& inputs,
                         const std::vector<int64_t>& start_indices,
                         const KerasTensor& updates);
KerasTensor rearrange(const KerasTensor& tensor,
                      const std::string& pattern,
                      const std::map<std::string, int64_t>& axes_lengths = {});
KerasTensor segment_sum(const KerasTensor& data,
                        const KerasTensor& segment_ids,
                        int64_t num_segments,
                        bool sorted = false);
KerasTensor segment_max(const KerasTensor& data,
                        const KerasTensor& segment_ids,
                        int64_t num_segments,
                        bool sorted = false);
KerasTensor segment_min(const KerasTensor& data,
                        const KerasTensor& segment_ids,
                        int64_t num_segments,
                        bool sorted = false);
KerasTensor segment_prod(const KerasTensor& data,
                         const KerasTensor& segment_ids,
                         int64_t num_segments,
                         bool sorted = false);
KerasTensor hard_silu(const KerasTensor& x);
KerasTensor hard_swish(const KerasTensor& x);
KerasTensor ctc_loss(const KerasTensor& target,
                     const KerasTensor& output,
                     const KerasTensor& target_length,
                     const KerasTensor& output_length,
                     int64_t mask_index = 0);
// {decoded, log_probs}, as the eager ctc_decode.
std::pair<KerasTensor, KerasTensor> ctc_decode(const KerasTensor& inputs,
                                               const KerasTensor& sequence_lengths,
                                               const std::string& strategy = "greedy",
                                               int64_t beam_width = 100,
                                               int64_t top_paths = 1,
                                               bool merge_repeated = true,
                                               std::optional<int64_t> mask_index = 0);
// keras/ops/elementwise.h's, bitwise.h's, shape.h's and math.h's NumPy functions completed,
// saved as Keras 3's Absolute, Fabs, AllClose, Real, Imag, Angle, Ldexp, Nextafter, Lcm, Select,
// View, Append, ArraySplit, Diagflat, Vander, Corrcoef, Histogram and Trapezoid (eye, tri and the
// windows take no symbolic tensor in Keras; nonzero and unique, whose shapes depend on the
// values, are eager only).
KerasTensor absolute(const KerasTensor& x);
KerasTensor fabs(const KerasTensor& x);
KerasTensor allclose(const KerasTensor& a,
                     const KerasTensor& b,
                     double rtol = 1e-5,
                     double atol = 1e-8,
                     bool equal_nan = false);
KerasTensor real(const KerasTensor& x);
KerasTensor imag(const KerasTensor& x);
KerasTensor angle(const KerasTensor& x);
KerasTensor ldexp(const KerasTensor& x1, const KerasTensor& x2);
KerasTensor nextafter(const KerasTensor& x1, const KerasTensor& x2);
KerasTensor lcm(const KerasTensor& x1, const KerasTensor& x2);
// The default as a Python number (Keras's 0) or a tensor.
KerasTensor select(const KerasTensors& condlist,
                   const KerasTensors& choicelist,
                   double default_value = 0);
KerasTensor select(const KerasTensors& condlist,
                   const KerasTensors& choicelist,
                   const KerasTensor& default_value);
KerasTensor view(const KerasTensor& x, std::optional<DType> dtype = std::nullopt);
KerasTensor append(const KerasTensor& x1,
                   const KerasTensor& x2,
                   std::optional<int> axis = std::nullopt);
KerasTensors array_split(const KerasTensor& x, int64_t sections, int axis = 0);
KerasTensor diagflat(const KerasTensor& x, int k = 0);
KerasTensor vander(const KerasTensor& x,
                   std::optional<int64_t> N = std::nullopt,
                   bool increasing = false);
KerasTensor corrcoef(const KerasTensor& x);
// (counts, edges).
KerasTensors histogram(const KerasTensor& x,
                       int64_t bins = 10,
                       std::optional<std::pair<double, double>> range = std::nullopt);
KerasTensor trapezoid(const KerasTensor& y, double dx = 1.0, int axis = -1);

}  // namespace keras::ops

namespace keras::ops::image {
// keras/ops/image.h's conversions, saved as Keras 3's RGBToGrayscale, RGBToHSV and HSVToRGB.
KerasTensor rgb_to_grayscale(const KerasTensor& images,
                             const std::string& data_format = "channels_last");
KerasTensor rgb_to_hsv(const KerasTensor& images, const std::string& data_format = "channels_last");
KerasTensor hsv_to_rgb(const KerasTensor& images, const std::string& data_format = "channels_last");
// Saved as Keras 3's PadImages and CropImages.
KerasTensor pad_images(const KerasTensor& images, const PadImagesOptions& options);
KerasTensor crop_images(const KerasTensor& images, const CropImagesOptions& options);
// Saved as Keras 3's SobelEdges and ExtractPatches.
KerasTensor sobel_edges(const KerasTensor& images,
                        const std::string& data_format = "channels_last");
KerasTensor extract_patches(const KerasTensor& images,
                            const std::vector<int64_t>& size,
                            const ExtractPatchesOptions& options = {});
// Saved as Keras 3's Resize.
KerasTensor resize(const KerasTensor& images,
                   std::pair<int64_t, int64_t> size,
                   const ResizeOptions& options = {});
// Saved as Keras 3's GaussianBlur.
KerasTensor gaussian_blur(const KerasTensor& images,
                          std::pair<int64_t, int64_t> kernel_size = {3, 3},
                          std::pair<double, double> sigma = {1.0, 1.0},
                          const std::string& data_format = "channels_last");
// Saved as Keras 3's ExtractPatches (a size of 3), AffineTransform, MapCoordinates,
// PerspectiveTransform, ElasticTransform, ScaleAndTranslate and SSIM.
KerasTensor extract_patches_3d(const KerasTensor& volumes,
                               const std::vector<int64_t>& size,
                               const ExtractPatchesOptions& options = {});
KerasTensor affine_transform(const KerasTensor& images,
                             const KerasTensor& transform,
                             const AffineTransformOptions& options = {});
KerasTensor map_coordinates(const KerasTensor& inputs,
                            const KerasTensor& coordinates,
                            int order,
                            const std::string& fill_mode = "constant",
                            double fill_value = 0.0);
// The points constants (4, 2) or (batch, 4, 2), saved as NumPy arrays.
KerasTensor perspective_transform(const KerasTensor& images,
                                  const Tensor& start_points,
                                  const Tensor& end_points,
                                  const std::string& interpolation = "bilinear",
                                  double fill_value = 0.0,
                                  const std::string& data_format = "channels_last");
// The seed saved as an int (every call then draws the same field) or null.
KerasTensor elastic_transform(const KerasTensor& images,
                              const ElasticTransformOptions& options = {});
// output_shape includes the batch dimension, fixed, as Keras's call takes it.
KerasTensor scale_and_translate(const KerasTensor& images,
                                const std::vector<int64_t>& output_shape,
                                const std::vector<double>& scale,
                                const std::vector<double>& translation,
                                const std::vector<int>& spatial_dims,
                                const std::string& method,
                                bool antialias = true);
KerasTensor ssim(const KerasTensor& image1,
                 const KerasTensor& image2,
                 const SsimOptions& options = {});
}  // namespace keras::ops::image

namespace keras {  // operators live beside KerasTensor so argument-dependent lookup finds them
inline KerasTensor operator+(const KerasTensor& a, const KerasTensor& b) {
  return ops::add(a, b);
}
inline KerasTensor operator-(const KerasTensor& a, const KerasTensor& b) {
  return ops::subtract(a, b);
}
inline KerasTensor operator*(const KerasTensor& a, const KerasTensor& b) {
  return ops::multiply(a, b);
}
inline KerasTensor operator/(const KerasTensor& a, const KerasTensor& b) {
  return ops::true_divide(a, b);
}
// With a number, as Python's operators on KerasTensors (x * 2, 1 - x).
inline KerasTensor operator+(const KerasTensor& a, double b) {
  return ops::add(a, b);
}
inline KerasTensor operator+(double a, const KerasTensor& b) {
  return ops::add(a, b);
}
inline KerasTensor operator-(const KerasTensor& a, double b) {
  return ops::subtract(a, b);
}
inline KerasTensor operator-(double a, const KerasTensor& b) {
  return ops::subtract(a, b);
}
inline KerasTensor operator*(const KerasTensor& a, double b) {
  return ops::multiply(a, b);
}
inline KerasTensor operator*(double a, const KerasTensor& b) {
  return ops::multiply(a, b);
}
inline KerasTensor operator/(const KerasTensor& a, double b) {
  return ops::true_divide(a, b);
}
inline KerasTensor operator/(double a, const KerasTensor& b) {
  return ops::true_divide(a, b);
}
inline KerasTensor operator-(const KerasTensor& a) {
  return ops::negative(a);
}
}  // namespace keras
