// Models made with real Keras 3 whose graphs call keras.ops on KerasTensors (issue 13;
// tools/fixtures/make_ops_fixtures.py, tests/data/ops/): keras.cpp loads each file,
// predicts what Keras predicted, and saves it again (.keras and legacy .h5) so that it loads back
// and predicts the same. OpsFixturesExport writes keras.cpp's files for the reverse check in
// Python (make_ops_fixtures.py check DIR).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <keras/keras.hpp>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "harness/keras_fixtures.h"
#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(KERAS_TEST_DATA_DIR) / "ops";

TEST(OpsFixtures, KerasFilesPredictWhatKerasPredicted) {
  test::expect_fixtures_predict_what_keras_predicted(kDir);
}

TEST(OpsFixtures, SavedAgainTheyPredictTheSame) {
  test::expect_fixtures_saved_again_predict_the_same(kDir);
}

// A model built in C++ from keras::ops (every symbolic op keras.cpp has, and the operators).
Model cpp_built_model() {
  namespace L = layers;
  auto x = Input({3, 4}, {.name = "x"});
  auto ids = Input({3}, {.dtype = int32, .name = "ids"});
  auto h = L::Dense(4)(x);
  auto a = (h + x) * 2.0;
  auto b = (1.5 - a) / (ops::abs(h) + 1.0) + 2.0 / (ops::square(x) + 1.0);
  auto c = ops::maximum(ops::divide(b, 3.0), h) - ops::minimum(h, x);
  auto d = -ops::power(ops::abs(c), 2.0) + ops::power(ops::abs(h) + 0.5, h);
  const Tensor w = Tensor::from_vector<float>({0.5f, -0.25f, 1, 0, 2, 1, -1, 0.125f}, {4, 2});
  const KerasTensors flat{ops::sqrt(ops::abs(d)),
                          ops::square(h),
                          ops::exp(ops::clip(h, -3, 3)),
                          ops::log(ops::abs(h) + 1.0),
                          ops::tanh(h),
                          ops::sigmoid(h),
                          ops::relu(h),
                          ops::relu6(h * 4.0),
                          ops::leaky_relu(h, 0.1),
                          ops::gelu(h),
                          ops::gelu(h, false),
                          ops::softplus(h),
                          ops::softsign(h),
                          ops::silu(h),
                          ops::elu(h, 0.7),
                          ops::selu(h),
                          ops::hard_sigmoid(h),
                          ops::softmax(h),
                          ops::log_softmax(h, 1),
                          ops::where(ops::greater(h, 0.0), h, x),
                          ops::divide(ops::multiply(h, x), ops::add(ops::square(x), 1.0)),
                          ops::sin(h),
                          ops::cos(h),
                          ops::tan(ops::clip(h, -1.2, 1.2)),
                          ops::arcsin(ops::tanh(h) * 0.9),
                          ops::arccos(ops::tanh(h) * 0.9),
                          ops::arctan(h),
                          ops::sinh(h),
                          ops::cosh(h),
                          ops::arcsinh(h),
                          ops::arccosh(ops::abs(h) + 1.5),
                          ops::arctanh(ops::tanh(h) * 0.9),
                          ops::ceil(h * 3.0),
                          ops::trunc(h * 3.0),
                          ops::expm1(h),
                          ops::log2(ops::abs(h) + 0.5),
                          ops::log10(ops::abs(h) + 0.5),
                          ops::exp2(h),
                          ops::erf(h),
                          ops::cast(ops::isfinite(ops::log(h)), float32),
                          ops::cast(ops::isnan(ops::log(h)), float32),
                          ops::cast(ops::isinf(ops::log(ops::abs(h))), float32),
                          ops::mod(h, 0.3),
                          ops::floor_divide(h, 0.3),
                          ops::mod(h, x + 2.0)};
  KerasTensors outs{ops::concatenate(flat, -1),
                    ops::sum(h, {-1}),
                    ops::mean(h, {1, 2}, true),
                    ops::max(h, {1}),
                    ops::min(h, {1, 2}),
                    ops::prod(h, {2}),
                    ops::cast(ops::argmax(h, -1), float32),
                    ops::cast(ops::argmin(h, 1), float32),
                    ops::cast(ops::any(ops::greater(h, 0.5), {-1}), float32),
                    ops::reshape(h, {-1, 12}),
                    ops::transpose(h, {0, 2, 1}),
                    ops::squeeze(ops::expand_dims(h, 1), 1),
                    ops::stack({h, x}, 1),
                    ops::slice_axis(h, 1, 1, 2),
                    ops::slice_axis(h, -1, 0, 3),
                    ops::take(h, ids, 2),
                    ops::take(h, std::vector<int64_t>{0, -1}, 1),
                    ops::matmul(h, ops::transpose(x, {0, 2, 1})),
                    ops::matmul(h, w),
                    ops::one_hot(ids, 5),
                    ops::cast(ops::not_equal(ids, 0), float32),
                    ops::zeros_like(h) + ops::ones_like(h),
                    ops::swapaxes(h, 1, 2),
                    ops::moveaxis(h, {1}, {2}),
                    ops::var(h, {1}),
                    ops::std(h, {-1}, true),
                    ops::amax(h, {1}),
                    ops::amin(h, {1, 2}, true),
                    ops::tril(h),
                    ops::triu(h, 1),
                    ops::flip(h, {1, 2}),
                    ops::roll(h, {1, -2}, {1, 2}),
                    ops::tile(h, {1, 2, 3}),
                    ops::cumsum(h, 1),
                    ops::cumprod(h, -1),
                    ops::sort(h),
                    ops::cast(ops::argsort(h, 1), float32),
                    ops::top_k(h, 2).first,
                    ops::cast(ops::top_k(h, 3).second, float32),
                    ops::take_along_axis(h, ops::argsort(h, 1), 1)};
  return Model({x, ids}, outs, {.name = "cpp_built"});
}

