// Fixture folders of models made with real Keras (tools/fixtures/make_*_fixtures.py): each model
// file <name>.keras / <name>.h5 / <name>.tf_keras.h5 sits beside its inputs <name>.x0.npy, ...
// and Keras's predictions <name>.y0.npy, .... The checks every such folder gets: keras.cpp
// predicts what Keras predicted, and saved again it loads back and predicts the same; and the
// files for the reverse check in Python (`make_*_fixtures.py check DIR`).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "keras/core/tensor.h"
#include "keras/models/model.h"

namespace keras::test {

// Every model file of `dir` (.keras and .h5), sorted.
std::vector<std::filesystem::path> fixture_model_files(const std::filesystem::path& dir);

// <stem>.<kind>0.npy, <stem>.<kind>1.npy, ... beside the file <stem>.<ext> (kind "x" or "y").
Tensors fixture_arrays(const std::filesystem::path& file, const char* kind);
// The inputs `x` (in the model's flattening order) as the model takes them: keyed by name when
// its inputs are a dict (Keras 3 refuses a list when the dict's keys were not given sorted).
Data model_inputs(const Model& model, const Tensors& x);

// A path for `name` in this process's own temporary folder (made when missing).
std::string fixture_temp_path(const std::string& name);

// float32 on both sides with other kernels (XLA vs OpenBLAS/oneDNN): issue 13's bound,
// |diff| <= 1e-4 + 1e-4 |expected|. The fixture models are a few small layers deep, so their
// rounding stays near 1e-6; the bound is loose against that and tight against any wrong formula.
void expect_keras_close(const Tensors& got, const Tensors& want);

// Each model file of `dir` loads and predicts Keras's predictions (expect_keras_close).
void expect_fixtures_predict_what_keras_predicted(const std::filesystem::path& dir);

// Each model file of `dir`, saved again as .keras and .h5, loads back and predicts bit for bit
// what it predicted before (the same kernels on the same shapes).
void expect_fixtures_saved_again_predict_the_same(const std::filesystem::path& dir);

// Saves `model` as <out_dir>/<stem>.cpp.keras and <stem>.cpp_legacy.h5, each with `x` and the
// model's predictions beside it, for the Python check.
void export_for_python_check(Model& model,
                             const Tensors& x,
                             const std::string& out_dir,
                             const std::string& stem);

// export_for_python_check for every fixture of `dir`: <name>.keras and <name>.tf_keras.h5
// (a Keras 3 <name>.h5 holds the same model as <name>.keras).
void export_fixtures_for_python_check(const std::filesystem::path& dir, const std::string& out_dir);

}  // namespace keras::test
