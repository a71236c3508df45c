#include "keras/losses/losses.h"

#include <functional>

#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::losses {

using namespace ops;  // NOLINT: loss formulas read best with bare op names

namespace {

class FunctionLoss final : public Loss {
 public:
  FunctionLoss(std::string name, std::function<Tensor(const Tensor&, const Tensor&)> fn)
      : Loss(std::move(name)), fn_(std::move(fn)) {}
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override {
    return fn_(y_true, y_pred);
  }

 private:
  std::function<Tensor(const Tensor&, const Tensor&)> fn_;
};

Tensor as_float(const Tensor& t, DType like) {
  return t.dtype() == like ? t : cast(t, is_floating(like) ? like : float32);
}

void check_same_shape(const Tensor& y_true, const Tensor& y_pred, const char* fn) {
  KERAS_CHECK(y_true.shape() == y_pred.shape(), ValueError,
              "Arguments `target` and `output` must "
              "have the same shape. Received: target.shape=",
              shape_str(y_true.shape()), ", output.shape=", shape_str(y_pred.shape()), " (in ", fn,
              ")");
}

// log of the class probabilities along the last axis: log_softmax of logits, or Keras's
// renormalized and clipped probabilities.
Tensor log_probabilities(const Tensor& y_pred, bool from_logits) {
  if (from_logits) return log_softmax(y_pred, -1);
  Tensor p = divide(y_pred, sum(y_pred, -1, true));
  return log(clip(p, kEpsilon, 1.0 - kEpsilon));
}

}  // namespace

std::pair<Tensor, Tensor> align_ranks(const Tensor& y_true, const Tensor& y_pred) {
  const int rt = y_true.rank(), rp = y_pred.rank();
  if (rt == rp + 1 && y_true.shape().back() == 1) return {squeeze(y_true, -1), y_pred};
  if (rp == rt + 1 && y_pred.shape().back() == 1) return {y_true, squeeze(y_pred, -1)};
  return {y_true, y_pred};
}

Tensor Loss::operator()(const Tensor& y_true,
                        const Tensor& y_pred,
                        const Tensor& sample_weight) const {
  Tensor values = call(y_true, y_pred);
  if (!is_floating(values.dtype())) values = cast(values, float32);
  const double count = static_cast<double>(values.size());
  if (sample_weight.defined()) {
    Tensor sw = cast(sample_weight, values.dtype());
    if (sw.rank() > values.rank()) sw = align_ranks(sw, values).first;
    while (sw.rank() < values.rank()) sw = expand_dims(sw, -1);
    bool fits = sw.rank() == values.rank();
    for (int d = 0; fits && d < sw.rank(); ++d) {
      fits = sw.shape()[d] == values.shape()[d] || sw.shape()[d] == 1;
    }
    KERAS_CHECK(fits, ValueError, "sample_weight of shape ", shape_str(sample_weight.shape()),
                " cannot weight the losses of shape ", shape_str(values.shape()), " (", name(),
                ")");
    values = multiply(values, sw);
  }
  return divide(sum(values), std::max(count, 1.0));
}

Tensor mean_squared_error(const Tensor& y_true_in, const Tensor& y_pred) {
  auto [y_true, y_p] = align_ranks(as_float(y_true_in, y_pred.dtype()), y_pred);
  return mean(square(subtract(y_p, y_true)), -1);
}

Tensor mean_absolute_error(const Tensor& y_true_in, const Tensor& y_pred) {
  auto [y_true, y_p] = align_ranks(as_float(y_true_in, y_pred.dtype()), y_pred);
  return mean(abs(subtract(y_p, y_true)), -1);
}

Tensor binary_crossentropy(const Tensor& y_true_in,
                           const Tensor& y_pred_in,
                           bool from_logits,
                           double label_smoothing) {
  auto [y_true, y_pred] = align_ranks(as_float(y_true_in, y_pred_in.dtype()), y_pred_in);
  check_same_shape(y_true, y_pred, "binary_crossentropy");
  if (label_smoothing > 0) {
    y_true = add(multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing);
  }
  Tensor bce;
  if (from_logits) {
    bce = negative(add(multiply(y_true, log_sigmoid(y_pred)),
                       multiply(subtract(1.0, y_true), log_sigmoid(negative(y_pred)))));
  } else {
    Tensor p = clip(y_pred, kEpsilon, 1.0 - kEpsilon);
    bce = negative(
        add(multiply(y_true, log(p)), multiply(subtract(1.0, y_true), log(subtract(1.0, p)))));
  }
  return mean(bce, -1);
}

