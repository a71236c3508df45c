// compile_config: what Model::compile was given, as Keras 3 writes it, and back.
#include <cctype>
#include <iostream>
#include <map>

#include "saving/saving_internal.h"

namespace keras::saving::internal {
namespace {

// A loss given by name is written as that name; a loss object as Keras serializes it (class
// and config), so a load restores its options.
Json loss_item_json(const LossItem& item) {
  if (!item.name().empty()) return item.name();
  return item.loss() ? losses::serialize(*item.loss()) : Json(nullptr);
}

// A metric object as Keras serializes it (class and config), so a load restores its options.
Json metric_item_json(const MetricItem& item) {
  if (!item.name().empty()) return item.name();
  return item.metric() ? metrics::serialize(*item.metric()) : Json(nullptr);
}

// Keras 3's form of compile's metrics or weighted_metrics for a model with `outputs` outputs.
Json metrics_json(const MetricsSpec& spec, size_t outputs) {
  Json metrics = nullptr;
  if (spec.is_per_output()) {
    metrics = Json::array();
    for (const auto& items : spec.per_output()) {
      Json list = Json::array();
      for (const MetricItem& m : items) list.push_back(metric_item_json(m));
      metrics.push_back(list);
    }
  } else if (!spec.list().empty()) {
    Json list = Json::array();
    for (const MetricItem& m : spec.list()) list.push_back(metric_item_json(m));
    // Keras 3 wants one list per output for several outputs.
    if (outputs > 1) {
      metrics = Json::array();
      for (size_t i = 0; i < outputs; ++i) metrics.push_back(list);
    } else {
      metrics = list;
    }
  } else if (!spec.map().empty()) {
    metrics = Json::object();
    for (const auto& [k, items] : spec.map()) {
      Json list = Json::array();
      for (const MetricItem& m : items) list.push_back(metric_item_json(m));
      metrics[k] = list;
    }
  }
  return metrics;
}

}  // namespace

Json compile_config(models::FunctionalImpl& model) {
  trainers::Trainer& trainer = model.trainer();
  const auto& options = trainer.compile_options();
  if (!options || !trainer.compiled()) return nullptr;
  Json loss = nullptr;
  if (options->loss.single()) {
    loss = loss_item_json(*options->loss.single());
  } else if (!options->loss.list().empty()) {
    loss = Json::array();
    for (const LossItem& l : options->loss.list()) loss.push_back(loss_item_json(l));
  } else if (!options->loss.map().empty()) {
    loss = Json::object();
    for (const auto& [k, l] : options->loss.map()) loss[k] = loss_item_json(l);
  }
  Json loss_weights = nullptr;
  if (!options->loss_weights.list().empty()) loss_weights = options->loss_weights.list();
  if (!options->loss_weights.map().empty()) {
    loss_weights = Json::object();
    for (const auto& [k, w] : options->loss_weights.map()) loss_weights[k] = w;
  }
  const size_t outputs = model.outputs().size();
  const Json metrics = metrics_json(options->metrics, outputs);
  const Json weighted_metrics = metrics_json(options->weighted_metrics, outputs);
  return Json{{"optimizer", optimizers::serialize(trainer.optimizer())},
              {"loss", loss},
              {"loss_weights", loss_weights},
              {"metrics", metrics},
              {"weighted_metrics", weighted_metrics},
              {"run_eagerly", options->run_eagerly},
              {"steps_per_execution", options->steps_per_execution},
              {"jit_compile", false}};
}

namespace {

// A loss or metric given by name, or as Keras's serialized object (its snake_case class name).
std::string identifier(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object()) {
    std::string cls = config::require<std::string>(j, "class_name", "compile_config");
    std::string out;
    for (size_t i = 0; i < cls.size(); ++i) {
      const char c = cls[i];
      if (std::isupper(static_cast<unsigned char>(c)) && i > 0) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
  }
  throw ValueError(str("compile_config: cannot interpret ", config::json_excerpt(j, 100)));
}

LossItem loss_item(const Json& j) {
  if (j.is_null()) return LossItem(std::nullopt);  // Python's None: no loss for that output
  if (j.is_string()) return LossItem(j.get<std::string>().c_str());
  return LossItem(losses::deserialize(j));
}

std::vector<MetricItem> metric_list(const Json& j) {
  std::vector<MetricItem> out;
  KERAS_CHECK(j.is_array(), ValueError, "compile_config: metrics must be lists");
  for (const Json& m : j) {
    if (m.is_object()) {
      out.emplace_back(metrics::deserialize(m));
    } else {
      const std::string name = identifier(m);
      out.emplace_back(name.c_str());
    }
  }
  return out;
}

// compile's metrics or weighted_metrics from Keras 3's form (null: none).
MetricsSpec metrics_spec(const Json& m, const std::vector<std::string>& output_names) {
  if (m.is_null()) return {};
  if (m.is_object()) {
    std::map<std::string, std::vector<MetricItem>> map;
    for (const auto& [k, v] : m.items())
      map.emplace(k, metric_list(v.is_array() ? v : Json::array({v})));
    return map;
  } else if (m.is_array() && !m.empty() && m[0].is_array()) {
    std::map<std::string, std::vector<MetricItem>> map;  // one list per output
    for (size_t i = 0; i < m.size() && i < output_names.size(); ++i) {
      map.emplace(output_names[i], metric_list(m[i]));
    }
    return map;
  } else {
    return metric_list(m);
  }
}

CompileOptions compile_options_from(const Json& c, const std::vector<std::string>& output_names) {
  CompileOptions o;
  if (const Json* opt = config::find(c, "optimizer")) o.optimizer = optimizers::deserialize(*opt);
  if (const Json* loss = config::find(c, "loss"); loss != nullptr && !loss->is_null()) {
    if (loss->is_array()) {
      std::vector<LossItem> items;
      for (const Json& l : *loss) items.push_back(loss_item(l));
      o.loss = items;
    } else if (loss->is_object() && !loss->contains("class_name")) {
      std::map<std::string, LossItem> items;
      for (const auto& [k, l] : loss->items()) items.emplace(k, loss_item(l));
      o.loss = items;
    } else {
      const LossItem item = loss_item(*loss);
      o.loss = item.loss() ? LossSpec(item.loss()) : LossSpec(item.name().c_str());
    }
  }
  if (const Json* w = config::find(c, "loss_weights")) {
    if (w->is_array()) {
      o.loss_weights = w->get<std::vector<double>>();
    } else {
      o.loss_weights = w->get<std::map<std::string, double>>();
    }
  }
  if (const Json* m = config::find(c, "metrics")) o.metrics = metrics_spec(*m, output_names);
  if (const Json* m = config::find(c, "weighted_metrics")) {
    o.weighted_metrics = metrics_spec(*m, output_names);
  }
  o.run_eagerly = config::get<bool>(c, "run_eagerly", false, "compile_config");
  o.steps_per_execution = config::get<int>(c, "steps_per_execution", 1, "compile_config");
  return o;
}

}  // namespace

// Compiles `model` from a compile config; a config we cannot honour leaves the model
// uncompiled with a warning (as Keras does), instead of failing the load.
bool restore_compile(Model& model, const Json& config, const std::string& what) {
  try {
    model.compile(guarded(
        what, [&] { return compile_options_from(config, model.impl().signature().output_names); }));
    return true;
  } catch (const Error& e) {
    std::cerr << "WARNING: " << what << ": the model was not compiled: " << e.what() << "\n";
    return false;
  }
}

}  // namespace keras::saving::internal

namespace keras {

Json Model::get_compile_config() const {
  return saving::internal::compile_config(impl());
}

void Model::compile_from_config(const Json& config) {
  KERAS_CHECK(config.is_object(), ValueError,
              "compile_from_config: expected a dict (get_compile_config's), received ",
              config::json_excerpt(config, 100));
  compile(saving::internal::guarded("compile_from_config", [&] {
    return saving::internal::compile_options_from(config, impl().signature().output_names);
  }));
}

}  // namespace keras
