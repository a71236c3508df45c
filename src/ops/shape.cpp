#include "keras/ops/shape.h"

#include <algorithm>
#include <numeric>

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"

namespace keras::ops {

using autodiff::Grads;
using autodiff::launch;

Tensor reshape(const Tensor& x, Shape shape) {
  Tensor y = x.reshape(std::move(shape));
  const Shape in = x.shape();
  autodiff::record("reshape", {x}, y, [in](const Tensor& dy) { return Grads{dy.reshape(in)}; });
  return y;
}

Tensor swapaxes(const Tensor& x, int axis1, int axis2) {
  std::vector<int> order(static_cast<size_t>(x.rank()));
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[static_cast<size_t>(normalize_axis(axis1, x.rank()))],
            order[static_cast<size_t>(normalize_axis(axis2, x.rank()))]);
  return transpose(x, order);
}

Tensor moveaxis(const Tensor& x, std::vector<int> source, std::vector<int> destination) {
  const int r = x.rank();
  KERAS_CHECK(source.size() == destination.size(), ValueError,
              "moveaxis: `source` and `destination` arguments must have the same number of "
              "elements, but they have ",
              source.size(), " and ", destination.size(), " respectively");
  std::vector<bool> moved(static_cast<size_t>(r), false), placed(static_cast<size_t>(r), false);
  for (size_t i = 0; i < source.size(); ++i) {
    source[i] = normalize_axis(source[i], r);
    destination[i] = normalize_axis(destination[i], r);
    KERAS_CHECK(!moved[static_cast<size_t>(source[i])], ValueError,
                "moveaxis: repeated axis in `source` argument");
    KERAS_CHECK(!placed[static_cast<size_t>(destination[i])], ValueError,
                "moveaxis: repeated axis in `destination` argument");
    moved[static_cast<size_t>(source[i])] = placed[static_cast<size_t>(destination[i])] = true;
  }
  std::vector<int> order;
  for (int d = 0; d < r; ++d) {
    if (!moved[static_cast<size_t>(d)]) order.push_back(d);
  }
  std::vector<size_t> by_destination(source.size());
  std::iota(by_destination.begin(), by_destination.end(), size_t{0});
  std::sort(by_destination.begin(), by_destination.end(),
            [&](size_t a, size_t b) { return destination[a] < destination[b]; });
  for (size_t i : by_destination) order.insert(order.begin() + destination[i], source[i]);
  return transpose(x, order);
}

namespace {

// Keeps x's elements of its last two axes where keep(row, column), zeros elsewhere.
template <class Keep>
Tensor triangle(const Tensor& x, const char* name, Keep&& keep) {
  KERAS_CHECK(x.rank() >= 2, ValueError, name, ": expected a tensor of rank >= 2, got shape ",
              shape_str(x.shape()));
  const int64_t rows = x.shape()[x.shape().size() - 2], cols = x.shape().back();
  std::vector<uint8_t> mask(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) mask[static_cast<size_t>(i * cols + j)] = keep(i, j);
  }
  const Tensor m = cast(Tensor::from_vector(mask, {rows, cols}), bool_);
  return where(m, x, scalar_like(0, x));
}

// take(x, indices, axis) with constant indices.
Tensor take_constant(const Tensor& x, const std::vector<int64_t>& indices, int axis) {
  return take(x, Tensor::from_vector(indices, {static_cast<int64_t>(indices.size())}), axis);
}

}  // namespace

Tensor tril(const Tensor& x, int k) {
  return triangle(x, "tril", [k](int64_t i, int64_t j) { return j - i <= k; });
}
Tensor triu(const Tensor& x, int k) {
  return triangle(x, "triu", [k](int64_t i, int64_t j) { return j - i >= k; });
}

Tensor flip(const Tensor& x, std::vector<int> axes) {
  if (axes.empty()) {
    for (int d = 0; d < x.rank(); ++d) axes.push_back(d);
  }
  Tensor y = x;
  for (int a : axes) {
    const int64_t n = x.shape()[static_cast<size_t>(normalize_axis(a, x.rank()))];
    std::vector<int64_t> idx(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) idx[static_cast<size_t>(i)] = n - 1 - i;
    y = take_constant(y, idx, a);
  }
  return y;
}

Tensor fliplr(const Tensor& x) {
  KERAS_CHECK(x.rank() >= 2, ValueError,
              "`fliplr` requires input with 2 or more dimensions. Received: x.shape=",
              shape_str(x.shape()));
  return flip(x, {1});
}

