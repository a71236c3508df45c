// Losses (keras.losses) with Keras 3's formulas, defaults, names and configs.
//
// Classes are factories returning a LossPtr, their keyword arguments an options struct in
// Keras's argument order:
//   auto loss = losses::Huber({.delta = 2.0, .reduction = "sum"});
//   Tensor value = (*loss)(y_true, y_pred, sample_weight);
// Every class is a LossFunctionWrapper: call() first aligns ranks with
// squeeze_or_expand_to_same_rank (a target of shape (n,) against predictions of shape (n, 1)
// becomes (n, 1)), then applies its per-sample function below with the options.
// Probabilities are clipped to [kEpsilon, 1 - kEpsilon] where Keras clips them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keras/losses/loss.h"

namespace keras::losses {

inline constexpr double kEpsilon = 1e-7;  // keras.config.epsilon()

// ---- Per-sample functions (keras.losses.huber, ...): values over y_pred's leading axes. ----

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred);
Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred);
Tensor mean_absolute_percentage_error(const Tensor& y_true, const Tensor& y_pred);
Tensor mean_squared_logarithmic_error(const Tensor& y_true, const Tensor& y_pred);
// -sum(l2_normalize(y_true) * l2_normalize(y_pred)) along `axis`.
Tensor cosine_similarity(const Tensor& y_true, const Tensor& y_pred, int axis = -1);
Tensor huber(const Tensor& y_true, const Tensor& y_pred, double delta = 1.0);
Tensor log_cosh(const Tensor& y_true, const Tensor& y_pred);
Tensor kl_divergence(const Tensor& y_true, const Tensor& y_pred);
Tensor poisson(const Tensor& y_true, const Tensor& y_pred);
// Labels that are all 0 or 1 become -1 or 1 (decided on the values, inside the computation).
Tensor hinge(const Tensor& y_true, const Tensor& y_pred);
Tensor squared_hinge(const Tensor& y_true, const Tensor& y_pred);
Tensor categorical_hinge(const Tensor& y_true, const Tensor& y_pred);
// y_true and y_pred of one shape (a trailing size-1 axis is added or dropped first).
Tensor binary_crossentropy(const Tensor& y_true,
                           const Tensor& y_pred,
                           bool from_logits = false,
                           double label_smoothing = 0.0,
                           int axis = -1);
Tensor binary_focal_crossentropy(const Tensor& y_true,
                                 const Tensor& y_pred,
                                 bool apply_class_balancing = false,
                                 double alpha = 0.25,
                                 double gamma = 2.0,
                                 bool from_logits = false,
                                 double label_smoothing = 0.0,
                                 int axis = -1);
// Probabilities are renormalized to sum to 1 along `axis`; label smoothing spreads over the
// last axis's classes, as in Keras.
Tensor categorical_crossentropy(const Tensor& y_true,
                                const Tensor& y_pred,
                                bool from_logits = false,
                                double label_smoothing = 0.0,
                                int axis = -1);
Tensor categorical_focal_crossentropy(const Tensor& y_true,
                                      const Tensor& y_pred,
                                      double alpha = 0.25,
                                      double gamma = 2.0,
                                      bool from_logits = false,
                                      double label_smoothing = 0.0,
                                      int axis = -1);
// Integer labels of y_pred's shape without the class axis `axis` (or with a size-1 axis there).
// Labels equal to ignore_class get a loss of 0 and are masked out of the reduction (the
// result carries the mask, see loss.h). Labels outside [0, classes) throw IndexError.
Tensor sparse_categorical_crossentropy(const Tensor& y_true,
                                       const Tensor& y_pred,
                                       bool from_logits = false,
                                       std::optional<int64_t> ignore_class = std::nullopt,
                                       int axis = -1);
// Connectionist temporal classification: y_true (batch, max_label_length) integer labels
// padded with 0 (class 0 is the blank), y_pred (batch, time, classes) logits. Per-sample
// negative log-likelihoods (ops::ctc_loss with mask_index 0 and every time step used).
Tensor ctc(const Tensor& y_true, const Tensor& y_pred);
// 1 - 2 sum(y_true y_pred) / (sum(y_true) + sum(y_pred) + kEpsilon) over `axis` (every axis
// when empty, giving one value for the batch).
Tensor dice(const Tensor& y_true, const Tensor& y_pred, const std::vector<int>& axis = {});
Tensor tversky(const Tensor& y_true,
               const Tensor& y_pred,
               double alpha = 0.5,
               double beta = 0.5,
               const std::vector<int>& axis = {});
