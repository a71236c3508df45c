#include "keras/ops/core.h"

#include <algorithm>
#include <cctype>

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/core/error.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/math.h"
#include "keras/ops/nn.h"
#include "keras/ops/shape.h"
#include "ops/host_kernel.h"

namespace keras::ops {
namespace {

using autodiff::Grads;
using autodiff::launch;

// The rows of a scatter: the flat row (over shape[:k]) of each index row, -1 where it falls
// outside the shape (JAX drops those updates).
struct Rows {
  int64_t n = 0, k = 0, total = 1;  // index rows, coordinates, rows of the target
  Shape inner;                      // shape[k:]
  std::vector<int64_t> flat;
};

Rows rows_of(const Tensor& indices, const Shape& shape, const char* op) {
  KERAS_CHECK(is_integer(indices.dtype()), TypeError, op, ": indices must be integers, got ",
              dtype_name(indices.dtype()));
  KERAS_CHECK(indices.rank() >= 1, ValueError, op,
              ": indices must have at least one dimension (the coordinates), got a scalar");
  Rows r;
  r.k = indices.shape().back();
  KERAS_CHECK(r.k >= 1 && r.k <= static_cast<int64_t>(shape.size()), ValueError, op,
              ": indices of shape ", shape_str(indices.shape()), " hold ", r.k,
              " coordinates, for a tensor of shape ", shape_str(shape));
  r.n = indices.size() / r.k;
  for (int64_t d = 0; d < r.k; ++d) r.total *= shape[static_cast<size_t>(d)];
  r.inner.assign(shape.begin() + r.k, shape.end());
  const std::vector<int64_t> idx = internal::values_on_host<int64_t>(indices);
  r.flat.resize(static_cast<size_t>(r.n));
  for (int64_t i = 0; i < r.n; ++i) {
    int64_t row = 0;
    for (int64_t d = 0; d < r.k && row >= 0; ++d) {
      const int64_t size = shape[static_cast<size_t>(d)];
      int64_t c = idx[static_cast<size_t>(i * r.k + d)];
      if (c < 0) c += size;
      row = c >= 0 && c < size ? row * size + c : -1;
    }
    r.flat[static_cast<size_t>(i)] = row;
  }
  return r;
}

// values as (n, prod(inner)), broadcast to indices' rows + inner first.
Tensor value_rows(const Tensor& values, const Tensor& indices, const Rows& r, const char* op) {
  Shape target(indices.shape().begin(), indices.shape().end() - 1);
  target.insert(target.end(), r.inner.begin(), r.inner.end());
  Tensor v = values;
  if (v.shape() != target) {
    bool fits = v.rank() <= static_cast<int>(target.size());
    for (int d = 1; fits && d <= v.rank(); ++d) {
      const int64_t have = v.shape()[static_cast<size_t>(v.rank() - d)];
      fits = have == 1 || have == target[target.size() - static_cast<size_t>(d)];
    }
    KERAS_CHECK(fits, ValueError, op, ": updates of shape ", shape_str(values.shape()),
                " do not fit indices of shape ", shape_str(indices.shape()),
                " into a tensor whose rows have shape ", shape_str(r.inner), ": expected shape ",
                shape_str(target));
    v = broadcast_to(v, target);
  }
  return reshape(v, {r.n, num_elements(r.inner)});
}

// (total, width) zeros with row ids[i] += rows[i]; ids in range. The gradient gathers dy.
Tensor scatter_rows(const Tensor& rows, const std::vector<int64_t>& ids, int64_t total) {
  if (!is_floating(rows.dtype())) {
    // The kernel adds floating rows; integers add exactly in float64 up to 2^53.
    return cast(scatter_rows(cast(rows, float64), ids, total), rows.dtype());
  }
  const Tensor index = Tensor::from_vector(ids, {static_cast<int64_t>(ids.size())}, rows.device());
  Tensor y = Tensor::empty({total, rows.shape()[1]}, rows.dtype(), rows.device());
  backend::Backend& be = backend::backend_for("scatter", {rows, index});
  launch([&be, rows, index, y] {
    be.fill(y, 0.0);
    be.scatter_add(rows, index, y);
  });
  autodiff::record("scatter", {rows}, y,
                   [index](const Tensor& dy) { return Grads{take(dy, index)}; });
  return y;
}

// The rows of `v` whose ids are in range, with their ids.
std::pair<Tensor, std::vector<int64_t>> kept_rows(const Tensor& v,
                                                  const std::vector<int64_t>& ids) {
  std::vector<int64_t> positions, kept;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0) continue;
    positions.push_back(static_cast<int64_t>(i));
    kept.push_back(ids[i]);
  }
  if (kept.size() == ids.size()) return {v, kept};
  const Tensor at =
      Tensor::from_vector(positions, {static_cast<int64_t>(positions.size())}, v.device());
  return {take(v, at), kept};
}

}  // namespace