// The NumPy statistics and products built in C++ (a model of its own: Keras 3.15's Quantile,
// Percentile and Median fail under JAX's jit, so the Python check runs it with TensorFlow).
Model cpp_built_stats_model() {
  namespace L = layers;
  auto x = Input({3, 4}, {.name = "x"});
  auto ids = Input({3}, {.dtype = int32, .name = "ids"});
  auto h = L::Dense(4)(x);
  auto holes = ops::where(ops::greater(h, 0.6), ops::divide(ops::zeros_like(h), 0.0), h);
  const Tensor c = Tensor::from_vector<float>({0.5f, -0.25f, 1, 0, 2, 1, -1, 0.125f}, {4, 2});
  const KerasTensors outs{
      ops::concatenate({ops::arctan2(h, x), ops::fmax(holes, x), ops::fmin(x, holes),
                        ops::logaddexp2(h, x), ops::cast(ops::isclose(h, x, 0.5, 0.1), float32)},
                       -1),
      ops::concatenate({ops::nansum(holes, {1}), ops::nanmean(holes, {1}), ops::nanmax(holes, {1}),
                        ops::nanmin(holes, {1}), ops::nanprod(holes, {1})},
                       -1),
      ops::median(h, {1}),
      // (Keras 3.15's Quantile node computes "linear" whatever its method: the check in Python
      // would differ on any other.)
      ops::quantile(h, 0.3, {-1}),
      ops::moveaxis(ops::percentile(h, std::vector<double>{10, 50, 90}, {1}, "midpoint"), {0}, {2}),
      ops::percentile(h, 40.0, {1, 2}, "nearest", true),
      ops::moveaxis(ops::quantile(h, std::vector<double>{0.25, 0.5}, {1, 2}, "linear", true), {0},
                    {3}),
      ops::norm(h, std::numeric_limits<double>::infinity(), {1, 2}, true),
      ops::norm(h, "fro", {1, 2}), ops::normalize(h, 1, 1),
      ops::layer_normalization(h, Tensor::from_vector<float>({0.5f, 1, 1.5f, 2}, {4}),
                               Tensor::from_vector<float>({0, 0.5f, 0, -0.5f}, {4}), {-1}, 1e-3),
      ops::rms_normalization(h, Tensor::from_vector<float>({2, 1, 0.5f}, {3, 1}), {1}),
      ops::reshape(ops::ravel(h), {-1, 12}), ops::rot90(h, 1, {1, 2}), ops::tensordot(h, c, 1),
      ops::cast(ops::tensordot(ops::one_hot(ids, 4, int32),
                               Tensor::from_vector<int32_t>({1, -2, 3, 4, 0, 5, -6, 7}, {4, 2})),
                float32)};
  return Model({x, ids}, outs, {.name = "cpp_built_stats"});
}

Tensors cpp_built_inputs() {
  return {test::random_tensor({4, 3, 4}, float32, -1, 1, 21),
          Tensor::from_vector<int32_t>({0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 0, 3}, {4, 3})};
}

// m saved as .keras and as legacy .h5 (files named after stem) loads back and predicts on x what m
// predicts: the same kernels on the same shapes, bit for bit.
void expect_saved_and_loaded_predict_the_same(Model& m, const Tensors& x, const char* stem) {
  const Outputs want = m.predict(x);
  for (const char* ext : {".keras", ".h5"}) {
    SCOPED_TRACE(ext);
    const std::string path = test::fixture_temp_path(str(stem, ext));
    m.save(path);
    const Outputs got = models::load_model(path).predict(x);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) test::expect_all_close(got[i], want[i], 0, 0);
  }
}

TEST(OpsFixtures, CppBuiltOpsSaveAsKerasOpsAndLoadBack) {
  Model m = cpp_built_model();
  const Json config = m.get_config();
  std::map<std::string, Json> by_class;
  for (const Json& l : config["layers"]) by_class[l["class_name"]] = l;
  for (const char* cls : {"Add", "Multiply", "Subtract", "TrueDivide", "Divide", "Mean", "Reshape",
                          "Transpose", "Take", "Matmul", "GetItem", "OneHot", "Softmax", "Stack",
                          "Where", "Absolute", "Negative", "Power"}) {
    EXPECT_TRUE(by_class.contains(cls)) << cls;
  }
  EXPECT_EQ(by_class["Softmax"]["module"], "keras.src.ops.nn");
  EXPECT_EQ(by_class["Reshape"]["config"]["newshape"], Json::parse("[-1, 12]"));
  EXPECT_EQ(by_class["Max"]["config"]["initial"], nullptr);
  const Tensors x = cpp_built_inputs();
  expect_saved_and_loaded_predict_the_same(m, x, "ops_cpp_built");
}

// An op made from a C++ function cannot be saved: a NotImplementedError naming it.
TEST(OpsFixtures, OpsFromCppFunctionsAreNotSerializable) {
  auto x = Input({3});
  auto y = layers::apply_op(
      "my_scale", [](const Tensors& in) { return Tensors{ops::multiply(in[0], 3.0)}; }, {x})[0];
  Model m(x, y);
  test::expect_throws_with<NotImplementedError>([&] { m.to_json(); }, "my_scale");
}

// A reduction over the batch axis has no batch dimension left for predict to concatenate along.
TEST(OpsFixtures, PredictRefusesAScalarOutput) {
  auto x = Input({3});
  Model m(x, ops::sum(x));
  test::expect_throws_with<ValueError>(
      [&] {
        m.predict(Tensor::from_vector<float>({1, 2, 3}, {1, 3}));
      },
      "scalar");
}

