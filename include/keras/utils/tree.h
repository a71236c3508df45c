// keras::tree: Keras 3's keras.tree (optree semantics, none_is_leaf=True) over tree::Nested<T>, a
// structure of leaves of one C++ type T nested in lists, tuples and dicts with string keys.
//
//   using N = keras::tree::Nested<int>;
//   N s = N::dict({{"b", N{1, N::tuple({2, 3})}}, {"a", 4}});   // {"b": [1, (2, 3)], "a": 4}
//   keras::tree::flatten(s);                                   // {4, 1, 2, 3}: keys sorted
//   keras::tree::map_structure([](int v) { return v * 2.0; }, s);  // a Nested<double>
//
// The C++ forms of Keras's names:
// - A leaf is any T. Python's None is not a separate node: use a T with an empty value
//   (std::optional<X>, an undefined Tensor) where a structure needs one.
// - Dicts keep the order their entries were given in; flatten, flatten_with_path,
//   pack_sequence_as and map_structure visit them by sorted key (Keras's rule for dict), and
//   results keep the given order (Keras's output dicts do). Repeated keys: ValueError.
// - A path entry is an index (list, tuple) or a key (dict): PathEntry.
// - map_structure and map_structure_up_to take the structures after the function, as Keras does;
//   map_structure's func gets one leaf per structure; map_structure_up_to's gets the subtrees
//   (Nested<T>) of each structure found where `shallow` has a leaf. Keras's none_is_leaf=False has
//   no counterpart (a C++ func returns a value for every leaf).
// - traverse's func returns std::nullopt where Keras's returns None (keep going); there is no
//   MAP_TO_NONE: return a Nested holding the leaf that means "none" for T.
// - lists_to_tuples turns every list node into a tuple (lists and tuples differ in
//   assert_same_structure, as in Keras).
// - map_shape_structure passes func each list or tuple whose items are all leaves (Keras's shape
//   tuples of ints and Nones: use T = std::optional<int64_t>), and each leaf that is not in one.
//
// Errors are ValueError in optree's and Keras's words: "list arity mismatch; expected: 2, got: 3;
// list: [1, 2, 3].", "Expected an instance of list, got (1, 2).", "dictionary key mismatch; ...",
// "Structures don't have the same nested structure.", "Too many leaves for PyTreeSpec; expected:
// 2.", "Too few leaves for PyTreeSpec; expected: 2, got: 1.", "`a` and `b` don't have the same
// paths.". Leaves print as Python would print numbers and strings; other leaf types as "<leaf>".
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "keras/core/error.h"

namespace keras::tree {

template <class T>
class Nested {
 public:
  enum class Kind { leaf, list, tuple, dict };
  using Item = std::pair<std::string, Nested>;  // a dict entry (lists and tuples: empty keys)

  Nested() = default;                                            // an empty list
  Nested(T leaf) : kind_(Kind::leaf), leaf_(std::move(leaf)) {}  // NOLINT: one leaf
  Nested(std::initializer_list<Nested> list) : Nested(from_items(Kind::list, list)) {}
  static Nested list(std::vector<Nested> items) { return from_items(Kind::list, items); }
  static Nested tuple(std::vector<Nested> items) { return from_items(Kind::tuple, items); }
  // ValueError for a repeated key.
  static Nested dict(std::vector<Item> items) {
    std::set<std::string> seen;
    for (const auto& [key, value] : items)
      KERAS_CHECK(seen.insert(key).second, ValueError, "Duplicate key in dict: '", key, "'.");
    Nested n;
    n.kind_ = Kind::dict;
    n.items_ = std::move(items);
    return n;
  }

  Kind kind() const { return kind_; }
  bool is_leaf() const { return kind_ == Kind::leaf; }
  bool is_list() const { return kind_ == Kind::list; }
  bool is_tuple() const { return kind_ == Kind::tuple; }
  bool is_dict() const { return kind_ == Kind::dict; }
  const T& leaf() const { return leaf_.value(); }
  // Entries in the order given.
  const std::vector<Item>& items() const { return items_; }
  // Entries in flattening order: as given for lists and tuples, by sorted key for dicts.
  std::vector<const Item*> sorted_items() const {
    std::vector<const Item*> out;
    for (const auto& item : items_) out.push_back(&item);
    if (kind_ == Kind::dict)
      std::sort(out.begin(), out.end(),
                [](const Item* a, const Item* b) { return a->first < b->first; });
    return out;
  }
  // A node of this kind (and these keys) with new children in the order of items().
  template <class U>
  Nested<U> rebuild(std::vector<Nested<U>> children) const {
    std::vector<typename Nested<U>::Item> items;
    for (size_t i = 0; i < children.size(); ++i)
      items.emplace_back(items_[i].first, std::move(children[i]));
    return Nested<U>::from_kind(static_cast<typename Nested<U>::Kind>(kind_), std::move(items));
  }
  static Nested from_kind(Kind kind, std::vector<Item> items) {
    Nested n;
    n.kind_ = kind;
    n.items_ = std::move(items);
    return n;
  }

