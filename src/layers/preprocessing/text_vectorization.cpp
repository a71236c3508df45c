#include "keras/layers/preprocessing/text_vectorization.h"

#include <algorithm>
#include <string_view>

#include "keras/config/json.h"
#include "layers/preprocessing/host_kernel.h"

namespace keras::layers {
namespace {

constexpr const char* kWhat = "TextVectorization";

bool ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Keras's DEFAULT_STRIP_REGEX: ASCII punctuation.
bool punctuation(char c) {
  return std::string_view("!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'").find(c) != std::string_view::npos;
}

std::string standardized(const std::string& s, const std::string& mode) {
  const bool lower = mode == "lower" || mode == "lower_and_strip_punctuation";
  const bool strip = mode == "strip_punctuation" || mode == "lower_and_strip_punctuation";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (strip && punctuation(c)) continue;
    out += lower && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// The UTF-8 characters of s; a byte that starts no valid character becomes U+FFFD, as
// TensorFlow's unicode_split replaces it.
void characters(const std::string& s, std::vector<std::string>& out) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
    out.push_back(ok ? s.substr(i, n) : std::string("\xEF\xBF\xBD"));
    i += ok ? n : 1;
  }
}

void add_ngrams(std::vector<std::string>& tokens, const std::vector<int64_t>& widths) {
  if (widths.empty()) return;
  std::vector<std::string> out;
  for (int64_t w : widths) {  // all n-grams of one width, then the next width's
    const auto width = static_cast<size_t>(w);
    for (size_t i = 0; i + width <= tokens.size(); ++i) {
      std::string g = tokens[i];
      for (size_t k = 1; k < width; ++k) g += " " + tokens[i + k];
      out.push_back(std::move(g));
    }
  }
  tokens = std::move(out);
}

struct Tokenizer {
  std::string standardize, split;
  std::vector<int64_t> widths;

  std::vector<std::vector<std::string>> rows(const Tensor& x) const {
    const std::span<std::string> in = x.strings();
    const size_t n = x.rank() == 0 ? 1 : static_cast<size_t>(x.shape()[0]);
    const size_t per_row = n == 0 ? 0 : in.size() / n;
    std::vector<std::vector<std::string>> out(n);
    for (size_t r = 0; r < n; ++r) {
      std::vector<std::string>& tokens = out[r];
      for (size_t k = 0; k < per_row; ++k) {
        const std::string s = standardized(in[r * per_row + k], standardize);
        if (split == "whitespace") {
          for (size_t i = 0; i < s.size();) {
            while (i < s.size() && ascii_space(s[i])) ++i;
            size_t j = i;
            while (j < s.size() && !ascii_space(s[j])) ++j;
            if (j > i) tokens.push_back(s.substr(i, j - i));
            i = j;
          }
        } else if (split == "character") {
          characters(s, tokens);
        } else {
          tokens.push_back(s);
        }
      }
      add_ngrams(tokens, widths);
    }
    return out;
  }
};

// rows padded with "" (the lookup's mask token) or cut to `width` tokens, into y (rows, width).
void write_rows(const std::vector<std::vector<std::string>>& rows, const Tensor& y) {
  const std::span<std::string> out = y.strings();
  const size_t width = rows.empty() ? 0 : out.size() / rows.size();
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t k = 0; k < width; ++k) out[r * width + k] = k < rows[r].size() ? rows[r][k] : "";
  }
}

StringLookupOptions lookup_options(const TextVectorizationOptions& o) {
  return {.max_tokens = o.max_tokens,
          .mask_token = "",
          .vocabulary = o.vocabulary,
          .idf_weights = o.idf_weights,
          .output_mode = o.output_mode,
          .pad_to_max_tokens = o.pad_to_max_tokens,
          .encoding = o.encoding};
}

Tokenizer tokenizer_of(const TextVectorizationOptions& o) {
  Tokenizer t{o.standardize, o.split, o.ngrams};
  if (!o.ngrams_widths && o.ngrams.size() == 1) {  // Keras's integer n: widths 1 .. n
    t.widths.clear();
    for (int64_t w = 1; w <= o.ngrams[0]; ++w) t.widths.push_back(w);
  }
  return t;
}

}  // namespace

TextVectorizationImpl::TextVectorizationImpl(TextVectorizationOptions options)
    : TextVectorizationImpl(options, std::make_shared<StringLookupImpl>(lookup_options(options))) {}

