// The op table's rows for the keras.ops functions of Keras 3's later releases: products (kron,
// cross, cdist), special functions (erfinv, i0, ldexp), splits and stacks, select,
// saturate_cast, trapezoid, corrcoef, diagflat, vander, segment reductions, crossentropies, psnr,
// unfold / fold, the images' sobel_edges, affine_transform and extract_patches, keras.ops.linalg's
// factorizations and solves, NumPy's bitwise ops, gcd, linspace / logspace / geomspace, meshgrid,
// flips, bincount, unravel_index, argpartition, nan-statistics, correlate, isreal and conj, and the
// Fourier transforms.
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <variant>

#include "keras/config/json.h"
#include "keras/ops/bitwise.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/image.h"
#include "keras/ops/linalg.h"
#include "keras/ops/math.h"
#include "keras/ops/nn.h"
#include "keras/ops/numpy.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/ops/sort.h"
#include "op_args.h"

namespace keras::layers::op_table {
namespace {

Fn cross_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const Json* axis = config::find(c.config, "axis");
  const std::optional<int> common =
      axis == nullptr || axis->is_null() ? std::nullopt : std::optional<int>(int_of(c, "axis", -1));
  const int a = int_of(c, "axisa", -1), b = int_of(c, "axisb", -1), r = int_of(c, "axisc", -1);
  return [=](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::cross(t[0], t[1], a, b, r, common)};
  };
}

// jnp.select(condlist, choicelist, default): the first true condition's choice, else default.
Fn select_fn(const Call& c) {
  expect_arity(c, 3);
  const Json& conds = c.args[0];
  const Json& choices = c.args[1];
  KERAS_CHECK(conds.is_array() && choices.is_array() && !conds.empty() &&
                  conds.size() == choices.size() && conds.size() <= 256,
              ValueError, c.what,
              ": Select takes lists of conditions and choices of one length (1 to 256)");
  int next = 0;
  std::vector<Operand> cond, choice;
  for (const Json& j : conds) cond.push_back(operand(j, next, c, 0));
  for (const Json& j : choices) choice.push_back(operand(j, next, c, 1));
  const Operand fallback = operand(c.args[2], next, c, 2);
  const bool any_choice = std::any_of(choice.begin(), choice.end(), [](const Operand& o) {
    return o.input >= 0 || o.constant.defined();
  });
  KERAS_CHECK(any_choice, ValueError, c.what, ": Select needs a tensor among its choices");
  return [=](const Tensors& in) {
    std::vector<Operand> all = choice;
    all.push_back(fallback);
    Tensors values = resolve(all, 0, in);
    const Tensor fallback_value = values.back();
    values.pop_back();
    Tensors conditions;
    for (const Operand& o : cond) {
      conditions.push_back(o.input >= 0 ? in[static_cast<size_t>(o.input)] : o.constant);
      KERAS_CHECK(conditions.back().defined(), ValueError, "Select's conditions must be tensors");
    }
    return Tensors{ops::select(conditions, values, fallback_value)};
  };
}

Fn saturate_cast_fn(const Call& c) {
  const std::optional<DType> dtype = dtype_of(c);
  KERAS_CHECK(dtype.has_value(), ValueError, c.what, ": SaturateCast needs a 'dtype'");
  KERAS_CHECK(*dtype != string_, ValueError, c.what, ": SaturateCast cannot cast to string");
  const DType d = *dtype;
  return unary_fn(c, [d](const Tensor& x) { return ops::saturate_cast(x, d); });
}

// jnp.atleast_3d then concatenated along axis 2.
Fn dstack_fn(const Call& c) {
  expect_tensor_list(c);
  return [](const Tensors& in) {
    Tensors parts;
    for (const Tensor& t : in) {
      if (t.rank() == 0) {
        parts.push_back(ops::reshape(t, {1, 1, 1}));
      } else if (t.rank() == 1) {
        parts.push_back(ops::reshape(t, {1, t.shape()[0], 1}));
      } else if (t.rank() == 2) {
        parts.push_back(ops::expand_dims(t, 2));
      } else {
        parts.push_back(t);
      }
    }
    return Tensors{ops::concatenate(parts, 2)};
  };
}

