// Saving and loading: configs of every layer, .keras archives, weights files, legacy .h5,
// resuming training exactly, files made by Python Keras 3, and hostile files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <keras/keras.hpp>
#include <random>
#include <sstream>

#include "harness/tensor_matchers.h"
#include "harness/test_files.h"
#include "io/zip.h"
#include "saving/h5.h"
#include "saving/saving_internal.h"

namespace keras {
namespace {

namespace L = keras::layers;
namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string temp_path(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("keras_saving_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

using test::read_bytes;

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

Tensor rand(Shape shape, uint64_t seed) {
  return test::random_tensor(std::move(shape), float32, -1.0, 1.0, seed);
}

void expect_same_outputs(const Outputs& a, const Outputs& b, double tol = 0.0) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) test::expect_all_close(a[i], b[i], tol, tol);
}

// Multi-input, multi-output, a shared layer (two nodes) and a nested model; every merge layer.
Model make_graph_model() {
  auto a = Input({4}, {.name = "in_a"});
  auto b = Input({4}, {.name = "in_b"});
  L::Dense shared(4, {.activation = "tanh", .kernel_regularizer = regularizers::L2(0.01)});
  auto sa = shared(a), sb = shared(b);
  auto inner_in = Input({4});
  Model inner(inner_in, L::Dense(3)(inner_in), {.name = "inner"});
  KerasTensors merged{L::Add()({sa, sb}),
                      L::Subtract()({sa, sb}),
                      L::Multiply()({sa, sb}),
                      L::Average()({sa, sb}),
                      L::Maximum()({sa, sb}),
                      L::Minimum()({sa, sb}),
                      inner(sa),
                      inner(sb)};
  auto cat = L::Concatenate()(merged);
  auto dot = L::Dot(1, {.normalize = true})({sa, sb});
  auto rep = L::Reshape({3})(L::Permute({2, 1})(L::RepeatVector(3)(dot)));
  auto h = L::Dropout(0.2, {.seed = 3})(L::Activation("relu")(cat));
  return Model({a, b}, {L::Dense(2, {.name = "out_main"})(h), rep}, {.name = "graph"});
}

Model make_rnn_model() {
  auto ids = Input({6}, {.dtype = int32});
  auto e = L::Embedding(12, 5)(ids);
  auto s = L::LSTM(4, {.return_sequences = true})(e);
  auto g = L::GRU(3, {.reset_after = false})(s);
  auto bi = L::Bidirectional(L::SimpleRNN(2, {.return_sequences = true}), {.merge_mode = "ave"})(s);
  auto t = L::TimeDistributed(L::Dense(2))(bi);
  auto y = L::Dense(1, {.activation = "sigmoid"})(L::Concatenate()({g, L::Flatten()(t)}));
  return Model(ids, y);
}

// Every recurrent layer started from initial states (keras.cpp's `lstm({x, h, c})`, Keras's
// `initial_state=[h, c]`): an encoder-decoder, a GRU from a Dense of a second input, a SimpleRNN
// from an Input, and a Bidirectional LSTM with four states.
Model make_initial_state_model() {
  auto enc = Input({6, 3}, {.name = "encoder_inputs"});
  auto dec = Input({5, 3}, {.name = "decoder_inputs"});
  auto ctx = Input({2}, {.name = "context"});
  KerasTensors e = L::LSTM(4, {.return_state = true, .name = "encoder"}).call_multi({enc});
  auto d = L::LSTM(4, {.return_sequences = true, .name = "decoder"})({dec, e[1], e[2]});
  auto h0 = L::Dense(3, {.activation = "tanh"})(ctx);
  auto g = L::GRU(3, {.go_backwards = true})({dec, h0});
  auto s = L::SimpleRNN(3, {.return_sequences = true})({dec, h0});
  KerasTensors states;
  for (int i = 0; i < 4; ++i) states.push_back(L::Dense(2, {.activation = "tanh"})(ctx));
  auto b = L::Bidirectional(L::LSTM(2))({enc, states[0], states[1], states[2], states[3]});
  auto y = L::Concatenate()({L::Flatten()(d), g, L::Flatten()(s), b});
  return Model({enc, dec, ctx}, L::Dense(2)(y), {.name = "initial_states"});
}

Tensors initial_state_inputs(int batch, uint64_t seed) {
  return {rand({batch, 6, 3}, seed), rand({batch, 5, 3}, seed + 1), rand({batch, 2}, seed + 2)};
}

Model make_sequential() {
  Sequential m({L::Dense(5, {.activation = "relu", .input_shape = std::vector<Dim>{3}}),
                L::Dropout(0.1), L::Dense(2, {.kernel_initializer = "he_normal"})});
  return m;
}

// Every convolution, pooling, normalization and spatial layer, some channels_first; the same
// architecture as make_saving_fixtures.py's conv model plus the layers it leaves out.
Model make_conv_model() {
  auto img = Input({8, 8, 3}, {.name = "image"});
  auto x = L::Conv2D(4, 3, {.padding = "same", .activation = "relu"})(img);
  x = L::BatchNormalization()(x);
  x = L::MaxPooling2D()(x);
  x = L::ZeroPadding2D({{1, 0}, {1, 2}})(x);
  x = L::SeparableConv2D(6, 3, {.depth_multiplier = 2, .activation = "tanh"})(x);
  x = L::DepthwiseConv2D(3, {.padding = "same"})(x);
  x = L::Conv2DTranspose(3, 3, {.strides = 2, .padding = "same"})(x);
  x = L::UpSampling2D({2, 1})(x);
  x = L::LayerNormalization({.axis = {-2, -1}})(x);
  x = L::SpatialDropout2D(0.2, {.seed = 5})(x);
  x = L::Cropping2D({{1, 1}, {0, 2}})(x);
  x = L::AveragePooling2D({2, 2}, {.strides = 1, .padding = "same"})(x);
  auto a = L::GlobalAveragePooling2D()(x);
  auto seq = Input({10, 2}, {.name = "seq"});
  auto s = L::Conv1D(5, 3, {.padding = "causal", .activation = "tanh"})(seq);
  s = L::SeparableConv1D(4, 2, {.dilation_rate = 2})(L::SpatialDropout1D(0.1)(s));
  s = L::UpSampling1D(2)(L::ZeroPadding1D({1, 2})(L::Cropping1D({1, 0})(s)));
  s = L::AveragePooling1D(2)(L::MaxPooling1D(2, {.strides = 1})(s));
  auto g = L::Concatenate()({L::GlobalMaxPooling1D()(s), L::GlobalAveragePooling1D()(s)});
  auto chw = Input({2, 6, 6}, {.name = "chw"});
  const std::string cf = "channels_first";
  auto c = L::Conv2D(3, 3, {.data_format = cf})(chw);
  c = L::BatchNormalization({.axis = 1})(c);
  c = L::ZeroPadding2D(1, {.data_format = cf})(c);
  c = L::UpSampling2D(2, {.data_format = cf})(L::Cropping2D(1, {.data_format = cf})(c));
  c = L::SpatialDropout2D(0.3, {.data_format = cf})(c);
  c = L::MaxPooling2D(2, {.data_format = cf})(c);
  c = L::Concatenate()(
      {L::GlobalAveragePooling2D({.data_format = cf})(c), L::Flatten({.data_format = cf})(c)});
  auto vol = Input({4, 4, 4, 2}, {.name = "volume"});
  auto v = L::Conv3D(2, 2, {.padding = "same"})(vol);
  v = L::ZeroPadding3D(1)(L::SpatialDropout3D(0.1)(v));
  v = L::Cropping3D(1)(L::UpSampling3D({1, 2, 1})(v));
  v = L::AveragePooling3D(2)(L::MaxPooling3D(2, {.strides = 1, .padding = "same"})(v));
  auto w = L::Concatenate()(
      {L::GlobalMaxPooling3D()(v), L::GlobalAveragePooling3D()(v), L::GlobalMaxPooling2D()(x)});
  auto y = L::Dense(2)(L::Concatenate()({a, g, c, w}));
  return Model({img, seq, chw, vol}, y, {.name = "conv"});
}

Tensors conv_inputs(int batch, uint64_t seed) {
  return {rand({batch, 8, 8, 3}, seed), rand({batch, 10, 2}, seed + 1),
          rand({batch, 2, 6, 6}, seed + 2), rand({batch, 4, 4, 4, 2}, seed + 3)};
}

// Random non-trivial weights of either sign, so that outputs stay near 1 (the Python check
// compares at 1e-5 absolute); BatchNormalization's moving variance stays positive.
void randomize_weights(Model& m, uint64_t seed) {
  for (const layers::LayerRef& l : m.layers()) {
    Tensors values;
    for (const Tensor& w : l.get_weights()) {
      values.push_back(test::random_tensor(w.shape(), float32, -0.5, 0.5, seed++));
    }
    if (l.class_name() == "BatchNormalization") {
      values.back() = test::random_tensor(values.back().shape(), float32, 0.5, 1.5, seed++);
    }
    if (!values.empty()) l.set_weights(values);
  }
}

Tensor int_ids(Shape shape, int64_t vocab, uint64_t seed) {
  Tensor r =
      test::random_tensor(std::move(shape), float64, 0.0, static_cast<double>(vocab) - 1e-3, seed);
  return ops::cast(ops::floor(r), int32);
}

// Masks from Embedding(mask_zero) and Masking through LayerNormalization, SpatialDropout1D,
// Dense, Dropout, Concatenate, Add, TimeDistributed, the recurrent layers and
// GlobalAveragePooling1D.
Model make_mask_model() {
  auto a = Input({6}, {.dtype = int32, .name = "tokens"});
  auto b = Input({6, 3}, {.name = "features"});
  auto ea = L::Dropout(0.2)(
      L::Dense(3, {.activation = "tanh"})(L::Embedding(20, 3, {.mask_zero = true})(a)));
  auto mb = L::SpatialDropout1D(0.1)(L::LayerNormalization()(L::Masking(0.0)(b)));
  auto cat = L::TimeDistributed(L::Dense(2))(L::Concatenate()({ea, mb}));
  auto s = L::LSTM(2)(cat);
  auto g = L::GlobalAveragePooling1D()(L::GRU(2, {.return_sequences = true})(L::Add()({ea, mb})));
  auto bi = L::Bidirectional(L::SimpleRNN(2))(ea);
  return Model({a, b}, {s, g, bi}, {.name = "masks"});
}

// Explicit masks built with ops (keras.cpp's `lstm(x, {.mask = {m}})`, Keras's `mask=m`).
Model make_explicit_mask_model() {
  auto a = Input({6}, {.dtype = int32, .name = "tokens"});
  auto e = L::Embedding(20, 3)(a);
  auto keep = ops::logical_and(ops::not_equal(a, 0), ops::not_equal(a, 1));  // 0 and 1: padding
  auto s = L::LSTM(2, {.return_sequences = true})(e, {.mask = {keep}});
  auto g = L::GlobalAveragePooling1D()(s, {.mask = {keep}});
  auto b = L::Bidirectional(L::GRU(2))(e, {.mask = {ops::greater(a, 3)}});
  return Model(a, {g, b}, {.name = "explicit_masks"});
}

// Rows padded at the end, at the start, partly, entirely (the averages of that row are NaN, as in
// Keras), and a padding step inside a row.
Tensors mask_model_inputs() {
  Tensor ids = Tensor::from_vector<int32_t>(
      {4, 7, 2, 9, 5, 3, 0, 0, 6, 2, 8, 1, 5, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 7, 7, 1, 4},
      {5, 6});
  Tensor f = rand({5, 6, 3}, 190);
  auto zero_step = [&](int64_t r, int64_t t) {
    for (int64_t c = 0; c < 3; ++c) f.at<float>({r, t, c}) = 0;
  };
  for (int64_t t = 4; t < 6; ++t) zero_step(0, t);
  zero_step(1, 0);
  for (int64_t t = 0; t < 6; ++t) zero_step(3, t);
  zero_step(4, 3);
  return {ids, f};
}

std::string fixture(const std::string& file) {
  return std::string(KERAS_TEST_DATA_DIR) + "/saving/" + file;
}

// ---- configs ----

TEST(Saving, LayerConfigsUseKeras3Keys) {
  L::Dense d(3, {.activation = "relu",
                 .kernel_initializer = initializers::RandomNormal({.stddev = 0.1}),
                 .name = "d"});
  const Json c = d->get_config();
  EXPECT_EQ(c["name"], "d");
  EXPECT_EQ(c["units"], 3);
  EXPECT_EQ(c["activation"], "relu");
  EXPECT_EQ(c["trainable"], true);
  EXPECT_EQ(c["dtype"]["class_name"], "DTypePolicy");
  EXPECT_EQ(c["kernel_initializer"]["module"], "keras.initializers");
  EXPECT_EQ(c["kernel_initializer"]["class_name"], "RandomNormal");
  EXPECT_DOUBLE_EQ(c["kernel_initializer"]["config"]["stddev"].get<double>(), 0.1);
  EXPECT_TRUE(c["kernel_initializer"]["registered_name"].is_null());
  EXPECT_TRUE(c["kernel_regularizer"].is_null());
  const Json s = layers::serialize_layer(*d.layer());
  EXPECT_EQ(s["module"], "keras.layers");
  EXPECT_EQ(s["class_name"], "Dense");
}

TEST(Saving, EveryLayerRoundTripsThroughItsConfig) {
  utils::clear_session();
  for (Model m : {make_graph_model(), make_rnn_model()}) {
    const Json config = m.get_config();
    Model copy = models::model_from_config(layers::serialize_layer(*m.layer()));
    EXPECT_EQ(copy.get_config().dump(), config.dump());
    copy.impl().set_weights(m.impl().get_weights());
    if (m.inputs().size() == 2) {
      Tensors x{rand({3, 4}, 1), rand({3, 4}, 2)};
      expect_same_outputs(m.call(x), copy.call(x));
    } else {
      Tensors x{int_ids({3, 6}, 12, 3)};
      expect_same_outputs(m.call(x), copy.call(x));
    }
  }
}

TEST(Saving, ConvPoolingAndNormalizationLayersRoundTripThroughConfigs) {
  utils::clear_session();
  Model m = make_conv_model();
  randomize_weights(m, 40);
  const Json config = m.get_config();
  Model copy = models::model_from_config(layers::serialize_layer(*m.layer()));
  EXPECT_EQ(copy.get_config().dump(), config.dump());
  copy.impl().set_weights(m.impl().get_weights());
  const Tensors x = conv_inputs(3, 50);
  expect_same_outputs(m.call(x), copy.call(x));
}

TEST(Saving, ConvPoolingAndNormalizationConfigsUseKeras3Keys) {
  L::Conv2DTranspose t(4, 3, {.strides = 2, .output_padding = 1, .data_format = "channels_first"});
  Json c = t->get_config();
  EXPECT_EQ(c["kernel_size"], Json::parse("[3, 3]"));
  EXPECT_EQ(c["output_padding"], Json::parse("[1, 1]"));
  EXPECT_EQ(c["data_format"], "channels_first");
  EXPECT_TRUE(c["kernel_constraint"].is_null());
  EXPECT_FALSE(c.contains("groups"));
  c = L::SeparableConv1D(2, 3)->get_config();
  EXPECT_EQ(c["depth_multiplier"], 1);
  EXPECT_EQ(c["pointwise_initializer"]["class_name"], "GlorotUniform");
  EXPECT_FALSE(c.contains("kernel_initializer"));
  c = L::DepthwiseConv2D(3)->get_config();
  EXPECT_FALSE(c.contains("filters"));
  EXPECT_EQ(c["depthwise_initializer"]["class_name"], "GlorotUniform");
  c = L::MaxPooling2D(3, {.strides = 1})->get_config();
  EXPECT_EQ(c["pool_size"], Json::parse("[3, 3]"));
  EXPECT_EQ(c["strides"], Json::parse("[1, 1]"));
  c = L::BatchNormalization({.axis = 1})->get_config();
  EXPECT_EQ(c["axis"], 1);
  EXPECT_EQ(c["moving_variance_initializer"]["class_name"], "Ones");
  EXPECT_EQ(c["renorm"], false);
  EXPECT_EQ(L::LayerNormalization({.axis = {1, 2}})->get_config()["axis"], Json::parse("[1, 2]"));
  EXPECT_EQ(L::LayerNormalization()->get_config()["axis"], -1);
  c = L::SpatialDropout1D(0.5, {.seed = 2})->get_config();
  EXPECT_EQ(c.dump(), R"({"rate":0.5,"seed":2,"name":")" + c["name"].get<std::string>() +
                          R"(","dtype":"float32"})");
  EXPECT_EQ(L::ZeroPadding1D({1, 2})->get_config()["padding"], Json::parse("[1, 2]"));
  EXPECT_EQ(L::ZeroPadding2D({1, 2})->get_config()["padding"], Json::parse("[[1, 1], [2, 2]]"));
  EXPECT_FALSE(L::Cropping1D()->get_config().contains("data_format"));
  EXPECT_EQ(L::UpSampling1D(3)->get_config()["size"], 3);
  EXPECT_EQ(L::UpSampling2D()->get_config()["interpolation"], "nearest");
  EXPECT_FALSE(L::UpSampling3D()->get_config().contains("interpolation"));
}