TextVectorizationImpl::TextVectorizationImpl(TextVectorizationOptions options,
                                             std::shared_ptr<StringLookupImpl> lookup)
    : Layer(options.name, "text_vectorization", std::nullopt),
      options_(std::move(options)),
      lookup_(std::move(lookup)) {
  autocast_ = false;
  const TextVectorizationOptions& o = options_;
  if (options_.output_mode == "binary") options_.output_mode = "multi_hot";
  if (options_.output_mode == "tf-idf") options_.output_mode = "tf_idf";
  const std::string& mode = options_.output_mode;
  KERAS_CHECK(o.standardize.empty() || o.standardize == "lower_and_strip_punctuation" ||
                  o.standardize == "lower" || o.standardize == "strip_punctuation",
              ValueError,
              "Unknown value for `standardize` argument of TextVectorization. Allowed values are: "
              "('lower_and_strip_punctuation', 'lower', 'strip_punctuation'). Received: "
              "standardize=",
              o.standardize.substr(0, 40));
  KERAS_CHECK(o.split.empty() || o.split == "whitespace" || o.split == "character", ValueError,
              "Unknown value for `split` argument of TextVectorization. Allowed values are: "
              "('whitespace', 'character'). Received: split=",
              o.split.substr(0, 40));
  for (int64_t w : o.ngrams) {
    KERAS_CHECK(w >= 1, ValueError,
                "`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams=", w);
  }
  KERAS_CHECK(!(mode != "int" && o.output_sequence_length), ValueError,
              "`output_sequence_length` must not be set if `output_mode` is not 'int'. Received "
              "output_sequence_length=",
              o.output_sequence_length.value_or(0), ".");
  KERAS_CHECK(!o.output_sequence_length || *o.output_sequence_length >= 0, ValueError,
              "`output_sequence_length` must be either None or an integer. Received: "
              "output_sequence_length=",
              o.output_sequence_length.value_or(0));
  KERAS_CHECK(!o.sparse && !o.ragged, NotImplementedError,
              "TextVectorization: sparse=True and ragged=True need sparse or ragged tensors, "
              "which keras.cpp does not have");
}

bool TextVectorizationImpl::batch_independent() const {
  return options_.output_mode != "int" || options_.output_sequence_length.has_value();
}

bool TextVectorizationImpl::traceable() const {
  return options_.output_mode == "int" && options_.output_sequence_length.has_value();
}

Tensor TextVectorizationImpl::tokens(const Tensor& x, std::optional<int64_t> length) const {
  KERAS_CHECK(x.dtype() == string_, TypeError, "Layer '", name(),
              "' (TextVectorization) takes strings; received an input of dtype ", x.dtype());
  if (!options_.split.empty() && x.rank() > 1) {
    KERAS_CHECK(x.rank() == 2 && x.shape()[1] == 1, ValueError,
                "When using `TextVectorization` to tokenize strings, the input rank must be 1 or "
                "the last shape dimension must be 1. Received: inputs.shape=",
                shape_str(x.shape()), " with rank=", x.rank());
  }
  const Tokenizer tokenizer = tokenizer_of(options_);
  const int64_t rows = x.rank() == 0 ? 1 : x.shape()[0];
  if (length) {  // a fixed shape: the work runs in a kernel that traced plans replay
    return run_on_host({x}, {rows, *length}, string_,
                       [tokenizer](const Tensors& host, const Tensor& y) {
                         write_rows(tokenizer.rows(host[0]), y);
                       });
  }
  const std::vector<std::vector<std::string>> tokens = tokenizer.rows(x.cpu());
  size_t width = 0;
  for (const auto& r : tokens) width = std::max(width, r.size());
  const Tensor y = Tensor::empty({rows, static_cast<int64_t>(width)}, string_);
  write_rows(tokens, y);
  return y;
}

Tensors TextVectorizationImpl::call(const Tensors& inputs, bool training) {
  const Tensor t = tokens(inputs[0], options_.output_sequence_length);
  return lookup_->call({t}, training);
}

std::vector<Shape> TextVectorizationImpl::compute_output_shape(const std::vector<Shape>& in) const {
  const int64_t batch = in[0].empty() ? kNone : in[0][0];
  if (options_.output_mode == "int") {
    return {Shape{batch, options_.output_sequence_length.value_or(kNone)}};
  }
  return lookup_->compute_output_shape({Shape{batch, kNone}});
}

std::vector<DType> TextVectorizationImpl::compute_output_dtype(const std::vector<DType>&,
                                                               size_t) const {
  return {options_.output_mode == "int" ? int64 : float32};
}

void TextVectorizationImpl::adapt(const Tensor& data) {
  lookup_->adapt(tokens(data, std::nullopt));
}

void TextVectorizationImpl::set_vocabulary(const std::vector<std::string>& vocabulary,
                                           const std::optional<std::vector<double>>& idf_weights) {
  lookup_->set_vocabulary(vocabulary, idf_weights);
}

std::vector<std::string> TextVectorizationImpl::get_vocabulary(bool include_special_tokens) const {
  return lookup_->get_vocabulary(include_special_tokens);
}

int64_t TextVectorizationImpl::vocabulary_size() const {
  return lookup_->vocabulary_size();
}

