// Models whose inputs and outputs are dicts or nested lists (Keras 3's nested structures), and
// Keras 2 files with a nested model called several times or TensorFlow ops
// (tools/fixtures/make_structure_fixtures.py, tests/data/structure/). StructureExport writes
// keras.cpp's files for the reverse check in Python (make_structure_fixtures.py check DIR).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <keras/keras.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/keras_fixtures.h"
#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace fs = std::filesystem;
namespace L = layers;
using ::testing::HasSubstr;

using test::message_of;

const fs::path kDir = fs::path(KERAS_TEST_DATA_DIR) / "structure";

std::string fixture(const std::string& name) {
  return (kDir / name).string();
}

// Keras's get_config() of the model in a fixture file (<name>.config.json beside it).
Json keras_config(const std::string& file) {
  std::string name = fs::path(file).filename().string();
  name = name.substr(0, name.find_last_of('.'));
  std::ifstream in(fixture(name + ".config.json"));
  return Json::parse(in);
}

const std::vector<std::string> kKerasFiles = {"dict_io.keras",
                                              "dict_io.h5",
                                              "nested_lists.keras",
                                              "nested_lists.h5",
                                              "dict_of_lists.keras",
                                              "dict_of_lists.h5",
                                              "nested_dict_model.keras",
                                              "nested_dict_model.h5",
                                              "shared_nested.tf_keras.h5",
                                              "tf_attention.tf_keras.h5",
                                              "tf_attention.tf_keras.keras",
                                              "tf_keras2_semantics.tf_keras.h5",
                                              "nested_frozen.keras",
                                              "nested_frozen.h5",
                                              "nested_bn.tf_keras.h5"};

