// MultiHeadAttention, GroupQueryAttention, Attention and AdditiveAttention: the layer contract
// (float64 gradients, reference vs CPU backend, guarded device, a training step), the batched
// computation against a loop over heads, masks, call arguments and errors. Keras's own numbers
// are checked by tests/integration/attention_fixtures_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/config/json.h"
#include "keras/layers/attention/additive_attention.h"
#include "keras/layers/attention/attention.h"
#include "keras/layers/attention/group_query_attention.h"
#include "keras/layers/attention/multi_head_attention.h"
#include "keras/layers/embedding.h"
#include "keras/layers/input_layer.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

// The layer harness calls a layer on one input: this runs an attention layer as self-attention,
// inner([x, x]) (a test adapter, not saveable; the fixtures test saving).
class SelfAttention final : public Layer {
 public:
  explicit SelfAttention(std::shared_ptr<Layer> inner)
      : Layer("", "self_attention"), inner_(std::move(inner)) {}
  std::string class_name() const override { return "SelfAttention"; }
  bool batch_independent() const override { return true; }
  void set_dtype(DType dtype) override {
    Layer::set_dtype(dtype);
    inner_->set_dtype(dtype);
  }
  std::vector<Variable> weights() const override { return inner_->weights(); }
  void build(const std::vector<Shape>& s) override { inner_->maybe_build({s[0], s[0]}); }
  Tensors call(const Tensors& in, bool training) override {
    return {inner_->call_with_masks({in[0], in[0]}, training)[0]};
  }
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& s) const override {
    return {inner_->compute_output_shape({s[0], s[0]})[0]};
  }

 private:
  std::shared_ptr<Layer> inner_;
};

LayerRef self_attention(const LayerRef& inner) {
  return LayerRef(std::make_shared<SelfAttention>(inner.layer()));
}

TEST(MultiHeadAttention, Contract) {
  test::run_layer_test({
      .make_layer = [] { return self_attention(MultiHeadAttention(2, 3)); },
      .input_shape = {2, 5, 6},
      .expected_output_shape = {2, 5, 6},
      .expected_num_weights = 8,
      .expected_num_trainable_weights = 8,
      .check_saving = false,
  });
}

TEST(MultiHeadAttention, ContractCausalValueDimOutputShape) {
  test::run_layer_test({
      .make_layer =
          [] {
            MultiHeadAttention mha(3, 2, {.value_dim = 4, .output_shape = {{5}}});
            mha->set_signature({.use_causal_mask = true});
            return self_attention(mha);
          },
      .input_shape = {2, 4, 6},
      .expected_output_shape = {2, 4, 5},
      .expected_num_weights = 8,
      .expected_num_trainable_weights = 8,
      .check_saving = false,
  });
}

TEST(MultiHeadAttention, ContractTwoAttentionAxes) {
  test::run_layer_test({
      .make_layer =
          [] {
            return self_attention(MultiHeadAttention(2, 3, {.attention_axes = {{1, 2}}}));
          },
      .input_shape = {2, 3, 2, 4},
      .expected_output_shape = {2, 3, 2, 4},
      .expected_num_weights = 8,
      .expected_num_trainable_weights = 8,
      .check_saving = false,
  });
}

TEST(MultiHeadAttention, ContractNonAttentionAxisNoBias) {
  test::run_layer_test({
      .make_layer =
          [] {
            return self_attention(
                MultiHeadAttention(2, 3, {.use_bias = false, .attention_axes = {{2}}}));
          },
      .input_shape = {2, 3, 2, 4},
      .expected_output_shape = {2, 3, 2, 4},
      .expected_num_weights = 4,
      .expected_num_trainable_weights = 4,
      .check_saving = false,
  });
}

// Called through the plain list call with too few tensors: ValueError naming the layer.
TEST(MultiHeadAttention, OneTensorListIsAValueError) {
  const KerasTensor q = Input({4, 8});
  EXPECT_THROW((MultiHeadAttention(2, 4, {.name = "mha"})(KerasTensors{q})), ValueError);
  EXPECT_THROW((GroupQueryAttention(4, 2, 1)(KerasTensors{q})), ValueError);
  try {
    MultiHeadAttention(2, 4, {.name = "mha2"})(KerasTensors{q});
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("Layer mha2 (MultiHeadAttention) expects 2 inputs"),
              std::string::npos)
        << e.what();
  }
}

