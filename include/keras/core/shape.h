// Shapes are row-major dimension lists, batch first. A symbolic shape may hold kNone (-1) for a
// dimension unknown until run time (Keras's None), usually the batch dimension.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace keras {

inline constexpr int64_t kNone = -1;

using Shape = std::vector<int64_t>;

// Product of the dimensions (1 for a scalar). Throws ValueError if a dimension is kNone or the
// product exceeds int64.
int64_t num_elements(const Shape& shape);
// a * b and a + b for sizes derived from shapes and configs; ValueError naming `what` when the
// result does not fit in int64 (a config asking for 2^62 units), where C++ overflow is undefined.
int64_t checked_mul(int64_t a, int64_t b, std::string_view what);
int64_t checked_add(int64_t a, int64_t b, std::string_view what);
// "(None, 784)", "(10,)", "()" — Python's tuple spelling, as Keras prints shapes.
std::string shape_str(const Shape& shape);
// Normalizes a possibly negative axis for a tensor of `rank`; throws ValueError when out of range.
int normalize_axis(int axis, int rank);
// True when no dimension is kNone.
bool is_fully_defined(const Shape& shape);
// NumPy broadcasting of two shapes (kNone broadcasts like an unknown size); throws ValueError.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// A dimension that may be unknown, for options structs: `Input({std::nullopt, 128})` (a negative
// size, kNone included, is Keras's ValueError "Negative dimensions are not allowed").
using Dim = std::optional<int64_t>;
// A shape-like option (`input_shape`, `noise_shape`, ...): absent by default, and given as Keras
// writes a tuple, with single braces: `Dense(32, {.input_shape = {64}})`,
// `{.input_shape = {std::nullopt, 128}}` (`{{64}}` means the same).
class OptionalDims : public std::optional<std::vector<Dim>> {
 public:
  OptionalDims() = default;
  OptionalDims(std::nullopt_t) {}                // NOLINT(google-explicit-constructor)
  OptionalDims(std::initializer_list<Dim> dims)  // NOLINT(google-explicit-constructor)
      : std::optional<std::vector<Dim>>(std::vector<Dim>(dims)) {}
  OptionalDims(std::vector<Dim> dims)  // NOLINT(google-explicit-constructor)
      : std::optional<std::vector<Dim>>(std::move(dims)) {}
  OptionalDims(std::optional<std::vector<Dim>> dims)  // NOLINT(google-explicit-constructor)
      : std::optional<std::vector<Dim>>(std::move(dims)) {}
};
// Converts a list of optional dims to a Shape with kNone for the missing ones.
Shape to_shape(const std::vector<Dim>& dims);

}  // namespace keras