 private:
  template <class Range>
  static Nested from_items(Kind kind, const Range& values) {
    Nested n;
    n.kind_ = kind;
    for (const auto& v : values) n.items_.emplace_back(std::string(), v);
    return n;
  }
  Kind kind_ = Kind::list;
  std::optional<T> leaf_;
  std::vector<Item> items_;
};

using PathEntry = std::variant<int64_t, std::string>;
using Path = std::vector<PathEntry>;

namespace detail {

template <class T>
void leaf_repr(std::ostream& out, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    out << (v ? "True" : "False");
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    out << '\'' << std::string_view(v) << '\'';
  } else if constexpr (requires {
                         typename T::value_type;
                         v.has_value();
                         *v;
                       }) {
    if (v.has_value())
      leaf_repr(out, *v);
    else
      out << "None";
  } else if constexpr (std::is_arithmetic_v<T>) {
    out << v;
  } else {
    out << "<leaf>";
  }
}

template <class T>
void repr(std::ostream& out, const Nested<T>& n) {
  if (n.is_leaf()) return leaf_repr(out, n.leaf());
  const char* open = n.is_list() ? "[" : n.is_tuple() ? "(" : "{";
  const char* close = n.is_list() ? "]" : n.is_tuple() ? ")" : "}";
  out << open;
  for (size_t i = 0; i < n.items().size(); ++i) {
    if (i) out << ", ";
    if (n.is_dict()) out << '\'' << n.items()[i].first << "': ";
    repr(out, n.items()[i].second);
  }
  if (n.is_tuple() && n.items().size() == 1) out << ',';
  out << close;
}

template <class T>
const char* kind_name(const Nested<T>& n) {
  return n.is_list() ? "list" : n.is_tuple() ? "tuple" : "dict";
}

inline std::string keys_repr(const std::vector<std::string>& keys) {
  std::ostringstream out;
  out << '[';
  for (size_t i = 0; i < keys.size(); ++i) out << (i ? ", '" : "'") << keys[i] << '\'';
  out << ']';
  return out.str();
}

template <class T>
std::vector<std::string> sorted_keys(const Nested<T>& n) {
  std::vector<std::string> keys;
  for (const auto* item : n.sorted_items()) keys.push_back(item->first);
  return keys;
}

// Checks that `other` has the node kind (and arity or keys) of the non-leaf `like`, as optree's
// tree_map does for its second and later trees.
template <class T, class U>
void check_node(const Nested<T>& like, const Nested<U>& other) {
  std::ostringstream got;
  repr(got, other);
  if (other.kind() != static_cast<typename Nested<U>::Kind>(like.kind()))
    throw ValueError(str("Expected an instance of ", kind_name(like), ", got ", got.str(), "."));
  if (like.is_dict()) {
    auto expected = sorted_keys(like), keys = sorted_keys(other);
    if (expected == keys) return;
    std::vector<std::string> missing, extra;
    std::set_difference(expected.begin(), expected.end(), keys.begin(), keys.end(),
                        std::back_inserter(missing));
    std::set_difference(keys.begin(), keys.end(), expected.begin(), expected.end(),
                        std::back_inserter(extra));
    std::string msg = "dictionary key mismatch; expected key(s): " + keys_repr(expected) +
                      ", got key(s): " + keys_repr(keys);
    if (!missing.empty()) msg += ", missing key(s): " + keys_repr(missing);
    if (!extra.empty()) msg += ", extra key(s): " + keys_repr(extra);
    throw ValueError(msg + "; dict: " + got.str() + ".");
  }
  if (like.items().size() != other.items().size())
    throw ValueError(str(kind_name(like), " arity mismatch; expected: ", like.items().size(),
                         ", got: ", other.items().size(), "; ", kind_name(like), ": ", got.str(),
                         "."));
}

inline void same_structure_error() {
  throw ValueError("Structures don't have the same nested structure.");
}

template <class T>
void flatten_into(const Nested<T>& n, std::vector<T>& out) {
  if (n.is_leaf()) return out.push_back(n.leaf());
  for (const auto* item : n.sorted_items()) flatten_into(item->second, out);
}

template <class T>
void flatten_with_path_into(const Nested<T>& n, Path& path, std::vector<std::pair<Path, T>>& out) {
  if (n.is_leaf()) {
    out.emplace_back(path, n.leaf());
    return;
  }
  int64_t index = 0;
  for (const auto* item : n.sorted_items()) {
    if (n.is_dict())
      path.emplace_back(item->first);
    else
      path.emplace_back(index++);
    flatten_with_path_into(item->second, path, out);
    path.pop_back();
  }
}

template <class T, class U>
Nested<U> pack(const Nested<T>& like, const std::vector<U>& flat, size_t& next) {
  if (like.is_leaf()) return Nested<U>(flat[next++]);
  std::vector<Nested<U>> children(like.items().size());
  auto sorted = like.sorted_items();
  for (const auto* item : sorted)
    children[static_cast<size_t>(item - like.items().data())] = pack(item->second, flat, next);
  return like.template rebuild<U>(std::move(children));
}

template <class T>
size_t num_leaves(const Nested<T>& n) {
  if (n.is_leaf()) return 1;
  size_t count = 0;
  for (const auto& item : n.items()) count += num_leaves(item.second);
  return count;
}

// The child of `n` with the key (dicts) or position of `like`'s entry `index`.
template <class T, class L>
const Nested<T>& matching_child(const Nested<L>& like, size_t index, const Nested<T>& n) {
  if (!like.is_dict()) return n.items()[index].second;
  for (const auto& item : n.items())
    if (item.first == like.items()[index].first) return item.second;
  throw ValueError("Structures don't have the same nested structure.");  // unreachable
}

template <class F, class T, class... Ts>
auto map_impl(F& func, const Nested<T>& first, const Nested<Ts>&... rest)
    -> Nested<std::invoke_result_t<F&, const T&, const Ts&...>> {
  using U = std::invoke_result_t<F&, const T&, const Ts&...>;
  if (first.is_leaf()) {
    if ((!rest.is_leaf() || ...)) same_structure_error();
    return Nested<U>(func(first.leaf(), rest.leaf()...));
  }
  (check_node(first, rest), ...);
  std::vector<Nested<U>> children;
  for (size_t i = 0; i < first.items().size(); ++i)
    children.push_back(map_impl(func, first.items()[i].second, matching_child(first, i, rest)...));
  return first.template rebuild<U>(std::move(children));
}

template <class F, class S, class T, class... Ts>
auto map_up_to_impl(F& func,
                    const Nested<S>& shallow,
                    const Nested<T>& first,
                    const Nested<Ts>&... rest)
    -> Nested<std::invoke_result_t<F&, const Nested<T>&, const Nested<Ts>&...>> {
  using U = std::invoke_result_t<F&, const Nested<T>&, const Nested<Ts>&...>;
  if (shallow.is_leaf()) return Nested<U>(func(first, rest...));
  check_node(shallow, first);
  (check_node(shallow, rest), ...);
  std::vector<Nested<U>> children;
  for (size_t i = 0; i < shallow.items().size(); ++i)
    children.push_back(map_up_to_impl(func, shallow.items()[i].second,
                                      matching_child(shallow, i, first),
                                      matching_child(shallow, i, rest)...));
  return shallow.template rebuild<U>(std::move(children));
}

inline std::string path_repr(const Path& path) {
  std::ostringstream out;
  out << '(';
  for (const auto& entry : path) {
    if (const auto* index = std::get_if<int64_t>(&entry))
      out << *index;
    else
      out << '\'' << std::get<std::string>(entry) << '\'';
    out << (path.size() == 1 ? "," : &entry == &path.back() ? "" : ", ");
  }
  out << ')';
  return out.str();
}

}  // namespace detail

