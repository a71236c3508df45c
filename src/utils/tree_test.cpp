// keras::tree against Keras 3.15's keras.tree (optree backend): each golden names its Python call.
#include "keras/utils/tree.h"

#include <gtest/gtest.h>

#include <keras/keras.hpp>
#include <optional>
#include <string>

#include "keras/utils/tree_tensors.h"

namespace keras::tree {
namespace {

using N = Nested<int>;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ValueError& e) {
    return e.what();
  }
  return "no ValueError";
}

// {"b": [1, {"c": 2}], "a": 3}
N sample() {
  return N::dict({{"b", N{1, N::dict({{"c", 2}})}}, {"a", 3}});
}

TEST(Tree, FlattenSortsDictKeys) {
  // tree.flatten({"b": [1, {"c": 2}], "a": 3}) -> [3, 1, 2]
  EXPECT_EQ(flatten(sample()), (std::vector<int>{3, 1, 2}));
  EXPECT_EQ(flatten(N(7)), std::vector<int>{7});
  // tree.flatten(()) -> []; tree.is_nested(()) -> True
  EXPECT_TRUE(flatten(N::tuple({})).empty());
  EXPECT_TRUE(is_nested(N::tuple({})));
  EXPECT_FALSE(is_nested(N(1)));
  EXPECT_EQ(repr(sample()), "{'b': [1, {'c': 2}], 'a': 3}");
  EXPECT_EQ(repr(N::tuple({1})), "(1,)");
}

TEST(Tree, FlattenWithPath) {
  // tree.flatten_with_path({"b": [1, {"c": 2}], "a": 3})
  //   -> [(('a',), 3), (('b', 0), 1), (('b', 1, 'c'), 2)]
  auto flat = flatten_with_path(sample());
  ASSERT_EQ(flat.size(), 3u);
  EXPECT_EQ(flat[0].first, (Path{"a"}));
  EXPECT_EQ(flat[1].first, (Path{"b", int64_t{0}}));
  EXPECT_EQ(flat[2].first, (Path{"b", int64_t{1}, "c"}));
  EXPECT_EQ(flat[2].second, 2);
  EXPECT_TRUE(flatten_with_path(N(5))[0].first.empty());
}

TEST(Tree, PackSequenceAsKeepsGivenKeyOrder) {
  // tree.pack_sequence_as({"b": 0, "a": 0}, [1, 2]) -> {'b': 2, 'a': 1}
  auto packed = pack_sequence_as(N::dict({{"b", 0}, {"a", 0}}), std::vector<std::string>{"x", "y"});
  EXPECT_EQ(repr(packed), "{'b': 'y', 'a': 'x'}");
  // Round trip.
  EXPECT_EQ(repr(pack_sequence_as(sample(), flatten(sample()))), repr(sample()));
  // tree.pack_sequence_as([1, [2]], [1, 2, 3]) / ([1, [2]], [1]) / (1, [1, 2])
  EXPECT_EQ(error_of([] {
              pack_sequence_as(N{1, N{2}}, std::vector<int>{1, 2, 3});
            }),
            "Too many leaves for PyTreeSpec; expected: 2.");
  EXPECT_EQ(error_of([] {
              pack_sequence_as(N{1, N{2}}, std::vector<int>{1});
            }),
            "Too few leaves for PyTreeSpec; expected: 2, got: 1.");
  EXPECT_EQ(error_of([] {
              pack_sequence_as(N(1), std::vector<int>{1, 2});
            }),
            "Too many leaves for PyTreeSpec; expected: 1.");
}

