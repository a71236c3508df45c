// A MeanMetricWrapper with Keras's class name and config (the metrics Keras defines that way).
#pragma once

#include <string>

#include "keras/config/json.h"
#include "keras/metrics/metric.h"

namespace keras::metrics {

class KerasMeanMetric : public MeanMetricWrapper {
 public:
  KerasMeanMetric(std::string class_name, std::string name, Fn fn, Json extra_config)
      : MeanMetricWrapper(std::move(name), std::move(fn)),
        class_name_(std::move(class_name)),
        extra_(std::move(extra_config)) {}
  std::string class_name() const override { return class_name_; }
  Json get_config() const override {
    Json config = MeanMetricWrapper::get_config();
    if (extra_.is_object()) config.update(extra_);
    return config;
  }

 private:
  std::string class_name_;
  Json extra_;
};

inline MetricPtr keras_mean_metric(std::string class_name,
                                   std::string name,
                                   MeanMetricWrapper::Fn fn,
                                   Json extra_config = nullptr) {
  return std::make_shared<KerasMeanMetric>(std::move(class_name), std::move(name), std::move(fn),
                                           std::move(extra_config));
}

// The metric keras.metrics.get resolves `identifier` to (a class or snake_case name, not
// "accuracy"'s shape rule), named `name` (empty: `identifier`); nullptr when unknown.
MetricPtr make_by_identifier(std::string_view identifier, const std::string& name);

// Whether `from` broadcasts to exactly `to` (NumPy's rules).
bool broadcasts_to(const Shape& from, const Shape& to);

// Python's repr of a float: 0.5, 2.0, 1e-07.
std::string py_float(double v);

}  // namespace keras::metrics
