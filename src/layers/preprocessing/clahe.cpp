#include "keras/layers/preprocessing/clahe.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {
namespace {

constexpr std::pair<double, double> k255{0.0, 255.0};
constexpr int kBins = 256;

// A value's bin: truncated toward zero and clipped to [0, 255] (JAX casts NaN to 0).
int bin_of(float v) {
  if (std::isnan(v)) return 0;
  return static_cast<int>(std::clamp(v, 0.0f, 255.0f));
}

// NumPy's "symmetric" padding index: the edge repeated, then the mirror image.
int64_t symmetric(int64_t i, int64_t n) {
  const int64_t m = i % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

struct Grid {
  int64_t rows, cols, tile_h, tile_w;
};

// One channel of one image (H x W values `stride` apart, in [0, 255]) equalized in place.
void clahe_channel(float* v, int64_t h, int64_t w, int64_t stride, const Grid& g, float limit) {
  const int64_t hp = g.tile_h * g.rows, wp = g.tile_w * g.cols;
  const auto at = [&](int64_t y, int64_t x) {
    return v[(symmetric(y, h) * w + symmetric(x, w)) * stride];
  };
  // Tables of the (rows + 2) x (cols + 2) tiles, the border ones copies of the edge tiles.
  const int64_t pr = g.rows + 2, pc = g.cols + 2;
  std::vector<float> tables(static_cast<size_t>(pr * pc * kBins));
  const auto count = static_cast<float>(g.tile_h * g.tile_w);
  std::vector<float> hist(kBins);
  for (int64_t ty = 0; ty < g.rows; ++ty) {
    for (int64_t tx = 0; tx < g.cols; ++tx) {
      std::fill(hist.begin(), hist.end(), 0.0f);
      for (int64_t y = ty * g.tile_h; y < (ty + 1) * g.tile_h; ++y) {
        for (int64_t x = tx * g.tile_w; x < (tx + 1) * g.tile_w; ++x) hist[bin_of(at(y, x))] += 1;
      }
      if (limit > 0) {
        float excess = 0;
        for (float& b : hist) {
          const float clipped = std::min(b, limit);
          excess += b - clipped;
          b = clipped;
        }
        for (float& b : hist) b += excess / 256.0f;
      }
      float* table = &tables[static_cast<size_t>(((ty + 1) * pc + tx + 1) * kBins)];
      float cdf = 0;
      for (int b = 0; b < kBins; ++b) table[b] = cdf += hist[b];
      const float cdf_min = *std::min_element(table, table + kBins);
      float denominator = count - cdf_min;
      if (denominator == 0) denominator = 1;
      for (int b = 0; b < kBins; ++b)
        table[b] = std::clamp((table[b] - cdf_min) * 255.0f / denominator, 0.0f, 255.0f);
    }
  }
  const auto table_of = [&](int64_t ty, int64_t tx) {
    return &tables[static_cast<size_t>((ty * pc + tx) * kBins)];
  };
  for (int64_t ty = 0; ty < pr; ++ty) {  // the border: copies of the nearest inner tile
    for (int64_t tx = 0; tx < pc; ++tx) {
      const int64_t sy = std::clamp<int64_t>(ty, 1, g.rows),
                    sx = std::clamp<int64_t>(tx, 1, g.cols);
      if (sy != ty || sx != tx) std::copy_n(table_of(sy, sx), kBins, table_of(ty, tx));
    }
  }
  // Each pixel: its value looked up in its four nearest tiles' tables, blended bilinearly.
  const auto axis = [](int64_t i, int64_t tile, int64_t tiles) {
    const float grid =
        (static_cast<float>(i) - static_cast<float>(tile) / 2.0f) / static_cast<float>(tile) + 1.0f;
    const float lo = std::floor(grid);
    const auto clip = [&](float t) {
      return static_cast<int64_t>(std::clamp(t, 0.0f, static_cast<float>(tiles + 1)));
    };
    return std::tuple<int64_t, int64_t, float>{clip(lo), clip(lo + 1.0f), grid - lo};
  };
  std::vector<float> out(static_cast<size_t>(h * w));
  for (int64_t y = 0; y < std::min(h, hp); ++y) {
    const auto [y0, y1, wy] = axis(y, g.tile_h, g.rows);
    for (int64_t x = 0; x < std::min(w, wp); ++x) {
      const auto [x0, x1, wx] = axis(x, g.tile_w, g.cols);
      const int p = bin_of(at(y, x));
      const float top = table_of(y0, x0)[p] * (1.0f - wx) + table_of(y0, x1)[p] * wx;
      const float bottom = table_of(y1, x0)[p] * (1.0f - wx) + table_of(y1, x1)[p] * wx;
      out[static_cast<size_t>(y * w + x)] = top * (1.0f - wy) + bottom * wy;
    }
  }
  for (int64_t i = 0; i < h * w; ++i) v[i * stride] = out[static_cast<size_t>(i)];
}

}  // namespace

ClaheImpl::ClaheImpl(ClaheOptions options)
    : ImageLayerImpl(options.name,
                     "contrast_limited_adaptive_histogram_equalization",
                     options.input_shape,
                     "ContrastLimitedAdaptiveHistogramEqualization",
                     options.data_format,
                     std::nullopt),
      options_(std::move(options)),
      range_(augmentation::value_range(options_.value_range,
                                       "ContrastLimitedAdaptiveHistogramEqualization")) {
  const std::vector<int64_t>& g = options_.tile_grid_size;
  KERAS_CHECK(g.size() == 2 && g[0] >= 1 && g[1] >= 1 && g[0] <= 4096 && g[1] <= 4096, ValueError,
              "ContrastLimitedAdaptiveHistogramEqualization: tile_grid_size must be two sizes in "
              "[1, 4096], got ",
              Json(g).dump());
  KERAS_CHECK(std::isfinite(options_.clip_limit), ValueError,
              "ContrastLimitedAdaptiveHistogramEqualization: clip_limit must be a finite number");
}

Tensors ClaheImpl::call(const Tensors& inputs, bool) {
  std::pair<int, int> axes;
  const Tensor x = images(inputs[0], &axes);
  const auto [ha, wa] = axes;
  const Tensor src = ops::cast(augmentation::transform_value_range(x, range_, k255), float32);
  const Shape& s = src.shape();
  const int64_t h = s[static_cast<size_t>(ha)], w = s[static_cast<size_t>(wa)];
  const int c_axis = augmentation::channel_axis(src.rank(), data_format());
  const int64_t channels = s[static_cast<size_t>(c_axis)];
  const bool last = c_axis == src.rank() - 1;
  const int64_t batch = src.rank() == 4 ? s[0] : 1;
  const Grid g{options_.tile_grid_size[0], options_.tile_grid_size[1],
               (h + options_.tile_grid_size[0] - 1) / options_.tile_grid_size[0],
               (w + options_.tile_grid_size[1] - 1) / options_.tile_grid_size[1]};
  const float limit = options_.clip_limit > 0
                          ? static_cast<float>(options_.clip_limit *
                                               static_cast<double>(g.tile_h * g.tile_w) / 256.0)
                          : 0.0f;
  // The tables depend on the values: computed on a host copy at every run.
  const Tensor out = augmentation::on_host_copy(src, [=](float* data) {
    if (h == 0 || w == 0) return;
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t c = 0; c < channels; ++c) {
        float* first = last ? data + b * h * w * channels + c : data + (b * channels + c) * h * w;
        clahe_channel(first, h, w, last ? channels : 1, g, limit);
      }
    }
  });
  return {ops::cast(augmentation::transform_value_range(out, k255, range_), dtype())};
}

Json ClaheImpl::get_config() const {
  Json config = image_config();
  config["value_range"] = Json::array({range_.first, range_.second});
  config["clip_limit"] = options_.clip_limit;
  config["tile_grid_size"] = options_.tile_grid_size;
  return config;
}

std::shared_ptr<Layer> ClaheImpl::from_config(const Json& c) {
  const char* w = "ContrastLimitedAdaptiveHistogramEqualization";
  auto layer = std::make_shared<ClaheImpl>(ClaheOptions{
      .value_range = augmentation::value_range_from_config(c, w),
      .clip_limit = config::get<double>(c, "clip_limit", 4.0, w),
      .tile_grid_size = config::get<std::vector<int64_t>>(c, "tile_grid_size", {8, 8}, w),
      .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
      .name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