// Python's repr of the structure ("[1, {'a': (2,)}]"), dict entries in the order given.
template <class T>
std::string repr(const Nested<T>& structure) {
  std::ostringstream out;
  detail::repr(out, structure);
  return out.str();
}

// True for a list, tuple or dict (even empty), false for a leaf.
template <class T>
bool is_nested(const Nested<T>& structure) {
  return !structure.is_leaf();
}

// The leaves, lists and tuples in order, dict entries by sorted key.
template <class T>
std::vector<T> flatten(const Nested<T>& structure) {
  std::vector<T> out;
  detail::flatten_into(structure, out);
  return out;
}

// (path, leaf) pairs in flatten's order; a leaf at the top has the empty path.
template <class T>
std::vector<std::pair<Path, T>> flatten_with_path(const Nested<T>& structure) {
  std::vector<std::pair<Path, T>> out;
  Path path;
  detail::flatten_with_path_into(structure, path, out);
  return out;
}

// `flat` (in flatten's order) as the leaves of a structure like `structure`. ValueError for too
// many or too few leaves.
template <class T, class U>
Nested<U> pack_sequence_as(const Nested<T>& structure, const std::vector<U>& flat) {
  size_t expected = detail::num_leaves(structure);
  KERAS_CHECK(flat.size() <= expected, ValueError,
              "Too many leaves for PyTreeSpec; expected: ", expected, ".");
  KERAS_CHECK(flat.size() >= expected, ValueError,
              "Too few leaves for PyTreeSpec; expected: ", expected, ", got: ", flat.size(), ".");
  size_t next = 0;
  return detail::pack(structure, flat, next);
}

