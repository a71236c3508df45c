#include "keras/utils/plot_model.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "core/file_util.h"
#include "keras/layers/node.h"
#include "keras/models/functional.h"

namespace keras::utils {
namespace {

using layers::Layer;
using models::FunctionalImpl;

// Record labels treat these as structure; a layer name must not.
std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("{}|<>\"\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string shapes_text(const std::vector<Shape>& shapes) {
  if (shapes.size() == 1) return shape_str(shapes[0]);
  std::string out = "[";
  for (size_t i = 0; i < shapes.size(); ++i) out += (i ? ", " : "") + shape_str(shapes[i]);
  return out + "]";
}

std::string input_shape_text(const Layer& layer) {
  std::optional<std::string> text;
  for (const auto& node : layer.inbound_nodes()) {
    std::vector<Shape> shapes;
    if (node->is_input()) {
      for (const TensorSpec& t : node->outputs) shapes.push_back(t.shape);
    } else {
      for (const KerasTensor& t : node->input_tensors) shapes.push_back(t.shape());
    }
    const std::string s = shapes_text(shapes);
    if (text && *text != s) return "multiple";
    text = s;
  }
  return text.value_or("multiple");
}

class DotWriter {
 public:
  explicit DotWriter(const PlotModelOptions& o) : o_(o) {}

  std::string write(const FunctionalImpl& model) {
    out_ = "digraph G {\nconcentrate=true;\ndpi=" + std::to_string(o_.dpi) +
           ";\nrankdir=" + o_.rankdir + ";\nnode [shape=record];\n";
    add_graph(model, "", "");
    for (const auto& [from, to] : edges_) out_ += quote(from) + " -> " + quote(to) + ";\n";
    return out_ + "}\n";
  }

 private:
  static std::string quote(const std::string& id) {
    std::string q = "\"";
    for (char c : id) q += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    return q + "\"";
  }

  std::string label(const Layer& layer) const {
    std::string text =
        escape(o_.show_layer_names ? layer.name() + ": " + layer.class_name() : layer.class_name());
    if (o_.show_dtype) text += "|" + std::string(dtype_name(layer.dtype()));
    if (o_.show_shapes) {
      text += "\\n|{input:|output:}|{{" + escape(input_shape_text(layer)) + "}|{" +
              escape(layer.output_shape_str()) + "}}";
    }
    if (o_.show_trainable)
      text = std::string("{{") + (layer.trainable() ? "T" : "NT") + "}|{" + text + "}}";
    return text;
  }

  static const FunctionalImpl* nested(const Layer& layer) {
    return dynamic_cast<const FunctionalImpl*>(&layer);
  }

  // The node id where an edge into input `index` of `layer` ends (expanded models: their input).
  std::string entry(const Layer& layer, const std::string& prefix, size_t index) const {
    const FunctionalImpl* m = o_.expand_nested ? nested(layer) : nullptr;
    if (!m) return prefix + layer.name();
    const KerasTensor& in = m->inputs()[std::min(index, m->inputs().size() - 1)];
    return entry(*in.layer(), prefix + layer.name() + "/", 0);
  }
  // The node id where an edge from output `index` of `layer` starts.
  std::string exit(const Layer& layer, const std::string& prefix, size_t index) const {
    const FunctionalImpl* m = o_.expand_nested ? nested(layer) : nullptr;
    if (!m) return prefix + layer.name();
    const KerasTensor& out = m->outputs()[std::min(index, m->outputs().size() - 1)];
    return exit(*out.layer(), prefix + layer.name() + "/", static_cast<size_t>(out.tensor_index()));
  }

  // The nodes of `model`'s own graph, found by walking back from its outputs.
  static std::set<const layers::Node*> graph_nodes(const FunctionalImpl& model) {
    std::set<const layers::Node*> seen;
    std::vector<KerasTensor> todo(model.outputs().begin(), model.outputs().end());
    while (!todo.empty()) {
      const KerasTensor t = todo.back();
      todo.pop_back();
      const layers::Node* node =
          t.layer()->inbound_nodes()[static_cast<size_t>(t.node_index())].get();
      if (!seen.insert(node).second) continue;
      todo.insert(todo.end(), node->input_tensors.begin(), node->input_tensors.end());
    }
    return seen;
  }

