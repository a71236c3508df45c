#include "keras/ops/rnn.h"

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"

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
  backend::Backend& be = backend::backend_for("lstm_cell", {z, c_prev});
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

std::pair<Tensor, Tensor> lstm_sequence(const Tensor& xs,
                                        const Tensor& recurrent_kernel,
                                        const Tensor& h0,
                                        const Tensor& c0,
                                        bool go_backwards) {
  const Tensor& u = recurrent_kernel;
  KERAS_CHECK(
      xs.rank() == 3 && u.rank() == 2 && h0.rank() == 2 && c0.shape() == h0.shape() &&
          xs.dim(0) == h0.dim(0) && xs.dim(1) >= 1 && u.dim(0) == h0.dim(1) &&
          u.dim(1) == 4 * h0.dim(1) && xs.dim(2) == u.dim(1),
      ValueError,
      "lstm_sequence: expected xs (batch, steps >= 1, 4u), recurrent_kernel (u, 4u), h0 and "
      "c0 (batch, u), got ",
      shape_str(xs.shape()), ", ", shape_str(u.shape()), ", ", shape_str(h0.shape()), ", ",
      shape_str(c0.shape()));
  KERAS_CHECK(is_floating(xs.dtype()) && u.dtype() == xs.dtype() && h0.dtype() == xs.dtype() &&
                  c0.dtype() == xs.dtype(),
              TypeError, "lstm_sequence: expected floating tensors of one dtype, got ", xs.dtype(),
              ", ", u.dtype(), ", ", h0.dtype(), ", ", c0.dtype());
  const int64_t batch = xs.dim(0), steps = xs.dim(1), units = h0.dim(1);
  Tensor hs = Tensor::empty({batch, steps, units}, xs.dtype(), xs.device());
  Tensor cs = Tensor::empty({batch, steps, units}, xs.dtype(), xs.device());
  Tensor ws = Tensor::empty({batch, steps, 5 * units}, xs.dtype(), xs.device());
  backend::Backend& be = backend::backend_for("lstm_sequence", {xs, u, h0, c0});
  const backend::LstmSequenceArgs args{xs, u, h0, c0, go_backwards, hs, cs, ws};
  launch([&be, args] { be.lstm_sequence(args); });
  auto last = [&] { return reshape(slice_axis(cs, 1, steps - 1, 1), {batch, units}); };
  if (!autodiff::any_tracked({xs, u, h0, c0})) return {hs, last()};
  // cs is an output for the tape (c_last is its recorded slice, taken below).
  autodiff::record("lstm_sequence", {xs, u, h0, c0}, {hs, cs},
                   [&be, args = backend::LstmSequenceArgs{Tensor(), u, h0, c0, go_backwards, hs, cs,
                                                          ws}](const Tensors& dys) {
                     const Tensor dc_last =
                         reshape(slice_axis(dys[1], 1, dys[1].dim(1) - 1, 1), args.h0.shape());
                     const backend::LstmSequenceGrads g{
                         dys[0],
                         dc_last,
                         Tensor::empty({args.hs.dim(0), args.hs.dim(1), args.u_kernel.dim(1)},
                                       args.hs.dtype(), args.hs.device()),
                         empty_like(args.u_kernel),
                         empty_like(args.h0),
                         empty_like(args.c0)};
                     launch([&be, args, g] { be.lstm_sequence_backward(args, g); });
                     return Grads{g.dxs, g.du, g.dh0, g.dc0};
                   });
  return {hs, last()};
}

std::tuple<Tensor, Tensor, Tensor> lstm_inference(const Tensor& x,
                                                  const Tensor& kernel,
                                                  const Tensor& bias,
                                                  const Tensor& recurrent_kernel,
                                                  const Tensor& h0,
                                                  const Tensor& c0,
                                                  bool go_backwards,
                                                  bool return_sequences) {
  const Tensor& u = recurrent_kernel;
  KERAS_CHECK(x.rank() == 3 && kernel.rank() == 2 && u.rank() == 2 && h0.rank() == 2 &&
                  c0.shape() == h0.shape() && x.dim(0) == h0.dim(0) && x.dim(1) >= 1 &&
                  kernel.dim(0) == x.dim(2) && u.dim(0) == h0.dim(1) && u.dim(1) == 4 * h0.dim(1) &&
                  kernel.dim(1) == u.dim(1) && (!bias.defined() || bias.shape() == Shape{u.dim(1)}),
              ValueError,
              "lstm_inference: expected x (batch, steps >= 1, features), kernel (features, 4u), "
              "bias (4u), recurrent_kernel (u, 4u), h0 and c0 (batch, u), got ",
              shape_str(x.shape()), ", ", shape_str(kernel.shape()), ", ",
              bias.defined() ? shape_str(bias.shape()) : std::string("None"), ", ",
              shape_str(u.shape()), ", ", shape_str(h0.shape()), ", ", shape_str(c0.shape()));
  KERAS_CHECK(is_floating(x.dtype()) && kernel.dtype() == x.dtype() && u.dtype() == x.dtype() &&
                  (!bias.defined() || bias.dtype() == x.dtype()) && h0.dtype() == x.dtype() &&
                  c0.dtype() == x.dtype(),
              TypeError, "lstm_inference: expected floating tensors of one dtype, got ", x.dtype(),
              ", ", kernel.dtype(), ", ", u.dtype(), ", ", h0.dtype(), ", ", c0.dtype());
  const int64_t batch = x.dim(0), steps = x.dim(1), units = h0.dim(1);
  const Tensors used =
      bias.defined() ? Tensors{x, kernel, bias, u, h0, c0} : Tensors{x, kernel, u, h0, c0};
  backend::Backend& be = backend::backend_for("lstm_inference", used);
  const Tensor hs =
      return_sequences ? Tensor::empty({batch, steps, units}, x.dtype(), x.device()) : Tensor();
  const Tensor h = Tensor::empty({batch, units}, x.dtype(), x.device());
  const Tensor c = Tensor::empty({batch, units}, x.dtype(), x.device());
  const backend::LstmInferenceArgs args{x, kernel, bias, u, h0, c0, go_backwards, hs, h, c};
  launch([&be, args] { be.lstm_inference(args); });
  return {hs, h, c};
}

}  // namespace keras::ops
