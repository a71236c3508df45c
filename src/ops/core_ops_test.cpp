// keras.ops' core functions: scatter, scatter_update, slice_update, rearrange (core.h), the named
// segment reductions (math.h), hard_swish and ctc_decode (nn.h) and the control flow
// (control_flow.h). Op cases for the differentiable ones; values and errors against keras.ops on
// JAX (Keras 3.15), pasted beside the Keras call that gave them; the KerasTensor forms saved and
// loaded back.
#include <gtest/gtest.h>

#include <functional>
#include <keras/keras.hpp>
#include <limits>

#include "harness/keras_fixtures.h"
#include "harness/op_case.h"
#include "harness/tensor_matchers.h"

namespace keras::ops {
namespace {

using test::OpCase;
using test::tensor_of;
using test::to_doubles;

constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor ints(const std::vector<int64_t>& v, Shape shape) {
  return Tensor::from_vector(v, std::move(shape));
}

const OpCase kCases[] = {
    {.name = "scatter_entries_with_duplicates_and_dropped",
     .input_shapes = {{5}},
     .fn =
         [](const Tensors& x) {
           return scatter(ints({0, 1, 1, 1, 0, 1, 5, 0, -1, 2}, {5, 2}), x[0], {2, 3});
         },
     .expected_shape = Shape{2, 3}},
    {.name = "scatter_rows",
     .input_shapes = {{3, 2}},
     .fn =
         [](const Tensors& x) {
           return scatter(ints({1, 0, 1}, {3, 1}), x[0], {3, 2});
         },
     .expected_shape = Shape{3, 2}},
    {.name = "scatter_update_set_last_wins",
     .input_shapes = {{3, 4}, {5}},
     .fn =
         [](const Tensors& x) {
           return scatter_update(x[0], ints({0, 1, 2, 3, 0, 1, -1, 0, 7, 0}, {5, 2}), x[1]);
         },
     .expected_shape = Shape{3, 4}},
    {.name = "scatter_update_add",
     .input_shapes = {{3, 4}, {5}},
     .fn =
         [](const Tensors& x) {
           return scatter_update(x[0], ints({0, 1, 2, 3, 0, 1, -1, 0, 7, 0}, {5, 2}), x[1], "add");
         }},
    {.name = "scatter_update_max_rows",
     .input_shapes = {{3, 4}, {2, 4}},
     .fn =
         [](const Tensors& x) {
           return scatter_update(x[0], ints({2, 0}, {2, 1}), x[1], "max");
         },
     .make_inputs = test::inputs_away_from({{3, 4}, {2, 4}}, {}, -2, 2)},
    {.name = "scatter_update_mul",
     .input_shapes = {{3, 4}, {3}},
     .fn =
         [](const Tensors& x) {
           return scatter_update(x[0], ints({0, 1, 2, 3, 0, 1}, {3, 2}), x[1], "mul");
         }},
    {.name = "slice_update_clamped",
     .input_shapes = {{3, 4}, {2, 2}},
     .fn =
         [](const Tensors& x) {
           return slice_update(x[0], {2, 1}, x[1]);
         },
     .expected_shape = Shape{3, 4}},
    {.name = "rearrange_split_merge",
     .input_shapes = {{2, 4, 6}},
     .fn =
         [](const Tensors& x) {
           return rearrange(x[0], "b h (w c) -> b (c h) w", {{"c", 2}});
         },
     .expected_shape = Shape{2, 8, 3}},
    {.name = "rearrange_space_to_depth",
     .input_shapes = {{2, 4, 6}},
     .fn =
         [](const Tensors& x) {
           return rearrange(x[0], "b (h h1) (w w1) -> b h w (h1 w1)", {{"h1", 2}, {"w1", 3}});
         },
     .expected_shape = Shape{2, 2, 2, 6}},
    {.name = "segment_sum_named",
     .input_shapes = {{5, 2}},
     .fn =
         [](const Tensors& x) {
           return segment_sum(x[0], ints({0, 0, 2, 2, 0}, {5}), 4);
         },
     .expected_shape = Shape{4, 2}},
    {.name = "segment_prod_inferred_count",
     .input_shapes = {{5, 2}},
     .fn =
         [](const Tensors& x) {
           return segment_prod(x[0], ints({0, 0, 2, 2, 0}, {5}));
         },
     .expected_shape = Shape{3, 2}},
    {.name = "hard_swish",
     .input_shapes = {{7}},
     .fn = [](const Tensors& x) { return hard_swish(x[0]); },
     .lo = -5,
     .hi = 5,
     .make_inputs = test::inputs_away_from({{7}}, {-3, 3}, -5, 5)},
    {.name = "cond_tensor_predicate",
     .input_shapes = {{3}},
     .fn =
         [](const Tensors& x) {
           return cond(
               greater(sum(x[0]), scalar_like(100.0, x[0])), [&] { return exp(x[0]); },
               [&] { return multiply(x[0], x[0]); });
         }},
    {.name = "switch_clamped_index",
     .input_shapes = {{3}},
     .fn =
         [](const Tensors& x) {
           const std::vector<std::function<Tensor(const Tensor&)>> branches{
               [](const Tensor& v) { return sin(v); }, [](const Tensor& v) { return cos(v); }};
           return switch_(int64_t{5}, branches, x[0]);
         }},
    {.name = "map_rows",
     .input_shapes = {{4, 3}},
     .fn =
         [](const Tensors& x) {
           return map([](const Tensor& r) { return multiply(r, sum(r)); }, x[0]);
         },
     .expected_shape = Shape{4, 3}},
    {.name = "scan_product_reverse",
     .input_shapes = {{2}, {4, 2}},
     .fn =
         [](const Tensors& x) {
           auto [carry, ys] = scan(
               [](const Tensor& c, const Tensor& v) {
                 return std::pair<Tensor, Tensor>{add(c, v), multiply(c, v)};
               },
               x[0], x[1], std::nullopt, true);
           return concatenate({expand_dims(carry, 0), ys}, 0);
         },
     .expected_shape = Shape{5, 2}},
    {.name = "fori_loop_tensors",
     .input_shapes = {{3}, {3}},
     .fn =
         [](const Tensors& x) {
           const Tensors out = fori_loop(
               0, 3,
               [](int64_t i, const Tensors& v) {
                 return Tensors{add(v[0], multiply(v[1], static_cast<double>(i))), tanh(v[1])};
               },
               Tensors{x[0], x[1]});
           return add(out[0], out[1]);
         }},
    {.name = "while_loop_max_iterations",
     .input_shapes = {{3}},
     .fn =
         [](const Tensors& x) {
           return while_loop([](const Tensor&) { return true; },
                             [](const Tensor& v) { return sin(add(v, 0.5)); }, x[0], 4);
         }},
    {.name = "associative_scan_add_axis1",
     .input_shapes = {{2, 5}},
     .fn =
         [](const Tensors& x) {
           return associative_scan([](const Tensor& a, const Tensor& b) { return add(a, b); }, x[0],
                                   false, 1);
         },
     .expected_shape = Shape{2, 5}},
    {.name = "associative_scan_mul_reverse_even",
     .input_shapes = {{6, 2}},
     .fn =
         [](const Tensors& x) {
           return associative_scan([](const Tensor& a, const Tensor& b) { return multiply(a, b); },
                                   x[0], true);
         },
     .lo = 0.5,
     .hi = 1.5,
     .expected_shape = Shape{6, 2}},
    {.name = "vectorized_map_pairs",
     .input_shapes = {{3, 2}, {3, 2}},
     .fn =
         [](const Tensors& x) {
           return vectorized_map(
               [](const Tensors& e) { return Tensors{multiply(e[0], sum(e[1]))}; },
               Tensors{x[0], x[1]})[0];
         },
     .expected_shape = Shape{3, 2}},
};
KERAS_INSTANTIATE_OP_TESTS(CoreOps, kCases);

// keras.ops.scatter(np.array([[0,1],[1,1],[0,1],[5,0],[-1,2]]), np.array([1.,2,3,4,5]), (2,3))
TEST(CoreOps, ScatterAddsDuplicatesAndDropsOutsideRows) {
  const Tensor y = scatter(ints({0, 1, 1, 1, 0, 1, 5, 0, -1, 2}, {5, 2}),
                           Tensor::from_vector<float>({1, 2, 3, 4, 5}), {2, 3});
  EXPECT_EQ(y.dtype(), float32);
  EXPECT_EQ(to_doubles(y), (std::vector<double>{0, 4, 0, 0, 2, 5}));
  // keras.ops.scatter(np.array([[0],[2],[0]]), np.array([1,2,3], "int32"), (4,)): int32
  const Tensor i = scatter(ints({0, 2, 0}, {3, 1}), Tensor::from_vector<int32_t>({1, 2, 3}), {4});
  EXPECT_EQ(i.dtype(), int32);
  EXPECT_EQ(to_doubles(i), (std::vector<double>{4, 0, 2, 0}));
}

// x = np.arange(12.).reshape(3, 4); idx = [[0,1],[2,3],[0,1],[-1,0],[7,0]];
// keras.ops.scatter_update(x, idx, [10., 20, 30, 40, 50], reduction=r)
TEST(CoreOps, ScatterUpdateReductionsMatchKeras) {
  const Tensor x = reshape(arange(12, float32), {3, 4});
  const Tensor idx = ints({0, 1, 2, 3, 0, 1, -1, 0, 7, 0}, {5, 2});
  const Tensor u = Tensor::from_vector<float>({10, 20, 30, 40, 50});
  EXPECT_EQ(to_doubles(scatter_update(x, idx, u)),
            (std::vector<double>{0, 30, 2, 3, 4, 5, 6, 7, 40, 9, 10, 20}));
  EXPECT_EQ(to_doubles(scatter_update(x, idx, u, "add")),
            (std::vector<double>{0, 41, 2, 3, 4, 5, 6, 7, 48, 9, 10, 31}));
  EXPECT_EQ(to_doubles(scatter_update(x, idx, u, "max")),
            (std::vector<double>{0, 30, 2, 3, 4, 5, 6, 7, 40, 9, 10, 20}));
  EXPECT_EQ(to_doubles(scatter_update(x, idx, u, "min")),
            (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(to_doubles(scatter_update(x, idx, u, "mul")),
            (std::vector<double>{0, 300, 2, 3, 4, 5, 6, 7, 320, 9, 10, 220}));
  // keras.ops.scatter_update(x, [[2],[0]], [[1.,2,3,4],[5,6,7,8]])
  EXPECT_EQ(
      to_doubles(scatter_update(x, ints({2, 0}, {2, 1}),
                                Tensor::from_vector<float>({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4}))),
      (std::vector<double>{5, 6, 7, 8, 4, 5, 6, 7, 1, 2, 3, 4}));
  test::expect_throws_with<ValueError>(
      [&] { scatter_update(x, idx, u, "foo"); },
      "Invalid reduction: foo. Supported values are: None, 'add', 'max', 'min', 'mul'.");
  test::expect_throws_with<ValueError>([&] { scatter_update(x, idx, arange(3, float32)); },
                                       "do not fit");
}

// The gradient of a "set" reaches only the update that wins a duplicated row (JAX's).
TEST(CoreOps, ScatterUpdateGradientSkipsOverwrittenUpdates) {
  const Tensor x = zeros({2, 2}, float64);
  const Tensor u = Tensor::from_vector<double>({1, 2, 3});
  autodiff::GradientTape tape;
  tape.watch(x);
  tape.watch(u);
  const Tensor y = sum(scatter_update(x, ints({0, 0, 1, 1, 0, 0}, {3, 2}), u));
  const Tensors g = tape.gradient(y, {x, u});
  EXPECT_EQ(to_doubles(g[0]), (std::vector<double>{0, 1, 1, 0}));
  EXPECT_EQ(to_doubles(g[1]), (std::vector<double>{0, 1, 1}));
}

// keras.ops.slice_update(x, [2, 1], [[-1.,-2],[-3,-4]]): the start clamped to row 1.
TEST(CoreOps, SliceUpdateClampsAsJax) {
  const Tensor x = reshape(arange(12, float32), {3, 4});
  const Tensor u = Tensor::from_vector<float>({-1, -2, -3, -4}, {2, 2});
  EXPECT_EQ(to_doubles(slice_update(x, {2, 1}, u)),
            (std::vector<double>{0, 1, 2, 3, 4, -1, -2, 7, 8, -3, -4, 11}));
  EXPECT_EQ(to_doubles(slice_update(x, {0, 1}, u)),
            (std::vector<double>{0, -1, -2, 3, 4, -3, -4, 7, 8, 9, 10, 11}));
  test::expect_throws_with<ValueError>([&] { slice_update(x, {0}, u); }, "one index per axis");
  test::expect_throws_with<ValueError>(
      [&] {
        slice_update(x, {0, 0}, zeros({4, 1}));
      },
      "do not fit");
}

// t = np.arange(48.).reshape(2, 4, 6)
TEST(CoreOps, RearrangeMatchesKeras) {
  const Tensor t = reshape(arange(48, float32), {2, 4, 6});
  // keras.ops.rearrange(t, "b h w -> w b h")
  const Tensor p = rearrange(t, "b h w -> w b h");
  EXPECT_EQ(p.shape(), (Shape{6, 2, 4}));
  EXPECT_EQ(to_doubles(slice_axis(reshape(p, {-1}), 0, 0, 10)),
            (std::vector<double>{0, 6, 12, 18, 24, 30, 36, 42, 1, 7}));
  // keras.ops.rearrange(t, "b h (w c) -> b (c h) w", c=2)
  const Tensor s = rearrange(t, "b h (w c) -> b (c h) w", {{"c", 2}});
  EXPECT_EQ(s.shape(), (Shape{2, 8, 3}));
  EXPECT_EQ(to_doubles(slice_axis(reshape(s, {-1}), 0, 0, 14)),
            (std::vector<double>{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 1, 3}));
  // keras.ops.rearrange(t, "b (h h1) (w w1) -> b h w (h1 w1)", h1=2, w1=3)
  const Tensor d = rearrange(t, "b (h h1) (w w1) -> b h w (h1 w1)", {{"h1", 2}, {"w1", 3}});
  EXPECT_EQ(d.shape(), (Shape{2, 2, 2, 6}));
  EXPECT_EQ(to_doubles(slice_axis(reshape(d, {-1}), 0, 0, 12)),
            (std::vector<double>{0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11}));
  // Keras fails these with Python's own errors (TypeError, KeyError, unpacking's ValueError).
  test::expect_throws_with<ValueError>([&] { rearrange(t, "b h w -> b h"); },
                                       "must name every input axis once");
  test::expect_throws_with<ValueError>([&] { rearrange(t, "b h (w c) -> b h w c"); },
                                       "could not infer the sizes of 2 axes");
  test::expect_throws_with<ValueError>([&] { rearrange(t, "b h w"); }, "'input axes -> output");
  test::expect_throws_with<ValueError>([&] { rearrange(t, "b h -> h b"); }, "names 2 input axes");
  test::expect_throws_with<ValueError>([&] { rearrange(t, "b h w -> b h x"); }, "output axis 'x'");
  test::expect_throws_with<ValueError>(
      [&] {
        rearrange(t, "b h (w c) -> b h w c", {{"c", 4}});
      },
      "cannot be split");
}

// d = [[1,2],[3,-4],[5,6],[-7,8],[9,10]], ids [0,0,2,2,0]:
// keras.ops.segment_*(d, ids, num_segments=4)
TEST(CoreOps, NamedSegmentReductionsMatchKeras) {
  const Tensor d = Tensor::from_vector<float>({1, 2, 3, -4, 5, 6, -7, 8, 9, 10}, {5, 2});
  const Tensor ids = ints({0, 0, 2, 2, 0}, {5});
  EXPECT_EQ(to_doubles(segment_sum(d, ids, 4)), (std::vector<double>{13, 8, 0, 0, -2, 14, 0, 0}));
  EXPECT_EQ(to_doubles(segment_max(d, ids, 4)),
            (std::vector<double>{9, 10, -kInf, -kInf, 5, 8, -kInf, -kInf}));
  EXPECT_EQ(to_doubles(segment_min(d, ids, 4, true)),
            (std::vector<double>{1, -4, kInf, kInf, -7, 6, kInf, kInf}));
  EXPECT_EQ(to_doubles(segment_prod(d, ids, 4)),
            (std::vector<double>{27, -80, 1, 1, -35, 48, 1, 1}));
  EXPECT_EQ(segment_sum(d, ids).shape(), (Shape{3, 2}));  // max(ids) + 1
  EXPECT_EQ(test::message_of<ValueError>([&] {
              segment_sum(d, reshape(ids, {5, 1}), 2);
            }),
            "Argument `segment_ids` should be an 1-D vector, got shape: 2. Consider either "
            "flatten input with segment_ids.reshape((-1)) and data.reshape((-1, ) + "
            "data.shape[len(segment_ids.shape):]) or vectorize with vmap.");
  EXPECT_EQ(test::message_of<ValueError>([&] {
              segment_sum(d, ints({0, 0, 2}, {3}), 2);
            }),
            "Argument `segment_ids` and `data` should have same leading dimension. Got (3,) v.s. "
            "(5, 2).");
}

// keras.ops.hard_swish(np.array([-4., -1, 0, 1.5, 4]))
TEST(CoreOps, HardSwishIsHardSilu) {
  test::expect_all_close(hard_swish(Tensor::from_vector<float>({-4, -1, 0, 1.5, 4})),
                         Tensor::from_vector<float>({0, -0.3333333432674408f, 0, 1.125, 4}), 1e-7,
                         0);
}

// logits = np.random.default_rng(3).normal(size=(2, 6, 4)).astype("float32"), lengths [6, 4]
Tensor ctc_logits() {
  return Tensor::from_vector<float>(
      {2.040919065475464f,    -2.5556650161743164f,  0.4180988371372223f,   -0.5677695870399475f,
       -0.4526492953300476f,  -0.21559716761112213f, -2.019986152648926f,   -0.2319323718547821f,
       -0.8652130961418152f,  3.3229994773864746f,   0.22578661143779755f,  -0.3526307940483093f,
       -0.28128743171691895f, -0.6680463552474976f,  -1.0551505088806152f,  -0.39080098271369934f,
       0.4819453954696655f,   -0.23855361342430115f, 0.9577587246894836f,   -0.19980213046073914f,
       0.02425956539809704f,  1.5458208322525024f,   0.545105516910553f,    -0.5052287578582764f,
       -0.18283897638320923f, 0.5405251383781433f,   1.935088038444519f,    -0.2696203291416168f,
       -0.24355867505073547f, 1.0023136138916016f,   -0.8864599466323853f,  -0.2917202413082123f,
       0.8825389742851257f,   0.5803500413894653f,   0.09151670336723328f,  0.6701043844223022f,
       -2.82816219329834f,    1.0213068723678589f,   -0.9596447348594666f,  -1.6686198711395264f,
       0.27644574642181396f,  0.7005448937416077f,   -0.44476744532585144f, -1.0764058828353882f,
       0.026124833151698112f, -0.05274730920791626f, 1.4055981636047363f,   0.7474079728126526f},
      {2, 6, 4});
}

TEST(CoreOps, CtcDecodeGreedyMatchesKeras) {
  const Tensor lens = Tensor::from_vector<int32_t>({6, 4});
  // keras.ops.ctc_decode(logits, lens, strategy="greedy")
  auto [decoded, scores] = ctc_decode(ctc_logits(), lens);
  EXPECT_EQ(decoded.shape(), (Shape{1, 2, 6}));
  EXPECT_EQ(decoded.dtype(), int32);
  EXPECT_EQ(to_doubles(decoded), (std::vector<double>{1, 2, 1, -1, -1, -1, 2, 1, 1, -1, -1, -1}));
  test::expect_all_close(
      scores, Tensor::from_vector<float>({-7.3706135749816895f, -4.84124755859375f}, {2, 1}), 1e-6,
      0);
  // ..., merge_repeated=False, mask_index=3
  auto [d2, s2] = ctc_decode(ctc_logits(), lens, "greedy", 100, 1, false, 3);
  EXPECT_EQ(to_doubles(d2), (std::vector<double>{0, 1, 1, 0, 2, 1, 2, 1, 0, 1, -1, -1}));
  test::expect_all_close(s2, scores, 0, 0);
  test::expect_throws_with<ValueError>(
      [&] { ctc_decode(ctc_logits(), lens, "beam"); },
      "Invalid strategy beam. Supported values are 'greedy' and 'beam_search'.");
}

TEST(CoreOps, CtcDecodeBeamSearchMatchesKeras) {
  const Tensor lens = Tensor::from_vector<int32_t>({6, 4});
  // keras.ops.ctc_decode(logits, lens, strategy="beam_search", beam_width=3, top_paths=2)
  auto [decoded, log_probs] = ctc_decode(ctc_logits(), lens, "beam_search", 3, 2);
  EXPECT_EQ(decoded.shape(), (Shape{2, 2, 6}));
  EXPECT_EQ(to_doubles(decoded), (std::vector<double>{1, 2, 1,  -1, -1, -1, 2, 1, -1, -1, -1, -1,
                                                      1, 2, -1, -1, -1, -1, 2, 1, 1,  -1, -1, -1}));
  test::expect_all_close(log_probs,
                         Tensor::from_vector<float>({-2.75789213180542f, -2.9097113609313965f,
                                                     -2.118492841720581f, -2.2330169677734375f},
                                                    {2, 2}),
                         1e-5, 0);
  // ..., beam_width=5, top_paths=3, mask_index=None (the last class)
  auto [d2, p2] = ctc_decode(ctc_logits(), lens, "beam_search", 5, 3, true, std::nullopt);
  EXPECT_EQ(to_doubles(d2),
            (std::vector<double>{0, 1, 0, 1, -1, -1, 2, 1, -1, -1, -1, -1, 0, 1, 2, 1,  -1, -1,
                                 2, 1, 0, 1, -1, -1, 0, 1, 2,  -1, -1, -1, 2, 0, 1, -1, -1, -1}));
  test::expect_all_close(
      p2,
      Tensor::from_vector<float>({-1.9976983070373535f, -2.029636859893799f, -2.556743621826172f,
                                  -2.0563292503356934f, -2.2330169677734375f, -2.2713205814361572f},
                                 {2, 3}),
      1e-5, 0);
}

// ctc_loss and ctc_decode on KerasTensors: CTCLoss and CTCDecode nodes that compute the eager
// ops and load back.
TEST(CoreOps, CtcKerasTensorFormsMatchTheEagerOps) {
  auto logits = Input({6, 4}, {.batch_size = 2, .name = "logits"});
  auto lens = Input({}, {.batch_size = 2, .dtype = int32, .name = "lens"});
  auto labels = Input({2}, {.batch_size = 2, .dtype = int32, .name = "labels"});
  auto label_lens = Input({}, {.batch_size = 2, .dtype = int32, .name = "label_lens"});
  auto [greedy, greedy_scores] = ctc_decode(logits, lens);
  auto [beams, beam_scores] = ctc_decode(logits, lens, "beam_search", 3, 2, true, std::nullopt);
  auto loss = ctc_loss(labels, logits, label_lens, lens);
  Model m({logits, lens, labels, label_lens}, {greedy, greedy_scores, beams, beam_scores, loss});
  const Tensor lengths = Tensor::from_vector<int32_t>({6, 4});
  const Tensor target = Tensor::from_vector<int32_t>({1, 2, 3, 1}, {2, 2});
  const Tensor target_lengths = Tensor::from_vector<int32_t>({2, 2});
  const Tensors in{ctc_logits(), lengths, target, target_lengths};
  const Outputs want = m.predict(in);
  auto [g, gs] = ctc_decode(ctc_logits(), lengths);
  auto [b, bs] = ctc_decode(ctc_logits(), lengths, "beam_search", 3, 2, true, std::nullopt);
  test::expect_all_close(want[0], g, 0, 0);
  test::expect_all_close(want[1], gs, 0, 0);
  test::expect_all_close(want[2], b, 0, 0);
  test::expect_all_close(want[3], bs, 0, 0);
  test::expect_all_close(want[4], ctc_loss(target, ctc_logits(), target_lengths, lengths), 1e-6, 0);
  const std::string path = test::fixture_temp_path("core_ops_ctc_forms.keras");
  m.save(path);
  const Outputs got = models::load_model(path).predict(in);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) test::expect_all_close(got[i], want[i], 0, 0);
}

// sum_fn = lambda c, x: (c + x, c * x); keras.ops.scan(sum_fn, 1., [1., 2, 3, 4], reverse=r)
TEST(CoreOps, ControlFlowMatchesKeras) {
  const Tensor xs = Tensor::from_vector<float>({1, 2, 3, 4});
  auto step = [](const Tensor& c, const Tensor& x) {
    return std::pair<Tensor, Tensor>{add(c, x), multiply(c, x)};
  };
  auto [carry, ys] = scan(step, Tensor::scalar<float>(1), xs);
  EXPECT_EQ(to_doubles(carry), (std::vector<double>{11}));
  EXPECT_EQ(to_doubles(ys), (std::vector<double>{1, 4, 12, 28}));
  auto [rc, rys] = scan(step, Tensor::scalar<float>(1), xs, std::nullopt, true);
  EXPECT_EQ(to_doubles(rc), (std::vector<double>{11}));
  EXPECT_EQ(to_doubles(rys), (std::vector<double>{10, 16, 15, 4}));
  // keras.ops.scan with xs=None and length=3: f sees None; no ys.
  auto [count, none] = scan(
      [](const Tensor& c, const Tensor& x) {
        EXPECT_FALSE(x.defined());
        return std::pair<Tensor, Tensor>{add(c, 1.0), Tensor{}};
      },
      Tensor::scalar<float>(0), Tensor{}, 3);
  EXPECT_EQ(to_doubles(count), (std::vector<double>{3}));
  EXPECT_FALSE(none.defined());
  // e = [[1.,2,3,4,5],[.5,1,1.5,2,2.5]]; keras.ops.associative_scan(lambda a, b: a + b, e, axis=1)
  const Tensor e = Tensor::from_vector<float>({1, 2, 3, 4, 5, 0.5, 1, 1.5, 2, 2.5}, {2, 5});
  auto plus = [](const Tensor& a, const Tensor& b) { return add(a, b); };
  auto times = [](const Tensor& a, const Tensor& b) { return multiply(a, b); };
  EXPECT_EQ(to_doubles(associative_scan(plus, e, false, 1)),
            (std::vector<double>{1, 3, 6, 10, 15, 0.5, 1.5, 3, 5, 7.5}));
  // keras.ops.associative_scan(lambda a, b: a * b, e, reverse=True, axis=1)
  EXPECT_EQ(to_doubles(associative_scan(times, e, true, 1)),
            (std::vector<double>{120, 120, 60, 20, 5, 3.75, 7.5, 7.5, 5, 2.5}));
  // keras.ops.fori_loop(0, 4, lambda i, v: v * 2 + i, 1.)
  EXPECT_EQ(
      to_doubles(fori_loop(
          0, 4,
          [](int64_t i, const Tensor& v) { return add(multiply(v, 2.0), static_cast<double>(i)); },
          Tensor::scalar<float>(1))),
      (std::vector<double>{27}));
  // keras.ops.while_loop(lambda a, b: a < 10, lambda a, b: (a + 3, b * 2), (0, 1.))
  const Tensors w =
      while_loop([](const Tensors& v) { return less(v[0], scalar_like(10, v[0])); },
                 [](const Tensors& v) {
                   return Tensors{add(v[0], scalar_like(3, v[0])), multiply(v[1], 2.0)};
                 },
                 Tensors{Tensor::scalar<int32_t>(0), Tensor::scalar<float>(1)});
  EXPECT_EQ(to_doubles(w[0]), (std::vector<double>{12}));
  EXPECT_EQ(to_doubles(w[1]), (std::vector<double>{16}));
  // keras.ops.while_loop(lambda a: a < 100, lambda a: a + 1, 0, maximum_iterations=5)
  EXPECT_EQ(to_doubles(while_loop([](const Tensor& a) { return less(a, scalar_like(100, a)); },
                                  [](const Tensor& a) { return add(a, scalar_like(1, a)); },
                                  Tensor::scalar<int32_t>(0), 5)),
            (std::vector<double>{5}));
  // keras.ops.switch(5, [lambda x: x + 1, lambda x: x * 10], 2.): the last branch
  const std::vector<std::function<Tensor(const Tensor&)>> branches{
      [](const Tensor& x) { return add(x, 1.0); },
      [](const Tensor& x) { return multiply(x, 10.0); }};
  EXPECT_EQ(to_doubles(switch_(Tensor::scalar<int32_t>(5), branches, Tensor::scalar<float>(2))),
            (std::vector<double>{20}));
  EXPECT_EQ(to_doubles(switch_(int64_t{-3}, branches, Tensor::scalar<float>(2))),
            (std::vector<double>{3}));
  EXPECT_EQ(
      to_doubles(cond(
          true, [] { return Tensor::scalar<float>(1); }, [] { return Tensor::scalar<float>(2); })),
      (std::vector<double>{1}));
}

TEST(CoreOps, ControlFlowErrorsAreKeras) {
  auto same = [](const Tensor& c, const Tensor& x) { return std::pair<Tensor, Tensor>{c, x}; };
  const Tensor zero = Tensor::scalar<float>(0);
  EXPECT_EQ(test::message_of<ValueError>([&] { scan(same, zero, Tensor{}); }),
            "scan got no values to scan over and `length` not provided.");
  EXPECT_EQ(test::message_of<ValueError>([&] { scan(same, zero, zeros({4}), 3); }),
            "scan got `length` argument of 3 which disagrees with leading axis sizes [4].");
  EXPECT_EQ(
      test::message_of<ValueError>([&] { scan(same, zero, zeros({4}), std::nullopt, false, 0); }),
      "`unroll` must be an positive integer or boolean. Received: unroll=0");
  test::expect_throws_with<TypeError>(
      [&] {
        scan(
            [](const Tensor& c, const Tensor& x) {
              return std::pair<Tensor, Tensor>{x, c};
            },
            zero, zeros({4, 2}));
      },
      "carry input and carry output must have equal types");
  test::expect_throws_with<TypeError>(
      [&] {
        cond(
            zeros({2}), [] { return 1; }, [] { return 2; });
      },
      "Pred must be a scalar");
  const std::vector<std::function<Tensor()>> none;
  test::expect_throws_with<ValueError>([&] { switch_(int64_t{0}, none); }, "Empty branch sequence");
  test::expect_throws_with<ValueError>(
      [&] {
        associative_scan([](const Tensors& a, const Tensors&) { return a; },
                         Tensors{zeros({3}), zeros({4})});
      },
      "Array inputs to associative_scan must have the same first dimension. (saw: [(3,), (4,)])");
  test::expect_throws_with<TypeError>(
      [&] {
        while_loop([](const Tensor&) { return true; },
                   [](const Tensor& v) {
                     return concatenate({v, v}, 0);
                   },
                   zeros({1}), 3);
      },
      "while_loop body function carry input and carry output must have equal types");
}

// The KerasTensor forms build a graph that saves as Keras's nodes and loads back.
TEST(CoreOps, KerasTensorFormsSaveAndLoadBack) {
  auto x = Input({4, 6}, {.batch_size = 2, .name = "x"});
  auto ids = Input({4}, {.batch_size = 2, .dtype = int32, .name = "ids"});
  const Tensor idx = ints({0, 1, 2, 1, 7, 0}, {2, 3});
  auto r = rearrange(x, "b h (w c) -> b (c h) w", {{"c", 2}});
  auto s = scatter_update(r, idx, sum(r, {1, 2}) * 0.0 + 5.0);
  auto u = slice_update(s, {1, 0, 0}, hard_swish(slice_axis(s, 0, 0, 1)));
  auto sc = scatter(ints({0, 1, 3, 2}, {2, 2}), sum(x, {1, 2}), {4, 3});
  auto seg = segment_max(reshape(x, {8, 6}), reshape(ids, {8}), 3);
  Model m({x, ids}, {u, sc, seg});
  const Json config = m.get_config();
  std::map<std::string, Json> by_class;
  for (const Json& l : config["layers"]) by_class[l["class_name"]] = l;
  for (const char* cls :
       {"Rearrange", "ScatterUpdate", "SliceUpdate", "Scatter", "HardSilu", "SegmentMax"})
    EXPECT_TRUE(by_class.contains(cls)) << cls;
  EXPECT_EQ(by_class["Rearrange"]["module"], "keras.src.ops.einops");
  EXPECT_EQ(by_class["Rearrange"]["inbound_nodes"][0]["kwargs"], Json::parse(R"({"c": 2})"));
  EXPECT_EQ(by_class["Scatter"]["config"]["shape"], Json::parse("[4, 3]"));
  const Tensors in{test::random_tensor({2, 4, 6}, float32, -1, 1, 5),
                   Tensor::from_vector<int32_t>({0, 1, 2, 2, 1, 0, 0, 2}, {2, 4})};
  const Outputs want = m.predict(in);
  const Tensor er = rearrange(in[0], "b h (w c) -> b (c h) w", {{"c", 2}});
  const Tensor es = scatter_update(er, idx, full({2}, 5.0));
  test::expect_all_close(want[0], slice_update(es, {1, 0, 0}, hard_swish(slice_axis(es, 0, 0, 1))),
                         0, 0);
  test::expect_all_close(want[1], scatter(ints({0, 1, 3, 2}, {2, 2}), sum(in[0], {1, 2}), {4, 3}),
                         1e-6, 0);
  test::expect_all_close(want[2], segment_max(reshape(in[0], {8, 6}), reshape(in[1], {8}), 3), 0,
                         0);
  const std::string path = test::fixture_temp_path("core_ops_forms.keras");
  m.save(path);
  const Outputs got = models::load_model(path).predict(in);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) test::expect_all_close(got[i], want[i], 0, 0);
}

}  // namespace
}  // namespace keras::ops
