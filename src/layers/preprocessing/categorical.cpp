#include "layers/preprocessing/categorical.h"

#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::layers {

namespace categorical {

std::string standard_mode(const std::string& mode) {
  return mode == "binary" ? "multi_hot" : mode;
}

void check_mode(const std::string& mode, const std::string& layer) {
  KERAS_CHECK(mode == "one_hot" || mode == "multi_hot" || mode == "count", ValueError, layer,
              ": Unknown arg for output_mode: ", mode);
}

Shape output_shape(const Shape& shape,
                   const std::string& mode,
                   int64_t depth,
                   const std::string& layer) {
  if (shape.empty()) return {depth};
  if (mode == "one_hot") {
    Shape out = shape;
    if (out.size() > 1 && out.back() == 1) out.pop_back();
    out.push_back(depth);
    return out;
  }
  KERAS_CHECK(shape.size() <= 2, ValueError, layer, ": output_mode='", mode,
              "' takes ids of rank 1 or 2, (batch,) or (batch, ids); received shape ",
              shape_str(shape));
  Shape out(shape.begin(), shape.end() - 1);
  out.push_back(depth);
  return out;
}

Tensor encode(const Tensor& ids_in,
              const std::string& mode,
              int64_t depth,
              DType dtype,
              const std::string& layer) {
  const Shape out = output_shape(ids_in.shape(), mode, depth, layer);
  Tensor ids = ids_in.rank() == 0 ? ops::expand_dims(ids_in, 0) : ids_in;
  if (mode == "one_hot") {
    if (ids.rank() > 1 && ids.shape().back() == 1) ids = ops::squeeze(ids, -1);
    return ops::reshape(ops::one_hot(ids, depth, dtype), out);
  }
  // (..., k, depth) reduced over the k ids: their union (max) or their count (sum).
  const Tensor hot = ops::one_hot(ids, depth, dtype);
  const int axis = static_cast<int>(hot.rank()) - 2;
  return mode == "count" ? ops::sum(hot, {axis}) : ops::max(hot, {axis});
}

Tensor weighted_count(const Tensor& ids_in,
                      const Tensor& weights_in,
                      int64_t depth,
                      const std::string& layer) {
  const Shape out = output_shape(ids_in.shape(), "count", depth, layer);
  const bool scalar = ids_in.rank() == 0;
  const Tensor ids = scalar ? ops::expand_dims(ids_in, 0) : ids_in;
  const Tensor weights = scalar ? ops::expand_dims(weights_in, 0) : weights_in;
  const Tensor hot =
      ops::multiply(ops::one_hot(ids, depth, weights.dtype()), ops::expand_dims(weights, -1));
  return ops::reshape(ops::sum(hot, {static_cast<int>(hot.rank()) - 2}), out);
}

}  // namespace categorical

}  // namespace keras::layers
