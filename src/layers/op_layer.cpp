#include "keras/layers/op_layer.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "keras/config/json.h"
#include "layers/op_node.h"
#include "op_table.h"

namespace keras::layers {
namespace {

std::string camel_case(const std::string& snake) {
  std::string out;
  bool upper = true;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

// Keras names an op after its class: "TrueDivide" -> "true_divide", "Log1p" -> "log1p".
std::string snake_case(const std::string& camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const auto c = static_cast<unsigned char>(camel[i]);
    if (std::isupper(c) && i > 0) out += '_';
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

using op_table::is_tensor;

const op_table::Spec& spec_of(const std::string& class_name) {
  const op_table::Spec* s = op_table::find(class_name);
  if (s == nullptr) {
    std::string known;
    for (const op_table::Spec& k : op_table::all())
      known += (known.empty() ? "" : ", ") + std::string(k.class_name);
    throw ValueError(str("Unknown op: '", class_name.substr(0, 100),
                         "'. keras.cpp saves and loads these ops of functional graphs: ", known));
  }
  return *s;
}

// The computation of a saved op from its config and call arguments, checked.
OpLayerImpl::Fn make_fn(const op_table::Spec& spec,
                        const Json& config,
                        const Json& args,
                        const Json& kwargs,
                        const std::string& what) {
  KERAS_CHECK(config.is_object(), ValueError, what, ": config must be a JSON object");
  for (const auto& [key, value] : config.items()) {
    KERAS_CHECK(
        key == "name" || std::find(spec.keys.begin(), spec.keys.end(), key) != spec.keys.end(),
        ValueError, what, ": config key '", key.substr(0, 100),
        "' is not supported by keras.cpp's ", spec.class_name);
  }
  // A row whose kwargs are {"*"} reads any keyword argument (Rearrange's axis lengths).
  const bool any_kwarg = spec.kwargs.size() == 1 && spec.kwargs[0] == "*";
  for (const auto& [key, value] : kwargs.items()) {
    KERAS_CHECK(
        any_kwarg || std::find(spec.kwargs.begin(), spec.kwargs.end(), key) != spec.kwargs.end(),
        ValueError, what, " is called with keyword arguments (", key.substr(0, 100),
        "), which keras.cpp does not support for ", spec.class_name);
  }
  KERAS_CHECK(args.is_array(), ValueError, what, ": the arguments of its call must be a list");
  OpLayerImpl::Fn fn = spec.build({config, args, kwargs, what, spec.class_name});
  return fn;
}

}  // namespace

OpLayerImpl::OpLayerImpl(std::string op_name, Fn fn)
    : Layer("", op_name), class_name_(camel_case(op_name)), fn_(std::move(fn)) {
  autocast_ = false;
}

OpLayerImpl::OpLayerImpl(const op_table::Spec& spec, const Json& config)
    : Layer(config.is_object() ? config::get<std::string>(config, "name", "", spec.class_name)
                               : std::string(),
            snake_case(spec.class_name)),
      class_name_(spec.class_name) {
  autocast_ = false;
  KERAS_CHECK(config.is_object(), ValueError, spec.class_name, ": config must be a JSON object");
  const std::string what = str("Op '", name(), "' (", class_name_, ")");
  for (const auto& [key, value] : config.items()) {  // bad keys fail where they are read
    KERAS_CHECK(
        key == "name" || std::find(spec.keys.begin(), spec.keys.end(), key) != spec.keys.end(),
        ValueError, what, ": config key '", key.substr(0, 100),
        "' is not supported by keras.cpp's ", spec.class_name);
  }
  Json own = config;
  own["name"] = name();
  saved_ = Saved{&spec, std::make_shared<const Json>(std::move(own)), nullptr, nullptr};
}

OpLayerImpl::OpLayerImpl(const std::string& class_name,
                         const Json& config,
                         const Json& args,
                         const Json& kwargs)
    : OpLayerImpl(spec_of(class_name), config) {
  set_call_arguments(args, kwargs);
}

OpLayerImpl::OpLayerImpl(const std::string& class_name, const Json& config, const Json& args)
    : OpLayerImpl(class_name, config, args, Json::object()) {}

std::shared_ptr<Layer> OpLayerImpl::from_config(const std::string& class_name, const Json& config) {
  return std::shared_ptr<OpLayerImpl>(new OpLayerImpl(spec_of(class_name), config));
}

std::vector<std::string> OpLayerImpl::saved_classes() {
  std::vector<std::string> out;
  for (const op_table::Spec& s : op_table::all()) out.emplace_back(s.class_name);
  return out;
}

void OpLayerImpl::set_call_arguments(const Json& args, const Json& kwargs) {
  const std::string what = str("Op '", name(), "' (", class_name_, ")");
  KERAS_CHECK(saved_.has_value(), ValueError, what, " has no saved form");
  KERAS_CHECK(saved_->args == nullptr, ValueError, what,
              " is called more than once; each op of a saved model has one call");
  const Json kw = kwargs.is_null() ? Json::object() : kwargs;
  KERAS_CHECK(kw.is_object(), ValueError, what, ": its keyword arguments must be a dict");
  fn_ = make_fn(*saved_->spec, *saved_->config, args, kw, what);
  saved_->args = std::make_shared<const Json>(args);
  saved_->kwargs = std::make_shared<const Json>(kw);
}

std::string OpLayerImpl::module() const {
  return saved_ ? saved_->spec->module : "keras.src.ops.numpy";
}

Json OpLayerImpl::get_config() const {
  if (!saved_) {
    throw NotImplementedError(str("Layer ", name(), " (", class_name(),
                                  ", an op on KerasTensors made from a C++ function) cannot be "
                                  "serialized: keras.cpp saves only Keras's own ops"));
  }
  return *saved_->config;
}

Json OpLayerImpl::call_json(const std::vector<Json>& tensors) const {
  if (!saved_ || !saved_->args) get_config();  // throws NotImplementedError
  size_t next = 0;
  std::function<Json(const Json&)> fill = [&](const Json& j) -> Json {
    if (is_tensor(j)) {
      KERAS_CHECK(next < tensors.size(), RuntimeError, "op ", name(), ": too few tensors");
      return tensors[next++];
    }
    if (!j.is_array()) return j;
    Json out = Json::array();
    for (const Json& x : j) out.push_back(fill(x));
    return out;
  };
  Json args = fill(*saved_->args);
  Json kwargs = saved_->kwargs ? *saved_->kwargs : Json::object();
  for (const std::string& key : config::sorted_keys(kwargs)) kwargs[key] = fill(kwargs[key]);
  KERAS_CHECK(next == tensors.size(), RuntimeError, "op ", name(), ": ", tensors.size(),
              " tensors for ", next, " tensor arguments");
  return Json{{"args", std::move(args)}, {"kwargs", std::move(kwargs)}};
}

Tensors OpLayerImpl::call(const Tensors& inputs, bool) {
  KERAS_CHECK(static_cast<bool>(fn_), ValueError, "Op '", name(), "' (", class_name_,
              ") was called before its arguments were given");
  return fn_(inputs);
}

Tensors placeholder_inputs(const std::vector<Shape>& shapes,
                           const std::vector<DType>& dtypes,
                           int64_t unknown) {
  Tensors inputs;
  for (size_t i = 0; i < shapes.size(); ++i) {
    Shape s = shapes[i];
    for (int64_t& d : s) d = d == kNone ? unknown : d;
    inputs.push_back(zeros(s, i < dtypes.size() ? dtypes[i] : float32));
  }
  return inputs;
}

std::vector<Shape> shapes_from_placeholder_runs(const Tensors& a, const Tensors& b) {
  std::vector<Shape> out;
  for (size_t i = 0; i < a.size(); ++i) {
    Shape s = a[i].shape();
    for (size_t d = 0; d < s.size(); ++d) {
      if (i >= b.size() || d >= b[i].shape().size() || b[i].shape()[d] != s[d]) s[d] = kNone;
    }
    out.push_back(s);
  }
  return out;
}

Tensors OpLayerImpl::run_placeholder(const std::vector<Shape>& shapes, int64_t unknown) const {
  KERAS_CHECK(static_cast<bool>(fn_), ValueError, "Op '", name(), "' (", class_name_,
              ") was called before its arguments were given");
  return fn_(placeholder_inputs(shapes, input_dtypes_, unknown));
}

std::vector<Shape> OpLayerImpl::compute_output_shape(const std::vector<Shape>& shapes) const {
  Tensors a, b;
  try {
    a = run_placeholder(shapes, 2);
    b = run_placeholder(shapes, 3);
  } catch (const ValueError&) {
    // Some ops fit only some unknown sizes (a flattened batch reshaped to (-1, 12), as Keras
    // allows): retry with multiples of lcm(1..12), while the placeholders stay small.
    constexpr int64_t kLcm = 27720;
    int64_t elements = 0;
    for (const Shape& s : shapes) {
      int64_t n = 1;
      for (int64_t d : s) n *= d == kNone ? 3 * kLcm : std::max<int64_t>(d, 1);
      elements += n;
    }
    if (elements > (int64_t{1} << 24)) throw;
    a = run_placeholder(shapes, 2 * kLcm);
    b = run_placeholder(shapes, 3 * kLcm);
  }
  output_dtypes_.clear();
  for (const Tensor& t : a) output_dtypes_.push_back(t.dtype());
  return shapes_from_placeholder_runs(a, b);
}

std::vector<DType> OpLayerImpl::compute_output_dtype(const std::vector<DType>&, size_t) const {
  return output_dtypes_;  // compute_output_shape runs first and records them
}

KerasTensors OpLayerImpl::apply(const KerasTensors& inputs) {
  std::vector<DType> dtypes;
  for (const KerasTensor& t : inputs) dtypes.push_back(t.dtype());
  set_input_dtypes(dtypes);
  return (*this)(inputs);
}

KerasTensors apply_op(const std::string& op_name, OpLayerImpl::Fn fn, const KerasTensors& inputs) {
  return std::make_shared<OpLayerImpl>(op_name, std::move(fn))->apply(inputs);
}

}  // namespace keras::layers

namespace keras::ops {
namespace {

using internal::node;
using internal::tensor_arg;

// An integral constant is written as an int (Keras writes not_equal(ids, 0)).
Json constant_arg(double value) {
  if (std::floor(value) == value && std::abs(value) < 9e15) return static_cast<int64_t>(value);
  return value;
}

// One value for every axis as the int Keras's _pair expects, else the list.
Json int_or_list(const std::vector<int64_t>& v) {
  return v.size() == 1 ? Json(v[0]) : Json(v);
}
Json axes_json(const std::vector<int>& axes) {
  if (axes.empty()) return nullptr;
  if (axes.size() == 1) return axes[0];
  return axes;
}

Json dtype_json(std::optional<DType> dtype) {
  return dtype ? Json(std::string(dtype_name(*dtype))) : Json(nullptr);
}

Json slice_json(std::optional<int64_t> start, std::optional<int64_t> stop) {
  return Json{{"class_name", "__slice__"},
              {"config",
               {{"start", start ? Json(*start) : Json(nullptr)},
                {"stop", stop ? Json(*stop) : Json(nullptr)},
                {"step", nullptr}}}};
}

// A node of Keras 3's class `cls` with its config and call arguments.
KerasTensor op(const char* cls, const Json& config, const Json& args, const KerasTensors& inputs) {
  return node(cls, config, args, inputs)[0];
}
KerasTensor binary(const char* cls, const KerasTensor& a, const KerasTensor& b) {
  return op(cls, Json::object(), Json::array({tensor_arg(), tensor_arg()}), {a, b});
}
KerasTensor with_constant(const char* cls, const KerasTensor& a, double b) {
  return op(cls, Json::object(), Json::array({tensor_arg(), constant_arg(b)}), {a});
}
KerasTensor constant_first(const char* cls, double a, const KerasTensor& b) {
  return op(cls, Json::object(), Json::array({constant_arg(a), tensor_arg()}), {b});
}
KerasTensor unary(const char* cls, const KerasTensor& x, Json config = Json::object()) {
  return op(cls, std::move(config), Json::array({tensor_arg()}), {x});
}
// A reduction as Keras writes it: {"axis": null, an int or a list, "keepdims": ...}.
KerasTensor reduction(const char* cls,
                      const KerasTensor& x,
                      const std::vector<int>& axes,
                      bool keepdims) {
  return unary(cls, x, {{"axis", axes_json(axes)}, {"keepdims", keepdims}});
}
Json list_arg(size_t n) {
  Json list = Json::array();
  for (size_t i = 0; i < n; ++i) list.push_back(tensor_arg());
  return Json::array({list});
}

}  // namespace

KerasTensor add(const KerasTensor& a, const KerasTensor& b) {
  return binary("Add", a, b);
}
KerasTensor subtract(const KerasTensor& a, const KerasTensor& b) {
  return binary("Subtract", a, b);
}
KerasTensor multiply(const KerasTensor& a, const KerasTensor& b) {
  return binary("Multiply", a, b);
}
KerasTensor divide(const KerasTensor& a, const KerasTensor& b) {
  return binary("Divide", a, b);
}
KerasTensor true_divide(const KerasTensor& a, const KerasTensor& b) {
  return binary("TrueDivide", a, b);
}
KerasTensor maximum(const KerasTensor& a, const KerasTensor& b) {
  return binary("Maximum", a, b);
}
KerasTensor minimum(const KerasTensor& a, const KerasTensor& b) {
  return binary("Minimum", a, b);
}
KerasTensor power(const KerasTensor& a, const KerasTensor& b) {
  return binary("Power", a, b);
}
KerasTensor equal(const KerasTensor& a, const KerasTensor& b) {
  return binary("Equal", a, b);
}
KerasTensor not_equal(const KerasTensor& a, const KerasTensor& b) {
  return binary("NotEqual", a, b);
}
KerasTensor less(const KerasTensor& a, const KerasTensor& b) {
  return binary("Less", a, b);
}
KerasTensor less_equal(const KerasTensor& a, const KerasTensor& b) {
  return binary("LessEqual", a, b);
}
KerasTensor greater(const KerasTensor& a, const KerasTensor& b) {
  return binary("Greater", a, b);
}
KerasTensor greater_equal(const KerasTensor& a, const KerasTensor& b) {
  return binary("GreaterEqual", a, b);
}
KerasTensor logical_and(const KerasTensor& a, const KerasTensor& b) {
  return binary("LogicalAnd", a, b);
}
KerasTensor logical_or(const KerasTensor& a, const KerasTensor& b) {
  return binary("LogicalOr", a, b);
}
KerasTensor matmul(const KerasTensor& a, const KerasTensor& b) {
  return binary("Matmul", a, b);
}
KerasTensor matmul(const KerasTensor& a, const Tensor& b) {
  return op("Matmul", Json::object(),
            Json::array({tensor_arg(), layers::op_table::numpy_to_json(b)}), {a});
}
KerasTensor equal(const KerasTensor& a, double b) {
  return with_constant("Equal", a, b);
}
KerasTensor not_equal(const KerasTensor& a, double b) {
  return with_constant("NotEqual", a, b);
}
KerasTensor less(const KerasTensor& a, double b) {
  return with_constant("Less", a, b);
}
KerasTensor greater(const KerasTensor& a, double b) {
  return with_constant("Greater", a, b);
}
KerasTensor add(const KerasTensor& a, double b) {
  return with_constant("Add", a, b);
}
KerasTensor subtract(const KerasTensor& a, double b) {
  return with_constant("Subtract", a, b);
}
KerasTensor multiply(const KerasTensor& a, double b) {
  return with_constant("Multiply", a, b);
}
KerasTensor divide(const KerasTensor& a, double b) {
  return with_constant("Divide", a, b);
}
KerasTensor power(const KerasTensor& a, double exponent) {
  return with_constant("Power", a, exponent);
}
KerasTensor add(double a, const KerasTensor& b) {
  return constant_first("Add", a, b);
}
KerasTensor subtract(double a, const KerasTensor& b) {
  return constant_first("Subtract", a, b);
}
KerasTensor multiply(double a, const KerasTensor& b) {
  return constant_first("Multiply", a, b);
}
KerasTensor true_divide(const KerasTensor& a, double b) {
  return with_constant("TrueDivide", a, b);
}
KerasTensor true_divide(double a, const KerasTensor& b) {
  return constant_first("TrueDivide", a, b);
}
KerasTensor where(const KerasTensor& cond, const KerasTensor& a, const KerasTensor& b) {
  return op("Where", Json::object(), Json::array({tensor_arg(), tensor_arg(), tensor_arg()}),
            {cond, a, b});
}

KerasTensor negative(const KerasTensor& x) {
  return unary("Negative", x);
}
KerasTensor abs(const KerasTensor& x) {
  return unary("Absolute", x);
}
KerasTensor square(const KerasTensor& x) {
  return unary("Square", x);
}
KerasTensor sqrt(const KerasTensor& x) {
  return unary("Sqrt", x);
}
KerasTensor sin(const KerasTensor& x) {
  return unary("Sin", x);
}
KerasTensor cos(const KerasTensor& x) {
  return unary("Cos", x);
}
KerasTensor tan(const KerasTensor& x) {
  return unary("Tan", x);
}
KerasTensor arcsin(const KerasTensor& x) {
  return unary("Arcsin", x);
}
KerasTensor arccos(const KerasTensor& x) {
  return unary("Arccos", x);
}
KerasTensor arctan(const KerasTensor& x) {
  return unary("Arctan", x);
}
KerasTensor sinh(const KerasTensor& x) {
  return unary("Sinh", x);
}
KerasTensor cosh(const KerasTensor& x) {
  return unary("Cosh", x);
}
KerasTensor arcsinh(const KerasTensor& x) {
  return unary("Arcsinh", x);
}
KerasTensor arccosh(const KerasTensor& x) {
  return unary("Arccosh", x);
}
KerasTensor arctanh(const KerasTensor& x) {
  return unary("Arctanh", x);
}
KerasTensor ceil(const KerasTensor& x) {
  return unary("Ceil", x);
}
KerasTensor trunc(const KerasTensor& x) {
  return unary("Trunc", x);
}
KerasTensor expm1(const KerasTensor& x) {
  return unary("Expm1", x);
}
KerasTensor log2(const KerasTensor& x) {
  return unary("Log2", x);
}
KerasTensor log10(const KerasTensor& x) {
  return unary("Log10", x);
}
KerasTensor exp2(const KerasTensor& x) {
  return unary("Exp2", x);
}
KerasTensor erf(const KerasTensor& x) {
  return unary("Erf", x);
}
KerasTensor isnan(const KerasTensor& x) {
  return unary("Isnan", x);
}
KerasTensor isinf(const KerasTensor& x) {
  return unary("Isinf", x);
}
KerasTensor isfinite(const KerasTensor& x) {
  return unary("Isfinite", x);
}
KerasTensor floor_divide(const KerasTensor& a, const KerasTensor& b) {
  return binary("FloorDivide", a, b);
}
KerasTensor floor_divide(const KerasTensor& a, double b) {
  return with_constant("FloorDivide", a, b);
}
KerasTensor mod(const KerasTensor& a, const KerasTensor& b) {
  return binary("Mod", a, b);
}
KerasTensor mod(const KerasTensor& a, double b) {
  return with_constant("Mod", a, b);
}
KerasTensor exp(const KerasTensor& x) {
  return unary("Exp", x);
}
KerasTensor log(const KerasTensor& x) {
  return unary("Log", x);
}
KerasTensor relu(const KerasTensor& x) {
  return unary("Relu", x);
}
KerasTensor relu6(const KerasTensor& x) {
  return unary("Relu6", x);
}
KerasTensor leaky_relu(const KerasTensor& x, double negative_slope) {
  return unary("LeakyRelu", x, {{"negative_slope", negative_slope}});
}
KerasTensor sigmoid(const KerasTensor& x) {
  return unary("Sigmoid", x);
}
KerasTensor tanh(const KerasTensor& x) {
  return unary("Tanh", x);
}
KerasTensor softplus(const KerasTensor& x) {
  return unary("Softplus", x);
}
KerasTensor softsign(const KerasTensor& x) {
  return unary("Softsign", x);
}
KerasTensor elu(const KerasTensor& x, double alpha) {
  return unary("Elu", x, {{"alpha", alpha}});
}
KerasTensor selu(const KerasTensor& x) {
  return unary("Selu", x);
}
KerasTensor gelu(const KerasTensor& x, bool approximate) {
  return unary("Gelu", x, {{"approximate", approximate}});
}
KerasTensor silu(const KerasTensor& x) {
  return unary("Silu", x);
}
KerasTensor hard_sigmoid(const KerasTensor& x) {
  return unary("HardSigmoid", x);
}
KerasTensor softmax(const KerasTensor& x, int axis) {
  return unary("Softmax", x, {{"axis", axis}});
}
KerasTensor log_softmax(const KerasTensor& x, int axis) {
  return unary("LogSoftmax", x, {{"axis", axis}});
}
KerasTensor clip(const KerasTensor& x, double lo, double hi) {
  return unary("Clip", x, {{"x_min", lo}, {"x_max", hi}});
}
KerasTensor cast(const KerasTensor& x, DType dtype) {
  return unary("Cast", x, {{"dtype", dtype_json(dtype)}});
}
KerasTensor logical_not(const KerasTensor& x) {
  return unary("LogicalNot", x);
}
KerasTensor zeros_like(const KerasTensor& x, std::optional<DType> dtype) {
  return unary("ZerosLike", x, {{"dtype", dtype_json(dtype)}});
}
KerasTensor ones_like(const KerasTensor& x, std::optional<DType> dtype) {
  return unary("OnesLike", x, {{"dtype", dtype_json(dtype)}});
}

KerasTensor sum(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Sum", x, axes, keepdims);
}
KerasTensor mean(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Mean", x, axes, keepdims);
}
KerasTensor amax(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Amax", x, axes, keepdims);
}
KerasTensor amin(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Amin", x, axes, keepdims);
}
KerasTensor var(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Var", x, axes, keepdims);
}
KerasTensor std(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Std", x, axes, keepdims);
}
KerasTensor max(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return unary("Max", x, {{"axis", axes_json(axes)}, {"keepdims", keepdims}, {"initial", nullptr}});
}
KerasTensor min(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return unary("Min", x, {{"axis", axes_json(axes)}, {"keepdims", keepdims}, {"initial", nullptr}});
}
KerasTensor prod(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return unary("Prod", x, {{"axis", axes_json(axes)}, {"keepdims", keepdims}, {"dtype", nullptr}});
}
KerasTensor any(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Any", x, axes, keepdims);
}
KerasTensor all(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("All", x, axes, keepdims);
}
KerasTensor argmax(const KerasTensor& x, int axis, bool keepdims) {
  return unary("Argmax", x, {{"axis", axis}, {"keepdims", keepdims}});
}
KerasTensor argmin(const KerasTensor& x, int axis, bool keepdims) {
  return unary("Argmin", x, {{"axis", axis}, {"keepdims", keepdims}});
}

KerasTensor reshape(const KerasTensor& x, Shape shape) {
  // A None (-1) batch dimension stays None: keep it as the first entry of the target.
  return unary("Reshape", x, {{"newshape", shape}});
}
KerasTensor transpose(const KerasTensor& x, std::vector<int> axes) {
  return unary("Transpose", x, {{"axes", axes.empty() ? Json(nullptr) : Json(axes)}});
}
KerasTensor tril(const KerasTensor& x, int k) {
  return unary("Tril", x, {{"k", k}});
}
KerasTensor triu(const KerasTensor& x, int k) {
  return unary("Triu", x, {{"k", k}});
}
KerasTensor flip(const KerasTensor& x, std::vector<int> axes) {
  return unary("Flip", x, {{"axis", axes_json(axes)}});
}
KerasTensor roll(const KerasTensor& x, std::vector<int64_t> shifts, std::vector<int> axes) {
  return unary(
      "Roll", x,
      {{"shift", shifts.size() == 1 ? Json(shifts[0]) : Json(shifts)}, {"axis", axes_json(axes)}});
}
KerasTensor tile(const KerasTensor& x, std::vector<int64_t> repeats) {
  return unary("Tile", x, {{"repeats", repeats.size() == 1 ? Json(repeats[0]) : Json(repeats)}});
}
KerasTensor cumsum(const KerasTensor& x, std::optional<int> axis) {
  return unary("Cumsum", x, {{"axis", axis ? Json(*axis) : Json(nullptr)}, {"dtype", nullptr}});
}
KerasTensor cumprod(const KerasTensor& x, std::optional<int> axis) {
  return unary("Cumprod", x, {{"axis", axis ? Json(*axis) : Json(nullptr)}, {"dtype", nullptr}});
}
KerasTensor swapaxes(const KerasTensor& x, int axis1, int axis2) {
  return unary("Swapaxes", x, {{"axis1", axis1}, {"axis2", axis2}});
}
KerasTensor moveaxis(const KerasTensor& x, std::vector<int> source, std::vector<int> destination) {
  auto axes = [](const std::vector<int>& a) { return a.size() == 1 ? Json(a[0]) : Json(a); };
  return unary("Moveaxis", x, {{"source", axes(source)}, {"destination", axes(destination)}});
}
KerasTensor expand_dims(const KerasTensor& x, int axis) {
  return unary("ExpandDims", x, {{"axis", axis}});
}
KerasTensor squeeze(const KerasTensor& x, std::optional<int> axis) {
  return unary("Squeeze", x, {{"axis", axis ? Json(*axis) : Json(nullptr)}});
}
KerasTensor concatenate(const KerasTensors& xs, int axis) {
  return op("Concatenate", {{"axis", axis}}, list_arg(xs.size()), xs);
}
KerasTensor stack(const KerasTensors& xs, int axis) {
  return op("Stack", {{"axis", axis}}, list_arg(xs.size()), xs);
}
KerasTensor slice_axis(const KerasTensor& x, int axis, int64_t start, int64_t size) {
  KERAS_CHECK(start >= 0 && size >= 0, ValueError, "slice_axis: start and size must be >= 0, got ",
              start, " and ", size);
  // x[:, :, start:stop]: explicit slices (Keras cannot read an Ellipsis back from legacy .h5).
  const int rank = static_cast<int>(x.shape().size());
  KERAS_CHECK(axis >= -rank && axis < rank, ValueError, "slice_axis: axis ", axis,
              " is out of bounds for a tensor of rank ", rank);
  Json key = Json::array();
  for (int i = 0; i < (axis < 0 ? axis + rank : axis); ++i) {
    key.push_back(slice_json(std::nullopt, std::nullopt));
  }
  key.push_back(slice_json(start, start + size));
  return op("GetItem", Json::object(), Json::array({tensor_arg(), key}), {x});
}
KerasTensor sort(const KerasTensor& x, int axis) {
  return unary("Sort", x, {{"axis", axis}});
}
KerasTensor argsort(const KerasTensor& x, int axis) {
  return unary("Argsort", x, {{"axis", axis}});
}
std::pair<KerasTensor, KerasTensor> top_k(const KerasTensor& x, int64_t k, bool sorted) {
  const KerasTensors out =
      std::make_shared<layers::OpLayerImpl>("TopK", Json{{"k", k}, {"sorted", sorted}},
                                            Json::array({tensor_arg()}))
          ->apply({x});
  return {out[0], out[1]};
}
KerasTensor take_along_axis(const KerasTensor& x,
                            const KerasTensor& indices,
                            std::optional<int> axis) {
  return op("TakeAlongAxis", {{"axis", axis ? Json(*axis) : Json(nullptr)}},
            Json::array({tensor_arg(), tensor_arg()}), {x, indices});
}
KerasTensor take(const KerasTensor& x, const KerasTensor& indices, std::optional<int> axis) {
  return op("Take", {{"axis", axis ? Json(*axis) : Json(nullptr)}},
            Json::array({tensor_arg(), tensor_arg()}), {x, indices});
}
KerasTensor take(const KerasTensor& x,
                 const std::vector<int64_t>& indices,
                 std::optional<int> axis) {
  return op("Take", {{"axis", axis ? Json(*axis) : Json(nullptr)}},
            Json::array({tensor_arg(), Json(indices)}), {x});
}
KerasTensor one_hot(const KerasTensor& indices, int64_t num_classes, DType dtype) {
  return unary("OneHot", indices,
               {{"num_classes", num_classes},
                {"axis", -1},
                {"dtype", dtype_json(dtype)},
                {"sparse", false}});
}

KerasTensor arctan2(const KerasTensor& a, const KerasTensor& b) {
  return binary("Arctan2", a, b);
}
KerasTensor fmax(const KerasTensor& a, const KerasTensor& b) {
  return binary("Fmax", a, b);
}
KerasTensor fmin(const KerasTensor& a, const KerasTensor& b) {
  return binary("Fmin", a, b);
}
KerasTensor logaddexp2(const KerasTensor& a, const KerasTensor& b) {
  return binary("Logaddexp2", a, b);
}
KerasTensor isclose(
    const KerasTensor& a, const KerasTensor& b, double rtol, double atol, bool equal_nan) {
  return op("Isclose", {{"equal_nan", equal_nan}},
            Json::array({tensor_arg(), tensor_arg(), rtol, atol}), {a, b});
}
KerasTensor isin(const KerasTensor& x1, const KerasTensor& x2, bool assume_unique, bool invert) {
  return op("IsIn", {{"assume_unique", assume_unique}, {"invert", invert}},
            Json::array({tensor_arg(), tensor_arg()}), {x1, x2});
}
KerasTensor isin(const KerasTensor& x1,
                 const std::vector<double>& x2,
                 bool assume_unique,
                 bool invert) {
  return op("IsIn", {{"assume_unique", assume_unique}, {"invert", invert}},
            Json::array({tensor_arg(), Json(x2)}), {x1});
}
KerasTensor nansum(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Nansum", x, axes, keepdims);
}
KerasTensor nanprod(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Nanprod", x, axes, keepdims);
}
KerasTensor nanmean(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Nanmean", x, axes, keepdims);
}
KerasTensor nanmax(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Nanmax", x, axes, keepdims);
}
KerasTensor nanmin(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Nanmin", x, axes, keepdims);
}
KerasTensor nanvar(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Nanvar", x, axes, keepdims);
}
KerasTensor nanstd(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Nanstd", x, axes, keepdims);
}
KerasTensor nancumsum(const KerasTensor& x, std::optional<int> axis) {
  return unary("Nancumsum", x, {{"axis", axis ? Json(*axis) : Json(nullptr)}, {"dtype", nullptr}});
}
KerasTensor nancumprod(const KerasTensor& x, std::optional<int> axis) {
  return unary("Nancumprod", x, {{"axis", axis ? Json(*axis) : Json(nullptr)}, {"dtype", nullptr}});
}
KerasTensor nanargmax(const KerasTensor& x, int axis, bool keepdims) {
  return unary("Nanargmax", x, {{"axis", axis}, {"keepdims", keepdims}});
}
KerasTensor nanargmin(const KerasTensor& x, int axis, bool keepdims) {
  return unary("Nanargmin", x, {{"axis", axis}, {"keepdims", keepdims}});
}
KerasTensor median(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Median", x, axes, keepdims);
}

namespace {

KerasTensor quantile_op(const char* cls,
                        const KerasTensor& x,
                        Json q,
                        const std::vector<int>& axes,
                        const std::string& method,
                        bool keepdims) {
  return op(cls, {{"axis", axes_json(axes)}, {"method", method}, {"keepdims", keepdims}},
            Json::array({tensor_arg(), std::move(q)}), {x});
}

}  // namespace

KerasTensor quantile(const KerasTensor& x,
                     std::vector<double> qs,
                     std::vector<int> axes,
                     const std::string& method,
                     bool keepdims) {
  return quantile_op("Quantile", x, qs, axes, method, keepdims);
}
KerasTensor quantile(const KerasTensor& x,
                     double q,
                     std::vector<int> axes,
                     const std::string& method,
                     bool keepdims) {
  return quantile_op("Quantile", x, q, axes, method, keepdims);
}
KerasTensor percentile(const KerasTensor& x,
                       std::vector<double> qs,
                       std::vector<int> axes,
                       const std::string& method,
                       bool keepdims) {
  return quantile_op("Percentile", x, qs, axes, method, keepdims);
}
KerasTensor percentile(const KerasTensor& x,
                       double q,
                       std::vector<int> axes,
                       const std::string& method,
                       bool keepdims) {
  return quantile_op("Percentile", x, q, axes, method, keepdims);
}
KerasTensor ravel(const KerasTensor& x) {
  return unary("Ravel", x);
}
KerasTensor rot90(const KerasTensor& x, int k, std::pair<int, int> axes) {
  return unary("Rot90", x, {{"k", k}, {"axes", {axes.first, axes.second}}});
}
KerasTensor tensordot(const KerasTensor& a, const KerasTensor& b, int axes) {
  return op("Tensordot", {{"axes", axes}}, Json::array({tensor_arg(), tensor_arg()}), {a, b});
}
KerasTensor tensordot(const KerasTensor& a,
                      const KerasTensor& b,
                      const std::vector<int>& axes_a,
                      const std::vector<int>& axes_b) {
  return op("Tensordot", {{"axes", {axes_a, axes_b}}}, Json::array({tensor_arg(), tensor_arg()}),
            {a, b});
}
KerasTensor tensordot(const KerasTensor& a, const Tensor& b, int axes) {
  return op("Tensordot", {{"axes", axes}},
            Json::array({tensor_arg(), layers::op_table::numpy_to_json(b)}), {a});
}
KerasTensor outer(const KerasTensor& a, const KerasTensor& b) {
  return binary("Outer", a, b);
}
KerasTensor inner(const KerasTensor& a, const KerasTensor& b) {
  return binary("Inner", a, b);
}
KerasTensor vdot(const KerasTensor& a, const KerasTensor& b) {
  return binary("Vdot", a, b);
}

KerasTensor erfinv(const KerasTensor& x) {
  return unary("Erfinv", x);
}
KerasTensor i0(const KerasTensor& x) {
  return unary("I0", x);
}
KerasTensor kron(const KerasTensor& a, const KerasTensor& b) {
  return binary("Kron", a, b);
}
KerasTensor cross(const KerasTensor& a, const KerasTensor& b, std::optional<int> axis) {
  return op("Cross",
            {{"axisa", -1}, {"axisb", -1}, {"axisc", -1}, {"axis", axis ? Json(*axis) : Json()}},
            Json::array({tensor_arg(), tensor_arg()}), {a, b});
}
KerasTensor cdist(const KerasTensor& x, const KerasTensor& y) {
  return binary("CDist", x, y);
}

namespace {

KerasTensors multi(const char* cls, const KerasTensor& x, Json config = Json::object()) {
  return std::make_shared<layers::OpLayerImpl>(cls, config, Json::array({tensor_arg()}))
      ->apply({x});
}
std::pair<KerasTensor, KerasTensor> two(const KerasTensors& out) {
  return {out[0], out[1]};
}
Json optional_json(std::optional<double> v) {
  return v ? Json(*v) : Json(nullptr);
}

}  // namespace

KerasTensor inv(const KerasTensor& x) {
  return unary("Inv", x);
}
KerasTensor det(const KerasTensor& x) {
  return unary("Det", x);
}
std::pair<KerasTensor, KerasTensor> slogdet(const KerasTensor& x) {
  return two(multi("Slogdet", x));
}
KerasTensor solve(const KerasTensor& a, const KerasTensor& b) {
  return binary("Solve", a, b);
}
KerasTensor solve_triangular(const KerasTensor& a, const KerasTensor& b, bool lower) {
  return op("SolveTriangular", {{"lower", lower}}, Json::array({tensor_arg(), tensor_arg()}),
            {a, b});
}
KerasTensor cholesky(const KerasTensor& x, bool upper) {
  return unary("Cholesky", x, {{"upper", upper}});
}
KerasTensor cholesky_inverse(const KerasTensor& x, bool upper) {
  return unary("CholeskyInverse", x, {{"upper", upper}});
}
std::pair<KerasTensor, KerasTensor> qr(const KerasTensor& x, const std::string& mode) {
  return two(multi("Qr", x, {{"mode", mode}}));
}
KerasTensors svd(const KerasTensor& x, bool full_matrices, bool compute_uv) {
  return multi("SVD", x, {{"full_matrices", full_matrices}, {"compute_uv", compute_uv}});
}
std::pair<KerasTensor, KerasTensor> eigh(const KerasTensor& x) {
  return two(multi("Eigh", x));
}
std::pair<KerasTensor, KerasTensor> lu_factor(const KerasTensor& x) {
  return two(multi("LuFactor", x));
}
KerasTensor pinv(const KerasTensor& x, std::optional<double> rcond) {
  return unary("Pinv", x, {{"rcond", optional_json(rcond)}});
}
KerasTensor matrix_rank(const KerasTensor& x, std::optional<double> tol) {
  return unary("MatrixRank", x, {{"tol", optional_json(tol)}});
}

namespace {

Json pair_arg() {
  return Json::array({Json::array({tensor_arg(), tensor_arg()})});
}
KerasTensors of_pair(const char* cls, const KerasComplex& x, Json config = Json::object()) {
  return std::make_shared<layers::OpLayerImpl>(cls, std::move(config), pair_arg())
      ->apply({x.first, x.second});
}
Json optional_int(std::optional<int64_t> v) {
  return v ? Json(*v) : Json(nullptr);
}
Json optional_name(const std::optional<std::string>& v) {
  return v ? Json(*v) : Json(nullptr);
}

}  // namespace

KerasComplex fft(const KerasComplex& x) {
  return two(of_pair("FFT", x));
}
KerasComplex fft2(const KerasComplex& x) {
  return two(of_pair("FFT2", x));
}
KerasComplex ifft2(const KerasComplex& x) {
  return two(of_pair("IFFT2", x));
}
KerasComplex rfft(const KerasTensor& x, std::optional<int64_t> fft_length) {
  return two(multi("RFFT", x, {{"fft_length", optional_int(fft_length)}}));
}
KerasTensor irfft(const KerasComplex& x, std::optional<int64_t> fft_length) {
  return of_pair("IRFFT", x, {{"fft_length", optional_int(fft_length)}})[0];
}
KerasComplex stft(const KerasTensor& x,
                  int64_t sequence_length,
                  int64_t sequence_stride,
                  int64_t fft_length,
                  std::optional<std::string> window,
                  bool center) {
  return two(multi("STFT", x,
                   {{"sequence_length", sequence_length},
                    {"sequence_stride", sequence_stride},
                    {"fft_length", fft_length},
                    {"window", optional_name(window)},
                    {"center", center}}));
}
KerasTensor istft(const KerasComplex& x,
                  int64_t sequence_length,
                  int64_t sequence_stride,
                  int64_t fft_length,
                  std::optional<int64_t> length,
                  std::optional<std::string> window,
                  bool center) {
  return of_pair("ISTFT", x,
                 {{"sequence_length", sequence_length},
                  {"sequence_stride", sequence_stride},
                  {"fft_length", fft_length},
                  {"length", optional_int(length)},
                  {"window", optional_name(window)},
                  {"center", center}})[0];
}
KerasTensor logdet(const KerasTensor& x) {
  return unary("Logdet", x);
}
KerasTensor binary_crossentropy(const KerasTensor& target,
                                const KerasTensor& output,
                                bool from_logits) {
  return op("BinaryCrossentropy", {{"from_logits", from_logits}},
            Json::array({tensor_arg(), tensor_arg()}), {target, output});
}
KerasTensor categorical_crossentropy(const KerasTensor& target,
                                     const KerasTensor& output,
                                     bool from_logits,
                                     int axis) {
  return op("CategoricalCrossentropy", {{"from_logits", from_logits}, {"axis", axis}},
            Json::array({tensor_arg(), tensor_arg()}), {target, output});
}
KerasTensor sparse_categorical_crossentropy(const KerasTensor& target,
                                            const KerasTensor& output,
                                            bool from_logits,
                                            int axis) {
  return op("SparseCategoricalCrossentropy", {{"from_logits", from_logits}, {"axis", axis}},
            Json::array({tensor_arg(), tensor_arg()}), {target, output});
}
KerasTensor psnr(const KerasTensor& x1, const KerasTensor& x2, double max_val) {
  return op("PSNR", {{"max_val", max_val}}, Json::array({tensor_arg(), tensor_arg()}), {x1, x2});
}
KerasTensor unfold(const KerasTensor& x,
                   const std::vector<int64_t>& kernel_size,
                   const UnfoldOptions& o) {
  return unary("Unfold", x,
               {{"kernel_size", int_or_list(kernel_size)},
                {"dilation", int_or_list(o.dilation)},
                {"padding", int_or_list(o.padding)},
                {"stride", int_or_list(o.stride)}});
}
KerasTensor fold(const KerasTensor& x,
                 const std::vector<int64_t>& output_size,
                 const std::vector<int64_t>& kernel_size,
                 const UnfoldOptions& o) {
  return unary("Fold", x,
               {{"output_size", int_or_list(output_size)},
                {"kernel_size", int_or_list(kernel_size)},
                {"dilation", int_or_list(o.dilation)},
                {"padding", int_or_list(o.padding)},
                {"stride", int_or_list(o.stride)}});
}
KerasTensor norm(const KerasTensor& x,
                 std::optional<double> ord,
                 std::vector<int> axes,
                 bool keepdims) {
  return unary("Norm", x,
               {{"ord", ord ? Json(*ord) : Json(nullptr)},
                {"axis", axes_json(axes)},
                {"keepdims", keepdims}});
}
KerasTensor norm(const KerasTensor& x,
                 const std::string& ord,
                 std::vector<int> axes,
                 bool keepdims) {
  KERAS_CHECK(ord == "fro" || ord == "nuc", ValueError, "norm: invalid norm order '",
              ord.substr(0, 20), "' (a number, 'fro' or 'nuc')");
  return unary("Norm", x, {{"ord", ord}, {"axis", axes_json(axes)}, {"keepdims", keepdims}});
}
KerasTensor normalize(const KerasTensor& x, int axis, int order) {
  return unary("Normalize", x, {{"axis", axis}, {"order", order}, {"epsilon", nullptr}});
}

namespace {

Json optional_constant(const Tensor& t) {
  return t.defined() ? layers::op_table::numpy_to_json(t) : Json(nullptr);
}

}  // namespace

KerasTensor layer_normalization(const KerasTensor& x,
                                const Tensor& gamma,
                                const Tensor& beta,
                                std::vector<int> axes,
                                std::optional<double> epsilon) {
  return op("LayerNorm",
            {{"axis", axes.size() == 1 ? Json(axes[0]) : Json(axes)},
             {"epsilon", epsilon ? Json(*epsilon) : Json(nullptr)},
             {"rms_scaling", false}},
            Json::array({tensor_arg(), optional_constant(gamma), optional_constant(beta)}), {x});
}
KerasTensor rms_normalization(const KerasTensor& x,
                              const Tensor& scale,
                              std::vector<int> axes,
                              std::optional<double> epsilon) {
  return op("RMSNorm",
            {{"axis", axes.size() == 1 ? Json(axes[0]) : Json(axes)},
             {"epsilon", epsilon ? Json(*epsilon) : Json(nullptr)}},
            Json::array({tensor_arg(), optional_constant(scale)}), {x});
}

KerasTensor dot(const KerasTensor& a, const KerasTensor& b) {
  return binary("Dot", a, b);
}
KerasTensor dot(const KerasTensor& a, const Tensor& b) {
  return op("Dot", Json::object(), Json::array({tensor_arg(), layers::op_table::numpy_to_json(b)}),
            {a});
}

namespace {

// strides, dilation_rate, pool_size as Keras writes them: one int for one value, else a list.
Json spatial_json(const std::vector<int64_t>& v) {
  if (v.empty()) return nullptr;
  if (v.size() == 1) return v[0];
  return v;
}
Json conv_config(const ConvOptions& o) {
  return {{"strides", spatial_json(o.strides)},
          {"padding", o.padding},
          {"data_format", o.data_format},
          {"dilation_rate", spatial_json(o.dilation_rate)}};
}
Json pool_config(const std::vector<int64_t>& pool_size, const PoolOptions& o) {
  return {{"pool_size", spatial_json(pool_size)},
          {"strides", spatial_json(o.strides)},
          {"padding", o.padding},
          {"data_format", o.data_format}};
}
// A node whose arguments are x, then constants.
KerasTensor with_constants(const char* cls,
                           Json config,
                           const KerasTensor& x,
                           std::initializer_list<Json> constants) {
  Json args = Json::array({tensor_arg()});
  for (const Json& c : constants) args.push_back(c);
  return op(cls, std::move(config), args, {x});
}

}  // namespace

KerasTensor conv(const KerasTensor& inputs, const Tensor& kernel, const ConvOptions& options) {
  return with_constants("Conv", conv_config(options), inputs,
                        {layers::op_table::numpy_to_json(kernel)});
}
KerasTensor depthwise_conv(const KerasTensor& inputs,
                           const Tensor& kernel,
                           const ConvOptions& options) {
  return with_constants("DepthwiseConv", conv_config(options), inputs,
                        {layers::op_table::numpy_to_json(kernel)});
}
KerasTensor separable_conv(const KerasTensor& inputs,
                           const Tensor& depthwise_kernel,
                           const Tensor& pointwise_kernel,
                           const ConvOptions& options) {
  return with_constants("SeparableConv", conv_config(options), inputs,
                        {layers::op_table::numpy_to_json(depthwise_kernel),
                         layers::op_table::numpy_to_json(pointwise_kernel)});
}
KerasTensor conv_transpose(const KerasTensor& inputs,
                           const Tensor& kernel,
                           const ConvTransposeOptions& options) {
  Json config{{"strides", spatial_json(options.strides)},
              {"padding", options.padding},
              {"output_padding",
               options.output_padding ? spatial_json(*options.output_padding) : Json(nullptr)},
              {"data_format", options.data_format},
              {"dilation_rate", spatial_json(options.dilation_rate)}};
  return with_constants("ConvTranspose", std::move(config), inputs,
                        {layers::op_table::numpy_to_json(kernel)});
}
KerasTensor max_pool(const KerasTensor& inputs,
                     const std::vector<int64_t>& pool_size,
                     const PoolOptions& options) {
  return unary("MaxPool", inputs, pool_config(pool_size, options));
}
KerasTensor average_pool(const KerasTensor& inputs,
                         const std::vector<int64_t>& pool_size,
                         const PoolOptions& options) {
  return unary("AveragePool", inputs, pool_config(pool_size, options));
}
KerasTensor batch_normalization(const KerasTensor& x,
                                const Tensor& mean,
                                const Tensor& variance,
                                int axis,
                                const Tensor& offset,
                                const Tensor& scale,
                                double epsilon) {
  return with_constants(
      "BatchNorm", {{"axis", axis}, {"epsilon", epsilon}}, x,
      {layers::op_table::numpy_to_json(mean), layers::op_table::numpy_to_json(variance),
       optional_constant(offset), optional_constant(scale)});
}
KerasTensor depth_to_space(const KerasTensor& x,
                           int64_t block_size,
                           const std::string& data_format) {
  return unary("DepthToSpace", x, {{"block_size", block_size}, {"data_format", data_format}});
}
KerasTensor space_to_depth(const KerasTensor& x,
                           int64_t block_size,
                           const std::string& data_format) {
  return unary("SpaceToDepth", x, {{"block_size", block_size}, {"data_format", data_format}});
}
KerasTensor multi_hot(const KerasTensor& x, int64_t num_classes, int axis, DType dtype) {
  return unary("MultiHot", x,
               {{"num_classes", num_classes},
                {"axis", axis},
                {"dtype", dtype_json(dtype)},
                {"sparse", false}});
}
KerasTensors unstack(const KerasTensor& x, int axis) {
  KERAS_CHECK(x.rank() >= 1, ValueError, "unstack: expected a tensor of rank >= 1");
  const int a = axis < 0 ? axis + x.rank() : axis;
  KERAS_CHECK(a >= 0 && a < x.rank() && x.shape()[static_cast<size_t>(a)] != kNone, ValueError,
              "unstack: axis ", axis, " of ", shape_str(x.shape()),
              " must exist and have a known size (one output per entry)");
  return std::make_shared<layers::OpLayerImpl>(
             "Unstack", Json{{"num", x.shape()[static_cast<size_t>(a)]}, {"axis", axis}},
             Json::array({tensor_arg()}))
      ->apply({x});
}
KerasTensor slice(const KerasTensor& x,
                  const std::vector<int64_t>& start_indices,
                  const std::vector<int64_t>& shape) {
  return with_constants("Slice", {{"shape", shape}}, x, {Json(start_indices)});
}
KerasTensor diag(const KerasTensor& x, int k) {
  return unary("Diag", x, {{"k", k}});
}
KerasTensor average(const KerasTensor& x, std::optional<int> axis, const Tensor& weights) {
  // Keras passes the weights by keyword.
  return std::make_shared<layers::OpLayerImpl>(
             "Average", Json{{"axis", axis ? Json(*axis) : Json(nullptr)}},
             Json::array({tensor_arg()}), Json{{"weights", optional_constant(weights)}})
      ->apply({x})[0];
}
KerasTensor extract_sequences(const KerasTensor& x,
                              int64_t sequence_length,
                              int64_t sequence_stride) {
  return unary("ExtractSequences", x,
               {{"sequence_length", sequence_length}, {"sequence_stride", sequence_stride}});
}
KerasTensor in_top_k(const KerasTensor& targets, const KerasTensor& predictions, int64_t k) {
  return op("InTopK", {{"k", k}}, Json::array({tensor_arg(), tensor_arg()}),
            {targets, predictions});
}

KerasTensor bitwise_and(const KerasTensor& x, const KerasTensor& y) {
  return binary("BitwiseAnd", x, y);
}
KerasTensor bitwise_or(const KerasTensor& x, const KerasTensor& y) {
  return binary("BitwiseOr", x, y);
}
KerasTensor bitwise_xor(const KerasTensor& x, const KerasTensor& y) {
  return binary("BitwiseXor", x, y);
}
KerasTensor bitwise_not(const KerasTensor& x) {
  return unary("BitwiseNot", x);
}
KerasTensor bitwise_invert(const KerasTensor& x) {
  return unary("BitwiseInvert", x);
}
KerasTensor left_shift(const KerasTensor& x, const KerasTensor& y) {
  return binary("LeftShift", x, y);
}
KerasTensor right_shift(const KerasTensor& x, const KerasTensor& y) {
  return binary("RightShift", x, y);
}
KerasTensor left_shift(const KerasTensor& x, int64_t y) {
  return op("LeftShift", Json::object(), Json::array({tensor_arg(), y}), {x});
}
KerasTensor right_shift(const KerasTensor& x, int64_t y) {
  return op("RightShift", Json::object(), Json::array({tensor_arg(), y}), {x});
}
KerasTensor bitwise_left_shift(const KerasTensor& x, const KerasTensor& y) {
  return binary("BitwiseLeftShift", x, y);
}
KerasTensor bitwise_right_shift(const KerasTensor& x, const KerasTensor& y) {
  return binary("BitwiseRightShift", x, y);
}
KerasTensor gcd(const KerasTensor& x1, const KerasTensor& x2) {
  return binary("Gcd", x1, x2);
}

namespace {

// Linspace, Logspace and Geomspace: {num, endpoint, [retstep | base], dtype, axis}.
KerasTensor spacing(const char* cls,
                    Json config,
                    const KerasTensor& start,
                    const KerasTensor& stop) {
  return op(cls, std::move(config), Json::array({tensor_arg(), tensor_arg()}), {start, stop});
}
KerasTensors split_op(const char* cls, const KerasTensor& x, Json sections) {
  return std::make_shared<layers::OpLayerImpl>(
             cls, Json{{"indices_or_sections", std::move(sections)}}, Json::array({tensor_arg()}))
      ->apply({x});
}

}  // namespace

KerasTensor linspace(const KerasTensor& start,
                     const KerasTensor& stop,
                     int64_t num,
                     bool endpoint,
                     std::optional<DType> dtype,
                     int axis) {
  return spacing("Linspace",
                 {{"num", num},
                  {"endpoint", endpoint},
                  {"retstep", false},
                  {"dtype", dtype_json(dtype)},
                  {"axis", axis}},
                 start, stop);
}
KerasTensor logspace(const KerasTensor& start,
                     const KerasTensor& stop,
                     int64_t num,
                     bool endpoint,
                     double base,
                     std::optional<DType> dtype,
                     int axis) {
  return spacing("Logspace",
                 {{"num", num},
                  {"endpoint", endpoint},
                  {"base", constant_arg(base)},
                  {"dtype", dtype_json(dtype)},
                  {"axis", axis}},
                 start, stop);
}
KerasTensor geomspace(const KerasTensor& start,
                      const KerasTensor& stop,
                      int64_t num,
                      bool endpoint,
                      std::optional<DType> dtype,
                      int axis) {
  return spacing(
      "Geomspace",
      {{"num", num}, {"endpoint", endpoint}, {"dtype", dtype_json(dtype)}, {"axis", axis}}, start,
      stop);
}
KerasTensors meshgrid(const KerasTensors& xs, const std::string& indexing) {
  Json args = Json::array();
  for (size_t i = 0; i < xs.size(); ++i) args.push_back(tensor_arg());
  return std::make_shared<layers::OpLayerImpl>("Meshgrid", Json{{"indexing", indexing}}, args)
      ->apply(xs);
}
KerasTensor fliplr(const KerasTensor& x) {
  return unary("Fliplr", x);
}
KerasTensor flipud(const KerasTensor& x) {
  return unary("Flipud", x);
}
KerasTensors hsplit(const KerasTensor& x, int64_t sections) {
  return split_op("Hsplit", x, sections);
}
KerasTensors hsplit(const KerasTensor& x, const std::vector<int64_t>& indices) {
  return split_op("Hsplit", x, indices);
}
KerasTensors vsplit(const KerasTensor& x, int64_t sections) {
  return split_op("Vsplit", x, sections);
}
KerasTensors vsplit(const KerasTensor& x, const std::vector<int64_t>& indices) {
  return split_op("Vsplit", x, indices);
}
KerasTensors dsplit(const KerasTensor& x, int64_t sections) {
  return split_op("Dsplit", x, sections);
}
KerasTensors dsplit(const KerasTensor& x, const std::vector<int64_t>& indices) {
  return split_op("Dsplit", x, indices);
}
KerasTensor dstack(const KerasTensors& xs) {
  return op("Dstack", Json::object(), list_arg(xs.size()), xs);
}
KerasTensor bincount(const KerasTensor& x, const Tensor& weights, int64_t minlength) {
  // Keras keeps the weights in the op's config, where it can save only plain lists.
  const Json w =
      weights.defined() ? layers::op_table::numpy_to_json(weights)["config"]["value"] : Json();
  return unary("Bincount", x, {{"weights", w}, {"minlength", minlength}, {"sparse", false}});
}
KerasTensors unravel_index(const KerasTensor& indices, const std::vector<int64_t>& shape) {
  return std::make_shared<layers::OpLayerImpl>("UnravelIndex", Json{{"shape", shape}},
                                               Json::array({tensor_arg()}))
      ->apply({indices});
}
KerasTensor argpartition(const KerasTensor& x, int64_t kth, std::optional<int> axis) {
  return unary("Argpartition", x, {{"kth", kth}, {"axis", axis ? Json(*axis) : Json(nullptr)}});
}
KerasTensor nanmedian(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return reduction("Nanmedian", x, axes, keepdims);
}
KerasTensor nanquantile(const KerasTensor& x,
                        std::vector<double> qs,
                        std::vector<int> axes,
                        const std::string& method,
                        bool keepdims) {
  return quantile_op("Nanquantile", x, qs, axes, method, keepdims);
}
KerasTensor nanquantile(const KerasTensor& x,
                        double q,
                        std::vector<int> axes,
                        const std::string& method,
                        bool keepdims) {
  return quantile_op("Nanquantile", x, q, axes, method, keepdims);
}
KerasTensor nanpercentile(const KerasTensor& x,
                          std::vector<double> qs,
                          std::vector<int> axes,
                          const std::string& method,
                          bool keepdims) {
  return quantile_op("Nanpercentile", x, qs, axes, method, keepdims);
}
KerasTensor nanpercentile(const KerasTensor& x,
                          double q,
                          std::vector<int> axes,
                          const std::string& method,
                          bool keepdims) {
  return quantile_op("Nanpercentile", x, q, axes, method, keepdims);
}
KerasTensor correlate(const KerasTensor& x1, const KerasTensor& x2, const std::string& mode) {
  return op("Correlate", {{"mode", mode}}, Json::array({tensor_arg(), tensor_arg()}), {x1, x2});
}
KerasTensor isreal(const KerasTensor& x) {
  return unary("Isreal", x);
}
KerasTensor conj(const KerasTensor& x) {
  return unary("Conjugate", x);
}
KerasTensor absolute(const KerasTensor& x) {
  return unary("Absolute", x);
}
KerasTensor fabs(const KerasTensor& x) {
  return unary("Fabs", x);
}
KerasTensor allclose(
    const KerasTensor& a, const KerasTensor& b, double rtol, double atol, bool equal_nan) {
  return op("AllClose", {{"rtol", rtol}, {"atol", atol}, {"equal_nan", equal_nan}},
            Json::array({tensor_arg(), tensor_arg()}), {a, b});
}
KerasTensor real(const KerasTensor& x) {
  return unary("Real", x);
}
KerasTensor imag(const KerasTensor& x) {
  return unary("Imag", x);
}
KerasTensor angle(const KerasTensor& x) {
  return unary("Angle", x);
}
KerasTensor ldexp(const KerasTensor& x1, const KerasTensor& x2) {
  return binary("Ldexp", x1, x2);
}
KerasTensor nextafter(const KerasTensor& x1, const KerasTensor& x2) {
  return binary("Nextafter", x1, x2);
}
KerasTensor lcm(const KerasTensor& x1, const KerasTensor& x2) {
  return binary("Lcm", x1, x2);
}

namespace {

// Keras's call select(condlist, choicelist, default): two lists of tensors, then the default.
KerasTensor select_op(const KerasTensors& condlist,
                      const KerasTensors& choicelist,
                      Json fallback,
                      const KerasTensor* fallback_tensor) {
  KerasTensors inputs = condlist;
  inputs.insert(inputs.end(), choicelist.begin(), choicelist.end());
  if (fallback_tensor != nullptr) inputs.push_back(*fallback_tensor);
  Json args = list_arg(condlist.size());
  args.push_back(list_arg(choicelist.size())[0]);
  args.push_back(std::move(fallback));
  return op("Select", Json::object(), args, inputs);
}

}  // namespace

KerasTensor select(const KerasTensors& condlist,
                   const KerasTensors& choicelist,
                   double default_value) {
  return select_op(condlist, choicelist, constant_arg(default_value), nullptr);
}
KerasTensor select(const KerasTensors& condlist,
                   const KerasTensors& choicelist,
                   const KerasTensor& default_value) {
  return select_op(condlist, choicelist, tensor_arg(), &default_value);
}
KerasTensor view(const KerasTensor& x, std::optional<DType> dtype) {
  return unary("View", x, {{"dtype", dtype_json(dtype)}});
}
KerasTensor append(const KerasTensor& x1, const KerasTensor& x2, std::optional<int> axis) {
  return op("Append", {{"axis", axis ? Json(*axis) : Json(nullptr)}},
            Json::array({tensor_arg(), tensor_arg()}), {x1, x2});
}
KerasTensors array_split(const KerasTensor& x, int64_t sections, int axis) {
  return std::make_shared<layers::OpLayerImpl>(
             "ArraySplit", Json{{"indices_or_sections", sections}, {"axis", axis}},
             Json::array({tensor_arg()}))
      ->apply({x});
}
KerasTensor diagflat(const KerasTensor& x, int k) {
  return unary("Diagflat", x, {{"k", k}});
}
KerasTensor vander(const KerasTensor& x, std::optional<int64_t> N, bool increasing) {
  return unary("Vander", x, {{"N", N ? Json(*N) : Json(nullptr)}, {"increasing", increasing}});
}
KerasTensor corrcoef(const KerasTensor& x) {
  return unary("Corrcoef", x);
}
KerasTensors histogram(const KerasTensor& x,
                       int64_t bins,
                       std::optional<std::pair<double, double>> range) {
  const Json r = range ? Json::array({range->first, range->second}) : Json(nullptr);
  return std::make_shared<layers::OpLayerImpl>("Histogram", Json{{"bins", bins}, {"range", r}},
                                               Json::array({tensor_arg()}))
      ->apply({x});
}
KerasTensor trapezoid(const KerasTensor& y, double dx, int axis) {
  return unary("Trapezoid", y, {{"x", nullptr}, {"dx", dx}, {"axis", axis}});
}

KerasTensor dot_product_attention(const KerasTensor& query,
                                  const KerasTensor& key,
                                  const KerasTensor& value,
                                  const std::optional<KerasTensor>& mask,
                                  std::optional<double> scale,
                                  bool is_causal) {
  KerasTensors inputs{query, key, value};
  if (mask) inputs.push_back(*mask);
  const Json config{
      {"is_causal", is_causal}, {"flash_attention", nullptr}, {"attn_logits_soft_cap", nullptr}};
  const Json kwargs{{"bias", nullptr},
                    {"mask", mask ? tensor_arg() : Json(nullptr)},
                    {"scale", scale ? Json(*scale) : Json(nullptr)}};
  return std::make_shared<layers::OpLayerImpl>(
             "DotProductAttention", config, Json::array({tensor_arg(), tensor_arg(), tensor_arg()}),
             kwargs)
      ->apply(inputs)[0];
}

}  // namespace keras::ops

namespace keras::ops::image {

KerasTensor rgb_to_grayscale(const KerasTensor& images, const std::string& data_format) {
  return unary("RGBToGrayscale", images, {{"data_format", data_format}});
}
KerasTensor rgb_to_hsv(const KerasTensor& images, const std::string& data_format) {
  return unary("RGBToHSV", images, {{"data_format", data_format}});
}
KerasTensor hsv_to_rgb(const KerasTensor& images, const std::string& data_format) {
  return unary("HSVToRGB", images, {{"data_format", data_format}});
}
namespace {
Json maybe_json(const std::optional<int64_t>& v) {
  return v ? Json(*v) : Json(nullptr);
}
}  // namespace
KerasTensor pad_images(const KerasTensor& images, const PadImagesOptions& o) {
  return unary("PadImages", images,
               {{"top_padding", maybe_json(o.top_padding)},
                {"left_padding", maybe_json(o.left_padding)},
                {"bottom_padding", maybe_json(o.bottom_padding)},
                {"right_padding", maybe_json(o.right_padding)},
                {"target_height", maybe_json(o.target_height)},
                {"target_width", maybe_json(o.target_width)},
                {"data_format", o.data_format}});
}
KerasTensor crop_images(const KerasTensor& images, const CropImagesOptions& o) {
  return unary("CropImages", images,
               {{"top_cropping", maybe_json(o.top_cropping)},
                {"left_cropping", maybe_json(o.left_cropping)},
                {"bottom_cropping", maybe_json(o.bottom_cropping)},
                {"right_cropping", maybe_json(o.right_cropping)},
                {"target_height", maybe_json(o.target_height)},
                {"target_width", maybe_json(o.target_width)},
                {"data_format", o.data_format}});
}
KerasTensor sobel_edges(const KerasTensor& images, const std::string& data_format) {
  return unary("SobelEdges", images, {{"data_format", data_format}});
}
KerasTensor extract_patches(const KerasTensor& images,
                            const std::vector<int64_t>& size,
                            const ExtractPatchesOptions& o) {
  return unary("ExtractPatches", images,
               {{"size", int_or_list(size)},
                {"strides", int_or_list(o.strides.empty() ? size : o.strides)},
                {"dilation_rate", int_or_list(o.dilation_rate)},
                {"padding", o.padding},
                {"data_format", o.data_format}});
}
KerasTensor resize(const KerasTensor& images,
                   std::pair<int64_t, int64_t> size,
                   const ResizeOptions& o) {
  return unary("Resize", images,
               {{"size", {size.first, size.second}},
                {"interpolation", o.interpolation},
                {"antialias", o.antialias},
                {"crop_to_aspect_ratio", o.crop_to_aspect_ratio},
                {"pad_to_aspect_ratio", o.pad_to_aspect_ratio},
                {"fill_mode", o.fill_mode},
                {"fill_value", o.fill_value},
                {"data_format", o.data_format}});
}
KerasTensor gaussian_blur(const KerasTensor& images,
                          std::pair<int64_t, int64_t> kernel_size,
                          std::pair<double, double> sigma,
                          const std::string& data_format) {
  return unary("GaussianBlur", images,
               {{"kernel_size", {kernel_size.first, kernel_size.second}},
                {"sigma", {sigma.first, sigma.second}},
                {"data_format", data_format}});
}

KerasTensor extract_patches_3d(const KerasTensor& volumes,
                               const std::vector<int64_t>& size,
                               const ExtractPatchesOptions& o) {
  KERAS_CHECK(size.size() == 1 || size.size() == 3, TypeError,
              "Invalid `size` argument. Expected an int or a tuple of length 3. Received: size of ",
              size.size(), " values");
  return extract_patches(
      volumes, size.size() == 1 ? std::vector<int64_t>{size[0], size[0], size[0]} : size, o);
}
KerasTensor affine_transform(const KerasTensor& images,
                             const KerasTensor& transform,
                             const AffineTransformOptions& o) {
  return op("AffineTransform",
            {{"interpolation", o.interpolation},
             {"fill_mode", o.fill_mode},
             {"fill_value", o.fill_value},
             {"data_format", o.data_format}},
            Json::array({tensor_arg(), tensor_arg()}), {images, transform});
}
KerasTensor map_coordinates(const KerasTensor& inputs,
                            const KerasTensor& coordinates,
                            int order,
                            const std::string& fill_mode,
                            double fill_value) {
  return op("MapCoordinates",
            {{"order", order}, {"fill_mode", fill_mode}, {"fill_value", fill_value}},
            Json::array({tensor_arg(), tensor_arg()}), {inputs, coordinates});
}
KerasTensor perspective_transform(const KerasTensor& images,
                                  const Tensor& start_points,
                                  const Tensor& end_points,
                                  const std::string& interpolation,
                                  double fill_value,
                                  const std::string& data_format) {
  return op(
      "PerspectiveTransform",
      {{"interpolation", interpolation}, {"fill_value", fill_value}, {"data_format", data_format}},
      Json::array({tensor_arg(), layers::op_table::numpy_to_json(start_points),
                   layers::op_table::numpy_to_json(end_points)}),
      {images});
}
KerasTensor elastic_transform(const KerasTensor& images, const ElasticTransformOptions& o) {
  return unary("ElasticTransform", images,
               {{"alpha", o.alpha},
                {"sigma", o.sigma},
                {"interpolation", o.interpolation},
                {"fill_mode", o.fill_mode},
                {"fill_value", o.fill_value},
                {"seed", o.seed ? Json(static_cast<int64_t>(*o.seed)) : Json(nullptr)},
                {"data_format", o.data_format}});
}
KerasTensor scale_and_translate(const KerasTensor& images,
                                const std::vector<int64_t>& output_shape,
                                const std::vector<double>& scale,
                                const std::vector<double>& translation,
                                const std::vector<int>& spatial_dims,
                                const std::string& method,
                                bool antialias) {
  return op("ScaleAndTranslate",
            {{"spatial_dims", spatial_dims}, {"method", method}, {"antialias", antialias}},
            Json::array({tensor_arg(), output_shape, scale, translation}), {images});
}
KerasTensor ssim(const KerasTensor& image1, const KerasTensor& image2, const SsimOptions& o) {
  return op("SSIM",
            {{"max_val", o.max_val},
             {"filter_size", o.filter_size},
             {"filter_sigma", o.filter_sigma},
             {"k1", o.k1},
             {"k2", o.k2},
             {"data_format", o.data_format}},
            Json::array({tensor_arg(), tensor_arg()}), {image1, image2});
}

}  // namespace keras::ops::image
