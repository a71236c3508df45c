// Metric objects in Keras 3's serialized form ({"module": "keras.metrics", "class_name": ...,
// "config": {...}, "registered_name": null}), as compile_config saves them.
#pragma once

#include "keras/config/json_fwd.h"
#include "keras/metrics/metric.h"

namespace keras::metrics {

Json serialize(const Metric& metric);
// Every keras.cpp metric class from its config. Options keras.cpp does not implement (the
// crossentropies' from_logits, label_smoothing) throw NotImplementedError unless at Keras's
// defaults; MeanMetricWrapper (a Python function) and unknown classes throw ValueError.
MetricPtr deserialize(const Json& j);

}  // namespace keras::metrics
