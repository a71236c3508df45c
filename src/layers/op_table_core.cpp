// The op table's rows for keras.ops' core functions: Scatter, ScatterUpdate, SliceUpdate,
// Rearrange (keras.src.ops.einops), CTCLoss and CTCDecode.
#include <functional>
#include <map>

#include "keras/config/json.h"
#include "keras/ops/core.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/shape.h"
#include "op_args.h"
#include "ops/host_kernel.h"

namespace keras::layers::op_table {
namespace {

const char* const kEinops = "keras.src.ops.einops";

// A call's argument: a tensor (the node's input `input`) or a constant.
struct Arg {
  int input = -1;
  Tensor constant;
  Tensor of(const Tensors& in) const {
    return input >= 0 ? in[static_cast<size_t>(input)] : constant;
  }
};

// A tensor, a NumPy or backend constant, nested lists or a number (integral: int32, else
// float32, as JAX makes a Python value an array).
Arg arg(const Json& j, int& next, const Call& c) {
  if (is_tensor(j)) return {next++, {}};
  if (is_array_constant(j)) return {-1, numpy_from_json(j, c.what)};
  KERAS_CHECK(j.is_number() || j.is_array() || j.is_boolean(), ValueError, c.what,
              ": expected a tensor, a number or a list, got ", config::json_excerpt(j));
  bool integral = true;
  std::function<void(const Json&)> scan = [&](const Json& v) {
    if (v.is_array()) {
      for (const Json& e : v) scan(e);
    } else if (!v.is_number_integer()) {
      integral = false;
    }
  };
  scan(j);
  const Json wrapped{{"class_name", "__numpy__"},
                     {"config", {{"value", j}, {"dtype", integral ? "int32" : "float32"}}}};
  return {-1, numpy_from_json(wrapped, c.what)};
}

// keras.ops.scatter(indices, values) with the output's shape in the config.
Fn scatter_fn(const Call& c) {
  expect_arity(c, 2);
  const Shape shape = ints_of(c, "shape");
  KERAS_CHECK(config::find(c.config, "shape") != nullptr, ValueError, c.what,
              ": Scatter needs a 'shape'");
  int next = 0;
  const Arg indices = arg(c.args[0], next, c);
  const Arg values = arg(c.args[1], next, c);
  return [=](const Tensors& in) {
    return Tensors{ops::scatter(indices.of(in), values.of(in), shape)};
  };
}

Fn scatter_update_fn(const Call& c) {
  expect_arity(c, 3);
  KERAS_CHECK(is_tensor(c.args[0]), ValueError, c.what,
              ": argument 0 of ScatterUpdate must be a tensor");
  const Json* r = config::find(c.config, "reduction");
  const std::optional<std::string> reduction =
      r == nullptr || r->is_null()
          ? std::nullopt
          : std::optional<std::string>(config::convert<std::string>(*r, "reduction", w(c)));
  int next = 1;
  const Arg indices = arg(c.args[1], next, c);
  const Arg updates = arg(c.args[2], next, c);
  return [=](const Tensors& in) {
    return Tensors{ops::scatter_update(in[0], indices.of(in), updates.of(in), reduction)};
  };
}

Fn slice_update_fn(const Call& c) {
  expect_arity(c, 3);
  KERAS_CHECK(is_tensor(c.args[0]), ValueError, c.what,
              ": argument 0 of SliceUpdate must be a tensor");
  int next = 1;
  std::optional<Arg> start_tensor;
  std::vector<int64_t> start;
  if (is_tensor(c.args[1]) || is_array_constant(c.args[1])) {
    start_tensor = arg(c.args[1], next, c);
  } else {
    start = constant_ints(c.args[1], "start_indices", c);
  }
  const Arg updates = arg(c.args[2], next, c);
  return [=](const Tensors& in) {
    return Tensors{ops::slice_update(
        in[0], start_tensor ? ops::internal::values_on_host<int64_t>(start_tensor->of(in)) : start,
        updates.of(in))};
  };
}

// keras.ops.rearrange(tensor, pattern, **axes_lengths): the lengths are the call's keyword
// arguments.
Fn rearrange_fn(const Call& c) {
  expect_arity(c, 2);
  KERAS_CHECK(is_tensor(c.args[0]), ValueError, c.what,
              ": argument 0 of Rearrange must be a tensor");
  KERAS_CHECK(c.args[1].is_string(), ValueError, c.what,
              ": Rearrange's pattern must be a string, got ", config::json_excerpt(c.args[1]));
  const std::string pattern = c.args[1].get<std::string>();
  std::map<std::string, int64_t> lengths;
  for (const auto& [key, value] : c.kwargs.items())
    lengths[key] = config::convert<int64_t>(value, key.c_str(), w(c));
  return [=](const Tensors& in) { return Tensors{ops::rearrange(in[0], pattern, lengths)}; };
}

Fn ctc_loss_fn(const Call& c) {
  expect_arity(c, 4);
  const int64_t mask_index = int_of(c, "mask_index", 0);
  int next = 0;
  std::vector<Arg> a;
  for (const Json& j : c.args) a.push_back(arg(j, next, c));
  return [=](const Tensors& in) {
    return Tensors{ops::ctc_loss(a[0].of(in), a[1].of(in), a[2].of(in), a[3].of(in), mask_index)};
  };
}

Fn ctc_decode_fn(const Call& c) {
  expect_arity(c, 2);
  const std::string strategy = config::get<std::string>(c.config, "strategy", "greedy", w(c));
  const int64_t beam_width = int_of(c, "beam_width", 100);
  const int64_t top_paths = int_of(c, "top_paths", 1);
  const bool merge_repeated = bool_of(c, "merge_repeated", true);
  // Keras's null mask_index is the last class; an absent one, its default 0.
  const bool has_mask = c.config.is_object() && c.config.contains("mask_index");
  const std::optional<int64_t> mask_index = !has_mask ? std::optional<int64_t>(0)
                                            : c.config["mask_index"].is_null()
                                                ? std::nullopt
                                                : std::optional<int64_t>(config::convert<int64_t>(
                                                      c.config["mask_index"], "mask_index", w(c)));
  KERAS_CHECK(strategy == "greedy" || strategy == "beam_search", ValueError, c.what,
              ": Invalid strategy ", strategy,
              ". Supported values are 'greedy' and 'beam_search'.");
  int next = 0;
  const Arg inputs = arg(c.args[0], next, c);
  const Arg lengths = arg(c.args[1], next, c);
  return [=](const Tensors& in) {
    auto [decoded, log_probs] = ops::ctc_decode(inputs.of(in), lengths.of(in), strategy, beam_width,
                                                top_paths, merge_repeated, mask_index);
    return Tensors{decoded, log_probs};
  };
}

}  // namespace

std::vector<Spec> core_rows() {
  const std::vector<std::string> none;
  return {
      {"Scatter", kCore, {"shape"}, none, scatter_fn},
      {"ScatterUpdate", kCore, {"reduction"}, none, scatter_update_fn},
      {"SliceUpdate", kCore, none, none, slice_update_fn},
      // Any keyword argument: the lengths of the pattern's axes.
      {"Rearrange", kEinops, none, {"*"}, rearrange_fn},
      {"CTCLoss", kNn, {"mask_index"}, none, ctc_loss_fn},
      {"CTCDecode",
       kNn,
       {"strategy", "beam_width", "top_paths", "merge_repeated", "mask_index"},
       none,
       ctc_decode_fn},
  };
}

}  // namespace keras::layers::op_table