// indices_or_sections: a number of sections or the indices to split at.
using Sections = std::variant<int64_t, std::vector<int64_t>>;
Sections sections_of(const Call& c) {
  const Json* s = config::find(c.config, "indices_or_sections");
  KERAS_CHECK(s != nullptr, ValueError, c.what, ": ", c.cls, " needs 'indices_or_sections'");
  if (s->is_array()) {
    KERAS_CHECK(s->size() <= 65535, ValueError, c.what, ": too many split indices");
    return config::convert<std::vector<int64_t>>(*s, "indices_or_sections", w(c));
  }
  const int64_t n = config::convert<int64_t>(*s, "indices_or_sections", w(c));
  KERAS_CHECK(n >= 1 && n <= 65536, ValueError, c.what,
              ": 'indices_or_sections' must be in [1, 65536], got ", n);
  return n;
}

// NumPy's split (equal sections) or array_split (the first size % n sections one longer).
Tensors split_at(
    const Tensor& x, const Sections& s, int axis, bool uneven, const std::string& what) {
  if (const auto* indices = std::get_if<std::vector<int64_t>>(&s))
    return ops::split(x, *indices, axis);
  const int64_t n = std::get<int64_t>(s);
  const int64_t size = x.shape()[static_cast<size_t>(normalize_axis(axis, x.rank(), what.c_str()))];
  KERAS_CHECK(uneven || size % n == 0, ValueError, what,
              ": array split does not result in an equal division: ", size, " into ", n);
  std::vector<int64_t> indices;
  int64_t at = 0;
  for (int64_t i = 0; i + 1 < n; ++i) indices.push_back(at += size / n + (i < size % n ? 1 : 0));
  return ops::split(x, indices, axis);
}

// Hsplit (axis 1, or 0 for vectors), Vsplit (axis 0) and Dsplit (axis 2), NumPy's rules.
template <int Axis>
Fn split_like_fn(const Call& c) {
  expect_one_tensor(c);
  const Sections s = sections_of(c);
  return [s, what = c.what](const Tensors& in) {
    const Tensor& x = in[0];
    const int axis = Axis == 1 && x.rank() == 1 ? 0 : Axis;
    KERAS_CHECK(x.rank() > axis && (Axis != 0 || x.rank() >= 2), ValueError, what,
                ": needs a tensor of rank ", std::max(Axis + 1, 2), ", got shape ",
                shape_str(x.shape()));
    return split_at(x, s, axis, false, what);
  };
}

Fn array_split_fn(const Call& c) {
  expect_one_tensor(c);
  const Sections s = sections_of(c);
  const int axis = int_of(c, "axis", 0);
  return [=](const Tensors& in) {
    if (const auto* indices = std::get_if<std::vector<int64_t>>(&s))
      return ops::split(in[0], *indices, axis);
    return ops::array_split(in[0], std::get<int64_t>(s), axis);
  };
}

Fn append_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const Json* a = config::find(c.config, "axis");
  const std::optional<int> axis =
      a == nullptr || a->is_null() ? std::nullopt : std::optional<int>(int_of(c, "axis", 0));
  return [o, axis](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::append(t[0], t[1], axis)};
  };
}

// jnp.trapezoid with constant sample points x (a list or a NumPy array) or a spacing dx.
Fn trapezoid_fn(const Call& c) {
  const Json* x = config::find(c.config, "x");
  Tensor points;
  if (x != nullptr && !x->is_null()) {
    points = is_array_constant(*x)
                 ? numpy_from_json(*x, c.what)
                 : numpy_from_json(Json{{"class_name", "__numpy__"},
                                        {"config", {{"value", *x}, {"dtype", "float32"}}}},
                                   c.what);
  }
  const double dx = number_of(c, "dx", 1.0);
  const int axis = int_of(c, "axis", -1);
  return unary_fn(
      c, [points, dx, axis](const Tensor& y) { return ops::trapezoid(y, points, dx, axis); });
}

Fn diagflat_fn(const Call& c) {
  const int k = int_of(c, "k", 0);
  return unary_fn(c, [k](const Tensor& x) { return ops::diagflat(x, k); });
}

// jnp.vander: columns x^(N-1), ..., x^0 (increasing: x^0, ..., x^(N-1)) of a 1-D x.
Fn vander_fn(const Call& c) {
  const Json* n_json = config::find(c.config, "N");
  const std::optional<int64_t> columns =
      n_json == nullptr || n_json->is_null()
          ? std::nullopt
          : std::optional<int64_t>(config::convert<int64_t>(*n_json, "N", w(c)));
  KERAS_CHECK(!columns || (*columns >= 0 && *columns <= 65536), ValueError, c.what,
              ": Vander's 'N' must be in [0, 65536]");
  const bool increasing = bool_of(c, "increasing", false);
  return unary_fn(c, [=](const Tensor& x) { return ops::vander(x, columns, increasing); });
}

