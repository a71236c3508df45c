// IDX files, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).
//
// Layout: two zero bytes, a type code, the rank r, r big-endian uint32 dimensions, then the
// elements in row-major order, big-endian. The file may be gzip-compressed (detected by the gzip
// magic 1f 8b, not by the name).
//
// Type codes and the dtype they load as:
//   0x08 unsigned byte -> uint8        0x0C int32   -> int32
//   0x09 signed byte   -> int32        0x0D float32 -> float32
//   0x0B int16         -> int32        0x0E float64 -> float64
// (keras.cpp has no int8/int16 dtypes, so those widen to int32.)
#pragma once

#include <string>

#include "keras/core/tensor.h"

namespace keras::io {

// Reads an IDX file, raw or gzipped. Throws IOError, naming the file, when it cannot be opened,
// the magic or type code is wrong, the gzip stream is corrupt (including a CRC mismatch), or the
// dimensions disagree with the amount of data (too little or too much). Nothing larger than the
// file can hold (for gzip, deflate's 1032:1 maximum expansion) is allocated.
Tensor load_idx(const std::string& path);

}  // namespace keras::io
