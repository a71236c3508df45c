#include "keras_fixtures.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <map>
#include <optional>

#include "keras/io/npy.h"
#include "keras/ops/elementwise.h"
#include "tensor_matchers.h"

namespace keras::test {
namespace fs = std::filesystem;

std::vector<fs::path> fixture_model_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".keras" || ext == ".h5") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Tensors fixture_arrays(const fs::path& file, const char* kind) {
  const std::string stem = (file.parent_path() / file.stem()).string();
  Tensors out;
  for (int i = 0; fs::exists(str(stem, ".", kind, i, ".npy")); ++i) {
    out.push_back(io::load_npy(str(stem, ".", kind, i, ".npy")));
  }
  return out;
}

std::string fixture_temp_path(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / str("keras_fixtures_", ::getpid());
  fs::create_directories(dir);
  return (dir / name).string();
}

Data model_inputs(const Model& model, const Tensors& x) {
  const std::vector<std::string> keys = model.input_structure().flat_keys();
  if (keys.empty() || keys.size() != x.size()) return Data(x);
  std::map<std::string, Tensor> named;
  for (size_t i = 0; i < keys.size(); ++i) named.emplace(keys[i], x[i]);
  return Data(named);
}

void expect_keras_close(const Tensors& got, const Tensors& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(str("output ", i));
    expect_all_close(want[i].dtype() == string_ ? got[i] : ops::cast(got[i], float32), want[i],
                     1e-4, 1e-4);
  }
}

void expect_fixtures_predict_what_keras_predicted(const fs::path& dir) {
  const std::vector<fs::path> files = fixture_model_files(dir);
  ASSERT_FALSE(files.empty()) << dir;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    std::optional<Model> m;
    try {
      m = models::load_model(file.string());
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();  // the other files are still checked
      continue;
    }
    const Tensors x = fixture_arrays(file, "x");
    ASSERT_FALSE(x.empty());
    expect_keras_close(m->predict(model_inputs(*m, x)), fixture_arrays(file, "y"));
  }
}

void expect_fixtures_saved_again_predict_the_same(const fs::path& dir) {
  for (const fs::path& file : fixture_model_files(dir)) {
    Model m = models::load_model(file.string());
    const Tensors x = fixture_arrays(file, "x");
    const Outputs want = m.predict(model_inputs(m, x));
    // Keras 2's layout (SaveOptions::h5_format "tf_keras") too, where the model has nothing
    // that only Keras 3 can express.
    for (const char* ext : {".keras", ".h5", ".tf_keras_layout.h5"}) {
      SCOPED_TRACE(file.filename().string() + " saved as " + ext);
      const std::string path =
          fixture_temp_path(str(dir.filename().string(), "_", file.stem().string(), ext));
      const bool keras2 = std::string(ext) == ".tf_keras_layout.h5";
      // Keras 3's files cannot say that merges combine masks as Keras 2's do (with and): that
      // fixture keeps its numbers in Keras 2's layout only (docs/differences.md, 42).
      if (!keras2 && file.stem().string() == "merge_masks.tf_keras") continue;
      try {
        m.save(path, {.h5_format = keras2 ? "tf_keras" : "keras3"});
      } catch (const NotImplementedError&) {
        if (keras2) continue;
        throw;
      }
      Model back = models::load_model(path);
      const Outputs got = back.predict(model_inputs(back, x));
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) expect_all_close(got[i], want[i], 0, 0);
    }
  }
}

void export_for_python_check(Model& model,
                             const Tensors& x,
                             const std::string& out_dir,
                             const std::string& stem) {
  const Outputs y = model.predict(model_inputs(model, x));
  for (const std::string& s : {stem + ".cpp", stem + ".cpp_legacy", stem + ".cpp_tf_keras"}) {
    // Keras 2's layout (compiled, so that tf_keras's load_model compiles it from the file's
    // training_config) where the model has nothing that only Keras 3 can express.
    if (s.ends_with("tf_keras")) {
      model.compile({.optimizer = "rmsprop", .loss = "mse"});
    }
    try {
      model.save(str(out_dir, "/", s, s.ends_with(".cpp") ? ".keras" : ".h5"),
                 {.h5_format = s.ends_with("tf_keras") ? "tf_keras" : "keras3"});
    } catch (const NotImplementedError&) {
      if (!s.ends_with("tf_keras")) throw;
      continue;
    }
    for (size_t i = 0; i < x.size(); ++i) io::save_npy(str(out_dir, "/", s, ".x", i, ".npy"), x[i]);
    for (size_t i = 0; i < y.size(); ++i) io::save_npy(str(out_dir, "/", s, ".y", i, ".npy"), y[i]);
  }
}

void export_fixtures_for_python_check(const fs::path& dir, const std::string& out_dir) {
  fs::create_directories(out_dir);
  for (const fs::path& file : fixture_model_files(dir)) {
    // name.keras -> name.cpp.keras and name.cpp_legacy.h5; name.tf_keras.h5 -> name.tf_keras...
    const std::string base = file.stem().string();
    if (file.extension() == ".h5" && base.find(".tf_keras") == std::string::npos) continue;
    Model m = models::load_model(file.string());
    export_for_python_check(m, fixture_arrays(file, "x"), out_dir, base);
  }
}

}  // namespace keras::test