TEST(GroupQueryAttention, Contract) {
  test::run_layer_test({
      .make_layer = [] { return self_attention(GroupQueryAttention(3, 4, 2)); },
      .input_shape = {2, 5, 6},
      .expected_output_shape = {2, 5, 6},
      .expected_num_weights = 8,
      .expected_num_trainable_weights = 8,
      .check_saving = false,
  });
}

// use_gate adds gate/kernel and gate/bias (10 weights); the sliding window (2: each position
// sees itself and its neighbours) with the causal mask leaves two keys per row.
TEST(MultiHeadAttention, ContractGateSlidingWindow) {
  test::run_layer_test({
      .make_layer =
          [] {
            MultiHeadAttention mha(2, 3, {.value_dim = 4, .use_gate = true, .sliding_window = 2});
            mha->set_signature({.use_causal_mask = true});
            return self_attention(mha);
          },
      .input_shape = {2, 5, 6},
      .expected_output_shape = {2, 5, 6},
      .expected_num_weights = 10,
      .expected_num_trainable_weights = 10,
      .check_saving = false,
  });
}

TEST(GroupQueryAttention, ContractGateSlidingWindow) {
  test::run_layer_test({
      .make_layer =
          [] {
            return self_attention(
                GroupQueryAttention(3, 4, 2, {.use_gate = true, .sliding_window = 3}));
          },
      .input_shape = {2, 5, 6},
      .expected_output_shape = {2, 5, 6},
      .expected_num_weights = 10,
      .expected_num_trainable_weights = 10,
      .check_saving = false,
  });
}

TEST(MultiHeadAttention, SlidingWindowKeepsABand) {
  MultiHeadAttention mha(2, 3, {.sliding_window = 2});
  mha->set_signature({.return_attention_scores = true});
  const Tensor in = test::random_tensor({1, 5, 6}, float32, -1, 1, 9);
  const Tensor s = (*mha.layer())(Tensors{in, in}).at(1).cpu();  // (1, 2, 5, 5)
  for (int h = 0; h < 2; ++h) {
    for (int i = 0; i < 5; ++i) {
      for (int j = 0; j < 5; ++j) {
        const float p = s.data<float>()[(h * 5 + i) * 5 + j];
        if (std::abs(i - j) >= 2) {
          EXPECT_EQ(p, 0.0f) << h << " " << i << " " << j;
        } else {
          EXPECT_GT(p, 0.0f);
        }
      }
    }
  }
  const Json c = mha->get_config();
  EXPECT_EQ(c["sliding_window"], 2);
  EXPECT_EQ(c["use_gate"], false);
}

TEST(MultiHeadAttention, GateAndSlidingWindowMisuse) {
  const std::string wording =
      "`sliding_window` must be `None` or a positive integer. Received: sliding_window=0";
  try {
    MultiHeadAttention(2, 3, {.sliding_window = 0});
    ADD_FAILURE() << "no error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find(wording), std::string::npos) << e.what();
  }
  EXPECT_THROW(GroupQueryAttention(3, 4, 2, {.sliding_window = -1}), ValueError);
  MultiHeadAttention ok(2, 3, {.use_gate = true, .sliding_window = 4});
  Json c = ok->get_config();
  EXPECT_EQ(c["use_gate"], true);
  EXPECT_EQ(c["sliding_window"], 4);
  EXPECT_NO_THROW(MultiHeadAttentionImpl::from_config(c));
  c["sliding_window"] = 0;
  try {
    MultiHeadAttentionImpl::from_config(c);
    ADD_FAILURE() << "no error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find(wording), std::string::npos) << e.what();
  }
  c["sliding_window"] = "wide";
  EXPECT_THROW(MultiHeadAttentionImpl::from_config(c), ValueError);
  Json g = GroupQueryAttention(3, 4, 2, {.use_gate = true, .sliding_window = 2})->get_config();
  EXPECT_EQ(g["use_gate"], true);
  g["sliding_window"] = 0;
  EXPECT_THROW(GroupQueryAttentionImpl::from_config(g), ValueError);
}

