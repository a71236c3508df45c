#include "keras/metrics/metrics.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include "metrics/wrapped.h"

namespace keras::metrics {
namespace {

enum class Kind { binary, sparse, categorical };

Kind classify(const Shape& t, const Shape& p) {
  if (!p.empty() && p.back() == 1) return Kind::binary;
  const bool sparse =
      t.size() < p.size() || (!t.empty() && !p.empty() && t.back() == 1 && p.back() > 1);
  return sparse ? Kind::sparse : Kind::categorical;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

using Factory = std::function<MetricPtr(const std::string& name)>;

// Keras 3's ALL_OBJECTS_DICT: class names, their snake_case forms and the aliases.
const std::map<std::string, Factory, std::less<>>& registry() {
  static const auto* table = [] {
    auto* m = new std::map<std::string, Factory, std::less<>>();
    auto add = [m](std::string cls, std::string snake, Factory f) {
      m->emplace(std::move(cls), f);
      m->emplace(std::move(snake), std::move(f));
    };
    auto missing = [](std::string cls, std::string args) {
      return [cls, args](const std::string&) -> MetricPtr {
        throw TypeError(str(cls, ".__init__() missing ", args));
      };
    };
    add("Mean", "mean", [](const std::string& n) { return std::make_shared<Mean>(n); });
    add("Sum", "sum", [](const std::string& n) { return std::make_shared<Sum>(n); });
    add("MeanMetricWrapper", "mean_metric_wrapper",
        missing("MeanMetricWrapper", "1 required positional argument: 'fn'"));
    add("MeanSquaredError", "mean_squared_error", MeanSquaredError);
    add("RootMeanSquaredError", "root_mean_squared_error",
        [](const std::string& n) { return std::make_shared<RootMeanSquaredError>(n); });
    add("MeanAbsoluteError", "mean_absolute_error", MeanAbsoluteError);
    add("MeanAbsolutePercentageError", "mean_absolute_percentage_error",
        MeanAbsolutePercentageError);
    add("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error",
        MeanSquaredLogarithmicError);
    add("CosineSimilarity", "cosine_similarity",
        [](const std::string& n) { return CosineSimilarity({.name = n}); });
    add("LogCoshError", "log_cosh_error", LogCoshError);
    add("R2Score", "r2_score",
        [](const std::string& n) { return std::make_shared<R2Score>(R2ScoreOptions{.name = n}); });
    add("AUC", "auc", [](const std::string& n) { return std::make_shared<AUC>(n); });
    add("SensitivityAtSpecificity", "sensitivity_at_specificity",
        missing("SensitivityAtSpecificity", "1 required positional argument: 'specificity'"));
    add("SpecificityAtSensitivity", "specificity_at_sensitivity",
        missing("SpecificityAtSensitivity", "1 required positional argument: 'sensitivity'"));
    add("PrecisionAtRecall", "precision_at_recall",
        missing("PrecisionAtRecall", "1 required positional argument: 'recall'"));
    add("RecallAtPrecision", "recall_at_precision",
        missing("RecallAtPrecision", "1 required positional argument: 'precision'"));
    add("FalseNegatives", "false_negatives",
        [](const std::string& n) { return FalseNegatives({.name = n}); });
    add("FalsePositives", "false_positives",
        [](const std::string& n) { return FalsePositives({.name = n}); });
    add("TrueNegatives", "true_negatives",
        [](const std::string& n) { return TrueNegatives({.name = n}); });
    add("TruePositives", "true_positives",
        [](const std::string& n) { return TruePositives({.name = n}); });
    add("Precision", "precision", [](const std::string& n) { return Precision({.name = n}); });
    add("Recall", "recall", [](const std::string& n) { return Recall({.name = n}); });
    add("Hinge", "hinge", Hinge);
    add("SquaredHinge", "squared_hinge", SquaredHinge);
    add("CategoricalHinge", "categorical_hinge", CategoricalHinge);
    add("KLDivergence", "kl_divergence", KLDivergence);
    add("Poisson", "poisson", Poisson);
    const auto bce = [](const std::string& n) { return BinaryCrossentropy({.name = n}); };
    add("BinaryCrossentropy", "binary_crossentropy", bce);
    add("CategoricalCrossentropy", "categorical_crossentropy",
        [](const std::string& n) { return CategoricalCrossentropy({.name = n}); });
    add("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy",
        [](const std::string& n) { return SparseCategoricalCrossentropy({.name = n}); });
    add("PearsonCorrelation", "pearson_correlation",
        [](const std::string& n) { return PearsonCorrelation({.name = n}); });
    add("ConcordanceCorrelation", "concordance_correlation",
        [](const std::string& n) { return ConcordanceCorrelation({.name = n}); });
    add("Accuracy", "accuracy", Accuracy);
    add("BinaryAccuracy", "binary_accuracy",
        [](const std::string& n) { return BinaryAccuracy({.name = n}); });
    add("CategoricalAccuracy", "categorical_accuracy", CategoricalAccuracy);
    add("SparseCategoricalAccuracy", "sparse_categorical_accuracy", SparseCategoricalAccuracy);
    add("TopKCategoricalAccuracy", "top_k_categorical_accuracy",
        [](const std::string& n) { return TopKCategoricalAccuracy({.name = n}); });
    add("SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy",
        [](const std::string& n) { return SparseTopKCategoricalAccuracy({.name = n}); });
    add("F1Score", "f1_score", [](const std::string& n) { return F1Score({.name = n}); });
    add("FBetaScore", "f_beta_score", [](const std::string& n) { return FBetaScore({.name = n}); });
    add("IoU", "io_u",
        missing("IoU", "2 required positional arguments: 'num_classes' and 'target_class_ids'"));
    add("BinaryIoU", "binary_io_u", [](const std::string& n) { return BinaryIoU({.name = n}); });
    add("MeanIoU", "mean_io_u",
        missing("MeanIoU", "1 required positional argument: 'num_classes'"));
    add("OneHotIoU", "one_hot_io_u",
        missing("OneHotIoU",
                "2 required positional arguments: 'num_classes' and 'target_class_ids'"));
    add("OneHotMeanIoU", "one_hot_mean_io_u",
        missing("OneHotMeanIoU", "1 required positional argument: 'num_classes'"));
    auto alias = [m](const char* lower_name, const char* upper_name, const Factory& f) {
      m->emplace(lower_name, f);
      m->emplace(upper_name, f);
    };
    alias("bce", "BCE", bce);
    alias("mse", "MSE", MeanSquaredError);
    alias("mae", "MAE", MeanAbsoluteError);
    alias("mape", "MAPE", MeanAbsolutePercentageError);
    alias("msle", "MSLE", MeanSquaredLogarithmicError);
    return m;
  }();
  return *table;
}

}  // namespace

MetricPtr make_by_identifier(std::string_view identifier, const std::string& name) {
  const auto& table = registry();
  auto it = table.find(identifier);
  if (it == table.end()) return nullptr;
  return it->second(name.empty() ? std::string(identifier) : name);
}

MetricPtr get(std::string_view name_in, const Shape& y_true_shape, const Shape& y_pred_shape) {
  const std::string name(name_in);
  const std::string l = lower(name);
  if (l == "accuracy" || l == "acc") {
    switch (classify(y_true_shape, y_pred_shape)) {
      case Kind::binary:
        return BinaryAccuracy({.name = name});
      case Kind::sparse:
        return SparseCategoricalAccuracy(name);
      case Kind::categorical:
        return CategoricalAccuracy(name);
    }
  }
  if (l == "crossentropy" || l == "ce") {
    switch (classify(y_true_shape, y_pred_shape)) {
      case Kind::binary:
        return BinaryCrossentropy({.name = name});
      case Kind::sparse:
        return SparseCategoricalCrossentropy({.name = name});
      case Kind::categorical:
        return CategoricalCrossentropy({.name = name});
    }
  }
  const auto& table = registry();
  if (auto it = table.find(name); it != table.end()) return it->second(name);
  throw ValueError(str("Could not interpret metric identifier: ", excerpt(name)));
}

void validate(std::string_view name) {
  (void)get(name, {kNone, 2}, {kNone, 2});
}

}  // namespace keras::metrics
