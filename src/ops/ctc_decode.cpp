// keras.ops.ctc_decode: Keras's JAX decoders, run on the host in float64 (a decode has no
// gradient). The beam search follows Keras's step for step (classes flipped so that ties break
// as TensorFlow's; paths merged by jnp.unique's lexicographic order; stable argsorts), so its
// choices and scores are Keras's.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "keras/core/error.h"
#include "keras/ops/core.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/shape.h"
#include "ops/host_kernel.h"

namespace keras::ops {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
using Path = std::vector<int32_t>;

// Indices that sort v ascending, ties in index order (jnp.argsort is stable).
std::vector<int64_t> argsort(const std::vector<double>& v) {
  std::vector<int64_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&v](int64_t a, int64_t b) {
    return v[static_cast<size_t>(a)] < v[static_cast<size_t>(b)];
  });
  return order;
}

// jnp.unique(paths, axis=0, return_inverse=True, size=size, fill_value=-1): the distinct rows in
// lexicographic order, padded with rows of -1 to `size`, and each row's index among them.
std::pair<std::vector<Path>, std::vector<int64_t>> unique_rows(const std::vector<Path>& paths,
                                                               size_t size,
                                                               size_t length) {
  std::map<Path, int64_t> index;
  for (const Path& p : paths) index.emplace(p, 0);
  std::vector<Path> rows;
  for (auto& [p, i] : index) {
    i = static_cast<int64_t>(rows.size());
    rows.push_back(p);
  }
  rows.resize(std::max(size, rows.size()), Path(length, -1));
  std::vector<int64_t> inverse;
  for (const Path& p : paths) inverse.push_back(index.at(p));
  return {rows, inverse};
}

// log(sum of exp(scores) per unique path), over `size` entries (-inf where none).
std::vector<double> merge_scores(const std::vector<int64_t>& inverse,
                                 const std::vector<double>& scores,
                                 size_t size) {
  const double top = *std::max_element(scores.begin(), scores.end());
  std::vector<double> sum(size, 0.0);
  for (size_t i = 0; i < scores.size(); ++i)
    sum[static_cast<size_t>(inverse[i])] += std::exp(scores[i] - top);
  for (double& s : sum) s = std::log(s) + top;
  return sum;
}

double logaddexp(double a, double b) {
  const double m = std::max(a, b);
  if (m == -kInf) return -kInf;
  return m + std::log(std::exp(a - m) + std::exp(b - m));
}