TEST(Attention, ContractDotScaled) {
  test::run_layer_test({
      .make_layer = [] { return self_attention(Attention({.use_scale = true})); },
      .input_shape = {2, 4, 3},
      .expected_output_shape = {2, 4, 3},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
      .check_saving = false,
  });
}

TEST(Attention, ContractConcat) {
  test::run_layer_test({
      .make_layer =
          [] { return self_attention(Attention({.use_scale = true, .score_mode = "concat"})); },
      .input_shape = {2, 4, 3},
      .expected_output_shape = {2, 4, 3},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
      .check_saving = false,
  });
}

// Keras's Attention._calculate_score_mask: with use_causal_mask the scores are masked by the
// value's mask and the causal band only, so a masked query still gets its row of scores
// (attention_test.py); only its output is zeroed. Same kernels, same shapes: exact.
TEST(Attention, CausalScoresIgnoreTheQueryMask) {
  Attention att;
  att->set_signature({.return_attention_scores = true, .use_causal_mask = true});
  const Tensor qx = test::random_tensor({2, 4, 4}, float32, -1, 1, 11);
  const Tensor vx = test::random_tensor({2, 4, 4}, float32, -1, 1, 12);
  const Tensor qm = ops::cast(test::tensor_of({1, 1, 1, 0, 1, 1, 0, 1}, {2, 4}), bool_);
  const Tensor vm = ops::cast(test::tensor_of({0, 1, 1, 1, 1, 0, 1, 1}, {2, 4}), bool_);
  auto run = [&](bool query_mask) {
    Tensor q = ops::add(qx, 0.0), v = ops::add(vx, 0.0);
    if (query_mask) q.set_keras_mask(qm);
    v.set_keras_mask(vm);
    return (*att.layer())({q, v}, false);
  };
  const Tensors masked = run(true), plain = run(false);
  test::expect_all_close(masked[1], plain[1], 0, 0);
  EXPECT_EQ(masked[1].at<float>({0, 3, 0}), 0.0f);  // value mask
  EXPECT_GT(masked[1].at<float>({0, 3, 2}), 0.0f);  // the masked query's row is not uniform
  EXPECT_EQ(masked[1].at<float>({1, 2, 3}), 0.0f);  // causal
  for (int64_t f = 0; f < 4; ++f) EXPECT_EQ(masked[0].at<float>({0, 3, f}), 0.0f);
}

// Keras 3 gives the first output the first argument's mask: the attention scores carry none,
// for Attention and MultiHeadAttention alike, so a loss on them averages every entry (with the
// query's mask on them, keras.cpp averaged the unmasked queries' rows only).
TEST(Attention, ScoresCarryNoMask) {
  Tensor q = test::random_tensor({2, 4, 4}, float32, -1, 1, 13);
  q.set_keras_mask(ops::cast(test::tensor_of({1, 1, 0, 0, 1, 1, 1, 0}, {2, 4}), bool_));
  Attention att;
  att->set_signature({.return_attention_scores = true});
  const Tensors a = (*att.layer())({q, q}, false);
  EXPECT_TRUE(a[0].keras_mask().defined());
  EXPECT_FALSE(a[1].keras_mask().defined());
  MultiHeadAttention mha(2, 2);
  mha->set_signature({.return_attention_scores = true});
  const Tensors m = (*mha.layer())({q, q}, false);
  EXPECT_TRUE(m[0].keras_mask().defined());
  EXPECT_FALSE(m[1].keras_mask().defined());

  utils::set_random_seed(3);
  auto ids = Input({5}, {.dtype = int32});
  auto e = Embedding(10, 4, {.mask_zero = true})(ids);
  const KerasTensors outs = Attention().call_multi({e, e}, {.return_attention_scores = true});
  Model model(ids, {outs[0], outs[1]});
  model.compile({.optimizer = "sgd", .loss = {"mse", "mse"}});
  const Tensor x = Tensor::from_vector<int32_t>({1, 2, 0, 0, 0, 3, 4, 5, 0, 0}, {2, 5});
  const Tensor y0 = test::random_tensor({2, 5, 4}, float32, 0, 1, 14);
  const Tensor y1 = test::random_tensor({2, 5, 5}, float32, 0, 1, 15);
  const Results r = model.evaluate(x, Data{Tensors{y0, y1}}, {.verbose = 0});
  const Tensor scores = model.predict(x)[1];
  const double want = ops::mean(ops::square(ops::subtract(scores, y1))).item<double>();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_NEAR(r[2], want, 1e-6);
}

