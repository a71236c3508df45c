#include "saving/h5.h"

#include <cstring>
#include <mutex>

namespace keras::saving::h5 {
namespace {

void silence_hdf5() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

hid_t check(hid_t id, const char* what) {
  if (id < 0) throw IOError(str("HDF5: ", what, " failed (damaged or unexpected file?)"));
  return id;
}

// External links name other files, which a loaded file must never make us open (a FIFO would
// even block); every path lookup uses this access list, which refuses to traverse them.
herr_t refuse_external_link(
    const char*, const char*, const char*, const char*, unsigned*, hid_t, void*) {
  return -1;
}

}  // namespace

namespace {
hid_t refusing_access_list(hid_t plist_class) {
  const hid_t id = H5Pcreate(plist_class);
  if (id >= 0) H5Pset_elink_cb(id, refuse_external_link, nullptr);
  return check(id, "H5Pcreate (access list)");
}
}  // namespace

hid_t link_access() {
  static const hid_t list = refusing_access_list(H5P_LINK_ACCESS);
  return list;
}

hid_t group_access() {
  static const hid_t list = refusing_access_list(H5P_GROUP_ACCESS);
  return list;
}

hid_t dataset_access() {
  static const hid_t list = refusing_access_list(H5P_DATASET_ACCESS);
  return list;
}

namespace {

// The size of the file holding `obj`: every name and fixed-size attribute read from it must fit.
hsize_t file_bytes(hid_t obj) {
  Handle file(check(H5Iget_file_id(obj), "H5Iget_file_id"), H5Fclose);
  hsize_t size = 0;
  check(H5Fget_filesize(file.id(), &size), "H5Fget_filesize");
  return size;
}

hid_t mem_type(DType dtype) {
  switch (dtype) {
    case float32:
      return H5T_NATIVE_FLOAT;
    case float64:
      return H5T_NATIVE_DOUBLE;
    case int32:
      return H5T_NATIVE_INT32;
    case int64:
      return H5T_NATIVE_INT64;
    case uint8:
      return H5T_NATIVE_UINT8;
    default:
      throw TypeError(str("HDF5: unsupported dtype ", dtype));
  }
}

}  // namespace

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    if (id_ >= 0 && close_) close_(id_);
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = -1;
  }
  return *this;
}

Handle::~Handle() {
  if (id_ >= 0 && close_) close_(id_);
}

File File::create() {
  silence_hdf5();
  Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"), H5Pclose);
  check(H5Pset_fapl_core(fapl.id(), 1 << 16, 0), "H5Pset_fapl_core");
  File f;
  f.file_ = Handle(check(H5Fcreate("keras_memory.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id()),
                         "creating an in-memory file"),
                   H5Fclose);
  return f;
}

void check_global_heaps(const std::string& image, const std::string& what) {
  auto u64 = [&](size_t at) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(image[at + i]);
    return v;
  };
  auto u16 = [&](size_t at) {
    return static_cast<unsigned>(static_cast<unsigned char>(image[at])) |
           static_cast<unsigned>(static_cast<unsigned char>(image[at + 1])) << 8;
  };
  for (size_t at = image.find("GCOL"); at != std::string::npos; at = image.find("GCOL", at + 4)) {
    if (at + 16 > image.size() || image[at + 4] != 1) continue;  // "GCOL" inside other data
    const uint64_t size = u64(at + 8);
    KERAS_CHECK(size >= 16 && size <= image.size() - at, IOError, what,
                ": damaged HDF5 global heap (collection size ", size, ")");
    const size_t end = at + size;
    for (size_t p = at + 16; p + 16 <= end;) {
      const unsigned index = u16(p);
      const uint64_t object = u64(p + 8);
      if (index == 0) break;  // free space: the rest of the collection
      KERAS_CHECK(object <= end - p - 16, IOError, what, ": damaged HDF5 global heap object");
      p += 16 + ((object + 7) / 8) * 8;
    }
  }
}

File File::open_trusted(const std::string& image, const std::string& what) {
  silence_hdf5();
  Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"), H5Pclose);
  check(H5Pset_fapl_core(fapl.id(), 1 << 16, 0), "H5Pset_fapl_core");
  check(H5Pset_file_image(fapl.id(), const_cast<char*>(image.data()), image.size()),
        "H5Pset_file_image");
  File f;
  const hid_t id = H5Fopen("keras_image.h5", H5F_ACC_RDONLY, fapl.id());
  KERAS_CHECK(id >= 0, IOError, what, ": cannot open the HDF5 file (truncated or corrupt)");
  f.file_ = Handle(id, H5Fclose);
  return f;
}

