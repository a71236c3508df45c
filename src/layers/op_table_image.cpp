// The op table's rows for keras.ops.image's later ops: MapCoordinates, PerspectiveTransform,
// ElasticTransform, ScaleAndTranslate and SSIM.
#include <string>
#include <vector>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/image.h"
#include "op_args.h"
#include "ops/host_kernel.h"

namespace keras::layers::op_table {
namespace {

// map_coordinates(inputs, coordinates) with order, fill_mode and fill_value in the config.
Fn map_coordinates_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  KERAS_CHECK(o[0].input >= 0 || o[0].constant.defined(), ValueError, c.what,
              ": MapCoordinates' inputs must be a tensor");
  KERAS_CHECK(o[1].input >= 0 || o[1].constant.defined(), ValueError, c.what,
              ": MapCoordinates' coordinates must be a tensor");
  const int order = int_of(c, "order", 1);
  const std::string fill_mode = config::get<std::string>(c.config, "fill_mode", "constant", w(c));
  const double fill_value = number_of(c, "fill_value", 0.0);
  return [=](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::image::map_coordinates(t[0], t[1], order, fill_mode, fill_value)};
  };
}

// perspective_transform(images, start_points, end_points): the points tensors or constants.
Fn perspective_transform_fn(const Call& c) {
  const auto o = operands(c, 3, 0);
  for (size_t i = 0; i < 3; ++i) {
    KERAS_CHECK(o[i].input >= 0 || o[i].constant.defined(), ValueError, c.what,
                ": PerspectiveTransform's arguments must be tensors or arrays");
  }
  const std::string interpolation =
      config::get<std::string>(c.config, "interpolation", "bilinear", w(c));
  const double fill_value = number_of(c, "fill_value", 0.0);
  const std::string data_format = data_format_of(c);
  return [=](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::image::perspective_transform(t[0], t[1], t[2], interpolation, fill_value,
                                                     data_format)};
  };
}

// elastic_transform(images): a null seed draws from the global generator at every call, an int
// seed the same field at every call (as JAX's draw_seed of an int).
Fn elastic_transform_fn(const Call& c) {
  ops::image::ElasticTransformOptions o;
  o.alpha = number_of(c, "alpha", 20.0);
  o.sigma = number_of(c, "sigma", 5.0);
  o.interpolation = config::get<std::string>(c.config, "interpolation", "bilinear", w(c));
  o.fill_mode = config::get<std::string>(c.config, "fill_mode", "reflect", w(c));
  o.fill_value = number_of(c, "fill_value", 0.0);
  const Json* seed = config::find(c.config, "seed");
  if (seed != nullptr && !seed->is_null()) {
    KERAS_CHECK(seed->is_number_integer(), NotImplementedError, c.what,
                ": keras.cpp's ElasticTransform takes an int seed or null, got ",
                config::json_excerpt(*seed));
    o.seed = static_cast<uint64_t>(seed->get<int64_t>());
  }
  o.data_format = data_format_of(c);
  return unary_fn(c, [o](const Tensor& x) { return ops::image::elastic_transform(x, o); });
}

// A scale or translation of ScaleAndTranslate: a list of numbers, an array, or a tensor input
// (read at the call).
struct Values {
  int input = -1;
  std::vector<double> values;
};
Values values_of(const Json& j, int& next, const Call& c, const char* key) {
  if (is_tensor(j)) return {next++, {}};
  Tensor t;
  if (is_array_constant(j)) {
    t = numpy_from_json(j, c.what);
  } else {
    KERAS_CHECK(j.is_array() && j.size() <= 64, ValueError, c.what, ": ", key,
                " must be a list of numbers, got ", config::json_excerpt(j));
    return {-1, config::convert<std::vector<double>>(j, key, w(c))};
  }
  KERAS_CHECK(t.rank() == 1 && t.size() <= 64, ValueError, c.what, ": ", key,
              " must be a list of at most 64 numbers");
  const Tensor v = ops::cast(t, float64);
  return {-1, {v.data<double>(), v.data<double>() + v.size()}};
}

// scale_and_translate(images, output_shape, scale, translation) with spatial_dims, method and
// antialias in the config; output_shape a constant list.
Fn scale_and_translate_fn(const Call& c) {
  expect_arity(c, 4);
  KERAS_CHECK(is_tensor(c.args[0]), ValueError, c.what,
              ": argument 0 of ScaleAndTranslate must be a tensor");
  KERAS_CHECK(!is_tensor(c.args[1]), NotImplementedError, c.what,
              ": keras.cpp's ScaleAndTranslate takes a constant output_shape, not a tensor");
  const std::vector<int64_t> shape = constant_ints(c.args[1], "output_shape", c);
  int next = 1;
  const Values scale = values_of(c.args[2], next, c, "scale");
  const Values translation = values_of(c.args[3], next, c, "translation");
  std::vector<int> dims;
  for (int64_t d : ints_of(c, "spatial_dims")) dims.push_back(static_cast<int>(d));
  const std::string method = config::require<std::string>(c.config, "method", w(c));
  const bool antialias = bool_of(c, "antialias", true);
  return [=](const Tensors& in) {
    const auto read = [&in](const Values& v) {
      return v.input >= 0 ? ops::internal::values_on_host<double>(in[static_cast<size_t>(v.input)])
                          : v.values;
    };
    return Tensors{ops::image::scale_and_translate(in[0], shape, read(scale), read(translation),
                                                   dims, method, antialias)};
  };
}

// ssim(image1, image2).
Fn ssim_fn(const Call& c) {
  const auto o = operands(c, 2, 0);
  for (size_t i = 0; i < 2; ++i) {
    KERAS_CHECK(o[i].input >= 0 || o[i].constant.defined(), ValueError, c.what,
                ": SSIM's images must be tensors");
  }
  ops::image::SsimOptions s;
  s.max_val = number_of(c, "max_val", 1.0);
  s.filter_size = int_of(c, "filter_size", 11);
  s.filter_sigma = number_of(c, "filter_sigma", 1.5);
  s.k1 = number_of(c, "k1", 0.01);
  s.k2 = number_of(c, "k2", 0.03);
  s.data_format = data_format_of(c);
  return [=](const Tensors& in) {
    const Tensors t = resolve(o, 0, in);
    return Tensors{ops::image::ssim(t[0], t[1], s)};
  };
}

}  // namespace

std::vector<Spec> image_rows() {
  const std::vector<std::string> none;
  return {
      {"MapCoordinates", kImage, {"order", "fill_mode", "fill_value"}, none, map_coordinates_fn},
      {"PerspectiveTransform",
       kImage,
       {"interpolation", "fill_value", "data_format"},
       none,
       perspective_transform_fn},
      {"ElasticTransform",
       kImage,
       {"alpha", "sigma", "interpolation", "fill_mode", "fill_value", "seed", "data_format"},
       none,
       elastic_transform_fn},
      {"ScaleAndTranslate",
       kImage,
       {"spatial_dims", "method", "antialias"},
       none,
       scale_and_translate_fn},
      {"SSIM",
       kImage,
       {"max_val", "filter_size", "filter_sigma", "k1", "k2", "data_format"},
       none,
       ssim_fn},
  };
}

}  // namespace keras::layers::op_table