Tensor flipud(const Tensor& x) {
  KERAS_CHECK(x.rank() >= 1, ValueError,
              "`flipud` requires input with 1 or more dimensions. Received: x.shape=",
              shape_str(x.shape()));
  return flip(x, {0});
}

Tensor roll(const Tensor& x, std::vector<int64_t> shifts, std::vector<int> axes) {
  if (axes.empty()) {
    KERAS_CHECK(shifts.size() == 1, ValueError,
                "roll: without axes, `shift` must be one integer, got ", shifts.size());
    return reshape(roll(reshape(x, {x.size()}), shifts, {0}), x.shape());
  }
  if (shifts.size() == 1 && axes.size() > 1) shifts.assign(axes.size(), shifts[0]);
  KERAS_CHECK(shifts.size() == axes.size(), ValueError, "roll: `shift` and `axis` must have the ",
              "same length, got ", shifts.size(), " and ", axes.size());
  Tensor y = x;
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t n = x.shape()[static_cast<size_t>(normalize_axis(axes[i], x.rank()))];
    if (n == 0) continue;
    std::vector<int64_t> idx(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) idx[static_cast<size_t>(j)] = ((j - shifts[i]) % n + n) % n;
    y = take_constant(y, idx, axes[i]);
  }
  return y;
}

Tensor tile(const Tensor& x, std::vector<int64_t> repeats) {
  for (int64_t r : repeats) {
    KERAS_CHECK(r >= 0, ValueError, "tile: repeats must be non-negative, got ", r);
  }
  Tensor y = x;
  while (static_cast<size_t>(y.rank()) < repeats.size()) y = expand_dims(y, 0);
  while (repeats.size() < static_cast<size_t>(y.rank())) repeats.insert(repeats.begin(), 1);
  for (int a = 0; a < y.rank(); ++a) {
    const int64_t n = y.shape()[static_cast<size_t>(a)], r = repeats[static_cast<size_t>(a)];
    if (r == 1) continue;
    std::vector<int64_t> idx;
    for (int64_t k = 0; k < r; ++k) {
      for (int64_t j = 0; j < n; ++j) idx.push_back(j);
    }
    y = take_constant(y, idx, a);
  }
  return y;
}

Tensor transpose(const Tensor& x, std::vector<int> axes) {
  const int r = x.rank();
  if (axes.empty()) {
    for (int d = r - 1; d >= 0; --d) axes.push_back(d);
  }
  KERAS_CHECK(static_cast<int>(axes.size()) == r, ValueError,
              "transpose: axes don't match array: ", axes.size(), " axes for a tensor of rank ", r);
  std::vector<bool> seen(static_cast<size_t>(r), false);
  Shape out(static_cast<size_t>(r));
  for (int i = 0; i < r; ++i) {
    axes[i] = normalize_axis(axes[i], r);
    KERAS_CHECK(!seen[axes[i]], ValueError, "transpose: repeated axis in permutation");
    seen[axes[i]] = true;
    out[i] = x.shape()[axes[i]];
  }
  Tensor y = Tensor::empty(out, x.dtype(), x.device());
  backend::Backend& be = backend::backend_for(x);
  launch([&be, x, y, axes] { be.transpose(x, axes, y); });
  autodiff::record("transpose", {x}, y, [axes](const Tensor& dy) {
    std::vector<int> inverse(axes.size());
    for (size_t i = 0; i < axes.size(); ++i) inverse[axes[i]] = static_cast<int>(i);
    return Grads{transpose(dy, inverse)};
  });
  return y;
}

Tensor expand_dims(const Tensor& x, int axis) {
  axis = normalize_axis(axis, x.rank() + 1);
  Shape s = x.shape();
  s.insert(s.begin() + axis, 1);
  return reshape(x, s);
}

Tensor squeeze(const Tensor& x, std::optional<int> axis) {
  Shape s;
  if (axis) {
    const int a = normalize_axis(*axis, x.rank());
    KERAS_CHECK(x.shape()[a] == 1, ValueError,
                "squeeze: cannot select an axis to squeeze out "
                "which has size not equal to one (axis ",
                a, " of shape ", shape_str(x.shape()), ")");
    s = x.shape();
    s.erase(s.begin() + a);
  } else {
    for (int64_t d : x.shape()) {
      if (d != 1) s.push_back(d);
    }
  }
  return reshape(x, s);
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  KERAS_CHECK(broadcast_shapes(x.shape(), shape) == shape, ValueError,
              "broadcast_to: cannot "
              "broadcast a tensor of shape ",
              shape_str(x.shape()), " to ", shape_str(shape));
  if (x.shape() == shape) return x;
  Tensor y = Tensor::empty(shape, x.dtype(), x.device());
  backend::Backend& be = backend::backend_for(x);
  launch([&be, x, y] { be.broadcast_to(x, y); });
  // The tape sums the gradient back to x's shape.
  autodiff::record("broadcast_to", {x}, y, [](const Tensor& dy) { return Grads{dy}; });
  return y;
}