TEST(AdditiveAttention, Contract) {
  test::run_layer_test({
      .make_layer = [] { return self_attention(AdditiveAttention()); },
      .input_shape = {2, 4, 3},
      .expected_output_shape = {2, 4, 3},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
      .check_saving = false,
  });
}

// The definition, one head at a time: softmax(q_h k_hᵀ / sqrt(dk)) v_h, then the output
// projection, in float64 (the oracle of the batched path).
Tensor per_head_reference(const MultiHeadAttentionImpl& mha,
                          const Tensor& query,
                          const Tensor& value,
                          const Tensor& mask) {
  const std::vector<Variable> w = mha.weights();  // q kernel, bias, k, bias, v, bias, o, bias
  const int64_t heads = mha.num_heads(), dk = mha.key_dim();
  Tensor out;
  for (int64_t h = 0; h < heads; ++h) {
    auto proj = [&](const Tensor& x, size_t i) {
      const Tensor k = ops::reshape(ops::slice_axis(w[i].value(), 1, h, 1), {x.dim(2), -1});
      const Tensor b = ops::reshape(ops::slice_axis(w[i + 1].value(), 0, h, 1), {-1});
      return ops::add(ops::matmul(x, k), b);
    };
    const Tensor q = proj(query, 0), k = proj(value, 2), v = proj(value, 4);
    Tensor s = ops::multiply(ops::matmul_t(q, k, false, true), 1.0 / std::sqrt(double(dk)));
    s = ops::where(mask, s, ops::full_like(s, -1e9));
    const Tensor ctx = ops::matmul(ops::softmax(s, -1), v);
    const Tensor o = ops::reshape(ops::slice_axis(w[6].value(), 0, h, 1), {ctx.dim(2), -1});
    const Tensor part = ops::matmul(ctx, o);
    out = out.defined() ? ops::add(out, part) : part;
  }
  return ops::add(out, w[7].value());
}

TEST(MultiHeadAttention, BatchedHeadsMatchALoopOverHeads) {
  MultiHeadAttention mha(3, 4, {.bias_initializer = "random_normal"});
  mha->set_dtype(float64);
  mha->set_signature({.has_attention_mask = true});
  const Tensor q = test::random_tensor({2, 5, 6}, float64, -1, 1, 1);
  const Tensor v = test::random_tensor({2, 7, 6}, float64, -1, 1, 2);
  const Tensor mask = ops::greater(test::random_tensor({2, 5, 7}, float64, 0, 1, 3), 0.3);
  const Tensor y = mha({q, v, mask});
  // Rows keep at least one key with this seed (checked): fully masked rows differ by design.
  ASSERT_TRUE(ops::all(ops::any(mask, {-1})).item<bool>());
  test::expect_all_close(y, per_head_reference(*mha.operator->(), q, v, mask), 1e-12, 1e-12);
}

TEST(MultiHeadAttention, MasksFromTheInputsCombineAsKerasDoes) {
  // A padded value position gets no weight: changing the value there changes nothing. The output
  // carries the query's mask, and the inputs lose theirs (Keras's call removes them).
  Embedding emb(10, 4, {.mask_zero = true});
  MultiHeadAttention mha(2, 3);
  const Tensor ids = ops::cast(test::tensor_of({1, 2, 3, 0, 0, 4, 5, 0, 0, 0}, {2, 5}), int32);
  const Tensor q1 = emb(ids), v1 = emb(ids), q2 = emb(ids), e = emb(ids);
  const Tensor mask = e.keras_mask();
  ASSERT_TRUE(mask.defined());
  const Tensor v2 = ops::where(ops::expand_dims(mask, -1), e, ops::full_like(e, 7.0));
  v2.set_keras_mask(mask);
  const Tensor a = mha({q1, v1});
  const Tensor b = mha({q2, v2});
  ASSERT_TRUE(a.keras_mask().defined());
  EXPECT_FALSE(q1.keras_mask().defined());
  EXPECT_FALSE(v1.keras_mask().defined());
  const Tensor keep = ops::expand_dims(mask, -1);
  test::expect_all_close(ops::where(keep, a, ops::zeros_like(a)),
                         ops::where(keep, b, ops::zeros_like(b)), 1e-6, 1e-6);
  // Without the mask the padded values count.
  const Tensor c = mha({emb(ids), ops::add(v2, 0.0)});
  EXPECT_GT(ops::max(ops::abs(ops::subtract(ops::where(keep, c, ops::zeros_like(c)),
                                            ops::where(keep, a, ops::zeros_like(a)))))
                .item<float>(),
            1e-3);
}

