#include "keras/layers/reversible_embedding.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/config/json.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/random.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

TEST(ReversibleEmbedding, ContractForward) {
  test::run_layer_test({
      .make_layer = [] { return ReversibleEmbedding(10, 3); },
      .input_shape = {2, 4},
      .expected_output_shape = {2, 4, 3},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
      .input_dtype = int32,
      .input_lo = 0,
      .input_hi = 9,
  });
  test::run_layer_test({
      .make_layer = [] { return ReversibleEmbedding(10, 3, {.tie_weights = false}); },
      .input_shape = {2, 4},
      .expected_output_shape = {2, 4, 3},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
      .input_dtype = int32,
      .input_lo = 0,
      .input_hi = 9,
  });
}

// Keras's call(x, reverse=True): x @ embeddings^T (tied) or x @ reverse_embeddings, then
// tanh(logits / cap) * cap with a soft cap.
TEST(ReversibleEmbedding, ReverseProjectsToTheVocabulary) {
  utils::set_random_seed(3);
  ReversibleEmbedding tied(7, 4);
  const Tensor ids = Tensor::from_vector<int32_t>({1, 6, 0}, {3});
  const Tensor h = tied(ids);
  const Tensor x = random::normal({2, 3, 4});
  const Tensor logits = tied(x, {.reverse = true});
  EXPECT_EQ(logits.shape(), (Shape{2, 3, 7}));
  const Tensor e = tied->embeddings().value();
  test::expect_all_close(logits, ops::matmul(x, ops::transpose(e)), 1e-6, 1e-6);
  test::expect_all_close(h, ops::take(e, ids, 0), 0, 0);

  ReversibleEmbedding capped(7, 4, {.tie_weights = false, .logit_soft_cap = 2.0});
  capped(ids);
  const Tensor r = capped->reverse_embeddings().value();
  EXPECT_EQ(r.shape(), (Shape{4, 7}));
  const Tensor want = ops::multiply(ops::tanh(ops::divide(ops::matmul(x, r), 2.0)), 2.0);
  test::expect_all_close(capped(x, {.reverse = true}), want, 1e-6, 1e-6);

  ReversibleEmbedding wide(7, 4, {.reverse_dtype = float64});
  wide(ids);
  EXPECT_EQ(wide(x, {.reverse = true}).dtype(), float64);
}

// The gradient of a reverse call reaches the shared table (and the inputs): central differences
// in float64.
TEST(ReversibleEmbedding, ReverseGradientMatchesFiniteDifferences) {
  utils::set_random_seed(4);
  ReversibleEmbedding emb(5, 3, {.logit_soft_cap = 1.5});
  emb->set_dtype(float64);
  emb(Tensor::from_vector<int32_t>({0}, {1}));
  const Tensor x = ops::cast(random::normal({2, 3}), float64);
  const Tensor w = ops::cast(random::normal({2, 5}), float64);
  auto loss = [&] { return ops::sum(ops::multiply(emb(x, {.reverse = true}), w)); };
  Tensors g;
  {
    autodiff::GradientTape tape;
    g = tape.gradient(loss(), {emb->embeddings().value()});
  }
  ASSERT_TRUE(g[0].defined());
  Tensor table = emb->embeddings().value();
  double* t = table.data<double>();
  const double* grad = g[0].data<double>();
  for (int64_t i = 0; i < table.size(); ++i) {
    const double keep = t[i], eps = 1e-6;
    t[i] = keep + eps;
    const double up = loss().item<double>();
    t[i] = keep - eps;
    const double down = loss().item<double>();
    t[i] = keep;
    EXPECT_NEAR(grad[i], (up - down) / (2 * eps), 1e-7) << "entry " << i;
  }
}

Model tied_language_model() {
  const KerasTensor ids = keras::Input({5}, {.dtype = int32});
  ReversibleEmbedding emb(12, 4, {.mask_zero = true, .name = "tokens"});
  const KerasTensor h = Dense(4, {.activation = "tanh"})(emb(ids));
  const KerasTensor logits = emb(h, {.reverse = true});
  return Model(ids, logits);
}

TEST(ReversibleEmbedding, FunctionalModelKeepsEachCallsMode) {
  Model m = tied_language_model();
  EXPECT_EQ(shape_str(m.outputs()[0].shape()), "(None, 5, 12)");
  auto emb = m.get_layer("tokens");
  EXPECT_EQ(emb->inbound_nodes().size(), 2u);
  // The saved config: the forward node without kwargs, the reverse one with reverse=true.
  const Json layers = m.get_config()["layers"];
  for (const Json& l : layers) {
    if (l["name"] != "tokens") continue;
    EXPECT_EQ(l["class_name"], "ReversibleEmbedding");
    EXPECT_EQ(l["config"]["tie_weights"], true);
    EXPECT_EQ(l["inbound_nodes"][0]["kwargs"], Json::object());
    EXPECT_EQ(l["inbound_nodes"][1]["kwargs"], Json::parse(R"({"reverse": true})"));
  }
  const Tensor ids = Tensor::from_vector<int32_t>({1, 2, 3, 0, 0, 11, 4, 4, 4, 4}, {2, 5});
  const Tensor y = m.predict(ids, {.verbose = 0});
  EXPECT_EQ(y.shape(), (Shape{2, 5, 12}));
  // Through both file formats and back: the same numbers.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("keras_reversible_embedding_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const char* name : {"lm.keras", "lm.h5"}) {
    SCOPED_TRACE(name);
    m.save((dir / name).string());
    Model loaded = models::load_model((dir / name).string());
    test::expect_all_close(loaded.predict(ids, {.verbose = 0}), y, 0, 0);
  }
  std::filesystem::remove_all(dir);
}

// The table's gradient is the forward call's rows plus the reverse call's dense product: SGD
// (which updates only the looked-up rows of a plain Embedding) must update every row here.
TEST(ReversibleEmbedding, TrainsTheSharedTableFromBothCalls) {
  utils::set_random_seed(5);
  Model m = tied_language_model();
  m.compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy"});
  const Tensor ids = random::randint({16, 5}, 1, 6);  // rows 6..11 are never looked up
  const Tensor before = ops::copy(m.get_layer("tokens")->weights()[0].value());
  const auto history = m.fit(ids, ids, {.epochs = 3, .batch_size = 8, .verbose = 0});
  const auto& loss = history.history.at("loss");
  EXPECT_LT(loss.back(), loss.front());
  const Tensor change =
      ops::abs(ops::subtract(m.get_layer("tokens")->weights()[0].value(), before));
  const Tensor unused_rows = ops::slice(change, {6, 0}, {6, 4});
  EXPECT_GT(ops::min(ops::max(unused_rows, {1})).item<float>(), 0.0f);
}

TEST(ReversibleEmbedding, ErrorsNameTheLayer) {
  ReversibleEmbedding emb(6, 3, {.name = "emb"});
  const KerasTensor h = keras::Input({2, 4});
  try {
    emb(h, {.reverse = true});
    FAIL() << "no error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("\"emb\""), std::string::npos) << e.what();
  }
  // The failed call left no reverse mode behind: a plain call is a forward one.
  const KerasTensor ids = keras::Input({2}, {.dtype = int32});
  EXPECT_EQ(shape_str(emb(ids).shape()), "(None, 2, 3)");
  EXPECT_THROW(ReversibleEmbedding(6, 3, {.logit_soft_cap = 0.0}), ValueError);
  EXPECT_THROW(ReversibleEmbedding(6, 3, {.reverse_dtype = int32}), ValueError);
}

}  // namespace
}  // namespace keras::layers