Tensor concatenate(const Tensors& xs_in, int axis) {
  KERAS_CHECK(!xs_in.empty(), ValueError, "concatenate: need at least one tensor");
  const int r = xs_in[0].rank();
  KERAS_CHECK(r > 0, ValueError, "concatenate: zero-dimensional arrays cannot be concatenated");
  axis = normalize_axis(axis, r);
  DType dtype = xs_in[0].dtype();
  for (const Tensor& t : xs_in) dtype = result_type(dtype, t.dtype());
  Tensors xs;
  Shape out = xs_in[0].shape();
  out[axis] = 0;
  for (const Tensor& t : xs_in) {
    KERAS_CHECK(t.rank() == r, ValueError, "concatenate: all inputs must have the same rank, got ",
                shape_str(xs_in[0].shape()), " and ", shape_str(t.shape()));
    for (int d = 0; d < r; ++d) {
      KERAS_CHECK(d == axis || t.shape()[d] == xs_in[0].shape()[d], ValueError,
                  "concatenate: all input dimensions except axis ", axis,
                  " must match exactly, got ", shape_str(xs_in[0].shape()), " and ",
                  shape_str(t.shape()));
    }
    out[axis] += t.shape()[axis];
    xs.push_back(cast(t, dtype));
  }
  Tensor y = Tensor::empty(out, dtype, xs[0].device());
  backend::Backend& be = backend::backend_for("concatenate", xs);
  launch([&be, xs, axis, y] { be.concat(xs, axis, y); });
  std::vector<int64_t> sizes;
  for (const Tensor& t : xs) sizes.push_back(t.shape()[axis]);
  autodiff::record("concatenate", xs, Tensors{y}, [axis, sizes](const Tensors& dys) {
    Grads g;
    int64_t start = 0;
    for (int64_t n : sizes) {
      g.push_back(slice_axis(dys[0], axis, start, n));
      start += n;
    }
    return g;
  });
  return y;
}

Tensor slice_axis(const Tensor& x, int axis, int64_t start, int64_t size) {
  axis = normalize_axis(axis, x.rank());
  KERAS_CHECK(start >= 0 && size >= 0 && start + size <= x.shape()[axis], IndexError, "slice: [",
              start, ", ", start + size, ") out of range for axis ", axis, " of size ",
              x.shape()[axis]);
  Shape out = x.shape();
  out[axis] = size;
  Tensor y = Tensor::empty(out, x.dtype(), x.device());
  backend::Backend& be = backend::backend_for(x);
  launch([&be, x, axis, start, y] { be.slice_axis(x, axis, start, y); });
  const Shape in = x.shape();
  autodiff::record("slice", {x}, y, [&be, in, axis, start](const Tensor& dy) {
    Tensor dx = Tensor::empty(in, dy.dtype(), dy.device());
    launch([&be, dy, axis, start, dx] { be.slice_axis_backward(dy, axis, start, dx); });
    return Grads{dx};
  });
  return y;
}

Tensors split(const Tensor& x, int64_t sections, int axis) {
  axis = normalize_axis(axis, x.rank());
  KERAS_CHECK(sections > 0 && x.shape()[axis] % sections == 0, ValueError,
              "split: array split does not result in an equal division: axis ", axis, " of shape ",
              shape_str(x.shape()), " into ", sections, " sections");
  const Tensor source = stop_gradient(x);  // the slices themselves are not recorded
  const int64_t size = x.shape()[axis] / sections;
  Tensors parts;
  for (int64_t p = 0; p < sections; ++p) parts.push_back(slice_axis(source, axis, p * size, size));
  autodiff::record("split", {x}, parts, [axis](const Tensors& dys) {
    return Grads{concatenate(dys, axis)};  // the tape zero-fills the parts nobody used
  });
  return parts;
}

