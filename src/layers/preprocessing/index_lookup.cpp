#include "keras/layers/preprocessing/index_lookup.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <span>
#include <type_traits>
#include <unordered_map>

#include "keras/config/json.h"
#include "keras/layers/preprocessing/integer_lookup.h"
#include "keras/layers/preprocessing/string_lookup.h"
#include "keras/ops/elementwise.h"
#include "layers/preprocessing/categorical.h"
#include "layers/preprocessing/host_kernel.h"
#include "layers/preprocessing/string_hash.h"

namespace keras::layers {

// The lookup: read by the kernels of traced plans too, so a new vocabulary reaches them.
template <class O>
struct IndexLookupImpl<O>::Table {
  std::vector<Token> tokens;                 // index token_start + i holds tokens[i]
  std::unordered_map<Token, int64_t> index;  // token -> its index
  std::vector<float> idf;                    // tf_idf's weights, one per index
};

namespace {

// A masked value's index among the encodings' ids: encoded as nothing (Keras's int64 max).
constexpr int64_t kMasked = std::numeric_limits<int64_t>::max();

// ---- what differs between integer and string tokens ----
std::string token_repr(int64_t v) {
  return std::to_string(v);
}
std::string token_repr(const std::string& v) {  // as Python prints a str (cut at 40 bytes)
  std::string s = "'";
  s.append(v, 0, 40);
  s.append(v.size() > 40 ? "...'" : "'");
  return s;
}

template <class Token>
std::string list_str(const std::vector<Token>& values, size_t most = 10) {
  std::string s = "[";
  for (size_t i = 0; i < values.size() && i < most; ++i) {
    if (i > 0) s += ", ";
    s += token_repr(values[i]);
  }
  return s + (values.size() > most ? ", ...]" : "]");
}

template <class Token>
constexpr DType token_dtype() {
  return std::is_same_v<Token, std::string> ? DType::string : DType::int64;
}

// The tokens of a tensor for lookups: strings as they are, integers of any dtype as int64 (a
// floating-point or string tensor is a TypeError naming the layer).
template <class Token>
Tensor as_tokens(const Tensor& x, const std::string& layer, const char* what) {
  if constexpr (std::is_same_v<Token, std::string>) {
    KERAS_CHECK(x.dtype() == DType::string, TypeError, "Layer '", layer, "' (", what,
                ") takes strings; received an input of dtype ", x.dtype());
    return x;
  } else {
    KERAS_CHECK(!is_floating(x.dtype()) && x.dtype() != DType::string, TypeError, "Layer '", layer,
                "' (", what, ") takes integers; received an input of dtype ", x.dtype());
    return ops::cast(x, int64);
  }
}

// A host tensor's tokens (as_tokens' result) and a host output's.
std::span<const int64_t> host_tokens(const Tensor& t, const int64_t*) {
  return t.span<int64_t>();
}
std::span<const std::string> host_tokens(const Tensor& t, const std::string*) {
  return t.strings();
}
int64_t* output_tokens(const Tensor& t, const int64_t*) {
  return t.data<int64_t>();
}
std::string* output_tokens(const Tensor& t, const std::string*) {
  return t.strings().data();
}

// The OOV index (from 0) of a token among n: integers floormod or FarmHash of their decimal
// text, strings FarmHash of their bytes (SipHash with a salt), as Keras's IndexLookup.
int64_t oov_bucket(int64_t v, int64_t n, bool farmhash, const std::vector<int64_t>& salt) {
  if (farmhash) {
    char buffer[24];
    return static_cast<int64_t>(string_hash::salted_hash(string_hash::decimal(v, buffer), salt) %
                                static_cast<uint64_t>(n));
  }
  const int64_t r = v % n;  // Python's floor modulo
  return r < 0 ? r + n : r;
}
int64_t oov_bucket(const std::string& v, int64_t n, bool, const std::vector<int64_t>& salt) {
  return static_cast<int64_t>(string_hash::salted_hash(v, salt) % static_cast<uint64_t>(n));
}

// A line of vocabulary.txt and back.
std::string token_text(int64_t v) {
  return std::to_string(v);
}
std::string token_text(const std::string& v) {
  return v;
}
int64_t parse_token(const std::string& s, int64_t*, const std::string& layer, size_t line) {
  const size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  int64_t v = 0;
  const char* first = b == std::string::npos ? s.data() + s.size() : s.data() + b;
  const char* last = b == std::string::npos ? first : s.data() + e + 1;
  if (first < last && *first == '+') ++first;
  const auto [ptr, ec] = std::from_chars(first, last, v);
  KERAS_CHECK(ec == std::errc() && ptr == last && first < last, ValueError, "Layer '", layer,
              "' (IntegerLookup): line ", line, " of vocabulary.txt is not an integer: '",
              s.substr(0, 40), "'");
  return v;
}
std::string parse_token(const std::string& s, std::string*, const std::string&, size_t) {
  return s;
}

// What the lookup kernel needs of the layer's options.
template <class Token>
struct KernelOptions {
  std::optional<Token> mask_token;
  Token oov_token;
  int64_t num_oov_indices;
  bool invert, int_mode, one_hot, multi_hot, tf_idf, farmhash;
  std::vector<int64_t> salt;
};

std::string standard_mode(std::string mode) {
  if (mode == "tf-idf") return "tf_idf";
  return categorical::standard_mode(mode);
}

}  // namespace

template <class O>
IndexLookupImpl<O>::IndexLookupImpl(O options, const char* what, const char* default_name)
    : Layer(options.name,
            default_name,
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      what_(what),
      options_(std::move(options)),
      table_(std::make_shared<Table>()) {
  autocast_ = false;
  const O& o = options_;
  options_.output_mode = standard_mode(options_.output_mode);
  const std::string& mode = options_.output_mode;
  KERAS_CHECK(!o.max_tokens || *o.max_tokens > 1, ValueError, "If `max_tokens` is set for `", what_,
              "`, it must be greater than 1. Received: "
              "max_tokens=",
              o.max_tokens.value_or(0));
  KERAS_CHECK(o.num_oov_indices >= 0, ValueError, "The value of `num_oov_indices` argument for `",
              what_,
              "` must >= 0. Received: "
              "num_oov_indices=",
              o.num_oov_indices);
  KERAS_CHECK(!(o.pad_to_max_tokens && !o.max_tokens), ValueError,
              "If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens=None");
  if constexpr (std::is_same_v<Token, int64_t>) {  // strings are always hashed
    KERAS_CHECK(o.oov_method == "floormod" || o.oov_method == "farmhash", ValueError,
                "Unknown value for `oov_method` argument of ", what_,
                ". Allowed values are: ('floormod', 'farmhash'). Received: oov_method=",
                o.oov_method.substr(0, 40));
    KERAS_CHECK(o.salt.empty() || o.oov_method == "farmhash", ValueError,
                "`salt` can only be used when `oov_method='farmhash'`. Received: oov_method=",
                o.oov_method);
  } else {
    std::string encoding = o.encoding;
    std::transform(encoding.begin(), encoding.end(), encoding.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    KERAS_CHECK(encoding == "utf-8" || encoding == "utf8", NotImplementedError, what_,
                ": encoding='", o.encoding.substr(0, 40),
                "' is not available; keras.cpp's strings are UTF-8 (encoding='utf-8')");
  }
  KERAS_CHECK(o.salt.size() <= 2, ValueError,
              "The `salt` argument for `IndexLookup` can only be a tuple of 2 integers, or a "
              "single integer. Received: salt=[... ",
              o.salt.size(), " values].");
  if (options_.salt.size() == 1) options_.salt.push_back(options_.salt[0]);
  KERAS_CHECK(mode == "int" || mode == "one_hot" || mode == "multi_hot" || mode == "count" ||
                  mode == "tf_idf",
              ValueError, "Unknown value for `output_mode` argument of ", what_,
              ". Allowed values "
              "are: ('int', 'one_hot', 'multi_hot', 'count', 'tf_idf'). Received: output_mode=",
              mode.substr(0, 40));
  KERAS_CHECK(!(o.invert && mode != "int"), ValueError,
              "`output_mode` must be `'int'` when `invert` is true. Received: output_mode=", mode);
  KERAS_CHECK(!(o.sparse && mode == "int"), ValueError,
              "`sparse` may only be true if `output_mode` is `'one_hot'`, `'multi_hot'`, "
              "`'count'` or `'tf_idf'`. Received: sparse=True and output_mode=int");
  KERAS_CHECK(!o.sparse, NotImplementedError, what_,
              ": sparse=True needs sparse tensors, which keras.cpp does not have");
  KERAS_CHECK(!(o.idf_weights && mode != "tf_idf"), ValueError,
              "`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
              "idf_weights=[...] and output_mode=",
              mode);
  KERAS_CHECK(!(mode == "tf_idf" && o.vocabulary && !o.idf_weights), ValueError,
              "When specifying the `vocabulary` argument, in TF-IDF output mode, the "
              "`idf_weights` argument must also be provided.");
  if (o.idf_weights) {  // Keras keeps them as given until a vocabulary pads them
    table_->idf.assign(o.idf_weights->begin(), o.idf_weights->end());
  }
  if (o.vocabulary) set_vocabulary(*o.vocabulary, o.idf_weights);
}

template <class O>
int64_t IndexLookupImpl<O>::oov_start() const {
  return options_.mask_token && options_.output_mode == "int" ? 1 : 0;
}

template <class O>
int64_t IndexLookupImpl<O>::token_start() const {
  return oov_start() + options_.num_oov_indices;
}

template <class O>
int64_t IndexLookupImpl<O>::vocabulary_size() const {
  return token_start() + static_cast<int64_t>(table_->tokens.size());
}

template <class O>
int64_t IndexLookupImpl<O>::depth() const {
  if (options_.pad_to_max_tokens) return *options_.max_tokens;
  return frozen_size_.value_or(kNone);
}

template <class O>
auto IndexLookupImpl<O>::get_vocabulary(bool include_special_tokens) const -> std::vector<Token> {
  std::vector<Token> out;
  if (include_special_tokens) {
    out.assign(static_cast<size_t>(token_start()), options_.oov_token);
    if (oov_start() == 1) out[0] = *options_.mask_token;
  }
  out.insert(out.end(), table_->tokens.begin(), table_->tokens.end());
  return out;
}

template <class O>
void IndexLookupImpl<O>::set_vocabulary(const std::vector<Token>& vocabulary,
                                        const std::optional<std::vector<double>>& idf_weights) {
  const O& o = options_;
  const bool tf_idf = o.output_mode == "tf_idf";
  KERAS_CHECK(!(tf_idf && !idf_weights), ValueError,
              "`idf_weights` must be set if output_mode is 'tf_idf'.");
  KERAS_CHECK(!(!tf_idf && idf_weights), ValueError,
              "`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
              "output_mode=",
              o.output_mode, " and idf_weights=[...]");
  KERAS_CHECK(!vocabulary.empty(), ValueError,
              "Cannot set an empty vocabulary. Received: vocabulary=[]");
  const auto start = static_cast<size_t>(token_start());
  std::vector<Token> special(start, o.oov_token);
  if (oov_start() == 1) special[0] = *o.mask_token;
  const bool found_special =
      vocabulary.size() >= start && std::equal(special.begin(), special.end(), vocabulary.begin());
  const std::vector<Token> tokens(vocabulary.begin() + (found_special ? start : 0),
                                  vocabulary.end());
  std::unordered_map<Token, int64_t> index;
  std::vector<Token> repeated;
  std::set<Token> reported;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!index.emplace(tokens[i], static_cast<int64_t>(start + i)).second &&
        reported.insert(tokens[i]).second) {
      repeated.push_back(tokens[i]);
    }
  }
  KERAS_CHECK(repeated.empty(), ValueError,
              "The passed vocabulary has at least one repeated term. Please uniquify your "
              "dataset. The repeated terms are: ",
              list_str(repeated));
  auto misplaced = [&](const char* what, const Token& token) {
    return str("Found reserved ", what,
               " token at unexpected location in `vocabulary`. Note that passed `vocabulary` does "
               "not need to include the OOV and mask tokens. Either remove all mask and OOV "
               "tokens, or include them only at the start of the vocabulary in precisely this "
               "order: ",
               list_str(special), ". Received: ", what == std::string("mask") ? "mask" : "oov",
               "_token=", token_repr(token));
  };
  KERAS_CHECK(!(o.mask_token && index.contains(*o.mask_token)), ValueError,
              misplaced("mask", *o.mask_token));
  KERAS_CHECK(!(o.invert && index.contains(o.oov_token)), ValueError,
              misplaced("OOV", o.oov_token));
  const auto size = static_cast<int64_t>(start + tokens.size());
  KERAS_CHECK(!o.max_tokens || size <= *o.max_tokens, ValueError,
              "Attempted to set a vocabulary larger than the maximum vocab size. Received "
              "vocabulary size is ",
              size, "; `max_tokens` is ", o.max_tokens.value_or(0), ".");
  std::vector<float> idf;
  if (tf_idf) {
    KERAS_CHECK(idf_weights->size() == vocabulary.size(), ValueError,
                "`idf_weights` must be the same length as vocabulary. len(idf_weights) is ",
                idf_weights->size(), "; len(vocabulary) is ", vocabulary.size());
    // Keras pads the special indices with the weights' mean, and up to max_tokens with zeros.
    const double mean = std::accumulate(idf_weights->begin(), idf_weights->end(), 0.0) /
                        static_cast<double>(idf_weights->size());
    if (!found_special) idf.assign(start, static_cast<float>(mean));
    for (double w : *idf_weights) idf.push_back(static_cast<float>(w));
    if (o.pad_to_max_tokens && static_cast<int64_t>(idf.size()) < *o.max_tokens) {
      idf.resize(static_cast<size_t>(*o.max_tokens), 0.0f);
    }
  }
  install(tokens, std::move(idf));
}

template <class O>
void IndexLookupImpl<O>::install(const std::vector<Token>& tokens, std::vector<float> idf) {
  const auto size = token_start() + static_cast<int64_t>(tokens.size());
  const bool fixed_size = options_.output_mode != "int" && !options_.pad_to_max_tokens;
  KERAS_CHECK(!(fixed_size && frozen_size_ && *frozen_size_ != size), RuntimeError,
              "When using `output_mode=", options_.output_mode,
              "` and `pad_to_max_tokens=False`, the vocabulary size cannot be changed after the "
              "layer is called. Old vocab size is ",
              frozen_size_.value_or(0), ", new vocab size is ", size);
  std::unordered_map<Token, int64_t> index;
  for (size_t i = 0; i < tokens.size(); ++i) {
    index.emplace(tokens[i], token_start() + static_cast<int64_t>(i));
  }
  vocabulary_missing_ = false;
  table_->tokens = tokens;
  table_->index = std::move(index);
  table_->idf = std::move(idf);
  frozen_size_ = size;
}

template <class O>
void IndexLookupImpl<O>::adapt(const Tensor& data) {
  KERAS_CHECK(!options_.vocabulary, ValueError, "Cannot adapt layer '", name(),
              "' after setting a static vocabulary via `vocabulary` argument or "
              "`set_vocabulary()` method.");
  constexpr bool strings = std::is_same_v<Token, std::string>;
  KERAS_CHECK(strings ? data.dtype() == DType::string
                      : !is_floating(data.dtype()) && data.dtype() != DType::string,
              TypeError, what_, ".adapt: the data must be ", strings ? "strings" : "integers",
              ", received dtype ", data.dtype());
  const Tensor values = as_tokens<Token>(data, name(), what_).cpu();
  const std::span<const Token> v = host_tokens(values, static_cast<const Token*>(nullptr));
  if (v.empty()) {
    if (frozen_size_) return;  // Keras keeps what it had
    frozen_size_ = vocabulary_size();
    return;
  }
  // Rows are documents (one value each for 1-D data), as Keras counts them for tf_idf.
  const int64_t rows = values.rank() >= 2 ? values.shape()[0] : static_cast<int64_t>(v.size());
  const size_t per_row = v.size() / static_cast<size_t>(rows);
  std::unordered_map<Token, std::pair<int64_t, int64_t>> counts;  // token -> (count, rows)
  std::unordered_map<Token, int64_t> last_row;
  for (size_t i = 0; i < v.size(); ++i) {
    auto& [count, docs] = counts[v[i]];
    ++count;
    const auto row = static_cast<int64_t>(i / per_row);
    auto [it, fresh] = last_row.try_emplace(v[i], row);
    if (fresh || it->second != row) ++docs;
    it->second = row;
  }
  if (options_.mask_token) counts.erase(*options_.mask_token);
  counts.erase(options_.oov_token);
  std::vector<std::pair<Token, std::pair<int64_t, int64_t>>> sorted(counts.begin(), counts.end());
  // Most frequent first, ties the larger token first (Keras's reversed lexsort; strings by bytes,
  // which for UTF-8 is NumPy's code point order).
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.first != b.second.first ? a.second.first > b.second.first : a.first > b.first;
  });
  if (options_.max_tokens) {
    sorted.resize(std::min(sorted.size(), static_cast<size_t>(std::max<int64_t>(
                                              0, *options_.max_tokens - token_start()))));
  }
  std::vector<Token> tokens;
  for (auto& [token, count] : sorted) tokens.push_back(token);
  std::vector<float> idf;
  if (options_.output_mode == "tf_idf") {
    // log(1 + documents / (1 + documents holding it)) in float64, then float32 as Keras casts;
    // the special indices get the float32 weights' mean, and zeros pad up to max_tokens.
    std::vector<float> w;
    for (const auto& [token, count] : sorted) {
      w.push_back(static_cast<float>(
          std::log(1.0 + static_cast<double>(rows) / (1.0 + static_cast<double>(count.second)))));
    }
    const float mean = w.empty() ? std::numeric_limits<float>::quiet_NaN()
                                 : static_cast<float>(std::accumulate(w.begin(), w.end(), 0.0) /
                                                      static_cast<double>(w.size()));
    idf.assign(static_cast<size_t>(token_start()), mean);
    idf.insert(idf.end(), w.begin(), w.end());
    if (options_.pad_to_max_tokens && static_cast<int64_t>(idf.size()) < *options_.max_tokens) {
      idf.resize(static_cast<size_t>(*options_.max_tokens), 0.0f);
    }
  }
  install(tokens, std::move(idf));
}

