// The kernel interface. A backend implements a few dozen primitive kernels plus fused ones
// (gemm, softmax, optimizer updates); every op in keras::ops is built from these.
//
// A backend serves one kind of device (backend_for): it owns that device's memory (allocate,
// deallocate, copy_bytes, synchronize; keras::Tensor allocates and copies only through these)
// and runs every kernel on tensors in it. Adding a device means adding a backend in backend/
// and nothing above it: ops, layers and the trainer reach memory only through Tensor's host
// accessors and these functions (tests/harness/guarded_device.h is such a backend, made to
// prove it).
//
// Contract shared by all kernels:
//  - Every tensor argument is on a device of this backend (ops put results on their inputs'
//    device; mixing devices is the caller's error, which the guarded test device reports). Kernels
//    may run asynchronously on devices that queue work, in launch order; synchronize waits for
//    them. Host values they need (scalars, hyperparameters, random states) are passed by value.
//  - Tensors are contiguous and row-major; outputs are allocated by the caller with the right
//    shape and dtype (ops own shape inference) and may not alias inputs unless stated.
//  - Floating kernels support float32 and float64; integer and bool support is stated per kernel.
//  - Kernels validate only what ops cannot know (e.g. out-of-range gather indices) and throw
//    keras::IndexError / ValueError for it; they never read or write out of bounds.
//
// ReferenceBackend implements every kernel with plain loops and is the test oracle. CpuBackend
// derives from it and overrides the hot kernels (BLAS GEMM, vectorized elementwise loops). Both
// serve the host (cpu) device, whose memory is 64-byte aligned host memory.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keras/core/random.h"
#include "keras/core/tensor.h"