// Circle loss on L2-normalized embeddings y_pred (batch, dim) with integer labels y_true
// (batch,); ref_labels / ref_embeddings default to y_true / y_pred. The result carries the mask
// of its positive entries, as in Keras.
Tensor circle(const Tensor& y_true,
              const Tensor& y_pred,
              const Tensor& ref_labels = Tensor(),
              const Tensor& ref_embeddings = Tensor(),
              bool remove_diagonal = true,
              double gamma = 80.0,
              double margin = 0.4);
// (1 - p^q) / q where p is y_pred's probability of the integer label y_true.
Tensor categorical_generalized_cross_entropy(const Tensor& y_true, const Tensor& y_pred, double q);

// ---- Classes ----

using LossFn = std::function<Tensor(const Tensor&, const Tensor&)>;

// keras.losses.LossFunctionWrapper: a per-sample function as a Loss (ranks aligned first).
// It is not serializable beyond its name and reduction.
class LossFunctionWrapper : public Loss {
 public:
  LossFunctionWrapper(LossFn fn,
                      Reduction reduction = "sum_over_batch_size",
                      std::string name = "loss_function_wrapper");
  Tensor call(const Tensor& y_true, const Tensor& y_pred) const override;
  std::string class_name() const override { return "LossFunctionWrapper"; }

 private:
  LossFn fn_;
};

struct MeanSquaredErrorOptions {
  Reduction reduction = "sum_over_batch_size";
  std::string name = "mean_squared_error";
};
struct MeanAbsoluteErrorOptions {
  Reduction reduction = "sum_over_batch_size";
  std::string name = "mean_absolute_error";
};
struct MeanAbsolutePercentageErrorOptions {
  Reduction reduction = "sum_over_batch_size";
  std::string name = "mean_absolute_percentage_error";
};
struct MeanSquaredLogarithmicErrorOptions {
  Reduction reduction = "sum_over_batch_size";
  std::string name = "mean_squared_logarithmic_error";
};
struct CosineSimilarityOptions {
  int axis = -1;
  Reduction reduction = "sum_over_batch_size";
  std::string name = "cosine_similarity";
};
struct HuberOptions {
  double delta = 1.0;
  Reduction reduction = "sum_over_batch_size";
  std::string name = "huber_loss";
};
struct LogCoshOptions {
  Reduction reduction = "sum_over_batch_size";
  std::string name = "log_cosh";
};
struct HingeOptions {
  Reduction reduction = "sum_over_batch_size";
  std::string name = "hinge";
};
struct SquaredHingeOptions {
  Reduction reduction = "sum_over_batch_size";
  std::string name = "squared_hinge";
};
struct CategoricalHingeOptions {
  Reduction reduction = "sum_over_batch_size";
  std::string name = "categorical_hinge";
};
struct KLDivergenceOptions {
  Reduction reduction = "sum_over_batch_size";
  std::string name = "kl_divergence";
};
struct PoissonOptions {
  Reduction reduction = "sum_over_batch_size";
  std::string name = "poisson";
};
struct BinaryCrossentropyOptions {
  bool from_logits = false;
  double label_smoothing = 0.0;
  int axis = -1;
  Reduction reduction = "sum_over_batch_size";
  std::string name = "binary_crossentropy";
};
struct BinaryFocalCrossentropyOptions {
  bool apply_class_balancing = false;
  double alpha = 0.25;
  double gamma = 2.0;
  bool from_logits = false;
  double label_smoothing = 0.0;
  int axis = -1;
  Reduction reduction = "sum_over_batch_size";
  std::string name = "binary_focal_crossentropy";
};
struct CategoricalCrossentropyOptions {
  bool from_logits = false;
  double label_smoothing = 0.0;
  int axis = -1;
  Reduction reduction = "sum_over_batch_size";
  std::string name = "categorical_crossentropy";
};
struct CategoricalFocalCrossentropyOptions {
  double alpha = 0.25;
  double gamma = 2.0;
  bool from_logits = false;
  double label_smoothing = 0.0;
  int axis = -1;
  Reduction reduction = "sum_over_batch_size";
  std::string name = "categorical_focal_crossentropy";
};
// Keras's order: reduction comes before axis here.
struct SparseCategoricalCrossentropyOptions {
  bool from_logits = false;
  std::optional<int64_t> ignore_class = std::nullopt;
  Reduction reduction = "sum_over_batch_size";
  int axis = -1;
  std::string name = "sparse_categorical_crossentropy";
};
struct CTCOptions {
  Reduction reduction = "sum_over_batch_size";
  std::string name = "ctc";
};
struct DiceOptions {
  Reduction reduction = "sum_over_batch_size";
  std::string name = "dice";
  std::vector<int> axis = {};  // {} is None: every axis
};
struct TverskyOptions {
  double alpha = 0.5;
  double beta = 0.5;
  Reduction reduction = "sum_over_batch_size";
  std::string name = "tversky";
  std::vector<int> axis = {};  // {} is None: every axis
};
struct CircleOptions {
  double gamma = 80.0;
  double margin = 0.4;
  bool remove_diagonal = true;
  Reduction reduction = "sum_over_batch_size";
  std::string name = "circle";
};
struct CategoricalGeneralizedCrossEntropyOptions {
  double q = 0.5;  // in (0, 1)
  Reduction reduction = "sum_over_batch_size";
  std::string name = "categorical_generalized_cross_entropy";
};

