// Trainer: fit / evaluate / predict's data, checked and converted into the batches the steps run
// on (arrays, or a PyDataset's batches).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <type_traits>

#include "keras/trainers/py_dataset.h"
#include "keras/trainers/trainer.h"
#include "layers/input_rank.h"
#include "trainers/epoch_iterator.h"
#include "trainers/trainer_output.h"

namespace keras::trainers {

using internal::ArrayData;
using internal::ArrayIterator;
using internal::DatasetIterator;
using internal::EpochIterator;

namespace {

void check_against_spec(const Tensor& t,
                        const TensorSpec& spec,
                        const std::string& name,
                        const char* what) {
  const Shape& want = spec.shape;
  Shape want_tail(want.begin() + (want.empty() ? 0 : 1), want.end());
  Shape got_tail(t.shape().begin() + (t.rank() == 0 ? 0 : 1), t.shape().end());
  KERAS_CHECK(t.rank() == static_cast<int>(want.size()), ValueError, "Error when checking ", what,
              ": expected ", name, " to have ", want.size(),
              " dimensions, but got array with shape ", shape_str(t.shape()));
  for (size_t i = 0; i < want_tail.size(); ++i) {
    KERAS_CHECK(want_tail[i] == kNone || want_tail[i] == got_tail[i], ValueError,
                "Error when checking ", what, ": expected ", name, " to have shape ",
                shape_str(want_tail), " but got array with shape ", shape_str(got_tail));
  }
}

// True when every value is finite: the exponent bits of an inf or NaN are all ones. An integer
// OR over blocks vectorizes (the per-element early exit of std::isfinite does not).
template <class T>
bool all_finite(const T* p, int64_t n) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  constexpr Bits exponent =
      static_cast<Bits>(sizeof(T) == 4 ? 0x7f800000ull : 0x7ff0000000000000ull);
  for (int64_t i0 = 0; i0 < n; i0 += 4096) {
    const int64_t i1 = std::min(n, i0 + 4096);
    Bits bad = 0;
    for (int64_t i = i0; i < i1; ++i) {
      Bits b;
      std::memcpy(&b, p + i, sizeof(b));
      bad |= static_cast<Bits>((b & exponent) == exponent);
    }
    if (bad != 0) return false;
  }
  return true;
}

void check_finite(const Tensor& data, const std::string& name) {
  if (!is_floating(data.dtype())) return;
  const Tensor t = data.cpu();
  visit_dtype(t.dtype(), [&]<class T>() {
    const T* p = t.data<T>();
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      if (all_finite(p, t.size())) return;
    }
    for (int64_t i = 0; i < t.size(); ++i) {
      KERAS_CHECK(std::isfinite(static_cast<double>(p[i])), ValueError, "Data for \"", name,
                  "\" contains a NaN or infinite value (element ", i, " of an array of shape ",
                  shape_str(t.shape()), ")");
    }
  });
}

// Keras's class_weight_to_sample_weights: each sample weighs class_weight[its class] (1 when not
// listed); its class is the argmax of a target with several columns, else the rounded target.
Tensor class_weight_to_sample_weight(const Tensor& y, const ClassWeight& class_weight) {
  const int64_t n = y.shape()[0];
  const int64_t columns = y.rank() > 1 ? y.size() / std::max<int64_t>(n, 1) : 1;
  const Tensor values = y.astype(float64).cpu();  // host work, once per call
  const double* v = values.data<double>();
  Tensor weights = Tensor::empty({n}, float32, Device::cpu());
  float* w = weights.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    const double* row = v + i * columns;
    const int64_t label = columns > 1 ? std::max_element(row, row + columns) - row
                                      : static_cast<int64_t>(std::nearbyint(row[0]));
    auto it = class_weight.find(label);
    w[i] = static_cast<float>(it != class_weight.end() ? it->second : 1.0);
  }
  return weights.to(y.device());
}