Tensor scatter(const Tensor& indices, const Tensor& values, const Shape& shape) {
  double size = 1;
  for (int64_t d : shape) {
    KERAS_CHECK(d >= 0, ValueError, "scatter: negative dimension in shape ", shape_str(shape));
    size *= static_cast<double>(d);
  }
  KERAS_CHECK(size < 0x1p48, ValueError, "scatter: shape ", shape_str(shape), " is too large");
  const Rows r = rows_of(indices, shape, "scatter");
  const auto [rows, ids] = kept_rows(value_rows(values, indices, r, "scatter"), r.flat);
  return reshape(scatter_rows(rows, ids, r.total), shape);
}

Tensor scatter_update(const Tensor& inputs,
                      const Tensor& indices,
                      const Tensor& updates,
                      const std::optional<std::string>& reduction) {
  const std::string how = reduction.value_or("set");
  KERAS_CHECK(how == "set" || how == "add" || how == "max" || how == "min" || how == "mul",
              ValueError, "Invalid reduction: ", reduction.value_or(""),
              ". Supported values are: None, 'add', 'max', 'min', 'mul'.");
  KERAS_CHECK(indices.rank() == 2, ValueError,
              "scatter_update: indices must be (num_updates, coordinates), got shape ",
              shape_str(indices.shape()));
  const Rows r = rows_of(indices, inputs.shape(), "scatter_update");
  const Tensor u = value_rows(cast(updates, inputs.dtype()), indices, r, "scatter_update");
  const Tensor x = reshape(inputs, {r.total, num_elements(r.inner)});
  Tensor y;
  if (how == "set") {
    // Of a row given twice the last update wins: source[row] is the update it takes, or the
    // extra zero row past the updates where it keeps x.
    std::vector<int64_t> source(static_cast<size_t>(r.total), r.n);
    std::vector<uint8_t> written(static_cast<size_t>(r.total), 0);
    for (int64_t i = 0; i < r.n; ++i) {
      const int64_t row = r.flat[static_cast<size_t>(i)];
      if (row < 0) continue;
      source[static_cast<size_t>(row)] = i;
      written[static_cast<size_t>(row)] = 1;
    }
    const Tensor padded = concatenate({u, zeros({1, u.shape()[1]}, u.dtype(), u.device())}, 0);
    const Tensor placed = take(padded, Tensor::from_vector(source, {r.total}, u.device()));
    const Tensor mask = cast(Tensor::from_vector(written, {r.total, 1}, u.device()), bool_);
    y = where(mask, placed, x);
  } else if (how == "add") {
    const auto [rows, ids] = kept_rows(u, r.flat);
    y = add(x, scatter_rows(rows, ids, r.total));
  } else {
    const SegmentReduction s = how == "max"   ? SegmentReduction::max
                               : how == "min" ? SegmentReduction::min
                                              : SegmentReduction::prod;
    // Rows no update names hold the reduction's identity, which leaves x as it is.
    const Tensor seg =
        segment_reduce(u, Tensor::from_vector(r.flat, {r.n}, u.device()), r.total, s);
    y = how == "max" ? maximum(x, seg) : how == "min" ? minimum(x, seg) : multiply(x, seg);
  }
  return reshape(y, inputs.shape());
}

Tensor slice_update(const Tensor& inputs,
                    std::vector<int64_t> start_indices,
                    const Tensor& updates_in) {
  KERAS_CHECK(static_cast<int>(start_indices.size()) == inputs.rank(), ValueError,
              "slice_update: start_indices must have one index per axis of inputs (rank ",
              inputs.rank(), "), got ", start_indices.size());
  KERAS_CHECK(updates_in.rank() == inputs.rank(), ValueError,
              "slice_update: updates must have the rank of inputs, got shapes ",
              shape_str(updates_in.shape()), " and ", shape_str(inputs.shape()));
  const Tensor updates = cast(updates_in, inputs.dtype());
  std::vector<std::pair<int64_t, int64_t>> pads;
  for (int d = 0; d < inputs.rank(); ++d) {
    const int64_t size = inputs.shape()[static_cast<size_t>(d)];
    const int64_t block = updates.shape()[static_cast<size_t>(d)];
    KERAS_CHECK(block <= size, ValueError, "slice_update: updates of shape ",
                shape_str(updates.shape()), " do not fit inputs of shape ",
                shape_str(inputs.shape()));
    int64_t& s = start_indices[static_cast<size_t>(d)];
    s = std::clamp<int64_t>(s, 0, size - block);
    pads.emplace_back(s, size - s - block);
  }
  const Tensor placed = pad(updates, pads);
  const Tensor inside = cast(pad(ones(updates.shape(), float32, updates.device()), pads), bool_);
  return where(inside, placed, inputs);
}

Tensor hard_swish(const Tensor& x) {
  return hard_silu(x);
}

