#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "keras/core/error.h"
#include "keras/ops/linalg.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::ops {
namespace {

// Labels: the equation's letters, and '0' + k for the k-th of the ellipsis' axes (counted over
// the longest ellipsis, so that shorter ones align from the right).
using Labels = std::string;

// An operand's subscripts with "..." replaced by its ellipsis labels; `rank` checks the count.
Labels expand(const std::string& term, int rank, int longest, int operand) {
  const size_t dots = term.find("...");
  const std::string letters =
      dots == std::string::npos ? term : term.substr(0, dots) + term.substr(dots + 3);
  for (char c : letters) {
    KERAS_CHECK(std::isalpha(static_cast<unsigned char>(c)), ValueError,
                "einsum: invalid subscript '", c, "' in operand ", operand, " of the equation");
  }
  const int n = static_cast<int>(letters.size());
  if (dots == std::string::npos) {
    KERAS_CHECK(n == rank, ValueError, "einsum: operand ", operand, " has rank ", rank,
                " but the equation gives it ", n, " subscripts");
    return letters;
  }
  KERAS_CHECK(n <= rank, ValueError, "einsum: operand ", operand, " has rank ", rank,
              " but the equation gives it ", n, " subscripts and an ellipsis");
  std::string ellipsis;
  for (int k = longest - (rank - n); k < longest; ++k) ellipsis += static_cast<char>('0' + k);
  return letters.substr(0, dots) + ellipsis + letters.substr(dots);
}

int axis_of(const Labels& labels, char c) {
  return static_cast<int>(labels.find(c));
}

Shape dims_of(const std::map<char, int64_t>& size, const Labels& labels) {
  Shape s;
  for (char c : labels) s.push_back(size.at(c));
  return s;
}

int64_t product(const std::map<char, int64_t>& size, const Labels& labels) {
  int64_t p = 1;
  for (char c : labels) p *= size.at(c);
  return p;
}

// x (labelled `from`) transposed to the order of `to` (the same labels); no copy when equal.
Tensor arrange(const Tensor& x, const Labels& from, const Labels& to) {
  if (from == to) return x;
  std::vector<int> perm;
  for (char c : to) perm.push_back(axis_of(from, c));
  return transpose(x, perm);
}

// Sums x (labelled `labels`) over the labels not in `keep`; updates `labels`.
Tensor sum_out(const Tensor& x, Labels& labels, const std::string& keep) {
  std::vector<int> axes;
  Labels kept;
  for (int i = 0; i < static_cast<int>(labels.size()); ++i) {
    if (keep.find(labels[i]) == std::string::npos) {
      axes.push_back(i);
    } else {
      kept += labels[i];
    }
  }
  labels = kept;
  return axes.empty() ? x : sum(x, axes);
}

}  // namespace

