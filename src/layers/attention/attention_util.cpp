#include "layers/attention/attention_util.h"

#include <numeric>

#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"

namespace keras::layers::attention_util {

void check_key_value(const Shape& value, const Shape& key) {
  const bool same =
      value.size() == key.size() && std::equal(value.begin() + 1, value.end() - 1, key.begin() + 1);
  KERAS_CHECK(same, ValueError,
              "All dimensions of `value` and `key`, except the last one, must be equal. "
              "Received: value_shape=",
              shape_str(value), " and key_shape=", shape_str(key));
}

std::vector<int> normalize_attention_axes(const std::optional<std::vector<int>>& axes,
                                          int rank,
                                          const std::string& layer) {
  std::vector<int> out;
  if (!axes) {
    for (int a = 1; a <= rank - 2; ++a) out.push_back(a);
    return out;
  }
  for (int a : *axes) {
    const int n = a >= 0 ? a : rank + a;  // Keras: (projected rank - 1) + a
    KERAS_CHECK(n >= 1 && n <= rank - 2 && (out.empty() || n > out.back()), ValueError, "Layer ",
                layer, ": attention_axes must be increasing position axes of the query (1 to ",
                rank - 2, "), got ", a);
    out.push_back(n);
  }
  KERAS_CHECK(!out.empty(), ValueError, "Layer ", layer, ": attention_axes is empty");
  return out;
}

HeadLayout::HeadLayout(const Shape& projected, const std::vector<int>& axes) : shape(projected) {
  const int rank = static_cast<int>(projected.size());  // B, d1..dk, heads, dim
  perm.push_back(0);
  lead.push_back(projected[0]);
  for (int d = 1; d < rank - 2; ++d) {
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) {
      perm.push_back(d);
      lead.push_back(projected[static_cast<size_t>(d)]);
    }
  }
  perm.push_back(rank - 2);
  for (int a : axes) {
    perm.push_back(a);
    attn.push_back(projected[static_cast<size_t>(a)]);
  }
  perm.push_back(rank - 1);
  for (int64_t d : lead) outer *= d;
  heads = projected[static_cast<size_t>(rank - 2)];
  for (int64_t d : attn) positions *= d;
}

namespace {
bool is_identity(const std::vector<int>& perm) {
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] != static_cast<int>(i)) return false;
  }
  return true;
}
}  // namespace

Tensor HeadLayout::to_groups(const Tensor& x) const {
  const Tensor t = is_identity(perm) ? x : ops::transpose(x, perm);
  return ops::reshape(t, {outer * heads, positions, x.shape().back()});
}

Tensor HeadLayout::from_groups(const Tensor& x, int64_t dim) const {
  Shape permuted = lead;
  permuted.push_back(heads);
  permuted.insert(permuted.end(), attn.begin(), attn.end());
  permuted.push_back(dim);
  const Tensor t = ops::reshape(x, permuted);
  if (is_identity(perm)) return t;
  std::vector<int> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inverse[static_cast<size_t>(perm[i])] = static_cast<int>(i);
  return ops::transpose(t, inverse);
}

Shape HeadLayout::scores_shape(const HeadLayout& k) const {
  Shape s = lead;
  s.push_back(heads);
  s.insert(s.end(), attn.begin(), attn.end());
  s.insert(s.end(), k.attn.begin(), k.attn.end());
  return s;
}

Shape HeadLayout::flat_scores_shape(const HeadLayout& k) const {
  Shape s = lead;
  s.push_back(heads);
  s.push_back(positions);
  s.push_back(k.positions);
  return s;
}