TEST(MultiHeadAttention, EachCallKeepsItsArguments) {
  MultiHeadAttention mha(2, 3);
  auto x = keras::Input({4, 6});
  const KerasTensor plain = mha(x, x);
  const KerasTensors causal =
      mha.call_multi(x, x, {.return_attention_scores = true, .use_causal_mask = true});
  ASSERT_EQ(causal.size(), 2u);
  EXPECT_EQ(plain.shape(), (Shape{kNone, 4, 6}));
  EXPECT_EQ(causal[1].shape(), (Shape{kNone, 2, 4, 4}));
  EXPECT_FALSE(mha->same_call(*mha->inbound_nodes()[0], *mha->inbound_nodes()[1]));
  // Eager calls take the first call's arguments: one output.
  const Tensor in = test::random_tensor({1, 4, 6}, float32, -1, 1, 5);
  EXPECT_EQ((*mha.layer())(Tensors{in, in}).size(), 1u);
  EXPECT_THROW(mha(x, x, {.return_attention_scores = true}), ValueError);  // use call_multi
  EXPECT_THROW(MultiHeadAttention(0, 3), ValueError);
  EXPECT_THROW(GroupQueryAttention(4, 3, 2), ValueError);  // 3 query heads, 2 kv heads
  EXPECT_THROW(Attention({.score_mode = "general"}), ValueError);
}

TEST(MultiHeadAttention, ScoresShapeAndCausalRows) {
  MultiHeadAttention mha(2, 3);
  auto x = keras::Input({4, 6});
  const KerasTensors out =
      mha.call_multi(x, x, {.return_attention_scores = true, .use_causal_mask = true});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].shape(), (Shape{kNone, 2, 4, 4}));
  const Tensor in = test::random_tensor({1, 4, 6}, float32, -1, 1, 5);
  const Tensors y = mha->call_with_masks({in, in}, false);
  const Tensor s = y[1].cpu();
  for (int h = 0; h < 2; ++h) {
    for (int i = 0; i < 4; ++i) {
      double sum = 0;
      for (int j = 0; j < 4; ++j) {
        const float p = s.data<float>()[(h * 4 + i) * 4 + j];
        if (j > i) {
          EXPECT_EQ(p, 0.0f);
        }
        sum += p;
      }
      EXPECT_NEAR(sum, 1.0, 1e-6);
    }
  }
}