std::string File::image() const {
  check(H5Fflush(id(), H5F_SCOPE_GLOBAL), "H5Fflush");
  const ssize_t size = H5Fget_file_image(id(), nullptr, 0);
  check(static_cast<hid_t>(size), "H5Fget_file_image");
  std::string out(static_cast<size_t>(size), '\0');
  check(static_cast<hid_t>(H5Fget_file_image(id(), out.data(), out.size())), "H5Fget_file_image");
  return out;
}

bool exists(hid_t loc, const std::string& path) {
  // Each prefix must exist for H5Lexists to be defined.
  size_t pos = 0;
  while (true) {
    const size_t next = path.find('/', pos);
    const std::string prefix = path.substr(0, next);
    if (!prefix.empty() && H5Lexists(loc, prefix.c_str(), link_access()) <= 0) return false;
    if (next == std::string::npos) return true;
    pos = next + 1;
  }
}

Handle make_group(hid_t loc, const std::string& path) {
  if (exists(loc, path))
    return Handle(check(H5Gopen2(loc, path.c_str(), group_access()), "H5Gopen"), H5Gclose);
  Handle lcpl(check(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate"), H5Pclose);
  check(H5Pset_create_intermediate_group(lcpl.id(), 1), "H5Pset_create_intermediate_group");
  return Handle(
      check(H5Gcreate2(loc, path.c_str(), lcpl.id(), H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate"),
      H5Gclose);
}

std::optional<Handle> open_group(hid_t loc, const std::string& path) {
  if (!exists(loc, path)) return std::nullopt;
  H5O_info_t info;
  if (H5Oget_info_by_name(loc, path.c_str(), &info, link_access()) < 0 ||
      info.type != H5O_TYPE_GROUP) {
    return std::nullopt;
  }
  return Handle(check(H5Gopen2(loc, path.c_str(), group_access()), "H5Gopen"), H5Gclose);
}

std::vector<std::string> children(hid_t group) {
  H5G_info_t info;
  check(H5Gget_info(group, &info), "H5Gget_info");
  // Every link's name is stored in the file, so the names cannot outnumber or outweigh it.
  hsize_t budget = file_bytes(group);
  KERAS_CHECK(info.nlinks <= 1000000 && info.nlinks <= budget, IOError,
              "HDF5: group with too many children");
  std::vector<std::string> out;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t n =
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, link_access());
    check(static_cast<hid_t>(n), "H5Lget_name_by_idx");
    KERAS_CHECK(n < 65536 && static_cast<hsize_t>(n) <= budget, IOError, "HDF5: name too long");
    budget -= static_cast<hsize_t>(n);
    std::string name(static_cast<size_t>(n) + 1, '\0');
    H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                       link_access());
    name.resize(static_cast<size_t>(n));
    out.push_back(name);
  }
  return out;
}

void write_string_attr(hid_t obj, const std::string& name, const std::string& value) {
  Handle type(check(H5Tcopy(H5T_C_S1), "H5Tcopy"), H5Tclose);
  check(H5Tset_size(type.id(), H5T_VARIABLE), "H5Tset_size");
  check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "H5Tset_cset");
  Handle space(check(H5Screate(H5S_SCALAR), "H5Screate"), H5Sclose);
  Handle attr(check(H5Acreate2(obj, name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT),
                    "H5Acreate"),
              H5Aclose);
  const char* p = value.c_str();
  check(H5Awrite(attr.id(), type.id(), &p), "H5Awrite");
}

void write_string_list_attr(hid_t obj,
                            const std::string& name,
                            const std::vector<std::string>& values) {
  // Fixed-length strings, as h5py writes numpy bytes arrays (Keras 2's layer_names).
  size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  std::string buf(width * values.size(), '\0');
  for (size_t i = 0; i < values.size(); ++i) buf.replace(i * width, values[i].size(), values[i]);
  Handle type(check(H5Tcopy(H5T_C_S1), "H5Tcopy"), H5Tclose);
  check(H5Tset_size(type.id(), width), "H5Tset_size");
  check(H5Tset_strpad(type.id(), H5T_STR_NULLPAD), "H5Tset_strpad");
  const hsize_t dims[1] = {values.size()};
  Handle space(check(H5Screate_simple(1, dims, nullptr), "H5Screate"), H5Sclose);
  Handle attr(check(H5Acreate2(obj, name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT),
                    "H5Acreate"),
              H5Aclose);
  if (!values.empty()) check(H5Awrite(attr.id(), type.id(), buf.data()), "H5Awrite");
}

