#include "saving/h5_snapshot.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "saving/h5.h"
#include "saving/h5_records.h"

namespace keras::saving::h5 {
namespace {

using detail::Kind;
using detail::Object;
using detail::Status;

const Object& object_of(const Node& n) {
  return n.contents().objects[n.index()];
}

[[noreturn]] void fail(const Node& n, const std::string& message) {
  throw IOError(str(n.contents().what, ": ", message));
}

// The object `path` leads to from `loc`: nullopt when a component is missing, empty or "." (as
// libhdf5 finds no link by those names; a damaged file's names may be anything) or a non-group is
// on the way, -1 when the last link leads nowhere readable.
std::optional<int64_t> resolve(const Node& loc, const std::string& path) {
  int64_t at = loc.index();
  size_t pos = 0;
  while (pos <= path.size()) {
    const size_t next = std::min(path.find('/', pos), path.size());
    const std::string part = path.substr(pos, next - pos);
    pos = next + 1;
    if (part.empty() || part == "." || at < 0) return std::nullopt;  // at < 0: a dangling link
    const Object& o = loc.contents().objects[static_cast<size_t>(at)];
    if (o.kind != Kind::group) return std::nullopt;
    auto it = o.links.find(part);
    if (it == o.links.end()) {
      // Not listed: libhdf5 may not have been able to list this group.
      if (o.links_error) fail(loc, *o.links_error);
      return std::nullopt;
    }
    at = it->second;
  }
  return at;
}

// Integers and floats to D as libhdf5's conversions do: saturating, NaN to 0.
template <class D, class S>
D saturate(S v) {
  if constexpr (std::is_same_v<D, bool>) {
    return v != 0;  // not asked for (read_dataset refuses bool), but instantiated
  } else if constexpr (std::is_integral_v<S> && std::is_integral_v<D>) {
    if (std::cmp_less(v, std::numeric_limits<D>::min())) return std::numeric_limits<D>::min();
    if (std::cmp_greater(v, std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
    return static_cast<D>(v);
  } else {
    return value_cast<D>(v);
  }
}

template <class S>
void convert(const std::string& data, Tensor& out) {
  visit_dtype(out.dtype(), [&]<class D>() {
    D* dst = out.data<D>();
    const char* src = data.data();
    for (int64_t i = 0, n = out.size(); i < n; ++i) {
      S v;
      std::memcpy(&v, src + i * static_cast<int64_t>(sizeof(S)), sizeof(S));
      dst[i] = saturate<D>(v);
    }
  });
}

}  // namespace

Node read_untrusted(const std::string& image, const std::string& what) {
  KERAS_CHECK(image.size() >= 8 && image.compare(0, 8, "\x89HDF\r\n\x1a\n") == 0, IOError, what,
              ": not an HDF5 file");
  check_global_heaps(image, what);
  std::shared_ptr<const detail::Contents> contents =
      detail::parse_records(detail::read_records(image, what), what);
  KERAS_CHECK(!contents->refused, IOError, what,
              ": cannot open the HDF5 file (truncated or corrupt)");
  return Node(std::move(contents), 0);
}

std::optional<Node> open_group(const Node& loc, const std::string& path) {
  const std::optional<int64_t> at = resolve(loc, path);
  if (!at || *at < 0 || loc.contents().objects[static_cast<size_t>(*at)].kind != Kind::group) {
    return std::nullopt;
  }
  return Node(loc.shared(), static_cast<uint32_t>(*at));
}

bool exists(const Node& loc, const std::string& path) {
  return resolve(loc, path).has_value();
}

std::vector<std::string> children(const Node& group) {
  const Object& o = object_of(group);
  if (o.links_error) fail(group, *o.links_error);
  return o.link_names;
}

std::optional<std::vector<std::string>> read_string_attr(const Node& obj, const std::string& name) {
  const Object& o = object_of(obj);
  auto it = o.attributes.find(name);
  if (it == o.attributes.end()) {
    if (o.attributes_error) fail(obj, *o.attributes_error);
    return std::nullopt;
  }
  if (it->second.error) fail(obj, *it->second.error);
  return it->second.value;
}

Shape dataset_shape(const Node& loc, const std::string& name) {
  const std::optional<int64_t> at = resolve(loc, name);
  KERAS_CHECK(at.has_value(), ValueError, loc.contents().what, ": missing dataset '", excerpt(name),
              "'");
  if (*at < 0) fail(loc, str("HDF5: '", excerpt(name), "' cannot be opened"));
  const Object& o = loc.contents().objects[static_cast<size_t>(*at)];
  if (o.kind != Kind::dataset) fail(loc, str("HDF5: '", excerpt(name), "' is not a dataset"));
  if (!o.shape) fail(loc, o.shape_error);
  return *o.shape;
}

Tensor read_dataset(const Node& loc,
                    const std::string& name,
                    const Shape& expected,
                    DType dtype,
                    const std::string& what) {
  const std::optional<int64_t> at = resolve(loc, name);
  KERAS_CHECK(at.has_value(), ValueError, what, ": missing dataset '", excerpt(name), "'");
  KERAS_CHECK(*at >= 0, IOError, what, ": HDF5: '", excerpt(name), "' cannot be opened");
  const Object& o = loc.contents().objects[static_cast<size_t>(*at)];
  KERAS_CHECK(o.kind == Kind::dataset, IOError, what, ": HDF5: '", excerpt(name),
              "' is not a dataset");
  KERAS_CHECK(o.shape.has_value(), IOError, what, ": ", o.shape_error);
  KERAS_CHECK(*o.shape == expected, ValueError, what, ": expected shape ", shape_str(expected),
              ", found ", shape_str(*o.shape), " in the file");
  if (o.data_status == Status::value_error) throw ValueError(str(what, ": ", o.data_error));
  KERAS_CHECK(o.data_status == Status::ok, IOError, what, ": ", o.data_error);
  KERAS_CHECK(
      dtype == float32 || dtype == float64 || dtype == int32 || dtype == int64 || dtype == uint8,
      TypeError, what, ": HDF5: unsupported dtype ", dtype);
  Tensor out = Tensor::empty(expected, dtype, Device::cpu());
  KERAS_CHECK(o.data.size() == static_cast<size_t>(out.size()) * dtype_size(o.data_dtype), IOError,
              what, ": reading the HDF5 file failed (malformed answer of the reading ", "process)");
  switch (o.data_dtype) {
    case float32:
      convert<float>(o.data, out);
      break;
    case float64:
      convert<double>(o.data, out);
      break;
    default:
      convert<int64_t>(o.data, out);
  }
  return out;
}

}  // namespace keras::saving::h5
