// keras::applications against Keras 3.15: the classes and names of a model's layers and its weight
// counts, as tools/fixtures/make_applications_fixtures.py `names --keras` writes them into
// tests/data/applications/layer_names*.txt (one file per family of models).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <keras/keras.hpp>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace keras::test {

struct KerasModel {
  std::string model_name;
  int64_t params = 0, non_trainable = 0, params_without_top = 0;
  std::vector<std::pair<std::string, std::string>> layers;  // (class, name or "<prefix>*")
};

// Every tests/data/applications/layer_names*.txt, one model per "model" line.
inline std::map<std::string, KerasModel> keras_models() {
  std::map<std::string, KerasModel> models;
  namespace fs = std::filesystem;
  for (const auto& entry :
       fs::directory_iterator(std::string(KERAS_TEST_DATA_DIR) + "/applications")) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("layer_names", 0) != 0 || entry.path().extension() != ".txt") continue;
    std::ifstream in(entry.path());
    std::string line;
    KerasModel* current = nullptr;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string first, second;
      fields >> first;
      if (first == "model") {
        fields >> second;
        current = &models[second];
        fields >> current->model_name >> current->params >> current->non_trainable >>
            current->params_without_top;
      } else if (first == "end") {
        current = nullptr;
      } else if (current) {
        fields >> second;
        current->layers.emplace_back(first, second);
      }
    }
  }
  return models;
}

inline const KerasModel& keras_model(const std::string& key) {
  static const std::map<std::string, KerasModel> models = keras_models();
  auto it = models.find(key);
  if (it == models.end()) throw std::runtime_error("no " + key + " in layer_names.txt");
  return it->second;
}

inline int64_t count(const std::vector<Variable>& vars) {
  int64_t n = 0;
  for (const Variable& v : vars) n += v.value().size();
  return n;
}

// Same classes and names in the same order; Keras's automatic names ("conv2d_3") are compared
// by their prefix, as their numbers depend on what was built before in the process.
inline void expect_keras_layers(const Model& model, const KerasModel& expected) {
  const auto layers = model.layers();
  ASSERT_EQ(layers.size(), expected.layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    const auto& [cls, name] = expected.layers[i];
    EXPECT_EQ(layers[i].class_name(), cls) << "layer " << i << " " << layers[i].name();
    if (!name.empty() && name.back() == '*') {
      std::string prefix = name.substr(0, name.size() - 1);
      // keras.cpp names Inputs as Keras 2 did ("input_1"), Keras 3 "input_layer".
      if (cls == "InputLayer") prefix = "input";
      EXPECT_TRUE(std::regex_match(layers[i].name(), std::regex(prefix + "(_[0-9]+)?")))
          << "layer " << i << ": " << layers[i].name() << " is not an automatic " << prefix;
    } else {
      EXPECT_EQ(layers[i].name(), name) << "layer " << i;
    }
  }
}

// Keras's name, weight counts (all, non-trainable, without the top) and layers.
inline void expect_as_keras(const std::string& key,
                            const std::function<Model()>& with_top,
                            const std::function<Model()>& without_top) {
  const KerasModel& expected = keras_model(key);
  {
    Model model = with_top();
    EXPECT_EQ(model.name(), expected.model_name);
    EXPECT_EQ(model.count_params(), expected.params);
    EXPECT_EQ(count(model.non_trainable_weights()), expected.non_trainable);
    expect_keras_layers(model, expected);
  }
  EXPECT_EQ(without_top().count_params(), expected.params_without_top);
}

}  // namespace keras::test