// One sequence's beam search: x is (length, classes) log-probabilities with the classes
// flipped; returns the top paths (in flipped classes) and their scores.
std::pair<std::vector<Path>, std::vector<double>> beam_search_one(const std::vector<double>& x,
                                                                  int64_t length,
                                                                  int64_t classes,
                                                                  int64_t sequence_length,
                                                                  int64_t beam_width,
                                                                  int64_t top_paths,
                                                                  int32_t mask) {
  const size_t beams = static_cast<size_t>(2 * beam_width);
  const size_t c = static_cast<size_t>(classes), t_len = static_cast<size_t>(length);
  auto frame = [&](int64_t t) {
    return std::vector<double>(x.begin() + t * classes, x.begin() + (t + 1) * classes);
  };
  std::vector<Path> paths(beams, Path(t_len, -1));
  std::vector<double> scores(beams, -kInf);
  const int64_t init = std::min(classes, beam_width);
  const std::vector<double> first = frame(0);
  const std::vector<int64_t> order = argsort(first);
  for (int64_t i = 0; i < init; ++i) {
    const int64_t cls = order[static_cast<size_t>(classes - init + i)];
    paths[static_cast<size_t>(i)][0] = cls == mask ? -1 : static_cast<int32_t>(cls);
    scores[static_cast<size_t>(i)] = first[static_cast<size_t>(cls)];
  }
  std::vector<uint8_t> masked(beams);
  for (size_t i = 0; i < beams; ++i) masked[i] = paths[i][0] == -1;

  const size_t extended = beams * c;
  for (int64_t t = 1; t < length; ++t) {
    if (t >= sequence_length) continue;
    const std::vector<double> xt = frame(t);
    // Extend every path by every class.
    std::vector<Path> ext(extended);
    std::vector<double> ext_scores(extended);
    std::vector<uint8_t> ext_masked(extended);
    for (size_t r = 0; r < extended; ++r) {
      const size_t src = r / c;
      Path p = paths[src];
      const size_t tail = static_cast<size_t>(std::find(p.begin(), p.end(), -1) - p.begin());
      const int32_t last = tail == 0 || tail == t_len ? -1 : p[tail - 1];
      int32_t cls = static_cast<int32_t>(r % c);
      if (cls == mask) cls = -1;
      ext_masked[r] = cls == -1;
      if (!masked[src] && last == cls) cls = -1;
      if (tail < t_len) p[tail] = cls;
      ext[r] = std::move(p);
      ext_scores[r] = scores[src] + xt[r % c];
    }
    // Merge equal paths, keep the beam_width best.
    auto [rows, inverse] = unique_rows(ext, extended, t_len);
    std::vector<double> emit(extended), blank(extended);
    for (size_t r = 0; r < extended; ++r) {
      emit[r] = ext_masked[r] ? -kInf : ext_scores[r];
      blank[r] = ext_masked[r] ? ext_scores[r] : -kInf;
    }
    emit = merge_scores(inverse, emit, extended);
    blank = merge_scores(inverse, blank, extended);
    std::vector<double> total(extended);
    for (size_t r = 0; r < extended; ++r) total[r] = logaddexp(emit[r], blank[r]);
    const std::vector<int64_t> best = argsort(total);
    for (int64_t i = 0; i < beam_width; ++i) {
      const size_t k = static_cast<size_t>(
          best[extended - static_cast<size_t>(beam_width) + static_cast<size_t>(i)]);
      const size_t ii = static_cast<size_t>(i);
      paths[ii] = rows[k];
      paths[ii + static_cast<size_t>(beam_width)] = rows[k];
      scores[ii] = emit[k];
      scores[ii + static_cast<size_t>(beam_width)] = blank[k];
      masked[ii] = 0;
      masked[ii + static_cast<size_t>(beam_width)] = 1;
    }
  }
  auto [rows, inverse] = unique_rows(paths, extended, t_len);
  const std::vector<double> merged = merge_scores(inverse, scores, beams);
  const std::vector<int64_t> best = argsort(merged);
  std::vector<Path> top;
  std::vector<double> top_scores;
  for (int64_t i = 0; i < top_paths; ++i) {
    // argsort(scores)[-top_paths:][::-1]: Python's slice stops at the start of the list.
    const int64_t at = static_cast<int64_t>(beams) - 1 - i;
    if (at < 0) break;
    const size_t k = static_cast<size_t>(best[static_cast<size_t>(at)]);
    top.push_back(rows[k]);
    top_scores.push_back(merged[k]);
  }
  return {top, top_scores};
}

}  // namespace

