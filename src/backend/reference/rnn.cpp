#include <cmath>

#include "backend/lstm_cell.h"
#include "backend/reference/reference_backend.h"
#include "backend/unary_math.h"

namespace keras::backend {

void ReferenceBackend::lstm_cell(const Tensor& z,
                                 const Tensor& c_prev,
                                 const Tensor& h,
                                 const Tensor& c,
                                 const Tensor& workspace) {
  visit_floating(z, "lstm_cell", [&]<class T>() {
    lstm_cell_forward<T>(
        static_cast<const T*>(z.raw_data()), static_cast<const T*>(c_prev.raw_data()),
        static_cast<T*>(h.raw_data()), static_cast<T*>(c.raw_data()),
        static_cast<T*>(workspace.raw_data()), c.dim(0), c.dim(1),
        [](T x) { return sigmoid_scalar(x); }, [](T x) { return std::tanh(x); });
  });
}

void ReferenceBackend::lstm_cell_backward(const Tensor& dh,
                                          const Tensor& dc,
                                          const Tensor& c_prev,
                                          const Tensor& workspace,
                                          const Tensor& dz,
                                          const Tensor& dc_prev) {
  visit_floating(dh, "lstm_cell_backward", [&]<class T>() {
    lstm_cell_backward_loops<T>(
        static_cast<const T*>(dh.raw_data()), static_cast<const T*>(dc.raw_data()),
        static_cast<const T*>(c_prev.raw_data()), static_cast<const T*>(workspace.raw_data()),
        static_cast<T*>(dz.raw_data()), static_cast<T*>(dc_prev.raw_data()), dh.dim(0), dh.dim(1));
  });
}

}  // namespace keras::backend
