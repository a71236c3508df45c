#include "models/tf_op_layers.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "keras/core/error.h"
#include "layers/op_table.h"
#include "models/keras2_config.h"

namespace keras::models::internal {
namespace {

// How one parameter of a TensorFlow function maps: `arg`, a positional argument of the keras.ops
// call after the first; `key`, a key of the op's config; `fixed`, a parameter (TensorFlow's, or
// a config key of Keras's with `keras` set and `tf` null) that must keep its default `fallback`.
struct Param {
  enum Kind { arg, key, fixed };
  const char* tf;
  Kind kind;
  const char* keras = nullptr;
  Json fallback = nullptr;
  bool required = false;  // an `arg` the call must give
};

struct Row;
// What a TensorFlow call is in keras.ops terms.
struct KerasCall {
  std::string cls;
  Json config = Json::object();
  Json args = Json::array();
  Json kwargs = Json::object();
};

// One call of a TFOpLambda while it is translated: the first argument, the keyword arguments not
// yet read, and the layer for messages.
struct TfCall {
  const Row& row;
  Json first;
  Json kwargs;
  std::string what;  // "Layer 'tf.math.add' (TFOpLambda, tf.math.add)"

  // Removes and returns the argument (null when absent).
  Json take(const char* name) {
    const auto it = kwargs.find(name);
    if (it == kwargs.end()) return nullptr;
    Json v = *it;
    kwargs.erase(it);
    return v;
  }
  [[noreturn]] void refuse(const std::string& why) const {
    throw NotImplementedError(str(what, ": ", why, ", which keras.cpp does not translate"));
  }
};

using Special = KerasCall (*)(TfCall&);

struct Row {
  const char* function;  // tf_keras's name: "math.reduce_mean"
  const char* cls;       // keras.ops class: "Mean"
  std::vector<Param> params;
  Special special = nullptr;  // a translation of its own (then written back by write_special)
};

using layers::op_table::has_class;
using layers::op_table::is_tensor;

bool has_tensor(const Json& j, int depth = 0) {
  if (depth > 16) return false;
  if (is_tensor(j)) return true;
  if (j.is_array() || j.is_object()) {
    for (const Json& v : j) {
      if (has_tensor(v, depth + 1)) return true;
    }
  }
  return false;
}

// A list of numbers as a NumPy constant (TensorFlow converts it to a tensor of the other
// operand's type; keras.ops promotes a float32 constant or an int32 one the same way for float
// tensors).
Json constant_operand(const Json& v) {
  if (!v.is_array() || has_tensor(v)) return v;
  bool floating = false;
  std::function<void(const Json&, int)> scan = [&](const Json& j, int depth) {
    KERAS_CHECK(depth < 16, ValueError,
                "Functional config: a TFOpLambda constant nests too deeply");
    if (j.is_array()) {
      for (const Json& x : j) scan(x, depth + 1);
    } else {
      floating = floating || j.is_number_float();
    }
  };
  scan(v, 0);
  return Json{{"class_name", "__numpy__"},
              {"config", {{"value", v}, {"dtype", floating ? "float32" : "int32"}}}};
}

// The generic translation: the first argument, then each `arg` parameter in order; `key`
// parameters into the config; `fixed` ones checked.
KerasCall generic(TfCall& c) {
  KerasCall k{c.row.cls};
  k.args.push_back(c.first);
  for (const Param& p : c.row.params) {
    if (p.tf == nullptr) continue;  // a Keras-only key (written back, never read)
    const Json v = c.take(p.tf);
    switch (p.kind) {
      case Param::arg:
        if (v.is_null() && p.required) c.refuse(str("a call without '", p.tf, "'"));
        k.args.push_back(v.is_null() ? p.fallback : constant_operand(v));
        break;
      case Param::key:
        if (has_tensor(v)) c.refuse(str("a tensor as '", p.tf, "'"));
        k.config[p.keras] = v.is_null() ? p.fallback : v;
        break;
      case Param::fixed:
        if (!v.is_null() && v != p.fallback) {
          c.refuse(str("'", p.tf, "'=", config::json_excerpt(v, 60)));
        }
        break;
    }
  }
  return k;
}

// x[...]: SlicingOpLambda's slice_spec ({"start", "stop", "step"} dicts, indices, None for a new
// axis, Ellipsis) as GetItem's key.
Json keras3_key_part(TfCall& c, const Json& j) {
  if (j.is_object() && j.contains("class_name")) {
    if (has_class(j, "__ellipsis__")) {  // Keras 3 reads it with a config
      return Json{{"class_name", "__ellipsis__"}, {"config", Json::object()}};
    }
    c.refuse("a tensor in the slice");
  }
  if (j.is_object()) {
    Json s = Json::object();
    for (const char* k : {"start", "stop", "step"}) {
      const Json v = config::value(j, k, nullptr);
      if (!v.is_null() && !v.is_number_integer()) {
        c.refuse(str("the slice bound ", config::json_excerpt(v, 60)));
      }
      s[k] = v;
    }
    return Json{{"class_name", "__slice__"}, {"config", s}};
  }
  if (j.is_null() || j.is_number_integer()) return j;
  c.refuse(str("the index ", config::json_excerpt(j, 60)));
}

KerasCall get_item(TfCall& c) {
  const Json spec = c.take("slice_spec");
  Json key;
  if (spec.is_array()) {
    KERAS_CHECK(spec.size() <= 64, ValueError, c.what, ": slice_spec too long");
    key = Json::array();
    for (const Json& j : spec) key.push_back(keras3_key_part(c, j));
  } else {
    key = keras3_key_part(c, spec);
  }
  KerasCall k{"GetItem"};
  k.args = Json::array({c.first, key});
  return k;
}

// tf.matmul with transposes as an einsum over the last two axes.
KerasCall matmul(TfCall& c) {
  const Json b = c.take("b");
  if (b.is_null()) c.refuse("a call without 'b'");
  bool ta = false, tb = false;
  for (const char* name : {"transpose_a", "adjoint_a", "transpose_b", "adjoint_b"}) {
    const Json v = c.take(name);
    if (v.is_null()) continue;
    KERAS_CHECK(v.is_boolean(), ValueError, c.what, ": '", name, "' must be a bool");
    (name[std::string_view(name).size() - 1] == 'a' ? ta : tb) |= v.get<bool>();
  }
  for (const char* name : {"a_is_sparse", "b_is_sparse", "output_type", "grad_a", "grad_b"}) {
    const Json v = c.take(name);
    if (!v.is_null() && v != false) c.refuse(str("'", name, "'=", config::json_excerpt(v, 60)));
  }
  KerasCall k{ta || tb ? "Einsum" : "Matmul"};
  k.args = Json::array({c.first, constant_operand(b)});
  if (ta || tb) {
    k.config["subscripts"] = str(ta ? "...ji" : "...ij", ",", tb ? "...kj" : "...jk", "->...ik");
  }
  return k;
}

// tf.math.l2_normalize divides by sqrt(max(sum(x^2), epsilon)); keras.ops.normalize multiplies by
// min(1 / norm, 1 / epsilon'): the same with epsilon' = sqrt(epsilon).
KerasCall l2_normalize(TfCall& c) {
  Json axis = c.take("axis");
  if (axis.is_null()) axis = c.take("dim");
  if (axis.is_array() && axis.size() == 1) axis = axis[0];
  if (!axis.is_number_integer()) c.refuse(str("'axis'=", config::json_excerpt(axis, 60)));
  const Json e = c.take("epsilon");
  KERAS_CHECK(e.is_null() || e.is_number(), ValueError, c.what, ": 'epsilon' must be a number");
  const double epsilon = e.is_null() ? 1e-12 : e.get<double>();
  KERAS_CHECK(epsilon > 0, ValueError, c.what, ": 'epsilon' must be positive");
  KerasCall k{"Normalize"};
  k.args.push_back(c.first);
  k.config = {{"axis", axis}, {"order", 2}, {"epsilon", std::sqrt(epsilon)}};
  return k;
}

// tf.split's sizes as keras.ops.split's indices.
KerasCall split(TfCall& c) {
  const Json n = c.take("num_or_size_splits");
  const Json axis = c.take("axis");
  if (const Json num = c.take("num"); !num.is_null()) c.refuse("'num'");
  Json sections = n;
  if (n.is_array()) {
    sections = Json::array();
    int64_t at = 0;
    for (size_t i = 0; i + 1 < n.size(); ++i) {
      if (!n[i].is_number_integer() || n[i].get<int64_t>() < 0) {
        c.refuse(str("the split sizes ", config::json_excerpt(n, 60)));
      }
      at += n[i].get<int64_t>();
      sections.push_back(at);
    }
  } else if (!n.is_number_integer()) {
    c.refuse(str("'num_or_size_splits'=", config::json_excerpt(n, 60)));
  }
  KerasCall k{"Split"};
  k.args.push_back(c.first);
  k.config = {{"indices_or_sections", sections}, {"axis", axis.is_null() ? Json(0) : axis}};
  return k;
}

// tf.one_hot with on_value 1 and off_value 0 (its defaults).
KerasCall one_hot(TfCall& c) {
  for (const auto& [name, value] : {std::pair{"on_value", 1.0}, std::pair{"off_value", 0.0}}) {
    const Json v = c.take(name);
    if (!v.is_null() && (!v.is_number() || v.get<double>() != value)) {
      c.refuse(str("'", name, "'=", config::json_excerpt(v, 60)));
    }
  }
  const Json depth = c.take("depth"), axis = c.take("axis"), dtype = c.take("dtype");
  if (!depth.is_number_integer()) c.refuse(str("'depth'=", config::json_excerpt(depth, 60)));
  KerasCall k{"OneHot"};
  k.args.push_back(c.first);
  k.config = {{"num_classes", depth},
              {"axis", axis.is_null() ? Json(-1) : axis},
              {"dtype", dtype.is_null() ? Json("float32") : dtype},
              {"sparse", false}};
  return k;
}

// tf.nn.bias_add(value, bias) adds bias along the last axis (channels-last data).
KerasCall bias_add(TfCall& c) {
  const Json format = c.take("data_format");
  if (!format.is_null() && format != "NHWC" && format != "NWC" && format != "NDHWC" &&
      format != "N...C") {
    c.refuse(str("'data_format'=", config::json_excerpt(format, 60)));
  }
  const Json bias = c.take("bias");
  if (bias.is_null()) c.refuse("a call without 'bias'");
  KerasCall k{"Add"};
  k.args = Json::array({c.first, constant_operand(bias)});
  return k;
}

KerasCall pad(TfCall& c) {
  const Json paddings = c.take("paddings"), mode = c.take("mode"),
             value = c.take("constant_values");
  if (has_tensor(paddings)) c.refuse("a tensor as 'paddings'");
  if (!mode.is_null() && (!mode.is_string() || (mode != "CONSTANT" && mode != "constant"))) {
    c.refuse(str("'mode'=", config::json_excerpt(mode, 60)));
  }
  if (!value.is_null() && !value.is_number()) c.refuse("a tensor as 'constant_values'");
  KerasCall k{"Pad"};
  k.args.push_back(c.first);
  k.config = {{"pad_width", paddings}, {"mode", "constant"}};
  k.kwargs = {{"constant_values", value.is_null() ? Json(0) : value}};
  return k;
}

// tf.norm / tf.math.reduce_euclidean_norm: ord "euclidean" (TensorFlow's default) is Keras's
// None (the 2-norm of a vector, the Frobenius norm of a matrix).
KerasCall norm(TfCall& c) {
  Json ord = c.take("ord");
  if (ord.is_null() || ord == "euclidean" || ord == "fro") ord = nullptr;
  if (!ord.is_null() && !ord.is_number()) c.refuse(str("'ord'=", config::json_excerpt(ord, 60)));
  const Json axis = c.take("axis"), keepdims = c.take("keepdims");
  KerasCall k{"Norm"};
  k.args.push_back(c.first);
  k.config = {
      {"ord", ord}, {"axis", axis}, {"keepdims", keepdims.is_null() ? Json(false) : keepdims}};
  return k;
}

// tf.math.argmax's axis defaults to 0 (Keras's None flattens); its int64 indices are keras.cpp's
// int32 (the same values).
KerasCall arg_reduction(TfCall& c) {
  Json axis = c.take("axis");
  if (axis.is_null()) axis = c.take("dimension");
  const Json type = c.take("output_type");
  if (!type.is_null() && type != "int64" && type != "int32") {
    c.refuse(str("'output_type'=", config::json_excerpt(type, 60)));
  }
  KerasCall k{c.row.cls};
  k.args.push_back(c.first);
  k.config = {{"axis", axis.is_null() ? Json(0) : axis}, {"keepdims", false}};
  return k;
}

// tf.image.extract_patches: sizes, strides and rates as [1, h, w, 1] (batch and channels 1).
KerasCall extract_patches(TfCall& c) {
  auto spatial = [&](const char* name) {
    const Json v = c.take(name);
    if (!v.is_array() || v.size() != 4 || v[0] != 1 || v[3] != 1 || !v[1].is_number_integer() ||
        !v[2].is_number_integer()) {
      c.refuse(str("'", name, "'=", config::json_excerpt(v, 60)));
    }
    return Json::array({v[1], v[2]});
  };
  KerasCall k{"ExtractPatches"};
  k.args.push_back(c.first);
  const Json sizes = spatial("sizes"), strides = spatial("strides"), rates = spatial("rates");
  const Json padding = c.take("padding");
  if (padding != "VALID" && padding != "SAME") {
    c.refuse(str("'padding'=", config::json_excerpt(padding, 60)));
  }
  k.config = {{"size", sizes},
              {"strides", strides},
              {"dilation_rate", rates},
              {"padding", padding == "VALID" ? "valid" : "same"},
              {"data_format", "channels_last"}};
  return k;
}

// tf.nn's cross-entropies with logits (labels first, logits a keyword): keras.ops' with
// from_logits.
KerasCall crossentropy_with_logits(TfCall& c) {
  const Json logits = c.take("logits");
  if (logits.is_null()) c.refuse("a call without 'logits'");
  const Json axis = c.take("axis");
  if (const Json dim = c.take("dim"); !dim.is_null()) c.refuse("'dim'");
  KerasCall k{c.row.cls};
  k.args = Json::array({constant_operand(c.first), constant_operand(logits)});
  k.config = {{"from_logits", true}};
  if (k.cls != "BinaryCrossentropy") k.config["axis"] = axis.is_null() ? Json(-1) : axis;
  if (k.cls == "BinaryCrossentropy" && !axis.is_null()) c.refuse("'axis'");
  return k;
}

std::vector<Row> make_rows() {
  using P = Param;
  const std::vector<Param> binary{{"y", P::arg, nullptr, nullptr, true}};
  const std::vector<Param> reduce{{"axis", P::key, "axis"},
                                  {"keepdims", P::key, "keepdims", false},
                                  {"reduction_indices", P::fixed},
                                  {"keep_dims", P::fixed}};
  const Param no_dtype{nullptr, P::fixed, "dtype"};
  std::vector<Row> rows = {
      // Arithmetic (x + y, x * 2, 2 - x: tf_keras's operators call these).
      {"__operators__.add", "Add", binary},
      {"math.add", "Add", binary},
      {"math.subtract", "Subtract", binary},
      {"math.multiply", "Multiply", binary},
      {"math.truediv", "TrueDivide", binary},
      {"math.divide", "Divide", binary},
      {"math.floordiv", "FloorDivide", binary},
      {"compat.v1.floor_div", "FloorDivide", binary},
      {"math.floormod", "Mod", binary},
      {"math.pow", "Power", binary},
      {"math.maximum", "Maximum", binary},
      {"math.minimum", "Minimum", binary},
      {"math.divide_no_nan", "DivideNoNan", binary},
      {"math.equal", "Equal", binary},
      {"math.not_equal", "NotEqual", binary},
      {"math.greater", "Greater", binary},
      {"math.greater_equal", "GreaterEqual", binary},
      {"math.less", "Less", binary},
      {"math.less_equal", "LessEqual", binary},
      {"math.logical_and", "LogicalAnd", binary},
      {"math.logical_or", "LogicalOr", binary},
      {"math.logical_xor", "LogicalXor", binary},
      {"math.atan2", "Arctan2", {{"x", P::arg, nullptr, nullptr, true}}},
      {"math.scalar_mul", "Multiply", {{"x", P::arg, nullptr, nullptr, true}}},
      {"compat.v1.math.scalar_mul", "Multiply", {{"x", P::arg, nullptr, nullptr, true}}},
      {"nn.bias_add", "Add", {}, bias_add},
      {"linalg.matmul", "Matmul", {}, matmul},
      {"matmul", "Matmul", {}, matmul},
      {"where",
       "Where",
       {{"x", P::arg, nullptr, nullptr, true}, {"y", P::arg, nullptr, nullptr, true}}},
      // Element-wise functions.
      {"math.abs", "Absolute", {}},
      {"math.abs", "Abs", {}},
      {"math.negative", "Negative", {}},
      {"math.exp", "Exp", {}},
      {"math.log", "Log", {}},
      {"math.log1p", "Log1p", {}},
      {"math.expm1", "Expm1", {}},
      {"math.sqrt", "Sqrt", {}},
      {"math.rsqrt", "Rsqrt", {}},
      {"math.square", "Square", {}},
      {"math.sign", "Sign", {}},
      {"math.floor", "Floor", {}},
      {"math.ceil", "Ceil", {}},
      {"math.round", "Round", {{nullptr, P::fixed, "decimals", 0}}},
      {"math.reciprocal", "Reciprocal", {}},
      {"math.erf", "Erf", {}},
      {"math.erfc", "Erfc", {}},
      {"math.sin", "Sin", {}},
      {"math.cos", "Cos", {}},
      {"math.tan", "Tan", {}},
      {"math.asin", "Arcsin", {}},
      {"math.acos", "Arccos", {}},
      {"math.atan", "Arctan", {}},
      {"math.sinh", "Sinh", {}},
      {"math.cosh", "Cosh", {}},
      {"math.asinh", "Arcsinh", {}},
      {"math.acosh", "Arccosh", {}},
      {"math.atanh", "Arctanh", {}},
      {"math.is_nan", "Isnan", {}},
      {"math.is_inf", "Isinf", {}},
      {"math.is_finite", "Isfinite", {}},
      {"math.logical_not", "LogicalNot", {}},
      {"stop_gradient", "StopGradient", {}},
      {"identity", "Copy", {}},
      // Activations.
      {"nn.relu", "Relu", {}},
      {"nn.relu6", "Relu6", {}},
      {"math.sigmoid", "Sigmoid", {}},
      {"nn.sigmoid", "Sigmoid", {}},
      {"math.tanh", "Tanh", {}},
      {"nn.tanh", "Tanh", {}},
      {"nn.elu", "Elu", {{nullptr, P::fixed, "alpha", 1.0}}},
      {"nn.selu", "Selu", {}},
      {"math.softplus", "Softplus", {}},
      {"nn.softplus", "Softplus", {}},
      {"nn.softsign", "Softsign", {}},
      {"math.softsign", "Softsign", {}},
      {"math.log_sigmoid", "LogSigmoid", {}},
      {"nn.silu", "Silu", {{"beta", P::fixed, nullptr, 1.0}}},
      {"nn.swish", "Silu", {{"beta", P::fixed, nullptr, 1.0}}},
      {"nn.gelu", "Gelu", {{"approximate", P::key, "approximate", false}}},
      {"nn.leaky_relu", "LeakyRelu", {{"alpha", P::key, "negative_slope", 0.2}}},
      {"nn.softmax", "Softmax", {{"axis", P::key, "axis", -1}, {"dim", P::fixed}}},
      {"math.softmax", "Softmax", {{"axis", P::key, "axis", -1}, {"dim", P::fixed}}},
      {"nn.log_softmax", "LogSoftmax", {{"axis", P::key, "axis", -1}, {"dim", P::fixed}}},
      {"math.log_softmax", "LogSoftmax", {{"axis", P::key, "axis", -1}, {"dim", P::fixed}}},
      {"math.l2_normalize", "Normalize", {}, l2_normalize},
      {"nn.l2_normalize", "Normalize", {}, l2_normalize},
      {"linalg.l2_normalize", "Normalize", {}, l2_normalize},
      // Reductions.
      {"math.reduce_sum", "Sum", reduce},
      {"math.reduce_mean", "Mean", reduce},
      {"math.reduce_max", "Max", reduce},
      {"math.reduce_min", "Min", reduce},
      {"math.reduce_prod", "Prod", reduce},
      {"math.reduce_std", "Std", reduce},
      {"math.reduce_variance", "Var", reduce},
      {"math.reduce_logsumexp", "Logsumexp", reduce},
      {"math.reduce_any", "Any", reduce},
      {"math.reduce_all", "All", reduce},
      {"math.reduce_euclidean_norm", "Norm", {}, norm},
      {"norm", "Norm", {}, norm},
      {"compat.v1.norm", "Norm", {}, norm},
      {"linalg.norm", "Norm", {}, norm},
      {"math.argmax", "Argmax", {}, arg_reduction},
      {"math.argmin", "Argmin", {}, arg_reduction},
      {"math.cumsum",
       "Cumsum",
       {{"axis", P::key, "axis", 0},
        {"exclusive", P::fixed, nullptr, false},
        {"reverse", P::fixed, nullptr, false},
        no_dtype}},
      {"math.cumprod",
       "Cumprod",
       {{"axis", P::key, "axis", 0},
        {"exclusive", P::fixed, nullptr, false},
        {"reverse", P::fixed, nullptr, false},
        no_dtype}},
      {"math.top_k", "TopK", {{"k", P::key, "k", 1}, {"sorted", P::key, "sorted", true}}},
      {"nn.top_k", "TopK", {{"k", P::key, "k", 1}, {"sorted", P::key, "sorted", true}}},
      // Shapes and indexing.
      {"__operators__.getitem", "GetItem", {}, get_item},
      {"reshape", "Reshape", {{"shape", P::key, "newshape"}}},
      {"expand_dims", "ExpandDims", {{"axis", P::key, "axis"}, {"dim", P::fixed}}},
      {"compat.v1.expand_dims", "ExpandDims", {{"axis", P::key, "axis"}, {"dim", P::fixed}}},
      {"squeeze", "Squeeze", {{"axis", P::key, "axis"}, {"squeeze_dims", P::fixed}}},
      {"compat.v1.squeeze", "Squeeze", {{"axis", P::key, "axis"}, {"squeeze_dims", P::fixed}}},
      {"transpose",
       "Transpose",
       {{"perm", P::key, "axes"}, {"conjugate", P::fixed, nullptr, false}}},
      {"compat.v1.transpose",
       "Transpose",
       {{"perm", P::key, "axes"}, {"conjugate", P::fixed, nullptr, false}}},
      {"concat", "Concatenate", {{"axis", P::key, "axis", 0}}},
      {"stack", "Stack", {{"axis", P::key, "axis", 0}}},
      {"unstack", "Unstack", {{"num", P::key, "num"}, {"axis", P::key, "axis", 0}}},
      {"split", "Split", {}, split},
      {"tile", "Tile", {{"multiples", P::key, "repeats"}}},
      {"repeat", "Repeat", {{"repeats", P::key, "repeats"}, {"axis", P::key, "axis"}}},
      {"broadcast_to", "BroadcastTo", {{"shape", P::key, "shape"}}},
      {"roll", "Roll", {{"shift", P::key, "shift"}, {"axis", P::key, "axis"}}},
      {"reverse", "Flip", {{"axis", P::key, "axis"}}},
      {"sort",
       "Sort",
       {{"axis", P::key, "axis", -1}, {"direction", P::fixed, nullptr, "ASCENDING"}}},
      {"cast", "Cast", {{"dtype", P::key, "dtype"}}},
      {"dtypes.cast", "Cast", {{"dtype", P::key, "dtype"}}},
      {"zeros_like",
       "ZerosLike",
       {{"dtype", P::key, "dtype"}, {"optimize", P::fixed, nullptr, true}}},
      {"ones_like",
       "OnesLike",
       {{"dtype", P::key, "dtype"}, {"optimize", P::fixed, nullptr, true}}},
      {"clip_by_value",
       "Clip",
       {{"clip_value_min", P::key, "x_min"}, {"clip_value_max", P::key, "x_max"}}},
      {"gather",
       "Take",
       {{"indices", P::arg, nullptr, nullptr, true},
        {"axis", P::key, "axis", 0},
        {"validate_indices", P::fixed},
        {"batch_dims", P::fixed, nullptr, 0}}},
      {"compat.v1.gather",
       "Take",
       {{"indices", P::arg, nullptr, nullptr, true},
        {"axis", P::key, "axis", 0},
        {"validate_indices", P::fixed},
        {"batch_dims", P::fixed, nullptr, 0}}},
      {"one_hot", "OneHot", {}, one_hot},
      {"nn.depth_to_space",
       "DepthToSpace",
       {{"block_size", P::key, "block_size"},
        {"data_format", P::fixed, nullptr, "NHWC"},
        {nullptr, P::fixed, "data_format", "channels_last"}}},
      {"nn.space_to_depth",
       "SpaceToDepth",
       {{"block_size", P::key, "block_size"},
        {"data_format", P::fixed, nullptr, "NHWC"},
        {nullptr, P::fixed, "data_format", "channels_last"}}},
      {"pad", "Pad", {}, pad},
      {"compat.v1.pad", "Pad", {}, pad},
      {"image.extract_patches", "ExtractPatches", {}, extract_patches},
      {"math.erfinv", "Erfinv", {}},
      {"math.bessel_i0", "I0", {}},
      {"linalg.cross",
       "Cross",
       {{"b", P::arg, nullptr, nullptr, true},
        {nullptr, P::fixed, "axisa", -1},
        {nullptr, P::fixed, "axisb", -1},
        {nullptr, P::fixed, "axisc", -1},
        {nullptr, P::fixed, "axis", nullptr}}},
      {"compat.v1.nn.sigmoid_cross_entropy_with_logits",
       "BinaryCrossentropy",
       {},
       crossentropy_with_logits},
      {"nn.sigmoid_cross_entropy_with_logits", "BinaryCrossentropy", {}, crossentropy_with_logits},
      {"compat.v1.nn.softmax_cross_entropy_with_logits_v2",
       "CategoricalCrossentropy",
       {},
       crossentropy_with_logits},
      {"nn.softmax_cross_entropy_with_logits",
       "CategoricalCrossentropy",
       {},
       crossentropy_with_logits},
      {"compat.v1.nn.sparse_softmax_cross_entropy_with_logits",
       "SparseCategoricalCrossentropy",
       {},
       crossentropy_with_logits},
      {"nn.sparse_softmax_cross_entropy_with_logits",
       "SparseCategoricalCrossentropy",
       {},
       crossentropy_with_logits},
      // (Not unsorted_segment_max / _min: TensorFlow fills an empty segment with the dtype's
      // lowest / highest value, keras.ops with -inf / inf.)
      {"math.unsorted_segment_sum",
       "SegmentSum",
       {{"segment_ids", P::arg, nullptr, nullptr, true},
        {"num_segments", P::key, "num_segments"},
        {nullptr, P::fixed, "sorted", false}}},
      {"math.unsorted_segment_prod",
       "SegmentProd",
       {{"segment_ids", P::arg, nullptr, nullptr, true},
        {"num_segments", P::key, "num_segments"},
        {nullptr, P::fixed, "sorted", false}}},
      {"image.resize",
       "Resize",
       {{"size", P::key, "size"},
        {"method", P::key, "interpolation", "bilinear"},
        {"antialias", P::key, "antialias", false},
        {"preserve_aspect_ratio", P::fixed, nullptr, false},
        {nullptr, P::fixed, "crop_to_aspect_ratio", false},
        {nullptr, P::fixed, "pad_to_aspect_ratio", false},
        {nullptr, P::fixed, "fill_mode", "constant"},  // read only when padding to the aspect
        {nullptr, P::fixed, "fill_value", 0.0},
        {nullptr, P::fixed, "data_format", "channels_last"}}},
  };
  return rows;
}

const std::vector<Row>& rows() {
  static const std::vector<Row> table = make_rows();
  return table;
}

const Row* row_of_function(const std::string& function) {
  static const std::map<std::string, const Row*> by_function = [] {
    std::map<std::string, const Row*> m;
    for (const Row& r : rows()) m.emplace(r.function, &r);  // the first row of a function
    return m;
  }();
  const auto it = by_function.find(function);
  return it == by_function.end() ? nullptr : it->second;
}

// The first row of a class writes it back.
const Row* row_of_class(const std::string& cls) {
  static const std::map<std::string, const Row*> by_class = [] {
    std::map<std::string, const Row*> m;
    for (const Row& r : rows()) m.emplace(r.cls, &r);
    return m;
  }();
  const auto it = by_class.find(cls);
  return it == by_class.end() ? nullptr : it->second;
}

std::string string_of(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Keras 2's [layer, node, tensor, kwargs] leaf of a TFOpLambda node.
bool is_leaf(const Json& j) {
  return j.is_array() && j.size() == 4 && j[0].is_string() && j[1].is_number_integer() &&
         (j[3].is_object() || j[3].is_null());
}

// The call's first argument from a node (the leaves' structure), and its keyword arguments.
Json first_argument(const Json& node, Json& kwargs, const std::string& what, int depth = 0) {
  KERAS_CHECK(depth < 8, ValueError, what, ": inbound node too deep");
  if (is_leaf(node)) {
    if (node[3].is_object()) kwargs = node[3];
    if (node[0] == "_CONSTANT_VALUE") return node[2];
    KERAS_CHECK(node[2].is_number_integer(), ValueError, what,
                ": each input of a Keras 2 inbound node must be [name, node, tensor, kwargs]");
    return keras3_tensor_refs(Json::array({node[0], node[1], node[2]}));
  }
  KERAS_CHECK(node.is_array() && !node.empty() && node.size() <= 1000, ValueError, what,
              ": bad Keras 2 inbound node ", config::json_excerpt(node, 100));
  Json out = Json::array();
  for (const Json& x : node) out.push_back(first_argument(x, kwargs, what, depth + 1));
  return out;
}

}  // namespace

bool is_tf_op_layer(const Json& entry) {
  const std::string cls = entry.is_object() ? string_of(entry, "class_name") : std::string();
  return cls == "TFOpLambda" || cls == "SlicingOpLambda";
}

Json tf_op_layer_as_keras3(const Json& entry) {
  const std::string cls = string_of(entry, "class_name");
  const Json cfg = config::value(entry, "config", Json::object());
  KERAS_CHECK(cfg.is_object(), ValueError, "Functional config: ", cls, " without a config");
  std::string name = string_of(cfg, "name");
  if (name.empty()) name = string_of(entry, "name");
  const std::string function = string_of(cfg, "function");
  const std::string what =
      str("Layer '", excerpt(name, 100), "' (", cls, ", tf.", excerpt(function, 100), ")");
  KERAS_CHECK(!function.empty(), ValueError, "Functional config: layer '", excerpt(name, 100),
              "' (", cls, ") has no 'function'");
  const Row* row = row_of_function(function);
  if (row == nullptr) {
    throw NotImplementedError(
        str(what, " calls the TensorFlow function tf.", excerpt(function, 100),
            ", which keras.cpp does not translate: tf_keras saves TensorFlow functions applied to "
            "Keras tensors as such layers, and keras.cpp runs those of the keras.ops it has (",
            tf_op_functions().size(),
            " functions: arithmetic, element-wise maths and activations, reductions, reshaping, "
            "slicing). Rebuild the model with Keras layers or keras.ops in its place"));
  }
  Json out{{"name", name}, {"inbound_nodes", Json::array()}};
  for (const Json& node : config::value(entry, "inbound_nodes", Json::array())) {
    Json kwargs = Json::object();
    TfCall call{*row, first_argument(node, kwargs, what), Json::object(), what};
    for (const auto& [key, value] : kwargs.items()) call.kwargs[key] = keras3_tensor_refs(value);
    call.take("name");
    const KerasCall k = row->special != nullptr ? row->special(call) : generic(call);
    for (const auto& [key, value] : call.kwargs.items()) {
      if (!value.is_null()) call.refuse(str("the argument '", excerpt(key, 60), "'"));
    }
    Json config = k.config;
    config["name"] = name;
    // A keras.ops operation has one config for all its calls (tf_keras makes a layer per call).
    if (out.contains("config") && (out["config"] != config || out["class_name"] != k.cls)) {
      call.refuse("calls with different arguments");
    }
    out["module"] = layers::op_table::find(k.cls)->module;
    out["class_name"] = k.cls;
    out["config"] = config;
    out["inbound_nodes"].push_back(Json{{"args", k.args}, {"kwargs", k.kwargs}});
  }
  KERAS_CHECK(out.contains("config"), ValueError, what, " has no inbound nodes");
  return out;
}

namespace {

// One Keras 3 call being written as a TensorFlow call: the function, its first argument and the
// keyword arguments (Keras 2's references for tensors).
struct Writer {
  const Json& config;
  const Json& args;
  std::string what;  // "tf_keras .h5: 'add_1' (Add)"
  const std::function<Json(const Json&)>& refs;
  std::string function;
  Json kwargs = Json::object();

