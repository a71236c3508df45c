#include "keras/trainers/compile_options.h"

#include <algorithm>

namespace keras {
namespace {

std::string names_str(const std::vector<std::string>& names) {
  std::string s = "[";
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", '" : "'") + names[i] + "'";
  return s + "]";
}

template <class Map>
void check_keys(const Map& map, const std::vector<std::string>& names, const char* what) {
  for (const auto& [key, value] : map) {
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      throw ValueError(str("Unknown entry in ", what, " dictionary: \"", key,
                           "\". Only expected the following keys: ", names_str(names)));
    }
  }
}

}  // namespace

optimizers::OptimizerPtr OptimizerSpec::resolve() const {
  return optimizer_ ? optimizer_ : optimizers::get(name_);
}

losses::LossPtr LossItem::resolve() const {
  if (is_none()) return nullptr;
  return loss_ ? loss_ : losses::get(name_);
}

std::vector<losses::LossPtr> LossSpec::resolve(const std::vector<std::string>& names) const {
  std::vector<losses::LossPtr> out;
  if (single_) {
    for (size_t i = 0; i < names.size(); ++i) out.push_back(single_->resolve());
  } else if (!list_.empty()) {
    KERAS_CHECK(list_.size() == names.size(), ValueError,
                "When passing a list as loss, it should "
                "have one entry per model outputs. The model has ",
                names.size(), " outputs, but you passed loss=", list_.size(), " losses");
    for (const LossItem& l : list_) out.push_back(l.resolve());
  } else if (!map_.empty()) {
    check_keys(map_, names, "loss");
    for (const std::string& n : names) {
      auto it = map_.find(n);
      out.push_back(it == map_.end() ? nullptr : it->second.resolve());
    }
  }
  return out;
}

std::vector<double> LossWeights::resolve(const std::vector<std::string>& names) const {
  if (!list_.empty()) {
    KERAS_CHECK(list_.size() == names.size(), ValueError,
                "When passing a list as loss_weights, "
                "it should have one entry per model output. The model has ",
                names.size(), " outputs, but you passed loss_weights=", list_.size(), " values");
    return list_;
  }
  std::vector<double> out(names.size(), 1.0);
  check_keys(map_, names, "loss_weights");
  for (size_t i = 0; i < names.size(); ++i) {
    auto it = map_.find(names[i]);
    if (it != map_.end()) out[i] = it->second;
  }
  return out;
}

std::vector<std::vector<MetricItem>> MetricsSpec::resolve(
    const std::vector<std::string>& names) const {
  std::vector<std::vector<MetricItem>> out(names.size());
  if (nested_) {
    KERAS_CHECK(per_output_.size() == names.size(), ValueError,
                "When passing a list of lists as metrics, it should have one list per model "
                "output. The model has ",
                names.size(), " outputs ", names_str(names), ", but you passed ",
                per_output_.size(), " lists");
    out = per_output_;
  } else if (!map_.empty()) {
    check_keys(map_, names, "metrics");
    for (size_t i = 0; i < names.size(); ++i) {
      auto it = map_.find(names[i]);
      if (it != map_.end()) out[i] = it->second;
    }
  } else {
    for (auto& o : out) o = list_;
  }
  for (const auto& items : out) {
    for (const MetricItem& m : items) {
      if (!m.metric()) metrics::validate(m.name());
    }
  }
  return out;
}

bool ValidationFreq::should_validate(int epoch) const {
  if (!epochs_.empty())
    return std::find(epochs_.begin(), epochs_.end(), epoch + 1) != epochs_.end();
  KERAS_CHECK(every_ >= 1, ValueError,
              "Expected `validation_freq` to be a list or a positive int. Received: "
              "validation_freq=",
              every_);
  return (epoch + 1) % every_ == 0;
}

double Results::operator[](std::string_view name) const {
  for (size_t i = 0; i < names_.size() && i < size(); ++i) {
    if (names_[i] == name) return at(i);
  }
  std::string known;
  for (const std::string& n : names_) known += (known.empty() ? "" : ", ") + n;
  throw ValueError(str("No result named '", name, "'; the results are: ", known));
}

std::map<std::string, double> Results::dict() const {
  std::map<std::string, double> out;
  for (size_t i = 0; i < names_.size() && i < size(); ++i) out.emplace(names_[i], at(i));
  return out;
}

}  // namespace keras