// Forward + backward of MHA (batch 32, sequence 64, 4 heads, key_dim 32, model dim 128): the
// batched layer against the same maths as a loop over heads (per_head_reference's ops, in
// float32). Prints the times; asserts only that both ran (timings vary with the machine load).
TEST(MultiHeadAttention, TimingBatchedAgainstLoopOverHeads) {
  MultiHeadAttention mha(4, 32);
  const Tensor x = test::random_tensor({32, 64, 128}, float32, -1, 1, 7);
  const Tensor all = ops::greater(ops::add(zeros({32, 64, 64}), 1.0), 0.0);
  mha->set_signature({.has_attention_mask = true});
  mha({x, x, all});
  auto time = [&](const std::function<Tensor()>& f) {
    double best = 1e9;
    for (int rep = 0; rep < 3; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      autodiff::GradientTape tape;
      Tensors w;
      for (const Variable& v : mha->trainable_weights()) w.push_back(v.value());
      for (const Tensor& v : w) tape.watch(v);
      const Tensor loss = ops::sum(f());
      const Tensors g = tape.gradient(loss, w);
      EXPECT_EQ(g.size(), w.size());
      best = std::min(best,
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
  };
  const double batched = time([&] { return mha({x, x, all}); });
  const double loop = time([&] { return per_head_reference(*mha.operator->(), x, x, all); });
  std::printf(
      "MHA fwd+bwd (32, 64, 4 heads, key_dim 32, dim 128): batched %.2f ms, loop over "
      "heads %.2f ms\n",
      batched * 1e3, loop * 1e3);
}

// Keras 3's test_attention_nd_inputs: inputs of rank 4 attend over their second-to-last axis,
// the leading axes batch (values from Keras 3.15 with JAX).
TEST(Attention, AttendsOverTheSecondToLastAxisOfHigherRanks) {
  std::vector<double> qv(24), vv(24);
  for (size_t i = 0; i < 24; ++i) {
    qv[i] = static_cast<double>(i % 5) / 5.0;
    vv[i] = static_cast<double>(i % 7) / 7.0;
  }
  const Tensor q = test::tensor_of(qv, {2, 2, 3, 2}, float32);
  const Tensor v = test::tensor_of(vv, {2, 2, 3, 2}, float32);
  Attention att;
  att->set_signature({.return_attention_scores = true});
  const Tensors out = (*att.layer())({q, v}, false);
  ASSERT_EQ(out[0].shape(), (Shape{2, 2, 3, 2}));
  ASSERT_EQ(out[1].shape(), (Shape{2, 2, 3, 3}));
  test::expect_all_close(
      out[0],
      test::tensor_of({0.29659274, 0.43944988, 0.33940849, 0.48226562, 0.32887685, 0.47173399,
                       0.47685486, 0.29975274, 0.49259767, 0.30652189, 0.46821290, 0.29659274,
                       0.42056018, 0.56341732, 0.40320316, 0.54606026, 0.38570452, 0.52856165,
                       0.55174291, 0.39253598, 0.51911211, 0.35067278, 0.54181671, 0.37804618},
                      {2, 2, 3, 2}, float32),
      1e-6, 1e-6);
  Attention causal;
  causal->set_signature({.use_causal_mask = true});
  test::expect_all_close(
      (*causal.layer())({q, v}, false)[0],
      test::tensor_of({0.0,        0.14285715, 0.16312762, 0.30598477, 0.32887685, 0.47173399,
                       0.85714287, 0.0,        0.53559572, 0.12861887, 0.46821290, 0.29659274,
                       0.71428573, 0.85714287, 0.45649484, 0.59935200, 0.38570452, 0.52856165,
                       0.57142860, 0.71428573, 0.70409894, 0.38260975, 0.54181671, 0.37804618},
                      {2, 2, 3, 2}, float32),
      1e-6, 1e-6);
  EXPECT_EQ(shape_str(Attention()({Input({4, 3, 2}), Input({4, 5, 2})}).shape()),
            "(None, 4, 3, 2)");
}

// Keras's _apply_scores returns the weights after dropout in training (attention_test.py's
// test_attention_with_dropout): the output is those weights times the value.
TEST(Attention, ReturnsTheScoresAfterDropoutInTraining) {
  const Tensor q = test::random_tensor({2, 6, 3}, float32, -1, 1, 21);
  Attention att({.dropout = 0.5, .seed = 7});
  att->set_signature({.return_attention_scores = true});
  const Tensors train = (*att.layer())({q, q}, true), infer = (*att.layer())({q, q}, false);
  EXPECT_GT(test::max_abs(ops::subtract(train[1], infer[1])), 0.1);
  EXPECT_EQ(ops::min(train[1]).item<float>(), 0.0f);
  // Same kernels on the same shapes as the layer's own product: exact.
  test::expect_all_close(train[0], ops::matmul(train[1], q), 0, 0);
}

TEST(Attention, InputListErrorsInKerasWording) {
  test::expect_throws_with<ValueError>(
      [] {
        Attention()({Input({2, 3})});
      },
      "Attention layer must be called on a list of inputs, namely [query, value] or [query, "
      "value, key]");
  test::expect_throws_with<ValueError>(
      [] {
        AdditiveAttention()({Input({2, 3}), Input({2, 3}), Input({2, 3}), Input({2, 3})});
      },
      "AdditiveAttention layer accepts inputs list of length 2 or 3, namely [query, value] or "
      "[query, value, key]. Received length: 4.");
}

}  // namespace
}  // namespace keras::layers
