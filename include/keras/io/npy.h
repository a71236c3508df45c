// NumPy .npy and .npz files, as written by numpy.save / numpy.savez / numpy.savez_compressed.
//
// Reading supports format versions 1.0, 2.0 and 3.0 and the dtypes
//   '<f4' float32, '<f8' float64, '<i4' int32, '<i8' int64, '|u1' uint8, '|b1' bool,
//   '<U<n>' (str) and '|S<n>' (bytes) as string tensors (UTF-8; trailing NULs dropped, as NumPy)
// with byte order '<' (little), '>' (big; converted on load), '=' (native) or, for the one-byte
// types only, '|'. A header with fortran_order True is accepted and the data is transposed into
// row-major order, so the loaded tensor equals what NumPy shows. Shapes may be scalars "()",
// "(3,)" or any rank; zero-size arrays are fine. Bool bytes other than 0/1 load as true.
//
// Writing always produces format 1.0 (2.0 when the header would not fit), native byte order,
// fortran_order False, with the header padded to a multiple of 64 bytes as NumPy does; string
// tensors as '<U<n>' (n: the most code points of a value), or '|S<n>' when one is not UTF-8.
//
// Errors (every message names the file, or the `what` given to parse_npy):
//   IOError    the file cannot be opened, read or written; it is truncated, has a bad magic
//              string, an unknown version, a malformed header, sizes that disagree with the
//              data actually present (a header claiming 10^15 elements in a 100-byte file is
//              rejected before anything is allocated), or trailing bytes after the data.
//   TypeError  the file is well formed but its dtype is not one of those above (e.g. '<f2',
//              'O' objects, structured dtypes), or a multi-byte dtype uses the '|' byte order.
// Tensors are read straight into their storage, on the host; nothing larger than the data the
// file holds is allocated.
//
// Writes are atomic: the data goes to `path + ".tmp.<pid>"`, which is renamed over `path` on
// success and removed on failure. Tensors on another device are read through cpu().
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "keras/core/tensor.h"

namespace keras::io {

Tensor load_npy(const std::string& path);
void save_npy(const std::string& path, const Tensor& t);

// In-memory variants: `bytes` is the whole content of a .npy file; `what` names it in errors.
Tensor parse_npy(std::string_view bytes, const std::string& what);
std::string serialize_npy(const Tensor& t);

// .npz: a zip archive holding one "<name>.npy" member per array; the map keys are the names
// without ".npy" (as numpy.load(...).files lists them).
//
// Reading accepts STORED and DEFLATE members, data descriptors, zip64 records and extra fields
// (as numpy writes them), and an archive comment. It validates every signature, offset, size and
// CRC-32; a member that overlaps another structure, points outside the file, is encrypted, uses
// another compression method, is not named "*.npy" (directories are skipped), or appears twice
// is an IOError. A DEFLATE member may not claim more than deflate's maximum expansion (1032:1)
// of its compressed size, so a tiny archive cannot cause a huge allocation.
std::map<std::string, Tensor> load_npz(const std::string& path);

// Writes every tensor as "<name>.npy", STORED or (compressed = true) DEFLATE, with CRC-32s, a
// central directory, and zip64 records where sizes or offsets need them; numpy.load reads it.
// A name must be non-empty and contain no NUL; it may contain '/' (a zip sub-path), as with numpy.
void save_npz(const std::string& path,
              const std::map<std::string, Tensor>& arrays,
              bool compressed = false);

}  // namespace keras::io
