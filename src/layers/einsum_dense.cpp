#include "keras/layers/einsum_dense.h"

#include <algorithm>
#include <map>
#include <regex>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

// What an equation and an input shape make of the layer (Keras's _analyze_einsum_string).
struct Analysis {
  std::string input_spec, weight_spec, output_spec;
  bool left_elided = false;
  Shape kernel;
  std::optional<Shape> bias;
  Shape output;                              // with the batch axis
  std::vector<int> input_axes, output_axes;  // of the kernel
};

struct Split {
  std::string input, weight, output;
  bool left_elided = false;
};

Split split_equation(const std::string& equation) {
  std::string dotted;  // "..." as "0", as Keras matches it
  for (size_t i = 0; i < equation.size(); ++i) {
    const bool dots = equation.compare(i, 3, "...") == 0;
    dotted += dots ? '0' : equation[i];
    if (dots) i += 2;
  }
  // As Python's re.match: anchored at the start, anything may follow.
  static const std::regex plain("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)");
  static const std::regex left("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)");
  static const std::regex right("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0");
  std::smatch m;
  const auto flags = std::regex_constants::match_continuous;
  if (std::regex_search(dotted, m, plain, flags)) return {m[1], m[2], m[3], false};
  if (std::regex_search(dotted, m, left, flags)) return {m[1], m[2], m[3], true};
  if (std::regex_search(dotted, m, right, flags)) return {m[1], m[2], m[3], false};
  throw ValueError(str("Invalid einsum equation '", equation,
                       "'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or "
                       "[X]...,[Y]->[Z]...."));
}

std::string dim_str(int64_t d) {
  return d == kNone ? "None" : std::to_string(d);
}

Analysis analyze(const std::string& equation,
                 const std::string& bias_axes,
                 const Shape& input_shape,
                 const std::vector<Dim>& partial_output) {
  const Split sp = split_equation(equation);
  Analysis a{sp.input, sp.weight, sp.output, sp.left_elided, {}, {}, {}, {}, {}};
  const int rank = static_cast<int>(input_shape.size());
  const int elided = rank - static_cast<int>(sp.input.size());
  KERAS_CHECK(rank > 0 && elided >= 0, ValueError, "EinsumDense: the equation '", equation,
              "' names ", sp.input.size(), " input axes but the input has shape ",
              shape_str(input_shape));
  for (const Dim& d : partial_output) a.output.push_back(d ? *d : kNone);
  a.output.insert(a.output.begin(), input_shape[0]);
  if (elided > 0 && sp.left_elided) {
    // Keras inserts each elided axis at position 1 in turn.
    for (int i = 1; i < elided; ++i) a.output.insert(a.output.begin() + 1, input_shape[i]);
  } else if (elided > 0) {
    for (int i = rank - elided; i < rank; ++i) a.output.push_back(input_shape[i]);
  }
  std::map<char, int> in_axis, out_axis;
  for (int i = 0; i < static_cast<int>(sp.input.size()); ++i) {
    in_axis[sp.input[i]] = sp.left_elided ? i + elided : i;
  }
  for (int i = 0; i < static_cast<int>(sp.output.size()); ++i) {
    out_axis[sp.output[i]] = sp.left_elided ? i + elided : i;
  }
  KERAS_CHECK(static_cast<int>(a.output.size()) >=
                  (sp.left_elided ? elided : 0) + static_cast<int>(sp.output.size()),
              ValueError, "EinsumDense: output_shape ", shape_str(a.output),
              " is too short for the output spec '", sp.output, "'");
  for (char c : sp.input) {
    if (!out_axis.contains(c)) continue;
    const int64_t in = input_shape[in_axis[c]], out = a.output[out_axis[c]];
    KERAS_CHECK(out == kNone || out == in, ValueError,
                "Input shape and output shape do not match at shared dimension '", c,
                "'. Input shape is ", dim_str(in), ", and output shape is ", dim_str(out), ".");
    // Keras leaves such an axis None in the output shape; keras.cpp takes the input's size.
    a.output[out_axis[c]] = in;
  }
  for (char c : sp.output) {
    KERAS_CHECK(sp.input.find(c) != std::string::npos || sp.weight.find(c) != std::string::npos,
                ValueError, "Dimension '", c, "' was specified in the output '", sp.output,
                "' but has no corresponding dim in the input spec '", sp.input,
                "' or weight spec '", sp.output, "'");
  }
  for (int i = 0; i < static_cast<int>(sp.weight.size()); ++i) {
    const char c = sp.weight[i];
    if (out_axis.contains(c)) {
      a.kernel.push_back(a.output[out_axis[c]]);
      a.output_axes.push_back(i);
    } else if (in_axis.contains(c)) {
      a.kernel.push_back(input_shape[in_axis[c]]);
      a.input_axes.push_back(i);
    } else {
      throw ValueError(str("Weight dimension '", c,
                           "' did not have a match in either the input "
                           "spec '",
                           sp.input, "' or the output spec '", sp.output,
                           "'. For this layer, the weight must be fully specified."));
    }
  }
  if (!bias_axes.empty()) {
    const int left = sp.left_elided ? elided : 0;
    size_t first = sp.output.size();
    for (char c : bias_axes) {
      const size_t at = sp.output.find(c);
      KERAS_CHECK(at != std::string::npos, ValueError, "Bias dimension '", c,
                  "' was requested, but is not part of the output spec '", sp.output, "'");
      first = std::min(first, at);
    }
    Shape bias;
    for (size_t i = first; i < sp.output.size(); ++i) {
      const bool on = bias_axes.find(sp.output[i]) != std::string::npos;
      bias.push_back(on ? a.output[i + left] : 1);
    }
    if (!sp.left_elided) bias.insert(bias.end(), elided, 1);
    a.bias = bias;
  }
  return a;
}