TEST(Saving, ConvLayerConfigsAcceptKeras2SpellingsAndRejectWhatIsNotSupported) {
  auto load = [](const char* cls, const char* config) {
    return layers::deserialize_layer(Json{{"class_name", cls}, {"config", Json::parse(config)}});
  };
  auto conv = std::dynamic_pointer_cast<L::ConvImpl>(
      load("Conv2D", R"({"name": "c", "filters": 2, "kernel_size": 3, "strides": 2})"));
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->spec().kernel_size, (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(conv->spec().strides, (std::vector<int64_t>{2, 2}));
  auto bn = std::dynamic_pointer_cast<L::BatchNormalizationImpl>(
      load("BatchNormalization", R"({"name": "bn", "axis": [3]})"));
  ASSERT_NE(bn, nullptr);
  EXPECT_EQ(bn->options().axis, 3);
  auto pad = std::dynamic_pointer_cast<L::ZeroPaddingImpl<2>>(
      load("ZeroPadding2D", R"({"padding": [[1, 2], [3, 4]]})"));
  ASSERT_NE(pad, nullptr);
  EXPECT_EQ(pad->padding()[1].after, 4);
  EXPECT_THROW(load("BatchNormalization", R"({"renorm": true})"), ValueError);
  EXPECT_THROW(load("LayerNormalization", R"({"rms_scaling": true})"), ValueError);
  EXPECT_THROW(load("Conv2D", R"({"filters": 2})"), ValueError);
  EXPECT_THROW(load("Conv2D", R"({"filters": 2, "kernel_size": [1, 2, 3, 4, 5, 6, 7, 8, 9]})"),
               ValueError);
  EXPECT_THROW(load("MaxPooling2D", R"({"pool_size": "x"})"), ValueError);
  EXPECT_THROW(load("UpSampling2D", R"({"interpolation": "cubic"})"), ValueError);
  EXPECT_THROW(load("Cropping2D", R"({"cropping": [[1, 2, 3], [1, 1]]})"), ValueError);
}

TEST(Saving, FunctionalConfigHasKerasTensorsAndNodeIndices) {
  Model m = make_graph_model();
  const Json c = m.get_config();
  EXPECT_EQ(c["input_layers"], Json::parse(R"([["in_a", 0, 0], ["in_b", 0, 0]])"));
  const Json* shared = nullptr;
  for (const Json& l : c["layers"]) {
    if (l["class_name"] == "Dense" && l["inbound_nodes"].size() == 2) shared = &l;
  }
  ASSERT_NE(shared, nullptr);
  const Json& arg = (*shared)["inbound_nodes"][1]["args"][0];
  EXPECT_EQ(arg["class_name"], "__keras_tensor__");
  EXPECT_EQ(arg["config"]["keras_history"], Json::parse(R"(["in_b", 0, 0])"));
  // The nested model's own graph is not a node of the outer one: its calls are nodes 0 and 1.
  bool found = false;
  for (const Json& l : c["layers"]) {
    if (l["class_name"] != "Concatenate") continue;
    found = true;
    const Json& args = l["inbound_nodes"][0]["args"][0];
    EXPECT_EQ(args[6]["config"]["keras_history"], Json::parse(R"(["inner", 0, 0])"));
    EXPECT_EQ(args[7]["config"]["keras_history"], Json::parse(R"(["inner", 1, 0])"));
  }
  EXPECT_TRUE(found);
}

const Json& layer_entry(const Json& config, const std::string& name) {
  for (const Json& l : config["layers"]) {
    if (l["name"] == name) return l;
  }
  throw std::runtime_error("no layer " + name);
}

// keras.cpp's `lstm({x, h, c})` is written as Keras 3 writes `lstm(x, initial_state=[h, c])`,
// with Keras's build_config for a layer built with states.
TEST(Saving, InitialStatesAreWrittenAsKerasWritesThem) {
  Model m = make_initial_state_model();
  const Json c = m.get_config();
  const Json& decoder = layer_entry(c, "decoder");
  const Json& node = decoder["inbound_nodes"][0];
  ASSERT_EQ(node["args"].size(), 1u);
  EXPECT_EQ(node["args"][0]["config"]["keras_history"], Json::parse(R"(["decoder_inputs", 0, 0])"));
  ASSERT_EQ(node["kwargs"].size(), 1u);
  const Json& states = node["kwargs"]["initial_state"];
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0]["config"]["keras_history"], Json::parse(R"(["encoder", 0, 1])"));
  EXPECT_EQ(states[1]["config"]["keras_history"], Json::parse(R"(["encoder", 0, 2])"));
  EXPECT_EQ(decoder["build_config"], Json::parse(R"({"shapes_dict": {"sequences_shape":
            [null, 5, 3], "initial_state_shape": [[null, 4], [null, 4]]}})"));
  EXPECT_EQ(layer_entry(c, "encoder")["inbound_nodes"][0]["kwargs"], Json::object());
  EXPECT_EQ(layer_entry(c, "encoder")["build_config"],
            Json::parse(R"({"input_shape": [null, 6, 3]})"));
  for (const Json& l : c["layers"]) {
    if (l["class_name"] != "Bidirectional") continue;
    EXPECT_EQ(l["inbound_nodes"][0]["kwargs"]["initial_state"].size(), 4u);
    EXPECT_EQ(l["build_config"]["shapes_dict"]["initial_state_shape"].size(), 4u);
    EXPECT_EQ(l["config"]["layer"]["build_config"],
              Json::parse(R"({"input_shape": [null, 6, 3]})"));
  }
  // Back from the config, and through both file formats: the same graph, the same numbers
  // (same kernels on the same shapes: exact).
  EXPECT_EQ(models::model_from_config(layers::serialize_layer(*m.layer())).get_config().dump(),
            c.dump());
  randomize_weights(m, 20);
  const Tensors x = initial_state_inputs(3, 30);
  for (const char* name : {"states.keras", "states.h5"}) {
    SCOPED_TRACE(name);
    m.save(temp_path(name));
    Model loaded = models::load_model(temp_path(name));
    expect_same_outputs(m.call(x), loaded.call(x));
  }
}

