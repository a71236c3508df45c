// Whether convolutions may use Winograd algorithms.
#pragma once

namespace keras::backend {

// Winograd convolutions (keras.cpp's F(4x4, 3x3) for 3x3, stride-1 Conv2D with 16 to 128 channels
// in multiples of 16 where the CPU has AVX-512, oneDNN's for other 3x3 Conv2D with 16 or more
// input channels there; keras.cpp's own 1-D kernels for Conv1D) do fewer
// multiplications but round float32 more: on deep models predictions sit up to ~2.5x further from
// a float64 run (docs/differences.md, item 22). Disabling them trades that speed for direct
// convolutions' rounding. Default: enabled, unless the environment variable KERAS_WINOGRAD is "0"
// when the first convolution runs. Process-wide; takes effect at the next convolution.
void set_winograd_enabled(bool enabled);
bool winograd_enabled();

}  // namespace keras::backend