Tensor einsum(const std::string& equation, const Tensors& operands) {
  std::string eq;
  for (char c : equation) {
    if (c != ' ') eq += c;
  }
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms;
  for (size_t b = 0;;) {
    const size_t comma = lhs.find(',', b);
    terms.push_back(lhs.substr(b, comma == std::string::npos ? std::string::npos : comma - b));
    if (comma == std::string::npos) break;
    b = comma + 1;
  }
  KERAS_CHECK(terms.size() == operands.size(), ValueError, "einsum: the equation '", equation,
              "' has ", terms.size(), " operand(s) but ", operands.size(), " were given");
  KERAS_CHECK(operands.size() == 1 || operands.size() == 2, NotImplementedError,
              "einsum: keras.cpp takes one or two operands, got ", operands.size());
  int longest = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    const size_t dots = terms[i].find("...");
    if (dots == std::string::npos) continue;
    KERAS_CHECK(terms[i].find("...", dots + 3) == std::string::npos, ValueError,
                "einsum: more than one ellipsis in operand ", i);
    const int letters = static_cast<int>(terms[i].size()) - 3;
    longest = std::max(longest, operands[i].rank() - letters);
  }
  KERAS_CHECK(longest <= 10, NotImplementedError, "einsum: an ellipsis of more than 10 axes");
  std::vector<Labels> in;
  std::map<char, int64_t> size;
  for (size_t i = 0; i < terms.size(); ++i) {
    in.push_back(expand(terms[i], operands[i].rank(), longest, static_cast<int>(i)));
    for (size_t a = 0; a < in[i].size(); ++a) {
      const char c = in[i][a];
      KERAS_CHECK(in[i].find(c) == a, NotImplementedError, "einsum: subscript '", c,
                  "' repeats within operand ", i, " (a diagonal), which keras.cpp does not take");
      const int64_t d = operands[i].shape()[a];
      auto [it, fresh] = size.emplace(c, d);
      if (fresh || it->second == d) continue;
      // Ellipsis axes broadcast (a 1 takes the other's size); letters must agree.
      KERAS_CHECK(
          std::isdigit(static_cast<unsigned char>(c)) && (it->second == 1 || d == 1), ValueError,
          "einsum: subscript '",
          std::isdigit(static_cast<unsigned char>(c)) ? std::string("...") : std::string(1, c),
          "' has size ", it->second, " in one operand and ", d, " in operand ", i);
      if (it->second == 1) it->second = d;  // 1 against 0 broadcasts to 0, as NumPy
    }
  }
  Labels out;
  std::string ellipsis;
  for (int k = 0; k < longest; ++k) ellipsis += static_cast<char>('0' + k);
  if (arrow == std::string::npos) {
    std::string once;
    for (const auto& [c, d] : size) {
      const auto uses = std::count(in[0].begin(), in[0].end(), c) +
                        (in.size() > 1 ? std::count(in[1].begin(), in[1].end(), c) : 0);
      if (std::isalpha(static_cast<unsigned char>(c)) && uses == 1) once += c;
    }
    std::sort(once.begin(), once.end());
    out = ellipsis + once;
  } else {
    std::string rhs = eq.substr(arrow + 2);
    const size_t dots = rhs.find("...");
    if (dots != std::string::npos) rhs = rhs.substr(0, dots) + ellipsis + rhs.substr(dots + 3);
    // As NumPy: the ellipsis' axes are not summed away silently.
    KERAS_CHECK(dots != std::string::npos || longest == 0, ValueError,
                "einsum: the operands' ellipsis covers ", longest,
                " axes but the output has no '...' to keep them");
    for (size_t a = 0; a < rhs.size(); ++a) {
      const char c = rhs[a];
      const bool of_ellipsis = dots != std::string::npos && a >= dots && a < dots + ellipsis.size();
      KERAS_CHECK(size.contains(c) && (std::isalpha(static_cast<unsigned char>(c)) || of_ellipsis),
                  ValueError, "einsum: output subscript '", c,
                  "' is not among the operands' subscripts");
      KERAS_CHECK(rhs.find(c) == a, ValueError, "einsum: output subscript '", c,
                  "' appears more than once");
    }
    out = rhs;
  }
  if (operands.size() == 1) {
    Labels l = in[0];
    const Tensor x = sum_out(operands[0], l, out);
    return arrange(x, l, out);
  }
  // Sum each operand over the labels only it has and the output does not keep.
  Labels l0 = in[0], l1 = in[1];
  Tensor x0 = sum_out(operands[0], l0, l1 + out);
  Tensor x1 = sum_out(operands[1], l1, l0 + out);
  Labels batch, contracted, free0, free1;
  for (char c : l0) {
    const bool shared = l1.find(c) != std::string::npos, kept = out.find(c) != std::string::npos;
    (shared ? (kept ? batch : contracted) : free0) += c;
  }
  for (char c : l1) {
    if (l0.find(c) == std::string::npos) free1 += c;
  }
  // Broadcast the shared ellipsis axes of size 1 to the other operand's size.
  auto widen = [&](const Tensor& x, const Labels& l) {
    const Shape full = dims_of(size, l);
    return x.shape() == full ? x : broadcast_to(x, full);
  };
  x0 = widen(x0, l0);
  x1 = widen(x1, l1);
  const int64_t nb = product(size, batch), nc = product(size, contracted),
                n0 = product(size, free0), n1 = product(size, free1);
  x0 = arrange(x0, l0, batch + free0 + contracted);
  x1 = arrange(x1, l1, batch + contracted + free1);
  Tensor y = batch.empty() ? matmul(reshape(x0, {n0, nc}), reshape(x1, {nc, n1}))
                           : matmul(reshape(x0, {nb, n0, nc}), reshape(x1, {nb, nc, n1}));
  const Labels have = batch + free0 + free1;
  y = reshape(y, dims_of(size, have));
  return arrange(y, have, out);
}

}  // namespace keras::ops
