// Keras 2.2.4's print_summary, line for line in behaviour.
#include <algorithm>
#include <set>

#include "keras/models/functional.h"

namespace keras::models {
namespace {

std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// Each field is cut or padded so that it ends at its position (Keras's print_row).
std::string row(const std::vector<std::string>& fields, const std::vector<int>& positions) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line = line.substr(0, line.size() - 1) + " ";
    line += fields[i];
    line = line.substr(0, static_cast<size_t>(positions[i]));
    line += std::string(static_cast<size_t>(positions[i]) - line.size(), ' ');
  }
  return line;
}

}  // namespace

void FunctionalImpl::summary(const std::function<void(const std::string&)>& print_fn,
                             int line_length,
                             std::vector<double> positions) const {
  std::set<const layers::Node*> relevant(nodes_.begin(), nodes_.end());
  bool sequential_like = class_name() == "Sequential";
  if (!sequential_like) {
    sequential_like = true;
    for (const auto& nodes : nodes_by_depth_) {
      if (nodes.size() > 1 || (nodes.size() == 1 && nodes[0]->input_tensors.size() > 1)) {
        sequential_like = false;
        break;
      }
    }
    for (const auto& l : layers_) {
      if (!sequential_like) break;
      int in_model = 0;
      for (const auto& n : l->inbound_nodes()) in_model += relevant.contains(n.get());
      if (in_model > 1) sequential_like = false;
    }
  }
  std::vector<std::string> header;
  if (sequential_like) {
    line_length = line_length > 0 ? line_length : 65;
    if (positions.empty()) positions = {.45, .85, 1.};
    header = {"Layer (type)", "Output Shape", "Param #"};
  } else {
    line_length = line_length > 0 ? line_length : 98;
    if (positions.empty()) positions = {.33, .55, .67, 1.};
    header = {"Layer (type)", "Output Shape", "Param #", "Connected to"};
  }
  std::vector<int> pos;
  for (double p : positions) {
    pos.push_back(positions.back() <= 1 ? static_cast<int>(line_length * p) : static_cast<int>(p));
  }

  print_fn(std::string(static_cast<size_t>(line_length), '_'));
  print_fn(row(header, pos));
  print_fn(std::string(static_cast<size_t>(line_length), '='));

  // Sequential models hide their InputLayer, as Keras 2's Sequential.layers does.
  std::vector<std::shared_ptr<layers::Layer>> shown;
  for (const auto& l : layers_) {
    if (class_name() == "Sequential" && l->class_name() == "InputLayer") continue;
    shown.push_back(l);
  }
  for (size_t i = 0; i < shown.size(); ++i) {
    const layers::Layer& l = *shown[i];
    const std::string label = l.name() + " (" + l.class_name() + ")";
    const std::string params = std::to_string(l.built() ? l.count_params() : 0);
    if (sequential_like) {
      print_fn(row({label, l.output_shape_str(), params}, pos));
    } else {
      std::vector<std::string> connections;
      for (const auto& n : l.inbound_nodes()) {
        if (!relevant.contains(n.get())) continue;
        for (const KerasTensor& x : n->input_tensors) {
          connections.push_back(
              str(x.layer()->name(), "[", x.node_index(), "][", x.tensor_index(), "]"));
        }
      }
      print_fn(row({label, l.output_shape_str(), params,
                    connections.empty() ? std::string() : connections[0]},
                   pos));
      for (size_t c = 1; c < connections.size(); ++c)
        print_fn(row({"", "", "", connections[c]}, pos));
    }
    print_fn(std::string(static_cast<size_t>(line_length), i + 1 == shown.size() ? '=' : '_'));
  }
  int64_t trainable = 0, non_trainable = 0;
  for (const Variable& v : weights())
    (v.trainable() ? trainable : non_trainable) += v.value().size();
  print_fn("Total params: " + with_commas(trainable + non_trainable));
  print_fn("Trainable params: " + with_commas(trainable));
  print_fn("Non-trainable params: " + with_commas(non_trainable));
  print_fn(std::string(static_cast<size_t>(line_length), '_'));
}

}  // namespace keras::models
