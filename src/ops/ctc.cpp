// ctc_loss as a composition of ops, so its gradient comes from theirs. Keras 3's JAX algorithm
// step by step: phi[b, n] is the log-probability of having emitted the first n labels and being
// on a blank, emit[b, n] of being on label n.
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::ops {
namespace {

constexpr double kLogEpsilon = -1e5;

// 1 where position i >= lengths[b] (padding), else 0: shape (batch, max_length).
Tensor paddings(const Tensor& lengths, int64_t max_length, DType dtype) {
  const Tensor positions = reshape(arange(max_length, int32, lengths.device()), {1, max_length});
  return cast(greater_equal(positions, expand_dims(cast(lengths, int32), -1)), dtype);
}

// phi[:, 1:] combined in log space with `added` (phi[:, 0] unchanged).
Tensor add_to_phi(const Tensor& phi, const Tensor& added) {
  const int64_t n = phi.shape()[1] - 1;
  return concatenate({slice_axis(phi, 1, 0, 1), logaddexp(slice_axis(phi, 1, 1, n), added)}, 1);
}

}  // namespace

Tensor ctc_loss(const Tensor& target,
                const Tensor& output_in,
                const Tensor& target_length,
                const Tensor& output_length,
                int64_t mask_index) {
  KERAS_CHECK(target.rank() == 2 && output_in.rank() == 3 && target_length.rank() == 1 &&
                  output_length.rank() == 1,
              ValueError,
              "ctc_loss: expected target (batch_size, max_label_length), output (batch_size, "
              "max_length, num_classes) and lengths (batch_size,). Received: target.shape=",
              shape_str(target.shape()), ", output.shape=", shape_str(output_in.shape()),
              ", target_length.shape=", shape_str(target_length.shape()),
              ", output_length.shape=", shape_str(output_length.shape()));
  const int64_t batch = output_in.shape()[0], steps = output_in.shape()[1],
                classes = output_in.shape()[2], labels = target.shape()[1];
  KERAS_CHECK(target.shape()[0] == batch && target_length.shape()[0] == batch &&
                  output_length.shape()[0] == batch,
              ValueError,
              "ctc_loss: the batch sizes differ: target.shape=", shape_str(target.shape()),
              ", output.shape=", shape_str(output_in.shape()),
              ", target_length.shape=", shape_str(target_length.shape()),
              ", output_length.shape=", shape_str(output_length.shape()));
  KERAS_CHECK(labels >= 1, ValueError,
              "ctc_loss: target has no label positions: target.shape=", shape_str(target.shape()));
  KERAS_CHECK(mask_index >= 0 && mask_index < classes, ValueError,
              "ctc_loss: mask_index=", mask_index,
              " is not a class of output.shape=", shape_str(output_in.shape()));
  const DType dtype = is_floating(output_in.dtype()) ? output_in.dtype() : float32;
  const Tensor output = cast(output_in, dtype);
  const Tensor ids = cast(target, int32);

  const Tensor target_paddings = paddings(target_length, labels, dtype);
  const Tensor output_paddings = paddings(output_length, steps, dtype);
  const Tensor label_lengths =
      cast(subtract(static_cast<double>(labels), sum(target_paddings, 1)), int32);

  // repeat[b, n] = 1 when label n equals label n + 1 (the last column is 0).
  Tensor repeat = zeros({batch, 1}, dtype, output.device());
  if (labels > 1) {
    const Tensor same = equal(slice_axis(ids, 1, 0, labels - 1), slice_axis(ids, 1, 1, labels - 1));
    repeat = concatenate({cast(same, dtype), repeat}, 1);
  }
  const Tensor no_repeat = subtract(1.0, repeat);

  const Tensor logprobs = log_softmax(output, -1);                                      // (B, T, K)
  const Tensor logprobs_phi = slice_axis(logprobs, 2, mask_index, 1);                   // (B, T, 1)
  const Tensor one_hot_labels = one_hot(ids, classes, dtype);                           // (B, N, K)
  const Tensor logprobs_emit = matmul(logprobs, transpose(one_hot_labels, {0, 2, 1}));  // (B,T,N)

  Tensor phi = concatenate({zeros({batch, 1}, dtype, output.device()),
                            full({batch, labels}, kLogEpsilon, dtype, output.device())},
                           1);
  Tensor emit = full({batch, labels}, kLogEpsilon, dtype, output.device());
  for (int64_t t = 0; t < steps; ++t) {
    const Tensor lp_emit = reshape(slice_axis(logprobs_emit, 1, t, 1), {batch, labels});
    const Tensor lp_phi = reshape(slice_axis(logprobs_phi, 1, t, 1), {batch, 1});
    const Tensor pad = slice_axis(output_paddings, 1, t, 1);  // (B, 1)
    // emit -> phi without a blank, except before a repeated label
    const Tensor prev_phi = add_to_phi(phi, add(emit, multiply(repeat, kLogEpsilon)));
    // phi -> emit, and emit -> emit
    const Tensor next_emit =
        logaddexp(add(slice_axis(prev_phi, 1, 0, labels), lp_emit), add(emit, lp_emit));
    // phi -> phi, and emit -> phi through a blank (only before a repeated label)
    const Tensor next_phi =
        add_to_phi(add(prev_phi, lp_phi), add(add(emit, lp_phi), multiply(no_repeat, kLogEpsilon)));
    const Tensor keep = subtract(1.0, pad);
    emit = add(multiply(pad, emit), multiply(keep, next_emit));
    phi = add(multiply(pad, phi), multiply(keep, next_phi));
  }
  const Tensor last_phi = add_to_phi(phi, emit);
  const Tensor at_length = one_hot(label_lengths, labels + 1, dtype);
  return negative(sum(multiply(last_phi, at_length), 1));
}

}  // namespace keras::ops