template <class O>
Tensors IndexLookupImpl<O>::call(const Tensors& inputs, bool) {
  const std::string& mode = options_.output_mode;
  KERAS_CHECK(mode == "int" || options_.pad_to_max_tokens || frozen_size_, RuntimeError,
              "When using `output_mode=", mode,
              "` and `pad_to_max_tokens=False`, you must set the layer's vocabulary before "
              "calling it. Either pass a `vocabulary` argument to the layer, or call `adapt` "
              "with some sample data.");
  KERAS_CHECK(!vocabulary_missing_, ValueError, "Layer '", name(), "' (", what_,
              ") has no vocabulary: its config says ", frozen_size_.value_or(0),
              " entries, which were adapted and saved as assets, but the file they came from has "
              "none (a legacy .h5 file keeps no adapted vocabulary; save as .keras)");
  KERAS_CHECK(!(mode == "tf_idf" && table_->idf.empty()), ValueError,
              "When `output_mode` is `'tf_idf'`, `idf_weights` must be provided.");
  const Tensor& x = inputs[0];
  const Shape out_shape = compute_output_shape({x.shape()})[0];
  const std::shared_ptr<const Table> table = table_;
  bool farmhash = true;  // strings are always hashed
  if constexpr (std::is_same_v<Token, int64_t>) farmhash = options_.oov_method == "farmhash";
  const KernelOptions<Token> o{options_.mask_token, options_.oov_token, options_.num_oov_indices,
                               options_.invert,     mode == "int",      mode == "one_hot",
                               mode == "multi_hot", mode == "tf_idf",   farmhash,
                               options_.salt};
  const int64_t oov = oov_start(), start = token_start(), depth_ = depth();
  const std::string layer = name();
  const char* what = what_;
  if (o.invert) {  // indices to tokens
    KERAS_CHECK(!is_floating(x.dtype()) && x.dtype() != DType::string, TypeError, "Layer '", layer,
                "' (", what, ", invert=True) takes integers; received an input of dtype ",
                x.dtype());
    return {run_on_host({ops::cast(x, int64)}, out_shape, token_dtype<Token>(),
                        [=](const Tensors& host, const Tensor& y) {
                          const std::span<const int64_t> in = host[0].span<int64_t>();
                          Token* out = output_tokens(y, static_cast<const Token*>(nullptr));
                          const auto n = static_cast<int64_t>(table->tokens.size());
                          for (size_t i = 0; i < in.size(); ++i) {
                            const int64_t k = in[i];
                            out[i] = o.mask_token && k == 0 ? *o.mask_token
                                     : k >= start && k - start < n
                                         ? table->tokens[static_cast<size_t>(k - start)]
                                         : o.oov_token;
                          }
                        })};
  }
  const Tensor out = run_on_host(
      {as_tokens<Token>(x, layer, what)}, out_shape, mode == "int" ? int64 : float32,
      [=](const Tensors& host, const Tensor& y) {
        const std::span<const Token> in = host_tokens(host[0], static_cast<const Token*>(nullptr));
        // The index of a value: kMasked for a masked one in the encodings (0 for "int"), -1 for
        // an OOV one without OOV indices.
        auto index_of = [&](const Token& v) -> int64_t {
          if (o.mask_token && v == *o.mask_token) return o.int_mode ? 0 : kMasked;
          if (auto it = table->index.find(v); it != table->index.end()) return it->second;
          if (o.num_oov_indices == 0) return -1;
          return oov + oov_bucket(v, o.num_oov_indices, o.farmhash, o.salt);
        };
        auto refuse_oov = [&] {
          std::vector<Token> missing;
          for (size_t i = 0; i < in.size() && missing.size() < 10; ++i) {
            if (index_of(in[i]) < 0) missing.push_back(in[i]);
          }
          throw ValueError(str("Layer '", layer, "' (", what,
                               "): When `num_oov_indices=0` all inputs should be in vocabulary, "
                               "found OOV values ",
                               list_str(missing), ", consider setting `num_oov_indices=1`."));
        };
        if (o.int_mode) {
          int64_t* ids = y.data<int64_t>();
          for (size_t i = 0; i < in.size(); ++i) {
            const int64_t id = index_of(in[i]);
            if (id < 0) refuse_oov();
            ids[i] = id;
          }
          return;
        }
        float* cells = y.data<float>();
        std::fill_n(cells, y.size(), 0.0f);
        // one_hot: a row per id; the others: a row per input row (the last axis reduced).
        const int64_t rows_out = y.size() / depth_;
        const int64_t per_row =
            o.one_hot || rows_out == 0 ? 1 : static_cast<int64_t>(in.size()) / rows_out;
        for (size_t i = 0; i < in.size(); ++i) {
          const int64_t id = index_of(in[i]);
          if (id < 0) refuse_oov();
          if (id >= depth_) continue;  // masked
          float& cell = cells[(static_cast<int64_t>(i) / per_row) * depth_ + id];
          cell = o.multi_hot || o.one_hot ? 1.0f : cell + 1.0f;
        }
        if (o.tf_idf) {
          const auto& w = table->idf;
          for (int64_t j = 0; j < y.size(); ++j) {
            const auto k = static_cast<size_t>(j % depth_);
            cells[j] *= k < w.size() ? w[k] : 0.0f;
          }
        }
      });
  return {out.dtype() == compute_output_dtype({}, 1)[0] ? out : ops::cast(out, dtype())};
}