TEST(Tree, MapStructure) {
  // tree.map_structure(lambda v: v**2, [[1], [2], [3]]) -> [[1], [4], [9]]
  auto sq = map_structure([](int v) { return v * v; }, N{N{1}, N{2}, N{3}});
  EXPECT_EQ(repr(sq), "[[1], [4], [9]]");
  // Two structures pair dict entries by key, whatever their order.
  auto sum = map_structure([](int a, double b) { return a + b; }, N::dict({{"a", 1}, {"b", 2}}),
                           Nested<double>::dict({{"b", 0.5}, {"a", 0.25}}));
  EXPECT_EQ(repr(sum), "{'a': 1.25, 'b': 2.5}");
  auto add = [](int a, int b) { return a + b; };
  // tree.map_structure(lambda a, b: a + b, [1, 2], [1, 2, 3]) and friends
  EXPECT_EQ(error_of([&] {
              map_structure(add, N{1, 2}, N{1, 2, 3});
            }),
            "list arity mismatch; expected: 2, got: 3; list: [1, 2, 3].");
  EXPECT_EQ(error_of([&] {
              map_structure(add, N{1, N{2}}, N{1, 2});
            }),
            "Expected an instance of list, got 2.");
  EXPECT_EQ(error_of([&] {
              map_structure(add, N{1, 2}, N{1, N{2}});
            }),
            "Structures don't have the same nested structure.");
  EXPECT_EQ(error_of([&] {
              map_structure(add, N::dict({{"a", 1}, {"b", 2}}), N::dict({{"a", 1}, {"c", 2}}));
            }),
            "dictionary key mismatch; expected key(s): ['a', 'b'], got key(s): ['a', 'c'], "
            "missing key(s): ['b'], extra key(s): ['c']; dict: {'a': 1, 'c': 2}.");
}

TEST(Tree, MapStructureUpTo) {
  // keras.tree's docstring: map_structure_up_to([None, None], len, [[1, 1], [2, 2]]) -> [2, 2]
  // (Keras 3.15 with optree raises on its own example for None leaves; see
  // docs/differences.md.) With [0, 0] as the shallow structure Keras gives [2, 2].
  auto size = [](const N& n) { return static_cast<int>(n.items().size()); };
  EXPECT_EQ(repr(map_structure_up_to(N{0, 0}, size, N{N{1, 1}, N{2, 2}})), "[2, 2]");
  // map_structure_up_to([0, [0, 0]], str, [[1, 1], [2, 2]]) -> ['[1, 1]', ['2', '2']]
  auto text = [](const N& n) { return repr(n); };
  EXPECT_EQ(repr(map_structure_up_to(N{0, N{0, 0}}, text, N{N{1, 1}, N{2, 2}})),
            "['[1, 1]', ['2', '2']]");
  // ... [[1, 1], 2] -> ValueError: Expected an instance of list, got 2.
  EXPECT_EQ(error_of([&] {
              map_structure_up_to(N{0, N{0, 0}}, text, N{N{1, 1}, 2});
            }),
            "Expected an instance of list, got 2.");
  EXPECT_EQ(error_of([&] {
              map_structure_up_to(N{0, 0, 0}, text, N{N{1, 1}, 2});
            }),
            "list arity mismatch; expected: 3, got: 2; list: [[1, 1], 2].");
}

TEST(Tree, AssertSameStructure) {
  using Str = Nested<std::string>;
  assert_same_structure(N{N::tuple({0, 1})}, Str{Str::tuple({Str("a"), Str("b")})});
  // tree.assert_same_structure([1, 2], (1, 2)) / ({"a": 1}, {"b": 1}) / ([1], 1) / (1, [1])
  EXPECT_EQ(error_of([] {
              assert_same_structure(N{1, 2}, N::tuple({1, 2}));
            }),
            "Expected an instance of list, got (1, 2).");
  EXPECT_EQ(error_of([] {
              assert_same_structure(N::dict({{"a", 1}}), N::dict({{"b", 1}}));
            }),
            "dictionary key mismatch; expected key(s): ['a'], got key(s): ['b'], missing key(s): "
            "['a'], extra key(s): ['b']; dict: {'b': 1}.");
  EXPECT_EQ(error_of([] { assert_same_structure(N{1}, N(1)); }),
            "Expected an instance of list, got 1.");
  EXPECT_EQ(error_of([] { assert_same_structure(N(1), N{1}); }),
            "Structures don't have the same nested structure.");
  EXPECT_EQ(error_of([] {
              assert_same_structure(N{1, 2}, N{1, 2, 3});
            }),
            "list arity mismatch; expected: 2, got: 3; list: [1, 2, 3].");
}