Tensor flat_mask(const Tensor& mask_in, const Shape& scores, const std::vector<int>& axes) {
  if (!mask_in.defined()) return {};
  Tensor mask = mask_in.dtype() == bool_ ? mask_in : ops::cast(mask_in, bool_);
  const int a = static_cast<int>(axes.size());
  const int rank = static_cast<int>(scores.size());
  KERAS_CHECK(mask.rank() <= rank && mask.rank() >= 2 * a, ValueError, "attention mask of shape ",
              shape_str(mask.shape()), " does not fit attention scores of shape ",
              shape_str(scores));
  Shape m = mask.shape();
  // Keras expands at axis -2a-1 (before the query and key attention axes) up to the scores' rank.
  while (static_cast<int>(m.size()) < rank) m.insert(m.end() - 2 * a, 1);
  mask = ops::reshape(mask, m);
  if (a == 1) return mask;
  Shape full(m.begin(), m.end() - 2 * a);
  full.insert(full.end(), scores.end() - 2 * a, scores.end());
  mask = ops::broadcast_to(mask, full);
  Shape flat(m.begin(), m.end() - 2 * a);
  int64_t t = 1, s = 1;
  for (int i = 0; i < a; ++i) {
    t *= scores[static_cast<size_t>(rank - 2 * a + i)];
    s *= scores[static_cast<size_t>(rank - a + i)];
  }
  flat.push_back(t);
  flat.push_back(s);
  return ops::reshape(mask, flat);
}

Tensor band_mask(
    int64_t t, int64_t s, bool causal, std::optional<int64_t> sliding_window, Device device) {
  Tensor band = Tensor::empty({1, t, s}, bool_, Device::cpu());
  bool* p = band.data<bool>();
  for (int64_t i = 0; i < t; ++i) {
    for (int64_t j = 0; j < s; ++j) {
      p[i * s + j] =
          (!causal || i >= j) && (!sliding_window || (i > j ? i - j : j - i) < *sliding_window);
    }
  }
  return band.to(device);
}

Tensor combined_mask(const Tensor& query,
                     const Tensor& value,
                     const Tensor& key,
                     const Tensor& attention_mask,
                     bool use_causal_mask,
                     std::optional<int64_t> sliding_window) {
  Tensor mask;
  auto merge = [&](const Tensor& m) { mask = mask.defined() ? ops::logical_and(mask, m) : m; };
  auto as_bool = [](const Tensor& m) { return m.dtype() == bool_ ? m : ops::cast(m, bool_); };
  if (query.keras_mask().defined()) merge(ops::expand_dims(as_bool(query.keras_mask()), -1));
  if (value.keras_mask().defined()) merge(ops::expand_dims(as_bool(value.keras_mask()), -2));
  if (key.defined() && key.keras_mask().defined()) {
    merge(ops::expand_dims(as_bool(key.keras_mask()), -2));
  }
  if (use_causal_mask || sliding_window) {  // positions along axis 1, as Keras
    merge(band_mask(query.dim(1), value.dim(1), use_causal_mask, sliding_window, query.device()));
  }
  if (attention_mask.defined()) {
    mask =
        mask.defined() ? ops::logical_and(as_bool(attention_mask), mask) : as_bool(attention_mask);
  }
  return mask;
}

Shape scores_shape(const Shape& query,
                   const Shape& value,
                   int64_t heads,
                   const std::vector<int>& axes) {
  Shape q = query, v = value;
  q.back() = heads;
  v.back() = heads;
  q.push_back(1);
  v.push_back(1);
  return HeadLayout(q, axes).scores_shape(HeadLayout(v, axes));
}

std::optional<std::vector<int>> read_attention_axes(const Json& c, const char* what) {
  const Json* j = config::find(c, "attention_axes");
  if (j == nullptr || j->is_null()) return std::nullopt;
  std::vector<int> out;
  for (int64_t a : config_util::int_list(c, "attention_axes", {}, what)) {
    KERAS_CHECK(a > -64 && a < 64, ValueError, what, ": attention axis ", a, " is out of range");
    out.push_back(static_cast<int>(a));
  }
  return out;
}

std::optional<int64_t> read_sliding_window(const Json& c, const char* what) {
  const Json* sw = config::find(c, "sliding_window");
  if (sw == nullptr || sw->is_null()) return std::nullopt;
  KERAS_CHECK(sw->is_number_integer() && sw->get<int64_t>() > 0, ValueError, what,
              ": `sliding_window` must be `None` or a positive integer. Received: sliding_window=",
              sw->dump().substr(0, 40));
  return sw->get<int64_t>();
}

