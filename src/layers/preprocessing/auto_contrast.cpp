#include "keras/layers/preprocessing/auto_contrast.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {
namespace {

constexpr std::pair<double, double> k255{0.0, 255.0};

// Equalization of one channel's n values at `v` (in [0, 255]) in place, as Keras 3 computes it in
// float32: the bin of a value is its scaled value truncated, clipped to the bins (NaN: bin 0).
void equalize(float* v, int64_t n, int64_t bins) {
  const auto fbins = static_cast<float>(bins - 1);
  const auto bin_of = [&](float scaled) -> size_t {
    if (!(scaled > 0.0f)) return 0;
    return scaled >= fbins ? static_cast<size_t>(bins - 1) : static_cast<size_t>(scaled);
  };
  std::vector<int64_t> hist(static_cast<size_t>(bins), 0);
  for (int64_t i = 0; i < n; ++i) ++hist[bin_of(v[i] * fbins / 255.0f)];
  if (std::count_if(hist.begin(), hist.end(), [](int64_t h) { return h > 0; }) <= 1) return;
  std::vector<int64_t> cdf(hist.size());
  int64_t sum = 0, cdf_min = -1;
  for (size_t b = 0; b < hist.size(); ++b) {
    cdf[b] = sum += hist[b];
    if (cdf_min < 0 && cdf[b] > 0) cdf_min = cdf[b];
  }
  const int64_t denominator = cdf.back() == cdf_min ? 1 : cdf.back() - cdf_min;
  std::vector<float> table(hist.size());
  for (size_t b = 0; b < hist.size(); ++b) {
    const float t = static_cast<float>((cdf[b] - cdf_min) * 255) / static_cast<float>(denominator);
    table[b] = std::fmin(std::fmax(std::nearbyint(t), 0.0f), 255.0f);
  }
  for (int64_t i = 0; i < n; ++i) v[i] = table[bin_of(v[i] / 255.0f * fbins)];
}

}  // namespace

// ---- AutoContrast ----
AutoContrastImpl::AutoContrastImpl(AutoContrastOptions options)
    : ImageLayerImpl(options.name,
                     "auto_contrast",
                     options.input_shape,
                     "AutoContrast",
                     options.data_format,
                     std::nullopt),
      options_(std::move(options)),
      range_(augmentation::value_range(options_.value_range, "AutoContrast")) {}

Tensors AutoContrastImpl::call(const Tensors& inputs, bool) {
  std::pair<int, int> axes;
  const Tensor x = images(inputs[0], &axes);
  const auto [ha, wa] = axes;
  const Tensor v = augmentation::transform_value_range(x, range_, k255);
  const Tensor low = ops::min(v, {ha, wa}, true), high = ops::max(v, {ha, wa}, true);
  // A constant channel divides by zero: NaN, which is replaced by the input, as Keras does.
  const Tensor scale = ops::divide(255.0, ops::subtract(high, low));
  const Tensor offset = ops::multiply(ops::negative(low), scale);
  const Tensor y = augmentation::transform_value_range(
      ops::clip(ops::add(ops::multiply(v, scale), offset), 0.0, 255.0), k255, range_);
  return {ops::where(ops::isnan(y), x, y)};
}

Json AutoContrastImpl::get_config() const {
  Json config = image_config();
  config["value_range"] = Json::array({range_.first, range_.second});
  return config;
}

std::shared_ptr<Layer> AutoContrastImpl::from_config(const Json& c) {
  const char* w = "AutoContrast";
  auto layer = std::make_shared<AutoContrastImpl>(AutoContrastOptions{
      .value_range = augmentation::value_range_from_config(c, w),
      .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
      .name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

// ---- Equalization ----
EqualizationImpl::EqualizationImpl(EqualizationOptions options)
    : ImageLayerImpl(options.name,
                     "equalization",
                     options.input_shape,
                     "Equalization",
                     options.data_format,
                     std::nullopt),
      options_(std::move(options)),
      range_(augmentation::value_range(options_.value_range, "Equalization")) {
  KERAS_CHECK(options_.bins >= 1 && options_.bins <= (int64_t{1} << 24), ValueError,
              "Equalization: bins must be in [1, 2^24], got ", options_.bins);
}

Tensors EqualizationImpl::call(const Tensors& inputs, bool training) {
  std::pair<int, int> axes;
  const Tensor x = images(inputs[0], &axes);
  if (!training) return {x};
  const auto [ha, wa] = axes;
  const Tensor src = ops::cast(augmentation::transform_value_range(x, range_, k255), float32);
  const Shape& s = src.shape();
  const int c_axis = augmentation::channel_axis(src.rank(), data_format());
  const int64_t channels = s[static_cast<size_t>(c_axis)];
  const int64_t inner =
      c_axis == src.rank() - 1 ? 1 : s[static_cast<size_t>(ha)] * s[static_cast<size_t>(wa)];
  const int64_t outer = src.size() / std::max<int64_t>(channels * inner, 1);
  const int64_t bins = options_.bins;
  // The tables depend on the values: computed on a host copy at every run, so that fit's
  // replayed steps equalize each batch anew.
  const Tensor out = augmentation::on_host_copy(src, [=](float* data) {
    std::vector<float> values(static_cast<size_t>(outer * inner));
    for (int64_t c = 0; c < channels; ++c) {
      // The channel's values: `outer` runs of `inner` contiguous ones, channels * inner apart.
      for (int64_t o = 0; o < outer; ++o)
        std::copy_n(data + (o * channels + c) * inner, inner, values.data() + o * inner);
      equalize(values.data(), outer * inner, bins);
      for (int64_t o = 0; o < outer; ++o)
        std::copy_n(values.data() + o * inner, inner, data + (o * channels + c) * inner);
    }
  });
  return {ops::cast(augmentation::transform_value_range(out, k255, range_), dtype())};
}

Json EqualizationImpl::get_config() const {
  Json config = image_config();
  config["bins"] = options_.bins;
  config["value_range"] = Json::array({range_.first, range_.second});
  return config;
}

std::shared_ptr<Layer> EqualizationImpl::from_config(const Json& c) {
  const char* w = "Equalization";
  auto layer = std::make_shared<EqualizationImpl>(EqualizationOptions{
      .value_range = augmentation::value_range_from_config(c, w),
      .bins = config::get<int64_t>(c, "bins", 256, w),
      .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
      .name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