LossPtr MeanSquaredError(MeanSquaredErrorOptions options = {});
LossPtr MeanAbsoluteError(MeanAbsoluteErrorOptions options = {});
LossPtr MeanAbsolutePercentageError(MeanAbsolutePercentageErrorOptions options = {});
LossPtr MeanSquaredLogarithmicError(MeanSquaredLogarithmicErrorOptions options = {});
LossPtr CosineSimilarity(CosineSimilarityOptions options = {});
LossPtr Huber(HuberOptions options = {});
LossPtr LogCosh(LogCoshOptions options = {});
LossPtr Hinge(HingeOptions options = {});
LossPtr SquaredHinge(SquaredHingeOptions options = {});
LossPtr CategoricalHinge(CategoricalHingeOptions options = {});
LossPtr KLDivergence(KLDivergenceOptions options = {});
LossPtr Poisson(PoissonOptions options = {});
LossPtr BinaryCrossentropy(BinaryCrossentropyOptions options = {});
LossPtr BinaryFocalCrossentropy(BinaryFocalCrossentropyOptions options = {});
LossPtr CategoricalCrossentropy(CategoricalCrossentropyOptions options = {});
LossPtr CategoricalFocalCrossentropy(CategoricalFocalCrossentropyOptions options = {});
LossPtr SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions options = {});
LossPtr CTC(CTCOptions options = {});
LossPtr Dice(DiceOptions options = {});
LossPtr Tversky(TverskyOptions options = {});
LossPtr Circle(CircleOptions options = {});
// Throws ValueError("q must be in the interval (0, 1)") otherwise.
LossPtr CategoricalGeneralizedCrossEntropy(CategoricalGeneralizedCrossEntropyOptions options = {});

// ---- Lookup and serialization ----

// A loss by the names keras.losses.get resolves, with default options: class names
// ("Huber"), function names ("huber", "log_cosh", "kl_divergence", ...) and the aliases
// "bce"/"BCE", "kld"/"KLD", "mae"/"MAE", "mse"/"MSE", "mape"/"MAPE", "msle"/"MSLE"; Keras 2's
// "logcosh" and "kullback_leibler_divergence"; and compile()'s "crossentropy"/"ce" (any case),
// which picks binary, sparse categorical or categorical crossentropy from the shapes it is
// called on as Keras does. The loss is named after `name` when that is a function name or an
// alias (as compile() names it), else after its class's default.
// Throws ValueError("Could not interpret loss identifier: ...") for anything else.
LossPtr get(std::string_view name);

// Keras 3's serialized form: {"module": "keras.losses", "class_name": "Huber", "config": {...},
// "registered_name": null}. keras.cpp's configs also hold Huber's delta and CosineSimilarity's
// axis, which Keras 3.15's get_config leaves out (its constructors accept them back).
Json serialize(const Loss& loss);
// From that form (missing config keys take their defaults), a Keras 2 {"class_name", "config"}
// (reduction "auto" is "sum_over_batch_size"), a serialized function ({"class_name":
// "function", "config": "huber"}) or a name (see get). Throws ValueError for an unknown class,
// an argument the class does not take, or a bad value.
LossPtr deserialize(const Json& j);

}  // namespace keras::losses