Tensors split(const Tensor& x, const std::vector<int64_t>& indices, int axis) {
  axis = normalize_axis(axis, x.rank());
  const int64_t size = x.shape()[axis];
  const Tensor source = stop_gradient(x);
  Tensors parts;
  std::vector<std::pair<int64_t, int64_t>> bounds;  // [begin, end) of each part
  bool tiles = true;  // non-decreasing indices: the parts tile x in order
  for (size_t i = 0; i <= indices.size(); ++i) {
    const int64_t begin = i == 0 ? 0 : std::clamp<int64_t>(indices[i - 1], 0, size);
    const int64_t end = i < indices.size() ? std::clamp<int64_t>(indices[i], 0, size) : size;
    tiles = tiles && end >= begin;
    parts.push_back(slice_axis(source, axis, begin, std::max<int64_t>(0, end - begin)));
    bounds.emplace_back(begin, std::max(begin, end));
  }
  autodiff::record(
      "split", {x}, parts, [axis, bounds, tiles, shape = x.shape()](const Tensors& dys) {
        if (tiles) return Grads{concatenate(dys, axis)};
        // Overlapping parts: each part's gradient placed at its rows, summed.
        Tensor dx = zeros(shape, dys.at(0).dtype(), dys.at(0).device());
        for (size_t i = 0; i < dys.size(); ++i) {
          Shape before = shape, after = shape;
          before[static_cast<size_t>(axis)] = bounds[i].first;
          after[static_cast<size_t>(axis)] = shape[static_cast<size_t>(axis)] - bounds[i].second;
          dx = add(dx, concatenate({zeros(before, dys[i].dtype(), dys[i].device()), dys[i],
                                    zeros(after, dys[i].dtype(), dys[i].device())},
                                   axis));
        }
        return Grads{dx};
      });
  return parts;
}

Tensors unstack(const Tensor& x, int axis) {
  KERAS_CHECK(x.rank() >= 1, ValueError, "unstack: expected a tensor of rank >= 1, got a scalar");
  axis = normalize_axis(axis, x.rank());
  const int64_t n = x.shape()[axis];
  if (n == 0) return {};
  Tensors parts = split(x, n, axis);
  for (Tensor& p : parts) p = squeeze(p, axis);
  return parts;
}

Tensor slice(const Tensor& x, std::vector<int64_t> start, std::vector<int64_t> shape) {
  KERAS_CHECK(start.size() == static_cast<size_t>(x.rank()) &&
                  shape.size() == static_cast<size_t>(x.rank()),
              ValueError, "slice: expected start_indices and shape of length ", x.rank(),
              " (the input's rank), got ", start.size(), " and ", shape.size());
  Tensor y = x;
  for (int a = 0; a < x.rank(); ++a) {
    const int64_t dim = x.shape()[a];
    const int64_t size = shape[a] == -1 ? dim - std::clamp<int64_t>(start[a], 0, dim) : shape[a];
    KERAS_CHECK(size >= 0 && size <= dim, ValueError, "slice: size ", shape[a], " of axis ", a,
                " does not fit its ", dim, " elements");
    const int64_t begin = std::clamp<int64_t>(start[a], 0, dim - size);
    if (begin != 0 || size != dim) y = slice_axis(y, a, begin, size);
  }
  return y;
}

Tensor diag(const Tensor& x, int k) {
  KERAS_CHECK(x.rank() == 1 || x.rank() == 2, ValueError,
              "diag: input must be 1-D or 2-D, got shape ", shape_str(x.shape()));
  if (x.rank() == 2) return diagonal(x, k);
  const int64_t n = x.shape()[0], off = k < 0 ? -int64_t{k} : k, size = n + off;
  // Row i holds v[i] at column i + k for k >= 0; column j holds v[j] at row j + |k| for k < 0:
  // v padded with |k| zeros, broadcast along the rows or the columns and masked to the diagonal
  // (with where, so that an infinite v[i] leaves zeros elsewhere).
  const Tensor padded = pad(x, {{0, off}});
  std::vector<uint8_t> on(static_cast<size_t>(size * size), 0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t r = k >= 0 ? i : i + off, c = k >= 0 ? i + off : i;
    on[static_cast<size_t>(r * size + c)] = 1;
  }
  const Tensor mask = cast(Tensor::from_vector(on, {size, size}, x.device()), bool_);
  const Tensor values =
      broadcast_to(k >= 0 ? expand_dims(padded, 1) : expand_dims(padded, 0), {size, size});
  return where(mask, values, zeros_like(values));
}

