#include "keras/layers/spatial_reshaping.h"

#include <algorithm>
#include <cctype>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/image.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"

namespace keras::layers {
namespace {

std::optional<Shape> optional_shape(const std::optional<std::vector<Dim>>& s) {
  return s ? std::optional(to_shape(*s)) : std::nullopt;
}

// Floating inputs take the layer's dtype (Keras's autocast); other dtypes pass through.
DType autocast(DType input, DType layer) {
  return is_floating(input) ? layer : input;
}

std::string prefix(const char* family, int n) {
  return std::string(family) + std::to_string(n) + "d";
}

void check_data_format(const std::string& data_format, int n, bool only_channels_last) {
  KERAS_CHECK(data_format == "channels_last" || data_format == "channels_first", ValueError,
              "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
              "Received: data_format=",
              data_format);
  KERAS_CHECK(!only_channels_last || data_format == "channels_last", ValueError, "The ", n,
              "D layer takes (batch, steps, features) inputs only: data_format must be "
              "\"channels_last\", got \"",
              data_format, "\"");
}

// Axis of spatial dimension i for a rank N + 2 input.
size_t spatial_axis(int i, const std::string& data_format) {
  return static_cast<size_t>(i + (data_format == "channels_first" ? 2 : 1));
}

template <int N>
std::string pairs_str(const std::array<PadPair, N>& pairs) {
  auto one = [](const PadPair& p) {
    return "(" + std::to_string(p.before) + ", " + std::to_string(p.after) + ")";
  };
  if (N == 1) return one(pairs[0]);
  std::string s = "(";
  for (int i = 0; i < N; ++i) s += (i ? ", " : "") + one(pairs[static_cast<size_t>(i)]);
  return s + ")";
}

template <int N>
std::array<PadPair, N> standardize_pairs(const SpatialPadding& value, const char* arg) {
  std::array<PadPair, N> out;
  if (value.uniform) {
    out.fill(PadPair(*value.uniform));
  } else {
    KERAS_CHECK(value.per_axis.size() == static_cast<size_t>(N), ValueError, "`", arg,
                "` should have ", N, " elements. Received: ", arg, " with ", value.per_axis.size(),
                " elements.");
    for (int i = 0; i < N; ++i)
      out[static_cast<size_t>(i)] = value.per_axis[static_cast<size_t>(i)];
  }
  for (const PadPair& p : out) {
    KERAS_CHECK(p.before >= 0 && p.after >= 0, ValueError, "The `", arg,
                "` argument must be non-negative. Received: ", arg, "=", pairs_str<N>(out));
  }
  return out;
}

template <int N>
std::array<int64_t, N> standardize_size(const SpatialSize& value) {
  std::array<int64_t, N> out;
  if (value.uniform) {
    out.fill(*value.uniform);
  } else {
    KERAS_CHECK(value.per_axis.size() == static_cast<size_t>(N), ValueError,
                "The `size` argument must be a tuple of ", N, " integers. Received ",
                value.per_axis.size(), " values.");
    for (int i = 0; i < N; ++i)
      out[static_cast<size_t>(i)] = value.per_axis[static_cast<size_t>(i)];
  }
  for (int64_t s : out) {
    KERAS_CHECK(s > 0, ValueError,
                "Argument `size` should be a positive integer. Received: size=", s);
  }
  return out;
}

// Is cropping `c` too large for the known spatial sizes of `shape`?
template <int N>
bool crops_everything(const Shape& shape,
                      const std::array<PadPair, N>& c,
                      const std::string& data_format) {
  for (int i = 0; i < N; ++i) {
    const int64_t d = shape[spatial_axis(i, data_format)];
    const PadPair& p = c[static_cast<size_t>(i)];
    if (d != kNone && checked_add(p.before, p.after, "cropping") >= d) return true;
  }
  return false;
}

template <int N>
void check_cropping(const Layer& layer,
                    const Shape& shape,
                    const std::array<PadPair, N>& c,
                    const std::string& data_format) {
  if (!crops_everything<N>(shape, c, data_format)) return;
  const std::string head = str("Exception encountered when calling layer \"", layer.name(),
                               "\" (type ", layer.class_name(), "): ");
  if (N == 1) {
    throw ValueError(str(head,
                         "`cropping` parameter of `Cropping1D` layer must be smaller than the "
                         "input length. Received: input_shape=",
                         shape_str(shape), ", cropping=", pairs_str<N>(c)));
  }
  throw ValueError(str(head,
                       "Values in `cropping` argument should be smaller than the corresponding "
                       "spatial dimension of the input. Received: input_shape=",
                       shape_str(shape), ", cropping=", pairs_str<N>(c)));
}

}  // namespace

// ---- ZeroPadding ----

template <int N>
ZeroPaddingImpl<N>::ZeroPaddingImpl(const SpatialPadding& padding, ZeroPaddingOptions options)
    : Layer(
          std::move(options.name), prefix("zero_padding", N), optional_shape(options.input_shape)),
      padding_(standardize_pairs<N>(padding, "padding")),
      data_format_(std::move(options.data_format)) {
  check_data_format(data_format_, N, false);
  input_spec_ = {InputSpec{.ndim = N + 2}};
}

template <int N>
std::vector<Shape> ZeroPaddingImpl<N>::compute_output_shape(const std::vector<Shape>& in) const {
  Shape out = in[0];
  for (int i = 0; i < N; ++i) {
    int64_t& d = out[spatial_axis(i, data_format_)];
    const PadPair& p = padding_[static_cast<size_t>(i)];
    if (d != kNone) d = checked_add(d, checked_add(p.before, p.after, "padding"), "padding");
  }
  return {out};
}

template <int N>
std::vector<DType> ZeroPaddingImpl<N>::compute_output_dtype(const std::vector<DType>& in,
                                                            size_t num_outputs) const {
  return std::vector<DType>(num_outputs, autocast(in.at(0), dtype()));
}

template <int N>
Tensors ZeroPaddingImpl<N>::call(const Tensors& inputs, bool) {
  const Tensor x = ops::cast(inputs[0], autocast(inputs[0].dtype(), dtype()));
  std::vector<std::pair<int64_t, int64_t>> widths(static_cast<size_t>(x.rank()), {0, 0});
  for (int i = 0; i < N; ++i) {
    const PadPair& p = padding_[static_cast<size_t>(i)];
    widths[spatial_axis(i, data_format_)] = {p.before, p.after};
  }
  return {ops::pad(x, widths)};
}

// ---- Cropping ----

template <int N>
CroppingImpl<N>::CroppingImpl(const SpatialPadding& cropping, CroppingOptions options)
    : Layer(std::move(options.name), prefix("cropping", N), optional_shape(options.input_shape)),
      cropping_(standardize_pairs<N>(cropping, "cropping")),
      data_format_(std::move(options.data_format)) {
  check_data_format(data_format_, N, N == 1);
  input_spec_ = {InputSpec{.ndim = N + 2}};
}

template <int N>
std::vector<Shape> CroppingImpl<N>::compute_output_shape(const std::vector<Shape>& in) const {
  check_cropping<N>(*this, in[0], cropping_, data_format_);
  Shape out = in[0];
  for (int i = 0; i < N; ++i) {
    int64_t& d = out[spatial_axis(i, data_format_)];
    const PadPair& p = cropping_[static_cast<size_t>(i)];
    if (d != kNone) d -= p.before + p.after;
  }
  return {out};
}

template <int N>
std::vector<DType> CroppingImpl<N>::compute_output_dtype(const std::vector<DType>& in,
                                                         size_t num_outputs) const {
  return std::vector<DType>(num_outputs, autocast(in.at(0), dtype()));
}

template <int N>
Tensors CroppingImpl<N>::call(const Tensors& inputs, bool) {
  Tensor x = ops::cast(inputs[0], autocast(inputs[0].dtype(), dtype()));
  check_cropping<N>(*this, x.shape(), cropping_, data_format_);
  for (int i = 0; i < N; ++i) {
    const size_t axis = spatial_axis(i, data_format_);
    const PadPair& p = cropping_[static_cast<size_t>(i)];
    if (p.before == 0 && p.after == 0) continue;
    x = ops::slice_axis(x, static_cast<int>(axis), p.before, x.shape()[axis] - p.before - p.after);
  }
  return {x};
}

// ---- UpSampling ----

template <int N>
UpSamplingImpl<N>::UpSamplingImpl(const SpatialSize& size, UpSamplingOptions options)
    : Layer(std::move(options.name), prefix("up_sampling", N), optional_shape(options.input_shape)),
      size_(standardize_size<N>(size)),
      data_format_(std::move(options.data_format)),
      interpolation_(std::move(options.interpolation)) {
  check_data_format(data_format_, N, N == 1);
  std::transform(interpolation_.begin(), interpolation_.end(), interpolation_.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (N == 2) {
    ops::image::check_resize_interpolation(interpolation_);
  } else {
    KERAS_CHECK(interpolation_ == "nearest", ValueError, "UpSampling", N, "D: interpolation \"",
                interpolation_, "\" is not supported; only \"nearest\" is implemented");
  }
  input_spec_ = {InputSpec{.ndim = N + 2}};
}

template <int N>
std::vector<Shape> UpSamplingImpl<N>::compute_output_shape(const std::vector<Shape>& in) const {
  Shape out = in[0];
  for (int i = 0; i < N; ++i) {
    int64_t& d = out[spatial_axis(i, data_format_)];
    if (d != kNone) d = checked_mul(d, size_[static_cast<size_t>(i)], "UpSampling");
  }
  return {out};
}

template <int N>
std::vector<DType> UpSamplingImpl<N>::compute_output_dtype(const std::vector<DType>& in,
                                                           size_t num_outputs) const {
  return std::vector<DType>(num_outputs, autocast(in.at(0), dtype()));
}

template <int N>
Tensors UpSamplingImpl<N>::call(const Tensors& inputs, bool) {
  Tensor x = ops::cast(inputs[0], autocast(inputs[0].dtype(), dtype()));
  if (interpolation_ != "nearest") {
    const size_t ha = spatial_axis(0, data_format_), wa = spatial_axis(1, data_format_);
    return {ops::image::resize(x, {x.shape()[ha] * size_[0], x.shape()[wa] * size_[1]},
                               {.interpolation = interpolation_, .data_format = data_format_})};
  }
  for (int i = 0; i < N; ++i) {
    x = ops::repeat(x, size_[static_cast<size_t>(i)],
                    static_cast<int>(spatial_axis(i, data_format_)));
  }
  return {x};
}

// ---- saving ----

namespace {

// Amounts as Keras writes them: (before, after) for 1D, ((b, a), ...) for 2D and 3D.
template <int N>
Json pairs_to_json(const std::array<PadPair, N>& pairs) {
  auto one = [](const PadPair& p) { return Json::array({p.before, p.after}); };
  if (N == 1) return one(pairs[0]);
  Json out = Json::array();
  for (const PadPair& p : pairs) out.push_back(one(p));
  return out;
}

// Reads what Keras accepts: an int, a (before, after) pair for 1D, or N entries each an int or a
// pair for 2D and 3D. The layer's constructor checks counts and signs.
template <int N>
SpatialPadding pairs_from_json(const Json& c, const char* key, int64_t fallback, const char* w) {
  const Json* j = config::find(c, key);
  if (j == nullptr) return SpatialPadding(fallback);
  if (!j->is_array()) return SpatialPadding(config::convert<int64_t>(*j, key, w));
  auto pair = [&](const Json& e) {
    const std::vector<int64_t> v = config_util::int_list(e, key, w);
    KERAS_CHECK(v.size() == 1 || v.size() == 2, ValueError, w, ": config key '", key,
                "' has an invalid value ", config::json_excerpt(e));
    return v.size() == 1 ? PadPair(v[0]) : PadPair(v[0], v[1]);
  };
  if (N == 1) return SpatialPadding{pair(*j)};
  KERAS_CHECK(j->size() <= config_util::kMaxAxes, ValueError, w, ": config key '", key,
              "' has too many entries");
  SpatialPadding out(0);
  out.uniform.reset();
  for (const Json& e : *j) out.per_axis.push_back(pair(e));
  return out;
}

}  // namespace

template <int N>
Json ZeroPaddingImpl<N>::get_config() const {
  Json config = Layer::get_config();
  config["padding"] = pairs_to_json<N>(padding_);
  config["data_format"] = data_format_;
  return config;
}

template <int N>
std::shared_ptr<Layer> ZeroPaddingImpl<N>::from_config(const Json& c) {
  const std::string cls = "ZeroPadding" + std::to_string(N) + "D";
  const char* w = cls.c_str();
  auto layer = std::make_shared<ZeroPaddingImpl<N>>(
      pairs_from_json<N>(c, "padding", 1, w),
      ZeroPaddingOptions{
          .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
          .name = config::get<std::string>(c, "name", "", w),
      });
  layer->apply_base_config(c);
  return layer;
}

template <int N>
Json CroppingImpl<N>::get_config() const {
  Json config = Layer::get_config();
  config["cropping"] = pairs_to_json<N>(cropping_);
  if (N > 1) config["data_format"] = data_format_;
  return config;
}

template <int N>
std::shared_ptr<Layer> CroppingImpl<N>::from_config(const Json& c) {
  const std::string cls = "Cropping" + std::to_string(N) + "D";
  const char* w = cls.c_str();
  auto layer = std::make_shared<CroppingImpl<N>>(
      pairs_from_json<N>(c, "cropping", N == 2 ? 0 : 1, w),
      CroppingOptions{
          .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
          .name = config::get<std::string>(c, "name", "", w),
      });
  layer->apply_base_config(c);
  return layer;
}

template <int N>
Json UpSamplingImpl<N>::get_config() const {
  Json config = Layer::get_config();
  if (N == 1) {
    config["size"] = size_[0];
    return config;
  }
  config["size"] = config_util::to_json(std::vector<int64_t>(size_.begin(), size_.end()));
  config["data_format"] = data_format_;
  if (N == 2) config["interpolation"] = interpolation_;
  return config;
}

template <int N>
std::shared_ptr<Layer> UpSamplingImpl<N>::from_config(const Json& c) {
  const std::string cls = "UpSampling" + std::to_string(N) + "D";
  const char* w = cls.c_str();
  const std::vector<int64_t> v = config_util::int_list(c, "size", {2}, w);
  SpatialSize size(v.size() == 1 ? v[0] : 0);
  if (v.size() != 1) {
    size.uniform.reset();
    size.per_axis = v;
  }
  auto layer = std::make_shared<UpSamplingImpl<N>>(
      size, UpSamplingOptions{
                .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
                .interpolation = config::get<std::string>(c, "interpolation", "nearest", w),
                .name = config::get<std::string>(c, "name", "", w),
            });
  layer->apply_base_config(c);
  return layer;
}

template class ZeroPaddingImpl<1>;
template class ZeroPaddingImpl<2>;
template class ZeroPaddingImpl<3>;
template class CroppingImpl<1>;
template class CroppingImpl<2>;
template class CroppingImpl<3>;
template class UpSamplingImpl<1>;
template class UpSamplingImpl<2>;
template class UpSamplingImpl<3>;

}  // namespace keras::layers
