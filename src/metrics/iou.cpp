#include "keras/metrics/iou.h"

#include <algorithm>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "metrics/wrapped.h"

namespace keras::metrics {
namespace {

using namespace keras::ops;

Json ids_json(const std::vector<int64_t>& ids) {
  Json j = Json::array();
  for (int64_t id : ids) j.push_back(id);
  return j;
}

class IoUMetric : public Metric {
 public:
  struct Config {
    std::string class_name, prefix;
    int64_t num_classes;
    std::vector<int64_t> target_class_ids;
    DType dtype;
    std::optional<int64_t> ignore_class;
    bool sparse_y_true, sparse_y_pred;
    int axis;
    std::optional<double> threshold;  // BinaryIoU
  };

  IoUMetric(std::string name, Config c) : Metric(std::move(name), c.prefix), c_(std::move(c)) {
    KERAS_CHECK(
        c_.num_classes > 0, ValueError, c_.class_name,
        ": `num_classes` must be a positive integer. Received: num_classes=", c_.num_classes);
    KERAS_CHECK(!c_.target_class_ids.empty(), ValueError, c_.class_name,
                ": `target_class_ids` must not be empty");
    const int64_t top = *std::max_element(c_.target_class_ids.begin(), c_.target_class_ids.end());
    KERAS_CHECK(top < c_.num_classes, ValueError, "Target class id ", top,
                " is out of range, which is [0, ", c_.num_classes, ").");
    KERAS_CHECK(is_floating(c_.dtype) || is_integer(c_.dtype), TypeError, c_.class_name,
                ": `dtype` must be an integer or floating dtype, got ", c_.dtype);
    cm_ = add_variable("total_confusion_matrix", {c_.num_classes, c_.num_classes}).value();
  }

  void update_state(const Tensor& y_true_in,
                    const Tensor& y_pred_in,
                    const Tensor& sample_weight) override {
    Tensor y_true = y_true_in, y_pred = y_pred_in;
    if (c_.threshold) {
      y_pred =
          greater_equal(cast(y_pred, float32), full({}, *c_.threshold, float32, y_pred.device()));
    }
    if (!c_.sparse_y_true) y_true = argmax(y_true, c_.axis);
    if (!c_.sparse_y_pred) y_pred = argmax(y_pred, c_.axis);
    const Tensor t = reshape(in_dtype(y_true), {-1}), p = reshape(in_dtype(y_pred), {-1});
    Tensor w =
        sample_weight.defined() ? in_dtype(sample_weight) : full({}, 1.0, float64, t.device());
    if (w.rank() > 1) w = reshape(w, {-1});
    KERAS_CHECK(broadcasts_to(w.shape(), t.shape()), ValueError,
                "Incompatible shapes for broadcasting: sample_weight of shape ",
                shape_str(sample_weight.shape()), " and y_true of shape ",
                shape_str(y_true_in.shape()));
    KERAS_CHECK(t.shape() == p.shape(), ValueError, "Incompatible shapes: y_true of shape ",
                shape_str(y_true_in.shape()), " and y_pred of shape ", shape_str(y_pred_in.shape()),
                " give different numbers of labels");
    w = broadcast_to(w, t.shape());
    const double classes = static_cast<double>(c_.num_classes);
    auto in_range = [&](const Tensor& x) {
      return logical_and(greater_equal(x, zeros_like(x)), less(x, full_like(x, classes)));
    };
    Tensor valid = logical_and(in_range(t), in_range(p));
    if (c_.ignore_class) {
      valid = logical_and(valid, not_equal(t, full_like(t, static_cast<double>(*c_.ignore_class))));
    }
    auto ids = [&](const Tensor& x) { return cast(where(valid, x, zeros_like(x)), int32); };
    const Tensor rows = multiply(one_hot(ids(t), c_.num_classes, float64),
                                 expand_dims(where(valid, w, zeros_like(w)), 1));
    assign_add(cm_, matmul_t(rows, one_hot(ids(p), c_.num_classes, float64), true, false));
  }