std::optional<std::vector<std::string>> read_string_attr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
  Handle attr(check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "H5Aopen"), H5Aclose);
  Handle type(check(H5Aget_type(attr.id()), "H5Aget_type"), H5Tclose);
  Handle space(check(H5Aget_space(attr.id()), "H5Aget_space"), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.id());
  // Attribute data is stored uncompressed (a variable-length string as a 16-byte reference), so
  // it cannot hold more elements or bytes than the file.
  const hsize_t file_size = file_bytes(obj);
  KERAS_CHECK(n >= 0 && n <= 1000000 && static_cast<hsize_t>(n) <= file_size, IOError,
              "HDF5: attribute '", name, "' is too large");
  if (H5Tget_class(type.id()) == H5T_FLOAT && n == 0)
    return std::vector<std::string>{};  // h5py's []
  KERAS_CHECK(H5Tget_class(type.id()) == H5T_STRING, IOError, "HDF5: attribute '", name,
              "' is not a string");
  std::vector<std::string> out;
  if (H5Tis_variable_str(type.id()) > 0) {
    std::vector<char*> ptrs(static_cast<size_t>(n), nullptr);
    Handle mem(check(H5Tcopy(H5T_C_S1), "H5Tcopy"), H5Tclose);
    H5Tset_size(mem.id(), H5T_VARIABLE);
    H5Tset_cset(mem.id(), H5Tget_cset(type.id()));
    // HDF5 mallocs each string: free them on every path, an exception while copying included
    // (pointers HDF5 did not fill stay null).
    struct Reclaim {
      hid_t mem, space;
      std::vector<char*>& ptrs;
      ~Reclaim() { H5Dvlen_reclaim(mem, space, H5P_DEFAULT, ptrs.data()); }
    } reclaim{mem.id(), space.id(), ptrs};
    check(H5Aread(attr.id(), mem.id(), ptrs.data()), "H5Aread");
    for (char* p : ptrs) out.emplace_back(p ? p : "");
  } else {
    const size_t width = H5Tget_size(type.id());
    KERAS_CHECK(width > 0 && width <= file_size && width * static_cast<size_t>(n) <= file_size,
                IOError, "HDF5: attribute '", name, "' is too large");
    std::string buf(width * static_cast<size_t>(n), '\0');
    check(H5Aread(attr.id(), type.id(), buf.data()), "H5Aread");
    for (hssize_t i = 0; i < n; ++i) {
      std::string s = buf.substr(static_cast<size_t>(i) * width, width);
      s.resize(strnlen(s.c_str(), s.size()));
      out.push_back(s);
    }
  }
  return out;
}

