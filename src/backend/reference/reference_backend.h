// Naive loop implementation of every kernel: the oracle the fast backends are tested against.
// Written for clarity, never optimized.
#pragma once

#include "keras/backend/backend.h"

namespace keras::backend {

class ReferenceBackend : public Backend {
 public:
  const char* name() const override { return "reference"; }
  void* allocate(size_t nbytes, Device device) override;
  void deallocate(void* data, size_t nbytes, Device device) noexcept override;
  void copy_bytes(
      const void* src, Device src_device, void* dst, Device dst_device, size_t nbytes) override;
  void synchronize(Device device) override;
  void fill(const Tensor& y, double value) override;
  void copy(const Tensor& src, const Tensor& dst) override;
  void cast(const Tensor& src, const Tensor& dst) override;
  void unary(UnaryOp op, const Tensor& x, const Tensor& y, UnaryParams p) override;
  void unary_backward(UnaryOp op,
                      const Tensor& x,
                      const Tensor& y,
                      const Tensor& dy,
                      const Tensor& dx,
                      UnaryParams p) override;
  void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& y) override;
  void where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& y) override;
  void reduce(ReduceOp op, const Tensor& x, std::span<const int> axes, const Tensor& y) override;
  void arg_reduce(ArgReduceOp op, const Tensor& x, int axis, const Tensor& y) override;
  void argsort(const Tensor& x, int axis, bool descending, const Tensor& y) override;
  void gemm(const Tensor& a, const Tensor& b, const Tensor& y, GemmParams p) override;
  void transpose(const Tensor& x, std::span<const int> perm, const Tensor& y) override;
  void broadcast_to(const Tensor& x, const Tensor& y) override;
  void concat(std::span<const Tensor> xs, int axis, const Tensor& y) override;
  void slice_axis(const Tensor& x, int axis, int64_t start, const Tensor& y) override;
  void slice_axis_backward(const Tensor& dy, int axis, int64_t start, const Tensor& dx) override;
  void gather(const Tensor& params,
              const Tensor& indices,
              const Tensor& y,
              const GatherParams& p) override;
  void scatter_add(const Tensor& dy, const Tensor& indices, const Tensor& dparams) override;
  void one_hot(const Tensor& indices, const Tensor& y) override;
  void softmax(const Tensor& x, const Tensor& y) override;
  void softmax_backward(const Tensor& y, const Tensor& dy, const Tensor& dx) override;
  void log_softmax(const Tensor& x, const Tensor& y) override;
  void log_softmax_backward(const Tensor& y, const Tensor& dy, const Tensor& dx) override;
  void masked_softmax(const Tensor& x,
                      const Tensor& mask,
                      const Tensor& y,
                      bool uniform_empty_rows) override;
  void lstm_cell(const Tensor& z,
                 const Tensor& c_prev,
                 const Tensor& h,
                 const Tensor& c,
                 const Tensor& workspace) override;
  void lstm_cell_backward(const Tensor& dh,
                          const Tensor& dc,
                          const Tensor& c_prev,
                          const Tensor& workspace,
                          const Tensor& dz,
                          const Tensor& dc_prev) override;
  void lstm_sequence(const LstmSequenceArgs& s) override;
  void lstm_sequence_backward(const LstmSequenceArgs& s, const LstmSequenceGrads& g) override;
  void lstm_inference(const LstmInferenceArgs& s) override;
  void conv(const Tensor& src,
            const Tensor& weights,
            const Tensor& dst,
            const ConvParams& p) override;
  void conv_backward_data(const Tensor& diff_dst,
                          const Tensor& weights,
                          const Tensor& diff_src,
                          const ConvParams& p) override;
  void conv_backward_weights(const Tensor& src,
                             const Tensor& diff_dst,
                             const Tensor& diff_weights,
                             const ConvParams& p) override;
  void max_pool(const Tensor& src, const Tensor& dst, const PoolParams& p) override;
  void max_pool_backward(const Tensor& src,
                         const Tensor& diff_dst,
                         const Tensor& diff_src,
                         const PoolParams& p) override;
  void avg_pool(const Tensor& src, const Tensor& dst, const PoolParams& p) override;
  void avg_pool_backward(const Tensor& diff_dst,
                         const Tensor& diff_src,
                         const PoolParams& p) override;
  void batch_norm(const Tensor& x,
                  const Tensor& scale,
                  const Tensor& offset,
                  const Tensor& mean,
                  const Tensor& variance,
                  const Tensor& y,
                  const BatchNormParams& p) override;
  void batch_norm_backward(const Tensor& x,
                           const Tensor& dy,
                           const Tensor& scale,
                           const Tensor& mean,
                           const Tensor& variance,
                           const Tensor& dmean,
                           const Tensor& dvariance,
                           const Tensor& dx,
                           const Tensor& dscale,
                           const Tensor& doffset,
                           const BatchNormParams& p) override;
  RandomState random_uniform(const Tensor& y, double low, double high, RandomState state) override;
  RandomState random_normal(const Tensor& y,
                            double mean,
                            double stddev,
                            RandomState state) override;
  RandomState random_truncated_normal(const Tensor& y,
                                      double mean,
                                      double stddev,
                                      RandomState state) override;
  RandomState random_bernoulli(const Tensor& y, double p, RandomState state) override;
  RandomState random_randint(const Tensor& y,
                             int64_t low,
                             int64_t high,
                             RandomState state) override;
  RandomState random_permutation(const Tensor& y, RandomState state) override;
  void sgd_update(const Tensor& w,
                  const Tensor& g,
                  const Tensor& momentum,
                  const SgdParams& p) override;
  void rmsprop_update(const Tensor& w,
                      const Tensor& g,
                      const Tensor& velocity,
                      const Tensor& momentum,
                      const Tensor& average_gradient,
                      const RmspropParams& p) override;
  void adam_update(const Tensor& w,
                   const Tensor& g,
                   const Tensor& m,
                   const Tensor& v,
                   const Tensor& v_hat,
                   const AdamParams& p) override;
  void adagrad_update(const Tensor& w,
                      const Tensor& g,
                      const Tensor& accumulator,
                      const AdagradParams& p) override;
  void fill_rows(const Tensor& y, const Tensor& rows, double value) override;
  void sgd_update_rows(const Tensor& w,
                       const Tensor& g,
                       const Tensor& rows,
                       RowGradient layout,
                       const Tensor& last_step,
                       int64_t step,
                       const SgdParams& p) override;
  void rmsprop_update_rows(const Tensor& w,
                           const Tensor& g,
                           const Tensor& rows,
                           RowGradient layout,
                           const Tensor& velocity,
                           const Tensor& average_gradient,
                           const Tensor& last_step,
                           int64_t step,
                           const RmspropParams& p) override;
  void rmsprop_catch_up(const Tensor& velocity,
                        const Tensor& average_gradient,
                        const Tensor& last_step,
                        int64_t step,
                        const RmspropParams& p) override;
  void adagrad_update_rows(const Tensor& w,
                           const Tensor& g,
                           const Tensor& rows,
                           RowGradient layout,
                           const Tensor& accumulator,
                           const Tensor& last_step,
                           int64_t step,
                           const AdagradParams& p) override;
};

// Calls f.template operator()<T>() for float32/float64 and throws TypeError otherwise.
template <class F>
decltype(auto) visit_floating(const Tensor& t, const char* kernel, F&& f) {
  if (t.dtype() == DType::float32) return f.template operator()<float>();
  if (t.dtype() == DType::float64) return f.template operator()<double>();
  throw TypeError(str(kernel, ": expected a float32 or float64 tensor, got ", t.dtype()));
}

}  // namespace keras::backend