namespace keras::backend {

// A position in a random stream, passed by value: kernels share no generator object with the
// host. It is keras::Generator's complete state (xoshiro256** and its Box-Muller spare), which
// plays the part of a counter-based generator's seed and counter: a random kernel draws as the
// generator would from it and returns the state after its draws, so every backend gives the
// same numbers and a restored generator repeats them exactly (BackupAndRestore).
using RandomState = Generator::State;

// How gather reports an index outside [0, params.shape[0]).
struct GatherParams {
  // Empty: IndexError "gather: index 3 is out of range [0, 3)". Otherwise TensorFlow's wording
  // after it, with the index's position in `indices` and its value as given:
  // "<context>indices[1,0] = 10 is not in [0, 10)" (Embedding names its layer here).
  std::string context;
};

// Elementwise y = f(x). Gradients dx = dy * f'(x) come from unary_backward.
enum class UnaryOp : uint8_t {
  neg,
  abs,
  sign,
  square,
  sqrt,
  exp,
  log,
  log1p,
  reciprocal,
  floor,
  round,
  relu,
  relu6,
  leaky_relu,  // leaky_relu: alpha = a
  sigmoid,
  tanh,
  softplus,
  softsign,
  elu,  // alpha = a
  selu,
  gelu,
  gelu_approximate,
  silu,
  hard_sigmoid,
  hard_silu,
  clip,         // to [a, b]
  pow_scalar,   // x ** a
  logical_not,  // bool -> bool
  sin,
  cos,
  tan,
  arcsin,
  arccos,
  arctan,
  sinh,
  cosh,
  arcsinh,
  arccosh,
  arctanh,
  ceil,
  trunc,
  expm1,
  log2,
  log10,
  exp2,
  erf,
};
struct UnaryParams {
  double a = 0.0;
  double b = 0.0;
};
const char* unary_op_name(UnaryOp op);

// Elementwise with NumPy broadcasting of a and b to y's shape. Comparisons and logical ops write
// bool; the others write a's dtype (a and b have the same dtype).
enum class BinaryOp : uint8_t {
  add,
  sub,
  mul,
  div,
  maximum,
  minimum,
  pow,
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  logical_and,
  logical_or,
  arctan2,       // atan2(a, b): the angle of the point (b, a), in [-pi, pi]
  floor_divide,  // NumPy's a // b (floats: npy_divmod; integers: 0 where b is 0)
  floor_mod,     // NumPy's a % b, with b's sign (floats: fmod, exact; integers: 0 where b is 0)
};

enum class ReduceOp : uint8_t { sum, mean, max, min, prod };
enum class ArgReduceOp : uint8_t { argmax, argmin };

struct GemmParams {
  bool transpose_a = false;
  bool transpose_b = false;
  double alpha = 1.0;
  double beta = 0.0;  // y = alpha * op(a) @ op(b) + beta * y
};

// Where a row-sparse update finds each listed row's gradient (Backend::sgd_update_rows).
enum class RowGradient { table, compact };

struct SgdParams {
  double learning_rate = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
};
struct RmspropParams {
  double learning_rate = 0.001;
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  bool centered = false;
};
struct AdamParams {
  double learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
  int64_t step = 1;           // 1-based step, for bias correction
  double weight_decay = 0.0;  // AdamW's decoupled decay, applied before the update
};
// One LSTM layer's recurrence (Backend::lstm_sequence). Inputs: xs (batch, steps, 4u), the
// projected inputs x W + b in time order (step k reads time t = k, or steps-1-k when `reverse`);
// u_kernel (u, 4u); h0, c0 (batch, u). Outputs, per step in processing order: hs and cs (batch,
// steps, u), the states after the step, and ws (batch, steps, 5u), the cell workspace.
struct LstmSequenceArgs {
  Tensor xs, u_kernel, h0, c0;
  bool reverse = false;
  Tensor hs, cs, ws;
};
// Its gradients: dhs (batch, steps, u) is the gradient of hs and dc_last (batch, u) that of the
// last c. Outputs: dxs (batch, steps, 4u, time order), du (u, 4u), dh0 and dc0 (batch, u). The
// forward's xs is not read (and may be left undefined).
struct LstmSequenceGrads {
  Tensor dhs, dc_last;
  Tensor dxs, du, dh0, dc0;
};
// One LSTM layer's forward for inference (Backend::lstm_inference): the same cell and step order
// as LstmSequenceArgs, from the layer's inputs x (batch, steps, features) with kernel (features,
// 4u) and bias (4u, or undefined for none) instead of projected inputs. Outputs: hs (batch,
// steps, u), h after each step in processing order, when defined (else not computed), and the
// last h and c (batch, u). Nothing is kept for a backward.
struct LstmInferenceArgs {
  Tensor x, kernel, bias, u_kernel, h0, c0;
  bool reverse = false;
  Tensor hs, h, c;
};

struct AdagradParams {
  double learning_rate = 0.001;
  double epsilon = 1e-7;
};

// Geometry of a channels_last convolution over r = 1, 2 or 3 spatial dimensions (every vector
// has r entries). Output position o reads input position o * stride + k * dilation - padding for
// kernel tap k; taps that fall outside the input read zeros. Only the padding before each
// dimension is given: the padding after it is whatever the dst shape implies (ops decide
// valid/same/causal and the output shape).
struct ConvParams {
  std::vector<int64_t> strides;
  std::vector<int64_t> dilation_rate;
  std::vector<int64_t> padding;  // zeros added before each spatial dimension
  int64_t groups = 1;
};

// Geometry of a channels_last pooling window (r entries each, as in ConvParams). Padded
// positions are ignored: max pooling never selects them and average pooling divides by the
// number of in-bounds elements of each window.
struct PoolParams {
  std::vector<int64_t> pool_size;
  std::vector<int64_t> strides;
  std::vector<int64_t> padding;  // before each spatial dimension
};

// Batch normalization over every axis of x but `axis`, the channel axis (C = x.shape[axis]): x is
// viewed as (outer, C, inner), and each channel has outer * inner values (N of them).
struct BatchNormParams {
  int axis = 0;  // 0 <= axis < rank
  double epsilon = 1e-3;
  // true: the batch's own statistics, which the forward kernel writes into mean and variance
  // (the variance biased, divided by N; NaN for both when N = 0, as ops::moments gives);
  // false: mean and variance are given (moving statistics).
  bool training = false;
};

class Backend : public DeviceMemory {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;

