#include "distribution/ops.h"

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/core/error.h"
#include "keras/distribution/collective.h"

namespace keras::distribution::internal {

double& batch_share() {
  thread_local double share = 1.0;
  return share;
}

namespace {

// out = (sum over processes of x * scale) / scale, where scale is read when the kernel runs.
Tensor summed(const Tensor& x, bool weighted) {
  KERAS_CHECK(x.dtype() == float32 || x.dtype() == float64, TypeError,
              "all_reduce_sum: expected float32 or float64, got ", dtype_name(x.dtype()));
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  autodiff::launch([x, out, weighted] {
    const double s = weighted ? batch_share() : 1.0;
    auto run = [&]<class T>(T* dst, const T* src) {
      for (int64_t i = 0; i < x.size(); ++i) dst[i] = static_cast<T>(src[i] * s);
      collective().all_reduce(dst, x.size(), x.dtype(), ReduceOp::sum);
      for (int64_t i = 0; i < x.size(); ++i) dst[i] = static_cast<T>(dst[i] / s);
    };
    if (x.dtype() == float32) {
      run(out.data<float>(), x.data<float>());
    } else {
      run(out.data<double>(), x.data<double>());
    }
  });
  return out;
}

}  // namespace

Tensor all_reduce_sum(const Tensor& x) {
  Tensor out = summed(x, false);
  autodiff::record("AllReduceSum", {x}, out,
                   [](const Tensor& dy) { return autodiff::Grads{summed(dy, true)}; });
  return out;
}

}  // namespace keras::distribution::internal