template <ops::SegmentReduction R>
Fn segment_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const Json* n = config::find(c.config, "num_segments");
  KERAS_CHECK(n != nullptr && !n->is_null(), NotImplementedError, c.what,
              ": keras.cpp's segment reductions need 'num_segments' (as Keras on JAX)");
  const int64_t segments = config::convert<int64_t>(*n, "num_segments", w(c));
  return [o, segments](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::segment_reduce(t[0], t[1], segments, R)};
  };
}

Fn binary_crossentropy_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const bool logits = bool_of(c, "from_logits", false);
  return [o, logits](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::binary_crossentropy(t[0], t[1], logits)};
  };
}

template <Tensor (*F)(const Tensor&, const Tensor&, bool, int)>
Fn categorical_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const bool logits = bool_of(c, "from_logits", false);
  const int axis = int_of(c, "axis", -1);
  return [o, logits, axis](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{F(t[0], t[1], logits, axis)};
  };
}

Fn psnr_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  KERAS_CHECK(config::find(c.config, "max_val") != nullptr, ValueError, c.what,
              ": PSNR needs a 'max_val'");
  const double max_val = number_of(c, "max_val", 1.0);
  return [o, max_val](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::psnr(t[0], t[1], max_val)};
  };
}

std::vector<int64_t> required_ints(const Call& c, const char* key) {
  std::vector<int64_t> v = ints_of(c, key);
  KERAS_CHECK(!v.empty(), ValueError, c.what, ": ", c.cls, " needs '", key, "'");
  return v;
}

ops::UnfoldOptions unfold_options_of(const Call& c) {
  auto or_default = [&](const char* key, int64_t fallback) {
    std::vector<int64_t> v = ints_of(c, key);
    return v.empty() ? std::vector<int64_t>{fallback} : v;
  };
  return {or_default("dilation", 1), or_default("padding", 0), or_default("stride", 1)};
}

Fn unfold_fn(const Call& c) {
  const std::vector<int64_t> k = required_ints(c, "kernel_size");
  const ops::UnfoldOptions o = unfold_options_of(c);
  return unary_fn(c, [k, o](const Tensor& x) { return ops::unfold(x, k, o); });
}

Fn fold_fn(const Call& c) {
  const std::vector<int64_t> size = required_ints(c, "output_size");
  const std::vector<int64_t> k = required_ints(c, "kernel_size");
  const ops::UnfoldOptions o = unfold_options_of(c);
  return unary_fn(c, [size, k, o](const Tensor& x) { return ops::fold(x, size, k, o); });
}

Fn extract_patches_fn(const Call& c) {
  const std::vector<int64_t> size = required_ints(c, "size");
  ops::image::ExtractPatchesOptions o;
  o.strides = ints_of(c, "strides");
  o.dilation_rate = spatial_of(c, "dilation_rate");
  o.padding = padding_of(c, {"valid", "same"});
  o.data_format = data_format_of(c);
  KERAS_CHECK(size.size() == 1 || size.size() == 2 || size.size() == 3, ValueError, c.what,
              ": ExtractPatches' 'size' must be an int or 2 or 3 ints");
  return unary_fn(c, [size, o](const Tensor& x) {
    // An int size means a square patch of images (Keras reads it so).
    const std::vector<int64_t> full =
        size.size() == 1 ? std::vector<int64_t>{size[0], size[0]} : size;
    return ops::image::extract_patches(x, full, o);
  });
}

template <Tensor (*F)(const Tensor&, const std::vector<int64_t>&, const std::string&)>
Fn adaptive_pool_fn(const Call& c) {
  const std::vector<int64_t> size = required_ints(c, "output_size");
  const std::string data_format = data_format_of(c);
  return unary_fn(c, [size, data_format](const Tensor& x) { return F(x, size, data_format); });
}

Fn sobel_edges_fn(const Call& c) {
  const std::string data_format = data_format_of(c);
  return unary_fn(
      c, [data_format](const Tensor& x) { return ops::image::sobel_edges(x, data_format); });
}

// keras.ops.image.affine_transform(images, transform) (ops::image::affine_transform).
// Differentiable in the images only.
Fn affine_transform_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  KERAS_CHECK(o[0].input >= 0, ValueError, c.what, ": AffineTransform's images must be a tensor");
  ops::image::AffineTransformOptions options{
      config::get<std::string>(c.config, "interpolation", "bilinear", w(c)),
      config::get<std::string>(c.config, "fill_mode", "constant", w(c)),
      number_of(c, "fill_value", 0.0), data_format_of(c)};
  return [=](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::image::affine_transform(t[0], t[1], options)};
  };
}