  double result() const override {
    const Tensor cm_host = cm_.cpu();
    const double* cm = cm_host.data<double>();
    const int64_t n = c_.num_classes;
    double total = 0, valid = 0;
    for (int64_t id : c_.target_class_ids) {
      double row = 0, col = 0;
      for (int64_t k = 0; k < n; ++k) row += cm[k * n + id], col += cm[id * n + k];
      const double tp = cm[id * n + id], denominator = row + col - tp;
      if (denominator > 1e-9) {
        total += tp / (denominator + 1e-7);
        valid += 1;
      }
    }
    return total / (valid + 1e-7);
  }

  std::string class_name() const override { return c_.class_name; }

  Json get_config() const override {
    Json config{{"name", name()}, {"dtype", std::string(keras::dtype_name(c_.dtype))}};
    if (c_.threshold) {
      return Json{{"target_class_ids", ids_json(c_.target_class_ids)},
                  {"threshold", *c_.threshold},
                  {"name", name()},
                  {"dtype", std::string(keras::dtype_name(c_.dtype))}};
    }
    config["num_classes"] = c_.num_classes;
    if (c_.class_name == "IoU" || c_.class_name == "OneHotIoU") {
      config["target_class_ids"] = ids_json(c_.target_class_ids);
    }
    config["ignore_class"] = c_.ignore_class ? Json(*c_.ignore_class) : Json(nullptr);
    if (c_.class_name == "IoU" || c_.class_name == "MeanIoU") {
      config["sparse_y_true"] = c_.sparse_y_true;
    }
    config["sparse_y_pred"] = c_.sparse_y_pred;
    config["axis"] = c_.axis;
    return config;
  }

 private:
  // Keras converts labels and weights to the metric's dtype: integers truncate.
  Tensor in_dtype(const Tensor& x) const {
    return is_integer(c_.dtype) ? cast(cast(x, int32), float64) : cast(x, float64);
  }

  Config c_;
  Tensor cm_;
};

std::vector<int64_t> all_classes(int64_t n) {
  std::vector<int64_t> ids(static_cast<size_t>(std::max<int64_t>(n, 0)));
  for (int64_t i = 0; i < n; ++i) ids[i] = i;
  return ids;
}

}  // namespace

MetricPtr IoU(IoUOptions o) {
  return std::make_shared<IoUMetric>(
      std::move(o.name),
      IoUMetric::Config{"IoU", "io_u", o.num_classes, o.target_class_ids, o.dtype, o.ignore_class,
                        o.sparse_y_true, o.sparse_y_pred, o.axis, std::nullopt});
}

MetricPtr MeanIoU(MeanIoUOptions o) {
  return std::make_shared<IoUMetric>(
      std::move(o.name),
      IoUMetric::Config{"MeanIoU", "mean_io_u", o.num_classes, all_classes(o.num_classes), o.dtype,
                        o.ignore_class, o.sparse_y_true, o.sparse_y_pred, o.axis, std::nullopt});
}

MetricPtr BinaryIoU(BinaryIoUOptions o) {
  return std::make_shared<IoUMetric>(
      std::move(o.name), IoUMetric::Config{"BinaryIoU", "binary_io_u", 2, o.target_class_ids,
                                           o.dtype, std::nullopt, true, true, -1, o.threshold});
}

MetricPtr OneHotIoU(OneHotIoUOptions o) {
  return std::make_shared<IoUMetric>(
      std::move(o.name),
      IoUMetric::Config{"OneHotIoU", "one_hot_io_u", o.num_classes, o.target_class_ids, o.dtype,
                        o.ignore_class, false, o.sparse_y_pred, o.axis, std::nullopt});
}

MetricPtr OneHotMeanIoU(OneHotMeanIoUOptions o) {
  return std::make_shared<IoUMetric>(
      std::move(o.name), IoUMetric::Config{"OneHotMeanIoU", "one_hot_mean_io_u", o.num_classes,
                                           all_classes(o.num_classes), o.dtype, o.ignore_class,
                                           false, o.sparse_y_pred, o.axis, std::nullopt});
}

}  // namespace keras::metrics