TEST(Tree, AssertSamePaths) {
  // tree.assert_same_paths([0, 1], (2, 3)) passes: lists and tuples alike.
  assert_same_paths(N{0, 1}, N::tuple({2, 3}));
  // tree.assert_same_paths([1, 2], {"a": 1})
  EXPECT_EQ(error_of([] {
              assert_same_paths(N{1, 2}, N::dict({{"a", 1}}));
            }),
            "`a` and `b` don't have the same paths.\nPaths in `a` missing in `b`:\n{(0,), (1,)}\n"
            "Paths in `b` missing in `a`:\n{('a',)}");
}

TEST(Tree, TraverseAndListsToTuples) {
  // tree.traverse(lambda x: 0 if isinstance(x, list) and len(x) == 1 else None,
  //               [1, [2], [3, 4]]) -> [1, 0, [3, 4]]
  auto one_item_lists_to_zero = [](const N& n) -> std::optional<N> {
    if (n.is_list() && n.items().size() == 1) return N(0);
    return std::nullopt;
  };
  EXPECT_EQ(repr(traverse(one_item_lists_to_zero, N{1, N{2}, N{3, 4}})), "[1, 0, [3, 4]]");
  // Bottom-up, the inner [2] becomes 0 first, and the top list is seen with it.
  std::vector<std::string> seen;
  traverse(
      [&](const N& n) -> std::optional<N> {
        seen.push_back(repr(n));
        return std::nullopt;
      },
      N{1, N{2}}, /*top_down=*/false);
  EXPECT_EQ(seen, (std::vector<std::string>{"1", "2", "[2]", "[1, [2]]"}));
  // tree.lists_to_tuples([1, [2, {"a": [3]}]]) -> (1, (2, {'a': (3,)}))
  auto t = lists_to_tuples(N{1, N{2, N::dict({{"a", N{3}}})}});
  EXPECT_EQ(repr(t), "(1, (2, {'a': (3,)}))");
  EXPECT_EQ(error_of([&] {
              assert_same_structure(t, N{1, N{2, N::dict({{"a", N{3}}})}});
            }),
            "Expected an instance of tuple, got [1, [2, {'a': [3]}]].");
}

TEST(Tree, MapShapeStructure) {
  // tree.map_shape_structure(lambda s: len(s), {"a": (1, None), "b": [(2, 3), (4,)]})
  //   -> {'a': 2, 'b': [2, 1]}
  using S = Nested<std::optional<int64_t>>;
  auto i = [](int64_t v) { return S(std::optional<int64_t>(v)); };
  const S none = S(std::optional<int64_t>());
  S shapes =
      S::dict({{"a", S::tuple({i(1), none})}, {"b", S{S::tuple({i(2), i(3)}), S::tuple({i(4)})}}});
  auto rank = [](const S& s) { return static_cast<int>(s.items().size()); };
  EXPECT_EQ(repr(map_shape_structure(rank, shapes)), "{'a': 2, 'b': [2, 1]}");
  EXPECT_EQ(repr(shapes), "{'a': (1, None), 'b': [(2, 3), (4,)]}");
}

TEST(Tree, DictRefusesRepeatedKeys) {
  EXPECT_EQ(error_of([] { N::dict({{"a", 1}, {"a", 2}}); }), "Duplicate key in dict: 'a'.");
}

TEST(Tree, OverModelInputs) {
  auto a = keras::Input({2}, {.name = "a"});
  auto b = keras::Input({3}, {.name = "b"});
  NestedTensors inputs = {{"z", a}, {"y", NestedTensors{b}}};
  auto s = from_nested_tensors(inputs);
  auto names = map_structure([](const KerasTensor& t) { return t.name(); }, s);
  EXPECT_EQ(repr(names), "{'z': 'a:0', 'y': ['b:0']}");
  EXPECT_EQ(flatten(names), (std::vector<std::string>{"b:0", "a:0"}));  // sorted keys: y, z
  NestedTensors back = to_nested_tensors(s);
  ASSERT_TRUE(back.is_dict());
  EXPECT_EQ(back.flatten().size(), 2u);
  EXPECT_EQ(back.items()[0].first, "z");
}

}  // namespace
}  // namespace keras::tree
