#include "keras/layers/preprocessing/hashing.h"

#include <cmath>
#include <limits>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "layers/preprocessing/categorical.h"
#include "layers/preprocessing/host_kernel.h"
#include "layers/preprocessing/string_hash.h"

namespace keras::layers {
namespace {

// tf.cast(float -> int64) on x86: truncation, and the smallest int64 for NaN and out of range.
int64_t truncate_to_int64(double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(d);
}

}  // namespace

HashingImpl::HashingImpl(int64_t num_bins, HashingOptions options)
    : Layer(options.name,
            "hashing",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      num_bins_(num_bins),
      options_(std::move(options)) {
  autocast_ = false;
  const std::string& mode = options_.output_mode;
  KERAS_CHECK(num_bins_ > 0, ValueError,
              "The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: "
              "num_bins=",
              num_bins_, ".");
  KERAS_CHECK(mode == "int" || mode == "one_hot" || mode == "multi_hot" || mode == "count",
              ValueError,
              "Invalid value for argument `output_mode`. Expected one of ('int', 'one_hot', "
              "'multi_hot', 'count'). Received: output_mode=",
              mode.substr(0, 40));
  KERAS_CHECK(!(options_.sparse && mode == "int"), ValueError,
              "`sparse` may only be true if `output_mode` is `\"one_hot\"`, `\"multi_hot\"`, or "
              "`\"count\"`. Received: sparse=True and output_mode=int");
  KERAS_CHECK(!options_.sparse, NotImplementedError,
              "Hashing: sparse=True needs sparse tensors, which keras.cpp does not have");
  KERAS_CHECK(options_.salt.size() <= 2, ValueError,
              "The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a "
              "single integer. Received: salt=[... ",
              options_.salt.size(), " values].");
  if (options_.salt.size() == 1) options_.salt.push_back(options_.salt[0]);
  if (mode == "int") set_dtype(int64);
}

Tensors HashingImpl::call(const Tensors& inputs, bool) {
  const Tensor& x = inputs[0];
  const std::string& mode = options_.output_mode;
  KERAS_CHECK(mode != "int" || is_integer(dtype()), ValueError,
              "When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'in64'. "
              "Received: dtype=",
              dtype());
  const DType kind = x.dtype() == bool_ || x.dtype() == string_ ? x.dtype()
                     : is_floating(x.dtype())                   ? float64
                                                                : int64;
  const std::optional<double> mask = num_bins_ > 1 ? options_.mask_value : std::nullopt;
  // An integer equals the mask value only when that is an int64.
  const std::optional<int64_t> int_mask = mask && std::trunc(*mask) == *mask &&
                                                  *mask >= -9223372036854775808.0 &&
                                                  *mask < 9223372036854775808.0
                                              ? std::optional(static_cast<int64_t>(*mask))
                                              : std::nullopt;
  const std::vector<int64_t> salt = options_.salt;
  const std::optional<std::string> mask_string =
      num_bins_ > 1 ? options_.mask_string : std::nullopt;
  const bool masks = mask || mask_string;
  const auto hash_bins = static_cast<uint64_t>(masks ? num_bins_ - 1 : num_bins_);
  const Tensor bins = run_on_host(
      {x.dtype() == kind ? x : ops::cast(x, kind)}, x.shape(), int64,
      [=](const Tensors& host, const Tensor& out) {
        const Tensor& in = host[0];
        char buffer[24];
        for (int64_t i = 0; i < in.size(); ++i) {
          std::string_view text;
          bool masked = false;
          if (kind == string_) {
            text = in.strings()[static_cast<size_t>(i)];
            masked = mask_string && text == *mask_string;
          } else if (kind == bool_) {
            const bool b = in.data<bool>()[i];
            text = b ? "true" : "false";
            masked = mask && static_cast<double>(b) == *mask;
          } else if (kind == float64) {
            const double d = in.data<double>()[i];
            masked = mask && d == *mask;
            text = string_hash::decimal(truncate_to_int64(d), buffer);
          } else {
            const int64_t v = in.data<int64_t>()[i];
            masked = int_mask && v == *int_mask;
            text = string_hash::decimal(v, buffer);
          }
          const auto bin = static_cast<int64_t>(string_hash::salted_hash(text, salt) % hash_bins);
          out.data<int64_t>()[i] = !masks ? bin : masked ? 0 : bin + 1;
        }
      });
  if (mode == "int") return {dtype() == int64 ? bins : ops::cast(bins, dtype())};
  return {categorical::encode(bins, mode, num_bins_, dtype(), "Hashing")};
}

std::vector<Shape> HashingImpl::compute_output_shape(const std::vector<Shape>& in) const {
  if (options_.output_mode == "int") return {in[0]};
  return {categorical::output_shape(in[0], options_.output_mode, num_bins_, "Hashing")};
}

Json HashingImpl::get_config() const {
  Json config = Layer::get_config();
  config["num_bins"] = num_bins_;
  config["salt"] = options_.salt.empty() ? Json(nullptr) : Json(options_.salt);
  if (options_.mask_string) {
    config["mask_value"] = *options_.mask_string;
  } else if (!options_.mask_value) {
    config["mask_value"] = nullptr;
  } else if (std::trunc(*options_.mask_value) == *options_.mask_value &&
             std::abs(*options_.mask_value) < 9e15) {
    config["mask_value"] = static_cast<int64_t>(*options_.mask_value);
  } else {
    config["mask_value"] = *options_.mask_value;
  }
  config["output_mode"] = options_.output_mode;
  config["sparse"] = options_.sparse;
  return config;
}

std::shared_ptr<Layer> HashingImpl::from_config(const Json& c) {
  const char* w = "Hashing";
  const Json* bins = config::find(c, "num_bins");
  KERAS_CHECK(bins != nullptr, ValueError,
              "The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: "
              "num_bins=None.");
  HashingOptions o{.output_mode = config::get<std::string>(c, "output_mode", "int", w),
                   .sparse = config::get<bool>(c, "sparse", false, w),
                   .name = config::get<std::string>(c, "name", "", w)};
  if (const Json* m = config::find(c, "mask_value")) {
    KERAS_CHECK(m->is_number() || m->is_string(), ValueError, "Hashing: mask_value ",
                config::json_excerpt(*m, 60), " is neither a number nor a string");
    if (m->is_string()) {
      o.mask_string = m->get<std::string>();
    } else {
      o.mask_value = m->get<double>();
    }
  }
  if (const Json* s = config::find(c, "salt")) {
    o.salt = s->is_array() ? config::convert<std::vector<int64_t>>(*s, "salt", w)
                           : std::vector<int64_t>{config::convert<int64_t>(*s, "salt", w)};
    KERAS_CHECK(o.salt.size() == 1 || o.salt.size() == 2, ValueError,
                "The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a "
                "single integer. Received: salt=",
                config::json_excerpt(*s, 60), ".");
  }
  auto layer =
      std::make_shared<HashingImpl>(config::convert<int64_t>(*bins, "num_bins", w), std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
