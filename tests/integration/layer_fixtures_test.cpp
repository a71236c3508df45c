// Models made with real Keras 3 (and tf_keras) using issue 13's layers
// (tools/fixtures/make_layer_fixtures.py, tests/data/layers/): keras.cpp loads each file,
// predicts what Keras predicted, and saves it again (.keras and legacy .h5) so that it loads back
// and predicts the same. LayerFixturesExport writes keras.cpp's files for the reverse check in
// Python (make_layer_fixtures.py check DIR).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "harness/keras_fixtures.h"

namespace keras {
namespace {

const std::filesystem::path kDir = std::filesystem::path(KERAS_TEST_DATA_DIR) / "layers";

TEST(LayerFixtures, KerasFilesPredictWhatKerasPredicted) {
  test::expect_fixtures_predict_what_keras_predicted(kDir);
}

TEST(LayerFixtures, SavedAgainTheyPredictTheSame) {
  test::expect_fixtures_saved_again_predict_the_same(kDir);
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
