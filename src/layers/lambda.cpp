#include "keras/layers/lambda.h"

#include "keras/config/json.h"
#include "keras/layers/op_layer.h"

namespace keras::layers {
namespace {

std::vector<DType> dtypes_of(const KerasTensors& xs) {
  std::vector<DType> out;
  for (const KerasTensor& x : xs) out.push_back(x.dtype());
  return out;
}

}  // namespace

LambdaImpl::LambdaImpl(Fn fn, bool single_input, LambdaOptions options)
    : Layer(options.name, "lambda"),
      fn_(std::move(fn)),
      single_input_(single_input),
      options_(std::move(options)) {
  KERAS_CHECK(static_cast<bool>(fn_), ValueError, "Lambda: the function is empty");
}

void LambdaImpl::check_num_inputs(size_t n) const {
  KERAS_CHECK(!single_input_ || n == 1, ValueError, "Layer ", name(),
              " (Lambda) wraps a function of one tensor, but it was called on ", n,
              " inputs. Use a function taking `const Tensors&` for several inputs.");
}

Tensors LambdaImpl::call(const Tensors& inputs, bool) {
  check_num_inputs(inputs.size());
  Tensors out = fn_(inputs);
  for (const Tensor& t : out) {
    KERAS_CHECK(t.defined(), ValueError, "Layer ", name(),
                " (Lambda): the function returned an undefined tensor");
  }
  return out;
}

Tensors LambdaImpl::run_placeholder(const std::vector<Shape>& shapes, int64_t unknown) const {
  const Tensors inputs = placeholder_inputs(shapes, input_dtypes_, unknown);
  try {
    return fn_(inputs);
  } catch (const Error& e) {
    throw ValueError(str(
        "We could not automatically infer the shape of the Lambda's output. "
        "Please specify the `output_shape` argument for this Lambda layer (",
        name(), "). The function failed on placeholder inputs of shapes ",
        [&] {
          std::string s;
          for (const Tensor& t : inputs) s += (s.empty() ? "" : ", ") + shape_str(t.shape());
          return s;
        }(),
        ": ", e.what()));
  }
}

std::vector<Shape> LambdaImpl::compute_output_shape(const std::vector<Shape>& input_shapes) const {
  check_num_inputs(input_shapes.size());
  last_shapes_ = input_shapes;
  if (options_.output_shape) {
    Shape out = to_shape(*options_.output_shape);
    out.insert(out.begin(),
               input_shapes.empty() || input_shapes[0].empty() ? kNone : input_shapes[0][0]);
    return {out};
  }
  if (options_.output_shape_fn) return {options_.output_shape_fn(input_shapes)};
  const Tensors a = run_placeholder(input_shapes, 2), b = run_placeholder(input_shapes, 3);
  output_dtypes_.clear();
  output_dtypes_from_ = input_dtypes_;
  output_dtypes_from_.resize(input_shapes.size(), float32);
  for (const Tensor& t : a) output_dtypes_.push_back(t.dtype());
  return shapes_from_placeholder_runs(a, b);
}

std::vector<DType> LambdaImpl::compute_output_dtype(const std::vector<DType>& input_dtypes,
                                                    size_t num_outputs) const {
  const bool given_shape = options_.output_shape || options_.output_shape_fn;
  if (given_shape || output_dtypes_from_ != input_dtypes || output_dtypes_.size() != num_outputs) {
    // Shapes were given (or inferred with other dtypes): one placeholder run for the dtypes.
    input_dtypes_ = input_dtypes;
    output_dtypes_.clear();
    output_dtypes_from_ = input_dtypes;
    try {
      for (const Tensor& t : run_placeholder(last_shapes_, 2)) output_dtypes_.push_back(t.dtype());
    } catch (const ValueError&) {
      if (!given_shape) throw;
      // The function cannot run on placeholders: assume it keeps its first input's dtype.
      output_dtypes_.assign(num_outputs, input_dtypes.empty() ? dtype() : input_dtypes[0]);
    }
  }
  input_dtypes_ = input_dtypes;  // the best guess for the next symbolic call
  KERAS_CHECK(output_dtypes_.size() == num_outputs, ValueError, "Layer ", name(),
              " (Lambda): output_shape describes ", num_outputs,
              " output(s), but the function returned ", output_dtypes_.size());
  return output_dtypes_;
}

Lambda::Lambda(std::function<Tensor(const Tensor&)> fn, LambdaOptions options)
    : LayerHandle(std::make_shared<LambdaImpl>(
          [fn = std::move(fn)](const Tensors& xs) { return Tensors{fn(xs.at(0))}; },
          true,
          std::move(options))) {}

Lambda::Lambda(std::function<Tensor(const Tensors&)> fn, LambdaOptions options)
    : LayerHandle(std::make_shared<LambdaImpl>(
          [fn = std::move(fn)](const Tensors& xs) { return Tensors{fn(xs)}; },
          false,
          std::move(options))) {}

Lambda::Lambda(std::function<Tensors(const Tensors&)> fn, LambdaOptions options)
    : LayerHandle(std::make_shared<LambdaImpl>(std::move(fn), false, std::move(options))) {}

KerasTensor Lambda::operator()(const KerasTensor& input) const {
  return (*this)(KerasTensors{input});
}

KerasTensor Lambda::operator()(const KerasTensors& inputs) const {
  impl().set_input_dtypes(dtypes_of(inputs));
  return LayerRef::operator()(inputs);
}

KerasTensors Lambda::call_multi(const KerasTensors& inputs) const {
  impl().set_input_dtypes(dtypes_of(inputs));
  return LayerRef::call_multi(inputs);
}

Json LambdaImpl::get_config() const {
  throw NotImplementedError(str("Layer ", name(),
                                " (Lambda) cannot be serialized: a C++ function has no config. "
                                "Write a Layer subclass with get_config/from_config instead."));
}

}  // namespace keras::layers