namespace {

// take with the gather reading `ids` (any dtype the kernel takes) and the gradient scattering
// to `indices` (the same ids as int32 or int64).
Tensor gather_rows(const Tensor& x,
                   const Tensor& ids,
                   const Tensor& indices,
                   backend::GatherParams params) {
  Shape out = ids.shape();
  out.insert(out.end(), x.shape().begin() + 1, x.shape().end());
  Tensor y = Tensor::empty(out, x.dtype(), x.device());
  backend::Backend& be = backend::backend_for("take", {x, ids});
  launch([&be, x, ids, y, params] { be.gather(x, ids, y, params); });
  const Shape in = x.shape();
  autodiff::record("take", {x}, y, [&be, in, indices](const Tensor& dy) {
    Tensor dx = Tensor::empty(in, dy.dtype(), dy.device());
    // dx is zero outside the gathered rows. A replayed step reuses dx, so after the first run it
    // only has to clear the rows the previous run scattered into, not the whole table.
    struct Previous {
      Tensor rows;
      bool valid = false;
    };
    auto previous = std::make_shared<Previous>(Previous{empty_like(indices)});
    launch([&be, dy, indices, dx, previous] {
      try {
        if (previous->valid) {
          be.fill_rows(dx, previous->rows, 0.0);
        } else {
          be.fill(dx, 0.0);
        }
        be.scatter_add(dy, indices, dx);
        be.copy(indices, previous->rows);
        previous->valid = true;
      } catch (...) {
        previous->valid = false;
        throw;
      }
    });
    dx.set_nonzero_rows(indices);
    return Grads{dx};
  });
  return y;
}

}  // namespace

Tensor take(const Tensor& x, const Tensor& indices) {
  KERAS_CHECK(x.rank() >= 1, ValueError, "take: cannot index a scalar");
  KERAS_CHECK(indices.dtype() == int32 || indices.dtype() == int64, TypeError,
              "take: indices must be int32 or int64, got ", indices.dtype());
  return gather_rows(x, indices, indices, {});
}

Tensor take(const Tensor& x, const Tensor& indices, int axis) {
  KERAS_CHECK(x.rank() >= 1, ValueError, "take: cannot index a scalar");
  const int a = normalize_axis(axis, x.rank());
  const Tensor y = take(moveaxis(x, {a}, {0}), indices);  // indices' dims, then x's others
  if (a == 0) return y;
  const int k = indices.rank();
  std::vector<int> perm;
  for (int i = 0; i < a; ++i) perm.push_back(k + i);
  for (int i = 0; i < k; ++i) perm.push_back(i);
  for (int i = k + a; i < y.rank(); ++i) perm.push_back(i);
  return transpose(y, perm);
}

Tensor diff(const Tensor& x, int n, int axis) {
  KERAS_CHECK(x.rank() >= 1, ValueError, "diff requires input that is at least one dimensional");
  KERAS_CHECK(n >= 0, ValueError, "diff: order must be non-negative but got ", n);
  const int a = normalize_axis(axis, x.rank());
  Tensor y = x;
  for (int i = 0; i < n && y.shape()[static_cast<size_t>(a)] > 0; ++i) {
    const int64_t size = y.shape()[static_cast<size_t>(a)] - 1;
    y = subtract(slice_axis(y, a, 1, size), slice_axis(y, a, 0, size));
  }
  return y;
}

Tensor diagonal(const Tensor& x, int offset, int axis1, int axis2) {
  KERAS_CHECK(x.rank() >= 2, ValueError, "diagonal requires an array of at least two dimensions");
  const int a = normalize_axis(axis1, x.rank()), b = normalize_axis(axis2, x.rank());
  KERAS_CHECK(a != b, ValueError, "diagonal: axis1 and axis2 cannot be the same");
  const Tensor y = moveaxis(x, {a, b}, {-2, -1});  // (..., n, m)
  const int64_t n = y.shape()[static_cast<size_t>(y.rank() - 2)];
  const int64_t m = y.shape().back();
  const int64_t row0 = offset >= 0 ? 0 : std::min<int64_t>(n, -int64_t{offset});
  const int64_t col0 = offset >= 0 ? std::min<int64_t>(m, offset) : 0;
  const int64_t length = std::max<int64_t>(0, std::min(n - row0, m - col0));
  const Tensor rows = slice_axis(y, -2, row0, length);  // (..., length, m)
  std::vector<int64_t> cols(static_cast<size_t>(length));
  std::iota(cols.begin(), cols.end(), col0);
  Shape index_shape(static_cast<size_t>(y.rank()), 1);
  index_shape[index_shape.size() - 2] = length;
  const Tensor picked =
      take_along_axis(rows, Tensor::from_vector(cols, index_shape).to(x.device()), -1);
  return reshape(picked, Shape(picked.shape().begin(), picked.shape().end() - 1));
}

