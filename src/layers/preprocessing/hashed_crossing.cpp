#include "keras/layers/preprocessing/hashed_crossing.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "layers/preprocessing/categorical.h"
#include "layers/preprocessing/host_kernel.h"
#include "layers/preprocessing/string_hash.h"

namespace keras::layers {

HashedCrossingImpl::HashedCrossingImpl(int64_t num_bins, HashedCrossingOptions options)
    : Layer(options.name, "hashed_crossing"), num_bins_(num_bins), options_(std::move(options)) {
  autocast_ = false;
  KERAS_CHECK(options_.output_mode == "int" || options_.output_mode == "one_hot", ValueError,
              "Unknown value for `output_mode` argument of HashedCrossing. Allowed values are: "
              "('int', 'one_hot'). Received: output_mode=",
              options_.output_mode.substr(0, 40));
  KERAS_CHECK(num_bins_ > 0, ValueError, "HashedCrossing: `num_bins` must be positive, received ",
              num_bins_);
  KERAS_CHECK(!options_.sparse, NotImplementedError,
              "HashedCrossing: sparse=True needs sparse tensors, which keras.cpp does not have");
  if (options_.output_mode == "int") set_dtype(int64);
}

std::vector<Shape> HashedCrossingImpl::compute_output_shape(const std::vector<Shape>& in) const {
  KERAS_CHECK(in.size() >= 2, ValueError,
              "`HashedCrossing` should be called on at least two inputs. Received: ", in.size(),
              " input");
  const Shape& first = in[0];
  KERAS_CHECK(first.size() < 2 || (first.size() == 2 && first[1] == 1), ValueError,
              "All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or "
              "`(batch_size, 1)`. Received: inputs of shape ",
              shape_str(first));
  for (const Shape& s : in) {
    KERAS_CHECK(s == first, ValueError,
                "All `HashedCrossing` inputs should have equal shape. Received: shapes ",
                shape_str(first), " and ", shape_str(s));
  }
  if (options_.output_mode == "int") return {first};
  return {categorical::output_shape(first, "one_hot", num_bins_, "HashedCrossing")};
}

Tensors HashedCrossingImpl::call(const Tensors& inputs, bool) {
  std::vector<Shape> shapes;
  for (const Tensor& x : inputs) {
    KERAS_CHECK(is_integer(x.dtype()) || x.dtype() == string_, ValueError,
                "All `HashedCrossing` inputs should have an integer or string dtype. Received: an "
                "input of dtype ",
                x.dtype());
    shapes.push_back(x.shape());
  }
  compute_output_shape(shapes);  // the checks
  Tensors src;
  for (const Tensor& x : inputs) {
    src.push_back(x.dtype() == int64 || x.dtype() == string_ ? x : ops::cast(x, int64));
  }
  const auto n = static_cast<uint64_t>(num_bins_);
  const Tensor bins =
      run_on_host(src, inputs[0].shape(), int64, [n](const Tensors& host, const Tensor& out) {
        for (int64_t i = 0; i < out.size(); ++i) {
          uint64_t h = string_hash::kCrossHashKey;
          for (const Tensor& t : host) {  // a string's feature is its Fingerprint64
            const uint64_t v = t.dtype() == string_
                                   ? string_hash::fingerprint64(t.strings()[static_cast<size_t>(i)])
                                   : static_cast<uint64_t>(t.data<int64_t>()[i]);
            h = string_hash::fingerprint_cat64(h, v);
          }
          out.data<int64_t>()[i] = static_cast<int64_t>(h % n);
        }
      });
  if (options_.output_mode == "int") return {dtype() == int64 ? bins : ops::cast(bins, dtype())};
  return {categorical::encode(bins, "one_hot", num_bins_, dtype(), "HashedCrossing")};
}

Json HashedCrossingImpl::get_config() const {
  // Keras's own keys only, its dtype a name ("int64"), not a policy.
  return Json{{"num_bins", num_bins_},
              {"output_mode", options_.output_mode},
              {"sparse", options_.sparse},
              {"name", name()},
              {"dtype", std::string(dtype_name(dtype()))}};
}

std::shared_ptr<Layer> HashedCrossingImpl::from_config(const Json& c) {
  const char* w = "HashedCrossing";
  auto layer = std::make_shared<HashedCrossingImpl>(
      config::require<int64_t>(c, "num_bins", w),
      HashedCrossingOptions{.output_mode = config::get<std::string>(c, "output_mode", "int", w),
                            .sparse = config::get<bool>(c, "sparse", false, w),
                            .name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
