// Data passed to fit / evaluate / predict: one tensor, a list in model order, or a map keyed by
// input names (x) or output names (y), as Keras accepts (targets: std::nullopt in a list, or a
// key left out of a map, for an output without a loss, as Keras 3's None); or, as x, a
// keras::utils::PyDataset (keras/trainers/py_dataset.h) that gives the data batch by batch.
//   model.fit(x, y);  model.fit({a, b}, y);  model.fit({{"main_input", a}, {"aux_input", b}}, y);
//   model.fit(dataset);  // a PyDataset held by reference (it must outlive the call) or shared_ptr
#pragma once

#include <concepts>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "keras/core/tensor.h"

namespace keras {

namespace utils {
class PyDataset;
}

class Data {
 public:
  Data() = default;                                                              // no data
  Data(Tensor t) : list_{std::move(t)}, kind_(Kind::single) {}                   // NOLINT
  Data(std::vector<Tensor> list) : list_(std::move(list)), kind_(Kind::list) {}  // NOLINT
  Data(std::initializer_list<Tensor> list) : list_(list), kind_(Kind::list) {}
  // A list with std::nullopt (Python's None: an undefined Tensor) for outputs without a target.
  Data(std::initializer_list<std::optional<Tensor>> list) : kind_(Kind::list) {
    for (const auto& t : list) list_.push_back(t.value_or(Tensor()));
  }
  Data(std::map<std::string, Tensor> map) : map_(std::move(map)), kind_(Kind::map) {}  // NOLINT
  Data(std::initializer_list<std::pair<const std::string, Tensor>> map)
      : map_(map), kind_(Kind::map) {}
  template <class D>
  requires std::derived_from<D, utils::PyDataset> Data(std::shared_ptr<D> dataset)  // NOLINT
      : dataset_(std::move(dataset)), kind_(Kind::dataset) {}
  // Not owned: the dataset must outlive the fit / evaluate / predict call.
  template <class D>
  requires std::derived_from<D, utils::PyDataset> &&(!std::is_const_v<D>)Data(D& dataset)  // NOLINT
      : dataset_(std::shared_ptr<utils::PyDataset>(), &dataset), kind_(Kind::dataset) {}

  bool empty() const { return kind_ == Kind::none; }
  bool is_dataset() const { return kind_ == Kind::dataset; }
  utils::PyDataset* dataset() const { return dataset_.get(); }
  bool is_map() const { return kind_ == Kind::map; }
  bool is_list() const { return kind_ == Kind::list || kind_ == Kind::single; }
  const std::vector<Tensor>& list() const { return list_; }
  const std::map<std::string, Tensor>& map() const { return map_; }

  // Tensors in the order of `names` (model inputs or outputs). `what` is "input" or "target"
  // for error messages. Throws ValueError (Keras's wording) for missing keys, unknown target
  // keys, a list of the wrong length, a dataset; unknown input keys are ignored with a warning
  // on stderr, as Keras 3 does.
  std::vector<Tensor> flatten(const std::vector<std::string>& names, const char* what) const;

 private:
  enum class Kind { none, single, list, map, dataset };
  std::vector<Tensor> list_;
  std::map<std::string, Tensor> map_;
  std::shared_ptr<utils::PyDataset> dataset_;
  Kind kind_ = Kind::none;
};

// fit's validation_data: arrays (x, y and optional sample weights), or a PyDataset as x alone.
struct ValidationData {
  Data x;
  Data y = {};
  Data sample_weight = {};
};

}  // namespace keras