Json TextVectorizationImpl::get_config() const {
  const TextVectorizationOptions& o = options_;
  const Json lookup = lookup_->get_config();  // its vocabulary: given, or adapted in .h5 files
  Json config = Layer::get_config();
  config["max_tokens"] = o.max_tokens ? Json(*o.max_tokens) : Json(nullptr);
  config["standardize"] = o.standardize.empty() ? Json(nullptr) : Json(o.standardize);
  config["split"] = o.split.empty() ? Json(nullptr) : Json(o.split);
  config["ngrams"] = o.ngrams.empty()  ? Json(nullptr)
                     : o.ngrams_widths ? Json(o.ngrams)
                                       : Json(o.ngrams[0]);
  config["output_mode"] = o.output_mode;
  config["output_sequence_length"] =
      o.output_sequence_length ? Json(*o.output_sequence_length) : Json(nullptr);
  config["pad_to_max_tokens"] = o.pad_to_max_tokens;
  config["sparse"] = o.sparse;
  config["ragged"] = o.ragged;
  config["vocabulary"] = lookup.at("vocabulary");
  config["idf_weights"] = lookup.at("idf_weights");
  config["encoding"] = o.encoding;
  config["vocabulary_size"] = lookup.at("vocabulary_size");
  return config;
}

Json TextVectorizationImpl::get_build_config() const {
  return Json::object();
}

std::shared_ptr<Layer> TextVectorizationImpl::from_config(const Json& c) {
  const char* w = kWhat;
  auto text_option = [&](const char* key, const char* fallback) {
    const Json* j = config::find(c, key);
    if (j == nullptr) return std::string(c.contains(key) ? "" : fallback);  // null: none
    KERAS_CHECK(j->is_string(), NotImplementedError, "TextVectorization: ", key, "=",
                config::json_excerpt(*j, 80),
                " is a Python function, which keras.cpp cannot run; use one of Keras's names");
    return j->get<std::string>();
  };
  TextVectorizationOptions o{
      .standardize = text_option("standardize", "lower_and_strip_punctuation"),
      .split = text_option("split", "whitespace"),
      .output_mode = config::get<std::string>(c, "output_mode", "int", w),
      .pad_to_max_tokens = config::get<bool>(c, "pad_to_max_tokens", false, w),
      .sparse = config::get<bool>(c, "sparse", false, w),
      .ragged = config::get<bool>(c, "ragged", false, w),
      .encoding = config::get<std::string>(c, "encoding", "utf-8", w),
      .name = config::get<std::string>(c, "name", "", w)};
  if (const Json* j = config::find(c, "max_tokens")) {
    o.max_tokens = config::convert<int64_t>(*j, "max_tokens", w);
  }
  if (const Json* j = config::find(c, "ngrams")) {
    o.ngrams_widths = j->is_array();
    o.ngrams = o.ngrams_widths ? config::convert<std::vector<int64_t>>(*j, "ngrams", w)
                               : std::vector<int64_t>{config::convert<int64_t>(*j, "ngrams", w)};
  }
  if (const Json* j = config::find(c, "output_sequence_length")) {
    o.output_sequence_length = config::convert<int64_t>(*j, "output_sequence_length", w);
  }
  // The lookup from the same keys (its vocabulary, weights and recorded size), as Keras makes it.
  Json lookup = Json::object();
  for (const char* key : {"max_tokens", "vocabulary", "idf_weights", "pad_to_max_tokens",
                          "output_mode", "encoding", "vocabulary_size"}) {
    if (c.contains(key)) lookup[key] = c.at(key);
  }
  lookup["mask_token"] = "";
  auto inner = std::dynamic_pointer_cast<StringLookupImpl>(StringLookupImpl::from_config(lookup));
  auto layer = std::shared_ptr<TextVectorizationImpl>(
      new TextVectorizationImpl(std::move(o), std::move(inner)));
  layer->apply_base_config(c);
  return layer;
}

std::map<std::string, Tensor> TextVectorizationImpl::save_own_variables() const {
  // Keras 3 reads tf_idf's weights for the layer and for its tracked _lookup_layer.
  std::map<std::string, Tensor> vars = lookup_->save_own_variables();
  if (auto it = vars.find("idf_weights"); it != vars.end()) {
    vars["_lookup_layer/vars/idf_weights"] = it->second;
  }
  return vars;
}

void TextVectorizationImpl::load_own_variables(const std::map<std::string, Tensor>& store) {
  lookup_->load_own_variables(store);
}

std::map<std::string, std::string> TextVectorizationImpl::save_assets() const {
  // Keras 3 writes the vocabulary twice: for the layer and for its tracked _lookup_layer.
  std::map<std::string, std::string> files = lookup_->save_assets();
  if (auto it = files.find("vocabulary.txt"); it != files.end()) {
    files["_lookup_layer/vocabulary.txt"] = it->second;
  }
  return files;
}

void TextVectorizationImpl::load_assets(const std::map<std::string, std::string>& files) {
  lookup_->load_assets(files);
}

}  // namespace keras::layers