// ---- rearrange ----
namespace {

// One axis of a pattern side: a name, or a group "(h1 h)" of names.
using Group = std::vector<std::string>;

std::vector<Group> parse_side(const std::string& side, const std::string& pattern) {
  std::vector<Group> out;
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  size_t i = 0;
  auto fail = [&](const char* why) {
    throw ValueError(str("rearrange: ", why, " in pattern '", pattern.substr(0, 200), "'"));
  };
  while (i < side.size()) {
    const char c = side[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '(') {
      const size_t close = side.find(')', i);
      if (close == std::string::npos) fail("unbalanced parenthesis");
      Group g;
      size_t j = i + 1;
      while (j < close) {
        if (std::isspace(static_cast<unsigned char>(side[j]))) {
          ++j;
          continue;
        }
        if (!is_word(side[j])) fail("unexpected character inside a group");
        size_t e = j;
        while (e < close && is_word(side[e])) ++e;
        g.push_back(side.substr(j, e - j));
        j = e;
      }
      out.push_back(std::move(g));
      i = close + 1;
    } else if (is_word(c)) {
      size_t e = i;
      while (e < side.size() && is_word(side[e])) ++e;
      out.push_back({side.substr(i, e - i)});
      i = e;
    } else {
      fail("unexpected character");
    }
  }
  return out;
}

}  // namespace

Tensor rearrange(const Tensor& tensor,
                 const std::string& pattern,
                 const std::map<std::string, int64_t>& axes_lengths_in) {
  const size_t arrow = pattern.find("->");
  KERAS_CHECK(arrow != std::string::npos && pattern.find("->", arrow + 2) == std::string::npos,
              ValueError, "rearrange: the pattern must be 'input axes -> output axes', got '",
              pattern.substr(0, 200), "'");
  const std::vector<Group> in = parse_side(pattern.substr(0, arrow), pattern);
  const std::vector<Group> out = parse_side(pattern.substr(arrow + 2), pattern);
  KERAS_CHECK(static_cast<int>(in.size()) == tensor.rank(), ValueError, "rearrange: the pattern '",
              pattern.substr(0, 200), "' names ", in.size(), " input axes, the tensor has shape ",
              shape_str(tensor.shape()));
  std::map<std::string, int64_t> lengths = axes_lengths_in;
  std::map<std::string, int64_t> axes_map;
  Shape decomposed;
  std::vector<std::string> names;  // the input's axes, groups flattened
  for (size_t a = 0; a < in.size(); ++a) {
    const int64_t dim = tensor.shape()[a];
    const Group& g = in[a];
    if (g.size() == 1) {  // "h" or "(h)": the axis's own size, as Keras reads it
      axes_map[g[0]] = dim;
      decomposed.push_back(dim);
      names.push_back(g[0]);
      continue;
    }
    int64_t known = 1;
    std::vector<std::string> unknown;
    for (const std::string& n : g) {
      if (lengths.count(n) > 0) {
        known *= lengths[n];
      } else {
        unknown.push_back(n);
      }
    }
    KERAS_CHECK(unknown.size() <= 1, ValueError, "rearrange: could not infer the sizes of ",
                unknown.size(), " axes of one group in '", pattern.substr(0, 200),
                "'; give all but one in axes_lengths");
    if (!unknown.empty()) {
      KERAS_CHECK(known > 0 && dim % known == 0, ValueError, "rearrange: an axis of size ", dim,
                  " cannot be split into groups of ", known, " in '", pattern.substr(0, 200), "'");
      lengths[unknown[0]] = dim / known;
      known = dim;
    }
    KERAS_CHECK(
        known == dim, ValueError, "rearrange: the lengths of '(",
        [&] {
          std::string s;
          for (const std::string& n : g) s += (s.empty() ? "" : " ") + n;
          return s;
        }(),
        ")' multiply to ", known, ", the axis has size ", dim);
    for (const std::string& n : g) {
      axes_map[n] = lengths[n];
      decomposed.push_back(lengths[n]);
      names.push_back(n);
    }
  }
  std::vector<int> perm;
  Shape out_shape;
  for (const Group& g : out) {
    int64_t size = 1;
    for (const std::string& n : g) {
      const auto it = std::find(names.begin(), names.end(), n);
      KERAS_CHECK(it != names.end(), ValueError, "rearrange: output axis '", n,
                  "' is not in the input of '", pattern.substr(0, 200), "'");
      perm.push_back(static_cast<int>(it - names.begin()));
      size *= axes_map[n];
    }
    out_shape.push_back(size);
  }
  std::vector<int> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  KERAS_CHECK(sorted.size() == names.size() &&
                  std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
              ValueError, "rearrange: the output of '", pattern.substr(0, 200),
              "' must name every input axis once");
  Tensor t = decomposed == tensor.shape() ? tensor : reshape(tensor, decomposed);
  return reshape(transpose(t, perm), out_shape);
}

}  // namespace keras::ops