void write_common_config(Json& c,
                         const initializers::Initializer& ki,
                         const initializers::Initializer& bi,
                         const regularizers::Regularizer& kr,
                         const regularizers::Regularizer& br,
                         const regularizers::Regularizer& ar,
                         const constraints::Constraint& kc,
                         const constraints::Constraint& bc) {
  c["kernel_initializer"] = initializers::serialize(ki);
  c["bias_initializer"] = initializers::serialize(bi);
  c["kernel_regularizer"] = regularizers::serialize(kr);
  c["bias_regularizer"] = regularizers::serialize(br);
  c["activity_regularizer"] = regularizers::serialize(ar);
  c["kernel_constraint"] = constraints::serialize(kc);
  c["bias_constraint"] = constraints::serialize(bc);
}

void read_common_config(const Json& c,
                        initializers::Initializer& ki,
                        initializers::Initializer& bi,
                        regularizers::Regularizer& kr,
                        regularizers::Regularizer& br,
                        regularizers::Regularizer& ar,
                        constraints::Constraint& kc,
                        constraints::Constraint& bc) {
  using config::value;
  ki = initializers::deserialize(value(c, "kernel_initializer", "glorot_uniform"));
  bi = initializers::deserialize(value(c, "bias_initializer", "zeros"));
  kr = regularizers::deserialize(value(c, "kernel_regularizer", nullptr));
  br = regularizers::deserialize(value(c, "bias_regularizer", nullptr));
  ar = regularizers::deserialize(value(c, "activity_regularizer", nullptr));
  kc = constraints::deserialize(value(c, "kernel_constraint", nullptr));
  bc = constraints::deserialize(value(c, "bias_constraint", nullptr));
}

namespace {
std::string label(const Layer& layer) {
  return str("layer '", layer.name(), "' (", layer.class_name(), ")");
}
}  // namespace

const Json* BoundCall::tensor(const std::string& name) const {
  auto it = named_.find(name);
  if (it == named_.end() || it->second->is_null()) return nullptr;
  KERAS_CHECK(it->second->is_object(), ValueError, "Functional config: ", label(*layer_),
              ": argument '", name, "' must be a tensor or None");
  return it->second;
}

const Json* BoundCall::required(const std::string& name) const {
  const Json* t = tensor(name);
  KERAS_CHECK(t != nullptr, ValueError, "Functional config: a saved call of ", label(*layer_),
              " has no '", name, "'");
  return t;
}

bool BoundCall::flag(const std::string& name) const {
  auto it = named_.find(name);
  if (it == named_.end() || it->second->is_null()) return false;
  KERAS_CHECK(it->second->is_boolean(), ValueError, "Functional config: ", label(*layer_),
              ": argument '", name, "' must be a boolean");
  return it->second->get<bool>();
}

BoundCall bind(const Layer& layer,
               const std::vector<std::string>& signature,
               const Json& args,
               const Json& kwargs) {
  std::map<std::string, const Json*> named;
  auto add = [&](const std::string& name, const Json& v) {
    const bool known = std::find(signature.begin(), signature.end(), name) != signature.end();
    KERAS_CHECK(known, ValueError, "Functional config: ", label(layer),
                " is called with the argument '", name.substr(0, 100),
                "', which keras.cpp does not support for this layer");
    KERAS_CHECK(!named.contains(name), ValueError, "Functional config: ", label(layer),
                " is given argument '", name, "' twice");
    const bool explicit_mask = name.size() > 5 && name.ends_with("_mask") &&
                               name != "attention_mask" && name != "use_causal_mask";
    KERAS_CHECK(!explicit_mask || v.is_null(), ValueError, "Functional config: ", label(layer),
                " is called with an explicit '", name,
                "', which keras.cpp does not support (it takes the Keras masks of the inputs)");
    named[name] = &v;
  };
  KERAS_CHECK(args.is_array() && args.size() <= signature.size(), ValueError,
              "Functional config: ", label(layer), " is called with too many positional arguments");
  for (size_t i = 0; i < args.size(); ++i) add(signature[i], args[i]);
  if (kwargs.is_object()) {
    for (const auto& [name, v] : kwargs.items()) add(name, v);
  }
  const Json* training = named.contains("training") ? named["training"] : nullptr;
  KERAS_CHECK(training == nullptr || training->is_null() || training->is_boolean(), ValueError,
              "Functional config: ", label(layer), ": 'training' must be a boolean or None");
  return BoundCall(layer, std::move(named));
}

}  // namespace keras::layers::attention_util
