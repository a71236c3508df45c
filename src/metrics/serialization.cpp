#include "keras/metrics/serialization.h"

#include "keras/config/json.h"
#include "keras/metrics/metrics.h"
#include "metrics/wrapped.h"

namespace keras::metrics {
namespace {

using config::get;

std::vector<double> thresholds_from(const Json& c) {
  const Json* t = config::find(c, "thresholds");
  if (t == nullptr) return {};
  if (t->is_number()) return {t->get<double>()};
  return config::convert<std::vector<double>>(*t, "thresholds", "metric");
}

std::optional<int> optional_int(const Json& c, const char* key) {
  const Json* v = config::find(c, key);
  if (v == nullptr) return std::nullopt;
  return config::convert<int>(*v, key, "metric");
}

std::optional<std::string> optional_string(const Json& c, const char* key, const char* fallback) {
  if (!c.contains(key)) return fallback == nullptr ? std::nullopt : std::optional(fallback);
  const Json* v = config::find(c, key);
  if (v == nullptr) return std::nullopt;
  return config::convert<std::string>(*v, key, "metric");
}

std::optional<double> optional_double(const Json& c, const char* key) {
  const Json* v = config::find(c, key);
  if (v == nullptr) return std::nullopt;
  return config::convert<double>(*v, key, "metric");
}

DType iou_dtype(const Json& c) {
  const Json* policy = config::find(c, "dtype");  // a name, or a serialized DTypePolicy
  const std::string d =
      policy == nullptr ? "int32"
      : policy->is_object()
          ? config::require<std::string>(config::value(*policy, "config", Json::object()), "name",
                                         "metric dtype")
          : config::convert<std::string>(*policy, "dtype", "metric");
  return d == "int" ? int32 : dtype_from_name(d);
}

// Options keras.cpp does not implement must be at Keras's defaults (a metric that silently did
// something else would be worse than an error).
void require_default(const Json& c, const char* key, const Json& fallback, const std::string& cls) {
  const Json v = config::value(c, key, fallback);
  KERAS_CHECK(v == fallback, NotImplementedError, cls, ": keras.cpp does not support ", key, "=",
              config::json_excerpt(v, 100), " (only ", fallback.dump(), ")");
}

}  // namespace

Json serialize(const Metric& metric) {
  return Json{{"module", "keras.metrics"},
              {"class_name", metric.class_name()},
              {"config", metric.get_config()},
              {"registered_name", nullptr}};
}

MetricPtr deserialize(const Json& j) {
  KERAS_CHECK(j.is_object(), ValueError,
              "Could not interpret metric identifier: ", config::json_excerpt(j, 100));
  const auto cls = config::require<std::string>(j, "class_name", "metric");
  const Json c = config::value(j, "config", Json::object());
  const std::string name = get<std::string>(c, "name", "", "metric");
  auto flag = [&](const char* key, bool fallback) { return get<bool>(c, key, fallback, "metric"); };
  if (cls == "Mean") return std::make_shared<Mean>(name.empty() ? "mean" : name);
  if (cls == "Sum") return std::make_shared<Sum>(name.empty() ? "sum" : name);
  if (cls == "RootMeanSquaredError") {
    return std::make_shared<RootMeanSquaredError>(name.empty() ? "root_mean_squared_error" : name);
  }
  if (cls == "R2Score") {
    return std::make_shared<R2Score>(R2ScoreOptions{
        .class_aggregation = optional_string(c, "class_aggregation", "uniform_average"),
        .num_regressors = get<int>(c, "num_regressors", 0, "metric"),
        .name = name.empty() ? "r2_score" : name});
  }
  if (cls == "Precision" || cls == "Recall") {
    PrecisionOptions o{.thresholds = thresholds_from(c),
                       .top_k = optional_int(c, "top_k"),
                       .class_id = optional_int(c, "class_id"),
                       .name = name};
    return cls == "Precision" ? Precision(std::move(o)) : Recall(std::move(o));
  }
  if (cls == "TruePositives" || cls == "FalsePositives" || cls == "TrueNegatives" ||
      cls == "FalseNegatives") {
    ConfusionCountOptions o{.thresholds = thresholds_from(c), .name = name};
    if (cls == "TruePositives") return TruePositives(std::move(o));
    if (cls == "FalsePositives") return FalsePositives(std::move(o));
    if (cls == "TrueNegatives") return TrueNegatives(std::move(o));
    return FalseNegatives(std::move(o));
  }
  if (cls == "AUC") {
    const Json* labels = config::find(c, "label_weights");
    if (labels != nullptr && labels->is_null()) labels = nullptr;
    // Keras writes a label_weights array as {"class_name": "__tensor__", "config": {"value": ..}}.
    if (labels != nullptr && labels->is_object()) {
      const Json* inner = config::find(*labels, "config");
      labels = inner != nullptr && inner->is_object() ? config::find(*inner, "value") : nullptr;
      KERAS_CHECK(labels != nullptr, ValueError,
                  "metric: config key 'label_weights' has an invalid value");
    }
    return std::make_shared<AUC>(AUCOptions{
        .num_thresholds = get<int>(c, "num_thresholds", 200, "metric"),
        .curve = get<std::string>(c, "curve", "ROC", "metric"),
        .summation_method = get<std::string>(c, "summation_method", "interpolation", "metric"),
        .name = name,
        .thresholds = thresholds_from(c),
        .multi_label = flag("multi_label", false),
        .num_labels = optional_int(c, "num_labels"),
        .label_weights = labels == nullptr ? std::vector<double>{}
                                           : config::convert<std::vector<double>>(
                                                 *labels, "label_weights", "metric"),
        .from_logits = flag("from_logits", false)});
  }
  if (cls == "SensitivityAtSpecificity" || cls == "SpecificityAtSensitivity" ||
      cls == "PrecisionAtRecall" || cls == "RecallAtPrecision") {
    const SensitivitySpecificityOptions o{
        .num_thresholds = get<int>(c, "num_thresholds", 200, "metric"),
        .class_id = optional_int(c, "class_id"),
        .name = name};
    auto target = [&](const char* key) { return config::require<double>(c, key, "metric"); };
    if (cls == "SensitivityAtSpecificity")
      return SensitivityAtSpecificity(target("specificity"), o);
    if (cls == "SpecificityAtSensitivity")
      return SpecificityAtSensitivity(target("sensitivity"), o);
    if (cls == "PrecisionAtRecall") return PrecisionAtRecall(target("recall"), o);
    return RecallAtPrecision(target("precision"), o);
  }
  if (cls == "F1Score" || cls == "FBetaScore") {
    const auto average = optional_string(c, "average", nullptr);
    const auto threshold = optional_double(c, "threshold");
    if (cls == "F1Score") {
      return F1Score(
          {.average = average, .threshold = threshold, .name = name.empty() ? "f1_score" : name});
    }
    return FBetaScore({.average = average,
                       .beta = get<double>(c, "beta", 1.0, "metric"),
                       .threshold = threshold,
                       .name = name.empty() ? "fbeta_score" : name});
  }
  if (cls == "IoU" || cls == "MeanIoU" || cls == "OneHotIoU" || cls == "OneHotMeanIoU") {
    const auto num_classes = config::require<int64_t>(c, "num_classes", "metric");
    const auto ids = get<std::vector<int64_t>>(c, "target_class_ids", {}, "metric");
    const auto ignore = optional_int(c, "ignore_class");
    const DType dtype = iou_dtype(c);
    const int axis = get<int>(c, "axis", -1, "metric");
    if (cls == "IoU") {
      return IoU({num_classes, ids, name, dtype, ignore, flag("sparse_y_true", true),
                  flag("sparse_y_pred", true), axis});
    }
    if (cls == "MeanIoU") {
      return MeanIoU({num_classes, name, dtype, ignore, flag("sparse_y_true", true),
                      flag("sparse_y_pred", true), axis});
    }
    if (cls == "OneHotIoU") {
      return OneHotIoU({num_classes, ids, name, dtype, ignore, flag("sparse_y_pred", false), axis});
    }
    return OneHotMeanIoU({num_classes, name, dtype, ignore, flag("sparse_y_pred", false), axis});
  }
  if (cls == "BinaryIoU") {
    return BinaryIoU(
        {.target_class_ids = get<std::vector<int64_t>>(c, "target_class_ids", {0, 1}, "metric"),
         .threshold = get<double>(c, "threshold", 0.5, "metric"),
         .name = name,
         .dtype = iou_dtype(c)});
  }
  const std::string n = name;  // the wrappers: Keras's default names when missing
  auto or_default = [&](const char* d) { return n.empty() ? std::string(d) : n; };
  if (cls == "BinaryAccuracy") {
    return BinaryAccuracy({.name = or_default("binary_accuracy"),
                           .threshold = get<double>(c, "threshold", 0.5, "metric")});
  }
  if (cls == "TopKCategoricalAccuracy") {
    return TopKCategoricalAccuracy(
        {.k = get<int>(c, "k", 5, "metric"), .name = or_default("top_k_categorical_accuracy")});
  }
  if (cls == "SparseTopKCategoricalAccuracy") {
    return SparseTopKCategoricalAccuracy({.k = get<int>(c, "k", 5, "metric"),
                                          .name = or_default("sparse_top_k_categorical_accuracy"),
                                          .from_sorted_ids = flag("from_sorted_ids", false)});
  }
  if (cls == "CosineSimilarity") return CosineSimilarity({.name = or_default("cosine_similarity")});
  // Read only by the classes that have them (another class's config may hold other values).
  const auto logits = [&] { return flag("from_logits", false); };
  const auto smoothing = [&] { return get<double>(c, "label_smoothing", 0.0, "metric"); };
  const auto axis = [&] { return get<int>(c, "axis", -1, "metric"); };
  if (cls == "BinaryCrossentropy") {
    require_default(c, "axis", -1, cls);
    return BinaryCrossentropy({.name = or_default("binary_crossentropy"),
                               .from_logits = logits(),
                               .label_smoothing = smoothing()});
  }
  if (cls == "CategoricalCrossentropy") {
    return CategoricalCrossentropy({.name = or_default("categorical_crossentropy"),
                                    .from_logits = logits(),
                                    .label_smoothing = smoothing(),
                                    .axis = axis()});
  }
  if (cls == "SparseCategoricalCrossentropy") {
    require_default(c, "label_smoothing", 0, cls);
    return SparseCategoricalCrossentropy({.name = or_default("sparse_categorical_crossentropy"),
                                          .from_logits = logits(),
                                          .ignore_class = optional_int(c, "ignore_class"),
                                          .axis = axis()});
  }
  if (cls == "PearsonCorrelation") return PearsonCorrelation({.name = n, .axis = axis()});
  if (cls == "ConcordanceCorrelation") return ConcordanceCorrelation({.name = n, .axis = axis()});
  // The rest take only a name.
  if (cls != "MeanMetricWrapper") {
    if (MetricPtr m = make_by_identifier(cls, name)) return m;
  }
  throw ValueError(str("Could not interpret metric identifier: ", config::json_excerpt(j, 100)));
}

}  // namespace keras::metrics