// ---- linalg ----

// A number under `key`, or nullopt when absent or null (Keras's None).
std::optional<double> optional_number(const Call& c, const char* key) {
  const Json* j = config::find(c.config, key);
  if (j == nullptr || j->is_null()) return std::nullopt;
  return number_of(c, key, 0);
}

template <class F>
Fn unary_tensors(const Call& c, F f) {
  expect_one_tensor(c);
  return [f](const Tensors& in) { return f(in[0]); };
}

Fn cholesky_fn(const Call& c) {
  const bool upper = bool_of(c, "upper", false);
  return unary_fn(c, [upper](const Tensor& x) { return ops::cholesky(x, upper); });
}
Fn cholesky_inverse_fn(const Call& c) {
  const bool upper = bool_of(c, "upper", false);
  return unary_fn(c, [upper](const Tensor& x) { return ops::cholesky_inverse(x, upper); });
}
Fn pair_fn(const Call& c, std::pair<Tensor, Tensor> (*f)(const Tensor&)) {
  return unary_tensors(c, [f](const Tensor& x) {
    auto [a, b] = f(x);
    return Tensors{a, b};
  });
}
Fn eigh_fn(const Call& c) {
  return pair_fn(c, ops::eigh);
}
Fn lu_factor_fn(const Call& c) {
  return pair_fn(c, ops::lu_factor);
}
Fn slogdet_fn(const Call& c) {
  return pair_fn(c, ops::slogdet);
}
Fn qr_fn(const Call& c) {
  const std::string mode = config::get<std::string>(c.config, "mode", "reduced", w(c));
  KERAS_CHECK(mode == "reduced" || mode == "complete", ValueError, c.what,
              ": `mode` argument value not supported. Expected one of {'reduced', 'complete'}. "
              "Received: mode=",
              mode.substr(0, 40));
  return unary_tensors(c, [mode](const Tensor& x) {
    auto [q, r] = ops::qr(x, mode);
    return Tensors{q, r};
  });
}
Fn svd_fn(const Call& c) {
  const bool full = bool_of(c, "full_matrices", true), uv = bool_of(c, "compute_uv", true);
  return unary_tensors(c, [full, uv](const Tensor& x) { return ops::svd(x, full, uv); });
}
Fn solve_triangular_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const bool lower = bool_of(c, "lower", false);
  return [o, lower](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::solve_triangular(t[0], t[1], lower)};
  };
}
Fn lstsq_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const std::optional<double> rcond = optional_number(c, "rcond");
  return [o, rcond](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::lstsq(t[0], t[1], rcond)};
  };
}
Fn pinv_fn(const Call& c) {
  const std::optional<double> rcond = optional_number(c, "rcond");
  return unary_fn(c, [rcond](const Tensor& x) { return ops::pinv(x, rcond); });
}
Fn matrix_rank_fn(const Call& c) {
  const std::optional<double> tol = optional_number(c, "tol");
  return unary_fn(c, [tol](const Tensor& x) { return ops::matrix_rank(x, tol); });
}

// Linspace, Logspace and Geomspace: (start, stop), tensors or numbers; retstep is not offered.
template <int Kind>  // 0 linspace, 1 logspace, 2 geomspace
Fn spacing_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const Json* retstep = config::find(c.config, "retstep");
  KERAS_CHECK(retstep == nullptr || !retstep->is_boolean() || !retstep->get<bool>(),
              NotImplementedError, c.what, ": keras.cpp's Linspace does not return the step");
  const Json* num_json = config::find(c.config, "num");
  const int64_t num = num_json == nullptr ? 50 : config::convert<int64_t>(*num_json, "num", w(c));
  KERAS_CHECK(num >= 0 && num <= (int64_t{1} << 24), ValueError, c.what, ": ", c.cls,
              "'s 'num' must be in [0, 2^24], got ", num);
  const bool endpoint = bool_of(c, "endpoint", true);
  const std::optional<DType> dtype = dtype_of(c);
  const int axis = int_of(c, "axis", 0);
  const double base = number_of(c, "base", 10.0);
  return [=](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    if (Kind == 0) return Tensors{ops::linspace(t[0], t[1], num, endpoint, dtype, axis)};
    if (Kind == 1) return Tensors{ops::logspace(t[0], t[1], num, endpoint, base, dtype, axis)};
    return Tensors{ops::geomspace(t[0], t[1], num, endpoint, dtype, axis)};
  };
}