// fit's sample_weight as ArrayData keeps it: one array for every output, or a list (entries may
// be undefined: that output is unweighted) or a dict by output name (outputs left out are
// unweighted) with one per output, as Keras 3 matches sample_weight to y's structure.
Tensors flatten_sample_weights(const Data& sample_weight, const std::vector<std::string>& names) {
  if (sample_weight.empty()) return {};
  if (sample_weight.is_map()) {
    std::map<std::string, Tensor> all;
    for (const std::string& n : names) all.emplace(n, Tensor());
    for (const auto& [key, value] : sample_weight.map()) all[key] = value;
    Tensors out = Data(all).flatten(names, "sample_weight");  // unknown keys: ValueError
    return out;
  }
  // One array (or a list of one, as Keras 3 repeats the first) weighs every output.
  const Tensors& list = sample_weight.list();
  if (list.size() == 1) return list;
  if (list.size() != names.size()) sample_weight.flatten(names, "sample_weight");  // count error
  return list;
}

// Keras's words for an argument that a PyDataset gives itself.
void check_not_given(bool given, const char* arg, const char* description) {
  KERAS_CHECK(!given, ValueError, "When providing `x` as a PyDataset, `", arg,
              "` should not be passed. Instead, ", description,
              " should be included as part of the PyDataset.");
}

}  // namespace

void check_input_structure(const Data& x, const ModelSignature& signature) {
  if (signature.unsorted_dict_inputs.empty() || !x.is_list()) return;
  std::string received = "[";
  for (size_t i = 0; i < x.list().size(); ++i) {
    received += str(i ? ", " : "", "Tensor(shape=", shape_str(x.list()[i].shape()), ")");
  }
  throw ValueError(
      str("The structure of `inputs` doesn't match the expected structure.\nExpected: ",
          signature.unsorted_dict_inputs, "\nReceived: inputs=", received,
          "]\n(the model's inputs are a dict whose keys are not in sorted order: "
          "give the inputs by name)"));
}

ArrayData Trainer::prepare(const Data& x,
                           const Data& y,
                           const Data& sample_weight,
                           bool need_y) const {
  ArrayData b;
  KERAS_CHECK(!x.empty(), ValueError, "Expected input data `x` to be provided.");
  check_input_structure(x, signature_);
  b.x = x.flatten(signature_.input_names, "input");
  // As Keras 3, a model compiled without a loss or metrics trains and evaluates on its own
  // losses (add_loss, regularizers): it needs no targets.
  need_y =
      need_y && (!y.empty() || std::any_of(outputs_.begin(), outputs_.end(), [](const Output& o) {
        return o.loss != nullptr || !o.metric_items.empty();
      }));
  if (need_y) {
    KERAS_CHECK(!y.empty(), ValueError,
                "Expected target data `y` to be provided: the model has a "
                "loss to compute.");
    b.y = flatten_targets(y);
  }
  b.sample_weight = flatten_sample_weights(sample_weight, signature_.output_names);
  auto sizes = [](const Tensors& ts) {
    std::string out;
    for (const Tensor& t : ts) {
      if (!t.defined()) continue;
      out += (out.empty() ? "" : ", ") + (t.rank() ? std::to_string(t.shape()[0]) : "scalar");
    }
    return out;
  };
  const int64_t n = b.x[0].rank() > 0 ? b.x[0].shape()[0] : 0;
  auto same_n = [&](const Tensor& t) {
    return !t.defined() || (t.rank() > 0 && t.shape()[0] == n);  // undefined: no target
  };
  bool ok =
      std::all_of(b.x.begin(), b.x.end(), same_n) && std::all_of(b.y.begin(), b.y.end(), same_n);
  ok = ok && std::all_of(b.sample_weight.begin(), b.sample_weight.end(), same_n);
  KERAS_CHECK(ok, ValueError,
              "Data cardinality is ambiguous. Make sure all arrays contain the same "
              "number of samples. 'x' sizes: ",
              sizes(b.x), (b.y.empty() ? "" : ", 'y' sizes: "), sizes(b.y),
              (b.sample_weight.empty() ? "" : ", 'sample_weight' sizes: "), sizes(b.sample_weight));
  KERAS_CHECK(n > 0, ValueError, "Expected input data to be non-empty.");
  for (size_t i = 0; i < b.x.size(); ++i) {
    b.x[i] = layers::internal::adjust_input_rank(b.x[i], signature_.input_specs[i].shape);
    check_against_spec(b.x[i], signature_.input_specs[i], signature_.input_names[i], "input");
    if (b.x[i].dtype() != signature_.input_specs[i].dtype) {
      const DType want = signature_.input_specs[i].dtype;
      KERAS_CHECK(want != string_ && b.x[i].dtype() != string_, TypeError,
                  "Error when checking input: expected ", signature_.input_names[i],
                  " to have dtype ", want, ", but got array with dtype ", b.x[i].dtype(),
                  " (strings and numbers do not convert)");
      b.x[i] = b.x[i].astype(want);
    }
    // Training and evaluation reject NaN and inf up front (docs/differences.md); predict, as
    // Keras, returns what the model makes of them, without a pass over all of x first (it was
    // ~15% of the mlp's predict: x is read from memory once more than the batches read it).
    if (need_y && !non_finite_data_ok_) check_finite(b.x[i], signature_.input_names[i]);
  }
  for (size_t i = 0; i < b.y.size(); ++i) {
    if (!b.y[i].defined()) continue;
    KERAS_CHECK(b.y[i].rank() >= 1, ValueError, "Error when checking target: expected ",
                signature_.output_names[i], " to have at least 1 dimension");
    if (!non_finite_data_ok_) check_finite(b.y[i], signature_.output_names[i]);
  }
  for (const Tensor& w : b.sample_weight) {
    if (w.defined() && !non_finite_data_ok_) check_finite(w, "sample_weight");
  }
  b.n = n;
  return b;
}

