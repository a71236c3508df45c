// keras.ops.image's later ops on KerasTensors (op_layer.h): each saved as Keras 3's class
// (MapCoordinates, AffineTransform, PerspectiveTransform, ElasticTransform, ScaleAndTranslate,
// SSIM, ExtractPatches), predicting what the eager ops compute, and loading back from .keras and
// .h5 to predict the same. (image_ops_tail in tests/data/ops loads Keras's own file.)
#include <gtest/gtest.h>

#include <keras/keras.hpp>
#include <map>
#include <string>

#include "harness/keras_fixtures.h"
#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace img = ops::image;

Tensor start_points() {
  return Tensor::from_vector<float>({0, 0, 6, 0, 0, 5, 6, 5}, {4, 2});
}
Tensor end_points() {
  return Tensor::from_vector<float>({1, 0, 5, 1, 0, 4, 6, 5}, {4, 2});
}

struct Built {
  Model model;
  Tensors inputs;
};

Built image_model() {
  auto x = Input({6, 7, 2}, {.name = "x"});
  auto c = Input({4, 5}, {.name = "c"});
  auto t = Input({8}, {.name = "t"});
  auto v = Input({4, 4, 4, 1}, {.name = "v"});
  const KerasTensors outs{
      img::map_coordinates(x, ops::transpose(c, {1, 0, 2}), 1, "reflect"),
      img::map_coordinates(x, ops::transpose(c, {1, 0, 2}), 0, "constant", 0.5),
      img::affine_transform(x, t, {.fill_mode = "nearest"}),
      img::perspective_transform(x, start_points(), end_points(), "bilinear", 0.5),
      img::elastic_transform(x, {.alpha = 2.0, .sigma = 1.0, .seed = 4}),
      img::scale_and_translate(x, {2, 8, 5, 2}, {1.3, 0.7}, {0.5, -0.2}, {1, 2}, "bilinear"),
      img::ssim(ops::sigmoid(x), ops::sigmoid(ops::multiply(x, 0.5)), {.filter_size = 3}),
      img::extract_patches_3d(v, {2})};
  Model m({x, c, t, v}, outs, {.name = "image_ops_cpp"});
  const Tensors inputs{test::random_tensor({2, 6, 7, 2}, float32, -1, 1, 61),
                       test::random_tensor({2, 4, 5}, float32, -1.3, 7.3, 62),
                       Tensor::from_vector<float>({1.1f, 0.1f, -0.4f, -0.2f, 0.9f, 0.6f, 0, 0,
                                                   0.95f, -0.1f, 0.3f, 0.05f, 1.05f, -0.2f, 0, 0},
                                                  {2, 8}),
                       test::random_tensor({2, 4, 4, 4, 1}, float32, -1, 1, 63)};
  return {std::move(m), inputs};
}

TEST(ImageOpsSymbolic, SaveAsKerasClassesAndPredictTheEagerOps) {
  Built b = image_model();
  const Json config = b.model.get_config();
  std::map<std::string, Json> by_class;
  for (const Json& l : config["layers"]) by_class[l["class_name"]] = l;
  for (const char* cls : {"MapCoordinates", "AffineTransform", "PerspectiveTransform",
                          "ElasticTransform", "ScaleAndTranslate", "SSIM", "ExtractPatches"}) {
    ASSERT_TRUE(by_class.contains(cls)) << cls;
    EXPECT_EQ(by_class[cls]["module"], "keras.src.ops.image") << cls;
  }
  EXPECT_EQ(by_class["ElasticTransform"]["config"]["seed"], 4);
  EXPECT_EQ(by_class["ExtractPatches"]["config"]["size"], Json::parse("[2, 2, 2]"));

  const Tensors& in = b.inputs;
  const Outputs got = b.model.predict(in);
  const Tensor coords = ops::transpose(in[1], {1, 0, 2});
  const Tensors want{
      img::map_coordinates(in[0], coords, 1, "reflect"),
      img::map_coordinates(in[0], coords, 0, "constant", 0.5),
      img::affine_transform(in[0], in[2], {.fill_mode = "nearest"}),
      img::perspective_transform(in[0], start_points(), end_points(), "bilinear", 0.5),
      img::elastic_transform(in[0], {.alpha = 2.0, .sigma = 1.0, .seed = 4}),
      img::scale_and_translate(in[0], {2, 8, 5, 2}, {1.3, 0.7}, {0.5, -0.2}, {1, 2}, "bilinear"),
      img::ssim(ops::sigmoid(in[0]), ops::sigmoid(ops::multiply(in[0], 0.5)), {.filter_size = 3}),
      img::extract_patches_3d(in[3], {2})};
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    test::expect_all_close(got[i], want[i], 1e-6, 1e-6);
  }
  for (const char* ext : {".keras", ".h5"}) {
    SCOPED_TRACE(ext);
    const std::string path = test::fixture_temp_path(str("image_ops_cpp", ext));
    b.model.save(path);
    const Outputs loaded = models::load_model(path).predict(in);
    ASSERT_EQ(loaded.size(), got.size());
    for (size_t i = 0; i < got.size(); ++i) test::expect_all_close(loaded[i], got[i], 0, 0);
  }
}

TEST(ImageOpsSymbolic, ElasticTransformWithoutASeedDrawsAnew) {
  auto x = Input({6, 7, 2});
  Model m(x, img::elastic_transform(x, {.alpha = 3.0, .sigma = 1.0}));
  const Tensor in = test::random_tensor({1, 6, 7, 2}, float32, -1, 1, 64);
  const Tensor a = m.predict(in)[0], b = m.predict(in)[0];
  EXPECT_GT(test::max_abs(ops::subtract(a, b)), 1e-4);
}

}  // namespace
}  // namespace keras