// Random values put anywhere in the op entries of the fixtures' configs (configs, arguments,
// slices, NumPy constants): a model that predicts, or a keras::Error, never a crash or another
// exception.
TEST(OpsFixtures, DamagedOpNodesAreCleanErrors) {
  const Json values[] = {
      nullptr,
      -1,
      7,
      int64_t{1} << 40,
      -1e300,
      0.5,
      "x",
      true,
      Json::array(),
      Json::object(),
      Json::parse("[[[]]]"),
      Json::parse("[0, -9]"),
      Json::parse(R"({"class_name": "__slice__", "config": {"step": 0}})"),
      Json::parse(R"({"class_name": "__numpy__", "config": {"value": [[1], 2]}})"),
      Json::parse(R"({"class_name": "__ellipsis__", "config": {}})"),
      Json::parse(R"({"class_name": "__keras_tensor__"})")};
  std::mt19937_64 rng(13);
  int loaded = 0, tried = 0;
  for (const char* name :
       {"shapes",        "unary",          "reductions",  "arithmetic",       "numpy_math",
        "numpy_more",    "sorting",        "numpy_extra", "numpy_stats",      "norms",
        "attention_ops", "bucketing",      "image_ops",   "nn_ops",           "pool_ops",
        "more_ops",      "keras3_ops",     "patches",     "image_transforms", "adaptive_pool_ops",
        "linalg_ops",    "numpy_ops_more", "fft_ops",     "core_ops_tail",    "image_ops_tail",
        "numpy_ops_tail"}) {
    Model original = models::load_model((kDir / (std::string(name) + ".keras")).string());
    const Json config = layers::serialize_layer(*original.layer());
    const Tensors x = test::fixture_arrays(kDir / (std::string(name) + ".keras"), "x");
    std::vector<Json::json_pointer> targets;
    std::function<void(const Json&, const Json::json_pointer&)> walk =
        [&](const Json& j, const Json::json_pointer& p) {
          targets.push_back(p);
          if (j.is_object()) {
            for (const auto& [k, v] : j.items()) walk(v, p / k);
          } else if (j.is_array()) {
            for (size_t i = 0; i < j.size(); ++i) walk(j[i], p / i);
          }
        };
    const Json& list = config["config"]["layers"];
    for (size_t i = 0; i < list.size(); ++i) {
      if (std::string(list[i]["module"]).starts_with("keras.src.ops.")) {
        walk(list[i], Json::json_pointer("/config/layers") / i);
      }
    }
    ASSERT_GT(targets.size(), 50u) << name;
    for (int i = 0; i < 400; ++i, ++tried) {
      Json c = config;
      c[targets[rng() % targets.size()]] = values[rng() % std::size(values)];
      try {
        Model m = models::model_from_config(c);
        ++loaded;
        m.predict(x);
      } catch (const Error&) {
      } catch (const std::exception& e) {
        ADD_FAILURE() << name << " mutation " << i << ": " << typeid(e).name() << ": " << e.what();
      }
    }
  }
  EXPECT_GT(loaded, 0);
  EXPECT_LT(loaded, tried);
}

// Writes keras.cpp's saves of every fixture, with inputs and keras.cpp's predictions, for
// make_ops_fixtures.py check DIR, when KERAS_OPS_EXPORT_DIR is set.
Model cpp_built_attention_model();
Tensors cpp_built_attention_inputs();

// keras.ops.nn and the other ops of nn_ops / more_ops built in C++ (constant kernels and
// statistics, as NumPy arrays in the nodes' arguments; diag needs a tensor without the batch
// axis, which more_ops loads from Keras). Not conv_transpose: Keras 3.15's
// ConvTranspose node runs its backend with padding and output_padding swapped, so the Python
// check could not predict it (CppBuiltConvTransposeLoadsBack covers it).
Model cpp_built_nn_model() {
  auto img = Input({6, 5, 4}, {.name = "img"});
  auto v = Input({5}, {.name = "v"});
  auto t = Input({}, {.dtype = int32, .name = "t"});
  auto h = layers::Conv2D(4, 1)(img);
  auto u = layers::Dense(5)(v);
  auto k = [](Shape s, uint64_t seed) { return test::random_tensor(s, float32, -0.7, 0.7, seed); };
  const KerasTensors outs{
      ops::conv(h, k({3, 3, 4, 5}, 1), {.strides = {2, 1}, .padding = "same"}),
      ops::conv(ops::transpose(h, {0, 3, 1, 2}), k({2, 2, 4, 3}, 2),
                {.data_format = "channels_first", .dilation_rate = {2, 1}}),
      ops::depthwise_conv(h, k({3, 3, 4, 2}, 3), {.padding = "same"}),
      ops::separable_conv(h, k({3, 3, 4, 2}, 4), k({1, 1, 8, 3}, 5), {.strides = {2}}),
      ops::max_pool(h, {2, 2}, {.strides = {2, 1}, .padding = "same"}),
      ops::average_pool(h, {3, 3}, {.strides = {2, 2}}),
      // (Keras 3.15's BatchNorm node fails on an offset without a scale: both or neither.)
      ops::batch_normalization(h, k({4}, 6), ops::add(ops::abs(k({4}, 7)), 0.5), -1, k({4}, 8),
                               k({4}, 10), 0.01),
      ops::depth_to_space(ops::concatenate({h, h}, -1), 2),
      ops::space_to_depth(ops::slice(h, {0, 0, 0, 0}, {-1, 4, 4, 4}), 2, "channels_last"),
      ops::multi_hot(ops::cast(ops::abs(ops::multiply(u, 3.0)), int32), 6),
      ops::dot(h, k({4, 2}, 9)), ops::dot(h, ops::transpose(h, {0, 1, 3, 2})),
      ops::average(h, 2, Tensor::from_vector<float>({1, 2, 3, 4, 5}, {5})), ops::unstack(h, 1)[3],
      ops::extract_sequences(u, 3, 2), ops::cast(ops::in_top_k(t, u, 2), float32),
      ops::nanvar(h, {2}), ops::nanstd(h, {1, 2}, true), ops::nancumsum(h, 1),
      ops::nancumprod(h, -1), ops::cast(ops::nanargmax(h, -1), float32),
      ops::cast(ops::nanargmin(h, 1, true), float32)};
  return Model({img, v, t}, outs, {.name = "cpp_built_nn"});
}

Tensors cpp_built_nn_inputs() {
  return {test::random_tensor({2, 6, 5, 4}, float32, -1, 1, 11),
          test::random_tensor({2, 5}, float32, -1, 1, 12),
          Tensor::from_vector<int32_t>({3, 0}, {2})};
}

