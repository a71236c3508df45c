// The KerasTensor forms of keras.ops' core functions (op_layer.h): nodes of Keras 3's Scatter,
// ScatterUpdate, SliceUpdate, Rearrange, segment reductions, HardSilu, CTCLoss and CTCDecode.
#include "keras/config/json.h"
#include "keras/layers/op_layer.h"
#include "layers/op_node.h"
#include "op_table.h"

namespace keras::ops {
namespace {

using internal::node;
using internal::tensor_arg;

KerasTensor segment(const char* cls,
                    const KerasTensor& data,
                    const KerasTensor& ids,
                    int64_t num_segments,
                    bool sorted) {
  KERAS_CHECK(num_segments >= 1, ValueError, "segment reduction: `num_segments` must be >= 1, got ",
              num_segments);
  return node(cls, {{"num_segments", num_segments}, {"sorted", sorted}},
              Json::array({tensor_arg(), tensor_arg()}), {data, ids})[0];
}

}  // namespace

KerasTensor scatter(const KerasTensor& indices, const KerasTensor& values, const Shape& shape) {
  return node("Scatter", {{"shape", Json(std::vector<int64_t>(shape.begin(), shape.end()))}},
              Json::array({tensor_arg(), tensor_arg()}), {indices, values})[0];
}
KerasTensor scatter(const Tensor& indices, const KerasTensor& values, const Shape& shape) {
  return node("Scatter", {{"shape", Json(std::vector<int64_t>(shape.begin(), shape.end()))}},
              Json::array({layers::op_table::numpy_to_json(indices), tensor_arg()}), {values})[0];
}
KerasTensor scatter_update(const KerasTensor& inputs,
                           const KerasTensor& indices,
                           const KerasTensor& updates,
                           const std::optional<std::string>& reduction) {
  return node("ScatterUpdate", {{"reduction", reduction ? Json(*reduction) : Json(nullptr)}},
              Json::array({tensor_arg(), tensor_arg(), tensor_arg()}),
              {inputs, indices, updates})[0];
}
KerasTensor scatter_update(const KerasTensor& inputs,
                           const Tensor& indices,
                           const KerasTensor& updates,
                           const std::optional<std::string>& reduction) {
  return node("ScatterUpdate", {{"reduction", reduction ? Json(*reduction) : Json(nullptr)}},
              Json::array({tensor_arg(), layers::op_table::numpy_to_json(indices), tensor_arg()}),
              {inputs, updates})[0];
}
KerasTensor slice_update(const KerasTensor& inputs,
                         const std::vector<int64_t>& start_indices,
                         const KerasTensor& updates) {
  return node("SliceUpdate", Json::object(),
              Json::array({tensor_arg(), Json(start_indices), tensor_arg()}), {inputs, updates})[0];
}
KerasTensor rearrange(const KerasTensor& tensor,
                      const std::string& pattern,
                      const std::map<std::string, int64_t>& axes_lengths) {
  Json kwargs = Json::object();
  for (const auto& [name, length] : axes_lengths) kwargs[name] = length;
  return node("Rearrange", Json::object(), Json::array({tensor_arg(), pattern}), {tensor},
              kwargs)[0];
}
KerasTensor segment_sum(const KerasTensor& data,
                        const KerasTensor& segment_ids,
                        int64_t num_segments,
                        bool sorted) {
  return segment("SegmentSum", data, segment_ids, num_segments, sorted);
}
KerasTensor segment_max(const KerasTensor& data,
                        const KerasTensor& segment_ids,
                        int64_t num_segments,
                        bool sorted) {
  return segment("SegmentMax", data, segment_ids, num_segments, sorted);
}
KerasTensor segment_min(const KerasTensor& data,
                        const KerasTensor& segment_ids,
                        int64_t num_segments,
                        bool sorted) {
  return segment("SegmentMin", data, segment_ids, num_segments, sorted);
}
KerasTensor segment_prod(const KerasTensor& data,
                         const KerasTensor& segment_ids,
                         int64_t num_segments,
                         bool sorted) {
  return segment("SegmentProd", data, segment_ids, num_segments, sorted);
}
KerasTensor hard_silu(const KerasTensor& x) {
  return node("HardSilu", Json::object(), Json::array({tensor_arg()}), {x})[0];
}
KerasTensor hard_swish(const KerasTensor& x) {
  return hard_silu(x);
}
KerasTensor ctc_loss(const KerasTensor& target,
                     const KerasTensor& output,
                     const KerasTensor& target_length,
                     const KerasTensor& output_length,
                     int64_t mask_index) {
  return node("CTCLoss", {{"mask_index", mask_index}},
              Json::array({tensor_arg(), tensor_arg(), tensor_arg(), tensor_arg()}),
              {target, output, target_length, output_length})[0];
}
std::pair<KerasTensor, KerasTensor> ctc_decode(const KerasTensor& inputs,
                                               const KerasTensor& sequence_lengths,
                                               const std::string& strategy,
                                               int64_t beam_width,
                                               int64_t top_paths,
                                               bool merge_repeated,
                                               std::optional<int64_t> mask_index) {
  const KerasTensors out =
      node("CTCDecode",
           {{"strategy", strategy},
            {"beam_width", beam_width},
            {"top_paths", top_paths},
            {"merge_repeated", merge_repeated},
            {"mask_index", mask_index ? Json(*mask_index) : Json(nullptr)}},
           Json::array({tensor_arg(), tensor_arg()}), {inputs, sequence_lengths});
  return {out[0], out[1]};
}

}  // namespace keras::ops