template <class O>
std::vector<Shape> IndexLookupImpl<O>::compute_output_shape(const std::vector<Shape>& in) const {
  if (options_.output_mode == "int") return {in[0]};
  const std::string mode = options_.output_mode == "tf_idf" ? "count" : options_.output_mode;
  return {categorical::output_shape(in[0], mode, depth(), what_)};
}

template <class O>
std::vector<DType> IndexLookupImpl<O>::compute_output_dtype(const std::vector<DType>&,
                                                            size_t) const {
  if (options_.output_mode != "int") return {dtype()};
  return {options_.invert ? token_dtype<Token>() : int64};
}

template <class O>
Json IndexLookupImpl<O>::get_config() const {
  const O& o = options_;
  Json config = Layer::get_config();
  config["invert"] = o.invert;
  config["max_tokens"] = o.max_tokens ? Json(*o.max_tokens) : Json(nullptr);
  config["num_oov_indices"] = o.num_oov_indices;
  config["oov_token"] = o.oov_token;
  config["mask_token"] = o.mask_token ? Json(*o.mask_token) : Json(nullptr);
  config["output_mode"] = o.output_mode;
  config["sparse"] = o.sparse;
  config["pad_to_max_tokens"] = o.pad_to_max_tokens;
  config["idf_weights"] = o.idf_weights ? Json(*o.idf_weights) : Json(nullptr);
  config["vocabulary"] = o.vocabulary ? Json(*o.vocabulary) : Json(nullptr);
  if (!o.vocabulary && frozen_size_ && !vocabulary_missing_ && AssetsInConfig::active()) {
    // No assets in this format: the vocabulary (special tokens first) and its weights here.
    const std::vector<Token> vocabulary = get_vocabulary(true);
    config["vocabulary"] = vocabulary;
    if (o.output_mode == "tf_idf") {
      const auto& idf = table_->idf;
      config["idf_weights"] = std::vector<double>(
          idf.begin(),
          idf.begin() + static_cast<std::ptrdiff_t>(std::min(idf.size(), vocabulary.size())));
    }
  }
  config["vocabulary_size"] = frozen_size_ ? Json(*frozen_size_) : Json(nullptr);
  config["salt"] = o.salt.empty() ? Json(nullptr) : Json(o.salt);
  return config;
}