TEST(Saving, ToJsonAndModelFromJson) {
  Model m = make_sequential();
  const std::string json = m.to_json();
  EXPECT_THAT(json, HasSubstr("\"class_name\":\"Sequential\""));
  Model copy = models::model_from_json(json);
  EXPECT_EQ(copy.to_json(), json);
  EXPECT_EQ(copy.count_params(), m.count_params());
}

TEST(Saving, Keras2ConfigsLoad) {
  // Keras 2's functional layout: inbound nodes as [[name, node, tensor, kwargs]], "Model".
  const char* text = R"({"class_name": "Model", "config": {"name": "model_1", "layers": [
    {"name": "input_1", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 3],
     "dtype": "float32", "sparse": false, "name": "input_1"}, "inbound_nodes": []},
    {"name": "dense_1", "class_name": "Dense", "config": {"name": "dense_1", "trainable": true,
     "dtype": "float32", "units": 2, "activation": "relu", "use_bias": true,
     "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0,
       "mode": "fan_avg", "distribution": "uniform", "seed": null}},
     "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
     "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
     "bias_constraint": null}, "inbound_nodes": [[["input_1", 0, 0, {}]]]}],
    "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_1", 0, 0]]}})";
  Model m = models::model_from_json(text);
  EXPECT_EQ(m.count_params(), 8);
  EXPECT_EQ(m.get_layer("dense_1").output_shape(), (Shape{kNone, 2}));
}

// Keras 2 appends the call's keyword arguments to each input; they are checked as Keras 3's are.
TEST(Saving, Keras2KeywordArgumentsAreHonouredOrRefused) {
  auto config = [](const char* kwargs) {
    return Json::parse(str(R"({"class_name": "Model", "config": {"name": "m", "layers": [
      {"name": "in", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 3],
       "dtype": "float32", "name": "in"}, "inbound_nodes": []},
      {"name": "drop", "class_name": "Dropout", "config": {"name": "drop", "rate": 0.5},
       "inbound_nodes": [[["in", 0, 0, )",
                           kwargs, R"(]]]}],
      "input_layers": [["in", 0, 0]], "output_layers": [["drop", 0, 0]]}})"));
  };
  // Keras 2 keeps a call's `training` whatever mode the model runs in: this Dropout drops in
  // predict (every value dropped to 0 or scaled by 2).
  Model m = models::model_from_config(config(R"({"training": true})"));
  const Tensor x = rand({64, 3}, 1);
  const std::vector<double> in = test::to_doubles(x), out = test::to_doubles(m.predict(x)[0]);
  int dropped = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_TRUE(out[i] == 0.0 || std::abs(out[i] - 2 * in[i]) < 1e-6) << i;
    dropped += out[i] == 0.0;
  }
  EXPECT_GT(dropped, 0);
  EXPECT_EQ(m.get_config()["layers"][1]["inbound_nodes"][0]["kwargs"]["training"], true);
  // Without it, the model's mode.
  test::expect_all_close(models::model_from_config(config("{}")).predict(x)[0], x, 0, 0);
  models::model_from_config(config(R"({"mask": null})"));
  models::model_from_config(config(R"({"mask": [null, null]})"));
  test::expect_throws_with<ValueError>(
      [&] { models::model_from_config(config(R"({"mask": ["in", 0, 0]})")); }, "'mask'");
  test::expect_throws_with<ValueError>(
      [&] { models::model_from_config(config(R"({"noise_shape": [1, 3]})")); }, "'noise_shape'");
}

TEST(Saving, LambdaIsNotSerializable) {
  auto x = Input({2});
  Model m(x, L::Lambda([](const Tensor& t) { return ops::square(t); })(x));
  test::expect_throws_with<NotImplementedError>([&] { m.to_json(); }, "cannot be serialized");
  test::expect_throws_with<NotImplementedError>([&] { m.save(temp_path("lambda.keras")); },
                                                "Lambda");
}

TEST(Saving, UnknownClassIsAClearError) {
  Json j = layers::serialize_layer(*make_sequential().layer());
  j["config"]["layers"][1]["class_name"] = "NoSuchLayer";
  test::expect_throws_with<ValueError>([&] { models::model_from_config(j); },
                                       "Unknown layer: 'NoSuchLayer'");
}

// A user layer: y = x * factor.
class ScaleImpl final : public Layer {
 public:
  ScaleImpl(double factor, std::string name) : Layer(std::move(name), "scale"), factor_(factor) {}
  std::string class_name() const override { return "Scale"; }
  Tensors call(const Tensors& in, bool) override { return {ops::multiply(in[0], factor_)}; }
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& in) const override {
    return in;
  }
  Json get_config() const override {
    Json c = Layer::get_config();
    c["factor"] = factor_;
    return c;
  }
  static std::shared_ptr<Layer> from_config(const Json& c) {
    auto l = std::make_shared<ScaleImpl>(config::require<double>(c, "factor"),
                                         config::get<std::string>(c, "name", ""));
    l->apply_base_config(c);
    return l;
  }
  double factor_;
};

TEST(Saving, RegisteredUserLayersLoadByName) {
  layers::register_layer<ScaleImpl>("Scale");
  auto x = Input({2});
  Model m(x, L::LayerRef(std::make_shared<ScaleImpl>(2.5, ""))(x));
  const std::string path = temp_path("scale.keras");
  m.save(path);
  Model loaded = models::load_model(path);
  Tensor in = rand({2, 2}, 4);
  expect_same_outputs(m.call({in}), loaded.call({in}));
  EXPECT_EQ(layers::serialize_layer(*loaded.get_layer(1).layer())["registered_name"], "Scale");
}

// ---- files ----

TEST(Saving, KerasArchiveRoundTripsPredictionsAndCompileConfig) {
  Model m = make_graph_model();
  m.compile({.optimizer = optimizers::Adam({.learning_rate = 0.005}),
             .loss = {"mse", "mae"},
             .metrics = {"mae"}});
  const std::string path = temp_path("graph.keras");
  m.save(path);
  Model loaded = models::load_model(path);
  Tensors x{rand({3, 4}, 5), rand({3, 4}, 6)};
  expect_same_outputs(m.call(x), loaded.call(x));
  EXPECT_EQ(loaded.optimizer().name(), "Adam");
  EXPECT_DOUBLE_EQ(loaded.optimizer().learning_rate(), 0.005);
  EXPECT_EQ(loaded.metrics_names(), m.metrics_names());
}

TEST(Saving, SequentialAndRnnModelsRoundTrip) {
  Model seq = make_sequential();
  seq.save(temp_path("seq.keras"));
  Model seq2 = models::load_model(temp_path("seq.keras"));
  Tensor x = rand({4, 3}, 7);
  expect_same_outputs(seq.call({x}), seq2.call({x}));
  EXPECT_EQ(seq2.layers().size(), 3u);

  Model rnn = make_rnn_model();
  rnn.save(temp_path("rnn.keras"));
  Model rnn2 = models::load_model(temp_path("rnn.keras"));
  Tensor ids = int_ids({3, 6}, 12, 8);
  expect_same_outputs(rnn.call({ids}), rnn2.call({ids}));
}

TEST(Saving, ConvModelRoundTripsInBothFileFormats) {
  Model m = make_conv_model();
  randomize_weights(m, 60);
  m.compile({.optimizer = "adam", .loss = "mse"});
  const Tensors x = conv_inputs(4, 70);
  m.fit(x, {rand({4, 2}, 80)}, {.epochs = 1, .verbose = 0});  // moving statistics, Adam slots
  for (const char* name : {"conv.keras", "conv.h5"}) {
    SCOPED_TRACE(name);
    m.save(temp_path(name));
    Model loaded = models::load_model(temp_path(name));
    expect_same_outputs(m.call(x), loaded.call(x));
  }
}

