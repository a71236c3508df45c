// keras.ops' named segment reductions over math.cpp's segment_reduce.
#include <algorithm>

#include "keras/core/error.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/math.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/host_kernel.h"

namespace keras::ops {
namespace {

Tensor named_segment(const Tensor& data,
                     const Tensor& segment_ids,
                     std::optional<int64_t> num_segments,
                     SegmentReduction reduction) {
  KERAS_CHECK(segment_ids.rank() <= 1, ValueError,
              "Argument `segment_ids` should be an 1-D vector, got shape: ", segment_ids.rank(),
              ". Consider either flatten input with segment_ids.reshape((-1)) and "
              "data.reshape((-1, ) + data.shape[len(segment_ids.shape):]) or vectorize with vmap.");
  KERAS_CHECK(
      segment_ids.rank() == 1 && data.rank() >= 1 && segment_ids.shape()[0] == data.shape()[0],
      ValueError, "Argument `segment_ids` and `data` should have same leading dimension. Got ",
      shape_str(segment_ids.shape()), " v.s. ", shape_str(data.shape()), ".");
  if (!num_segments) {
    KERAS_CHECK(is_integer(segment_ids.dtype()), ValueError,
                "segment reduction: `segment_ids` must be integers, got ",
                dtype_name(segment_ids.dtype()));
    int64_t top = -1;
    if (segment_ids.size() > 0) top = internal::values_on_host<int64_t>(max(segment_ids))[0];
    num_segments = std::max<int64_t>(top + 1, 1);
  }
  return segment_reduce(data, segment_ids, *num_segments, reduction);
}

}  // namespace

Tensor segment_sum(const Tensor& data,
                   const Tensor& segment_ids,
                   std::optional<int64_t> num_segments,
                   bool) {
  return named_segment(data, segment_ids, num_segments, SegmentReduction::sum);
}
Tensor segment_max(const Tensor& data,
                   const Tensor& segment_ids,
                   std::optional<int64_t> num_segments,
                   bool) {
  return named_segment(data, segment_ids, num_segments, SegmentReduction::max);
}
Tensor segment_min(const Tensor& data,
                   const Tensor& segment_ids,
                   std::optional<int64_t> num_segments,
                   bool) {
  return named_segment(data, segment_ids, num_segments, SegmentReduction::min);
}
Tensor segment_prod(const Tensor& data,
                    const Tensor& segment_ids,
                    std::optional<int64_t> num_segments,
                    bool) {
  return named_segment(data, segment_ids, num_segments, SegmentReduction::prod);
}

}  // namespace keras::ops
