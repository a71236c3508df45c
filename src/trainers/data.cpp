#include "keras/trainers/data.h"

#include <algorithm>

namespace keras {

std::vector<Tensor> Data::flatten(const std::vector<std::string>& names, const char* what) const {
  auto names_str = [&] {
    std::string s = "[";
    for (size_t i = 0; i < names.size(); ++i) s += (i ? ", '" : "'") + names[i] + "'";
    return s + "]";
  };
  switch (kind_) {
    case Kind::none:
      return {};
    case Kind::dataset:
      throw ValueError(
          str("Expected ", what, " data as tensors: a PyDataset can only be passed as `x`."));
    case Kind::single:
    case Kind::list:
      KERAS_CHECK(list_.size() == names.size(), ValueError, "Error when checking model ", what,
                  ": the list of Numpy arrays that you are passing to your model is not the size "
                  "the model expected. Expected to see ",
                  names.size(),
                  " array(s), but instead "
                  "got ",
                  list_.size(), " array(s).");
      for (size_t i = 0; i < list_.size(); ++i) {
        KERAS_CHECK(list_[i].defined(), ValueError, "Error when checking model ", what, ": ", what,
                    " ", i, " (", names[i], ") is an undefined tensor");
      }
      return list_;
    case Kind::map: {
      for (const auto& [key, value] : map_) {
        if (std::find(names.begin(), names.end(), key) == names.end()) {
          throw ValueError(str("Unknown entry in ", what, " dictionary: \"", key,
                               "\". Only expected the following keys: ", names_str()));
        }
      }
      std::vector<Tensor> out;
      for (const std::string& n : names) {
        auto it = map_.find(n);
        if (it == map_.end()) {
          throw ValueError(
              str("No data provided for \"", n, "\". Need data for each key in: ", names_str()));
        }
        out.push_back(it->second);
      }
      return out;
    }
  }
  return {};
}

}  // namespace keras