TEST(Saving, LegacyH5RoundTrips) {
  Model m = make_graph_model();
  m.compile({.optimizer = "sgd", .loss = "mse"});
  m.save(temp_path("graph.h5"));
  Model loaded = models::load_model(temp_path("graph.h5"));
  Tensors x{rand({2, 4}, 9), rand({2, 4}, 10)};
  expect_same_outputs(m.call(x), loaded.call(x));
  EXPECT_EQ(loaded.optimizer().name(), "SGD");
}

TEST(Saving, SaveWeightsAndLoadWeightsInBothLayouts) {
  for (const char* name : {"w.weights.h5", "w.h5"}) {
    Model a = make_rnn_model();
    Model b = models::model_from_json(a.to_json());  // fresh weights
    const std::string path = temp_path(name);
    a.save_weights(path);
    b.load_weights(path);
    Tensor ids = int_ids({2, 6}, 12, 11);
    expect_same_outputs(a.call({ids}), b.call({ids}));
  }
}

TEST(Saving, LegacyLoadWeightsByNameSkipsOtherLayers) {
  auto x = Input({3});
  Model a(x, L::Dense(2, {.name = "head"})(L::Dense(4, {.name = "body"})(x)));
  a.save_weights(temp_path("byname.h5"));
  auto y = Input({3});
  auto body = L::Dense(4, {.name = "body"})(y);
  Model b(y, L::Dense(5, {.name = "other"})(L::Dense(7, {.name = "extra"})(body)));
  test::expect_throws_with<ValueError>([&] { b.load_weights(temp_path("byname.h5")); },
                                       "2 layers into a model with 3 layers");
  b.load_weights(temp_path("byname.h5"), {.by_name = true});
  test::expect_all_close(b.get_layer("body").get_weights()[0], a.get_layer("body").get_weights()[0],
                         0, 0);
  Model c(y, L::Dense(9, {.name = "head"})(body));  // same name, other shape
  EXPECT_THROW(c.load_weights(temp_path("byname.h5"), {.by_name = true}), ValueError);
  c.load_weights(temp_path("byname.h5"), {.by_name = true, .skip_mismatch = true});
}

TEST(Saving, LoadWeightsRejectsAnotherModelWithoutChangingWeights) {
  Model a = make_sequential();
  a.save_weights(temp_path("seq.weights.h5"));
  Sequential other({L::Dense(5, {.input_shape = std::vector<Dim>{4}}), L::Dense(2)});
  const Tensors before = other.get_weights();
  test::expect_throws_with<ValueError>([&] { other.load_weights(temp_path("seq.weights.h5")); },
                                       "expected shape");
  for (size_t i = 0; i < before.size(); ++i) {
    test::expect_all_close(other.get_weights()[i], before[i], 0, 0);
  }
}

TEST(Saving, SaveIsAtomicAndRespectsOverwrite) {
  Model m = make_sequential();
  const std::string path = temp_path("atomic.keras");
  m.save(path);
  const std::string before = read_bytes(path);
  test::expect_throws_with<IOError>([&] { m.save(path, {.overwrite = false}); }, "exists");
  auto x = Input({2});
  Model bad(x, L::Lambda([](const Tensor& t) { return t; })(x));
  EXPECT_THROW(bad.save(path), NotImplementedError);
  EXPECT_EQ(read_bytes(path), before);  // a failed save leaves the old file
  for (const auto& e : fs::directory_iterator(fs::path(path).parent_path())) {
    EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
  }
}

// N epochs straight == k epochs, save, load, N - k epochs: bit for bit on one thread.
TEST(Saving, TrainingResumesExactlyAfterSaveAndLoad) {
  const int threads = backend::num_threads();
  backend::set_num_threads(1);
  Tensor x = rand({64, 3}, 12), y = rand({64, 2}, 13);
  auto train = [&](Model& m, int epochs) {
    m.fit(x, y, {.epochs = epochs, .batch_size = 16, .verbose = 0, .shuffle = false});
  };
  utils::set_random_seed(5);
  // No dropout: its random masks come from the global generator, which a load does not restore.
  Sequential straight(
      {L::Dense(5, {.activation = "relu", .input_shape = std::vector<Dim>{3}}), L::Dense(2)});
  const std::string json = straight.to_json();
  const Tensors init = straight.get_weights();
  straight.compile({.optimizer = optimizers::Adam({.learning_rate = 0.01}), .loss = "mse"});
  train(straight, 5);

  // .keras keeps the optimizer under optimizer/vars, legacy .h5 under optimizer_weights.
  for (const char* file : {"resume.keras", "resume.h5"}) {
    SCOPED_TRACE(file);
    Model first = models::model_from_json(json);
    first.set_weights(init);
    first.compile({.optimizer = optimizers::Adam({.learning_rate = 0.01}), .loss = "mse"});
    train(first, 2);
    first.save(temp_path(file));
    Model resumed = models::load_model(temp_path(file));
    EXPECT_EQ(resumed.optimizer().iterations(), 8);
    train(resumed, 3);
    for (size_t i = 0; i < init.size(); ++i) {
      test::expect_all_close(resumed.get_weights()[i], straight.get_weights()[i], 0, 0);
    }
  }
  backend::set_num_threads(threads);
}

// ---- files written by Python Keras 3 (tools/fixtures/make_saving_fixtures.py) ----

struct Fixture {
  const char* name;
  int inputs, outputs;
};
const Fixture kFixtures[] = {{"mlp", 1, 1},
                             {"text_rnn", 1, 1},
                             {"merges", 2, 2},
                             {"sequential", 1, 1},
                             {"conv", 3, 1},
                             {"encoder_decoder", 2, 1},
                             {"gru_state", 2, 1},
                             {"simple_rnn_state", 2, 2},
                             {"bidirectional_state", 2, 1},
                             {"bidirectional_mixed", 1, 1},
                             {"nested_calls", 2, 2}};

// Masked models save and load in both formats (the legacy file holds op nodes too) and predict
// the same numbers (same kernels, same shapes: exact; NaN where a row has no unmasked step).
TEST(SavingMasks, KerasCppModelsWithMasksRoundTrip) {
  Model implicit = make_mask_model();
  randomize_weights(implicit, 170);
  Model explicit_masks = make_explicit_mask_model();
  randomize_weights(explicit_masks, 180);
  const Tensors x = mask_model_inputs();
  for (auto [m, inputs] : {std::pair<Model*, Tensors>{&implicit, x}, {&explicit_masks, {x[0]}}}) {
    const Outputs want = m->predict(inputs);
    for (const char* ext : {".keras", ".h5"}) {
      SCOPED_TRACE(m->name() + ext);
      m->save(temp_path(m->name() + ext));
      expect_same_outputs(models::load_model(temp_path(m->name() + ext)).predict(inputs), want);
    }
  }
}

TEST(SavingFixtures, KerasFilesPredictWhatKerasPredicted) {
  for (const Fixture& f : kFixtures) {
    for (const char* ext : {".keras", ".h5"}) {
      SCOPED_TRACE(std::string(f.name) + ext);
      Model m = models::load_model(fixture(std::string(f.name) + ext));
      Tensors x;
      for (int i = 0; i < f.inputs; ++i)
        x.push_back(io::load_npy(fixture(str(f.name, ".x", i, ".npy"))));
      if (std::string(f.name) == "simple_rnn_state") {
        // Its Dropout was called with training=True, which keras.cpp keeps in predict (Keras 3
        // overrides it, and predicted without dropout): the same model without the flag must
        // give Keras's numbers.
        EXPECT_NE(test::to_doubles(m.predict(x, {.batch_size = 8})[0]),
                  test::to_doubles(io::load_npy(fixture("simple_rnn_state.y0.npy"))));
        Json j = Json::parse(m.to_json());
        for (Json& l : j["config"]["layers"]) {
          if (l["name"] == "dropout") l["inbound_nodes"][0]["kwargs"].erase("training");
        }
        Model plain = models::model_from_config(j);
        plain->set_weights(m->get_weights());
        m = plain;
      }
      Outputs y = m.predict(x, {.batch_size = 8});
      ASSERT_EQ(static_cast<int>(y.size()), f.outputs);
      // float32 on both sides, other kernels (XLA vs OpenBLAS/oneDNN), outputs of magnitude < 1.
      // Each recurrent step's pre-activations are sums of at most 12 terms (features + units +
      // bias), each rounded with u = 2^-24 ~ 6e-8, and the fixtures run at most 11 steps
      // (encoder then decoder) through activations with slopes <= 1: rounding that adds up as a
      // random walk stays near sqrt(12 * 11) * u ~ 7e-7 (1.2e-7 measured, the largest of every
      // fixture); 1e-5 leaves a wide margin, and is 10^4 times smaller than what a decoder
      // started from zero states (0.14) or the encoder's weights in the decoder (0.21) change.
      for (int i = 0; i < f.outputs; ++i) {
        test::expect_all_close(y[i], io::load_npy(fixture(str(f.name, ".y", i, ".npy"))), 1e-5,
                               1e-5);
      }
    }
  }
}

// Keras 3 loads a Bidirectional's saved backward_layer as it is: another class (a GRU behind an
// LSTM) keeps its class and weights, and the halves keep Keras's names in both formats.
TEST(SavingFixtures, BidirectionalLoadsItsSavedBackwardLayer) {
  for (const char* ext : {".keras", ".h5"}) {
    SCOPED_TRACE(ext);
    Model m = models::load_model(fixture(str("bidirectional_mixed", ext)));
    auto mixed = std::dynamic_pointer_cast<layers::BidirectionalImpl>(m.get_layer("mixed").layer());
    auto plain = std::dynamic_pointer_cast<layers::BidirectionalImpl>(m.get_layer("plain").layer());
    ASSERT_TRUE(mixed && plain);
    EXPECT_EQ(mixed->forward_layer()->class_name(), "LSTM");
    EXPECT_EQ(mixed->backward_layer()->class_name(), "GRU");
    EXPECT_EQ(mixed->forward_layer()->name(), "forward_lstm");
    EXPECT_EQ(mixed->backward_layer()->name(), "gru");
    EXPECT_EQ(plain->forward_layer()->name(), "forward_rnn");
    EXPECT_EQ(plain->backward_layer()->name(), "backward_rnn");
    EXPECT_EQ(m.get_layer("mixed").count_params(),
              4 * (3 * 3 + 3 * 3 + 3) + 3 * (3 * 3 + 3 * 3) + 6 * 3);
    // Saved again by keras.cpp, the file holds the same halves.
    m.save(temp_path(str("bidirectional_mixed_again", ext)));
    Model again = models::load_model(temp_path(str("bidirectional_mixed_again", ext)));
    const Tensor x = io::load_npy(fixture("bidirectional_mixed.x0.npy"));
    test::expect_all_close(again.predict({x})[0], m.predict({x})[0], 0, 0);
    EXPECT_EQ(std::dynamic_pointer_cast<layers::BidirectionalImpl>(again.get_layer("mixed").layer())
                  ->backward_layer()
                  ->class_name(),
              "GRU");
  }
}

