// Data passed to fit / evaluate / predict: one tensor, a list in model order, or a map keyed by
// input names (x) or output names (y), as Keras accepts.
//   model.fit(x, y);  model.fit({a, b}, y);  model.fit({{"main_input", a}, {"aux_input", b}}, y);
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "keras/core/tensor.h"

namespace keras {

class Data {
 public:
  Data() = default;                                                              // no data
  Data(Tensor t) : list_{std::move(t)}, kind_(Kind::single) {}                   // NOLINT
  Data(std::vector<Tensor> list) : list_(std::move(list)), kind_(Kind::list) {}  // NOLINT
  Data(std::initializer_list<Tensor> list) : list_(list), kind_(Kind::list) {}
  Data(std::map<std::string, Tensor> map) : map_(std::move(map)), kind_(Kind::map) {}  // NOLINT
  Data(std::initializer_list<std::pair<const std::string, Tensor>> map)
      : map_(map), kind_(Kind::map) {}

  bool empty() const { return kind_ == Kind::none; }
  bool is_map() const { return kind_ == Kind::map; }
  const std::vector<Tensor>& list() const { return list_; }
  const std::map<std::string, Tensor>& map() const { return map_; }

  // Tensors in the order of `names` (model inputs or outputs). `what` is "input" or "target"
  // for error messages. Throws ValueError (Keras's wording) for missing keys, unknown keys, a
  // list of the wrong length.
  std::vector<Tensor> flatten(const std::vector<std::string>& names, const char* what) const;

 private:
  enum class Kind { none, single, list, map };
  std::vector<Tensor> list_;
  std::map<std::string, Tensor> map_;
  Kind kind_ = Kind::none;
};

struct ValidationData {
  Data x;
  Data y;
  Data sample_weight = {};
};

}  // namespace keras