TEST(OpsFixtures, CppBuiltNnOpsSaveAsKerasOpsAndLoadBack) {
  Model m = cpp_built_nn_model();
  const Json config = m.get_config();
  std::map<std::string, Json> by_class;
  for (const Json& l : config["layers"]) by_class[l["class_name"]] = l;
  for (const char* cls :
       {"Conv",         "DepthwiseConv",    "SeparableConv", "MaxPool", "AveragePool", "BatchNorm",
        "DepthToSpace", "SpaceToDepth",     "MultiHot",      "Dot",     "Average",     "Unstack",
        "Slice",        "ExtractSequences", "InTopK",        "Nanvar",  "Nanstd",      "Nancumsum",
        "Nancumprod",   "Nanargmax",        "Nanargmin"}) {
    EXPECT_TRUE(by_class.contains(cls)) << cls;
  }
  EXPECT_EQ(by_class["Conv"]["module"], "keras.src.ops.nn");
  EXPECT_EQ(by_class["Unstack"]["module"], "keras.src.ops.core");
  EXPECT_EQ(by_class["Average"]["inbound_nodes"][0]["kwargs"]["weights"]["class_name"],
            "__numpy__");
  const Tensors x = cpp_built_nn_inputs();
  expect_saved_and_loaded_predict_the_same(m, x, "ops_cpp_built_nn");
}

// The keras.ops of Keras 3's later releases on KerasTensors (keras3_ops and patches load them
// from Keras): saved as Keras's classes, loaded back, and checked by Keras in the Python check.
Model cpp_built_more_model() {
  auto img = Input({6, 5, 2}, {.name = "img"});
  auto v = Input({6}, {.name = "v"});
  auto h = layers::Conv2D(2, 1)(img);
  auto u = layers::Dense(6)(v);
  auto m = ops::reshape(u, {-1, 2, 3});
  auto p = ops::softmax(m);
  auto chw = ops::transpose(h, {0, 3, 1, 2});
  const KerasTensors outs{
      ops::erfinv(ops::tanh(u)),
      ops::i0(u),
      ops::reshape(ops::kron(m, ops::abs(m)), {-1, 36}),
      ops::cross(m, ops::sigmoid(m)),
      ops::cross(ops::transpose(m, {0, 2, 1}), ops::transpose(p, {0, 2, 1}), 1),
      ops::cdist(m, ops::multiply(m, 2.0)),
      ops::binary_crossentropy(ops::sigmoid(u), ops::sigmoid(ops::multiply(u, 3.0))),
      ops::binary_crossentropy(ops::sigmoid(u), u, true),
      ops::categorical_crossentropy(p, ops::softmax(ops::multiply(m, 2.0))),
      ops::categorical_crossentropy(p, m, true, 1),
      ops::sparse_categorical_crossentropy(ops::argmax(m, -1), m, true),
      ops::add(u, ops::psnr(ops::sigmoid(u), ops::sigmoid(v), 1.0)),
      ops::image::extract_patches(h, {2, 3}, {.strides = {2, 1}, .padding = "same"}),
      ops::image::extract_patches(chw, {2, 2},
                                  {.dilation_rate = {2}, .data_format = "channels_first"}),
      ops::unfold(chw, {2, 3}, {.padding = {1}, .stride = {2, 1}}),
      ops::fold(ops::unfold(chw, {2}), {6, 5}, {2})};
  return Model({img, v}, outs, {.name = "cpp_built_more"});
}

Tensors cpp_built_more_inputs() {
  return {test::random_tensor({2, 6, 5, 2}, float32, -1, 1, 21),
          test::random_tensor({2, 6}, float32, -1, 1, 22)};
}

TEST(OpsFixtures, CppBuiltNewerOpsSaveAsKerasOpsAndLoadBack) {
  Model m = cpp_built_more_model();
  const Json config = m.get_config();
  std::map<std::string, Json> by_class;
  for (const Json& l : config["layers"]) by_class[l["class_name"]] = l;
  for (const char* cls :
       {"Erfinv", "I0", "Kron", "Cross", "CDist", "BinaryCrossentropy", "CategoricalCrossentropy",
        "SparseCategoricalCrossentropy", "PSNR", "ExtractPatches", "Unfold", "Fold"}) {
    EXPECT_TRUE(by_class.contains(cls)) << cls;
  }
  EXPECT_EQ(by_class["ExtractPatches"]["module"], "keras.src.ops.image");
  EXPECT_EQ(by_class["CDist"]["module"], "keras.src.ops.math");
  expect_saved_and_loaded_predict_the_same(m, cpp_built_more_inputs(), "ops_cpp_built_more");
}