// Models made under Keras's half-precision dtype policies load and compute in float32
// (docs/differences.md); Keras computed in float16 or bfloat16 from the same weights (stored
// as float16, or bfloat16 as 2-byte opaque data, or float32 under the mixed policies). The
// outputs are softmax probabilities of logits that sum 8 products of terms below 1: each
// half-precision rounding is at most u (2^-11 for float16, 2^-8 for bfloat16) relative, a few
// of them add up in a logit (about 3u), and the softmax's slope is at most 1/4, so Keras's
// numbers are within about u of float32's: 2e-3 and 1.6e-2 leave a factor 4 (measured:
// 7e-5 and 6e-4).
TEST(SavingFixtures, HalfPrecisionPoliciesLoadAsFloat32) {
  const std::pair<const char*, double> policies[] = {
      {"mixed_float16", 2e-3}, {"float16", 2e-3}, {"mixed_bfloat16", 1.6e-2}, {"bfloat16", 1.6e-2}};
  for (const auto& [policy, tolerance] : policies) {
    // Keras cannot read its own legacy .h5 of bfloat16 variables (untagged 2-byte opaque data).
    const bool legacy = std::string(policy) != "bfloat16";
    for (const char* ext : {".keras", ".h5"}) {
      if (std::string(ext) == ".h5" && !legacy) continue;
      SCOPED_TRACE(str(policy, ext));
      Model m = models::load_model(fixture(str("dtype_", policy, ext)));
      EXPECT_EQ(m.get_layer("hidden")->dtype(), float32);
      const Tensor x = io::load_npy(fixture(str("dtype_", policy, ".x0.npy")));
      test::expect_all_close(m.predict({x})[0],
                             io::load_npy(fixture(str("dtype_", policy, ".y0.npy"))), tolerance, 0);
    }
  }
  test::expect_throws_with<ValueError>([] { models::load_model(fixture("dtype_bfloat16.h5")); },
                                       "non-numeric dataset");
  // A layer quantized by Keras (int8 kernel and scales) is refused by name.
  Json config = Json::parse(models::load_model(fixture("mlp.keras")).to_json());
  for (Json& l : config["config"]["layers"]) {
    if (l["class_name"] != "Dense") continue;
    l["config"]["dtype"] = Json::parse(
        R"({"module": "keras.dtype_policies", "class_name": "QuantizedDTypePolicy",
            "config": {"mode": "int8", "source_name": "float32"}, "registered_name": null})");
    break;
  }
  test::expect_throws_with<NotImplementedError>(
      [&] { models::model_from_config(config); },
      "Layer 'hidden' was quantized by Keras (dtype policy");
}

TEST(SavingFixtures, OptimizerStateAndCompileConfigComeFromKerasFiles) {
  Model m = models::load_model(fixture("mlp.keras"));
  EXPECT_EQ(m.optimizer().name(), "Adam");
  EXPECT_NEAR(m.optimizer().learning_rate(), 0.01, 1e-7);
  EXPECT_EQ(m.optimizer().iterations(), 4);  // 2 epochs of 2 batches
  EXPECT_EQ(m.optimizer().variables().size(), 8u);
  EXPECT_GT(test::max_abs(m.optimizer().variables()[0].value()), 0.0);
  EXPECT_EQ(m.metrics_names(), (std::vector<std::string>{"loss", "accuracy"}));
  Model seq = models::load_model(fixture("sequential.keras"));
  EXPECT_EQ(seq.optimizer().name(), "RMSprop");
  EXPECT_EQ(seq.optimizer().iterations(), 1);
  // Keras 3's legacy .h5 of the same model holds the same state under optimizer_weights.
  Model legacy = models::load_model(fixture("mlp.h5"));
  EXPECT_EQ(legacy.optimizer().iterations(), 4);
  ASSERT_EQ(legacy.optimizer().variables().size(), m.optimizer().variables().size());
  for (size_t i = 0; i < m.optimizer().variables().size(); ++i) {
    test::expect_all_close(legacy.optimizer().variables()[i].value(),
                           m.optimizer().variables()[i].value(), 0, 0);
  }
}

// Keras 3 writes the decoder's initial states in its node's kwargs: they must become the decoder's
// inputs (the encoder stays in the graph) and each LSTM must get its own weights, though both
// have the same shapes. The legacy file matches weights by layer name, the archive by path: both
// must agree.
TEST(SavingFixtures, InitialStatesInKwargsConnectTheEncoderToTheDecoder) {
  Model archive = models::load_model(fixture("encoder_decoder.keras"));
  Model legacy = models::load_model(fixture("encoder_decoder.h5"));
  for (Model* m : {&archive, &legacy}) {
    EXPECT_EQ(m->layers().size(), 5u);
    const KerasTensors in = m->get_layer("decoder").layer()->get_inputs_at(0);
    ASSERT_EQ(in.size(), 3u);
    EXPECT_EQ(in[1].layer()->name(), "encoder");
    EXPECT_EQ(in[1].tensor_index(), 1);
    EXPECT_EQ(in[2].tensor_index(), 2);
  }
  for (const char* name : {"encoder", "decoder", "head"}) {
    const Tensors a = archive.get_layer(name).get_weights(),
                  b = legacy.get_layer(name).get_weights();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) test::expect_all_close(a[i], b[i], 0, 0);
  }
  EXPECT_GT(test::max_abs(ops::subtract(archive.get_layer("encoder").get_weights()[0],
                                        archive.get_layer("decoder").get_weights()[0])),
            0.1);
}

// Writes models and their predictions for the Python check (make_saving_fixtures.py check DIR)
// when KERAS_SAVING_EXPORT_DIR is set.
TEST(SavingExport, WritesFilesForThePythonCheck) {
  const char* dir = std::getenv("KERAS_SAVING_EXPORT_DIR");
  if (dir == nullptr) GTEST_SKIP() << "KERAS_SAVING_EXPORT_DIR not set";
  fs::create_directories(dir);
  // Keras 3 cannot load op nodes from legacy .h5 files (its own included): models with explicit
  // masks are written as .keras only.
  auto write = [&](const std::string& name, Model m, const Tensors& x, bool legacy = true) {
    std::vector<std::string> stems{name};
    if (legacy) stems.push_back(name + "_legacy");
    m.save(str(dir, "/", name, ".keras"));
    if (legacy) m.save(str(dir, "/", name, "_legacy.h5"));
    try {  // Keras 2's layout, for tf_keras (make_layer_fixtures.py check2 DIR)
      m.save(str(dir, "/", name, ".cpp_tf_keras.h5"), {.h5_format = "tf_keras"});
      stems.push_back(name + ".cpp_tf_keras");
    } catch (const NotImplementedError& e) {
      std::printf("%s: not in Keras 2's layout: %s\n", name.c_str(), e.what());
    }
    Outputs y = m.predict(x);
    for (const std::string& stem : stems) {
      for (size_t i = 0; i < x.size(); ++i)
        io::save_npy(str(dir, "/", stem, ".x", i, ".npy"), x[i]);
      for (size_t i = 0; i < y.size(); ++i)
        io::save_npy(str(dir, "/", stem, ".y", i, ".npy"), y[i]);
    }
  };
  Model graph = make_graph_model();
  graph.compile({.optimizer = "adam", .loss = {"mse", "mae"}});
  graph.fit({rand({8, 4}, 1), rand({8, 4}, 2)}, {rand({8, 2}, 3), rand({8, 3}, 4)},
            {.epochs = 1, .verbose = 0});
  write("graph", graph, {rand({3, 4}, 5), rand({3, 4}, 6)});
  write("rnn", make_rnn_model(), {ops::cast(int_ids({3, 6}, 12, 7), int32)});
  Model seq = make_sequential();
  seq.compile({.optimizer = "rmsprop", .loss = "mse", .metrics = {"mae"}});
  write("sequential", seq, {rand({4, 3}, 8)});
  Model conv = make_conv_model();
  randomize_weights(conv, 90);
  conv.compile({.optimizer = "adam", .loss = "mse"});
  conv.fit(conv_inputs(4, 100), {rand({4, 2}, 110)}, {.epochs = 1, .verbose = 0});
  write("conv", conv, conv_inputs(3, 120));
  Model states = make_initial_state_model();
  randomize_weights(states, 140);
  write("initial_states", states, initial_state_inputs(3, 150));
  auto used = Input({3}), unused = Input({2});
  write("unused_input", Model({used, unused}, L::Dense(2)(used)),
        {rand({3, 3}, 160), rand({3, 2}, 161)});
  // A nested model called twice, one output straight from its first call.
  auto na = Input({4}, {.name = "a"}), nb = Input({4}, {.name = "b"}), inner_in = Input({4});
  Model inner(inner_in, L::Dense(3, {.activation = "tanh"})(inner_in), {.name = "inner"});
  Model nested({na, nb}, {inner(na), L::Dense(2)(inner(nb))}, {.name = "nested_calls"});
  randomize_weights(nested, 165);
  write("nested_calls", nested, {rand({3, 4}, 166), rand({3, 4}, 167)});
  // Masks made by keras.cpp's layers (Keras recomputes them when it loads the file), through
  // merges, pooling and recurrent layers.
  Model masks = make_mask_model();
  randomize_weights(masks, 170);
  write("masks", masks, mask_model_inputs());
  // Explicit masks built with ops (written as op nodes and mask arguments).
  Model explicit_masks = make_explicit_mask_model();
  randomize_weights(explicit_masks, 180);
  write("explicit_masks", explicit_masks, {mask_model_inputs()[0]}, false);
  // Keras 3's files with mask nodes, loaded and saved again by keras.cpp.
  for (const char* name :
       {"mask_lstm", "mask_gru_pooling", "mask_masking_rnn", "mask_bidirectional",
        "mask_two_inputs", "mask_merges", "mask_nested", "bidirectional_mixed"}) {
    Tensors x;
    for (int i = 0; fs::exists(fixture(str(name, ".x", i, ".npy"))); ++i) {
      x.push_back(io::load_npy(fixture(str(name, ".x", i, ".npy"))));
    }
    write(str("resaved_", name), models::load_model(fixture(str(name, ".keras"))), x, false);
  }
}