Fn meshgrid_fn(const Call& c) {
  KERAS_CHECK(c.args.is_array() && c.args.size() <= 32, ValueError, c.what,
              ": Meshgrid takes at most 32 tensors");
  for (const Json& a : c.args) {
    KERAS_CHECK(is_tensor(a), ValueError, c.what, ": Meshgrid's arguments must be tensors");
  }
  const std::string indexing = config::get<std::string>(c.config, "indexing", "xy", w(c));
  KERAS_CHECK(indexing == "xy" || indexing == "ij", ValueError, c.what,
              ": Valid values for `indexing` are 'xy' and 'ij'");
  return [indexing](const Tensors& in) { return ops::meshgrid(in, indexing); };
}

Fn bincount_fn(const Call& c) {
  expect_one_tensor(c);
  KERAS_CHECK(!bool_of(c, "sparse", false), NotImplementedError, c.what,
              ": keras.cpp's Bincount has no sparse output");
  const Json* weights = config::find(c.config, "weights");
  Tensor w_const;
  if (weights != nullptr && !weights->is_null()) {
    if (is_array_constant(*weights)) {
      w_const = numpy_from_json(*weights, c.what);
    } else {
      // A Python list: int32 when every number is an integer, else float32 (as JAX reads it).
      std::function<bool(const Json&)> integral = [&](const Json& j) {
        if (j.is_array()) return std::all_of(j.begin(), j.end(), integral);
        return j.is_number_integer();
      };
      const Json wrapped{
          {"class_name", "__numpy__"},
          {"config", {{"value", *weights}, {"dtype", integral(*weights) ? "int32" : "float32"}}}};
      w_const = numpy_from_json(wrapped, c.what);
    }
  }
  const Json* m = config::find(c.config, "minlength");
  const int64_t minlength = m == nullptr ? 0 : config::convert<int64_t>(*m, "minlength", w(c));
  KERAS_CHECK(minlength >= 0 && minlength <= (int64_t{1} << 20), ValueError, c.what,
              ": Bincount's 'minlength' must be in [0, 2^20], got ", minlength);
  return unary_fn(
      c, [w_const, minlength](const Tensor& x) { return ops::bincount(x, w_const, minlength); });
}

Fn unravel_index_fn(const Call& c) {
  const std::vector<int64_t> shape = ints_of(c, "shape");
  KERAS_CHECK(shape.size() <= 32, ValueError, c.what, ": UnravelIndex's shape has too many axes");
  expect_one_tensor(c);
  return [shape](const Tensors& in) { return ops::unravel_index(in[0], shape); };
}

Fn argpartition_fn(const Call& c) {
  const Json* kth = config::find(c.config, "kth");
  KERAS_CHECK(kth != nullptr && kth->is_number_integer(), ValueError, c.what,
              ": kth must be an integer");
  const int64_t k = kth->get<int64_t>();
  // axis None (x flattened) differs from an absent axis (-1).
  const bool flat = c.config.is_object() && c.config.contains("axis") && c.config["axis"].is_null();
  const std::optional<int> axis = flat ? std::nullopt : std::optional<int>(int_of(c, "axis", -1));
  return unary_fn(c, [k, axis](const Tensor& x) { return ops::argpartition(x, k, axis); });
}

template <bool kPercent>
Fn nan_quantile_fn(const Call& c) {
  expect_arity(c, 2);
  KERAS_CHECK(is_tensor(c.args[0]) && !is_tensor(c.args[1]), NotImplementedError, c.what, ": ",
              c.cls, " takes a tensor and constant q");
  const Json& q = c.args[1];
  Tensor qs;
  if (q.is_number()) {
    qs = Tensor::scalar<double>(q.get<double>());
  } else if (is_array_constant(q)) {
    qs = numpy_from_json(q, c.what);
  } else {
    KERAS_CHECK(q.is_array() && q.size() <= 4096 &&
                    std::all_of(q.begin(), q.end(), [](const Json& v) { return v.is_number(); }),
                ValueError, c.what, ": ", c.cls, "'s q must be a number or a list of numbers");
    qs = Tensor::from_vector(q.get<std::vector<double>>(), {static_cast<int64_t>(q.size())});
  }
  const std::vector<int> axes = axes_of(c);
  const std::string method = config::get<std::string>(c.config, "method", "linear", w(c));
  const bool keepdims = bool_of(c, "keepdims", false);
  const Tensor probe = Tensor::scalar<double>(0);  // checks q and the method now
  (void)(kPercent ? ops::nanpercentile(probe, qs, {}, method)
                  : ops::nanquantile(probe, qs, {}, method));
  return [=](const Tensors& in) {
    return Tensors{kPercent ? ops::nanpercentile(in[0], qs, axes, method, keepdims)
                            : ops::nanquantile(in[0], qs, axes, method, keepdims)};
  };
}