template <class O>
Json IndexLookupImpl<O>::get_build_config() const {
  return Json::object();  // Keras's lookup layers build from nothing
}

template <class O>
void IndexLookupImpl<O>::read_config(const Json& c, O& o, const char* w) {
  if (const Json* j = config::find(c, "salt")) {
    o.salt = j->is_array() ? config::convert<std::vector<int64_t>>(*j, "salt", w)
                           : std::vector<int64_t>{config::convert<int64_t>(*j, "salt", w)};
  }
  o.num_oov_indices = config::get<int64_t>(c, "num_oov_indices", 1, w);
  o.oov_token = config::get<Token>(c, "oov_token", O{}.oov_token, w);
  o.invert = config::get<bool>(c, "invert", false, w);
  o.output_mode = config::get<std::string>(c, "output_mode", "int", w);
  o.sparse = config::get<bool>(c, "sparse", false, w);
  o.pad_to_max_tokens = config::get<bool>(c, "pad_to_max_tokens", false, w);
  o.name = config::get<std::string>(c, "name", "", w);
  if (const Json* j = config::find(c, "max_tokens")) {
    o.max_tokens = config::convert<int64_t>(*j, "max_tokens", w);
  }
  if (const Json* j = config::find(c, "mask_token")) {
    o.mask_token = config::convert<Token>(*j, "mask_token", w);
  }
  if (const Json* j = config::find(c, "vocabulary")) {
    KERAS_CHECK(!j->is_string(), ValueError,
                "Requested the loading of a vocabulary file outside of the model archive (", w,
                " vocabulary=", config::json_excerpt(*j, 100),
                "): keras.cpp does not read files a config names; give the vocabulary as a list");
    o.vocabulary = config::convert<std::vector<Token>>(*j, "vocabulary", w);
  }
  if (const Json* j = config::find(c, "idf_weights")) {
    o.idf_weights = config::convert<std::vector<double>>(*j, "idf_weights", w);
  }
}

