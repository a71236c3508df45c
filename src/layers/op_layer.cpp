#include "keras/layers/op_layer.h"

#include <cctype>
#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

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

// ---- saved ops ----

enum class Form : uint8_t { binary, unary, list };  // (a, b); (x); ([x, ...])

struct OpInfo {
  SavedOp op;
  const char* class_name;
  const char* snake;
  Form form;
  const char* keys[2];  // config keys besides "name"
};
// In SavedOp's order.
const OpInfo kOps[] = {
    {SavedOp::not_equal, "NotEqual", "not_equal", Form::binary, {}},
    {SavedOp::equal, "Equal", "equal", Form::binary, {}},
    {SavedOp::less, "Less", "less", Form::binary, {}},
    {SavedOp::less_equal, "LessEqual", "less_equal", Form::binary, {}},
    {SavedOp::greater, "Greater", "greater", Form::binary, {}},
    {SavedOp::greater_equal, "GreaterEqual", "greater_equal", Form::binary, {}},
    {SavedOp::logical_and, "LogicalAnd", "logical_and", Form::binary, {}},
    {SavedOp::logical_or, "LogicalOr", "logical_or", Form::binary, {}},
    {SavedOp::logical_not, "LogicalNot", "logical_not", Form::unary, {}},
    {SavedOp::any, "Any", "any", Form::unary, {"axis", "keepdims"}},
    {SavedOp::all, "All", "all", Form::unary, {"axis", "keepdims"}},
    {SavedOp::expand_dims, "ExpandDims", "expand_dims", Form::unary, {"axis"}},
    {SavedOp::squeeze, "Squeeze", "squeeze", Form::unary, {"axis"}},
    {SavedOp::cast, "Cast", "cast", Form::unary, {"dtype"}},
    {SavedOp::zeros_like, "ZerosLike", "zeros_like", Form::unary, {"dtype"}},
    {SavedOp::ones_like, "OnesLike", "ones_like", Form::unary, {"dtype"}},
    {SavedOp::concatenate, "Concatenate", "concatenate", Form::list, {"axis"}},
};

const OpInfo& info(SavedOp op) {
  return kOps[static_cast<size_t>(op)];
}

bool is_tensor(const Json& j) {
  if (!j.is_object()) return false;
  auto it = j.find("class_name");
  return it != j.end() && it->is_string() && it->get<std::string>() == "__keras_tensor__";
}

// One argument of a binary op: the input `input`, or the constant `value`.
struct Operand {
  int input = -1;
  double value = 0;
  bool boolean = false;
};

// `x` and the constant `c` as JAX promotes a Python scalar (a weak type): a non-integral number
// makes an integer or bool x float32, any other number makes a bool x int32.
Tensor constant_for(const Operand& c, Tensor& x) {
  if (!c.boolean && !is_floating(x.dtype())) {
    if (c.value != std::floor(c.value)) {
      x = ops::cast(x, float32);
    } else if (x.dtype() == bool_) {
      x = ops::cast(x, int32);
    }
  }
  return ops::scalar_like(c.value, x);
}

Tensor binary(SavedOp op, const Tensor& a, const Tensor& b) {
  switch (op) {
    case SavedOp::not_equal:
      return ops::not_equal(a, b);
    case SavedOp::equal:
      return ops::equal(a, b);
    case SavedOp::less:
      return ops::less(a, b);
    case SavedOp::less_equal:
      return ops::less_equal(a, b);
    case SavedOp::greater:
      return ops::greater(a, b);
    case SavedOp::greater_equal:
      return ops::greater_equal(a, b);
    case SavedOp::logical_and:
      return ops::logical_and(a, b);
    default:
      return ops::logical_or(a, b);
  }
}

std::vector<int> axes_from_json(const Json& j, const std::string& what) {
  if (j.is_null()) return {};  // all axes
  if (!j.is_array()) return {config::convert<int>(j, "axis", what.c_str())};
  KERAS_CHECK(!j.empty() && j.size() <= 64, ValueError, what,
              ": 'axis' must be an int or a "
              "non-empty list of ints");
  std::vector<int> axes;
  for (const Json& a : j) axes.push_back(config::convert<int>(a, "axis", what.c_str()));
  return axes;
}