// ---- Keras 2's layout (SaveOptions h5_format "tf_keras") ----

Json h5_json_attr(const std::string& path, const char* name) {
  saving::h5::File f = saving::h5::File::open_trusted(read_bytes(path), path);
  return Json::parse(saving::h5::read_string_attr(f.id(), name).value().at(0));
}

std::string h5_string_attr(const std::string& path, const char* name) {
  saving::h5::File f = saving::h5::File::open_trusted(read_bytes(path), path);
  return saving::h5::read_string_attr(f.id(), name).value().at(0);
}

// What tf_keras writes (tools/fixtures/make_layer_fixtures.py check2 loads keras.cpp's files in
// tf_keras and predicts keras.cpp's numbers), and what keras.cpp reads back.
TEST(SavingKeras2Layout, IsWhatTfKerasWritesAndLoadsBack) {
  Model graph = make_graph_model();
  graph.compile({.optimizer = "rmsprop", .loss = {"mse", "mae"}, .loss_weights = {1.0, 0.5}});
  const std::string path = temp_path("graph_tf_keras.h5");
  graph.save(path, {.h5_format = "tf_keras"});
  EXPECT_EQ(h5_string_attr(path, "keras_version"), "2.21.0");
  EXPECT_EQ(h5_string_attr(path, "backend"), "tensorflow");
  const Json config = h5_json_attr(path, "model_config");
  EXPECT_EQ(config["class_name"], "Functional");
  EXPECT_FALSE(config.contains("module"));
  const Json& layers = config["config"]["layers"];
  const Json& in_a = layers[0];
  EXPECT_EQ(in_a["class_name"], "InputLayer");
  EXPECT_EQ(in_a["config"]["batch_input_shape"], Json::parse("[null, 4]"));
  EXPECT_FALSE(in_a["config"].contains("batch_shape"));
  for (const Json& l : layers) {
    SCOPED_TRACE(l["name"].dump());
    EXPECT_FALSE(l.contains("build_config"));
    if (l["config"].contains("dtype")) {
      EXPECT_TRUE(l["config"]["dtype"].is_string());
    }
    if (l["name"] == "out_main") {
      EXPECT_EQ(l["inbound_nodes"][0][0][0].get<std::string>().rfind("dropout", 0), 0u);
      EXPECT_EQ(l["inbound_nodes"][0][0].size(), 4u);  // [name, node, tensor, kwargs]
    }
    if (l["class_name"] == "Concatenate") {
      // Nested model "inner" called twice: Keras 2 counts its calls from 1.
      const Json& refs = l["inbound_nodes"][0];
      EXPECT_EQ(refs[6], Json::parse(R"(["inner", 1, 0, {}])"));
      EXPECT_EQ(refs[7], Json::parse(R"(["inner", 2, 0, {}])"));
    }
  }
  const Json& outputs = config["config"]["output_layers"];
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0], Json::parse(R"(["out_main", 0, 0])"));
  const Json training = h5_json_attr(path, "training_config");
  EXPECT_EQ(training["optimizer_config"]["class_name"], "Custom>RMSprop");
  EXPECT_FALSE(training["optimizer_config"]["config"].contains("loss_scale_factor"));
  EXPECT_EQ(training["loss_weights"], Json::parse("[1.0, 0.5]"));
  // keras.cpp reads it back: the same predictions, bit for bit, and compiled.
  const Tensors x{rand({3, 4}, 1), rand({3, 4}, 2)};
  Model back = models::load_model(path);
  expect_same_outputs(back.predict(x), graph.predict(x));
  EXPECT_NO_THROW(back.evaluate(x, {rand({3, 2}, 3), rand({3, 3}, 4)}, {.verbose = 0}));
}

TEST(SavingKeras2Layout, InitialStatesAndANestedSequential) {
  Model states = make_initial_state_model();
  const std::string path = temp_path("states_tf_keras.h5");
  states.save(path, {.h5_format = "tf_keras"});
  const Json config = h5_json_attr(path, "model_config");
  for (const Json& l : config["config"]["layers"]) {
    if (l["name"] == "decoder") {
      // Keras 2 calls it on [inputs, *initial_states].
      EXPECT_EQ(l["inbound_nodes"][0], Json::parse(R"([["decoder_inputs", 0, 0, {}],
                                                        ["encoder", 0, 1, {}],
                                                        ["encoder", 0, 2, {}]])"));
    }
  }
  const Tensors x = initial_state_inputs(3, 5);
  expect_same_outputs(models::load_model(path).predict(x), states.predict(x));
  // A nested Sequential model: Keras 2 counts its calls from 1 in output_layers too.
  auto v = Input({3}, {.name = "v"});
  Sequential seq({L::Dense(2, {.input_shape = std::vector<Dim>{3}})}, {.name = "seq"});
  Model outer(v, seq(v), {.name = "outer"});
  const std::string outer_path = temp_path("outer_tf_keras.h5");
  outer.save(outer_path, {.h5_format = "tf_keras"});
  EXPECT_EQ(h5_json_attr(outer_path, "model_config")["config"]["output_layers"],
            Json::parse(R"([["seq", 1, 0]])"));
  expect_same_outputs(models::load_model(outer_path).predict(rand({2, 3}, 6)),
                      outer.predict(rand({2, 3}, 6)));
}

TEST(SavingKeras2Layout, WhatTfKerasCannotExpressIsAnError) {
  auto x = Input({4});
  Model bad_format(x, L::Dense(2)(x));
  test::expect_throws_with<ValueError>(
      [&] { bad_format.save(temp_path("f.h5"), {.h5_format = "keras2"}); },
      "SaveOptions h5_format must be \"keras3\" or \"tf_keras\". Received: keras2");
  test::expect_throws_with<ValueError>(
      [&] { bad_format.save(temp_path("f.keras"), {.h5_format = "tf_keras"}); },
      "h5_format applies to legacy .h5 files only");
  Model hard(x, L::Dense(2, {.activation = "hard_sigmoid"})(x));
  test::expect_throws_with<NotImplementedError>(
      [&] { hard.save(temp_path("hard.h5"), {.h5_format = "tf_keras"}); },
      "uses Keras 3's hard_sigmoid");
  auto img = Input({4, 6, 1});
  Model resize(img, L::Resizing(2, 2, {.pad_to_aspect_ratio = true})(img));
  test::expect_throws_with<NotImplementedError>(
      [&] { resize.save(temp_path("resize.h5"), {.h5_format = "tf_keras"}); },
      "has pad_to_aspect_ratio=true, which tf_keras's Resizing does not have");
  // keras.ops with a TensorFlow function are written as tf_keras's TFOpLambda layers; others not.
  Model op(x, ops::logaddexp2(L::Dense(4)(x), x));
  test::expect_throws_with<NotImplementedError>(
      [&] { op.save(temp_path("op.h5"), {.h5_format = "tf_keras"}); },
      "(keras.ops Logaddexp2) has no TensorFlow function that tf_keras's files can hold");
  // Nothing was written for them.
  EXPECT_FALSE(fs::exists(temp_path("hard.h5")));
  // The Keras 3 layout still writes them.
  EXPECT_NO_THROW(hard.save(temp_path("hard3.h5")));
}

// ---- hostile files ----

// Loading must give a model or throw a keras::Error; anything else (a crash, std::bad_alloc,
// nlohmann's exceptions) fails.
void expect_clean_load(const std::string& path, const std::string& label) {
  try {
    Model m = models::load_model(path);
    (void)m;
  } catch (const Error&) {
  } catch (const std::exception& e) {
    ADD_FAILURE() << label << ": non-keras exception " << typeid(e).name() << ": " << e.what();
  }
}

// With KERAS_FUZZ_FORK set, each load runs in a child process and inputs that crash it are
// kept in $KERAS_FUZZ_FORK (a folder) instead of killing the test: for hunting crashers.
void expect_clean_load_or_keep(const std::string& path, const std::string& label) {
  const char* keep = std::getenv("KERAS_FUZZ_FORK");
  if (keep == nullptr) return expect_clean_load(path, label);
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      models::load_model(path);
    } catch (const Error&) {
    } catch (...) {
      std::_Exit(2);
    }
    std::_Exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status) || WEXITSTATUS(status) != 0) {
    std::string name = label;
    for (char& c : name) c = c == ' ' ? '_' : c;
    fs::copy_file(path, str(keep, "/", name, fs::path(path).extension().string()),
                  fs::copy_options::overwrite_existing);
    ADD_FAILURE() << label << ": crashed or failed (kept in " << keep << ")";
  }
}

std::string corpus_dir() {
  return std::string(KERAS_TEST_DATA_DIR) + "/saving/corpus";
}

// Loading inflates only the members it needs: a corrupt member nothing reads (here its bytes are
// changed after writing, so its CRC-32 no longer matches) costs nothing and stops nothing; the
// JSON members are capped at the JSON reader's limit before they are inflated. A device that
// never ends (/dev/zero) is no format: an IOError after 8 bytes.
TEST(SavingRobustness, OnlyTheMembersLoadingNeedsAreRead) {
  const auto entries = io::zip::read(read_bytes(fixture("mlp.keras")), "mlp", 1 << 30);
  std::string bytes = io::zip::write({{"metadata.json", entries.at("metadata.json")},
                                      {"config.json", entries.at("config.json")},
                                      {"model.weights.h5", entries.at("model.weights.h5")},
                                      {"assets/junk", std::string(4096, 'j')}});
  const size_t junk = bytes.find(std::string(64, 'j'));
  ASSERT_NE(junk, std::string::npos);
  bytes[junk + 100] = 'k';
  const std::string path = temp_path("junk_member.keras");
  write_bytes(path, bytes);
  const Model m = models::load_model(path);
  EXPECT_EQ(m.layers().size(), models::load_model(fixture("mlp.keras")).layers().size());
  test::expect_throws_with<IOError>([] { models::load_model("/dev/zero"); },
                                    "/dev/zero: not a .keras archive or an HDF5 file");
  test::expect_throws_with<IOError>([] { make_graph_model().load_weights("/dev/zero"); },
                                    "/dev/zero: not a .keras archive or an HDF5 file");
}

