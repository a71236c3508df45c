#include "utils/pil_image.h"

#include <cmath>
#include <functional>
#include <numbers>

#include "keras/core/error.h"

namespace keras::utils::internal {
namespace {

using io::ImageData;

uint8_t luma(const uint8_t* p) {
  return static_cast<uint8_t>((p[0] * 19595u + p[1] * 38470u + p[2] * 7471u + 0x8000u) >> 16);
}

// Pillow's MULDIV255: a * b / 255, rounded.
uint8_t muldiv255(unsigned a, unsigned b) {
  const unsigned t = a * b + 128;
  return static_cast<uint8_t>(((t >> 8) + t) >> 8);
}

struct Filter {
  double support;
  double (*f)(double);
};

double sinc(double x) {
  if (x == 0.0) return 1.0;
  x *= std::numbers::pi;
  return std::sin(x) / x;
}

Filter filter_named(const std::string& name) {
  if (name == "box") return {0.5, [](double x) { return x > -0.5 && x <= 0.5 ? 1.0 : 0.0; }};
  if (name == "bilinear") {
    return {1.0, [](double x) {
              x = std::abs(x);
              return x < 1.0 ? 1.0 - x : 0.0;
            }};
  }
  if (name == "hamming") {
    return {1.0, [](double x) {
              x = std::abs(x);
              if (x == 0.0) return 1.0;
              if (x >= 1.0) return 0.0;
              x *= std::numbers::pi;
              return std::sin(x) / x * (0.54f + 0.46f * std::cos(x));  // float constants, as Pillow
            }};
  }
  if (name == "bicubic") {
    return {2.0, [](double x) {
              constexpr double a = -0.5;
              x = std::abs(x);
              if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
              if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
              return 0.0;
            }};
  }
  if (name == "lanczos") {
    return {3.0, [](double x) { return x > -3.0 && x < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0; }};
  }
  throw ValueError(str("unknown resampling filter ", name));
}

constexpr int kPrecisionBits = 32 - 8 - 2;

// Pillow's precompute_coeffs + normalize_coeffs_8bpc: for each output index, the first source
// index, the count, and fixed-point weights.
struct Coeffs {
  int ksize = 0;
  std::vector<int> bounds;  // (xmin, count) per output
  std::vector<int32_t> k;   // ksize per output
};

Coeffs coefficients(int64_t in_size, double in0, double in1, int64_t out_size, const Filter& f) {
  const double scale = (in1 - in0) / static_cast<double>(out_size);
  const double filterscale = std::max(scale, 1.0);
  const double support = f.support * filterscale;
  Coeffs c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.bounds.resize(static_cast<size_t>(out_size) * 2);
  c.k.assign(static_cast<size_t>(out_size) * c.ksize, 0);
  std::vector<double> w(static_cast<size_t>(c.ksize));
  for (int64_t xx = 0; xx < out_size; ++xx) {
    const double center = in0 + (static_cast<double>(xx) + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = static_cast<int>(in_size);
    xmax -= xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      w[x] = f.f((x + xmin - center + 0.5) * ss);
      ww += w[x];
    }
    for (int x = 0; x < xmax; ++x) {
      const double v = ww != 0.0 ? w[x] / ww : w[x];
      c.k[xx * c.ksize + x] = static_cast<int32_t>(v < 0 ? -0.5 + v * (1 << kPrecisionBits)
                                                         : 0.5 + v * (1 << kPrecisionBits));
    }
    c.bounds[2 * xx] = xmin;
    c.bounds[2 * xx + 1] = xmax;
  }
  return c;
}

uint8_t clip8(int32_t v) {
  if (v >= (1 << kPrecisionBits << 8)) return 255;
  if (v <= 0) return 0;
  return static_cast<uint8_t>(v >> kPrecisionBits);
}

// Out rows [0, rows) from in rows [first, first + rows), resampled along x.
ImageData horizontal(
    const ImageData& in, int64_t first, int64_t rows, int64_t width, const Coeffs& c) {
  ImageData out{rows, width, in.channels,
                std::vector<uint8_t>(static_cast<size_t>(rows * width * in.channels))};
  const int ch = in.channels;
  for (int64_t y = 0; y < rows; ++y) {
    const uint8_t* src = in.pixels.data() + (first + y) * in.width * ch;
    uint8_t* dst = out.pixels.data() + y * width * ch;
    for (int64_t xx = 0; xx < width; ++xx) {
      const int xmin = c.bounds[2 * xx], count = c.bounds[2 * xx + 1];
      const int32_t* k = c.k.data() + xx * c.ksize;
      for (int b = 0; b < ch; ++b) {
        int32_t ss = 1 << (kPrecisionBits - 1);
        for (int x = 0; x < count; ++x) ss += src[(x + xmin) * ch + b] * k[x];
        dst[xx * ch + b] = clip8(ss);
      }
    }
  }
  return out;
}

ImageData vertical(const ImageData& in, int64_t height, const Coeffs& c, int64_t shift) {
  const int ch = in.channels;
  ImageData out{height, in.width, ch,
                std::vector<uint8_t>(static_cast<size_t>(height * in.width * ch))};
  const int64_t stride = in.width * ch;
  for (int64_t yy = 0; yy < height; ++yy) {
    const int ymin = c.bounds[2 * yy] - static_cast<int>(shift), count = c.bounds[2 * yy + 1];
    const int32_t* k = c.k.data() + yy * c.ksize;
    uint8_t* dst = out.pixels.data() + yy * stride;
    for (int64_t i = 0; i < stride; ++i) {
      int32_t ss = 1 << (kPrecisionBits - 1);
      for (int y = 0; y < count; ++y) ss += in.pixels[(y + ymin) * stride + i] * k[y];
      dst[i] = clip8(ss);
    }
  }
  return out;
}

ImageData resample(const ImageData& in,
                   int64_t width,
                   int64_t height,
                   const Filter& f,
                   const std::array<double, 4>& box) {
  const bool need_h = width != in.width || box[0] != 0 || box[2] != width;
  const bool need_v = height != in.height || box[1] != 0 || box[3] != height;
  const Coeffs ch = coefficients(in.width, box[0], box[2], width, f);
  const Coeffs cv = coefficients(in.height, box[1], box[3], height, f);
  const int64_t first = cv.bounds[0];
  const int64_t last = cv.bounds[2 * height - 2] + cv.bounds[2 * height - 1];
  ImageData out = in;
  int64_t shift = 0;
  if (need_h && need_v && height < in.height && width > in.width) {
    // Pillow 13 resamples the shrinking vertical axis first when the horizontal one grows
    // (measured: its results equal this order there; Resample.c up to Pillow 12 always went
    // horizontal first). Where both shrink it sometimes does too, by a rule not reproduced
    // here: a pixel may then differ by one level (docs/differences.md).
    return horizontal(vertical(in, height, cv, 0), 0, height, width, ch);
  }
  if (need_h) {
    out = horizontal(in, first, last - first, width, ch);
    shift = first;
  }
  if (need_v) out = vertical(out, height, cv, shift);
  return out;
}

// Pillow's ImagingScaleAffine with nearest: the source index of output x is
// int(box0 + (x + 0.5) * scale), accumulated in doubles as Pillow does.
ImageData nearest(const ImageData& in,
                  int64_t width,
                  int64_t height,
                  const std::array<double, 4>& box) {
  const double ax = (box[2] - box[0]) / static_cast<double>(width);
  const double ay = (box[3] - box[1]) / static_cast<double>(height);
  const int ch = in.channels;
  ImageData out{height, width, ch,
                std::vector<uint8_t>(static_cast<size_t>(height * width * ch), 0)};
  auto coord = [](double v) { return v < 0.0 ? -1 : static_cast<int64_t>(v); };
  std::vector<int64_t> xin(static_cast<size_t>(width));
  double xo = box[0] + ax * 0.5;
  for (int64_t x = 0; x < width; ++x, xo += ax) xin[x] = coord(xo);
  double yo = box[1] + ay * 0.5;
  for (int64_t y = 0; y < height; ++y, yo += ay) {
    const int64_t yi = coord(yo);
    if (yi < 0 || yi >= in.height) continue;
    for (int64_t x = 0; x < width; ++x) {
      if (xin[x] < 0 || xin[x] >= in.width) continue;
      std::copy_n(in.pixels.data() + (yi * in.width + xin[x]) * ch, ch,
                  out.pixels.data() + (y * width + x) * ch);
    }
  }
  return out;
}

}  // namespace

ImageData convert(const ImageData& in, int channels) {
  if (in.channels == channels) return in;
  ImageData out{in.height, in.width, channels, {}};
  const size_t n = static_cast<size_t>(in.height * in.width);
  out.pixels.resize(n * channels);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = in.pixels.data() + i * in.channels;
    uint8_t* o = out.pixels.data() + i * channels;
    const bool gray = in.channels <= 2;
    const uint8_t alpha = in.channels == 2 ? p[1] : in.channels == 4 ? p[3] : 255;
    if (channels == 1) {
      o[0] = gray ? p[0] : luma(p);
    } else {
      o[0] = p[0], o[1] = gray ? p[0] : p[1], o[2] = gray ? p[0] : p[2];
      if (channels == 4) o[3] = alpha;
    }
  }
  return out;
}

ImageData resize(const ImageData& in,
                 int64_t width,
                 int64_t height,
                 const std::string& filter,
                 const std::array<double, 4>& box) {
  if (filter == "nearest") return nearest(in, width, height, box);
  const Filter f = filter_named(filter);
  if (in.channels != 4) return resample(in, width, height, f, box);
  // RGBA -> RGBa (premultiplied), resized, and back, as Image.resize does.
  ImageData pre = in;
  for (size_t i = 0; i < pre.pixels.size(); i += 4) {
    for (int c = 0; c < 3; ++c) pre.pixels[i + c] = muldiv255(pre.pixels[i + c], pre.pixels[i + 3]);
  }
  ImageData out = resample(pre, width, height, f, box);
  for (size_t i = 0; i < out.pixels.size(); i += 4) {
    const unsigned alpha = out.pixels[i + 3];
    if (alpha == 0 || alpha == 255) continue;
    for (int c = 0; c < 3; ++c) {
      out.pixels[i + c] = static_cast<uint8_t>(std::min(255u, 255u * out.pixels[i + c] / alpha));
    }
  }
  return out;
}

}  // namespace keras::utils::internal