Tensor trace(const Tensor& x, int offset, int axis1, int axis2) {
  return sum(diagonal(x, offset, axis1, axis2), {-1});
}

Tensor hstack(const Tensors& xs) {
  KERAS_CHECK(!xs.empty(), ValueError, "hstack: need at least one array to concatenate");
  return concatenate(xs, xs[0].rank() == 1 ? 0 : 1);
}

Tensor vstack(const Tensors& xs) {
  KERAS_CHECK(!xs.empty(), ValueError, "vstack: need at least one array to concatenate");
  Tensors rows;
  for (const Tensor& x : xs) rows.push_back(x.rank() == 1 ? expand_dims(x, 0) : x);
  return concatenate(rows, 0);
}

Tensor dstack(const Tensors& xs) {
  KERAS_CHECK(!xs.empty(), ValueError, "dstack: need at least one array to concatenate");
  DType dtype = xs[0].dtype();
  for (const Tensor& x : xs) dtype = result_type(dtype, x.dtype());
  Tensors parts;
  for (const Tensor& x : xs) {
    const Tensor t = cast(x, dtype);
    if (t.rank() == 0) {
      parts.push_back(reshape(t, {1, 1, 1}));
    } else if (t.rank() == 1) {
      parts.push_back(reshape(t, {1, t.shape()[0], 1}));
    } else if (t.rank() == 2) {
      parts.push_back(expand_dims(t, 2));
    } else {
      parts.push_back(t);
    }
  }
  return concatenate(parts, 2);
}

namespace {

// hsplit / vsplit / dsplit: `axis` needs rank `min_rank`.
void check_split_rank(const Tensor& x, const char* name, int min_rank) {
  KERAS_CHECK(x.rank() >= min_rank, ValueError, name, " only works on arrays of ", min_rank,
              " or more dimensions, got shape ", shape_str(x.shape()));
}

}  // namespace

Tensors hsplit(const Tensor& x, int64_t sections) {
  check_split_rank(x, "hsplit", 1);
  return split(x, sections, x.rank() == 1 ? 0 : 1);
}
Tensors hsplit(const Tensor& x, const std::vector<int64_t>& indices) {
  check_split_rank(x, "hsplit", 1);
  return split(x, indices, x.rank() == 1 ? 0 : 1);
}
Tensors vsplit(const Tensor& x, int64_t sections) {
  check_split_rank(x, "vsplit", 1);
  return split(x, sections, 0);
}
Tensors vsplit(const Tensor& x, const std::vector<int64_t>& indices) {
  check_split_rank(x, "vsplit", 1);
  return split(x, indices, 0);
}
Tensors dsplit(const Tensor& x, int64_t sections) {
  check_split_rank(x, "dsplit", 3);
  return split(x, sections, 2);
}
Tensors dsplit(const Tensor& x, const std::vector<int64_t>& indices) {
  check_split_rank(x, "dsplit", 3);
  return split(x, indices, 2);
}

Tensors meshgrid(const Tensors& xs, const std::string& indexing) {
  KERAS_CHECK(indexing == "xy" || indexing == "ij", ValueError,
              "Valid values for `indexing` are 'xy' and 'ij', but received ",
              indexing.substr(0, 20), ".");
  Shape grid;
  for (const Tensor& x : xs) {
    KERAS_CHECK(x.rank() == 1, ValueError, "meshgrid: the arguments must be 1-D, got shape ",
                shape_str(x.shape()));
    grid.push_back(x.size());
  }
  const bool xy = indexing == "xy" && xs.size() >= 2;
  if (xy) std::swap(grid[0], grid[1]);
  Tensors out;
  for (size_t i = 0; i < xs.size(); ++i) {
    // Vector i lies along grid axis i (axes 0 and 1 trade places for "xy").
    const size_t along = xy && i < 2 ? 1 - i : i;
    Shape shape(grid.size(), 1);
    shape[along] = grid[along];
    out.push_back(broadcast_to(reshape(xs[i], shape), grid));
  }
  return out;
}

