#include "keras/layers/preprocessing/mix_up.h"

#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {
namespace {

// Column `c` of the (B, k) draws as (B, 1, 1, 1), in x's dtype.
Tensor per_image(const Tensor& draws, int64_t c, const Tensor& x) {
  return ops::cast(ops::reshape(ops::slice_axis(draws, 1, c, 1), {x.shape()[0], 1, 1, 1}),
                   x.dtype());
}

// The batch reordered by the permutation in column 0 of the draws.
Tensor permuted(const Tensor& x, const Tensor& draws) {
  return ops::take(
      x, ops::cast(ops::reshape(ops::slice_axis(draws, 1, 0, 1), {x.shape()[0]}), int64), 0);
}

}  // namespace

// ---- MixUp ----
MixUpImpl::MixUpImpl(double alpha, MixUpOptions options)
    : ImageLayerImpl(
          options.name, "mix_up", options.input_shape, "MixUp", options.data_format, options.seed),
      alpha_(alpha),
      options_(std::move(options)) {
  KERAS_CHECK(alpha_ > 0.0 && std::isfinite(alpha_), ValueError,
              "MixUp: alpha must be positive (the Beta distribution's parameter), got ", alpha_);
}

Tensors MixUpImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = images(inputs[0]);
  if (!training || x.rank() == 3) return {x};
  const int64_t batch = x.shape()[0];
  const double alpha = alpha_;
  // Per image: the permutation's index, then the weight.
  const Tensor draws = augmentation::host_draws(
      {batch, 2}, x.device(), generator(), [batch, alpha](Generator& g, double* d) {
        augmentation::shuffled_indices(g, batch, d, 2);
        for (int64_t i = 0; i < batch; ++i)
          d[2 * i + 1] = augmentation::beta_sample(g, alpha, alpha);
      });
  const Tensor w = per_image(draws, 1, x);
  return {ops::add(ops::multiply(w, x), ops::multiply(ops::subtract(1.0, w), permuted(x, draws)))};
}

Json MixUpImpl::get_config() const {
  Json config = image_config();
  config["alpha"] = alpha_;
  config["seed"] = seed_json();
  return config;
}

std::shared_ptr<Layer> MixUpImpl::from_config(const Json& c) {
  const char* w = "MixUp";
  MixUpOptions o{.data_format = config::get<std::string>(c, "data_format", "channels_last", w),
                 .name = config::get<std::string>(c, "name", "", w)};
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  auto layer = std::make_shared<MixUpImpl>(config::get<double>(c, "alpha", 0.2, w), std::move(o));
  layer->apply_base_config(c);
  return layer;
}

// ---- CutMix ----
CutMixImpl::CutMixImpl(std::vector<double> factor, CutMixOptions options)
    : ImageLayerImpl(options.name,
                     "cut_mix",
                     options.input_shape,
                     "CutMix",
                     options.data_format,
                     options.seed),
      factor_(augmentation::factor_range(factor, 0.0, 1.0, "CutMix")),
      options_(std::move(options)) {}

Tensors CutMixImpl::call(const Tensors& inputs, bool training) {
  std::pair<int, int> axes;
  const Tensor x = images(inputs[0], &axes);
  const auto [ha, wa] = axes;
  if (!training || x.rank() == 3) return {x};
  const int64_t batch = x.shape()[0];
  const int64_t h = x.shape()[static_cast<size_t>(ha)], w = x.shape()[static_cast<size_t>(wa)];
  const auto [lo, hi] = factor_;
  // Per image: the permutation's index, then the box's x0, x1, y0, y1 (Keras's crop bounds).
  const Tensor draws = augmentation::host_draws(
      {batch, 5}, x.device(), generator(), [batch, lo, hi, h, w](Generator& g, double* d) {
        const double a = lo + g.next_double() * (hi - lo) + 1e-6;
        std::vector<double> ratio(static_cast<size_t>(batch));
        for (auto& r : ratio) r = std::sqrt(1.0 - augmentation::beta_sample(g, a, a));
        for (int c = 0; c < 2; ++c) {
          const auto length = static_cast<double>(c == 0 ? w : h);
          for (int64_t i = 0; i < batch; ++i) {
            const double side = ratio[static_cast<size_t>(i)] * length;
            const double start = g.next_double() * (length - side);
            d[5 * i + 1 + 2 * c] = start;
            d[5 * i + 2 + 2 * c] = start + side;
          }
        }
        augmentation::shuffled_indices(g, batch, d, 5);
      });
  const auto inside = [&](int axis, int64_t n, int64_t c) {
    const Tensor g = augmentation::positions(x, axis, n);
    return ops::logical_and(ops::greater_equal(g, per_image(draws, c, x)),
                            ops::less(g, per_image(draws, c + 1, x)));
  };
  const Tensor box = ops::logical_and(inside(wa, w, 1), inside(ha, h, 3));
  return {ops::where(box, permuted(x, draws), x)};
}

Json CutMixImpl::get_config() const {
  Json config = image_config();
  config["factor"] = Json::array({factor_.first, factor_.second});
  config["seed"] = seed_json();
  return config;
}

std::shared_ptr<Layer> CutMixImpl::from_config(const Json& c) {
  const char* w = "CutMix";
  CutMixOptions o{.data_format = config::get<std::string>(c, "data_format", "channels_last", w),
                  .name = config::get<std::string>(c, "name", "", w)};
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  std::vector<double> factor{1.0};
  if (config::find(c, "factor")) factor = augmentation::factor_from_json(c, w);
  auto layer = std::make_shared<CutMixImpl>(factor, std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