// keras.ops' NumPy functions of keras/ops/bitwise.h and the later releases' shape, spacing and
// nan-statistics functions on KerasTensors (numpy_ops_more loads them from Keras): saved as
// Keras's classes, loaded back, and checked by Keras in the Python check.
Model cpp_built_numpy_more_model() {
  auto x = Input({6}, {.name = "x"});
  auto i = Input({4}, {.dtype = int32, .name = "i"});
  // Shift counts in [0, 4] and counts in [0, 8] (not clip: keras.cpp's Clip node keeps integers
  // integer where JAX's promotes them by its float bounds).
  auto small = Input({4}, {.dtype = int32, .name = "small"});
  auto counts = Input({4}, {.dtype = int32, .name = "counts"});
  auto h = layers::Dense(6)(x);
  auto m = ops::reshape(h, {-1, 2, 3});
  auto v0 = ops::reshape(ops::slice_axis(h, 0, 0, 1), {6});
  auto v1 = ops::reshape(ops::slice_axis(h, 0, 1, 1), {6});
  auto f = [](const KerasTensor& t) { return ops::cast(t, float32); };
  auto grid = ops::meshgrid({v0, ops::slice_axis(v1, 0, 0, 4)});
  const KerasTensors outs{
      f(ops::bitwise_and(i, small)),
      f(ops::bitwise_or(i, small)),
      f(ops::bitwise_xor(i, small)),
      f(ops::bitwise_not(i)),
      f(ops::bitwise_invert(i)),
      f(ops::left_shift(i, 2)),
      f(ops::right_shift(i, small)),
      f(ops::bitwise_left_shift(i, small)),
      f(ops::bitwise_right_shift(i, small)),
      f(ops::right_shift(i, 1)),
      f(ops::gcd(i, small)),
      ops::reshape(ops::linspace(h, ops::multiply(h, 2.0), 3, true, std::nullopt, -1), {-1, 18}),
      ops::reshape(ops::logspace(h, ops::add(h, 1.0), 3, false, 2.0, std::nullopt, 1), {-1, 18}),
      ops::reshape(ops::geomspace(ops::add(ops::abs(h), 0.5), ops::add(ops::abs(h), 2.0), 3, true,
                                  std::nullopt, -1),
                   {-1, 18}),
      ops::expand_dims(ops::add(grid[0], grid[1]), 0),
      ops::expand_dims(ops::meshgrid({v0, v1}, "ij")[1], 0),
      ops::reshape(ops::fliplr(m), {-1, 6}),
      ops::flipud(h),
      ops::hsplit(h, 3)[2],
      ops::hsplit(h, std::vector<int64_t>{1, 4})[1],
      ops::reshape(ops::dsplit(ops::reshape(h, {-1, 1, 3, 2}), 3)[1], {-1, 2}),
      ops::reshape(ops::dstack({h, ops::multiply(h, 2.0)}), {-1, 12}),
      f(ops::bincount(counts, {}, 9)),
      f(ops::unravel_index(ops::abs(i), {5, 8})[1]),
      f(ops::argpartition(h, 2)),
      ops::expand_dims(f(ops::argpartition(h, 4, std::nullopt)), 0),
      ops::nanmedian(h, {1}),
      ops::nanquantile(h, 0.3, {1}, "midpoint"),
      ops::nanpercentile(h, 70.0, {1}, "linear", true),
      ops::transpose(ops::nanquantile(h, std::vector<double>{0.2, 0.9}, {-1})),
      ops::expand_dims(ops::correlate(v0, ops::slice_axis(v1, 0, 1, 3), "same"), 0),
      ops::expand_dims(ops::correlate(ops::slice_axis(v0, 0, 0, 2), v1, "full"), 0),
      ops::expand_dims(ops::correlate(v0, ops::slice_axis(v1, 0, 0, 4)), 0),
      f(ops::isreal(h)),
      ops::conj(h)};
  return Model({x, i, small, counts}, outs, {.name = "cpp_built_numpy_more"});
}

Tensors cpp_built_numpy_more_inputs() {
  return {test::random_tensor({2, 6}, float32, -1, 1, 31),
          Tensor::from_vector<int32_t>({-17, 3, 12, 0, 7, -2, 19, 5}, {2, 4}),
          Tensor::from_vector<int32_t>({0, 4, 2, 1, 3, 3, 0, 4}, {2, 4}),
          Tensor::from_vector<int32_t>({8, 0, 3, 3, 5, 1, 7, 2}, {2, 4})};
}

TEST(OpsFixtures, CppBuiltNumpyOpsSaveAsKerasOpsAndLoadBack) {
  Model m = cpp_built_numpy_more_model();
  const Json config = m.get_config();
  std::map<std::string, Json> by_class;
  for (const Json& l : config["layers"]) by_class[l["class_name"]] = l;
  for (const char* cls : {"BitwiseAnd",    "BitwiseOr",        "BitwiseXor",
                          "BitwiseNot",    "BitwiseInvert",    "LeftShift",
                          "RightShift",    "BitwiseLeftShift", "BitwiseRightShift",
                          "Gcd",           "Linspace",         "Logspace",
                          "Geomspace",     "Meshgrid",         "Fliplr",
                          "Flipud",        "Hsplit",           "Dsplit",
                          "Dstack",        "Bincount",         "UnravelIndex",
                          "Argpartition",  "Nanmedian",        "Nanquantile",
                          "Nanpercentile", "Correlate",        "Isreal",
                          "Conjugate"}) {
    EXPECT_TRUE(by_class.contains(cls)) << cls;
  }
  EXPECT_EQ(by_class["Argpartition"]["config"]["kth"], 2);
  EXPECT_EQ(by_class["Linspace"]["config"]["retstep"], false);
  expect_saved_and_loaded_predict_the_same(m, cpp_built_numpy_more_inputs(),
                                           "ops_cpp_built_numpy_more");
}

// keras.ops' last NumPy functions on KerasTensors (numpy_ops_tail loads them from Keras): saved
// as Keras's classes, loaded back, and checked by Keras in the Python check (not histogram,
// whose node Keras 3.15 saves but cannot run).
Model cpp_built_numpy_tail_model() {
  auto x = Input({6}, {.name = "x"});
  auto i = Input({6}, {.dtype = int32, .name = "i"});
  auto e = Input({6}, {.dtype = int32, .name = "e"});  // exponents in [-3, 3]
  auto h = layers::Dense(6)(x);
  auto row = ops::reshape(ops::slice_axis(h, 0, 0, 1), {6});
  auto f = [](const KerasTensor& t) { return ops::cast(t, float32); };
  auto one = [](const KerasTensor& t) { return ops::expand_dims(t, 0); };
  KerasTensors outs{f(ops::lcm(i, e)),
                    ops::nextafter(h, x) - h,
                    ops::real(h) + ops::imag(h),
                    ops::angle(h),
                    f(ops::view(h, int32)) * 1e-9,
                    f(ops::view(i, uint8)),
                    ops::ldexp(h, e),
                    ops::select({ops::greater(h, 0.5), ops::less(h, -0.5)}, {h, x * 2.0}, 0.25),
                    ops::select({ops::greater(h, 0.0)}, {h}, x),
                    ops::append(h, x, 1),
                    one(ops::append(row, row)),
                    one(ops::diagflat(row, -1)),
                    one(ops::vander(row, 3)),
                    one(ops::corrcoef(ops::transpose(h))),
                    ops::trapezoid(h, 0.5),
                    ops::absolute(h) - ops::fabs(x)};
  for (const KerasTensor& part : ops::array_split(h, 4, 1)) outs.push_back(part);
  return Model({x, i, e}, outs, {.name = "cpp_built_numpy_tail"});
}