void write_dataset(hid_t loc, const std::string& name, const Tensor& device_value) {
  const Tensor value = device_value.cpu();
  std::vector<hsize_t> dims(value.shape().begin(), value.shape().end());
  Handle space(
      check(dims.empty() ? H5Screate(H5S_SCALAR)
                         : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
            "H5Screate"),
      H5Sclose);
  const hid_t type = mem_type(value.dtype());
  Handle ds(
      check(H5Dcreate2(loc, name.c_str(), type, space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
            "H5Dcreate"),
      H5Dclose);
  if (value.size() > 0) {
    check(H5Dwrite(ds.id(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, value.host_data()), "H5Dwrite");
  }
}

Shape dataset_shape(hid_t loc, const std::string& name) {
  KERAS_CHECK(exists(loc, name), ValueError, "HDF5: missing dataset '", excerpt(name), "'");
  Handle ds(check(H5Dopen2(loc, name.c_str(), dataset_access()), "H5Dopen"), H5Dclose);
  Handle space(check(H5Dget_space(ds.id()), "H5Dget_space"), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.id());
  KERAS_CHECK(rank >= 0 && rank <= 32, IOError, "HDF5: dataset '", excerpt(name),
              "' has a bad rank");
  hsize_t dims[32];
  check(H5Sget_simple_extent_dims(space.id(), dims, nullptr), "H5Sget_simple_extent_dims");
  Shape out;
  for (int i = 0; i < rank; ++i) {
    KERAS_CHECK(dims[i] <= (hsize_t{1} << 40), IOError, "HDF5: dataset '", excerpt(name),
                "' is too large");
    out.push_back(static_cast<int64_t>(dims[i]));
  }
  return out;
}

void check_storage(hid_t ds, const std::string& what) {
  // Numbers take 1 to 16 bytes; libhdf5 sizes its conversion buffers by what the file claims.
  Handle type(check(H5Dget_type(ds), "H5Dget_type"), H5Tclose);
  const size_t item = H5Tget_size(type.id());
  KERAS_CHECK(item >= 1 && item <= 16, IOError, what, ": HDF5 elements of ", item,
              " bytes (damaged or hostile file)");
  Handle dcpl(check(H5Dget_create_plist(ds), "H5Dget_create_plist"), H5Pclose);
  if (H5Pget_layout(dcpl.id()) != H5D_CHUNKED) return;
  hsize_t chunk[32];
  const int rank = H5Pget_chunk(dcpl.id(), 32, chunk);
  KERAS_CHECK(rank >= 0 && rank <= 32, IOError, what, ": damaged HDF5 chunk layout");
  Handle space(check(H5Dget_space(ds), "H5Dget_space"), H5Sclose);
  const hssize_t points = H5Sget_simple_extent_npoints(space.id());
  check(static_cast<hid_t>(points), "H5Sget_simple_extent_npoints");
  double chunk_bytes = static_cast<double>(item);
  for (int i = 0; i < rank; ++i) chunk_bytes *= static_cast<double>(chunk[i]);
  // HDF5 reads whole chunks: a damaged chunk size would make it allocate gigabytes for a tiny
  // dataset. Chunks larger than the data itself are legal, but not by 16 MiB.
  KERAS_CHECK(chunk_bytes <= static_cast<double>(item) * static_cast<double>(points) + (16 << 20),
              IOError, what, ": HDF5 chunks of ", chunk_bytes, " bytes for ", points,
              " elements (damaged or hostile file)");
}

bool is_bfloat16(hid_t ds, hid_t type) {
  return H5Tget_class(type) == H5T_OPAQUE && H5Tget_size(type) == 2 &&
         read_string_attr(ds, "dtype") == std::vector<std::string>{"bfloat16"};
}

Tensor read_dataset(hid_t loc,
                    const std::string& name,
                    const Shape& expected,
                    DType dtype,
                    const std::string& what) {
  KERAS_CHECK(exists(loc, name), ValueError, what, ": missing dataset '", excerpt(name), "'");
  const Shape shape = dataset_shape(loc, name);
  KERAS_CHECK(shape == expected, ValueError, what, ": expected shape ", shape_str(expected),
              ", found ", shape_str(shape), " in the file");
  Handle ds(check(H5Dopen2(loc, name.c_str(), dataset_access()), "H5Dopen"), H5Dclose);
  Handle type(check(H5Dget_type(ds.id()), "H5Dget_type"), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.id());
  const bool bfloat16 = is_bfloat16(ds.id(), type.id());
  KERAS_CHECK(cls == H5T_FLOAT || cls == H5T_INTEGER || bfloat16, ValueError, what,
              ": the file holds a non-numeric dataset");
  check_storage(ds.id(), what);
  if (bfloat16) {
    // A bfloat16 is the high half of a float32's bits.
    Tensor wide = Tensor::empty(expected, float32, Device::cpu());
    std::vector<uint16_t> bits(static_cast<size_t>(wide.size()));
    if (!bits.empty()) {
      check(H5Dread(ds.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bits.data()),
            "reading a dataset");
    }
    float* f = wide.data<float>();
    for (size_t i = 0; i < bits.size(); ++i) {
      const uint32_t u = static_cast<uint32_t>(bits[i]) << 16;
      std::memcpy(f + i, &u, sizeof u);
    }
    return dtype == float32 ? wide : wide.astype(dtype);
  }
  Tensor out = Tensor::empty(expected, dtype, Device::cpu());
  if (out.size() > 0) {
    check(H5Dread(ds.id(), mem_type(dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.host_data()),
          "reading a dataset");
  }
  return out;
}

}  // namespace keras::saving::h5
