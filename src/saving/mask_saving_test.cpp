// Masks in saved models: Keras 3 writes the masks it computed as op nodes (NotEqual, Any,
// LogicalOr, ...) passed to layers as explicit `mask` arguments. Files made by real Keras 3
// (tools/fixtures/make_saving_fixtures.py, mask_*), explicit masks built in C++, round trips, and
// what stays unsupported.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <keras/keras.hpp>
#include <random>
#include <sstream>

#include "harness/tensor_matchers.h"
#include "harness/test_files.h"
#include "io/zip.h"

namespace keras {
namespace {

namespace L = keras::layers;
namespace fs = std::filesystem;

std::string fixture(const std::string& file) {
  return std::string(KERAS_TEST_DATA_DIR) + "/saving/" + file;
}

std::string temp_path(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("keras_mask_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

using test::read_bytes;

Json keras_config(const std::string& name) {
  const auto entries = io::zip::read(read_bytes(fixture(name + ".keras")), name, 1 << 30);
  return Json::parse(entries.at("config.json"));
}

// A .keras file with `config` as its config.json (metadata and weights from the fixture).
std::string with_config(const std::string& name, const Json& config) {
  const auto entries = io::zip::read(read_bytes(fixture(name + ".keras")), name, 1 << 30);
  const std::string path = temp_path(name + "_edited.keras");
  std::ofstream(path, std::ios::binary)
      << io::zip::write({{"metadata.json", entries.at("metadata.json")},
                         {"config.json", config.dump()},
                         {"model.weights.h5", entries.at("model.weights.h5")}});
  return path;
}

// The first layer of this class (op names depend on what Keras built before).
Json& layer_entry(Json& config, const std::string& class_name) {
  for (Json& l : config["config"]["layers"]) {
    if (l["class_name"] == class_name) return l;
  }
  throw std::runtime_error("no layer of class " + class_name);
}

// The same model with every mask dropped: Embedding's mask_zero off, Masking replaced by a linear
// Activation (it has no weights), no explicit masks; the weights copied.
Model without_masks(Json config, const Model& masked) {
  for (Json& l : config["config"]["layers"]) {
    if (l["class_name"] == "Embedding") l["config"]["mask_zero"] = false;
    if (l["class_name"] == "Masking") {
      l["class_name"] = "Activation";
      l["config"] = Json{{"name", l["config"]["name"]}, {"activation", "linear"}};
    }
    if (!l.contains("inbound_nodes")) continue;
    for (Json& n : l["inbound_nodes"]) {
      if (n.is_object() && n.contains("kwargs")) n["kwargs"].erase("mask");
    }
  }
  Model plain = models::model_from_config(config);
  plain.set_weights(masked.get_weights());
  return plain;
}

double max_finite_diff(const Outputs& a, const Outputs& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const Tensor d = ops::abs(ops::subtract(a[i], b[i]));
    for (float v : d.span<float>()) {
      if (std::isfinite(v)) worst = std::max(worst, static_cast<double>(v));
    }
  }
  return worst;
}

struct MaskFixture {
  const char* name;
  int inputs, outputs;
  const char* masks;  // what makes and takes the masks
};
const MaskFixture kMaskFixtures[] = {
    {"mask_lstm", 1, 1, "Embedding(mask_zero) -> LSTM"},
    {"mask_gru_pooling", 1, 1, "Embedding(mask_zero) -> GRU(return_sequences) -> GAP1D"},
    {"mask_masking_rnn", 1, 1, "Masking -> SimpleRNN(return_sequences) -> SimpleRNN"},
    {"mask_bidirectional", 1, 1, "Embedding(mask_zero) -> Bidirectional(LSTM, GRU)"},
    {"mask_two_inputs", 2, 2, "the guide's headline model with mask_zero"},
    {"mask_merges", 2, 2, "Dense, Dropout, Concatenate, Add, TimeDistributed, LSTM, GAP1D"},
    {"mask_sequential", 1, 1, "Sequential: Embedding(mask_zero) -> LSTM -> Dense -> GAP1D"},
    {"mask_nested", 1, 2, "Embedding(mask_zero) -> a Functional and a Sequential model"},
    {"mask_passthrough", 1, 1, "LayerNormalization, SpatialDropout1D, Activation, Dense"},
};

Tensors fixture_inputs(const MaskFixture& f) {
  Tensors x;
  for (int i = 0; i < f.inputs; ++i) {
    x.push_back(io::load_npy(fixture(str(f.name, ".x", i, ".npy"))));
  }
  return x;
}

// Every fixture's inputs have rows padded at the end (long and short runs), at the start, not at
// all, and entirely, and a padding id inside a row.
TEST(SavingMasks, KerasFilesWithMasksPredictWhatKerasPredicted) {
  for (const MaskFixture& f : kMaskFixtures) {
    const Tensors x = fixture_inputs(f);
    Outputs from_archive;
    for (const char* ext : {".keras", ".h5"}) {  // Keras 3 writes op nodes into legacy .h5 too
      SCOPED_TRACE(std::string(f.name) + ext + ": " + f.masks);
      Model m = models::load_model(fixture(std::string(f.name) + ext));
      Outputs y = m.predict(x, {.batch_size = 4});
      ASSERT_EQ(static_cast<int>(y.size()), f.outputs);
      // Tolerance as in SavingFixtures.KerasFilesPredictWhatKerasPredicted: float32 on both
      // sides, at most 8 recurrent steps of sums of at most 17 terms (features + units + bias)
      // through activations with slopes <= 1, and averages of at most 6 such values: rounding
      // stays near sqrt(17 * 8) * 2^-24 ~ 7e-7. NaN (GlobalAveragePooling1D over a row whose
      // steps are all masked: 0 / 0) must be NaN on both sides.
      for (int i = 0; i < f.outputs; ++i) {
        test::expect_all_close(y[i], io::load_npy(fixture(str(f.name, ".y", i, ".npy"))), 1e-5,
                               1e-5);
      }
      if (std::string(ext) == ".keras") from_archive = y;
    }
    // The masks matter: without them the predictions move by far more than the tolerance
    // (0.02 to 0.7 for these fixtures; the generator prints it too).
    SCOPED_TRACE(f.name);
    Model masked = models::load_model(fixture(std::string(f.name) + ".keras"));
    Model plain = without_masks(keras_config(f.name), masked);
    EXPECT_GT(max_finite_diff(plain.predict(x, {.batch_size = 4}), from_archive), 1e-2);
  }
}

// keras.cpp's own masks are Keras 3's: the same files without their mask arguments (so every
// layer takes its input's mask, made and passed on by keras.cpp's layers) predict the same
// numbers (equal bool masks, same kernels: exact; NaN in the same places).
TEST(SavingMasks, KerasCppMakesTheMasksKerasRecorded) {
  for (const MaskFixture& f : kMaskFixtures) {
    SCOPED_TRACE(f.name);
    Json config = keras_config(f.name);
    for (Json& l : config["config"]["layers"]) {
      if (!l.contains("inbound_nodes")) continue;
      for (Json& n : l["inbound_nodes"]) n["kwargs"].erase("mask");
    }
    Model recorded = models::load_model(fixture(std::string(f.name) + ".keras"));
    Model own = models::model_from_config(config);
    own.set_weights(recorded.get_weights());
    const Tensors x = fixture_inputs(f);
    const Outputs a = recorded.predict(x), b = own.predict(x);
    for (size_t i = 0; i < a.size(); ++i) test::expect_all_close(b[i], a[i], 0, 0);
  }
}

// The explicit mask is a node input computed by an op: the LSTM's node takes NotEqual(ids, 0).
TEST(SavingMasks, ExplicitMasksAreNodeInputsComputedByOps) {
  Model m = models::load_model(fixture("mask_lstm.keras"));
  auto lstm = m.get_layer("lstm").layer();
  ASSERT_EQ(lstm->inbound_nodes().size(), 1u);
  const L::Node& node = *lstm->inbound_nodes()[0];
  ASSERT_EQ(node.masks.size(), 1u);
  EXPECT_EQ(node.masks[0].layer()->class_name(), "NotEqual");
  EXPECT_EQ(node.masks[0].dtype(), bool_);
  EXPECT_EQ(node.input_tensors[0].layer()->name(), "embedding");
  const Tensor ids = io::load_npy(fixture("mask_lstm.x0.npy"));
  const Tensor mask = node.masks[0].layer()->operator()(Tensors{ids})[0];
  ASSERT_EQ(mask.dtype(), bool_);
  const auto id = ids.span<int32_t>();
  for (int64_t i = 0; i < ids.size(); ++i) EXPECT_EQ(mask.span<bool>()[i], id[i] != 0) << i;
}

// Keras 3 -> keras.cpp -> Keras 3: the op nodes and mask arguments are written back as Keras
// wrote them, and the reloaded model predicts the same numbers (same kernels, same shapes: exact).
TEST(SavingMasks, ModelsWithMaskNodesRoundTrip) {
  for (const char* name : {"mask_lstm", "mask_masking_rnn", "mask_merges"}) {
    SCOPED_TRACE(name);
    Model m = models::load_model(fixture(std::string(name) + ".keras"));
    const std::string path = temp_path(std::string(name) + ".keras");
    m.save(path);
    const auto entries = io::zip::read(read_bytes(path), name, 1 << 30);
    const Json ours = Json::parse(entries.at("config.json"));
    const Json theirs = keras_config(name);
    // Every op entry and every node's mask argument as Keras wrote it (same names, so the same
    // keras_history).
    for (const Json& l : theirs["config"]["layers"]) {
      const Json* mine = nullptr;
      for (const Json& o : ours["config"]["layers"]) {
        if (o["name"] == l["name"]) mine = &o;
      }
      ASSERT_NE(mine, nullptr) << l["name"];
      if (std::string(l["module"]).starts_with("keras.src.ops.")) {
        for (const char* key : {"module", "class_name", "config", "registered_name"}) {
          EXPECT_EQ((*mine)[key], l[key]) << l["name"] << " " << key;
        }
        EXPECT_EQ((*mine)["inbound_nodes"], l["inbound_nodes"]) << l["name"];
      }
      for (size_t n = 0; n < l["inbound_nodes"].size(); ++n) {
        const Json& kw = l["inbound_nodes"][n]["kwargs"];
        if (kw.contains("mask")) {
          EXPECT_EQ((*mine)["inbound_nodes"][n]["kwargs"]["mask"], kw["mask"]) << l["name"];
        }
      }
    }
    Model back = models::load_model(path);
    const MaskFixture* f = nullptr;
    for (const MaskFixture& g : kMaskFixtures) {
      if (std::string(g.name) == name) f = &g;
    }
    const Tensors x = fixture_inputs(*f);
    const Outputs a = m.predict(x), b = back.predict(x);
    for (size_t i = 0; i < a.size(); ++i) test::expect_all_close(b[i], a[i], 0, 0);
    // to_json / model_from_json keep them too.
    Model from_json = models::model_from_json(m.to_json());
    from_json.set_weights(m.get_weights());
    const Outputs c = from_json.predict(x);
    for (size_t i = 0; i < a.size(); ++i) test::expect_all_close(c[i], a[i], 0, 0);
  }
}

Tensor padded_ids() {
  return Tensor::from_vector<int32_t>({3, 5, 7, 0, 0, 0, 0, 2, 9, 4, 1, 1, 0, 0, 0, 0, 0, 0},
                                      {3, 6});
}

// lstm(x, {.mask = {m}}) is Keras's lstm(x, mask=m): the given mask replaces the input's own.
TEST(SavingMasks, ExplicitMaskInCppReplacesTheInputsMask) {
  utils::set_random_seed(5);
  auto ids = Input({6}, {.dtype = int32});
  L::Embedding plain(12, 4), masking(12, 4, {.mask_zero = true});
  L::LSTM lstm(3);
  // Explicit NotEqual(ids, 0) on an unmasked embedding = Embedding(mask_zero=True)'s own mask.
  Model explicit_mask(ids, lstm(plain(ids), {.mask = {ops::not_equal(ids, 0)}}));
  Model implicit_mask(ids, lstm(masking(ids)));
  masking.set_weights(plain.get_weights());
  // An all-true explicit mask on a masked embedding: no step is skipped. The embedding's tensor
  // feeds a second LSTM without an explicit mask, which still sees the embedding's own mask.
  auto e = masking(ids);
  Model overridden(ids, {lstm(e, {.mask = {ops::greater(ids, -1)}}), lstm(e)});
  Model unmasked(ids, lstm(plain(ids)));
  const Tensor x = padded_ids();
  // Same kernels on the same shapes (the masks are equal bool tensors): exact.
  test::expect_all_close(explicit_mask.predict(x)[0], implicit_mask.predict(x)[0], 0, 0);
  const Outputs o = overridden.predict(x);
  test::expect_all_close(o[0], unmasked.predict(x)[0], 0, 0);
  test::expect_all_close(o[1], implicit_mask.predict(x)[0], 0, 0);
  EXPECT_GT(test::max_abs(ops::subtract(o[0], o[1])), 1e-3);
  // Saved with the op node and the mask argument, as Keras writes them.
  const Json config = explicit_mask.get_config();
  bool found = false;
  for (const Json& l : config["layers"]) {
    if (l["class_name"] != "LSTM") continue;
    const Json& mask = l["inbound_nodes"][0]["kwargs"]["mask"];
    EXPECT_EQ(mask["class_name"], "__keras_tensor__");
    EXPECT_EQ(mask["config"]["dtype"], "bool");
    found = true;
  }
  EXPECT_TRUE(found);
  explicit_mask.save(temp_path("explicit.keras"));
  Model back = models::load_model(temp_path("explicit.keras"));
  test::expect_all_close(back.predict(x)[0], explicit_mask.predict(x)[0], 0, 0);
}

// fit traces its first batch into a plan and replays it on the next ones: the mask ops are in
// the plan, so every batch gets its own masks. A model with explicit masks (from the Keras file)
// trains exactly as the same model with Embedding's own masks (equal bool masks, same kernels).
TEST(SavingMasks, ExplicitMasksTrainLikeImplicitOnes) {
  Model loaded = models::load_model(fixture("mask_lstm.keras"));
  EXPECT_EQ(loaded.get_layer("lstm").layer()->inbound_nodes()[0]->masks.size(), 1u);
  Json config = keras_config("mask_lstm");  // the same model without the mask arguments
  for (Json& l : config["config"]["layers"]) {
    for (Json& n : l["inbound_nodes"]) n["kwargs"].erase("mask");
  }
  Model implicit = models::model_from_config(config);
  EXPECT_TRUE(implicit.get_layer("lstm").layer()->inbound_nodes()[0]->masks.empty());
  implicit.set_weights(loaded.get_weights());
  const Tensor x = io::load_npy(fixture("mask_lstm.x0.npy"));
  const Tensor y = test::random_tensor({6, 2}, float32, -1, 1, 3);
  for (Model* m : {&loaded, &implicit}) {
    m->compile({.optimizer = "sgd", .loss = "mse"});
    m->fit(x, y, {.epochs = 3, .batch_size = 2, .verbose = 0, .shuffle = false});
  }
  const Tensors a = loaded.get_weights(), b = implicit.get_weights();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) test::expect_all_close(a[i], b[i], 0, 0);
  EXPECT_GT(test::max_abs(ops::subtract(
                a[0], models::load_model(fixture("mask_lstm.keras")).get_weights()[0])),
            0.0);
}

// Ops built in C++ save as Keras's classes, constants included, and load back.
TEST(SavingMasks, MaskOpsSaveAndLoad) {
  auto x = Input({5, 3});
  auto ids = Input({5}, {.dtype = int32});
  KerasTensors outs{ops::not_equal(ids, 0),
                    ops::any(ops::not_equal(x, 0.5), {-1}),
                    ops::all(x, {1, 2}, true),
                    ops::logical_and(ops::not_equal(ids, 0), ops::less(ids, 7)),
                    ops::logical_or(ops::equal(ids, 2), ops::greater(ids, 7.5)),
                    ops::logical_not(ops::cast(ids, bool_)),
                    ops::squeeze(ops::expand_dims(ids, -1), -1),
                    ops::concatenate({ops::zeros_like(x, bool_), ops::ones_like(x, bool_)}, -1)};
  Model m({x, ids}, outs);
  const Json config = m.get_config();
  std::map<std::string, Json> by_class;
  for (const Json& l : config["layers"]) by_class[l["class_name"]] = l;
  EXPECT_EQ(by_class["Any"]["config"]["axis"], -1);
  EXPECT_EQ(by_class["Any"]["config"]["keepdims"], false);
  EXPECT_EQ(by_class["All"]["config"]["axis"], Json::parse("[1, 2]"));
  EXPECT_EQ(by_class["Cast"]["module"], "keras.src.ops.core");
  EXPECT_EQ(by_class["Less"]["module"], "keras.src.ops.numpy");
  EXPECT_EQ(by_class["Less"]["registered_name"], "Less");
  EXPECT_FALSE(by_class["Less"].contains("build_config"));
  EXPECT_EQ(by_class["Less"]["inbound_nodes"][0]["args"][1], 7);  // an int, as Keras writes 0
  EXPECT_EQ(by_class["Greater"]["inbound_nodes"][0]["args"][1], 7.5);
  EXPECT_EQ(by_class["Concatenate"]["inbound_nodes"][0]["args"][0].size(), 2u);
  const Tensor xs = test::random_tensor({2, 5, 3}, float32, -1, 1, 4);
  const Tensor is = Tensor::from_vector<int32_t>({0, 2, 7, 8, 1, 0, 0, 9, 3, 2}, {2, 5});
  const Outputs want = m.predict({xs, is});
  for (const char* file : {"ops.keras", "ops.h5"}) {
    SCOPED_TRACE(file);
    m.save(temp_path(file));
    const Outputs got = models::load_model(temp_path(file)).predict({xs, is});
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) test::expect_all_close(got[i], want[i], 0, 0);
  }
  EXPECT_EQ(want[4].dtype(), bool_);
  const std::vector<bool> expected{false, true,  false, true,  false,
                                   false, false, true,  false, true};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(want[4].span<bool>()[i], expected[i]);
}

// What keras.cpp cannot honour is an error naming the layer and the argument, never a silent
// wrong answer.
TEST(SavingMasks, UnsupportedMasksAndOpsAreClearErrors) {
  auto x = Input({5, 3});
  auto m = ops::any(ops::not_equal(x, 0), {-1});
  // Keras: "Dense.call() got an unexpected keyword argument 'mask'".
  test::expect_throws_with<TypeError>([&] { L::Dense(2)(x, {.mask = {m}}); },
                                      "got an unexpected keyword argument 'mask'");
  test::expect_throws_with<ValueError>([&] { L::LSTM(2)(x, {.mask = {ops::any(x, {1})}}); },
                                       "input shape (None, 5, 3), mask shape (None, 3)");
  test::expect_throws_with<ValueError>(
      [&] {
        L::LSTM(2)(x, {.mask = {m, m}});
      },
      "was given 2 masks (argument 'mask') for 1 inputs");
  // TimeDistributed around a layer that takes a mask: Keras passes it on step by step.
  auto seq4 = Input({4, 5, 3});
  test::expect_throws_with<TypeError>(
      [&] {
        L::TimeDistributed(L::LSTM(2))(seq4, {.mask = {ops::any(seq4, {2, 3})}});
      },
      "unexpected keyword argument 'mask'");

  const Json config = keras_config("mask_masking_rnn");
  auto load = [&](const std::function<void(Json&)>& edit) {
    Json c = config;
    edit(c);
    return models::load_model(with_config("mask_masking_rnn", c));
  };
  struct Case {
    std::function<void(Json&)> edit;
    const char* message;
  };
  const Case cases[] = {
      {[](Json& c) { layer_entry(c, "Any")["class_name"] = "Unique"; },
       "Unknown op: 'Unique' (module keras.src.ops.numpy)"},
      {[](Json& c) { layer_entry(c, "Any")["config"]["where"] = true; },
       "config key 'where' is not supported by keras.cpp's Any"},
      {[](Json& c) { layer_entry(c, "Any")["config"]["axis"] = "last"; }, "'axis'"},
      {[](Json& c) { layer_entry(c, "NotEqual")["inbound_nodes"][0]["args"][1] = "zero"; },
       "argument 1 of NotEqual must be a tensor or a number"},
      {[](Json& c) { layer_entry(c, "NotEqual")["inbound_nodes"][0]["args"][0] = 1; },
       "NotEqual is called without a tensor"},
      {[](Json& c) { layer_entry(c, "NotEqual")["inbound_nodes"][0]["kwargs"]["x3"] = 1; },
       "(NotEqual) is called with keyword arguments"},
      {[](Json& c) {
         Json& nodes = layer_entry(c, "NotEqual")["inbound_nodes"];
         nodes.push_back(nodes[0]);
       },
       "(NotEqual) is called more than once"},
      {[](Json& c) { layer_entry(c, "Any")["inbound_nodes"][0]["args"].push_back(-1); },
       "Any takes 1 positional argument(s), its saved call passes 2"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    test::expect_throws_with<ValueError>([&] { load(c.edit); }, c.message);
  }
  // An op made from a C++ function cannot be saved.
  auto y = layers::apply_op(
      "twice", [](const Tensors& in) { return Tensors{ops::add(in[0], in[0])}; }, {x})[0];
  test::expect_throws_with<NotImplementedError>([&] { Model(x, y).to_json(); },
                                                "cannot be serialized");
}

// Random values put anywhere in the op entries and mask arguments of a Keras file: a model that
// predicts, or a keras::Error, never a crash or another exception.
TEST(SavingMasks, DamagedMaskNodesAreCleanErrors) {
  const Json config = keras_config("mask_merges");
  const Tensors x = fixture_inputs(kMaskFixtures[5]);
  ASSERT_EQ(std::string(kMaskFixtures[5].name), "mask_merges");
  const Json values[] = {nullptr,
                         -1,
                         7,
                         int64_t{1} << 40,
                         1e300,
                         0.5,
                         "x",
                         true,
                         Json::array(),
                         Json::object(),
                         Json::parse("[[[]]]"),
                         Json::parse(R"({"class_name": "__keras_tensor__"})"),
                         Json::parse(R"({"class_name": "__keras_tensor__", "config":
                             {"keras_history": ["any", 0, 0]}})")};
  // Every value inside the parts that masks are made of, as JSON pointers.
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
  const Json& layers = config["config"]["layers"];
  for (size_t i = 0; i < layers.size(); ++i) {
    const Json::json_pointer at = Json::json_pointer("/config/layers") / i;
    if (std::string(layers[i]["module"]).starts_with("keras.src.ops.")) {
      walk(layers[i], at);
    } else {
      for (size_t n = 0; n < layers[i]["inbound_nodes"].size(); ++n) {
        const Json& kw = layers[i]["inbound_nodes"][n]["kwargs"];
        if (kw.contains("mask")) walk(kw["mask"], at / "inbound_nodes" / n / "kwargs" / "mask");
      }
    }
  }
  ASSERT_GT(targets.size(), 100u);
  std::mt19937_64 rng(11);
  int loaded = 0;
  for (int i = 0; i < 300; ++i) {
    Json c = config;
    c[targets[rng() % targets.size()]] = values[rng() % std::size(values)];
    const Json::json_pointer second = targets[rng() % targets.size()];
    if (rng() % 2 == 0 && c.contains(second)) c[second] = values[rng() % std::size(values)];
    try {
      Model m = models::load_model(with_config("mask_merges", c));
      ++loaded;
      m.predict(x);
    } catch (const Error&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << "mutation " << i << ": " << typeid(e).name() << ": " << e.what();
    }
  }
  EXPECT_GT(loaded, 0);  // some damage is harmless (an op's name), the rest is refused
}

}  // namespace
}  // namespace keras
