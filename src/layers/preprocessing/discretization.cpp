#include "keras/layers/preprocessing/discretization.h"

#include <algorithm>
#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/categorical.h"

namespace keras::layers {

namespace {

// Keras's quantile summary: values and weights (float32, as NumPy keeps them there).
struct Summary {
  std::vector<float> values, weights;
};

// np.interp(x, xp, fp) in float64, NumPy's formula (its exact-hit and end rules included).
double interp(double x, const std::vector<double>& xp, const std::vector<double>& fp) {
  const size_t n = xp.size();
  if (x > xp[n - 1]) return fp[n - 1];
  if (x < xp[0]) return fp[0];
  const size_t j = static_cast<size_t>(std::upper_bound(xp.begin(), xp.end(), x) - xp.begin()) - 1;
  if (j == n - 1 || xp[j] == x) return fp[j];
  const double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
  double y = slope * (x - xp[j]) + fp[j];
  if (std::isnan(y)) {
    y = slope * (x - xp[j + 1]) + fp[j + 1];
    if (std::isnan(y) && fp[j] == fp[j + 1]) y = fp[j];
  }
  return y;
}

// Keras's compress_summary: the summary re-binned at every `epsilon` of its cumulative weight.
Summary compress(const Summary& s, double epsilon) {
  if (static_cast<double>(s.values.size()) * epsilon < 1) return s;
  std::vector<double> cum_percent(s.weights.size()), cum(s.weights.size()), values(s.values.size());
  float total = 0;
  for (size_t i = 0; i < s.weights.size(); ++i) cum[i] = total += s.weights[i];  // float32 cumsum
  for (size_t i = 0; i < cum.size(); ++i) {
    cum_percent[i] = static_cast<float>(cum[i]) / total;
    values[i] = s.values[i];
  }
  Summary out;
  const auto count = static_cast<int64_t>(std::ceil(1.0 / epsilon));  // np.arange(0, 1, epsilon)
  double previous = 0;
  for (int64_t i = 0; i < count; ++i) {
    const double percent = epsilon + static_cast<double>(i) * epsilon;
    out.values.push_back(static_cast<float>(interp(percent, cum_percent, values)));
    const double w = interp(percent, cum_percent, cum);
    out.weights.push_back(static_cast<float>(w - previous));
    previous = w;
  }
  return out;
}

}  // namespace

DiscretizationImpl::DiscretizationImpl(DiscretizationOptions options)
    : Layer(options.name,
            "discretization",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {
  options_.output_mode = categorical::standard_mode(options_.output_mode);
  const std::string& mode = options_.output_mode;
  KERAS_CHECK(!(options_.sparse && mode == "int"), ValueError,
              "`sparse=True` may only be used if `output_mode` is `'one_hot'`, `'multi_hot'`, or "
              "`'count'`. Received: sparse=True and output_mode=",
              mode);
  KERAS_CHECK(mode == "int" || mode == "one_hot" || mode == "multi_hot" || mode == "count",
              ValueError,
              "The `output_mode` argument value must be one of ['int', 'one_hot', 'multi_hot', "
              "'count']. Received: ",
              mode);
  KERAS_CHECK(!options_.sparse, NotImplementedError,
              "Discretization: sparse=True needs sparse tensors, which keras.cpp does not have");
  KERAS_CHECK(!options_.num_bins || *options_.num_bins >= 0, ValueError,
              "`num_bins` must be greater than or equal to 0. Received: `num_bins=",
              options_.num_bins.value_or(0), "`");
  KERAS_CHECK(!(options_.num_bins && !options_.bin_boundaries.empty()), ValueError,
              "Both `num_bins` and `bin_boundaries` should not be set. Received: `num_bins=",
              options_.num_bins.value_or(0), "` and `bin_boundaries=...`");
  KERAS_CHECK(options_.num_bins || !options_.bin_boundaries.empty(), ValueError,
              "You need to set either `num_bins` or `bin_boundaries`.");
  if (!options_.num_bins) {
    boundaries_ = options_.bin_boundaries;
    ready_ = true;
  }
}

void DiscretizationImpl::adapt(const Tensor& data) {
  KERAS_CHECK(options_.num_bins.has_value(), ValueError,
              "Cannot adapt a Discretization layer that has been initialized with "
              "`bin_boundaries`, use `num_bins` instead.");
  const Tensor flat = data.astype(float32).cpu();
  std::vector<float> sorted(flat.data<float>(), flat.data<float>() + flat.size());
  KERAS_CHECK(!sorted.empty(), ValueError, "Discretization.adapt: the data has no values");
  std::sort(sorted.begin(), sorted.end());
  // Keras's summarize: every step-th sorted value, weighted by step.
  const double step = std::max(static_cast<double>(sorted.size()) / (1.0 / options_.epsilon), 1.0);
  Summary s;
  const auto stride = static_cast<size_t>(step);
  for (auto i = static_cast<size_t>(step - 1); i < sorted.size(); i += stride) {
    s.values.push_back(sorted[i]);
    s.weights.push_back(static_cast<float>(step));
  }
  s = compress(s, options_.epsilon);  // merged with the empty summary of a fresh adapt()
  const Summary bins = compress(s, 1.0 / static_cast<double>(*options_.num_bins));
  boundaries_.assign(bins.values.begin(),
                     bins.values.empty() ? bins.values.end() : bins.values.end() - 1);
  ready_ = true;
}

Tensors DiscretizationImpl::call(const Tensors& inputs, bool) {
  KERAS_CHECK(ready_, ValueError,
              "You need to either pass the `bin_boundaries` argument at construction time or call "
              "`adapt(dataset)` before you can start using the `Discretization` layer.");
  const Tensor x = inputs[0].dtype() == float32 ? inputs[0] : ops::cast(inputs[0], float32);
  Tensor bins;
  if (boundaries_.empty()) {
    bins = ops::cast(ops::zeros_like(x), int32);
  } else {
    // The number of boundaries b with !(x < b): NumPy's digitize, NaN past the last.
    const Tensor b = Tensor::from_vector(std::vector<float>(boundaries_.begin(), boundaries_.end()),
                                         {static_cast<int64_t>(boundaries_.size())})
                         .to(x.device());
    const Tensor above = ops::logical_not(ops::less(ops::expand_dims(x, -1), b));
    bins = ops::cast(ops::sum(ops::cast(above, int32), {-1}), int32);
  }
  if (options_.output_mode == "int") return {bins};
  return {categorical::encode(bins, options_.output_mode, depth(), dtype(), "Discretization")};
}

std::vector<Shape> DiscretizationImpl::compute_output_shape(const std::vector<Shape>& in) const {
  if (options_.output_mode == "int") return {in[0]};
  return {categorical::output_shape(in[0], options_.output_mode, depth(), "Discretization")};
}

std::vector<DType> DiscretizationImpl::compute_output_dtype(const std::vector<DType>&,
                                                            size_t) const {
  return {options_.output_mode == "int" ? int32 : dtype()};
}

Json DiscretizationImpl::get_config() const {
  Json config = Layer::get_config();
  config.erase("trainable");  // Keras's Discretization takes no other keyword (a TypeError there)
  config["bin_boundaries"] = ready_ ? Json(boundaries_) : Json(nullptr);
  config["num_bins"] = options_.num_bins ? Json(*options_.num_bins) : Json(nullptr);
  config["epsilon"] = options_.epsilon;
  config["output_mode"] = options_.output_mode;
  config["sparse"] = options_.sparse;
  return config;
}

std::shared_ptr<Layer> DiscretizationImpl::from_config(const Json& c) {
  const char* w = "Discretization";
  const Json* b = config::find(c, "bin_boundaries");
  const Json* n = config::find(c, "num_bins");
  std::vector<double> boundaries;
  if (b != nullptr && !b->is_null()) {
    boundaries = config::convert<std::vector<double>>(*b, "bin_boundaries", w);
  }
  std::optional<int64_t> num_bins;
  if (n != nullptr && !n->is_null()) num_bins = config::convert<int64_t>(*n, "num_bins", w);
  // An adapted layer has both (Keras's from_config sets the boundaries after construction).
  auto layer = std::make_shared<DiscretizationImpl>(
      DiscretizationOptions{.bin_boundaries = num_bins ? std::vector<double>{} : boundaries,
                            .num_bins = num_bins,
                            .epsilon = config::get<double>(c, "epsilon", 0.01, w),
                            .output_mode = config::get<std::string>(c, "output_mode", "int", w),
                            .sparse = config::get<bool>(c, "sparse", false, w),
                            .name = config::get<std::string>(c, "name", "", w)});
  if (num_bins && b != nullptr && !b->is_null()) {
    layer->boundaries_ = boundaries;
    layer->ready_ = true;
  }
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