Tensors unravel_index(const Tensor& indices, const std::vector<int64_t>& shape) {
  KERAS_CHECK(is_integer(indices.dtype()), TypeError,
              "unravel_index: indices must be integers, got dtype ", dtype_name(indices.dtype()));
  int64_t size = 1;
  for (int64_t d : shape) {
    KERAS_CHECK(d >= 0, ValueError, "unravel_index: negative dimension in shape (", shape.size(),
                " dimensions)");
    size = checked_mul(size, d, "unravel_index");
  }
  // Counted from the end when negative, then clipped into [0, size - 1] (JAX's).
  Tensor flat = cast(indices, int64);
  flat = where(less(flat, scalar_like(0, flat)), add(flat, static_cast<double>(size)), flat);
  flat = clip(flat, 0, static_cast<double>(std::max<int64_t>(size - 1, 0)));
  Tensors coords(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    const int64_t n = shape[d];
    if (n == 0) {
      coords[d] = cast(zeros_like(flat), indices.dtype());
      continue;
    }
    const Tensor extent = scalar_like(static_cast<double>(n), flat);
    coords[d] = cast(mod(flat, extent), indices.dtype());
    flat = floor_divide(flat, extent);
  }
  return coords;
}

Tensor take_along_axis(const Tensor& x, const Tensor& indices, std::optional<int> axis) {
  KERAS_CHECK(indices.dtype() == int32 || indices.dtype() == int64, TypeError,
              "take_along_axis: indices must be int32 or int64, got ", indices.dtype());
  if (!axis) {
    KERAS_CHECK(indices.rank() == 1, ValueError,
                "take_along_axis: without an axis, indices must be 1-D, got shape ",
                shape_str(indices.shape()));
    return take_along_axis(reshape(x, {x.size()}), indices, 0);
  }
  KERAS_CHECK(x.rank() >= 1 && x.rank() == indices.rank(), ValueError,
              "take_along_axis: x and indices must have the same rank (at least 1), got shapes ",
              shape_str(x.shape()), " and ", shape_str(indices.shape()));
  const int a = normalize_axis(*axis, x.rank());
  Shape xs = x.shape(), out = indices.shape();
  for (int d = 0; d < x.rank(); ++d) {
    if (d == a) continue;
    const auto i = static_cast<size_t>(d);
    KERAS_CHECK(xs[i] == out[i] || xs[i] == 1 || out[i] == 1, ValueError,
                "take_along_axis: shapes ", shape_str(x.shape()), " and ",
                shape_str(indices.shape()), " do not broadcast outside axis ", a);
    xs[i] = out[i] = xs[i] == 1 ? out[i] : xs[i];
  }
  const int64_t n = xs[static_cast<size_t>(a)];
  // Each output element's offset in the flattened (broadcast) x with the axis index at 0, plus
  // the index times the axis's stride.
  int64_t stride = 1;
  for (int d = x.rank() - 1; d > a; --d) stride *= xs[static_cast<size_t>(d)];
  std::vector<int64_t> base(static_cast<size_t>(num_elements(out)));
  for (size_t e = 0; e < base.size(); ++e) {
    int64_t rest = static_cast<int64_t>(e), offset = 0, scale = 1;
    for (int d = x.rank() - 1; d >= 0; --d) {
      const int64_t extent = out[static_cast<size_t>(d)];
      const int64_t c = rest % extent;
      rest /= extent;
      if (d != a) offset += c * scale;
      scale *= xs[static_cast<size_t>(d)];
    }
    base[e] = offset;
  }
  Tensor idx = cast(broadcast_to(indices, out), int64);
  const Tensor size = scalar_like(static_cast<double>(n), idx), zero = scalar_like(0.0, idx);
  idx = where(less(idx, zero), add(idx, size), idx);
  // An index outside [-n, n) must not land in a neighbouring slice: it becomes -1, which take
  // rejects (IndexError).
  const Tensor outside = logical_or(less(idx, zero), greater_equal(idx, size));
  const Tensor offsets = Tensor::from_vector(base, out).to(x.device());
  Tensor flat = add(offsets, multiply(idx, scalar_like(static_cast<double>(stride), idx)));
  flat = where(outside, scalar_like(-1.0, flat), flat);
  return reshape(take(reshape(broadcast_to(x, xs), {num_elements(xs)}), flat), out);
}

Tensor embedding_lookup(const Tensor& table, const Tensor& ids_in, const std::string& context) {
  KERAS_CHECK(table.rank() >= 1, ValueError, "embedding_lookup: cannot index a scalar");
  if (ids_in.dtype() == bool_) {  // 0 and 1 are reported as take reports them
    const Tensor ids = cast(ids_in, int32);
    return gather_rows(table, ids, ids, {});
  }
  const Tensor indices =
      ids_in.dtype() == int32 || ids_in.dtype() == int64 ? ids_in : cast(ids_in, int32);
  return gather_rows(table, ids_in, indices, {.context = context});
}