std::optional<DType> dtype_or_null(const Json& config) {
  const Json* d = config::find(config, "dtype");
  if (d == nullptr) return std::nullopt;
  return config::dtype_from_json(*d);
}

// The computation of a saved op from its config and call arguments.
OpLayerImpl::Fn make_fn(SavedOp op, const Json& config, const Json& args, const std::string& what) {
  const OpInfo& o = info(op);
  KERAS_CHECK(config.is_object(), ValueError, what, ": config must be a JSON object");
  for (const auto& [key, value] : config.items()) {
    KERAS_CHECK(key == "name" || (o.keys[0] && key == o.keys[0]) || (o.keys[1] && key == o.keys[1]),
                ValueError, what, ": config key '", key.substr(0, 100),
                "' is not supported by keras.cpp's ", o.class_name);
  }
  KERAS_CHECK(args.is_array(), ValueError, what, ": the arguments of its call must be a list");
  const size_t arity = o.form == Form::binary ? 2 : 1;
  KERAS_CHECK(args.size() == arity, ValueError, what, ": ", o.class_name, " takes ", arity,
              " positional argument(s), its saved call passes ", args.size());
  if (o.form == Form::list) {
    KERAS_CHECK(args[0].is_array() && !args[0].empty() &&
                    std::all_of(args[0].begin(), args[0].end(), is_tensor),
                ValueError, what, ": ", o.class_name, " takes a list of tensors");
    const int axis = config::get<int>(config, "axis", 0, what.c_str());
    return [axis](const Tensors& in) { return Tensors{ops::concatenate(in, axis)}; };
  }
  if (o.form == Form::binary) {
    int next = 0;
    Operand operands[2];
    for (size_t i = 0; i < 2; ++i) {
      const Json& a = args[i];
      if (is_tensor(a)) {
        operands[i].input = next++;
      } else if (a.is_boolean()) {
        operands[i] = {-1, a.get<bool>() ? 1.0 : 0.0, true};
      } else if (a.is_number()) {
        operands[i] = {-1, a.get<double>(), false};
      } else {
        throw ValueError(str(what, ": argument ", i, " of ", o.class_name,
                             " must be a tensor or a number, got a JSON ", a.type_name()));
      }
    }
    KERAS_CHECK(next > 0, ValueError, what, ": ", o.class_name, " is called without a tensor");
    return [op, a = operands[0], b = operands[1]](const Tensors& in) {
      Tensor x = a.input >= 0 ? in[a.input] : Tensor(), y = b.input >= 0 ? in[b.input] : Tensor();
      if (!x.defined()) x = constant_for(a, y);
      if (!y.defined()) y = constant_for(b, x);
      return Tensors{binary(op, x, y)};
    };
  }
  KERAS_CHECK(is_tensor(args[0]), ValueError, what, ": argument 0 of ", o.class_name,
              " must be a tensor, got a JSON ", args[0].type_name());
  switch (op) {
    case SavedOp::logical_not:
      return [](const Tensors& in) { return Tensors{ops::logical_not(in[0])}; };
    case SavedOp::any:
    case SavedOp::all: {
      const std::vector<int> axes = axes_from_json(config::value(config, "axis", nullptr), what);
      const bool keepdims = config::get<bool>(config, "keepdims", false, what.c_str());
      if (op == SavedOp::any) {
        return [=](const Tensors& in) { return Tensors{ops::any(in[0], axes, keepdims)}; };
      }
      return [=](const Tensors& in) { return Tensors{ops::all(in[0], axes, keepdims)}; };
    }
    case SavedOp::expand_dims: {
      const Json* axis = config::find(config, "axis");
      KERAS_CHECK(axis != nullptr && !axis->is_array(), ValueError, what,
                  ": keras.cpp's ExpandDims takes one int 'axis'");
      const int a = config::convert<int>(*axis, "axis", what.c_str());
      return [a](const Tensors& in) { return Tensors{ops::expand_dims(in[0], a)}; };
    }
    case SavedOp::squeeze: {
      const std::vector<int> axes = axes_from_json(config::value(config, "axis", nullptr), what);
      KERAS_CHECK(axes.size() <= 1, ValueError, what,
                  ": keras.cpp's Squeeze takes one int 'axis' or null");
      const std::optional<int> a = axes.empty() ? std::nullopt : std::optional<int>(axes[0]);
      return [a](const Tensors& in) { return Tensors{ops::squeeze(in[0], a)}; };
    }
    case SavedOp::cast: {
      const std::optional<DType> dtype = dtype_or_null(config);
      KERAS_CHECK(dtype.has_value(), ValueError, what, ": Cast needs a 'dtype'");
      return [d = *dtype](const Tensors& in) { return Tensors{ops::cast(in[0], d)}; };
    }
    default: {  // zeros_like, ones_like
      const std::optional<DType> dtype = dtype_or_null(config);
      const double fill = op == SavedOp::ones_like ? 1.0 : 0.0;
      return [dtype, fill](const Tensors& in) {
        const Tensor& x = in[0];
        const DType d = dtype.value_or(x.dtype());
        const Tensor like = d == x.dtype() ? x : Tensor::empty(x.shape(), d, x.device());
        return Tensors{ops::full_like(like, fill)};
      };
    }
  }
}

}  // namespace

