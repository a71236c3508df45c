#include "keras/utils/utils.h"

#include <cmath>

#include "keras/core/random.h"
#include "keras/layers/layer.h"
#include "keras/metrics/metric.h"

namespace keras::utils {

Tensor to_categorical(const Tensor& y_in, std::optional<int64_t> num_classes) {
  Tensor y = y_in;
  if (y.rank() >= 2 && y.shape().back() == 1)
    y = y.reshape(Shape(y.shape().begin(), y.shape().end() - 1));
  const Tensor labels = y.astype(float64).cpu();
  const double* p = labels.data<double>();
  int64_t max_label = -1;
  for (int64_t i = 0; i < labels.size(); ++i) {
    KERAS_CHECK(p[i] >= 0 && std::floor(p[i]) == p[i], ValueError,
                "to_categorical: labels must be non-negative integers, got ", p[i], " at index ",
                i);
    max_label = std::max(max_label, static_cast<int64_t>(p[i]));
  }
  const int64_t classes = num_classes.value_or(max_label + 1);
  KERAS_CHECK(classes > 0, ValueError, "to_categorical: num_classes must be positive, got ",
              classes);
  KERAS_CHECK(max_label < classes, ValueError, "to_categorical: label ", max_label,
              " is out of range for num_classes=", classes);
  Shape out = y.shape();
  out.push_back(classes);
  Tensor result = zeros(out, float32, Device::cpu());
  float* r = result.data<float>();
  for (int64_t i = 0; i < labels.size(); ++i) r[i * classes + static_cast<int64_t>(p[i])] = 1.0f;
  return result.to(y_in.device());
}

void set_random_seed(uint64_t seed) {
  global_generator().reseed(seed);
}

void clear_session() {
  layers::reset_uids();
  metrics::reset_uids();
}

}  // namespace keras::utils
