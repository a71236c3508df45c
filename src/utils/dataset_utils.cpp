#include "keras/utils/dataset_utils.h"

#include <cmath>
#include <random>
#include <string>

#include "core/python_repr.h"
#include "keras/core/error.h"
#include "keras/core/random.h"
#include "keras/ops/random.h"
#include "keras/ops/shape.h"

namespace keras::utils {

std::vector<Data> pack_x_y_sample_weight(Data x, Data y, Data sample_weight) {
  if (y.empty()) return {std::move(x)};
  if (sample_weight.empty()) return {std::move(x), std::move(y)};
  return {std::move(x), std::move(y), std::move(sample_weight)};
}

std::tuple<Data, Data, Data> unpack_x_y_sample_weight(const std::vector<Data>& data) {
  KERAS_CHECK(!data.empty() && data.size() <= 3, ValueError,
              "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
              "found: a tuple of ",
              data.size(), " items");
  return {data[0], data.size() > 1 ? data[1] : Data(), data.size() > 2 ? data[2] : Data()};
}

namespace {

// A size after Keras's rescaling, with the Python type it would have there (counts given as int
// become float; rounded fractions are int), for the messages.
struct Size {
  int64_t value;
  bool as_float;
  std::string repr() const {
    return as_float ? python_float_repr(static_cast<double>(value)) : std::to_string(value);
  }
};

std::string given_repr(const SplitSize& s) {
  return s.is_fraction() ? python_float_repr(s.fraction()) : std::to_string(s.count());
}

void check_size(const SplitSize& s, int64_t total, bool left) {
  bool bad = s.is_fraction() ? (s.fraction() <= 0 || s.fraction() >= 1)
                             : (s.count() <= 0 || s.count() >= total);
  if (!bad) return;
  if (left)
    throw ValueError(
        str("`left_size` should be either a positive integer smaller than ", total,
            ", or a float within the range `[0, 1]`. Received: left_size=", given_repr(s)));
  throw ValueError(
      str("`right_size` should be either a positive integer and smaller than ", total,
          " or a float within the range `[0, 1]`. Received: right_size=", given_repr(s)));
}

std::optional<Size> scaled(const std::optional<SplitSize>& s, int64_t total) {
  if (!s) return std::nullopt;
  if (!s->is_fraction()) return Size{s->count(), true};
  // Python's round(): half to even, the default rounding mode's nearbyint.
  return Size{static_cast<int64_t>(std::nearbyint(s->fraction() * static_cast<double>(total))),
              false};
}

std::pair<int64_t, int64_t> split_sizes(const SplitDatasetOptions& o, int64_t total) {
  KERAS_CHECK(o.left_size || o.right_size, ValueError,
              "At least one of the `left_size` or `right_size` must be specified. Received: "
              "left_size=None and right_size=None");
  auto is_zero = [](const std::optional<SplitSize>& s) {
    return s && (s->is_fraction() ? s->fraction() == 0 : s->count() == 0);
  };
  KERAS_CHECK(!(is_zero(o.left_size) && is_zero(o.right_size)), ValueError,
              "Both `left_size` and `right_size` are zero. At least one of the split sizes must "
              "be non-zero.");
  if (o.left_size) check_size(*o.left_size, total, true);
  if (o.right_size) check_size(*o.right_size, total, false);
  KERAS_CHECK(
      !(o.left_size && o.right_size && o.left_size->is_fraction() && o.right_size->is_fraction() &&
        o.left_size->fraction() + o.right_size->fraction() > 1),
      ValueError,
      "The sum of `left_size` and `right_size` is greater than 1. It must be less than or "
      "equal to 1.");
  std::optional<Size> left = scaled(o.left_size, total), right = scaled(o.right_size, total);
  if (!left) left = Size{total - right->value, right->as_float};
  if (!right) right = Size{total - left->value, left->as_float};
  Size sum{left->value + right->value, left->as_float || right->as_float};
  KERAS_CHECK(sum.value <= total, ValueError,
              "The sum of `left_size` and `right_size` should be smaller than the ", total,
              ". Received: left_size + right_size = ", sum.repr(), "and total_length = ", total);
  for (const auto& [size, side] : {std::pair{*left, "left"}, std::pair{*right, "right"}})
    KERAS_CHECK(size.value != 0, ValueError, "With `dataset` of length=", total,
                ", `left_size`=", left->repr(), " and `right_size`=", right->repr(), ".Resulting ",
                side,
                " side dataset split will be empty. Adjust any of the "
                "aforementioned parameters");
  return {left->value, right->value};
}

int64_t common_length(const Data& dataset) {
  KERAS_CHECK(!dataset.empty() && !dataset.is_dataset(), TypeError,
              "The `dataset` argument must be either a list/tuple of arrays or a dict of arrays "
              "(a PyDataset cannot be split). Received: dataset=",
              dataset.empty() ? "None" : "a PyDataset");
  std::vector<Tensor> tensors = dataset.list();
  for (const auto& [key, t] : dataset.map()) tensors.push_back(t);
  const char* kind = dataset.is_map() ? "dict" : "list";
  KERAS_CHECK(!tensors.empty(), ValueError, "Received an empty ", kind,
              " dataset.Please provide a non-empty ", kind, " of arrays.");
  for (size_t i = 0; i < tensors.size(); ++i) {
    KERAS_CHECK(tensors[i].defined() && tensors[i].rank() > 0, ValueError, "Expected a ", kind,
                " of arrays with a first (sample) axis,Received: ",
                tensors[i].defined() ? "a scalar" : "None", " at index ", i, ".");
    KERAS_CHECK(tensors[i].dim(0) == tensors[0].dim(0), ValueError, "Received a ", kind,
                " of NumPy arrays with different lengths.Mismatch found at index ", i,
                ", Expected shape=", shape_str(tensors[0].shape()),
                " Received shape=", shape_str(tensors[i].shape()), ".Please provide a ", kind,
                " of NumPy arrays of the same length.");
  }
  return tensors[0].dim(0);
}

}  // namespace

std::pair<Data, Data> split_dataset(const Data& dataset, SplitDatasetOptions options) {
  const int64_t total = common_length(dataset);
  std::optional<Tensor> order;
  if (options.shuffle)
    order = random::permutation(total, options.seed.value_or(std::random_device{}()));
  auto [left, right] = split_sizes(options, total);
  auto part = [&](const Tensor& t, int64_t start, int64_t size) {
    if (!order) return ops::slice_axis(t, 0, start, size);
    return ops::take(t, ops::slice_axis(*order, 0, start, size));
  };
  auto split = [&](int64_t start, int64_t size) -> Data {
    if (dataset.is_map()) {
      std::map<std::string, Tensor> out;
      for (const auto& [key, t] : dataset.map()) out.emplace(key, part(t, start, size));
      return out;
    }
    std::vector<Tensor> out;
    for (const auto& t : dataset.list()) out.push_back(part(t, start, size));
    return out;
  };
  return {split(0, left), split(total - right, right)};
}

}  // namespace keras::utils