OpLayerImpl::OpLayerImpl(std::string op_name, Fn fn)
    : Layer("", op_name), class_name_(camel_case(op_name)), fn_(std::move(fn)) {}

OpLayerImpl::OpLayerImpl(SavedOp op, const Json& config)
    : Layer(config.is_object() ? config::get<std::string>(config, "name", "", info(op).class_name)
                               : std::string(),
            info(op).snake),
      class_name_(info(op).class_name) {
  KERAS_CHECK(config.is_object(), ValueError, info(op).class_name,
              ": config must be a JSON object");
  Json own = config;
  own["name"] = name();
  saved_ = Saved{op, std::make_shared<const Json>(std::move(own)), nullptr};
  // Check the config now, with neutral arguments, so that bad keys fail where they are read.
  const Json probe = info(op).form == Form::binary
                         ? Json::array({Json{{"class_name", "__keras_tensor__"}}, 0})
                     : info(op).form == Form::list
                         ? Json::array({Json::array({Json{{"class_name", "__keras_tensor__"}}})})
                         : Json::array({Json{{"class_name", "__keras_tensor__"}}});
  make_fn(op, *saved_->config, probe, str("Op '", name(), "' (", class_name_, ")"));
}

OpLayerImpl::OpLayerImpl(SavedOp op, const Json& config, const Json& args)
    : OpLayerImpl(op, config) {
  set_call_arguments(args, Json::object());
}

std::shared_ptr<Layer> OpLayerImpl::from_config(SavedOp op, const Json& config) {
  return std::shared_ptr<OpLayerImpl>(new OpLayerImpl(op, config));
}

void OpLayerImpl::set_call_arguments(const Json& args, const Json& kwargs) {
  const std::string what = str("Op '", name(), "' (", class_name_, ")");
  KERAS_CHECK(saved_.has_value(), ValueError, what, " has no saved form");
  KERAS_CHECK(saved_->args == nullptr, ValueError, what,
              " is called more than once; each op of a saved model has one call");
  KERAS_CHECK(kwargs.is_null() || (kwargs.is_object() && kwargs.empty()), ValueError, what,
              " is called with keyword arguments, which keras.cpp does not support for ops");
  fn_ = make_fn(saved_->op, *saved_->config, args, what);
  saved_->args = std::make_shared<const Json>(args);
}

std::string OpLayerImpl::module() const {
  return saved_ && saved_->op == SavedOp::cast ? "keras.src.ops.core" : "keras.src.ops.numpy";
}