Tensor categorical_crossentropy(const Tensor& y_true_in,
                                const Tensor& y_pred,
                                bool from_logits,
                                double label_smoothing) {
  Tensor y_true = as_float(y_true_in, y_pred.dtype());
  check_same_shape(y_true, y_pred, "categorical_crossentropy");
  KERAS_CHECK(y_pred.rank() >= 1, ValueError,
              "categorical_crossentropy: expected predictions "
              "of rank >= 1, got ",
              shape_str(y_pred.shape()));
  if (label_smoothing > 0) {
    const double classes = static_cast<double>(y_pred.shape().back());
    y_true = add(multiply(y_true, 1.0 - label_smoothing), label_smoothing / classes);
  }
  return negative(sum(multiply(y_true, log_probabilities(y_pred, from_logits)), -1));
}

Tensor sparse_categorical_crossentropy(const Tensor& y_true_in,
                                       const Tensor& y_pred,
                                       bool from_logits) {
  Tensor labels = y_true_in;
  if (labels.rank() == y_pred.rank() && labels.rank() > 0 && labels.shape().back() == 1) {
    labels = squeeze(labels, -1);
  }
  KERAS_CHECK(labels.rank() + 1 == y_pred.rank(), ValueError,
              "Argument `output` must have rank "
              "(ndim) `target.ndim - 1`. Received: target.shape=",
              shape_str(y_true_in.shape()), ", output.shape=", shape_str(y_pred.shape()));
  for (int d = 0; d < labels.rank(); ++d) {
    KERAS_CHECK(labels.shape()[d] == y_pred.shape()[d], ValueError,
                "Arguments `target` and "
                "`output` must have the same shape up until the last dimension: target.shape=",
                shape_str(y_true_in.shape()), ", output.shape=", shape_str(y_pred.shape()));
  }
  if (!is_integer(labels.dtype()) || labels.dtype() == uint8) labels = cast(labels, int32);
  Tensor target = one_hot(labels, y_pred.shape().back(), y_pred.dtype());
  return negative(sum(multiply(target, log_probabilities(y_pred, from_logits)), -1));
}

LossPtr MeanSquaredError() {
  return std::make_shared<FunctionLoss>("mean_squared_error", mean_squared_error);
}
LossPtr MeanAbsoluteError() {
  return std::make_shared<FunctionLoss>("mean_absolute_error", mean_absolute_error);
}
LossPtr BinaryCrossentropy(CrossentropyOptions o) {
  return std::make_shared<FunctionLoss>(
      "binary_crossentropy", [o](const Tensor& t, const Tensor& p) {
        return binary_crossentropy(t, p, o.from_logits, o.label_smoothing);
      });
}
LossPtr CategoricalCrossentropy(CrossentropyOptions o) {
  return std::make_shared<FunctionLoss>(
      "categorical_crossentropy", [o](const Tensor& t, const Tensor& p) {
        return categorical_crossentropy(t, p, o.from_logits, o.label_smoothing);
      });
}
LossPtr SparseCategoricalCrossentropy(SparseCrossentropyOptions o) {
  return std::make_shared<FunctionLoss>(
      "sparse_categorical_crossentropy", [o](const Tensor& t, const Tensor& p) {
        return sparse_categorical_crossentropy(t, p, o.from_logits);
      });
}

LossPtr get(std::string_view name) {
  if (name == "mse" || name == "mean_squared_error" || name == "MeanSquaredError") {
    return MeanSquaredError();
  }
  if (name == "mae" || name == "mean_absolute_error" || name == "MeanAbsoluteError") {
    return MeanAbsoluteError();
  }
  if (name == "binary_crossentropy" || name == "BinaryCrossentropy") return BinaryCrossentropy();
  if (name == "categorical_crossentropy" || name == "CategoricalCrossentropy") {
    return CategoricalCrossentropy();
  }
  if (name == "sparse_categorical_crossentropy" || name == "SparseCategoricalCrossentropy") {
    return SparseCategoricalCrossentropy();
  }
  throw ValueError(str("Could not interpret loss identifier: ", excerpt(name)));
}

}  // namespace keras::losses