TEST(SavingRobustness, HostileConfigsAreClearErrors) {
  const auto entries = io::zip::read(read_bytes(fixture("mlp.keras")), "mlp", 1 << 30);
  const Json config = Json::parse(entries.at("config.json"));
  auto with = [&](const std::function<void(Json&)>& edit) {
    Json c = config;
    edit(c);
    const std::string path = temp_path("hostile.keras");
    write_bytes(path, io::zip::write({{"metadata.json", entries.at("metadata.json")},
                                      {"config.json", c.dump()},
                                      {"model.weights.h5", entries.at("model.weights.h5")}}));
    return path;
  };
  ASSERT_EQ(config["config"]["layers"][1]["class_name"], "Dense");
  struct Case {
    std::function<void(Json&)> edit;
    const char* message;
  };
  const Case cases[] = {
      {[](Json& c) { c["config"]["layers"][1]["config"]["units"] = 1000000000000LL; },
       "larger than the weights in the file"},
      {[](Json& c) { c["config"]["layers"][1]["config"]["units"] = "many"; }, "'units'"},
      {[](Json& c) { c["config"]["layers"][1]["config"]["units"] = 16; }, "expected shape"},
      {[](Json& c) { c["config"]["layers"][1]["class_name"] = "Conv9D"; }, "Unknown layer"},
      {[](Json& c) { c["config"]["layers"][1]["inbound_nodes"] = 3; }, "inbound_nodes"},
      {[](Json& c) { c["config"]["layers"].erase(0); }, "unknown layer"},
      {[](Json& c) { c["config"]["output_layers"] = Json::parse(R"(["probs", 7, 0])"); },
       "unknown tensor"},
      {[](Json& c) { c["config"]["layers"][0]["config"]["batch_shape"] = "x"; }, "batch_shape"},
      {[](Json& c) { c["config"]["layers"] = Json::object(); }, "'layers' must be a list"},
      {[](Json& c) { c["config"]["layers"][1]["config"]["activation"] = "sparkle"; }, "activation"},
      {[](Json& c) {
         Json& entry = c["config"]["layers"][1];
         Json nested = entry;
         for (int i = 0; i < 100; ++i) {
           nested = Json{{"class_name", "TimeDistributed"},
                         {"config", {{"name", str("td", i)}, {"layer", nested}}}};
         }
         nested["config"]["name"] = entry["name"];
         nested["name"] = entry["name"];
         nested["inbound_nodes"] = entry["inbound_nodes"];
         entry = nested;
       },
       "nested too deeply"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    const std::string path = with(c.edit);
    try {
      models::load_model(path);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr(c.message));
    }
  }
  {
    const std::string path = temp_path("badjson.keras");
    write_bytes(path, io::zip::write({{"metadata.json", "{}"},
                                      {"config.json", "{\"module\": "},
                                      {"model.weights.h5", entries.at("model.weights.h5")}}));
    test::expect_throws_with<ValueError>([&] { models::load_model(path); }, "invalid JSON");
  }
}