Json OpLayerImpl::get_config() const {
  if (!saved_) {
    throw NotImplementedError(str("Layer ", name(), " (", class_name(),
                                  ", an op on KerasTensors) cannot be serialized yet"));
  }
  return *saved_->config;
}

Json OpLayerImpl::call_arguments(const std::vector<Json>& tensors) const {
  KERAS_CHECK(saved_ && saved_->args, NotImplementedError, "Layer ", name(), " (", class_name(),
              ", an op on KerasTensors) cannot be serialized yet");
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
  Json out = fill(*saved_->args);
  KERAS_CHECK(next == tensors.size(), RuntimeError, "op ", name(), ": ", tensors.size(),
              " tensors for ", next, " tensor arguments");
  return out;
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
  const Tensors a = run_placeholder(shapes, 2), b = run_placeholder(shapes, 3);
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

KerasTensor op1(const std::string& name,
                std::function<Tensor(const Tensor&)> f,
                const KerasTensor& x) {
  return layers::apply_op(name, [f](const Tensors& in) { return Tensors{f(in[0])}; }, {x})[0];
}

KerasTensor op2(const std::string& name,
                std::function<Tensor(const Tensor&, const Tensor&)> f,
                const KerasTensor& a,
                const KerasTensor& b) {
  return layers::apply_op(name, [f](const Tensors& in) { return Tensors{f(in[0], in[1])}; },
                          {a, b})[0];
}

Json tensor_arg() {
  return Json{{"class_name", "__keras_tensor__"}};
}

// An integral constant is written as an int (Keras writes not_equal(ids, 0)).
Json constant_arg(double value) {
  if (std::floor(value) == value && std::abs(value) < 9e15) return static_cast<int64_t>(value);
  return value;
}

KerasTensor saved(layers::SavedOp op, Json config, Json args, const KerasTensors& inputs) {
  return std::make_shared<layers::OpLayerImpl>(op, config, args)->apply(inputs)[0];
}

KerasTensor saved_binary(layers::SavedOp op, const KerasTensor& a, const KerasTensor& b) {
  return saved(op, Json::object(), Json::array({tensor_arg(), tensor_arg()}), {a, b});
}

KerasTensor saved_with_constant(layers::SavedOp op, const KerasTensor& a, double b) {
  return saved(op, Json::object(), Json::array({tensor_arg(), constant_arg(b)}), {a});
}

KerasTensor saved_unary(layers::SavedOp op, Json config, const KerasTensor& x) {
  return saved(op, std::move(config), Json::array({tensor_arg()}), {x});
}

Json axes_json(const std::vector<int>& axes) {
  if (axes.empty()) return nullptr;
  if (axes.size() == 1) return axes[0];
  return axes;
}

Json dtype_json(std::optional<DType> dtype) {
  return dtype ? Json(std::string(dtype_name(*dtype))) : Json(nullptr);
}

}  // namespace

using layers::SavedOp;

