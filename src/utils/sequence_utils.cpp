#include "keras/utils/sequence_utils.h"

#include <algorithm>

#include "keras/core/error.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"

namespace keras::utils {

Tensor pad_sequences(const std::vector<Tensor>& sequences, const PadSequencesOptions& options) {
  const std::string& padding = options.padding;
  const std::string& truncating = options.truncating;
  KERAS_CHECK(truncating == "pre" || truncating == "post", ValueError, "Truncating type \"",
              truncating, "\" not understood");
  KERAS_CHECK(padding == "pre" || padding == "post", ValueError, "Padding type \"", padding,
              "\" not understood");
  KERAS_CHECK(!options.maxlen || *options.maxlen >= 0, ValueError,
              "pad_sequences: maxlen must be 0 or greater, received maxlen=", *options.maxlen);
  int64_t longest = 0;
  std::optional<Shape> sample_shape;
  for (const Tensor& s : sequences) {
    KERAS_CHECK(s.defined() && s.rank() >= 1, ValueError,
                "`sequences` must be a list of iterables. Found non-iterable: ",
                s.defined() ? "a scalar tensor" : "None");
    longest = std::max(longest, s.shape()[0]);
    if (!sample_shape && s.shape()[0] > 0)
      sample_shape = Shape(s.shape().begin() + 1, s.shape().end());
  }
  const int64_t maxlen = options.maxlen.value_or(longest);
  const Shape sample = sample_shape.value_or(Shape{});
  Tensors rows;
  rows.reserve(sequences.size());
  for (size_t i = 0; i < sequences.size(); ++i) {
    const Tensor& s = sequences[i];
    const Shape shape_of_sample(s.shape().begin() + 1, s.shape().end());
    KERAS_CHECK(s.shape()[0] == 0 || shape_of_sample == sample, ValueError, "Shape of sample ",
                shape_str(shape_of_sample), " of sequence at position ", i,
                " is different from expected shape ", shape_str(sample));
    const int64_t kept = std::min(s.shape()[0], maxlen);
    const int64_t from = truncating == "pre" ? s.shape()[0] - kept : 0;
    Shape pad_shape{maxlen - kept};
    pad_shape.insert(pad_shape.end(), sample.begin(), sample.end());
    const Tensor pad = full(pad_shape, options.value, options.dtype);
    if (kept == 0) {
      rows.push_back(ops::expand_dims(pad, 0));
      continue;
    }
    const Tensor values = ops::cast(ops::slice_axis(s, 0, from, kept), options.dtype);
    rows.push_back(padding == "pre" ? ops::concatenate({pad, values}, 0)
                                    : ops::concatenate({values, pad}, 0));
    rows.back() = ops::expand_dims(rows.back(), 0);
  }
  if (rows.empty()) {
    Shape shape{0, maxlen};
    shape.insert(shape.end(), sample.begin(), sample.end());
    return zeros(shape, options.dtype);
  }
  return ops::concatenate(rows, 0);
}

}  // namespace keras::utils