  // ---- memory (keras::DeviceMemory: what Tensor allocates, copies and converts with) ----
  // nbytes of memory on `device` (a device of this backend's kind), aligned to 64 bytes,
  // uninitialized; a distinct address even for 0 bytes. Throws MemoryError "Unable to allocate
  // 4.00 PiB" (byte_size_str) when the device cannot hold it: the host refuses sizes beyond its
  // memory plus swap rather than let an overcommitting kernel kill the process later.
  void* allocate(size_t nbytes, Device device) override = 0;
  // Gives back memory from allocate (same nbytes and device). Kernels already queued on it
  // still complete first (on a queued device the release is ordered after them).
  void deallocate(void* data, size_t nbytes, Device device) noexcept override = 0;
  // Copies nbytes as memmove does from src, in src_device's memory, to dst, in dst_device's:
  // both on this backend's devices, or one of them the host. May return before a copy that
  // reads this backend's memory is done (synchronize waits); host memory it reads may be
  // reused as soon as it returns.
  void copy_bytes(
      const void* src, Device src_device, void* dst, Device dst_device, size_t nbytes) override = 0;
  // Waits until every kernel and copy launched on `device` has finished.
  void synchronize(Device device) override = 0;
  void fill(const Tensor& y, double value) override = 0;  // any dtype: static_cast of value
  // Any dtypes, same size: keras::value_cast per element (saturating float to integer).
  void cast(const Tensor& src, const Tensor& dst) override = 0;
  virtual void copy(const Tensor& src, const Tensor& dst) = 0;  // same dtype and size