Tensors cpp_built_numpy_tail_inputs() {
  return {test::random_tensor({2, 6}, float32, -1, 1, 41),
          Tensor::from_vector<int32_t>({-17, 3, 12, 0, 7, -2, 19, 5, 4, 6, -8, 9}, {2, 6}),
          Tensor::from_vector<int32_t>({0, 3, 2, -1, -3, 3, 0, 1, -2, 1, 2, 0}, {2, 6})};
}

TEST(OpsFixtures, CppBuiltNumpyTailOpsSaveAsKerasOpsAndLoadBack) {
  Model m = cpp_built_numpy_tail_model();
  const Json config = m.get_config();
  std::map<std::string, Json> by_class;
  for (const Json& l : config["layers"]) by_class[l["class_name"]] = l;
  for (const char* cls :
       {"Lcm", "Nextafter", "Real", "Imag", "Angle", "View", "Ldexp", "Select", "Append",
        "Diagflat", "Vander", "Corrcoef", "Trapezoid", "Absolute", "Fabs", "ArraySplit"}) {
    EXPECT_TRUE(by_class.contains(cls)) << cls;
  }
  EXPECT_EQ(by_class["ArraySplit"]["config"]["indices_or_sections"], 4);
  expect_saved_and_loaded_predict_the_same(m, cpp_built_numpy_tail_inputs(),
                                           "ops_cpp_built_numpy_tail");
}

// histogram and allclose on KerasTensors (Keras 3.15 saves a Histogram node but cannot run one,
// and an AllClose output has no batch axis, so neither is in the Python check): saved, loaded
// back, and computing what the eager ops compute.
TEST(OpsFixtures, SymbolicHistogramAndAllcloseMatchTheEagerOps) {
  auto x = Input({7}, {.name = "x"});
  const KerasTensors hist = ops::histogram(ops::reshape(x, {-1}), 4, std::make_pair(0.0, 1.0));
  auto close = ops::allclose(x, x * 1.0000001);
  Model m({x},
          {ops::expand_dims(hist[0], 0), ops::expand_dims(hist[1], 0),
           ops::expand_dims(ops::cast(close, float32), 0)},
          {.name = "symbolic_histogram"});
  const Tensor in = test::random_tensor({2, 7}, float32, -0.2, 1.2, 51);
  const Outputs got = m.predict({in});
  const auto [counts, edges] = ops::histogram(ops::reshape(in, {-1}), 4, std::make_pair(0.0, 1.0));
  test::expect_all_close(got.at(0), ops::expand_dims(counts, 0), 0, 0);
  test::expect_all_close(got.at(1), ops::expand_dims(edges, 0), 0, 0);
  EXPECT_EQ(test::to_doubles(got.at(2)), std::vector<double>{1});
  expect_saved_and_loaded_predict_the_same(m, {in}, "ops_symbolic_histogram");
}

// keras::ops::isin on KerasTensors, against a tensor and a list (its own model: Keras 3.15's
// TensorFlow backend cannot run IsIn in a graph, and its JAX backend cannot run cpp_built_nn's
// Nanstd, so the Python check runs this one under JAX).
Model cpp_built_isin_model() {
  auto t = Input({3}, {.dtype = int32, .name = "t"});
  auto v = Input({4}, {.name = "v"});
  auto u = layers::Dense(4)(v);
  return Model({t, v},
               {ops::cast(ops::isin(t, std::vector<double>{0, 3}), float32),
                ops::cast(ops::isin(ops::ceil(u), ops::ceil(v), false, true), float32)},
               {.name = "cpp_built_isin"});
}

Tensors cpp_built_isin_inputs() {
  return {Tensor::from_vector<int32_t>({3, 0, 5, 1, 3, 2}, {2, 3}),
          test::random_tensor({2, 4}, float32, -2, 2, 15)};
}

TEST(OpsFixtures, CppBuiltIsinSavesAsKerasIsInAndLoadsBack) {
  Model m = cpp_built_isin_model();
  const Json config = m.get_config();
  int found = 0;
  for (const Json& l : config["layers"]) found += l["class_name"] == "IsIn" ? 1 : 0;
  EXPECT_EQ(found, 2);
  const Tensors x = cpp_built_isin_inputs();
  test::expect_all_close(m.predict(x)[0], test::tensor_of({1, 1, 0, 0, 1, 0}, {2, 3}, float32), 0,
                         0);
  expect_saved_and_loaded_predict_the_same(m, x, "ops_cpp_built_isin");
}

// keras::ops::conv_transpose on KerasTensors saves as Keras's ConvTranspose and loads back to
// what the eager op computes (padding and output_padding where keras.ops puts them).
TEST(OpsFixtures, CppBuiltConvTransposeLoadsBack) {
  auto x = Input({4, 3, 2});
  const Tensor kernel = test::random_tensor({3, 2, 5, 2}, float32, -1, 1, 13);
  const ops::ConvTransposeOptions same{.strides = {2}, .padding = "same"};
  const ops::ConvTransposeOptions padded{.strides = {2, 3},
                                         .output_padding = std::vector<int64_t>{1, 0}};
  Model m(x, {ops::conv_transpose(x, kernel, same), ops::conv_transpose(x, kernel, padded)});
  const Tensor in = test::random_tensor({2, 4, 3, 2}, float32, -1, 1, 14);
  const Tensors want{ops::conv_transpose(in, kernel, same),
                     ops::conv_transpose(in, kernel, padded)};
  const std::string path = test::fixture_temp_path("ops_conv_transpose.keras");
  m.save(path);
  const Outputs got = models::load_model(path).predict(in);
  ASSERT_EQ(got.size(), 2u);
  for (size_t i = 0; i < 2; ++i) test::expect_all_close(got[i], want[i], 1e-6, 1e-6);
}