ArrayData Trainer::prepare_weighted(const Data& x,
                                    const Data& y,
                                    const Data& sample_weight,
                                    const ClassWeight& class_weight,
                                    const char* both_given_error) const {
  if (class_weight.empty()) return prepare(x, y, sample_weight, true);
  KERAS_CHECK(sample_weight.empty(), ValueError, both_given_error);
  ArrayData data = prepare(x, y, Data(), true);
  KERAS_CHECK(data.y.size() == 1, ValueError,
              "`class_weight` is only supported for Models with a single output.");
  data.sample_weight = {class_weight_to_sample_weight(data.y[0], class_weight)};
  return data;
}

std::unique_ptr<EpochIterator> Trainer::make_iterator(const Data& x,
                                                      const Data& y,
                                                      const Data& sample_weight,
                                                      std::optional<int> batch_size,
                                                      const ClassWeight& class_weight,
                                                      bool need_y) const {
  KERAS_CHECK(!batch_size || *batch_size > 0, ValueError, "batch_size must be positive, got ",
              batch_size.value_or(0));
  if (!x.is_dataset()) {
    ArrayData data =
        need_y ? prepare_weighted(x, y, sample_weight, class_weight,
                                  "You cannot `class_weight` and `sample_weight` at the same time.")
               : prepare(x, Data(), Data(), false);
    return std::make_unique<ArrayIterator>(std::move(data), batch_size.value_or(32));
  }
  check_not_given(!y.empty(), "y", "the targets");
  check_not_given(!sample_weight.empty(), "sample_weights", "the sample weights");
  check_not_given(batch_size.has_value(), "batch_size", "the batches");
  KERAS_CHECK(class_weight.empty() || signature_.output_names.size() == 1, ValueError,
              "`class_weight` is only supported for Models with a single output.");
  auto prepare_batch = [this, class_weight, need_y](const utils::Batch& b) {
    if (!need_y) return prepare(b.x, Data(), Data(), false);
    return prepare_weighted(b.x, b.y, b.sample_weight, class_weight,
                            "You cannot specify `class_weight` and `sample_weight` at the same "
                            "time.");
  };
  return std::make_unique<DatasetIterator>(*x.dataset(), prepare_batch);
}

}  // namespace keras::trainers