  [[noreturn]] void refuse(const std::string& why) const {
    throw NotImplementedError(str(what, ": ", why,
                                  ", which keras.cpp cannot write as tf_keras's "
                                  "TensorFlow function layer (TFOpLambda)"));
  }
  // A constant argument as TensorFlow takes it: NumPy arrays as nested lists.
  Json value(const Json& j) const {
    if (is_tensor(j)) return refs(j);
    if (has_class(j, "__numpy__") || has_class(j, "__tensor__")) {
      return config::value(config::value(j, "config", Json::object()), "value", nullptr);
    }
    if (j.is_object() && j.contains("class_name")) {
      refuse(str("the argument ", config::json_excerpt(j, 80)));
    }
    return has_tensor(j) ? refs(j) : j;
  }
  Json arg(size_t i) const {
    if (i >= args.size()) refuse(str("a call with ", args.size(), " arguments"));
    return value(args[i]);
  }
  Json key(const char* name) const {
    const auto it = config.find(name);
    if (it == config.end()) refuse(str("a config without '", name, "'"));
    return *it;
  }
};

// The generic row's inverse: args[0] first, args[i] the i-th `arg` parameter, config keys their
// parameters; a key TensorFlow would read otherwise (absent, or None where TensorFlow's default is
// not None) is refused.
void write_generic(const Row& row, Writer& w) {
  size_t next = 1;
  for (const Param& p : row.params) {
    switch (p.kind) {
      case Param::arg:
        w.kwargs[p.tf] = w.arg(next++);
        break;
      case Param::key: {
        const Json v = w.key(p.keras);
        if (v.is_null() && !p.fallback.is_null()) w.refuse(str("'", p.keras, "'=None"));
        if (!v.is_null()) w.kwargs[p.tf] = w.value(v);
        break;
      }
      case Param::fixed:
        if (p.keras != nullptr) {
          const auto it = w.config.find(p.keras);
          if (it != w.config.end() && !it->is_null() && *it != p.fallback) {
            w.refuse(str("'", p.keras, "'=", config::json_excerpt(*it, 60)));
          }
        }
        break;
    }
  }
  if (next != w.args.size()) w.refuse(str("a call with ", w.args.size(), " arguments"));
  for (const auto& [key, value] : w.config.items()) {
    const bool known =
        key == "name" || std::any_of(row.params.begin(), row.params.end(), [&](const Param& p) {
          return p.keras != nullptr && key == p.keras;
        });
    if (!known && !value.is_null()) {
      w.refuse(str("'", excerpt(key, 60), "'=", config::json_excerpt(value, 60)));
    }
  }
}

Json slice_spec_part(const Writer& w, const Json& j) {
  if (j.is_null() || j.is_number_integer()) return j;
  if (has_class(j, "__ellipsis__")) return Json{{"class_name", "__ellipsis__"}};  // as tf_keras's
  if (has_class(j, "__slice__")) {
    const Json c = config::value(j, "config", Json::object());
    return Json{{"start", config::value(c, "start", nullptr)},
                {"stop", config::value(c, "stop", nullptr)},
                {"step", config::value(c, "step", nullptr)}};
  }
  w.refuse(str("the index ", config::json_excerpt(j, 60)));
}

// The functions whose translations are their own, written back.
void write_special(const std::string& cls, Writer& w) {
  const auto one_argument = [&] {
    if (w.args.size() != 1) w.refuse(str("a call with ", w.args.size(), " arguments"));
  };
  if (cls == "GetItem") {
    const Json key = w.args.size() == 2 ? w.args[1] : Json();
    Json spec;
    if (key.is_array()) {
      spec = Json::array();
      for (const Json& j : key) spec.push_back(slice_spec_part(w, j));
    } else {
      spec = slice_spec_part(w, key);
    }
    w.function = "__operators__.getitem";
    w.kwargs["slice_spec"] = spec;
  } else if (cls == "Matmul") {
    w.function = "linalg.matmul";
    w.kwargs["b"] = w.arg(1);
  } else if (cls == "Normalize") {
    one_argument();
    const Json order = w.key("order"), axis = w.key("axis"), epsilon = w.key("epsilon");
    if (order != 2 || !axis.is_number_integer()) w.refuse("an order other than 2 or no axis");
    if (!epsilon.is_null() && !epsilon.is_number()) w.refuse("a non-number epsilon");
    const double e = epsilon.is_null() ? 1e-7 : epsilon.get<double>();  // Keras's epsilon()
    w.function = "math.l2_normalize";
    w.kwargs = {{"axis", axis}, {"epsilon", e * e}};
  } else if (cls == "Split") {
    one_argument();
    const Json s = w.key("indices_or_sections"), axis = w.key("axis");
    Json sizes = s;
    if (s.is_array()) {  // indices: tf.split takes sizes, which the axis's known length gives
      const Json shape =
          config::value(config::value(w.args[0], "config", Json::object()), "shape", nullptr);
      const int64_t rank = shape.is_array() ? static_cast<int64_t>(shape.size()) : 0;
      const int64_t a = axis.is_number_integer() ? axis.get<int64_t>() : rank;
      const int64_t at = a < 0 ? a + rank : a;
      if (at < 0 || at >= rank || !shape[static_cast<size_t>(at)].is_number_integer()) {
        w.refuse("split indices along an axis of unknown length");
      }
      const int64_t length = shape[static_cast<size_t>(at)].get<int64_t>();
      sizes = Json::array();
      int64_t begin = 0;
      for (size_t i = 0; i <= s.size(); ++i) {
        const int64_t end = i < s.size() ? s[i].get<int64_t>() : length;
        if (end < begin || end > length) w.refuse("split indices that are not increasing");
        sizes.push_back(end - begin);
        begin = end;
      }
    } else if (!s.is_number_integer()) {
      w.refuse("'indices_or_sections'=" + config::json_excerpt(s, 60));
    }
    w.function = "split";
    w.kwargs = {{"num_or_size_splits", sizes}, {"axis", axis}};
  } else if (cls == "Argmax" || cls == "Argmin") {
    one_argument();
    if (w.key("axis").is_null() || w.key("keepdims") != false) {
      w.refuse("'axis'=None or 'keepdims'=True");
    }
    w.function = cls == "Argmax" ? "math.argmax" : "math.argmin";
    w.kwargs = {{"axis", w.key("axis")}, {"output_type", "int32"}};  // keras.cpp's index type
  } else if (cls == "OneHot") {
    one_argument();
    if (w.key("sparse") == true) w.refuse("'sparse'=True");
    w.function = "one_hot";
    w.kwargs = {
        {"depth", w.key("num_classes")}, {"axis", w.key("axis")}, {"dtype", w.key("dtype")}};
  } else if (cls == "Norm") {
    one_argument();
    const Json ord = w.key("ord");
    if (!ord.is_null() && !ord.is_number()) w.refuse(str("'ord'=", config::json_excerpt(ord, 60)));
    w.function = "norm";
    w.kwargs = {{"ord", ord.is_null() ? Json("euclidean") : ord},
                {"axis", w.key("axis")},
                {"keepdims", w.key("keepdims")}};
  } else if (cls == "Pad") {
    one_argument();
    if (w.key("mode") != "constant") w.refuse("a mode other than 'constant'");
    w.function = "pad";
    w.kwargs = {{"paddings", w.key("pad_width")}, {"mode", "CONSTANT"}};
    // Keras writes constant_values among the call's kwargs.
  } else if (cls == "ExtractPatches") {
    one_argument();
    auto spatial = [&](const char* key) {
      const Json v = w.key(key);
      if (v.is_number_integer()) return Json::array({1, v, v, 1});
      if (!v.is_array() || v.size() != 2)
        w.refuse(str("'", key, "'=", config::json_excerpt(v, 60)));
      return Json::array({1, v[0], v[1], 1});
    };
    if (w.key("data_format") == "channels_first") w.refuse("'data_format'='channels_first'");
    const Json padding = w.key("padding");
    if (padding != "valid" && padding != "same") w.refuse("a padding other than valid or same");
    w.function = "image.extract_patches";
    w.kwargs = {{"sizes", spatial("size")},
                {"strides", spatial("strides")},
                {"rates", spatial("dilation_rate")},
                {"padding", padding == "valid" ? "VALID" : "SAME"}};
  } else if (cls == "BinaryCrossentropy" || cls == "CategoricalCrossentropy" ||
             cls == "SparseCategoricalCrossentropy") {
    if (w.key("from_logits") != true) w.refuse("'from_logits'=False");
    if (w.args.size() != 2) w.refuse(str("a call with ", w.args.size(), " arguments"));
    const Json axis = cls == "BinaryCrossentropy" ? Json(-1) : w.key("axis");
    w.kwargs["logits"] = w.arg(1);
    if (cls == "BinaryCrossentropy") {
      w.function = "compat.v1.nn.sigmoid_cross_entropy_with_logits";
    } else if (cls == "CategoricalCrossentropy") {
      w.function = "compat.v1.nn.softmax_cross_entropy_with_logits_v2";
      w.kwargs["axis"] = axis;
    } else {
      if (axis != -1) w.refuse(str("'axis'=", config::json_excerpt(axis, 60)));
      w.function = "compat.v1.nn.sparse_softmax_cross_entropy_with_logits";
    }
  } else {
    w.refuse("an operation with no TensorFlow function here");
  }
}

// The node's first argument as Keras 2's leaves: a tensor, a list of tensors, or a constant.
Json leaves(const Writer& w, const Json& first, const Json& kwargs) {
  auto leaf = [&](const Json& t) {
    Json r = w.refs(t);
    r.push_back(kwargs);
    return r;
  };
  if (is_tensor(first)) return leaf(first);
  if (first.is_array() && !first.empty() && std::all_of(first.begin(), first.end(), is_tensor)) {
    Json out = Json::array();
    for (const Json& t : first) out.push_back(leaf(t));
    return out;
  }
  if (has_tensor(first)) w.refuse("a first argument mixing tensors and constants");
  return Json::array({"_CONSTANT_VALUE", -1, w.value(first), kwargs});
}

}  // namespace

Json keras3_op_as_tf_op_layer(const Json& entry, const std::function<Json(const Json&)>& refs) {
  const std::string cls = string_of(entry, "class_name");
  const Json config = config::value(entry, "config", Json::object());
  const std::string name =
      string_of(entry, "name").empty() ? string_of(config, "name") : string_of(entry, "name");
  const std::string what = str("tf_keras .h5: '", excerpt(name, 100), "' (keras.ops ", cls, ")");
  // The einsums a tf.matmul with transposes reads as (tf_keras cannot load its own tf.einsum).
  static const std::map<std::string, std::pair<bool, bool>> matmuls = {
      {"...ji,...jk->...ik", {true, false}},
      {"...ij,...kj->...ik", {false, true}},
      {"...ji,...kj->...ik", {true, true}}};
  const auto transposed =
      cls == "Einsum" ? matmuls.find(string_of(config, "subscripts")) : matmuls.end();
  const Row* row = row_of_class(transposed != matmuls.end() ? "Matmul" : cls);
  if (row == nullptr) {
    throw NotImplementedError(str(what,
                                  " has no TensorFlow function that tf_keras's files can "
                                  "hold (keras.cpp writes ",
                                  tf_op_functions().size(), " of them as TFOpLambda layers)"));
  }
  Json nodes = Json::array();
  std::string function;
  for (const Json& node : config::value(entry, "inbound_nodes", Json::array())) {
    const Json args = config::value(node, "args", Json::array());
    const Json node_kwargs = config::value(node, "kwargs", Json::object());
    KERAS_CHECK(args.is_array() && !args.empty(), ValueError, what, ": a call without arguments");
    Writer w{config, args, what, refs, row->function};
    if (transposed != matmuls.end()) {
      write_special("Matmul", w);
      w.kwargs["transpose_a"] = transposed->second.first;
      w.kwargs["transpose_b"] = transposed->second.second;
    } else if (row->special != nullptr) {
      write_special(cls, w);
    } else {
      write_generic(*row, w);
    }
    for (const auto& [key, value] : node_kwargs.items()) {
      if (cls == "Pad" && key == "constant_values") {
        if (!value.is_null()) w.kwargs[key] = w.value(value);  // None: zeros, as TensorFlow's 0
      } else if (!value.is_null()) {
        w.refuse(str("the keyword argument '", excerpt(key, 60), "'"));
      }
    }
    function = w.function;
    nodes.push_back(leaves(w, args[0], w.kwargs));
  }
  const bool slicing = cls == "GetItem";
  Json out{{"module", "tf_keras.src.layers.core.tf_op_layer"},
           {"class_name", slicing ? "SlicingOpLambda" : "TFOpLambda"},
           {"config",
            {{"name", name},
             {"trainable", true},
             {"dtype", config::value(config, "dtype", "float32")},
             {"function", function}}},
           {"registered_name", slicing ? "SlicingOpLambda" : "TFOpLambda"},
           {"name", name},
           {"inbound_nodes", nodes}};
  return out;
}

std::vector<std::string> tf_op_functions() {
  std::set<std::string> names;
  for (const Row& r : rows()) names.insert(r.function);
  return {names.begin(), names.end()};
}

}  // namespace keras::models::internal