KerasTensor equal(const KerasTensor& a, const KerasTensor& b) {
  return saved_binary(SavedOp::equal, a, b);
}
KerasTensor not_equal(const KerasTensor& a, const KerasTensor& b) {
  return saved_binary(SavedOp::not_equal, a, b);
}
KerasTensor less(const KerasTensor& a, const KerasTensor& b) {
  return saved_binary(SavedOp::less, a, b);
}
KerasTensor less_equal(const KerasTensor& a, const KerasTensor& b) {
  return saved_binary(SavedOp::less_equal, a, b);
}
KerasTensor greater(const KerasTensor& a, const KerasTensor& b) {
  return saved_binary(SavedOp::greater, a, b);
}
KerasTensor greater_equal(const KerasTensor& a, const KerasTensor& b) {
  return saved_binary(SavedOp::greater_equal, a, b);
}
KerasTensor logical_and(const KerasTensor& a, const KerasTensor& b) {
  return saved_binary(SavedOp::logical_and, a, b);
}
KerasTensor logical_or(const KerasTensor& a, const KerasTensor& b) {
  return saved_binary(SavedOp::logical_or, a, b);
}
KerasTensor equal(const KerasTensor& a, double b) {
  return saved_with_constant(SavedOp::equal, a, b);
}
KerasTensor not_equal(const KerasTensor& a, double b) {
  return saved_with_constant(SavedOp::not_equal, a, b);
}
KerasTensor less(const KerasTensor& a, double b) {
  return saved_with_constant(SavedOp::less, a, b);
}
KerasTensor greater(const KerasTensor& a, double b) {
  return saved_with_constant(SavedOp::greater, a, b);
}
KerasTensor logical_not(const KerasTensor& x) {
  return saved_unary(SavedOp::logical_not, Json::object(), x);
}
KerasTensor any(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return saved_unary(SavedOp::any, Json{{"axis", axes_json(axes)}, {"keepdims", keepdims}}, x);
}
KerasTensor all(const KerasTensor& x, std::vector<int> axes, bool keepdims) {
  return saved_unary(SavedOp::all, Json{{"axis", axes_json(axes)}, {"keepdims", keepdims}}, x);
}
KerasTensor cast(const KerasTensor& x, DType dtype) {
  return saved_unary(SavedOp::cast, Json{{"dtype", dtype_json(dtype)}}, x);
}
KerasTensor expand_dims(const KerasTensor& x, int axis) {
  return saved_unary(SavedOp::expand_dims, Json{{"axis", axis}}, x);
}
KerasTensor squeeze(const KerasTensor& x, std::optional<int> axis) {
  return saved_unary(SavedOp::squeeze, Json{{"axis", axis ? Json(*axis) : Json(nullptr)}}, x);
}
KerasTensor zeros_like(const KerasTensor& x, std::optional<DType> dtype) {
  return saved_unary(SavedOp::zeros_like, Json{{"dtype", dtype_json(dtype)}}, x);
}
KerasTensor ones_like(const KerasTensor& x, std::optional<DType> dtype) {
  return saved_unary(SavedOp::ones_like, Json{{"dtype", dtype_json(dtype)}}, x);
}
KerasTensor concatenate(const KerasTensors& xs, int axis) {
  Json list = Json::array();
  for (size_t i = 0; i < xs.size(); ++i) list.push_back(tensor_arg());
  return saved(SavedOp::concatenate, Json{{"axis", axis}}, Json::array({list}), xs);
}

