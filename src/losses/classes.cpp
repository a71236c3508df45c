// The loss classes: each is a LossFunctionWrapper with Keras's class name and config.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "keras/config/json.h"
#include "keras/losses/losses.h"

namespace keras::losses {
namespace {

class BuiltinLoss final : public LossFunctionWrapper {
 public:
  BuiltinLoss(const char* class_name, std::string name, Reduction reduction, Json args, LossFn fn)
      : LossFunctionWrapper(std::move(fn), std::move(reduction), std::move(name)),
        class_name_(class_name),
        args_(std::move(args)) {}
  std::string class_name() const override { return class_name_; }
  Json get_config() const override {
    Json config = Loss::get_config();
    for (const auto& [key, value] : args_.items()) config[key] = value;
    return config;
  }

 private:
  std::string class_name_;
  Json args_;
};

LossPtr make(const char* class_name,
             const std::string& name,
             const Reduction& reduction,
             Json args,
             LossFn fn) {
  return std::make_shared<BuiltinLoss>(class_name, name, reduction,
                                       args.is_null() ? Json::object() : std::move(args),
                                       std::move(fn));
}

// Keras writes an axis argument as None, an int or a list.
Json axes_json(const std::vector<int>& axes) {
  if (axes.empty()) return nullptr;
  if (axes.size() == 1) return axes[0];
  return axes;
}

// Each class's config fields besides name and reduction, listed once: get_config writes them in
// this order and from_config reads them.
template <class Options, class Visitor>
void fields(Options&, Visitor&) {}
template <class V>
void fields(CosineSimilarityOptions& o, V& v) {
  v("axis", o.axis);
}
template <class V>
void fields(HuberOptions& o, V& v) {
  v("delta", o.delta);
}
template <class V>
void fields(BinaryCrossentropyOptions& o, V& v) {
  v("from_logits", o.from_logits);
  v("label_smoothing", o.label_smoothing);
  v("axis", o.axis);
}
template <class V>
void fields(BinaryFocalCrossentropyOptions& o, V& v) {
  v("from_logits", o.from_logits);
  v("label_smoothing", o.label_smoothing);
  v("axis", o.axis);
  v("apply_class_balancing", o.apply_class_balancing);
  v("alpha", o.alpha);
  v("gamma", o.gamma);
}
template <class V>
void fields(CategoricalCrossentropyOptions& o, V& v) {
  v("from_logits", o.from_logits);
  v("label_smoothing", o.label_smoothing);
  v("axis", o.axis);
}
template <class V>
void fields(CategoricalFocalCrossentropyOptions& o, V& v) {
  v("from_logits", o.from_logits);
  v("label_smoothing", o.label_smoothing);
  v("axis", o.axis);
  v("alpha", o.alpha);
  v("gamma", o.gamma);
}
template <class V>
void fields(SparseCategoricalCrossentropyOptions& o, V& v) {
  v("from_logits", o.from_logits);
  v("ignore_class", o.ignore_class);
  v("axis", o.axis);
}
template <class V>
void fields(DiceOptions& o, V& v) {
  v("axis", o.axis);
}
template <class V>
void fields(TverskyOptions& o, V& v) {
  v("alpha", o.alpha);
  v("beta", o.beta);
  v("axis", o.axis);
}
template <class V>
void fields(CircleOptions& o, V& v) {
  v("gamma", o.gamma);
  v("margin", o.margin);
  v("remove_diagonal", o.remove_diagonal);
}
template <class V>
void fields(CategoricalGeneralizedCrossEntropyOptions& o, V& v) {
  v("q", o.q);
}

class ConfigWriter {
 public:
  template <class T>
  void operator()(const char* key, const T& field) {
    config[key] = field;
  }
  void operator()(const char* key, const std::optional<int64_t>& field) {
    config[key] = field ? Json(*field) : Json(nullptr);
  }
  void operator()(const char* key, const std::vector<int>& axes) { config[key] = axes_json(axes); }
  Json config = Json::object();
};

template <class Options>
Json config_of(Options o) {
  ConfigWriter writer;
  fields(o, writer);
  return writer.config;
}

// compile()'s "crossentropy": binary, sparse categorical or categorical, by the shapes it is
// called on (Keras's is_binary_or_sparse_categorical).
class ShapeChosenCrossentropy final : public Loss {
 public:
  explicit ShapeChosenCrossentropy(std::string name) : Loss(std::move(name)) {}
  Tensor call(const Tensor& y_true_in, const Tensor& y_pred_in) const override {
    const auto [y_true, y_pred] = squeeze_or_expand_to_same_rank(y_true_in, y_pred_in);
    const int64_t true_last = y_true_in.rank() ? y_true_in.shape().back() : 1;
    const int64_t pred_last = y_pred_in.rank() ? y_pred_in.shape().back() : 1;
    if (pred_last == 1) return binary_crossentropy(y_true, y_pred);
    if (y_true_in.rank() < y_pred_in.rank() || (true_last == 1 && pred_last > 1)) {
      return sparse_categorical_crossentropy(y_true, y_pred);
    }
    return categorical_crossentropy(y_true, y_pred);
  }
  std::string class_name() const override { return "LossFunctionWrapper"; }
};

// Reads a class's config into its options; unknown keys are Python's TypeError.
class ConfigReader {
 public:
  ConfigReader(const Json& config, std::string class_name)
      : config_(config), class_name_(std::move(class_name)), what_(class_name_ + " config") {
    KERAS_CHECK(config_.is_object(), ValueError, class_name_,
                ": config must be a JSON object, got ", config::json_excerpt(config_));
  }
  template <class T>
  void read(const char* key, T& field) {
    used_.insert(key);
    if (const Json* j = config::find(config_, key))
      field = config::convert<T>(*j, key, what_.c_str());
  }
  void read(const char* key, std::optional<int64_t>& field) {
    used_.insert(key);
    auto it = config_.find(key);
    if (it == config_.end()) return;
    field = it->is_null()
                ? std::nullopt
                : std::optional<int64_t>(config::convert<int64_t>(*it, key, what_.c_str()));
  }
  void read(const char* key, Reduction& field) {
    used_.insert(key);
    auto it = config_.find(key);
    if (it == config_.end()) return;
    if (it->is_null()) {
      field = std::nullopt;
      return;
    }
    field = config::convert<std::string>(*it, key, what_.c_str());
    if (field == "auto") field = "sum_over_batch_size";  // Keras 2's default
  }
  void read(const char* key, std::vector<int>& field) {  // an axis list: None, an int or a list
    used_.insert(key);
    const Json* j = config::find(config_, key);
    if (j == nullptr) return;
    field = j->is_array() ? config::convert<std::vector<int>>(*j, key, what_.c_str())
                          : std::vector<int>{config::convert<int>(*j, key, what_.c_str())};
  }
  template <class T>
  void operator()(const char* key, T& field) {
    read(key, field);
  }
  template <class Options>
  void read_base(Options& o) {
    read("reduction", o.reduction);
    read("name", o.name);
  }
  // Throws for a key no argument took ("dtype", which keras.cpp does not keep, aside).
  void finish() const {
    for (const auto& [key, value] : config_.items()) {
      if (key == "dtype" || used_.count(key)) continue;
      throw TypeError(
          str(class_name_, ".__init__() got an unexpected keyword argument '", excerpt(key), "'"));
    }
  }

