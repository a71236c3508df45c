#include "keras/autodiff/tape.h"

#include <algorithm>

#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"

namespace keras::autodiff {
namespace {

thread_local GradientTape* current_tape = nullptr;

Tensor launch_add(const Tensor& a, const Tensor& b) {
  Tensor y = Tensor::empty(a.shape(), a.dtype(), a.device());
  backend::Backend& be = backend::backend_for(a);
  launch([&be, a, b, y] { be.binary(backend::BinaryOp::add, a, b, y); });
  return y;
}

}  // namespace

GradientTape::GradientTape() : previous_(current_tape) {
  current_tape = this;
}
GradientTape::~GradientTape() {
  current_tape = previous_;
}

GradientTape* active_tape() {
  return current_tape != nullptr && !current_tape->paused() ? current_tape : nullptr;
}

void GradientTape::watch(const Tensor& t) {
  tracked_.insert(t.id());
}

bool GradientTape::is_tracked(const Tensor& t) const {
  return t.requires_grad() || tracked_.contains(t.id());
}

void GradientTape::record(std::string_view name,
                          const Tensors& inputs,
                          const Tensors& outputs,
                          BackwardFn backward) {
  if (paused_) return;
  if (std::none_of(inputs.begin(), inputs.end(),
                   [&](const Tensor& t) { return t.defined() && is_tracked(t); })) {
    return;
  }
  Entry e;
  e.name = name;
  for (const Tensor& t : inputs) {
    e.input_ids.push_back(t.defined() ? t.id() : 0);
    e.input_shapes.push_back(t.defined() ? t.shape() : Shape{});
    e.input_dtypes.push_back(t.defined() ? t.dtype() : float32);
  }
  for (const Tensor& t : outputs) tracked_.insert(t.id());
  e.outputs = outputs;
  e.backward = std::move(backward);
  entries_.push_back(std::move(e));
}

Tensors GradientTape::gradient(const Tensor& target, const Tensors& sources) {
  return gradient(target, sources, nullptr);
}

Tensors GradientTape::gradient(const Tensor& target,
                               const Tensors& sources,
                               const FinalFn& on_final) {
  KERAS_CHECK(is_floating(target.dtype()), TypeError,
              "GradientTape.gradient: target must be floating point, got ", target.dtype());
  struct Pause {  // restores recording even if a backward function throws
    bool& flag;
    explicit Pause(bool& f) : flag(f) { flag = true; }
    ~Pause() { flag = false; }
  } pause(paused_);
  std::unordered_map<uint64_t, Tensor> grads;
  {
    Tensor seed = Tensor::empty(target.shape(), target.dtype(), target.device());
    backend::Backend& be = backend::backend_for(seed);
    launch([&be, seed] { be.fill(seed, 1.0); });
    grads[target.id()] = seed;
  }
  // final_after[e]: the sources whose first use (in recording order) is record e.
  std::unordered_map<size_t, std::vector<size_t>> final_after;
  if (on_final) {
    std::unordered_map<uint64_t, std::vector<size_t>> source_index;
    for (size_t i = 0; i < sources.size(); ++i) source_index[sources[i].id()].push_back(i);
    for (size_t e = 0; e < entries_.size(); ++e) {
      for (uint64_t id : entries_[e].input_ids) {
        auto found = source_index.find(id);
        if (found == source_index.end()) continue;
        for (size_t i : found->second) final_after[e].push_back(i);
        source_index.erase(found);
      }
    }
  }
  auto report_final = [&](size_t e) {
    if (!on_final) return;
    auto found = final_after.find(e);
    if (found == final_after.end()) return;
    for (size_t i : found->second) {
      auto g = grads.find(sources[i].id());
      if (g != grads.end()) on_final(i, g->second);
    }
  };
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it != entries_.rbegin()) report_final(static_cast<size_t>(entries_.rend() - it));
    Tensors dys;
    bool any = false;
    for (const Tensor& out : it->outputs) {
      auto found = grads.find(out.id());
      dys.push_back(found != grads.end() ? found->second : Tensor());
      any = any || found != grads.end();
    }
    if (!any) continue;
    if (dys.size() > 1) {
      for (size_t k = 0; k < dys.size(); ++k) {
        if (dys[k].defined()) continue;
        const Tensor& out = it->outputs[k];
        dys[k] = Tensor::empty(out.shape(), out.dtype(), out.device());
        backend::Backend& be = backend::backend_for(out);
        launch([&be, z = dys[k]] { be.fill(z, 0.0); });
      }
    }
    Grads in_grads = it->backward(dys);
    KERAS_CHECK(in_grads.size() == it->input_ids.size(), RuntimeError, "backward of '", it->name,
                "' returned ", in_grads.size(), " gradients for ", it->input_ids.size(), " inputs");
    for (size_t k = 0; k < in_grads.size(); ++k) {
      Tensor g = in_grads[k];
      const uint64_t id = it->input_ids[k];
      if (!g.defined() || id == 0 || !is_floating(it->input_dtypes[k])) continue;
      if (g.shape() != it->input_shapes[k]) g = reduce_to_shape(g, it->input_shapes[k]);
      auto found = grads.find(id);
      if (found == grads.end()) {
        grads.emplace(id, g);
      } else {
        found->second = launch_add(found->second, g);
      }
    }
  }
  if (!entries_.empty()) report_final(0);
  Tensors result;
  result.reserve(sources.size());
  for (const Tensor& s : sources) {
    auto found = grads.find(s.id());
    result.push_back(found != grads.end() ? found->second : Tensor());
  }
  return result;
}

void record(std::string_view name,
            const Tensors& inputs,
            const Tensors& outputs,
            BackwardFn backward) {
  if (GradientTape* tape = active_tape()) tape->record(name, inputs, outputs, std::move(backward));
}

bool any_tracked(const Tensors& inputs) {
  GradientTape* tape = active_tape();
  if (tape == nullptr) return false;
  return std::any_of(inputs.begin(), inputs.end(),
                     [&](const Tensor& t) { return t.defined() && tape->is_tracked(t); });
}

Tensor reduce_to_shape(const Tensor& grad, const Shape& shape) {
  const int lead = grad.rank() - static_cast<int>(shape.size());
  KERAS_CHECK(lead >= 0, ValueError, "reduce_to_shape: gradient ", shape_str(grad.shape()),
              " has lower rank than ", shape_str(shape));
  std::vector<int> axes;
  for (int d = 0; d < grad.rank(); ++d) {
    if (d < lead || (shape[d - lead] == 1 && grad.shape()[d] != 1)) axes.push_back(d);
  }
  if (axes.empty()) return grad.reshape(shape);
  Tensor y = Tensor::empty(shape, grad.dtype(), grad.device());
  backend::Backend& be = backend::backend_for(grad);
  launch([&be, grad, y, axes] { be.reduce(backend::ReduceOp::sum, grad, axes, y); });
  return y;
}

}  // namespace keras::autodiff
