// The fast CPU backend: BLAS for GEMM, vectorizable loops for the hot elementwise, reduction,
// softmax and optimizer kernels. Anything not overridden runs the reference loops.
#pragma once

#include "backend/reference/reference_backend.h"

namespace keras::backend {

class CpuBackend final : public ReferenceBackend {
 public:
  const char* name() const override { return "cpu"; }
  void fill(const Tensor& y, double value) override;
  void transpose(const Tensor& x, std::span<const int> perm, const Tensor& y) override;
  void unary(UnaryOp op, const Tensor& x, const Tensor& y, UnaryParams p) override;
  void unary_backward(UnaryOp op,
                      const Tensor& x,
                      const Tensor& y,
                      const Tensor& dy,
                      const Tensor& dx,
                      UnaryParams p) override;
  void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& y) override;
  void broadcast_to(const Tensor& x, const Tensor& y) override;
  void gather(const Tensor& params,
              const Tensor& indices,
              const Tensor& y,
              const GatherParams& p) override;
  void scatter_add(const Tensor& dy, const Tensor& indices, const Tensor& dparams) override;
  void fill_rows(const Tensor& y, const Tensor& rows, double value) override;
  void reduce(ReduceOp op, const Tensor& x, std::span<const int> axes, const Tensor& y) override;
  void gemm(const Tensor& a, const Tensor& b, const Tensor& y, GemmParams p) override;
  void dense(const Tensor& x,
             const Tensor& kernel,
             const Tensor& bias,
             const Tensor& y,
             bool relu) override;
  void softmax(const Tensor& x, const Tensor& y) override;
  void conv(const Tensor& src,
            const Tensor& weights,
            const Tensor& dst,
            const ConvParams& p) override;
  void conv_bias(const Tensor& src,
                 const Tensor& weights,
                 const Tensor& bias,
                 const Tensor& dst,
                 const ConvParams& p,
                 bool relu) override;
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
  void conv_backward(const Tensor& src,
                     const Tensor& weights,
                     const Tensor& diff_dst,
                     const Tensor& diff_src,
                     const Tensor& diff_weights,
                     const ConvParams& p) override;
  void conv_bias_max_pool(const Tensor& src,
                          const Tensor& weights,
                          const Tensor& bias,
                          const Tensor& dst,
                          const Tensor& pooled,
                          const ConvParams& p,
                          const PoolParams& pool,
                          bool keep_dst) override;
  void conv_max_pool_backward(const Tensor& src,
                              const Tensor& weights,
                              const Tensor& dst,
                              const Tensor& diff_pooled,
                              const Tensor& diff_src,
                              const Tensor& diff_weights,
                              const ConvParams& p,
                              const PoolParams& pool) override;
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
  void softmax_backward(const Tensor& y, const Tensor& dy, const Tensor& dx) override;
  void masked_softmax(const Tensor& x,
                      const Tensor& mask,
                      const Tensor& y,
                      bool uniform_empty_rows) override;
  void lstm_cell(const Tensor& z,
                 const Tensor& c_prev,
                 const Tensor& h,
                 const Tensor& c,
                 const Tensor& workspace) override;
  void lstm_sequence(const LstmSequenceArgs& s) override;
  void lstm_sequence_backward(const LstmSequenceArgs& s, const LstmSequenceGrads& g) override;
  void lstm_inference(const LstmInferenceArgs& s) override;
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
};

}  // namespace keras::backend