 private:
  const Json& config_;
  std::string class_name_;
  std::string what_;
  std::set<std::string> used_;
};

using FromConfig = LossPtr (*)(ConfigReader&);

template <class Options, LossPtr (*Factory)(Options)>
LossPtr read_class(ConfigReader& r) {
  Options o;
  fields(o, r);
  r.read_base(o);
  r.finish();
  return Factory(o);
}

const std::map<std::string, FromConfig, std::less<>>& classes() {
  static const std::map<std::string, FromConfig, std::less<>> table = {
      {"MeanSquaredError", read_class<MeanSquaredErrorOptions, MeanSquaredError>},
      {"MeanAbsoluteError", read_class<MeanAbsoluteErrorOptions, MeanAbsoluteError>},
      {"MeanAbsolutePercentageError",
       read_class<MeanAbsolutePercentageErrorOptions, MeanAbsolutePercentageError>},
      {"MeanSquaredLogarithmicError",
       read_class<MeanSquaredLogarithmicErrorOptions, MeanSquaredLogarithmicError>},
      {"CosineSimilarity", read_class<CosineSimilarityOptions, CosineSimilarity>},
      {"Huber", read_class<HuberOptions, Huber>},
      {"LogCosh", read_class<LogCoshOptions, LogCosh>},
      {"Hinge", read_class<HingeOptions, Hinge>},
      {"SquaredHinge", read_class<SquaredHingeOptions, SquaredHinge>},
      {"CategoricalHinge", read_class<CategoricalHingeOptions, CategoricalHinge>},
      {"KLDivergence", read_class<KLDivergenceOptions, KLDivergence>},
      {"Poisson", read_class<PoissonOptions, Poisson>},
      {"BinaryCrossentropy", read_class<BinaryCrossentropyOptions, BinaryCrossentropy>},
      {"BinaryFocalCrossentropy",
       read_class<BinaryFocalCrossentropyOptions, BinaryFocalCrossentropy>},
      {"CategoricalCrossentropy",
       read_class<CategoricalCrossentropyOptions, CategoricalCrossentropy>},
      {"CategoricalFocalCrossentropy",
       read_class<CategoricalFocalCrossentropyOptions, CategoricalFocalCrossentropy>},
      {"SparseCategoricalCrossentropy",
       read_class<SparseCategoricalCrossentropyOptions, SparseCategoricalCrossentropy>},
      {"CTC", read_class<CTCOptions, CTC>},
      {"Dice", read_class<DiceOptions, Dice>},
      {"Tversky", read_class<TverskyOptions, Tversky>},
      {"Circle", read_class<CircleOptions, Circle>},
      {"CategoricalGeneralizedCrossEntropy",
       read_class<CategoricalGeneralizedCrossEntropyOptions, CategoricalGeneralizedCrossEntropy>},
  };
  return table;
}

// Function names and aliases keras.losses.get resolves (and Keras 2's), to their classes.
const std::map<std::string, std::string, std::less<>>& functions() {
  static const std::map<std::string, std::string, std::less<>> table = {
      {"mean_squared_error", "MeanSquaredError"},
      {"mse", "MeanSquaredError"},
      {"MSE", "MeanSquaredError"},
      {"mean_absolute_error", "MeanAbsoluteError"},
      {"mae", "MeanAbsoluteError"},
      {"MAE", "MeanAbsoluteError"},
      {"mean_absolute_percentage_error", "MeanAbsolutePercentageError"},
      {"mape", "MeanAbsolutePercentageError"},
      {"MAPE", "MeanAbsolutePercentageError"},
      {"mean_squared_logarithmic_error", "MeanSquaredLogarithmicError"},
      {"msle", "MeanSquaredLogarithmicError"},
      {"MSLE", "MeanSquaredLogarithmicError"},
      {"cosine_similarity", "CosineSimilarity"},
      {"huber", "Huber"},
      {"log_cosh", "LogCosh"},
      {"logcosh", "LogCosh"},
      {"kl_divergence", "KLDivergence"},
      {"kld", "KLDivergence"},
      {"KLD", "KLDivergence"},
      {"kullback_leibler_divergence", "KLDivergence"},
      {"poisson", "Poisson"},
      {"hinge", "Hinge"},
      {"squared_hinge", "SquaredHinge"},
      {"categorical_hinge", "CategoricalHinge"},
      {"binary_crossentropy", "BinaryCrossentropy"},
      {"bce", "BinaryCrossentropy"},
      {"BCE", "BinaryCrossentropy"},
      {"binary_focal_crossentropy", "BinaryFocalCrossentropy"},
      {"categorical_crossentropy", "CategoricalCrossentropy"},
      {"categorical_focal_crossentropy", "CategoricalFocalCrossentropy"},
      {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
      {"ctc", "CTC"},
      {"dice", "Dice"},
      {"tversky", "Tversky"},
      {"circle", "Circle"},
  };
  return table;
}

LossPtr from_config(std::string_view class_name, const Json& config) {
  auto it = classes().find(class_name);
  if (it == classes().end()) return nullptr;
  ConfigReader reader(config, it->first);
  return it->second(reader);
}

bool is_auto_crossentropy(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "crossentropy" || lower == "ce";
}

}  // namespace

LossFunctionWrapper::LossFunctionWrapper(LossFn fn, Reduction reduction, std::string name)
    : Loss(std::move(name), std::move(reduction)), fn_(std::move(fn)) {}

Tensor LossFunctionWrapper::call(const Tensor& y_true, const Tensor& y_pred) const {
  const auto [t, p] = squeeze_or_expand_to_same_rank(y_true, y_pred);
  return fn_(t, p);
}

LossPtr MeanSquaredError(MeanSquaredErrorOptions o) {
  return make("MeanSquaredError", o.name, o.reduction, config_of(o), mean_squared_error);
}
LossPtr MeanAbsoluteError(MeanAbsoluteErrorOptions o) {
  return make("MeanAbsoluteError", o.name, o.reduction, config_of(o), mean_absolute_error);
}
LossPtr MeanAbsolutePercentageError(MeanAbsolutePercentageErrorOptions o) {
  return make("MeanAbsolutePercentageError", o.name, o.reduction, config_of(o),
              mean_absolute_percentage_error);
}
LossPtr MeanSquaredLogarithmicError(MeanSquaredLogarithmicErrorOptions o) {
  return make("MeanSquaredLogarithmicError", o.name, o.reduction, config_of(o),
              mean_squared_logarithmic_error);
}
LossPtr CosineSimilarity(CosineSimilarityOptions o) {
  return make(
      "CosineSimilarity", o.name, o.reduction, config_of(o),
      [axis = o.axis](const Tensor& t, const Tensor& p) { return cosine_similarity(t, p, axis); });
}
LossPtr Huber(HuberOptions o) {
  return make("Huber", o.name, o.reduction, config_of(o),
              [delta = o.delta](const Tensor& t, const Tensor& p) { return huber(t, p, delta); });
}
LossPtr LogCosh(LogCoshOptions o) {
  return make("LogCosh", o.name, o.reduction, config_of(o), log_cosh);
}
LossPtr Hinge(HingeOptions o) {
  return make("Hinge", o.name, o.reduction, config_of(o), hinge);
}
LossPtr SquaredHinge(SquaredHingeOptions o) {
  return make("SquaredHinge", o.name, o.reduction, config_of(o), squared_hinge);
}
LossPtr CategoricalHinge(CategoricalHingeOptions o) {
  return make("CategoricalHinge", o.name, o.reduction, config_of(o), categorical_hinge);
}
LossPtr KLDivergence(KLDivergenceOptions o) {
  return make("KLDivergence", o.name, o.reduction, config_of(o), kl_divergence);
}
LossPtr Poisson(PoissonOptions o) {
  return make("Poisson", o.name, o.reduction, config_of(o), poisson);
}
LossPtr BinaryCrossentropy(BinaryCrossentropyOptions o) {
  return make("BinaryCrossentropy", o.name, o.reduction, config_of(o),
              [o](const Tensor& t, const Tensor& p) {
                return binary_crossentropy(t, p, o.from_logits, o.label_smoothing, o.axis);
              });
}
LossPtr BinaryFocalCrossentropy(BinaryFocalCrossentropyOptions o) {
  return make("BinaryFocalCrossentropy", o.name, o.reduction, config_of(o),
              [o](const Tensor& t, const Tensor& p) {
                return binary_focal_crossentropy(t, p, o.apply_class_balancing, o.alpha, o.gamma,
                                                 o.from_logits, o.label_smoothing, o.axis);
              });
}
LossPtr CategoricalCrossentropy(CategoricalCrossentropyOptions o) {
  return make("CategoricalCrossentropy", o.name, o.reduction, config_of(o),
              [o](const Tensor& t, const Tensor& p) {
                return categorical_crossentropy(t, p, o.from_logits, o.label_smoothing, o.axis);
              });
}
LossPtr CategoricalFocalCrossentropy(CategoricalFocalCrossentropyOptions o) {
  return make("CategoricalFocalCrossentropy", o.name, o.reduction, config_of(o),
              [o](const Tensor& t, const Tensor& p) {
                return categorical_focal_crossentropy(t, p, o.alpha, o.gamma, o.from_logits,
                                                      o.label_smoothing, o.axis);
              });
}
LossPtr SparseCategoricalCrossentropy(SparseCategoricalCrossentropyOptions o) {
  return make("SparseCategoricalCrossentropy", o.name, o.reduction, config_of(o),
              [o](const Tensor& t, const Tensor& p) {
                return sparse_categorical_crossentropy(t, p, o.from_logits, o.ignore_class, o.axis);
              });
}
LossPtr CTC(CTCOptions o) {
  return make("CTC", o.name, o.reduction, config_of(o), ctc);
}
LossPtr Dice(DiceOptions o) {
  return make("Dice", o.name, o.reduction, config_of(o),
              [axis = o.axis](const Tensor& t, const Tensor& p) { return dice(t, p, axis); });
}
LossPtr Tversky(TverskyOptions o) {
  return make("Tversky", o.name, o.reduction, config_of(o), [o](const Tensor& t, const Tensor& p) {
    return tversky(t, p, o.alpha, o.beta, o.axis);
  });
}
LossPtr Circle(CircleOptions o) {
  return make("Circle", o.name, o.reduction, config_of(o), [o](const Tensor& t, const Tensor& p) {
    return circle(t, p, Tensor(), Tensor(), o.remove_diagonal, o.gamma, o.margin);
  });
}
LossPtr CategoricalGeneralizedCrossEntropy(CategoricalGeneralizedCrossEntropyOptions o) {
  KERAS_CHECK(o.q > 0.0 && o.q < 1.0, ValueError, "q must be in the interval (0, 1)");
  return make("CategoricalGeneralizedCrossEntropy", o.name, o.reduction, config_of(o),
              [q = o.q](const Tensor& t, const Tensor& p) {
                return categorical_generalized_cross_entropy(t, p, q);
              });
}

LossPtr get(std::string_view name) {
  if (name != "CategoricalGeneralizedCrossEntropy") {  // not among keras.losses.get's names
    if (LossPtr loss = from_config(name, Json::object())) return loss;
  }
  auto it = functions().find(name);
  if (it != functions().end()) return from_config(it->second, Json{{"name", name}});
  if (is_auto_crossentropy(name))
    return std::make_shared<ShapeChosenCrossentropy>(std::string(name));
  throw ValueError(str("Could not interpret loss identifier: ", excerpt(name)));
}

Json serialize(const Loss& loss) {
  return Json{{"module", "keras.losses"},
              {"class_name", loss.class_name()},
              {"config", loss.get_config()},
              {"registered_name", nullptr}};
}

LossPtr deserialize(const Json& j) {
  if (j.is_string()) return get(j.get<std::string>());
  KERAS_CHECK(j.is_object(), ValueError,
              "Could not interpret loss identifier: ", config::json_excerpt(j, 100));
  const auto class_name = config::require<std::string>(j, "class_name", "loss");
  const Json config = config::value(j, "config", Json::object());
  if (class_name == "function") {  // a serialized keras.losses function: {"config": "huber"}
    KERAS_CHECK(config.is_string(), ValueError,
                "Could not interpret loss identifier: ", config::json_excerpt(j, 100));
    return get(config.get<std::string>());
  }
  if (class_name == "LossFunctionWrapper" && config.contains("fn")) {
    // Keras's wrapper of a built-in function: the function's class takes the same arguments.
    Json args = config;
    const Json fn = args["fn"];
    args.erase("fn");
    const Json fn_config = fn.is_object() ? config::value(fn, "config", nullptr) : fn;
    const std::string fn_name = fn_config.is_string() ? fn_config.get<std::string>() : "";
    auto it = functions().find(fn_name);
    KERAS_CHECK(it != functions().end(), ValueError,
                "Could not interpret loss identifier: ", config::json_excerpt(j, 100));
    return from_config(it->second, args);
  }
  if (LossPtr loss = from_config(class_name, config)) return loss;
  throw ValueError(str("Could not locate class '", excerpt(class_name),
                       "'. Make sure custom classes are decorated with "
                       "`@keras.saving.register_keras_serializable()`. Full object config: ",
                       config::json_excerpt(j, 200)));
}

}  // namespace keras::losses