// Every tensor a saved call refers to is resolved or the load fails naming it; arguments that
// keras.cpp cannot honour are refused, naming the layer and the argument.
TEST(SavingRobustness, SavedCallsThatCannotBeHonouredAreErrors) {
  const auto entries =
      io::zip::read(read_bytes(fixture("encoder_decoder.keras")), "encoder_decoder", 1 << 30);
  const Json config = Json::parse(entries.at("config.json"));
  auto load_with = [&](const std::function<void(Json & decoder_node, Json & head_node)>& edit) {
    Json c = config;
    Json* decoder = nullptr;
    Json* head = nullptr;
    for (Json& l : c["config"]["layers"]) {
      if (l["name"] == "decoder") decoder = &l["inbound_nodes"][0];
      if (l["name"] == "head") head = &l["inbound_nodes"][0];
    }
    edit(*decoder, *head);
    const std::string path = temp_path("calls.keras");
    write_bytes(path, io::zip::write({{"metadata.json", entries.at("metadata.json")},
                                      {"config.json", c.dump()},
                                      {"model.weights.h5", entries.at("model.weights.h5")}}));
    return models::load_model(path);
  };
  auto history = [](Json& node, int state) -> Json& {
    return node["kwargs"]["initial_state"][state]["config"]["keras_history"];
  };
  struct Case {
    std::function<void(Json&, Json&)> edit;
    const char* message;
  };
  const Case cases[] = {
      {[&](Json& d, Json&) { history(d, 1) = Json::parse(R"(["encoder", 0, 7])"); },
       "layer 'encoder' node 0 has no output 7"},
      {[&](Json& d, Json&) { history(d, 1) = Json::parse(R"(["ghost", 0, 0])"); },
       "unknown layer 'ghost' in inbound nodes of 'decoder'"},
      {[&](Json& d, Json&) { history(d, 0) = Json::parse(R"(["encoder", 4, 1])"); },
       "cannot resolve the inputs of layer 'decoder': no node produces tensor encoder[4][1]"},
      {[](Json& d, Json&) { d["kwargs"]["initial_state"].erase(1); },
       "layer 'decoder' (LSTM) takes 2 initial states, but its saved call passes 1"},
      {[](Json& d, Json&) { d["kwargs"]["mask"] = d["kwargs"]["initial_state"][0]; },
       "Layer decoder: the mask (argument 'mask') of input 0 must have the input's leading "
       "dimensions; input shape (None, 5, 3), mask shape (None, 8)"},
      {[](Json& d, Json& h) { h["kwargs"]["mask"] = d["kwargs"]["initial_state"][0]; },
       "layer 'head' (Dense) is called with an explicit mask (argument 'mask'), which keras.cpp "
       "does not support for this layer"},
      {[](Json& d, Json&) {
         d["kwargs"]["mask"] = Json::array({nullptr, 3});
       },
       "layer 'decoder' (LSTM): each entry of its argument 'mask' must be one tensor or null"},
      {[](Json& d, Json&) { d["kwargs"]["return_attention"] = true; },
       "layer 'decoder' (LSTM) is called with the argument 'return_attention'"},
      {[](Json& d, Json&) { d["kwargs"]["training"] = "yes"; }, "argument 'training'"},
      {[](Json&, Json& h) { h["kwargs"]["initial_state"] = h["args"][0]; },
       "layer 'head' (Dense) is called with the argument 'initial_state'"},
      {[](Json&, Json& h) { h["args"].push_back(h["args"][0]); },
       "layer 'head' (Dense) is called with 2 positional arguments"},
      {[](Json& d, Json&) { d["kwargs"] = Json::array(); }, "'kwargs' of an inbound node"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    test::expect_throws_with<ValueError>([&] { load_with(c.edit); }, c.message);
  }
  // Positional states (Keras's `lstm(x, [h, c])`), `training` and a null mask are honoured.
  Model ref = models::load_model(fixture("encoder_decoder.keras"));
  Model m = load_with([](Json& d, Json&) {
    d["args"].push_back(d["kwargs"]["initial_state"]);
    d["kwargs"] = Json{{"training", true}, {"mask", nullptr}};
  });
  const Tensors x{io::load_npy(fixture("encoder_decoder.x0.npy")),
                  io::load_npy(fixture("encoder_decoder.x1.npy"))};
  expect_same_outputs(m.predict(x), ref.predict(x));
}

// As in Keras, a model may declare an input that feeds no output; it still saves and loads.
TEST(Saving, ModelWithAnUnusedInputRoundTrips) {
  auto a = Input({3}, {.name = "used"});
  auto b = Input({2}, {.name = "unused"});
  Model m({a, b}, L::Dense(2)(a));
  ASSERT_EQ(m.layers().size(), 3u);  // Keras's order: used, unused, dense
  EXPECT_EQ(m.layers()[1].name(), "unused");
  const Tensors x{rand({2, 3}, 1), rand({2, 2}, 2)};
  for (const char* name : {"unused.keras", "unused.h5"}) {
    SCOPED_TRACE(name);
    m.save(temp_path(name));
    Model loaded = models::load_model(temp_path(name));
    EXPECT_EQ(loaded.inputs().size(), 2u);
    expect_same_outputs(m.call(x), loaded.call(x));
  }
}

// Two models whose weights differ by one layer: x -> body -> head (-> tail).
Model make_body_head(bool tail) {
  auto x = Input({3});
  auto h = L::Dense(2, {.name = "head"})(L::Dense(4, {.name = "body"})(x));
  return Model(x, tail ? L::Dense(2, {.name = "tail"})(h) : h);
}

// A legacy .h5 file with one model's config and another's weights.
std::string legacy_file(Model& config_model, Model& weights_model, const std::string& name) {
  saving::h5::File f = saving::h5::File::create();
  saving::h5::write_string_attr(f.id(), "model_config",
                                layers::serialize_layer(*config_model.layer()).dump());
  saving::h5::Handle group = saving::h5::make_group(f.id(), "model_weights");
  saving::internal::write_legacy_weights(group.id(), weights_model.impl());
  const std::string path = temp_path(name);
  write_bytes(path, f.image());
  return path;
}

// Keras 3's saving_lib_test test_partial_load: a layer of another shape, or a layer the file
// lacks, is an error ("must match", "received 0 variables"); with skip_mismatch it keeps its
// values and the others load. Extra weights in the file are then ignored too.
TEST(SavingRobustness, PartialLoadAsKeras) {
  auto model = [](std::vector<int> units) {
    Sequential m;
    m.add(Input({3}, {.batch_size = 2}));
    for (int u : units) m.add(L::Dense(u));
    return m;
  };
  Sequential original = model({4, 5});
  original.save(temp_path("partial.keras"));
  Sequential wider = model({4, 6});
  const Tensor kept = wider.layers()[1].get_weights()[0].clone();
  test::expect_throws_with<ValueError>([&] { wider.load_weights(temp_path("partial.keras")); },
                                       "must match");
  wider.load_weights(temp_path("partial.keras"), {.skip_mismatch = true});
  test::expect_all_close(wider.layers()[0].get_weights()[0], original.layers()[0].get_weights()[0],
                         0, 0);
  test::expect_all_close(wider.layers()[1].get_weights()[0], kept, 0, 0);
  Sequential longer = model({4, 5, 5});
  const Tensor new_kernel = longer.layers()[2].get_weights()[0].clone();
  test::expect_throws_with<ValueError>([&] { longer.load_weights(temp_path("partial.keras")); },
                                       "received 0 variables");
  longer.load_weights(temp_path("partial.keras"), {.skip_mismatch = true});
  for (int i : {0, 1}) {
    test::expect_all_close(longer.layers()[i].get_weights()[0],
                           original.layers()[i].get_weights()[0], 0, 0);
  }
  test::expect_all_close(longer.layers()[2].get_weights()[0], new_kernel, 0, 0);
  Sequential shorter = model({4});
  EXPECT_THROW(shorter.load_weights(temp_path("partial.keras")), ValueError);
  shorter.load_weights(temp_path("partial.keras"), {.skip_mismatch = true});
  test::expect_all_close(shorter.layers()[0].get_weights()[0],
                         original.layers()[0].get_weights()[0], 0, 0);
}

// Every group of weights in a file must be claimed by a layer and every layer with weights must
// find its group, in .keras archives, .weights.h5 files and legacy .h5 files; a failed load
// changes no weight.
TEST(SavingRobustness, EveryWeightGroupIsClaimedAndEveryLayerFindsItsWeights) {
  Model small = make_body_head(false), big = make_body_head(true);
  const std::string tail_kernel = big.get_layer("tail").weights()[0].path();
  small.save_weights(temp_path("small.weights.h5"));
  big.save_weights(temp_path("big.weights.h5"));
  const Tensors before = small.get_weights();
  test::expect_throws_with<ValueError>(
      [&] { small.load_weights(temp_path("big.weights.h5")); },
      "the file has weights that no layer of the model claims: 'layers/dense_2/vars'");
  for (size_t i = 0; i < before.size(); ++i) {
    test::expect_all_close(small.get_weights()[i], before[i], 0, 0);
  }
  test::expect_throws_with<ValueError>(
      [&] { big.load_weights(temp_path("small.weights.h5")); },
      "the file has no weights at 'layers/dense_2/vars' for the model's variables '" + tail_kernel +
          "'");

  // .keras: one model's config with the other's weights.
  small.save(temp_path("small.keras"));
  big.save(temp_path("big.keras"));
  auto entries = [&](const char* name) {
    return io::zip::read(read_bytes(temp_path(name)), name, 1 << 30);
  };
  auto mixed = [&](const char* config_from, const char* weights_from) {
    const std::string path = temp_path("mixed.keras");
    write_bytes(
        path, io::zip::write({{"metadata.json", entries(config_from).at("metadata.json")},
                              {"config.json", entries(config_from).at("config.json")},
                              {"model.weights.h5", entries(weights_from).at("model.weights.h5")}}));
    return path;
  };
  test::expect_throws_with<ValueError>(
      [&] { models::load_model(mixed("small.keras", "big.keras")); },
      "no layer of the model claims: 'layers/dense_2/vars'");
  test::expect_throws_with<ValueError>(
      [&] { models::load_model(mixed("big.keras", "small.keras")); },
      "the file has no weights at 'layers/dense_2/vars'");

  // Legacy .h5 (matched by layer name).
  test::expect_throws_with<ValueError>(
      [&] { models::load_model(legacy_file(small, big, "mixed1.h5")); },
      "the file has weights for layer 'tail', which the model does not have");
  test::expect_throws_with<ValueError>(
      [&] { models::load_model(legacy_file(big, small, "mixed2.h5")); },
      "layer 'tail' has 2 weights, but the file has none for it");
  Model same = models::load_model(legacy_file(big, big, "same.h5"));
  const Tensor x = rand({2, 3}, 3);
  expect_same_outputs(same.call({x}), big.call({x}));
}

// Keras 3 names each layer's weights group after the layer: weights in another order than the
// model's layers (here: the encoder renamed in the config, so the file's 'encoder' weights sit
// where the model has another layer) are refused, even when every shape fits.
TEST(SavingRobustness, WeightsOfAnotherLayerAreRefused) {
  const auto entries =
      io::zip::read(read_bytes(fixture("encoder_decoder.keras")), "encoder_decoder", 1 << 30);
  std::string config = entries.at("config.json");
  for (size_t at = 0; (at = config.find("\"encoder\"", at)) != std::string::npos;) {
    config.replace(at, 9, "\"speaker\"");
  }
  const std::string path = temp_path("renamed.keras");
  write_bytes(path, io::zip::write({{"metadata.json", entries.at("metadata.json")},
                                    {"config.json", config},
                                    {"model.weights.h5", entries.at("model.weights.h5")}}));
  test::expect_throws_with<ValueError>(
      [&] { models::load_model(path); },
      "the weights at 'layers/lstm' belong to layer 'encoder', but the model has layer 'speaker'");
  // Without its initial states (as keras.cpp once read Keras 3's kwargs), the decoder would be the
  // model's first LSTM and take the encoder's weights.
  Json dropped = Json::parse(entries.at("config.json"));
  for (Json& l : dropped["config"]["layers"]) {
    if (l["name"] == "decoder") l["inbound_nodes"][0]["kwargs"] = Json::object();
  }
  write_bytes(path, io::zip::write({{"metadata.json", entries.at("metadata.json")},
                                    {"config.json", dropped.dump()},
                                    {"model.weights.h5", entries.at("model.weights.h5")}}));
  test::expect_throws_with<ValueError>(
      [&] { models::load_model(path); },
      "the weights at 'layers/lstm' belong to layer 'encoder', but the model has layer 'decoder'");
  // keras.cpp writes the names too.
  Model m = make_initial_state_model();
  m.save(temp_path("names.keras"));
  const auto saved = io::zip::read(read_bytes(temp_path("names.keras")), "names", 1 << 30);
  saving::h5::File f = saving::h5::File::open_trusted(saved.at("model.weights.h5"), "names");
  auto name_of = [&](const char* group) {
    return saving::h5::read_string_attr(saving::h5::open_group(f.id(), group)->id(), "name")
        .value()
        .at(0);
  };
  EXPECT_EQ(name_of("layers/lstm/vars"), "encoder");
  EXPECT_EQ(name_of("layers/lstm_1/vars"), "decoder");
  EXPECT_EQ(name_of("vars"), "initial_states");
}

TEST(SavingRobustness, DamagedFilesAreClearErrors) {
  const std::string good = read_bytes(fixture("mlp.keras"));
  const std::string path = temp_path("damaged.keras");
  write_bytes(path, good.substr(0, good.size() / 2));
  test::expect_throws_with<IOError>([&] { models::load_model(path); }, "not a valid .keras");
  write_bytes(path, "");
  EXPECT_THROW(models::load_model(path), IOError);
  test::expect_throws_with<IOError>([&] { models::load_model(temp_path("missing.keras")); },
                                    "Unable to open");
  // A zip whose entry claims 4 GiB.
  std::string bomb = io::zip::write({{"config.json", "{}"}});
  const size_t cd = bomb.find("PK\x01\x02");
  bomb.replace(cd + 24, 4, "\xff\xff\xff\x7f");
  write_bytes(path, bomb);
  EXPECT_THROW(models::load_model(path), IOError);
  const std::string h5 = read_bytes(fixture("mlp.h5"));
  write_bytes(temp_path("damaged.h5"), h5.substr(0, h5.size() / 3));
  EXPECT_THROW(models::load_model(temp_path("damaged.h5")), Error);
}

// A deterministic mutation fuzzer: bytes of the archive, of its weights file (re-zipped with
// valid CRCs, so HDF5 sees the damage), of the JSON and of a legacy .h5 file, plus the regression
// corpus of inputs that once failed (tests/data/saving/corpus).
TEST(SavingRobustness, MutatedFilesNeverCrash) {
  const std::string keras_bytes = read_bytes(fixture("mlp.keras"));
  const auto entries = io::zip::read(keras_bytes, "mlp", 1 << 30);
  const std::string h5_bytes = read_bytes(fixture("mlp.h5"));
  std::mt19937_64 rng(20261122);
  auto mutate = [&](std::string s, bool truncate_only = false) {
    const int kind = truncate_only ? 1 : static_cast<int>(rng() % 4);
    if (s.empty()) return s;
    if (kind == 0) {  // flip a few bytes
      for (int i = 0, n = 1 + static_cast<int>(rng() % 8); i < n; ++i)
        s[rng() % s.size()] ^= static_cast<char>(1 + rng() % 255);
    } else if (kind == 1) {  // truncate
      s.resize(rng() % s.size());
    } else if (kind == 2) {  // a large little-endian value
      const size_t at = rng() % s.size();
      for (size_t i = at; i < std::min(s.size(), at + 4); ++i) s[i] = static_cast<char>(0xff);
    } else {  // zero a run
      const size_t at = rng() % s.size();
      for (size_t i = at; i < std::min(s.size(), at + 1 + rng() % 64); ++i) s[i] = 0;
    }
    return s;
  };
  const std::string path = temp_path("fuzz.keras");
  const std::string h5_path = temp_path("fuzz.h5");
  const char* iterations = std::getenv("KERAS_FUZZ_ITERATIONS");  // more for crash hunting
  for (int i = 0, n = iterations ? std::atoi(iterations) : 300; i < n; ++i) {
    write_bytes(path, mutate(keras_bytes));
    expect_clean_load_or_keep(path, str("archive mutation ", i));
    write_bytes(path,
                io::zip::write({{"metadata.json", entries.at("metadata.json")},
                                {"config.json", entries.at("config.json")},
                                {"model.weights.h5", mutate(entries.at("model.weights.h5"))}}));
    expect_clean_load_or_keep(path, str("weights mutation ", i));
    write_bytes(path, io::zip::write({{"metadata.json", entries.at("metadata.json")},
                                      {"config.json", mutate(entries.at("config.json"))},
                                      {"model.weights.h5", entries.at("model.weights.h5")}}));
    expect_clean_load_or_keep(path, str("config mutation ", i));
    // Legacy files get every kind of damage: what crashes or hangs libhdf5 itself (Debian 12's
    // 1.10) is caught by h5::probe (tests/data/saving/hdf5_crashers has such files).
    write_bytes(h5_path, mutate(h5_bytes));
    expect_clean_load_or_keep(h5_path, str("legacy mutation ", i));
  }
  if (fs::exists(corpus_dir())) {
    for (const auto& e : fs::directory_iterator(corpus_dir())) {
      expect_clean_load(e.path().string(), e.path().filename().string());
    }
  }
}

}  // namespace
}  // namespace keras