std::pair<Tensor, Tensor> ctc_decode(const Tensor& inputs,
                                     const Tensor& sequence_lengths,
                                     const std::string& strategy,
                                     int64_t beam_width,
                                     int64_t top_paths,
                                     bool merge_repeated,
                                     std::optional<int64_t> mask_index) {
  KERAS_CHECK(strategy == "greedy" || strategy == "beam_search", ValueError, "Invalid strategy ",
              strategy, ". Supported values are 'greedy' and 'beam_search'.");
  KERAS_CHECK(inputs.rank() == 3, ValueError,
              "ctc_decode: inputs must be (batch_size, max_length, num_classes), got shape ",
              shape_str(inputs.shape()));
  const int64_t batch = inputs.shape()[0], length = inputs.shape()[1], classes = inputs.shape()[2];
  KERAS_CHECK(sequence_lengths.rank() == 1 && sequence_lengths.shape()[0] == batch, ValueError,
              "ctc_decode: sequence_lengths must be (batch_size,) = (", batch, ",), got shape ",
              shape_str(sequence_lengths.shape()));
  KERAS_CHECK(classes >= 1, ValueError, "ctc_decode: inputs have no classes");
  const int64_t mask = mask_index.value_or(classes - 1);
  KERAS_CHECK(mask >= 0 && mask < classes, ValueError, "ctc_decode: mask_index ", mask,
              " is not a class of inputs with ", classes, " classes");
  const DType dtype = is_floating(inputs.dtype()) ? inputs.dtype() : float32;
  const std::vector<double> xs = internal::values_on_host<double>(inputs);
  const std::vector<int64_t> lens = internal::values_on_host<int64_t>(sequence_lengths);
  const double* x = xs.data();
  const int64_t* len = lens.data();
  const Device device = inputs.device();

  if (strategy == "greedy") {
    std::vector<int32_t> decoded(static_cast<size_t>(batch * length), -1);
    std::vector<double> score(static_cast<size_t>(batch));
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<int64_t> best(static_cast<size_t>(length));
      double total = 0;
      for (int64_t t = 0; t < length; ++t) {
        const double* row = x + (b * length + t) * classes;
        const int64_t k = std::max_element(row, row + classes) - row;
        best[static_cast<size_t>(t)] = t < len[b] ? k : mask;
        if (t < len[b]) total += row[k];
      }
      int64_t out = 0;
      for (int64_t t = 0; t < length; ++t) {
        const int64_t k = best[static_cast<size_t>(t)];
        const bool repeat = merge_repeated && t > 0 && k == best[static_cast<size_t>(t - 1)];
        if (repeat || k == mask) continue;
        decoded[static_cast<size_t>(b * length + out++)] = static_cast<int32_t>(k);
      }
      score[static_cast<size_t>(b)] = -total;
    }
    return {Tensor::from_vector(decoded, {1, batch, length}, device),
            cast(Tensor::from_vector(score, {batch, 1}, device), dtype)};
  }

  KERAS_CHECK(beam_width >= 1 && beam_width <= 4096 && top_paths >= 1 && top_paths <= 4096,
              ValueError, "ctc_decode: beam_width and top_paths must be in [1, 4096], got ",
              beam_width, " and ", top_paths);
  const int32_t flipped_mask = static_cast<int32_t>(classes - mask - 1);
  std::vector<int32_t> decoded(static_cast<size_t>(top_paths * batch * length), -1);
  std::vector<double> log_probs(static_cast<size_t>(batch * top_paths), -kInf);
  for (int64_t b = 0; b < batch; ++b) {
    // log_softmax over the classes, flipped.
    std::vector<double> lp(static_cast<size_t>(length * classes));
    for (int64_t t = 0; t < length; ++t) {
      const double* row = x + (b * length + t) * classes;
      const double top = *std::max_element(row, row + classes);
      double sum = 0;
      for (int64_t k = 0; k < classes; ++k) sum += std::exp(row[k] - top);
      const double lse = top + std::log(sum);
      for (int64_t k = 0; k < classes; ++k)
        lp[static_cast<size_t>(t * classes + classes - 1 - k)] = row[k] - lse;
    }
    const auto [paths, scores] =
        beam_search_one(lp, length, classes, len[b], beam_width, top_paths, flipped_mask);
    for (size_t i = 0; i < paths.size(); ++i) {
      for (int64_t t = 0; t < length; ++t) {
        const int32_t p = paths[i][static_cast<size_t>(t)];
        decoded[static_cast<size_t>((static_cast<int64_t>(i) * batch + b) * length + t)] =
            p == -1 ? -1 : static_cast<int32_t>(classes - p - 1);
      }
      log_probs[static_cast<size_t>(b * top_paths) + i] = scores[i];
    }
  }
  return {Tensor::from_vector(decoded, {top_paths, batch, length}, device),
          cast(Tensor::from_vector(log_probs, {batch, top_paths}, device), dtype)};
}

}  // namespace keras::ops