// Keras's own config of the dict model: dicts in the order Keras was given them.
TEST(StructureFixtures, DictModelKeepsKerasStructureAndOrder) {
  for (const char* file : {"dict_io.keras", "dict_io.h5"}) {
    SCOPED_TRACE(file);
    Model m = models::load_model(fixture(file));
    const Json c = m.get_config();
    EXPECT_EQ(c["input_layers"], Json::parse(R"({"b": ["b", 0, 0], "a": ["a", 0, 0]})"));
    EXPECT_EQ(c["output_layers"],
              Json::parse(R"({"out2": ["zed", 0, 0], "out1": ["alpha", 0, 0]})"));
    // Flattened as Keras flattens: by sorted key.
    EXPECT_EQ(m.input_names(), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(m.output_names(), (std::vector<std::string>{"alpha", "zed"}));
    EXPECT_TRUE(m.input_structure().is_dict());
    EXPECT_EQ(m.output_structure().flat_keys(), (std::vector<std::string>{"out1", "out2"}));
  }
}

TEST(StructureFixtures, KerasFilesPredictWhatKerasPredicted) {
  for (const std::string& file : kKerasFiles) {
    SCOPED_TRACE(file);
    Model m = models::load_model(fixture(file));
    const Tensors x = test::fixture_arrays(fixture(file), "x");
    ASSERT_FALSE(x.empty());
    test::expect_keras_close(m.predict(test::model_inputs(m, x)),
                             test::fixture_arrays(fixture(file), "y"));
  }
}

// Keras 3's predict returns a dict for dict outputs; inputs are keyed by the input dict's keys.
TEST(StructureFixtures, DictModelPredictsByKey) {
  Model m = models::load_model(fixture("dict_io.keras"));
  const Tensors x = test::fixture_arrays(fixture("dict_io.keras"), "x");
  const Tensors y = test::fixture_arrays(fixture("dict_io.keras"), "y");
  for (const Outputs& out :
       {m.predict({{"b", x[1]}, {"a", x[0]}}), m.predict_on_batch({{"a", x[0]}, {"b", x[1]}}),
        m.call({{"a", x[0]}, {"b", x[1]}})}) {
    ASSERT_TRUE(out.is_dict());
    EXPECT_EQ(out.keys(), (std::vector<std::string>{"out1", "out2"}));
    test::expect_all_close(out["out1"], y[0], 1e-4, 1e-4);
    test::expect_all_close(out.at("out2"), y[1], 1e-4, 1e-4);
    EXPECT_EQ(out.dict().at("out2").shape(), (Shape{8, 2}));
  }
  EXPECT_THAT(message_of<ValueError>([&] { (void)m.predict(test::model_inputs(m, x))["zed"]; }),
              HasSubstr("No output named 'zed'; the outputs are ['out1', 'out2']"));
}

// The compile config Keras saved (loss, loss_weights and metrics keyed by the output dict's keys)
// is restored: evaluate gives Keras's numbers, with targets keyed the same way.
TEST(StructureFixtures, CompiledDictModelEvaluatesAsKeras) {
  Model m = models::load_model(fixture("dict_io.keras"));
  const Tensors x = test::fixture_arrays(fixture("dict_io.keras"), "x");
  const Tensors t = test::fixture_arrays(fixture("dict_io.keras"), "t");
  const Tensor want = io::load_npy(fixture("dict_io.evaluate.npy"));
  const Results r = m.evaluate({{"a", x[0]}, {"b", x[1]}}, {{"out1", t[0]}, {"out2", t[1]}});
  // float32 losses over 8 rows, from Keras's XLA kernels and ours: 1e-5 relative is ~100 ulps.
  EXPECT_NEAR(r["loss"], want.at<double>({0}), 1e-5 * std::abs(want.at<double>({0})));
  EXPECT_NEAR(r["out1_loss"], want.at<double>({1}), 1e-5 * std::abs(want.at<double>({1})));
  EXPECT_NEAR(r["out2_loss"], want.at<double>({2}), 1e-5 * std::abs(want.at<double>({2})));
  // Keras 3 refuses targets keyed by the layers' names when the outputs are a dict.
  EXPECT_THAT(message_of<ValueError>([&] {
                m.evaluate(test::model_inputs(m, x), {{"alpha", t[0]}, {"zed", t[1]}});
              }),
              HasSubstr("Unknown entry in target dictionary: \"alpha\". Only expected the "
                        "following keys: ['out1', 'out2']"));
  // fit with dict data trains (the optimizer state came from the file).
  const auto h = m.fit({{"a", x[0]}, {"b", x[1]}}, {{"out1", t[0]}, {"out2", t[1]}},
                       {.epochs = 3, .batch_size = 8, .verbose = 0});
  EXPECT_LT(h.history.at("loss").back(), h.history.at("loss").front());
}

TEST(StructureFixtures, SavedAgainTheyKeepTheirStructureAndPredictTheSame) {
  for (const std::string& file : kKerasFiles) {
    Model m = models::load_model(fixture(file));
    const Tensors x = test::fixture_arrays(fixture(file), "x");
    const Outputs want = m.predict(test::model_inputs(m, x));
    // keras.cpp writes Keras 3's numbering: a nested Sequential's first call is its node 0, where
    // Keras 2 counted its own graph first.
    const bool keras2 = file.find(".tf_keras.") != std::string::npos;
    const Json config = keras2 ? m.get_config() : keras_config(fixture(file));
    for (const char* ext : {".keras", ".h5"}) {
      SCOPED_TRACE(file + " saved as " + ext);
      const std::string path =
          test::fixture_temp_path("structure_" + fs::path(file).stem().string() + ext);
      m.save(path);
      Model back = models::load_model(path);
      const Json again = back.get_config();
      EXPECT_EQ(again["input_layers"], config["input_layers"]);
      EXPECT_EQ(again["output_layers"], config["output_layers"]);
      const Outputs got = back.predict(test::model_inputs(back, x));
      ASSERT_EQ(got.size(), want.size());
      EXPECT_EQ(got.keys(), want.keys());
      // The same kernels on the same shapes: bit for bit.
      for (size_t i = 0; i < got.size(); ++i) test::expect_all_close(got[i], want[i], 0, 0);
    }
  }
}

// Keras's counts of trainable and frozen weights (<name>.trainable.json): a frozen Bidirectional
// freezes both halves; BatchNormalization's moving statistics are frozen. Saved again, the same.
TEST(StructureFixtures, FrozenLayersInNestedModelsStayFrozen) {
  for (const char* file : {"nested_frozen.keras", "nested_frozen.h5", "nested_bn.tf_keras.h5"}) {
    SCOPED_TRACE(file);
    std::string stem = fs::path(file).filename().string();
    stem = stem.substr(0, stem.find_last_of('.'));
    std::ifstream in(fixture(stem + ".trainable.json"));
    const Json counts = Json::parse(in);
    Model m = models::load_model(fixture(file));
    EXPECT_EQ(m.trainable_weights().size(), counts["trainable"].get<size_t>());
    EXPECT_EQ(m.non_trainable_weights().size(), counts["non_trainable"].get<size_t>());
    for (const char* ext : {".keras", ".h5"}) {
      const std::string path = test::fixture_temp_path("frozen_" + stem + ext);
      m.save(path);
      Model back = models::load_model(path);
      EXPECT_EQ(back.trainable_weights().size(), counts["trainable"].get<size_t>()) << ext;
      EXPECT_EQ(back.non_trainable_weights().size(), counts["non_trainable"].get<size_t>()) << ext;
    }
  }
}

TEST(StructureFixtures, NestedListsKeepTheirNesting) {
  Model m = models::load_model(fixture("nested_lists.keras"));
  EXPECT_EQ(m.get_config()["input_layers"],
            Json::parse(R"([["a", 0, 0], [["b", 0, 0], ["c", 0, 0]]])"));
  EXPECT_EQ(m.get_config()["output_layers"],
            Json::parse(R"([["p", 0, 0], [["q", 0, 0], ["r", 0, 0]]])"));
  EXPECT_EQ(m.input_names(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(m.predict(test::fixture_arrays(fixture("nested_lists.keras"), "x")).is_dict());
  Model d = models::load_model(fixture("dict_of_lists.keras"));
  EXPECT_EQ(d.get_config()["output_layers"],
            Json::parse(R"({"pair": [["s", 0, 0], ["t", 0, 0]], "first": ["h", 0, 0]})"));
  EXPECT_EQ(d.output_names(), (std::vector<std::string>{"h", "s", "t"}));  // "first" < "pair"
}

// A model with dict inputs and outputs called as a layer: Keras saves the call's argument as a
// dict of tensors ({"u": a, "v": b}), and keras.cpp writes it back so.
TEST(StructureFixtures, ModelOnADictCalledInsideAModel) {
  for (const char* file : {"nested_dict_model.keras", "nested_dict_model.h5"}) {
    SCOPED_TRACE(file);
    Model m = models::load_model(fixture(file));
    const Json keras = keras_config(fixture(file));
    const Json cpp = m.get_config();
    ASSERT_EQ(cpp["layers"][2]["name"], "inner");
    // The same dict; keras.cpp writes its keys in the called model's input order ("v", "u"),
    // Keras in the caller's ("u", "v"), which keras.cpp does not keep: compared as sorted JSON.
    EXPECT_EQ(nlohmann::json::parse(cpp["layers"][2]["inbound_nodes"][0]["args"].dump()),
              nlohmann::json::parse(keras["layers"][2]["inbound_nodes"][0]["args"].dump()));
    EXPECT_TRUE(cpp["layers"][2]["inbound_nodes"][0]["args"][0].is_object());
    EXPECT_EQ(cpp["layers"][2]["config"]["input_layers"],
              Json::parse(R"({"v": ["v", 0, 0], "u": ["u", 0, 0]})"));
  }
}

// Built in C++: the same structures, configs and keyed data as Keras.
TEST(Structure, DictModelBuiltInCpp) {
  auto b = Input({3}, {.name = "b"});
  auto a = Input({2}, {.name = "a"});
  auto h = L::Dense(4, {.activation = "tanh", .name = "hidden"})(L::Concatenate()({a, b}));
  auto zed = L::Dense(2, {.name = "zed"})(h);
  auto alpha = L::Dense(1, {.name = "alpha"})(b);
  Model m({{"b", b}, {"a", a}}, {{"out2", zed}, {"out1", alpha}}, {.name = "dict_io"});
  EXPECT_EQ(m.inputs(), (KerasTensors{a, b}));
  EXPECT_EQ(m.outputs(), (KerasTensors{alpha, zed}));
  const Json c = m.get_config();
  EXPECT_EQ(c["input_layers"], Json::parse(R"({"b": ["b", 0, 0], "a": ["a", 0, 0]})"));
  EXPECT_EQ(c["output_layers"], Json::parse(R"({"out2": ["zed", 0, 0], "out1": ["alpha", 0, 0]})"));
  EXPECT_EQ(models::model_from_json(m.to_json()).get_config(), c);

  const Tensor xa = random::uniform({6, 2}), xb = random::uniform({6, 3});
  m.compile({.optimizer = "sgd", .loss = {{"out1", "mse"}, {"out2", "mae"}}});
  const auto h1 = m.fit({{"a", xa}, {"b", xb}},
                        {{"out1", random::uniform({6, 1})}, {"out2", random::uniform({6, 2})}},
                        {.epochs = 1, .batch_size = 3, .verbose = 0});
  EXPECT_EQ(h1.history.count("out1_loss"), 1u);
  const Outputs out = m.predict({{"a", xa}, {"b", xb}});
  EXPECT_EQ(out.keys(), (std::vector<std::string>{"out1", "out2"}));
  // The dict was given as {b, a}: a list is ambiguous, refused as Keras 3 refuses it
  // (functional_test.py's test_list_input_with_dict_build), by predict, the call and fit.
  const std::string refused = message_of<ValueError>([&] { m.predict({xa, xb}); });
  EXPECT_THAT(refused, HasSubstr("The structure of `inputs` doesn't match the expected structure."
                                 "\nExpected: {'b': 'b', 'a': 'a'}\nReceived: inputs=[Tensor("
                                 "shape=(6, 2)), Tensor(shape=(6, 3))]"));
  EXPECT_THROW(m.call({xa, xb}), ValueError);
  EXPECT_THROW(
      m.fit({xa, xb}, {{"out1", random::uniform({6, 1})}, {"out2", random::uniform({6, 2})}},
            {.epochs = 1, .verbose = 0}),
      ValueError);
  test::expect_all_close(out["out1"], m.call({{"a", xa}, {"b", xb}})["out1"], 0, 0);

  const std::string text = m.summary_string();
  EXPECT_THAT(text, HasSubstr("alpha (Dense)"));
  EXPECT_THAT(text, HasSubstr("zed (Dense)"));

  // A std::map: a dict in key order.
  Model sorted(std::map<std::string, KerasTensor>{{"b", b}, {"a", a}}, alpha);
  EXPECT_EQ(sorted.get_config()["input_layers"],
            Json::parse(R"({"a": ["a", 0, 0], "b": ["b", 0, 0]})"));
  EXPECT_EQ(sorted.get_config()["output_layers"], Json::parse(R"(["alpha", 0, 0])"));
  test::expect_all_close(sorted.predict({xa, xb}), out["out1"], 0, 0);  // sorted: a list is fine
  EXPECT_THAT(message_of<ValueError>([&] {
                Model({{"a", a}, {"a", b}}, alpha);
              }),
              HasSubstr("The key 'a' appears twice"));
}

TEST(Structure, NestedListsBuiltInCpp) {
  auto a = Input({2}, {.name = "a"});
  auto b = Input({3}, {.name = "b"});
  auto c = Input({3}, {.name = "c"});
  auto p = L::Add({.name = "p"})({b, c});
  auto q = L::Dense(1, {.name = "q"})(a);
  Model m({a, NestedTensors{b, c}}, {NestedTensors{q}, {{"sum", p}}});
  EXPECT_EQ(m.get_config()["input_layers"],
            Json::parse(R"([["a", 0, 0], [["b", 0, 0], ["c", 0, 0]]])"));
  EXPECT_EQ(m.get_config()["output_layers"],
            Json::parse(R"([[["q", 0, 0]], {"sum": ["p", 0, 0]}])"));
  EXPECT_EQ(m.outputs(), (KerasTensors{q, p}));
  const Model back = models::model_from_json(m.to_json());
  EXPECT_EQ(back.get_config(), m.get_config());
  // A list of one tensor stays a list, as in Keras (Model([x], [y]) saves [["x", 0, 0]]).
  Model one({a}, {q});
  EXPECT_EQ(one.get_config()["input_layers"], Json::parse(R"([["a", 0, 0]])"));
  Model flat(a, q);
  EXPECT_EQ(flat.get_config()["input_layers"], Json::parse(R"(["a", 0, 0])"));
}

// tf_keras's file of a nested model called four times (its nodes 1 to 4, one on its own output).
TEST(StructureFixtures, KerasTwoSharedNestedModelCalledSeveralTimes) {
  Model m = models::load_model(fixture("shared_nested.tf_keras.h5"));
  Model inner(std::dynamic_pointer_cast<models::FunctionalImpl>(m.get_layer("inner").layer()));
  EXPECT_EQ(inner->inbound_nodes().size(), 5u);  // its own graph, then the four calls
}

// tf_keras writes every argument after the first as a keyword, with its tensors as
// [name, node, tensor]: MultiHeadAttention's value and key, and use_causal_mask, are kept.
TEST(StructureFixtures, KerasTwoAttentionKeywordArguments) {
  Model m = models::load_model(fixture("tf_attention.tf_keras.h5"));
  const Json c = m.get_config();
  auto kwargs = [&](const std::string& name) {
    for (const Json& l : c["layers"]) {
      if (l["name"] == name) return l["inbound_nodes"][0]["kwargs"];
    }
    return Json();
  };
  EXPECT_EQ(kwargs("mha")["key"]["config"]["keras_history"], Json::parse(R"(["k", 0, 0])"));
  EXPECT_EQ(kwargs("mha_causal")["use_causal_mask"], true);
  EXPECT_EQ(kwargs("att")["use_causal_mask"], true);
}

// Keras 2's hard_sigmoid (clip(0.2x + 0.5)) is no Keras 3 activation: it is saved as a custom
// function, which Keras 3 reads with custom_objects (docs/differences.md, 23).
TEST(StructureFixtures, KerasTwoHardSigmoidSavedAsCustomFunction) {
  Model m = models::load_model(fixture("tf_keras2_semantics.tf_keras.h5"));
  const Json nested = m.get_layer("nested").layer()->get_config();
  const Json activation = nested["layers"][1]["config"]["activation"];
  EXPECT_EQ(activation["class_name"], "function");
  EXPECT_EQ(activation["config"], "keras2_hard_sigmoid");
  EXPECT_EQ(activation["registered_name"], "keras2_hard_sigmoid");
}

// tf_keras's TensorFlow functions on Keras tensors load as the keras.ops that compute the same
// (models/tf_op_layers.h; the layer fixtures tf_ops and tf_ops_shapes check many more), under the
// layers' own names.
TEST(StructureFixtures, TfOpLambdaLoadsAsKerasOps) {
  const Tensor x = test::tensor_of({0.5, -1.0, 2.0, 1.5, 0.0, -0.25}, {2, 3}, float32);
  Model sum = models::load_model(fixture("tf_op_lambda.tf_keras.h5"));
  const Tensor h = sum.get_layer("d")(x);
  EXPECT_EQ(sum.get_layer("tf.math.reduce_sum").layer()->class_name(), "Sum");
  test::expect_all_close(sum.predict(x)[0], ops::sum(h, {1}, true), 1e-6, 1e-6);
  Model slice = models::load_model(fixture("tf_slicing_op_lambda.tf_keras.h5"));
  EXPECT_EQ(slice.get_layer("tf.__operators__.getitem").layer()->class_name(), "GetItem");
  EXPECT_TRUE(
      test::identical(slice.predict(x)[0], ops::slice_axis(slice.get_layer("d")(x), 1, 1, 2)));
}

// Writes keras.cpp's saves of every fixture, with inputs and keras.cpp's predictions, for
// make_structure_fixtures.py check DIR, when KERAS_STRUCTURE_EXPORT_DIR is set.
TEST(StructureExport, WritesFilesForThePythonCheck) {
  const char* dir = std::getenv("KERAS_STRUCTURE_EXPORT_DIR");
  if (dir == nullptr) GTEST_SKIP() << "KERAS_STRUCTURE_EXPORT_DIR not set";
  fs::create_directories(dir);
  for (const std::string& file : kKerasFiles) {
    Model m = models::load_model(fixture(file));
    const std::string base = fs::path(file).stem().string() + (file.ends_with(".h5") ? "_h5" : "");
    test::export_for_python_check(m, test::fixture_arrays(fixture(file), "x"), dir, base);
  }
}

}  // namespace
}  // namespace keras