int64_t product_at(const Shape& s, const std::vector<int>& axes) {
  int64_t p = 1;
  for (int i : axes) p *= s[i];
  return p;
}

// Keras 3 gives a VarianceScaling initializer the kernel's input and output axes, so that its
// fans are the products of those sizes; drawing the same i.i.d. values as a (fan_in, fan_out)
// matrix and reshaping them is the same distribution.
initializers::Initializer with_fans(const initializers::Initializer& init, const Analysis& a) {
  static const char* const kVarianceScaling[] = {"VarianceScaling", "GlorotUniform", "GlorotNormal",
                                                 "HeUniform",       "HeNormal",      "LecunUniform",
                                                 "LecunNormal"};
  if (std::find(std::begin(kVarianceScaling), std::end(kVarianceScaling), init.name()) ==
      std::end(kVarianceScaling)) {
    return init;
  }
  const int64_t fan_in = product_at(a.kernel, a.input_axes);
  const int64_t fan_out = product_at(a.kernel, a.output_axes);
  return initializers::Initializer(init.name(),
                                   [init, fan_in, fan_out](const Shape& shape, DType dtype) {
                                     return ops::reshape(init({fan_in, fan_out}, dtype), shape);
                                   });
}

}  // namespace

EinsumDenseImpl::EinsumDenseImpl(std::string equation,
                                 std::vector<Dim> output_shape,
                                 EinsumDenseOptions options)
    : Layer(options.name,
            "einsum_dense",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      equation_(std::move(equation)),
      output_shape_(std::move(output_shape)),
      options_(std::move(options)) {
  // Keras's ValueError for another form, before any call; what batch_independent() needs.
  const Split sp = split_equation(equation_);
  left_elided_ = sp.left_elided;
  input_letters_ = sp.input.size();
  const char batch = sp.input.empty() ? '\0' : sp.input[0];
  first_letter_is_batch_ =
      !sp.input.empty() && sp.weight.find(batch) == std::string::npos && sp.output.find(batch) == 0;
  set_activity_regularizer(options_.activity_regularizer);
}

bool EinsumDenseImpl::batch_independent() const {
  // With a left ellipsis, the batch axis is in it when it has axes (known once built).
  if (left_elided_ && !build_input_shapes().empty() &&
      build_input_shapes()[0].size() > input_letters_) {
    return true;
  }
  if (left_elided_ && build_input_shapes().empty()) return false;
  return first_letter_is_batch_;
}

void EinsumDenseImpl::build(const std::vector<Shape>& input_shapes) {
  const Analysis a = analyze(equation_, options_.bias_axes, input_shapes[0], output_shape_);
  for (int64_t d : a.kernel) {
    KERAS_CHECK(d != kNone, ValueError, "EinsumDense ", name(), ": the kernel's shape ",
                shape_str(a.kernel), " has an undefined size (input shape ",
                shape_str(input_shapes[0]), ")");
  }
  kernel_ = add_weight("kernel", a.kernel, with_fans(options_.kernel_initializer, a), true,
                       options_.kernel_regularizer, options_.kernel_constraint);
  if (a.bias) {
    bias_ = add_weight("bias", *a.bias, options_.bias_initializer, true, options_.bias_regularizer,
                       options_.bias_constraint);
  }
  input_spec_ = {InputSpec{.ndim = static_cast<int>(input_shapes[0].size())}};
}

Tensors EinsumDenseImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  Tensor y = ops::einsum(equation_, {x, kernel_.value()});
  if (bias_.defined()) y = ops::add(y, bias_.value());
  return {options_.activation(y)};
}