template <class O>
void IndexLookupImpl<O>::restore_vocabulary_size(const Json& j) {
  const auto size = config::convert<int64_t>(j, "vocabulary_size", what_);
  KERAS_CHECK(size >= token_start(), ValueError, what_,
              ": config key 'vocabulary_size' has an invalid value ", size);
  KERAS_CHECK(!frozen_size_ || *frozen_size_ == size, ValueError, what_,
              ": config key 'vocabulary_size' (", size, ") differs from the vocabulary's size (",
              *frozen_size_, ")");
  frozen_size_ = size;
  // An adapted vocabulary comes from the archive's assets (load_assets); Keras 2's .h5 and
  // Keras 3's legacy .h5 hold none.
  vocabulary_missing_ = !options_.vocabulary;
}

template <class O>
std::map<std::string, Tensor> IndexLookupImpl<O>::save_own_variables() const {
  if (options_.output_mode != "tf_idf" || table_->idf.empty()) return {};
  return {{"idf_weights",
           Tensor::from_vector(table_->idf, {static_cast<int64_t>(table_->idf.size())})}};
}

template <class O>
void IndexLookupImpl<O>::load_own_variables(const std::map<std::string, Tensor>& store) {
  if (options_.output_mode != "tf_idf") return;
  auto it = store.find("idf_weights");
  if (it == store.end() && store.size() == 1) it = store.begin();  // tf_keras's "Variable:0"
  KERAS_CHECK(it != store.end(), ValueError, "Layer '", name(), "' (", what_,
              ", output_mode='tf_idf'): the file has no idf_weights for it");
  const Tensor& t = it->second;
  KERAS_CHECK(t.rank() == 1, ValueError, "Layer '", name(), "' (", what_,
              "): idf_weights must be 1-D; the file has shape ", shape_str(t.shape()));
  const Tensor f = ops::cast(t, float32).cpu();
  table_->idf.assign(f.data<float>(), f.data<float>() + f.size());
}

