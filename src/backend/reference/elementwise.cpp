#include <cstring>

#include "backend/reference/reference_backend.h"
#include "backend/strided.h"
#include "backend/unary_math.h"

namespace keras::backend {

void ReferenceBackend::fill(const Tensor& y, double value) {
  visit_dtype(y.dtype(), [&]<class T>() {
    T* p = static_cast<T*>(y.raw_data());
    for (int64_t i = 0; i < y.size(); ++i) p[i] = value_cast<T>(value);
  });
}

void ReferenceBackend::copy(const Tensor& src, const Tensor& dst) {
  std::memmove(dst.raw_data(), src.raw_data(), src.nbytes());
}

void ReferenceBackend::cast(const Tensor& src, const Tensor& dst) {
  visit_dtype(src.dtype(), [&]<class S>() {
    visit_dtype(dst.dtype(), [&]<class D>() {
      const S* s = static_cast<const S*>(src.raw_data());
      D* d = static_cast<D*>(dst.raw_data());
      for (int64_t i = 0; i < src.size(); ++i) d[i] = value_cast<D>(s[i]);
    });
  });
}

void ReferenceBackend::unary(UnaryOp op, const Tensor& x, const Tensor& y, UnaryParams p) {
  visit_dtype(x.dtype(), [&]<class T>() {
    const T* in = static_cast<const T*>(x.raw_data());
    T* out = static_cast<T*>(y.raw_data());
    visit_unary_op(op, [&]<UnaryOp kOp>() {
      for (int64_t i = 0; i < x.size(); ++i) {
        if constexpr (std::is_floating_point_v<T>) {
          out[i] = unary_forward<kOp, T>(in[i], p);
        } else {
          out[i] = value_cast<T>(unary_forward<kOp, double>(static_cast<double>(in[i]), p));
        }
      }
    });
  });
}

void ReferenceBackend::unary_backward(UnaryOp op,
                                      const Tensor& x,
                                      const Tensor& y,
                                      const Tensor& dy,
                                      const Tensor& dx,
                                      UnaryParams p) {
  visit_floating(x, "unary_backward", [&]<class T>() {
    const T* xs = static_cast<const T*>(x.raw_data());
    const T* ys = static_cast<const T*>(y.raw_data());
    const T* g = static_cast<const T*>(dy.raw_data());
    T* out = static_cast<T*>(dx.raw_data());
    visit_unary_op(op, [&]<UnaryOp kOp>() {
      for (int64_t i = 0; i < x.size(); ++i)
        out[i] = g[i] * unary_derivative<kOp, T>(xs[i], ys[i], p);
    });
  });
}

void ReferenceBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& y) {
  const std::vector<int64_t> strides[2] = {broadcast_strides(a.shape(), y.shape()),
                                           broadcast_strides(b.shape(), y.shape())};
  visit_dtype(a.dtype(), [&]<class T>() {
    const T* pa = static_cast<const T*>(a.raw_data());
    const T* pb = static_cast<const T*>(b.raw_data());
    visit_binary_op(op, [&]<BinaryOp kOp>() {
      using R = decltype(binary_scalar<kOp, T>(T(), T()));
      R* out = static_cast<R*>(y.raw_data());
      MultiIndex<2> it(y.shape(), strides);
      for (int64_t i = 0; i < y.size(); ++i, it.next()) {
        out[i] = binary_scalar<kOp, T>(pa[it.offset(0)], pb[it.offset(1)]);
      }
    });
  });
}

void ReferenceBackend::where(const Tensor& cond,
                             const Tensor& a,
                             const Tensor& b,
                             const Tensor& y) {
  const std::vector<int64_t> strides[3] = {broadcast_strides(cond.shape(), y.shape()),
                                           broadcast_strides(a.shape(), y.shape()),
                                           broadcast_strides(b.shape(), y.shape())};
  const bool* c = static_cast<const bool*>(cond.raw_data());
  visit_dtype(y.dtype(), [&]<class T>() {
    const T* pa = static_cast<const T*>(a.raw_data());
    const T* pb = static_cast<const T*>(b.raw_data());
    T* out = static_cast<T*>(y.raw_data());
    MultiIndex<3> it(y.shape(), strides);
    for (int64_t i = 0; i < y.size(); ++i, it.next()) {
      out[i] = c[it.offset(0)] ? pa[it.offset(1)] : pb[it.offset(2)];
    }
  });
}

}  // namespace keras::backend