  // ---- elementwise ----
  // Floating dtypes; neg/abs/sign/square also integers; logical_not bool.
  virtual void unary(UnaryOp op, const Tensor& x, const Tensor& y, UnaryParams p) = 0;
  // dx = dy * f'(x); y = f(x) is passed too since several derivatives are cheapest from it.
  virtual void unary_backward(UnaryOp op,
                              const Tensor& x,
                              const Tensor& y,
                              const Tensor& dy,
                              const Tensor& dx,
                              UnaryParams p) = 0;
  // y may alias a when a has y's shape (in-place accumulation).
  virtual void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& y) = 0;
  // y = cond ? a : b, broadcasting all three to y.
  virtual void where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& y) = 0;

  // ---- reductions ----
  // Reduces x over `axes` (sorted, unique); y holds the kept dimensions in order.
  virtual void reduce(ReduceOp op, const Tensor& x, std::span<const int> axes, const Tensor& y) = 0;
  // Index (int64 in y) of the extreme value along `axis`; the first one on ties.
  virtual void arg_reduce(ArgReduceOp op, const Tensor& x, int axis, const Tensor& y) = 0;
  // y (int64, x's shape): the indices that sort x along `axis`, stably (equal values keep their
  // order), ascending or descending. NaN counts as the largest value (last ascending, first
  // descending), as NumPy's sort and JAX's top_k place it; descending also puts +0 before -0
  // (JAX's top_k), ascending keeps them in order (NumPy's sort).
  virtual void argsort(const Tensor& x, int axis, bool descending, const Tensor& y) = 0;

  // ---- linear algebra ----
  // 2-D: y[m,n] = alpha op(a)[m,k] op(b)[k,n] + beta y. 3-D: the same for each batch index.
  virtual void gemm(const Tensor& a, const Tensor& b, const Tensor& y, GemmParams p) = 0;
  // A Dense layer's forward: y[m,n] = act(x[m,k] kernel[k,n] + bias[n]), act the identity or
  // (relu) max(v, 0); bias may be undefined. y's bits are those of gemm, then binary add, then
  // unary relu; backends may apply the bias and relu to each part of y as soon as its GEMM
  // block is done (while it is in cache) instead of in passes of their own.
  virtual void dense(
      const Tensor& x, const Tensor& kernel, const Tensor& bias, const Tensor& y, bool relu) {
    gemm(x, kernel, y, {});
    if (bias.defined()) binary(BinaryOp::add, y, bias, y);
    if (relu) unary(UnaryOp::relu, y, y, {});
  }

  // ---- layout ----
  virtual void transpose(const Tensor& x, std::span<const int> perm, const Tensor& y) = 0;
  // y = x broadcast to y's shape (NumPy rules).
  virtual void broadcast_to(const Tensor& x, const Tensor& y) = 0;
  virtual void concat(std::span<const Tensor> xs, int axis, const Tensor& y) = 0;
  // y = x[..., start:start + y.shape[axis], ...] along `axis`.
  virtual void slice_axis(const Tensor& x, int axis, int64_t start, const Tensor& y) = 0;
  // dx = zeros, then dx[..., start:start + dy.shape[axis], ...] = dy.
  virtual void slice_axis_backward(const Tensor& dy, int axis, int64_t start, const Tensor& dx) = 0;
  // y[i, ...] = params[indices[i], ...], y = indices.shape + params.shape[1:]. indices: int32 or
  // int64 of any shape (ops::take), or uint8 / floating ids (Embedding's), truncated toward zero
  // as Keras casts them. An index outside [0, params.shape[0]), NaN included, throws IndexError
  // worded as GatherParams says (y's rows before it are then written, the others not).
  virtual void gather(const Tensor& params,
                      const Tensor& indices,
                      const Tensor& y,
                      const GatherParams& p) = 0;
  // dparams[indices[i], ...] += dy[i, ...] (dparams is not cleared first).
  virtual void scatter_add(const Tensor& dy, const Tensor& indices, const Tensor& dparams) = 0;
  // y[i, j] = (j == indices[i]) ? 1 : 0, y of shape indices.shape + [depth].
  virtual void one_hot(const Tensor& indices, const Tensor& y) = 0;

  // ---- neural-network kernels (last axis) ----
  virtual void softmax(const Tensor& x, const Tensor& y) = 0;
  virtual void softmax_backward(const Tensor& y, const Tensor& dy, const Tensor& dx) = 0;
  virtual void log_softmax(const Tensor& x, const Tensor& y) = 0;
  virtual void log_softmax_backward(const Tensor& y, const Tensor& dy, const Tensor& dx) = 0;
  // Keras's masked softmax in one pass: y = softmax(where(mask, x, -1e9)) then 0 where the
  // mask is false. A row masked everywhere gives zeros (keras.layers.Softmax), or 1/n everywhere
  // when uniform_empty_rows (what dot_product_attention gives). mask: bool of x's rank, each
  // dimension 1 or x's (broadcast, never materialized). Gradient: softmax_backward(y, dy), then
  // 0 at masked entries.
  virtual void masked_softmax(const Tensor& x,
                              const Tensor& mask,
                              const Tensor& y,
                              bool uniform_empty_rows) = 0;

  // ---- recurrent cells ----
  // LSTM cell with sigmoid gates and tanh (Keras gate order i, f, c, o): z (batch, 4u) are the
  // pre-activations, c_prev (batch, u). Writes h, c (batch, u) and a workspace (batch, 5u) holding
  // i, f, g, o and tanh(c) for the backward kernel.
  virtual void lstm_cell(const Tensor& z,
                         const Tensor& c_prev,
                         const Tensor& h,
                         const Tensor& c,
                         const Tensor& workspace) = 0;
  // Gradients of the cell: from dh, dc (batch, u) to dz (batch, 4u) and dc_prev (batch, u).
  virtual void lstm_cell_backward(const Tensor& dh,
                                  const Tensor& dc,
                                  const Tensor& c_prev,
                                  const Tensor& workspace,
                                  const Tensor& dz,
                                  const Tensor& dc_prev) = 0;

  // A whole LSTM layer's recurrence in one call (the same cell as lstm_cell), see
  // LstmSequenceArgs. Kernels may split the batch across threads (rows are independent).
  virtual void lstm_sequence(const LstmSequenceArgs& s) = 0;
  // Its gradients, see LstmSequenceGrads (every output overwritten).
  virtual void lstm_sequence_backward(const LstmSequenceArgs& s, const LstmSequenceGrads& g) = 0;
  // The forward alone, from unprojected inputs (see LstmInferenceArgs): kernels may fuse the
  // input projection into the recurrence and skip what only a backward needs.
  virtual void lstm_inference(const LstmInferenceArgs& s) = 0;

  // ==== convolution and pooling ====
  // Layouts (channels_last, r = 1..3 spatial dims): src / diff_src (batch, spatial..., C),
  // dst / diff_dst (batch, out_spatial..., F), weights / diff_weights (kernel..., C / groups, F),
  // the Keras kernel layout. With groups G, output channel f belongs to group f / (F / G) and reads
  // input channels [g * C / G, (g + 1) * C / G). Floating dtypes; all tensors of one dtype.
  // dst = conv(src, weights) (no bias: ops add it).
  virtual void conv(const Tensor& src,
                    const Tensor& weights,
                    const Tensor& dst,
                    const ConvParams& p) = 0;
  // dst = conv(src, weights) + bias, bias (F,) per output channel, which backends may add in the
  // convolution's own output pass; with relu, dst = relu(conv(src, weights) + bias), the bits of
  // unary(UnaryOp::relu) on the biased output (NaN stays NaN).
  virtual void conv_bias(const Tensor& src,
                         const Tensor& weights,
                         const Tensor& bias,
                         const Tensor& dst,
                         const ConvParams& p,
                         bool relu) {
    conv(src, weights, dst, p);
    binary(BinaryOp::add, dst, bias, dst);
    if (relu) unary(UnaryOp::relu, dst, dst, {});
  }
  // diff_src = d(sum(conv(src, weights) * diff_dst)) / d(src) (overwritten, not accumulated).
  // Also the forward of a transposed convolution.
  virtual void conv_backward_data(const Tensor& diff_dst,
                                  const Tensor& weights,
                                  const Tensor& diff_src,
                                  const ConvParams& p) = 0;
  // diff_weights = d(sum(conv(src, weights) * diff_dst)) / d(weights) (overwritten).
  virtual void conv_backward_weights(const Tensor& src,
                                     const Tensor& diff_dst,
                                     const Tensor& diff_weights,
                                     const ConvParams& p) = 0;
  // Both gradients of one convolution from one diff_dst; an undefined diff_src or diff_weights
  // is not computed. Backends may share work between the two (oneDNN converts diff_dst's layout
  // once).
  virtual void conv_backward(const Tensor& src,
                             const Tensor& weights,
                             const Tensor& diff_dst,
                             const Tensor& diff_src,
                             const Tensor& diff_weights,
                             const ConvParams& p) {
    if (diff_src.defined()) conv_backward_data(diff_dst, weights, diff_src, p);
    if (diff_weights.defined()) conv_backward_weights(src, diff_dst, diff_weights, p);
  }
  // pooled = max_pool(conv(src, weights) + bias) and dst = conv(src, weights) + bias; with
  // keep_dst false, backends may pool in the convolution's output pass and leave dst unwritten.
  // pooled's bits are max_pool's of dst.
  virtual void conv_bias_max_pool(const Tensor& src,
                                  const Tensor& weights,
                                  const Tensor& bias,
                                  const Tensor& dst,
                                  const Tensor& pooled,
                                  const ConvParams& p,
                                  const PoolParams& pool,
                                  bool keep_dst) {
    (void)keep_dst;
    conv_bias(src, weights, bias, dst, p, false);
    max_pool(dst, pooled, pool);
  }
  // The gradients of sum(max_pool(dst) * diff_pooled) through dst = conv(src, weights) + bias:
  // max_pool_backward's diff_dst, then conv_backward (diff_src or diff_weights undefined: not
  // computed). Backends may build diff_dst piecewise without storing it.
  virtual void conv_max_pool_backward(const Tensor& src,
                                      const Tensor& weights,
                                      const Tensor& dst,
                                      const Tensor& diff_pooled,
                                      const Tensor& diff_src,
                                      const Tensor& diff_weights,
                                      const ConvParams& p,
                                      const PoolParams& pool) {
    const Tensor diff_dst = Tensor::empty(dst.shape(), dst.dtype(), dst.device());
    max_pool_backward(dst, diff_pooled, diff_dst, pool);
    conv_backward(src, weights, diff_dst, diff_src, diff_weights, p);
  }
  // Pooling: src (batch, spatial..., C) -> dst (batch, out_spatial..., C), each channel alone.
  virtual void max_pool(const Tensor& src, const Tensor& dst, const PoolParams& p) = 0;
  // diff_src (overwritten): each diff_dst element goes to the first maximum of its window in src.
  virtual void max_pool_backward(const Tensor& src,
                                 const Tensor& diff_dst,
                                 const Tensor& diff_src,
                                 const PoolParams& p) = 0;
  virtual void avg_pool(const Tensor& src, const Tensor& dst, const PoolParams& p) = 0;
  // diff_src (overwritten): each diff_dst element spread evenly over its window's valid inputs.
  virtual void avg_pool_backward(const Tensor& diff_dst,
                                 const Tensor& diff_src,
                                 const PoolParams& p) = 0;

  // ---- batch normalization (BatchNormParams; floating tensors of one dtype) ----
  // Per-channel tensors are (C,); an undefined scale means 1 and an undefined offset 0.
  // y = (x - mean) / sqrt(variance + epsilon) * scale + offset, y of x's shape.
  virtual void batch_norm(const Tensor& x,
                          const Tensor& scale,
                          const Tensor& offset,
                          const Tensor& mean,
                          const Tensor& variance,
                          const Tensor& y,
                          const BatchNormParams& p) = 0;
  // Its gradients from dy, with x_hat = (x - mean) / sqrt(variance + epsilon), each written
  // (overwritten) when defined: doffset = sum(dy) and dscale = sum(dy * x_hat) per channel, and
  // dx. With fixed statistics dx = dy * scale / sqrt(variance + epsilon) (one pass when doffset
  // and dscale are undefined). In training, mean and variance must be what the forward kernel
  // wrote for this x; dx also flows through them, and dmean and dvariance, the gradients of the
  // mean and variance outputs (undefined: none), add theirs.
  virtual void batch_norm_backward(const Tensor& x,
                                   const Tensor& dy,
                                   const Tensor& scale,
                                   const Tensor& mean,
                                   const Tensor& variance,
                                   const Tensor& dmean,
                                   const Tensor& dvariance,
                                   const Tensor& dx,
                                   const Tensor& dscale,
                                   const Tensor& doffset,
                                   const BatchNormParams& p) = 0;

  // ---- random (RandomState: each takes the stream's state and returns the state after it) ----
  // y's elements are drawn in order, each as Generator's function says. Floating y:
  // low + (high - low) * next_double().
  virtual RandomState random_uniform(const Tensor& y,
                                     double low,
                                     double high,
                                     RandomState state) = 0;
  // mean + stddev * next_normal().
  virtual RandomState random_normal(const Tensor& y,
                                    double mean,
                                    double stddev,
                                    RandomState state) = 0;
  // The same, next_normal() redrawn while |z| > 2.
  virtual RandomState random_truncated_normal(const Tensor& y,
                                              double mean,
                                              double stddev,
                                              RandomState state) = 0;
  // 1 when next_double() < p, else 0.
  virtual RandomState random_bernoulli(const Tensor& y, double p, RandomState state) = 0;
  // Any dtype: low + next_below(high - low), for low < high.
  virtual RandomState random_randint(const Tensor& y,
                                     int64_t low,
                                     int64_t high,
                                     RandomState state) = 0;
  // A permutation of 0..n-1 into int64 y of n elements: Fisher-Yates from the last element,
  // swapping element i with element next_below(i + 1).
  virtual RandomState random_permutation(const Tensor& y, RandomState state) = 0;

  // ---- optimizer updates (one variable; slots as in Keras 3; undefined slot = unused) ----
  virtual void sgd_update(const Tensor& w,
                          const Tensor& g,
                          const Tensor& momentum,
                          const SgdParams& p) = 0;
  virtual void rmsprop_update(const Tensor& w,
                              const Tensor& g,
                              const Tensor& velocity,
                              const Tensor& momentum,
                              const Tensor& average_gradient,
                              const RmspropParams& p) = 0;
  virtual void adam_update(const Tensor& w,
                           const Tensor& g,
                           const Tensor& m,
                           const Tensor& v,
                           const Tensor& v_hat,
                           const AdamParams& p) = 0;
  virtual void adagrad_update(const Tensor& w,
                              const Tensor& g,
                              const Tensor& accumulator,
                              const AdagradParams& p) = 0;

  // ---- row-sparse updates (gradients of gathers; see Tensor::nonzero_rows) ----
  // y[rows[i], ...] = value for every id in `rows` (int32/int64, any shape, in range).
  virtual void fill_rows(const Tensor& y, const Tensor& rows, double value) = 0;
  // The dense updates above for a gradient g that is zero outside the rows listed in `rows`
  // (int32/int64, any shape, duplicates allowed, ids in range). Each listed row is updated once,
  // with the dense kernel's arithmetic, and last_step[row] (int64, one per row of w) is set to
  // `step` (1-based); a row whose last_step is already `step` is skipped. Rows not listed are left
  // alone, which is what the dense SGD (without momentum) and Adagrad updates do to them, so the
  // results are identical. Dense RMSprop also decays the velocity (and average gradient) of
  // untouched rows by rho; the row kernel defers that: a listed row first gets the decays of the
  // steps it missed (last_step + 1 .. step - 1), one multiplication each as the dense kernel
  // would, and rmsprop_catch_up brings every row up to `step` the same way. Momentum is not
  // supported (untouched rows would move): optimizers use the dense kernels for it.
  // `layout` says where a listed row's gradient is: RowGradient::table, row `row` of g (g shaped
  // like w); RowGradient::compact, row i of g for the i-th id of `rows` (g of shape
  // [rows.size(), ...], as the values of Keras's IndexedSlices).
  virtual void sgd_update_rows(const Tensor& w,
                               const Tensor& g,
                               const Tensor& rows,
                               RowGradient layout,
                               const Tensor& last_step,
                               int64_t step,
                               const SgdParams& p) = 0;
  virtual void rmsprop_update_rows(const Tensor& w,
                                   const Tensor& g,
                                   const Tensor& rows,
                                   RowGradient layout,
                                   const Tensor& velocity,
                                   const Tensor& average_gradient,
                                   const Tensor& last_step,
                                   int64_t step,
                                   const RmspropParams& p) = 0;
  virtual void rmsprop_catch_up(const Tensor& velocity,
                                const Tensor& average_gradient,
                                const Tensor& last_step,
                                int64_t step,
                                const RmspropParams& p) = 0;
  virtual void adagrad_update_rows(const Tensor& w,
                                   const Tensor& g,
                                   const Tensor& rows,
                                   RowGradient layout,
                                   const Tensor& accumulator,
                                   const Tensor& last_step,
                                   int64_t step,
                                   const AdagradParams& p) = 0;
};