// keras.ops.linalg on KerasTensors, on well-conditioned matrices (the singular and eigen
// vectors squared: their signs are arbitrary). Not cholesky_inverse: Keras 3.15's JAX backend
// fails on a batch of matrices.
Model cpp_built_linalg_model() {
  auto x = Input({3, 3}, {.name = "x"});
  auto v = Input({3, 2}, {.name = "v"});
  auto t = ops::tanh(layers::Dense(3)(x));
  auto ones = x * 0.0 + 1.0;
  auto eye = ops::tril(ones) - ops::tril(ones, -1);
  auto dom = t * 0.5 + eye * 3.0;
  auto spd = ops::matmul(t, ops::swapaxes(t, 1, 2)) + eye * 3.0;
  auto [sign, logdet] = ops::slogdet(dom);
  auto [q, r] = ops::qr(t);
  auto [w, ev] = ops::eigh(spd);
  auto [lu, pivots] = ops::lu_factor(dom);
  const KerasTensors usv = ops::svd(t, false);
  return Model({x, v},
               {ops::inv(dom), ops::det(dom), sign, logdet, ops::solve(dom, v),
                ops::solve_triangular(dom, v, true), ops::cholesky(spd, true), q, r, usv[1],
                ops::square(usv[0]), ops::square(usv[2]), w, ops::square(ev), lu,
                ops::cast(pivots, float32), ops::pinv(t), ops::cast(ops::matrix_rank(t), float32)},
               {.name = "cpp_built_linalg"});
}

Tensors cpp_built_linalg_inputs() {
  return {test::random_tensor({2, 3, 3}, float32, -2, 2, 16),
          test::random_tensor({2, 3, 2}, float32, -2, 2, 17)};
}

TEST(OpsFixtures, CppBuiltLinalgOpsSaveAsKerasOpsAndLoadBack) {
  Model m = cpp_built_linalg_model();
  const Json config = m.get_config();
  std::map<std::string, Json> by_class;
  for (const Json& l : config["layers"]) by_class[l["class_name"]] = l;
  for (const char* cls : {"Inv", "Det", "Slogdet", "Solve", "SolveTriangular", "Cholesky", "Qr",
                          "SVD", "Eigh", "LuFactor", "Pinv", "MatrixRank"}) {
    EXPECT_TRUE(by_class.contains(cls)) << cls;
  }
  EXPECT_EQ(by_class["Inv"]["module"], "keras.src.ops.linalg");
  EXPECT_EQ(by_class["Slogdet"]["module"], "keras.src.ops.numpy");
  const Tensors x = cpp_built_linalg_inputs();
  expect_saved_and_loaded_predict_the_same(m, x, "ops_cpp_built_linalg");
}

// The Fourier transforms and logdet on KerasTensors.
Model cpp_built_fft_model() {
  auto x = Input({16}, {.name = "x"});
  auto h = layers::Dense(16)(x);
  auto g = layers::Dense(16)(x);
  auto [fr, fi] = ops::fft({h, g});
  auto [f2r, f2i] = ops::fft2({ops::reshape(h, {-1, 4, 4}), ops::reshape(g, {-1, 4, 4})});
  auto [i2r, i2i] = ops::ifft2({ops::reshape(h, {-1, 4, 4}), ops::reshape(g, {-1, 4, 4})});
  auto [rr, ri] = ops::rfft(h, 11);
  auto [sr, si] = ops::stft(h, 6, 2, 8, "hamming", false);
  auto m = ops::reshape(layers::Dense(9)(x), {-1, 3, 3});
  auto ones = m * 0.0 + 1.0;
  auto eye = ops::tril(ones) - ops::tril(ones, -1);
  return Model({x},
               {fr, fi, ops::reshape(f2r, {-1, 16}), ops::reshape(f2i, {-1, 16}),
                ops::reshape(i2r, {-1, 16}), ops::reshape(i2i, {-1, 16}), rr, ri,
                ops::irfft({rr, ri}), ops::istft({sr, si}, 6, 2, 8, 10, "hamming", false),
                ops::istft({sr, si}, 8, 2, 8, std::nullopt, std::nullopt),
                ops::logdet(ops::tanh(m) * 0.5 + eye * 3.0)},
               {.name = "cpp_built_fft"});
}

TEST(OpsFixtures, CppBuiltFftOpsSaveAsKerasOpsAndLoadBack) {
  Model m = cpp_built_fft_model();
  const Json config = m.get_config();
  std::map<std::string, Json> by_class;
  for (const Json& l : config["layers"]) by_class[l["class_name"]] = l;
  for (const char* cls : {"FFT", "FFT2", "IFFT2", "RFFT", "IRFFT", "STFT", "ISTFT", "Logdet"}) {
    EXPECT_TRUE(by_class.contains(cls)) << cls;
    EXPECT_EQ(by_class[cls]["module"], "keras.src.ops.math") << cls;
  }
  expect_saved_and_loaded_predict_the_same(m, {test::random_tensor({3, 16}, float32, -2, 2, 18)},
                                           "ops_cpp_built_fft");
}

