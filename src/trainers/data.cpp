#include "keras/trainers/data.h"

#include <algorithm>
#include <iostream>
#include <string_view>

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
      std::string keys;
      bool extra = false;
      for (const auto& [key, value] : map_) {
        keys += (keys.empty() ? "'" : ", '") + key + "'";
        if (std::find(names.begin(), names.end(), key) != names.end()) continue;
        // Inputs the model does not take are left out, with Keras 3's warning (Keras 2 ignored
        // them); an unknown target is an error, as in Keras 3.
        KERAS_CHECK(std::string_view(what) == "input", ValueError, "Unknown entry in ", what,
                    " dictionary: \"", key, "\". Only expected the following keys: ", names_str());
        extra = true;
      }
      if (extra) {
        std::cerr << "UserWarning: The structure of `inputs` doesn't match the expected "
                     "structure. Expected: "
                  << names_str() << ". Received: inputs with keys [" << keys
                  << "]; the keys the model does not have are ignored." << std::endl;
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