std::vector<Shape> EinsumDenseImpl::compute_output_shape(
    const std::vector<Shape>& input_shapes) const {
  return {analyze(equation_, options_.bias_axes, input_shapes[0], output_shape_).output};
}

Json EinsumDenseImpl::get_config() const {
  Json config = Layer::get_config();
  Json shape = Json::array();
  for (const Dim& d : output_shape_) shape.push_back(d ? Json(*d) : Json(nullptr));
  config["output_shape"] = shape;
  config["equation"] = equation_;
  config["activation"] = serialize_activation(options_.activation);
  config["bias_axes"] = options_.bias_axes.empty() ? Json(nullptr) : Json(options_.bias_axes);
  config["kernel_initializer"] = initializers::serialize(options_.kernel_initializer);
  config["bias_initializer"] = initializers::serialize(options_.bias_initializer);
  config["kernel_regularizer"] = regularizers::serialize(options_.kernel_regularizer);
  config["bias_regularizer"] = regularizers::serialize(options_.bias_regularizer);
  if (!config.contains("activity_regularizer")) config["activity_regularizer"] = nullptr;
  config["kernel_constraint"] = constraints::serialize(options_.kernel_constraint);
  config["bias_constraint"] = constraints::serialize(options_.bias_constraint);
  config["quantization_config"] = nullptr;
  return config;
}

std::shared_ptr<Layer> EinsumDenseImpl::from_config(const Json& config) {
  using config::value;
  const char* cls = "EinsumDense";
  const Json* quantization = config::find(config, "quantization_config");
  KERAS_CHECK(quantization == nullptr || quantization->is_null(), NotImplementedError,
              "EinsumDense: a quantization_config (a quantized layer) is not supported");
  std::vector<Dim> output_shape;
  const Json* found = config::find(config, "output_shape");
  KERAS_CHECK(found != nullptr, ValueError, "EinsumDense: the config has no output_shape");
  const Json& shape = *found;
  if (shape.is_number_integer()) {
    output_shape.emplace_back(shape.get<int64_t>());
  } else {
    KERAS_CHECK(shape.is_array(), ValueError,
                "EinsumDense: output_shape must be an integer or a "
                "list, got ",
                shape.dump());
    for (const Json& d : shape) {
      KERAS_CHECK(d.is_null() || d.is_number_integer(), ValueError,
                  "EinsumDense: output_shape entries must be integers or null, got ", shape.dump());
      output_shape.push_back(d.is_null() ? Dim() : Dim(d.get<int64_t>()));
    }
  }
  const Json& bias_axes = value(config, "bias_axes", nullptr);
  KERAS_CHECK(bias_axes.is_null() || bias_axes.is_string(), ValueError,
              "EinsumDense: bias_axes must be a string or null, got ", bias_axes.dump());
  EinsumDenseOptions o{
      .activation = deserialize_activation(value(config, "activation", "linear")),
      .bias_axes = bias_axes.is_null() ? std::string() : bias_axes.get<std::string>(),
      .kernel_initializer =
          initializers::deserialize(value(config, "kernel_initializer", "glorot_uniform")),
      .bias_initializer = initializers::deserialize(value(config, "bias_initializer", "zeros")),
      .kernel_regularizer = regularizers::deserialize(value(config, "kernel_regularizer", nullptr)),
      .bias_regularizer = regularizers::deserialize(value(config, "bias_regularizer", nullptr)),
      .kernel_constraint = constraints::deserialize(value(config, "kernel_constraint", nullptr)),
      .bias_constraint = constraints::deserialize(value(config, "bias_constraint", nullptr)),
      .name = config::get<std::string>(config, "name", "", cls),
  };
  auto layer = std::make_shared<EinsumDenseImpl>(
      config::require<std::string>(config, "equation", cls), std::move(output_shape), std::move(o));
  layer->apply_base_config(config);
  return layer;
}

}  // namespace keras::layers