Tensor one_hot(const Tensor& indices, int64_t num_classes, DType dtype) {
  KERAS_CHECK(num_classes > 0, ValueError, "one_hot: num_classes must be positive, got ",
              num_classes);
  Shape out = indices.shape();
  out.push_back(num_classes);
  Tensor y = Tensor::empty(out, dtype, indices.device());
  backend::Backend& be = backend::backend_for(indices);
  const Tensor idx =
      is_integer(indices.dtype()) && indices.dtype() != uint8 ? indices : cast(indices, int64);
  launch([&be, idx, y] { be.one_hot(idx, y); });
  return y;
}

Tensor copy(const Tensor& x) {
  Tensor y = empty_like(x);
  backend::Backend& be = backend::backend_for(x);
  launch([&be, x, y] { be.copy(x, y); });
  autodiff::record("copy", {x}, y, [](const Tensor& dy) { return Grads{dy}; });
  return y;
}

// A composite of concatenations with constant blocks, one per padded axis, so the gradient
// comes from concatenate's (a slice per axis).
Tensor pad(const Tensor& x,
           const std::vector<std::pair<int64_t, int64_t>>& pad_width,
           double constant_value) {
  KERAS_CHECK(static_cast<int>(pad_width.size()) == x.rank(), ValueError, "pad: pad_width has ",
              pad_width.size(), " (before, after) pairs for an input of rank ", x.rank(),
              " (shape ", shape_str(x.shape()), ")");
  Tensor y = x;
  for (int axis = 0; axis < x.rank(); ++axis) {
    const auto [before, after] = pad_width[static_cast<size_t>(axis)];
    KERAS_CHECK(before >= 0 && after >= 0, ValueError,
                "pad: padding amounts must be non-negative, got (", before, ", ", after,
                ") for axis ", axis);
    if (before == 0 && after == 0) continue;
    Tensors parts;
    Shape block = y.shape();
    if (before > 0) {
      block[axis] = before;
      parts.push_back(full(block, constant_value, y.dtype(), y.device()));
    }
    parts.push_back(y);
    if (after > 0) {
      block[axis] = after;
      parts.push_back(full(block, constant_value, y.dtype(), y.device()));
    }
    y = concatenate(parts, axis);
  }
  return y;
}

// (outer, n, inner) -> `repeats` copies concatenated on a new axis (outer * n, repeats, inner):
// the concat kernel copies contiguous chunks, where a broadcast over a middle axis would take
// the slow strided path. The tape sums the copies' gradients. Many copies (an UpSampling size of
// 10^9 from a config) are a broadcast instead: a list of that many tensors is itself gigabytes.
Tensor repeat(const Tensor& x, int64_t repeats, int axis) {
  KERAS_CHECK(repeats >= 1, ValueError, "repeat: repeats must be positive, got ", repeats);
  axis = normalize_axis(axis, x.rank());
  if (repeats == 1) return x;
  int64_t inner = 1;
  for (int d = axis + 1; d < x.rank(); ++d) inner *= x.shape()[d];
  const Tensor rows = reshape(x, {x.size() / std::max<int64_t>(inner, 1), 1, inner});
  Shape out = x.shape();
  out[axis] = checked_mul(out[axis], repeats, "repeat");
  num_elements(out);  // a ValueError before anything is allocated
  if (repeats > 64) return reshape(broadcast_to(rows, {rows.dim(0), repeats, inner}), out);
  return reshape(concatenate(Tensors(static_cast<size_t>(repeats), rows), 1), out);
}

Tensor ravel(const Tensor& x) {
  return reshape(x, {x.size()});
}
Tensor rot90(const Tensor& x, int k, std::pair<int, int> axes) {
  KERAS_CHECK(x.rank() >= 2, ValueError,
              "rot90: the input must have at least 2 dimensions, got rank ", x.rank());
  const int a = normalize_axis(axes.first, x.rank()), b = normalize_axis(axes.second, x.rank());
  KERAS_CHECK(a != b, ValueError, "rot90: invalid axes (", axes.first, ", ", axes.second,
              "): axes must be two different dimensions");
  std::vector<int> swapped(static_cast<size_t>(x.rank()));
  std::iota(swapped.begin(), swapped.end(), 0);
  std::swap(swapped[static_cast<size_t>(a)], swapped[static_cast<size_t>(b)]);
  switch (((k % 4) + 4) % 4) {
    case 1:
      return transpose(flip(x, {b}), swapped);
    case 2:
      return flip(x, {a, b});
    case 3:
      return flip(transpose(x, swapped), {b});
    default:
      return x;
  }
}

}  // namespace keras::ops
