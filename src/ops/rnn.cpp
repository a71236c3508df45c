#include "keras/ops/rnn.h"

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"

namespace keras::ops {

using autodiff::Grads;
using autodiff::launch;

std::pair<Tensor, Tensor> lstm_cell(const Tensor& z, const Tensor& c_prev) {
  KERAS_CHECK(z.rank() == 2 && c_prev.rank() == 2 && z.dim(0) == c_prev.dim(0) &&
                  z.dim(1) == 4 * c_prev.dim(1),
              ValueError, "lstm_cell: expected z (batch, 4u) and c_prev (batch, u), got ",
              shape_str(z.shape()), " and ", shape_str(c_prev.shape()));
  KERAS_CHECK(is_floating(z.dtype()) && z.dtype() == c_prev.dtype(), TypeError,
              "lstm_cell: expected floating tensors of one dtype, got ", z.dtype(), " and ",
              c_prev.dtype());
  const int64_t batch = c_prev.dim(0), units = c_prev.dim(1);
  Tensor h = Tensor::empty({batch, units}, z.dtype(), z.device());
  Tensor c = Tensor::empty({batch, units}, z.dtype(), z.device());
  Tensor ws = Tensor::empty({batch, 5 * units}, z.dtype(), z.device());
  backend::Backend& be = backend::backend_for(z);
  launch([&be, z, c_prev, h, c, ws] { be.lstm_cell(z, c_prev, h, c, ws); });
  autodiff::record("lstm_cell", {z, c_prev}, {h, c}, [&be, c_prev, ws](const Tensors& dys) {
    Tensor dz = Tensor::empty({ws.dim(0), 4 * c_prev.dim(1)}, ws.dtype(), ws.device());
    Tensor dc_prev = empty_like(c_prev);
    launch([&be, dh = dys[0], dc = dys[1], c_prev, ws, dz, dc_prev] {
      be.lstm_cell_backward(dh, dc, c_prev, ws, dz, dc_prev);
    });
    return Grads{dz, dc_prev};
  });
  return {h, c};
}

}  // namespace keras::ops