// func applied to the leaves of each position of structures of the same layout (ValueError
// otherwise, see assert_same_structure); the result has the first structure's layout.
template <class F, class T, class... Ts>
auto map_structure(F&& func, const Nested<T>& structure, const Nested<Ts>&... structures) {
  return detail::map_impl(func, structure, structures...);
}

// func applied, for each leaf of `shallow`, to the subtrees of `structures` at its place: each
// structure must have `shallow`'s layout down to its leaves (and may go deeper there).
template <class S, class F, class T, class... Ts>
auto map_structure_up_to(const Nested<S>& shallow,
                         F&& func,
                         const Nested<T>& structure,
                         const Nested<Ts>&... structures) {
  return detail::map_up_to_impl(func, shallow, structure, structures...);
}

// ValueError unless `a` and `b` have the same node kinds (list, tuple and dict differ), arities
// and dict keys (in any order) everywhere; leaves may differ.
template <class T, class U>
void assert_same_structure(const Nested<T>& a, const Nested<U>& b) {
  auto ignore = [](const T&, const U&) { return 0; };
  detail::map_impl(ignore, a, b);
}

// ValueError unless `a` and `b` have the same set of leaf paths (lists and tuples alike), naming
// the paths that only one of them has.
template <class T, class U>
void assert_same_paths(const Nested<T>& a, const Nested<U>& b) {
  auto paths = [](const auto& s) {
    std::set<Path> out;
    for (const auto& [path, leaf] : flatten_with_path(s)) out.insert(path);
    return out;
  };
  std::set<Path> pa = paths(a), pb = paths(b);
  if (pa == pb) return;
  auto set_repr = [](const std::set<Path>& x, const std::set<Path>& y) {
    std::string out;
    for (const auto& p : x)
      if (!y.contains(p)) out += (out.empty() ? "" : ", ") + detail::path_repr(p);
    return out;
  };
  std::string msg = "`a` and `b` don't have the same paths.";
  if (auto d = set_repr(pa, pb); !d.empty()) msg += "\nPaths in `a` missing in `b`:\n{" + d + "}";
  if (auto d = set_repr(pb, pa); !d.empty()) msg += "\nPaths in `b` missing in `a`:\n{" + d + "}";
  throw ValueError(msg);
}

// Visits every subtree (top-down: a node before its children; otherwise after them, with its
// children already traversed). Where func returns a structure it replaces the subtree (top-down:
// its children are not visited); std::nullopt keeps it (Keras's None).
template <class T, class F>
Nested<T> traverse(F&& func, const Nested<T>& structure, bool top_down = true) {
  auto children = [&] {
    if (structure.is_leaf()) return structure;
    std::vector<Nested<T>> out;
    for (const auto& item : structure.items()) out.push_back(traverse(func, item.second, top_down));
    return structure.template rebuild<T>(std::move(out));
  };
  if (top_down) {
    std::optional<Nested<T>> ret = func(structure);
    return ret ? *std::move(ret) : children();
  }
  Nested<T> traversed = children();
  std::optional<Nested<T>> ret = func(traversed);
  return ret ? *std::move(ret) : traversed;
}

// The structure with every list turned into a tuple.
template <class T>
Nested<T> lists_to_tuples(const Nested<T>& structure) {
  return traverse(
      [](const Nested<T>& n) -> std::optional<Nested<T>> {
        if (!n.is_list()) return std::nullopt;
        return Nested<T>::from_kind(Nested<T>::Kind::tuple, n.items());
      },
      structure, /*top_down=*/false);
}

// map_structure over shapes: func(const Nested<T>&) gets each list or tuple of leaves only (a
// shape, the empty one included) and each leaf outside one; the result has the layout above them.
template <class F, class T>
auto map_shape_structure(F&& func, const Nested<T>& structure)
    -> Nested<std::invoke_result_t<F&, const Nested<T>&>> {
  using U = std::invoke_result_t<F&, const Nested<T>&>;
  bool is_shape =
      structure.is_leaf() ||
      (!structure.is_dict() && std::all_of(structure.items().begin(), structure.items().end(),
                                           [](const auto& item) { return item.second.is_leaf(); }));
  if (is_shape) return Nested<U>(func(structure));
  std::vector<Nested<U>> children;
  for (const auto& item : structure.items())
    children.push_back(map_shape_structure(func, item.second));
  return structure.template rebuild<U>(std::move(children));
}

}  // namespace keras::tree