  void add_graph(const FunctionalImpl& model,
                 const std::string& prefix,
                 const std::string& indent) {
    for (const auto& layer : model.layers()) {
      const FunctionalImpl* sub = o_.expand_nested ? nested(*layer) : nullptr;
      if (!sub) {
        out_ += indent + quote(prefix + layer->name()) + " [label=\"" + label(*layer) + "\"];\n";
        continue;
      }
      const std::string sub_prefix = prefix + layer->name() + "/";
      out_ += indent + "subgraph " + quote("cluster_" + sub_prefix) + " {\n" + indent +
              "  label=" + quote(layer->name()) + ";\n" + indent + "  style=dashed;\n" + indent +
              "  labeljust=l;\n";
      add_graph(*sub, sub_prefix, indent + "  ");
      out_ += indent + "}\n";
    }
    const std::set<const layers::Node*> nodes = graph_nodes(model);
    for (const auto& layer : model.layers()) {
      for (const auto& node : layer->inbound_nodes()) {
        if (!nodes.contains(node.get())) continue;
        for (size_t i = 0; i < node->input_tensors.size(); ++i) {
          const KerasTensor& t = node->input_tensors[i];
          add_edge(exit(*t.layer(), prefix, static_cast<size_t>(t.tensor_index())),
                   entry(*layer, prefix, i));
        }
      }
    }
  }

  void add_edge(const std::string& from, const std::string& to) {
    const std::pair<std::string, std::string> e{from, to};
    if (std::find(edges_.begin(), edges_.end(), e) == edges_.end()) edges_.push_back(e);
  }

  const PlotModelOptions& o_;
  std::string out_;
  std::vector<std::pair<std::string, std::string>> edges_;
};

}  // namespace

std::string model_to_dot(const Model& model, const PlotModelOptions& options) {
  const std::string& r = options.rankdir;
  KERAS_CHECK(r == "TB" || r == "LR" || r == "BT" || r == "RL", ValueError,
              "rankdir must be one of 'TB', 'LR', 'BT', 'RL'; received: ", r);
  KERAS_CHECK(!model.impl().outputs().empty(), ValueError,
              "This model has not yet been built. Build the model first by calling `build()` or by "
              "calling the model on a batch of data.");
  return DotWriter(options).write(model.impl());
}

void plot_model(const Model& model, const std::string& to_file, const PlotModelOptions& options) {
  const std::string dot = model_to_dot(model, options);
  std::string format = std::filesystem::path(to_file).extension().string();
  format = format.empty() ? "png" : format.substr(1);
  std::transform(format.begin(), format.end(), format.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (format == "jpeg") format = "jpg";
  if (format == "dot" || format == "gv") {
    internal::write_file_atomic(to_file, dot);
    return;
  }
  // One Graphviz context for the process, never freed, and one plot at a time: Graphviz is not
  // thread-safe, and its pango plugin keeps a pointer to the last font name, which freeing a
  // context leaves dangling for the next one (a use-after-free under AddressSanitizer).
  static std::mutex graphviz_mutex;
  const std::lock_guard<std::mutex> lock(graphviz_mutex);
  static GVC_t* const gvc = gvContext();
  KERAS_CHECK(gvc != nullptr, RuntimeError, "plot_model: Graphviz could not start");
  std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> graph(agmemread(dot.c_str()), agclose);
  KERAS_CHECK(graph != nullptr, RuntimeError, "plot_model: Graphviz could not read the graph");
  KERAS_CHECK(gvLayout(gvc, graph.get(), "dot") == 0, RuntimeError,
              "plot_model: Graphviz's dot layout failed");
  internal::AtomicFile file(to_file);  // the temporary exists: a failure below is the format's
  const int rc = gvRenderFilename(gvc, graph.get(), format.c_str(), file.temp_path().c_str());
  gvFreeLayout(gvc, graph.get());
  KERAS_CHECK(rc == 0, ValueError, "plot_model: Graphviz cannot write the format '", format,
              "' of ", to_file, " (try .png, .svg, .pdf or .dot)");
  file.commit();
}

}  // namespace keras::utils