Fn correlate_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  const std::string mode = config::get<std::string>(c.config, "mode", "valid", w(c));
  KERAS_CHECK(mode == "valid" || mode == "same" || mode == "full", ValueError, c.what,
              ": Correlate's mode must be 'valid', 'same' or 'full'");
  return [o, mode](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::correlate(t[0], t[1], mode)};
  };
}

Fn nanmedian_fn(const Call& c) {
  const std::vector<int> axes = axes_of(c);
  const bool keepdims = bool_of(c, "keepdims", false);
  return unary_fn(c,
                  [axes, keepdims](const Tensor& x) { return ops::nanmedian(x, axes, keepdims); });
}

// ---- fft ----

// A (real, imaginary) pair, Keras's one argument [[tensor, tensor]].
void expect_complex_pair(const Call& c) {
  expect_arity(c, 1);
  KERAS_CHECK(c.args[0].is_array() && c.args[0].size() == 2 &&
                  std::all_of(c.args[0].begin(), c.args[0].end(), is_tensor),
              ValueError, c.what,
              ": Input `x` should be a tuple of two tensors - real and imaginary.");
}
template <ops::ComplexPair (*F)(const ops::ComplexPair&)>
Fn complex_fn(const Call& c) {
  expect_complex_pair(c);
  return [](const Tensors& in) {
    auto [re, im] = F({in[0], in[1]});
    return Tensors{re, im};
  };
}
std::optional<int64_t> optional_int(const Call& c, const char* key) {
  const Json* j = config::find(c.config, key);
  if (j == nullptr || j->is_null()) return std::nullopt;
  return config::convert<int64_t>(*j, key, w(c));
}
int64_t required_int(const Call& c, const char* key) {
  const std::optional<int64_t> v = optional_int(c, key);
  KERAS_CHECK(v.has_value(), ValueError, c.what, ": ", c.cls, " needs '", key, "'");
  return *v;
}
Fn rfft_fn(const Call& c) {
  const std::optional<int64_t> n = optional_int(c, "fft_length");
  return unary_tensors(c, [n](const Tensor& x) {
    auto [re, im] = ops::rfft(x, n);
    return Tensors{re, im};
  });
}
Fn irfft_fn(const Call& c) {
  expect_complex_pair(c);
  const std::optional<int64_t> n = optional_int(c, "fft_length");
  return [n](const Tensors& in) { return Tensors{ops::irfft(ops::ComplexPair{in[0], in[1]}, n)}; };
}
// stft's and istft's window: a name, null (none) or the values (a list or a NumPy array).
struct Window {
  std::optional<std::string> name;
  std::vector<double> values;
};
Window window_of(const Call& c) {
  // config::find reads null as absent; here null is no window and absent Keras's "hann".
  const auto it = c.config.is_object() ? c.config.find("window") : c.config.end();
  if (it == c.config.end()) return {"hann", {}};
  if (it->is_null()) return {std::nullopt, {}};
  const Json* j = &*it;
  if (j->is_string()) return {j->get<std::string>(), {}};
  const Tensor t =
      is_array_constant(*j)
          ? numpy_from_json(*j, c.what)
          : Tensor::from_vector(config::convert<std::vector<double>>(*j, "window", w(c)));
  KERAS_CHECK(t.rank() == 1 && t.size() >= 1 && t.size() <= (int64_t{1} << 20), ValueError, c.what,
              ": 'window' must be a name, null or a list of values");
  const Tensor d = ops::cast(t, float64).cpu();
  return {std::nullopt, std::vector<double>(d.data<double>(), d.data<double>() + d.size())};
}
Fn stft_fn(const Call& c) {
  const int64_t length = required_int(c, "sequence_length"),
                stride = required_int(c, "sequence_stride"), n = required_int(c, "fft_length");
  const Window win = window_of(c);
  const ops::StftOptions o{
      .window = win.name, .window_values = win.values, .center = bool_of(c, "center", true)};
  return unary_tensors(c, [=](const Tensor& x) {
    auto [re, im] = ops::stft(x, length, stride, n, o);
    return Tensors{re, im};
  });
}
Fn istft_fn(const Call& c) {
  expect_complex_pair(c);
  const int64_t length = required_int(c, "sequence_length"),
                stride = required_int(c, "sequence_stride"), n = required_int(c, "fft_length");
  const Window win = window_of(c);
  const ops::IstftOptions o{.length = optional_int(c, "length"),
                            .window = win.name,
                            .window_values = win.values,
                            .center = bool_of(c, "center", true)};
  return [=](const Tensors& in) {
    return Tensors{ops::istft(ops::ComplexPair{in[0], in[1]}, length, stride, n, o)};
  };
}

}  // namespace