#define KERAS_SYMBOLIC_BINARY(name)                                                \
  KerasTensor name(const KerasTensor& a, const KerasTensor& b) {                   \
    return op2(                                                                    \
        #name, [](const Tensor& x, const Tensor& y) { return name(x, y); }, a, b); \
  }
KERAS_SYMBOLIC_BINARY(add)
KERAS_SYMBOLIC_BINARY(subtract)
KERAS_SYMBOLIC_BINARY(multiply)
KERAS_SYMBOLIC_BINARY(divide)
KERAS_SYMBOLIC_BINARY(maximum)
KERAS_SYMBOLIC_BINARY(minimum)
KERAS_SYMBOLIC_BINARY(power)
KERAS_SYMBOLIC_BINARY(matmul)
#undef KERAS_SYMBOLIC_BINARY

KerasTensor matmul(const KerasTensor& a, const Tensor& b) {
  return op1(
      "matmul", [b](const Tensor& x) { return matmul(x, b); }, a);
}

#define KERAS_SYMBOLIC_SCALAR(name)                             \
  KerasTensor name(const KerasTensor& a, double b) {            \
    return op1(                                                 \
        #name, [b](const Tensor& x) { return name(x, b); }, a); \
  }
KERAS_SYMBOLIC_SCALAR(add)
KERAS_SYMBOLIC_SCALAR(subtract)
KERAS_SYMBOLIC_SCALAR(multiply)
KERAS_SYMBOLIC_SCALAR(divide)
KERAS_SYMBOLIC_SCALAR(power)
#undef KERAS_SYMBOLIC_SCALAR

#define KERAS_SYMBOLIC_UNARY(name)                          \
  KerasTensor name(const KerasTensor& x) {                  \
    return op1(                                             \
        #name, [](const Tensor& t) { return name(t); }, x); \
  }
KERAS_SYMBOLIC_UNARY(negative)
KERAS_SYMBOLIC_UNARY(abs)
KERAS_SYMBOLIC_UNARY(square)
KERAS_SYMBOLIC_UNARY(sqrt)
KERAS_SYMBOLIC_UNARY(exp)
KERAS_SYMBOLIC_UNARY(log)
KERAS_SYMBOLIC_UNARY(relu)
KERAS_SYMBOLIC_UNARY(sigmoid)
KERAS_SYMBOLIC_UNARY(tanh)
KERAS_SYMBOLIC_UNARY(softplus)
KERAS_SYMBOLIC_UNARY(softsign)
KERAS_SYMBOLIC_UNARY(selu)
KERAS_SYMBOLIC_UNARY(silu)
KERAS_SYMBOLIC_UNARY(hard_sigmoid)
#undef KERAS_SYMBOLIC_UNARY

KerasTensor elu(const KerasTensor& x, double alpha) {
  return op1(
      "elu", [alpha](const Tensor& t) { return elu(t, alpha); }, x);
}
KerasTensor gelu(const KerasTensor& x, bool approximate) {
  return op1(
      "gelu", [approximate](const Tensor& t) { return gelu(t, approximate); }, x);
}
KerasTensor softmax(const KerasTensor& x, int axis) {
  return op1(
      "softmax", [axis](const Tensor& t) { return softmax(t, axis); }, x);
}
KerasTensor log_softmax(const KerasTensor& x, int axis) {
  return op1(
      "log_softmax", [axis](const Tensor& t) { return log_softmax(t, axis); }, x);
}
KerasTensor clip(const KerasTensor& x, double lo, double hi) {
  return op1(
      "clip", [lo, hi](const Tensor& t) { return clip(t, lo, hi); }, x);
}

#define KERAS_SYMBOLIC_REDUCE(name)                                                       \
  KerasTensor name(const KerasTensor& x, std::vector<int> axes, bool keepdims) {          \
    return op1(                                                                           \
        #name, [axes, keepdims](const Tensor& t) { return name(t, axes, keepdims); }, x); \
  }
KERAS_SYMBOLIC_REDUCE(sum)
KERAS_SYMBOLIC_REDUCE(mean)
KERAS_SYMBOLIC_REDUCE(max)
KERAS_SYMBOLIC_REDUCE(min)
#undef KERAS_SYMBOLIC_REDUCE

KerasTensor argmax(const KerasTensor& x, int axis, bool keepdims) {
  return op1(
      "argmax", [axis, keepdims](const Tensor& t) { return argmax(t, axis, keepdims); }, x);
}
KerasTensor argmin(const KerasTensor& x, int axis, bool keepdims) {
  return op1(
      "argmin", [axis, keepdims](const Tensor& t) { return argmin(t, axis, keepdims); }, x);
}

KerasTensor reshape(const KerasTensor& x, Shape shape) {
  // A None batch dimension stays None: keep it as the first entry of the target.
  return op1(
      "reshape", [shape](const Tensor& t) { return reshape(t, shape); }, x);
}
KerasTensor transpose(const KerasTensor& x, std::vector<int> axes) {
  return op1(
      "transpose", [axes](const Tensor& t) { return transpose(t, axes); }, x);
}
KerasTensor slice_axis(const KerasTensor& x, int axis, int64_t start, int64_t size) {
  return op1(
      "slice", [=](const Tensor& t) { return slice_axis(t, axis, start, size); }, x);
}
KerasTensor one_hot(const KerasTensor& indices, int64_t num_classes, DType dtype) {
  return op1(
      "one_hot", [=](const Tensor& t) { return one_hot(t, num_classes, dtype); }, indices);
}

}  // namespace keras::ops