// The backend that owns memory and runs kernels for tensors on `device`; RuntimeError "no
// backend for device cuda:0" when none serves its kind.
Backend& backend_for(Device device);
inline Backend& backend_for(const Tensor& t) {
  return backend_for(t.device());
}
// The backend of the one device that all the defined `tensors` of op `op` are on. Ops never
// move data between devices themselves: ValueError "matmul: expected all tensors on one device,
// got cpu:0 and guarded:0" when two are on different devices.
Backend& backend_for(std::string_view op, std::span<const Tensor> tensors);
inline Backend& backend_for(std::string_view op, std::initializer_list<Tensor> tensors) {
  return backend_for(op, std::span<const Tensor>(tensors.begin(), tensors.size()));
}
Backend& reference_backend();
Backend& cpu_backend();

// Makes `backend` (which must outlive its use) serve every device of kind `type` other than the
// host; nullptr removes it. For backends built outside the library (the test-only guarded
// device); memory it allocated must be released before it is replaced.
void register_backend(DeviceType type, Backend* backend);

// While alive, CPU tensors on this thread use `backend` (tests use it to run the reference).
// Both CPU backends allocate the same host memory, so tensors pass freely between them.
class ScopedBackend {
 public:
  explicit ScopedBackend(Backend& backend);
  ~ScopedBackend();
  ScopedBackend(const ScopedBackend&) = delete;
  ScopedBackend& operator=(const ScopedBackend&) = delete;

 private:
  Backend* previous_;
};

// Threads the CPU backend may use for large kernels. Default: OpenMP's, i.e. OMP_NUM_THREADS
// when set, else the CPUs this process may run on.
void set_num_threads(int n);
int num_threads();

}  // namespace keras::backend