std::vector<Spec> more_rows() {
  const std::vector<std::string> none;
  const std::vector<std::string> unfold_keys{"kernel_size", "dilation", "padding", "stride"};
  const std::vector<std::string> segment_keys{"num_segments", "sorted"};
  const std::vector<std::string> stft_keys{"sequence_length", "sequence_stride", "fft_length",
                                           "window", "center"};
  const std::vector<std::string> istft_keys{"sequence_length", "sequence_stride", "fft_length",
                                            "length",          "window",          "center"};
  return {
      {"Kron", kNumpy, none, none, binary<ops::kron>},
      // numpy (bitwise, spacing, splits, nan-statistics)
      {"BitwiseAnd", kNumpy, none, none, binary<ops::bitwise_and>},
      {"BitwiseOr", kNumpy, none, none, binary<ops::bitwise_or>},
      {"BitwiseXor", kNumpy, none, none, binary<ops::bitwise_xor>},
      {"BitwiseNot", kNumpy, none, none, unary<ops::bitwise_not>},
      {"BitwiseInvert", kNumpy, none, none, unary<ops::bitwise_invert>},
      {"LeftShift", kNumpy, none, none, binary<ops::left_shift>},
      {"RightShift", kNumpy, none, none, binary<ops::right_shift>},
      {"BitwiseLeftShift", kNumpy, none, none, binary<ops::bitwise_left_shift>},
      {"BitwiseRightShift", kNumpy, none, none, binary<ops::bitwise_right_shift>},
      {"Gcd", kNumpy, none, none, binary<ops::gcd>},
      {"Linspace", kNumpy, {"num", "endpoint", "retstep", "dtype", "axis"}, none, spacing_fn<0>},
      {"Logspace", kNumpy, {"num", "endpoint", "base", "dtype", "axis"}, none, spacing_fn<1>},
      {"Geomspace", kNumpy, {"num", "endpoint", "dtype", "axis"}, none, spacing_fn<2>},
      {"Meshgrid", kNumpy, {"indexing"}, none, meshgrid_fn},
      {"Fliplr", kNumpy, none, none, unary<ops::fliplr>},
      {"Flipud", kNumpy, none, none, unary<ops::flipud>},
      {"Bincount", kNumpy, {"weights", "minlength", "sparse"}, none, bincount_fn},
      {"UnravelIndex", kNumpy, {"shape"}, none, unravel_index_fn},
      {"Argpartition", kNumpy, {"kth", "axis"}, none, argpartition_fn},
      {"Nanmedian", kNumpy, {"axis", "keepdims"}, none, nanmedian_fn},
      {"Nanquantile", kNumpy, {"axis", "method", "keepdims"}, none, nan_quantile_fn<false>},
      {"Nanpercentile", kNumpy, {"axis", "method", "keepdims"}, none, nan_quantile_fn<true>},
      {"Correlate", kNumpy, {"mode"}, none, correlate_fn},
      {"Isreal", kNumpy, none, none, unary<ops::isreal>},
      {"Conjugate", kNumpy, none, none, unary<ops::conjugate>},
      {"Conj", kNumpy, none, none, unary<ops::conj>},
      {"Cross", kNumpy, {"axisa", "axisb", "axisc", "axis"}, none, cross_fn},
      {"CDist", kMath, none, none, binary<ops::cdist>},
      {"Erfinv", kMath, none, none, unary<ops::erfinv>},
      {"I0", kNumpy, none, none, unary<ops::i0>},
      {"Ldexp", kNumpy, none, none, binary<ops::ldexp>},
      {"Select", kNumpy, none, none, select_fn},
      {"SaturateCast", kCore, {"dtype"}, none, saturate_cast_fn},
      {"Dstack", kNumpy, none, none, dstack_fn},
      {"Hsplit", kNumpy, {"indices_or_sections"}, none, split_like_fn<1>},
      {"Vsplit", kNumpy, {"indices_or_sections"}, none, split_like_fn<0>},
      {"Dsplit", kNumpy, {"indices_or_sections"}, none, split_like_fn<2>},
      {"ArraySplit", kNumpy, {"indices_or_sections", "axis"}, none, array_split_fn},
      {"Append", kNumpy, {"axis"}, none, append_fn},
      {"Trapezoid", kNumpy, {"x", "dx", "axis"}, none, trapezoid_fn},
      {"Corrcoef", kNumpy, none, none, unary<ops::corrcoef>},
      {"Diagflat", kNumpy, {"k"}, none, diagflat_fn},
      {"Vander", kNumpy, {"N", "increasing"}, none, vander_fn},
      {"SegmentSum", kMath, segment_keys, none, segment_fn<ops::SegmentReduction::sum>},
      {"SegmentMax", kMath, segment_keys, none, segment_fn<ops::SegmentReduction::max>},
      {"SegmentMin", kMath, segment_keys, none, segment_fn<ops::SegmentReduction::min>},
      {"SegmentProd", kMath, segment_keys, none, segment_fn<ops::SegmentReduction::prod>},
      {"BinaryCrossentropy", kNn, {"from_logits"}, none, binary_crossentropy_fn},
      {"CategoricalCrossentropy",
       kNn,
       {"from_logits", "axis"},
       none,
       categorical_fn<ops::categorical_crossentropy>},
      {"SparseCategoricalCrossentropy",
       kNn,
       {"from_logits", "axis"},
       none,
       categorical_fn<ops::sparse_categorical_crossentropy>},
      {"PSNR", kNn, {"max_val"}, none, psnr_fn},
      {"AdaptiveAveragePool",
       kNn,
       {"output_size", "data_format"},
       none,
       adaptive_pool_fn<ops::adaptive_average_pool>},
      {"AdaptiveMaxPool",
       kNn,
       {"output_size", "data_format"},
       none,
       adaptive_pool_fn<ops::adaptive_max_pool>},
      {"Unfold", kNn, unfold_keys, none, unfold_fn},
      {"Fold", kNn, {"output_size", "kernel_size", "dilation", "padding", "stride"}, none, fold_fn},
      {"SobelEdges", kImage, {"data_format"}, none, sobel_edges_fn},
      {"AffineTransform",
       kImage,
       {"interpolation", "fill_mode", "fill_value", "data_format"},
       none,
       affine_transform_fn},
      {"ExtractPatches",
       kImage,
       {"size", "strides", "dilation_rate", "padding", "data_format"},
       none,
       extract_patches_fn},
      // linalg
      {"Cholesky", kLinalg, {"upper"}, none, cholesky_fn},
      {"CholeskyInverse", kLinalg, {"upper"}, none, cholesky_inverse_fn},
      {"Det", kLinalg, none, none, unary<ops::det>},
      {"Eigh", kLinalg, none, none, eigh_fn},
      {"Inv", kLinalg, none, none, unary<ops::inv>},
      {"LuFactor", kLinalg, none, none, lu_factor_fn},
      {"Qr", kLinalg, {"mode"}, none, qr_fn},
      {"Solve", kLinalg, none, none, binary<ops::solve>},
      {"SolveTriangular", kLinalg, {"lower"}, none, solve_triangular_fn},
      {"SVD", kLinalg, {"full_matrices", "compute_uv"}, none, svd_fn},
      {"Lstsq", kLinalg, {"rcond"}, none, lstsq_fn},
      {"MatrixRank", kLinalg, {"tol"}, none, matrix_rank_fn},
      {"Pinv", kLinalg, {"rcond"}, none, pinv_fn},
      {"Slogdet", kNumpy, none, none, slogdet_fn},
      // fft
      {"FFT", kMath, none, none, complex_fn<ops::fft>},
      {"FFT2", kMath, none, none, complex_fn<ops::fft2>},
      {"IFFT2", kMath, none, none, complex_fn<ops::ifft2>},
      {"RFFT", kMath, {"fft_length"}, none, rfft_fn},
      {"IRFFT", kMath, {"fft_length"}, none, irfft_fn},
      {"STFT", kMath, stft_keys, none, stft_fn},
      {"ISTFT", kMath, istft_keys, none, istft_fn},
      {"Logdet", kMath, none, none, unary<ops::logdet>},
  };
}

}  // namespace keras::layers::op_table