template <class O>
std::map<std::string, std::string> IndexLookupImpl<O>::save_assets() const {
  if (options_.vocabulary) return {};  // in the config
  std::string text;
  bool first = true;
  for (const Token& v : get_vocabulary(true)) {
    if (!first) text += '\n';
    text += token_text(v);
    first = false;
  }
  return {{"vocabulary.txt", text}};
}

template <class O>
void IndexLookupImpl<O>::load_assets(const std::map<std::string, std::string>& files) {
  if (options_.vocabulary) return;
  auto it = files.find("vocabulary.txt");
  KERAS_CHECK(it != files.end(), ValueError, "Layer '", name(), "' (", what_,
              "): the archive has no vocabulary.txt for it");
  std::vector<std::string> lines;
  const std::string& text = it->second;
  for (size_t begin = 0; begin <= text.size();) {  // Python's splitlines: \n, \r\n or \r
    size_t end = text.find_first_of("\r\n", begin);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    if (end == text.size()) break;
    begin = end + (text.compare(end, 2, "\r\n") == 0 ? 2 : 1);
    if (begin == text.size()) break;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::vector<Token> values;
  for (size_t i = 0; i < lines.size(); ++i) {
    values.push_back(parse_token(lines[i], static_cast<Token*>(nullptr), name(), i + 1));
  }
  KERAS_CHECK(!frozen_size_ || static_cast<int64_t>(values.size()) == *frozen_size_, ValueError,
              "Layer '", name(), "' (", what_, "): vocabulary.txt has ", values.size(),
              " entries, but the layer's config says vocabulary_size ", frozen_size_.value_or(0));
  std::optional<std::vector<double>> idf;
  if (options_.output_mode == "tf_idf") {
    idf.emplace(table_->idf.begin(), table_->idf.end());
    if (idf->size() > values.size() && options_.pad_to_max_tokens) idf->resize(values.size());
  }
  set_vocabulary(values, idf);
}

template class IndexLookupImpl<IntegerLookupOptions>;
template class IndexLookupImpl<StringLookupOptions>;

// ---- IntegerLookup ----

IntegerLookupImpl::IntegerLookupImpl(IntegerLookupOptions options)
    : IndexLookupImpl(std::move(options), "IntegerLookup", "integer_lookup") {}

Json IntegerLookupImpl::get_config() const {
  Json config = IndexLookupImpl::get_config();
  config["vocabulary_dtype"] = "int64";
  config["oov_method"] = options().oov_method;
  return config;
}

std::shared_ptr<Layer> IntegerLookupImpl::from_config(const Json& c) {
  const char* w = "IntegerLookup";
  const std::string dtype = config::get<std::string>(c, "vocabulary_dtype", "int64", w);
  KERAS_CHECK(dtype == "int64", ValueError,
              "Only `vocabulary_dtype='int64'` is supported at this time. Received: "
              "vocabulary_dtype=",
              dtype.substr(0, 40));
  IntegerLookupOptions o{.oov_method = config::get<std::string>(c, "oov_method", "floormod", w)};
  read_config(c, o, w);
  auto layer = std::make_shared<IntegerLookupImpl>(std::move(o));
  if (const Json* j = config::find(c, "vocabulary_size")) layer->restore_vocabulary_size(*j);
  layer->apply_base_config(c);
  return layer;
}

// ---- StringLookup ----

StringLookupImpl::StringLookupImpl(StringLookupOptions options)
    : IndexLookupImpl(std::move(options), "StringLookup", "string_lookup") {}

Json StringLookupImpl::get_config() const {
  Json config = IndexLookupImpl::get_config();
  config["oov_method"] = "floormod";  // Keras writes IndexLookup's default (strings are hashed)
  config["encoding"] = options().encoding;
  return config;
}

std::shared_ptr<Layer> StringLookupImpl::from_config(const Json& c) {
  const char* w = "StringLookup";
  StringLookupOptions o{.encoding = config::get<std::string>(c, "encoding", "utf-8", w)};
  read_config(c, o, w);
  auto layer = std::make_shared<StringLookupImpl>(std::move(o));
  if (const Json* j = config::find(c, "vocabulary_size")) layer->restore_vocabulary_size(*j);
  const Json* dtype = config::find(c, "dtype");
  if (dtype != nullptr && dtype->is_string() && *dtype == "string") {
    Json base = c;  // old tf_keras files: the layer's dtype was its inputs' (string)
    base.erase("dtype");
    layer->apply_base_config(base);
  } else {
    layer->apply_base_config(c);
  }
  return layer;
}

}  // namespace keras::layers
