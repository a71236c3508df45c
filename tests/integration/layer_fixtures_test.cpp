// Models made with real Keras 3 (and tf_keras) using issue 13's layers
// (tools/fixtures/make_layer_fixtures.py, tests/data/layers/): keras.cpp loads each file,
// predicts what Keras predicted, and saves it again (.keras and legacy .h5) so that it loads back
// and predicts the same. LayerFixturesExport writes keras.cpp's files for the reverse check in
// Python (make_layer_fixtures.py check DIR).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "harness/keras_fixtures.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/models/cloning.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"

namespace keras {
namespace {

const std::filesystem::path kDir = std::filesystem::path(KERAS_TEST_DATA_DIR) / "layers";

TEST(LayerFixtures, KerasFilesPredictWhatKerasPredicted) {
  test::expect_fixtures_predict_what_keras_predicted(kDir);
}

TEST(LayerFixtures, SavedAgainTheyPredictTheSame) {
  test::expect_fixtures_saved_again_predict_the_same(kDir);
}

// clone_model of every Keras file, given the file's weights, predicts bit for bit what the model
// predicts (the same kernels on the same shapes): every layer's config makes the same layer again,
// a Keras 2 merge's masks and an adapted vocabulary included.
TEST(LayerFixtures, ClonesGivenTheWeightsPredictTheSame) {
  int cloned = 0;
  for (const std::filesystem::path& file : test::fixture_model_files(kDir)) {
    SCOPED_TRACE(file.filename().string());
    Model model = models::load_model(file.string(), {.compile = false});
    Model copy = models::clone_model(model);
    copy.set_weights(model.get_weights());
    const Data x = test::model_inputs(model, test::fixture_arrays(file, "x"));
    const Outputs want = model.predict_on_batch(x), got = copy.predict_on_batch(x);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) test::expect_all_close(got[i], want[i], 0, 0);
    ++cloned;
  }
  EXPECT_GT(cloned, 80);
}

// tf_keras's to_json (keras_version 2.21.0 beside the model) reads as a Keras 2 model: its merges
// combine masks with logical and (Keras 3's with or), so that it predicts what tf_keras did.
TEST(LayerFixtures, TfKerasJsonReadsAsAKeras2Model) {
  const std::string stem = (kDir / "merge_masks.tf_keras").string();
  std::ifstream in(stem + ".json");
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(json.empty());
  Model m = models::model_from_json(json);
  m.set_weights(models::load_model(stem + ".h5").get_weights());
  const Tensors x = test::fixture_arrays(stem + ".h5", "x");
  test::expect_keras_close(m.predict(x), test::fixture_arrays(stem + ".h5", "y"));
  // Without the version, Keras 3's mask merging: other numbers.
  Json keras3 = Json::parse(json);
  keras3.erase("keras_version");
  Model other = models::model_from_json(keras3.dump());
  other.set_weights(m.get_weights());
  EXPECT_GT(test::max_abs(ops::subtract(other.predict(x)[0], m.predict(x)[0])), 0.01);
}

// Writes keras.cpp's saves of every fixture, with inputs and keras.cpp's predictions, for
// make_layer_fixtures.py check DIR, when KERAS_LAYER_EXPORT_DIR is set.
TEST(LayerFixturesExport, WritesFilesForThePythonCheck) {
  const char* dir = std::getenv("KERAS_LAYER_EXPORT_DIR");
  if (dir == nullptr) GTEST_SKIP() << "KERAS_LAYER_EXPORT_DIR not set";
  test::export_fixtures_for_python_check(kDir, dir);
}

}  // namespace
}  // namespace keras