TEST(OpsFixturesExport, WritesFilesForThePythonCheck) {
  const char* dir = std::getenv("KERAS_OPS_EXPORT_DIR");
  if (dir == nullptr) GTEST_SKIP() << "KERAS_OPS_EXPORT_DIR not set";
  test::export_fixtures_for_python_check(kDir, dir);
  Model m = cpp_built_model();
  test::export_for_python_check(m, cpp_built_inputs(), dir, "cpp_built");
  Model stats = cpp_built_stats_model();
  test::export_for_python_check(stats, cpp_built_inputs(), dir, "cpp_built_stats");
  Model nn = cpp_built_nn_model();
  test::export_for_python_check(nn, cpp_built_nn_inputs(), dir, "cpp_built_nn");
  Model isin = cpp_built_isin_model();
  test::export_for_python_check(isin, cpp_built_isin_inputs(), dir, "cpp_built_isin");
  Model attention = cpp_built_attention_model();
  test::export_for_python_check(attention, cpp_built_attention_inputs(), dir,
                                "cpp_built_attention");
  Model more = cpp_built_more_model();
  test::export_for_python_check(more, cpp_built_more_inputs(), dir, "cpp_built_more");
  Model linalg = cpp_built_linalg_model();
  test::export_for_python_check(linalg, cpp_built_linalg_inputs(), dir, "cpp_built_linalg");
  Model numpy_more = cpp_built_numpy_more_model();
  test::export_for_python_check(numpy_more, cpp_built_numpy_more_inputs(), dir,
                                "cpp_built_numpy_more");
  Model numpy_tail = cpp_built_numpy_tail_model();
  test::export_for_python_check(numpy_tail, cpp_built_numpy_tail_inputs(), dir,
                                "cpp_built_numpy_tail");
  Model fft = cpp_built_fft_model();
  test::export_for_python_check(fft, {test::random_tensor({3, 16}, float32, -2, 2, 18)}, dir,
                                "cpp_built_fft");
}

// In a model (a traced plan) the statistics compute what the eager ops do, bit for bit.
TEST(OpsFixtures, SymbolicStatisticsMatchTheEagerOps) {
  auto x = Input({3, 4});
  const KerasTensors outs{ops::median(x, {1}), ops::quantile(x, 0.3, {-1}, "nearest"),
                          ops::nanmax(x, {1}), ops::quantile(x, {0.25, 0.5}, {1, 2}, "lower", true),
                          ops::rot90(x, 1, {1, 2})};
  Model m(x, outs);
  const Tensor in = test::random_tensor({4, 3, 4}, float32, -1, 1, 5);
  const Outputs got = m.predict(in);
  const Tensors want{
      ops::median(in, {1}), ops::quantile(in, 0.3, {-1}, "nearest"), ops::nanmax(in, {1}),
      ops::quantile(in, Tensor::from_vector<double>({0.25, 0.5}, {2}), {1, 2}, "lower", true),
      ops::rot90(in, 1, {1, 2})};
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(str("output ", i));
    test::expect_all_close(got[i], want[i], 0, 0);
  }
  // An output whose first axis is not the batch's (the q axis) is concatenated batch by batch,
  // as Keras's predict does: two batches of 2 give (2 + 2, 2, 1, 1).
  const Outputs halves = m.predict(in, {.batch_size = 2});
  EXPECT_EQ(halves[3].shape(), (Shape{4, 2, 1, 1}));
  test::expect_all_close(halves[3].slice_rows(0, 2), ops::slice_axis(want[3], 1, 0, 2), 0, 0);
  test::expect_all_close(halves[0], want[0], 0, 0);
}

// keras::ops::dot_product_attention on KerasTensors: saved as Keras's DotProductAttention (the
// mask and scale among its keyword arguments), loaded back, the eager op's numbers.
Model cpp_built_attention_model() {
  auto q = Input({3, 2, 4}, {.name = "q"});
  auto kv = Input({5, 1, 4}, {.name = "kv"});
  auto m = Input({1, 3, 5}, {.dtype = bool_, .name = "m"});
  return Model({q, kv, m}, {ops::dot_product_attention(q, kv, kv, m, 0.5),
                            ops::dot_product_attention(q, q, q, std::nullopt, std::nullopt, true)});
}

Tensors cpp_built_attention_inputs() {
  return {test::random_tensor({2, 3, 2, 4}, float32, -1, 1, 3),
          test::random_tensor({2, 5, 1, 4}, float32, -1, 1, 4),
          ops::greater(test::random_tensor({2, 1, 3, 5}, float32, -1, 1, 6), 0.0)};
}

TEST(OpsFixtures, SymbolicAttentionSavesAndMatchesTheEagerOp) {
  Model model = cpp_built_attention_model();
  const Tensors in = cpp_built_attention_inputs();
  const Tensor &qv = in[0], &kvv = in[1], &mv = in[2];
  const Tensors want{ops::dot_product_attention(qv, kvv, kvv, {}, mv, 0.5),
                     ops::dot_product_attention(qv, qv, qv, {}, {}, std::nullopt, true)};
  const Json config = model.get_config();
  for (const Json& l : config["layers"]) {
    if (l["class_name"] == "DotProductAttention" && l["config"]["is_causal"] == false) {
      EXPECT_EQ(l["inbound_nodes"][0]["kwargs"]["scale"], 0.5);
    }
  }
  for (const char* ext : {"", ".keras", ".h5"}) {
    SCOPED_TRACE(ext);
    Model m2 = model;
    if (*ext != '\0') {
      const std::string path = test::fixture_temp_path(str("ops_attention", ext));
      model.save(path);
      m2 = models::load_model(path);
    }
    const Outputs got = m2.predict({qv, kvv, mv});
    ASSERT_EQ(got.size(), 2u);
    for (size_t i = 0; i < 2; ++i) test::expect_all_close(got[i], want[i], 1e-6, 1e-6);
  }
}

TEST(OpsFixtures, CppBuiltStatisticsSaveAsKerasOpsAndLoadBack) {
  Model m = cpp_built_stats_model();
  const Json config = m.get_config();
  std::map<std::string, Json> by_class;
  std::vector<std::string> methods;
  for (const Json& l : config["layers"]) {
    by_class[l["class_name"]] = l;
    if (l["class_name"] == "Percentile") methods.push_back(l["config"]["method"]);
  }
  EXPECT_EQ(methods, (std::vector<std::string>{"midpoint", "nearest"}));
  EXPECT_EQ(by_class["Rot90"]["config"]["axes"], Json::parse("[1, 2]"));
  EXPECT_EQ(by_class["Isclose"]["inbound_nodes"][0]["args"][2], 0.5);
  const Tensors x = cpp_built_inputs();
  expect_saved_and_loaded_predict_the_same(m, x, "ops_cpp_built_stats");
}

}  // namespace
}  // namespace keras
