#include "utils/directory_index.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>

#include "keras/core/error.h"

namespace keras::utils::internal {
namespace {

namespace fs = std::filesystem;

// Python's repr of a list of strings or ints: ['a', 'b'], [0, 1].
std::string repr(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", '" : "'") + v[i] + "'";
  return s + "]";
}
std::string repr(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}
std::string repr(const DirectoryLabels& labels) {
  if (const auto* s = std::get_if<std::string>(&labels)) return *s;
  if (const auto* v = std::get_if<std::vector<int64_t>>(&labels)) return repr(*v);
  return "None";
}

// Python's os.path.join(a, b).
std::string join(const std::string& a, const std::string& b) {
  if (a.empty() || a.back() == '/') return a + b;
  return a + "/" + b;
}

bool allowed(const std::string& name, const std::vector<std::string>& formats) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& f : formats)
    if (lower.size() >= f.size() && lower.compare(lower.size() - f.size(), f.size(), f) == 0)
      return true;
  return false;
}

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);  // follows symbolic links, as os.path.isdir
}

// os.walk(top, followlinks): every (root, sorted file names), roots sorted as strings. A
// directory reached twice through links is walked once (os.walk would loop forever).
void walk(const std::string& root,
          bool follow_links,
          std::set<fs::path>& seen,
          std::vector<std::pair<std::string, std::vector<std::string>>>& out) {
  std::error_code ec;
  const fs::path canonical = fs::canonical(root, ec);
  if (ec || !seen.insert(canonical).second) return;
  fs::directory_iterator it(root, ec);
  if (ec) return;  // os.walk ignores unreadable directories
  std::vector<std::string> files, dirs;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (is_dir(entry.path())) {
      std::error_code link_ec;
      if (follow_links || !entry.is_symlink(link_ec)) dirs.push_back(name);
    } else {
      files.push_back(name);
    }
  }
  std::sort(files.begin(), files.end());
  out.emplace_back(root, std::move(files));
  for (const auto& d : dirs) walk(join(root, d), follow_links, seen, out);
}

struct Index {
  std::vector<std::string> paths;
  std::vector<int64_t> labels;
  std::vector<std::string> class_names;
  bool has_labels = false;
};

Index index_directory(const std::string& directory,
                      const DirectoryLabels& labels,
                      const DirectoryOptions& o,
                      const DirectoryKind& kind,
                      uint64_t seed) {
  const bool inferred = std::holds_alternative<std::string>(labels);
  // Python's os.listdir: FileNotFoundError (without "inferred", os.walk finds no files).
  KERAS_CHECK(!inferred || is_dir(directory), IOError, "[Errno 2] No such file or directory: '",
              directory, "'");
  std::vector<std::string> subdirs;
  if (inferred) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(directory, ec)) {
      const std::string name = entry.path().filename().string();
      if (is_dir(entry.path()) && !name.starts_with(".")) subdirs.push_back(name);
    }
    std::sort(subdirs.begin(), subdirs.end());
    if (o.class_names) {
      for (const auto& c : *o.class_names) {
        KERAS_CHECK(std::find(subdirs.begin(), subdirs.end(), c) != subdirs.end(), ValueError,
                    "The `class_names` passed did not match the names of the subdirectories of "
                    "the target directory. Expected: ",
                    repr(subdirs),
                    " (or a subset of it), but received: class_names=", repr(*o.class_names));
      }
      subdirs = *o.class_names;
    }
  } else {
    subdirs = {""};
    KERAS_CHECK(!o.class_names || !std::holds_alternative<std::nullptr_t>(labels), ValueError,
                "When `labels=None` (no labels), argument `class_names` cannot be specified.");
    KERAS_CHECK(!o.class_names, ValueError,
                "When argument `labels` is specified, argument `class_names` cannot be "
                "specified (the `class_names` will be the sorted list of labels).");
  }
  Index index;
  for (size_t c = 0; c < subdirs.size(); ++c) {
    const std::string class_dir = join(directory, subdirs[c]);
    std::set<fs::path> seen;
    std::vector<std::pair<std::string, std::vector<std::string>>> roots;
    walk(class_dir, o.follow_links, seen, roots);
    std::sort(roots.begin(), roots.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [root, files] : roots) {
      for (const auto& f : files) {
        if (!allowed(f, kind.formats)) continue;
        // The path relative to `directory`: <class>/<path below the class directory>.
        const std::string below =
            root.size() > class_dir.size()
                ? root.substr(class_dir.size() + (class_dir.back() == '/' ? 0 : 1))
                : "";
        index.paths.push_back(join(directory, join(subdirs[c], join(below, f))));
        index.labels.push_back(static_cast<int64_t>(c));
      }
    }
  }
  const int64_t n = static_cast<int64_t>(index.paths.size());
  if (inferred) {
    index.has_labels = true;
    index.class_names = subdirs;
  } else if (const auto* given = std::get_if<std::vector<int64_t>>(&labels)) {
    KERAS_CHECK(static_cast<int64_t>(given->size()) == n, ValueError,
                "Expected the lengths of `labels` to match the number of files in the target "
                "directory. len(labels) is ",
                given->size(), " while we found ", n, " files in directory ", directory, ".");
    index.has_labels = true;
    index.labels = *given;
    std::set<int64_t> distinct(given->begin(), given->end());
    for (int64_t v : distinct) index.class_names.push_back(std::to_string(v));
  } else {
    index.labels.clear();
  }
  if (o.verbose) {
    if (!index.has_labels)
      std::cout << "Found " << n << " files.\n";
    else
      std::cout << "Found " << n << " files belonging to " << index.class_names.size()
                << " classes.\n";
  }
  if (o.shuffle) {
    Generator g(seed);
    for (size_t i = index.paths.size(); i > 1; --i) {
      const size_t j = g.next_below(i);
      std::swap(index.paths[i - 1], index.paths[j]);
      if (index.has_labels) std::swap(index.labels[i - 1], index.labels[j]);
    }
  }
  return index;
}

// Keras's get_training_or_validation_split, Python's slices included ([:-0] is empty).
DirectoryFiles take_split(const Index& index,
                          const DirectoryOptions& o,
                          const std::string& subset) {
  DirectoryFiles files;
  files.paths = index.paths;
  files.labels = index.labels;
  if (!o.validation_split) return files;
  const size_t n = index.paths.size();
  const auto num_val = static_cast<size_t>(*o.validation_split * static_cast<double>(n));
  size_t begin = 0, end = n;
  if (subset == "training") {
    std::cout << "Using " << n - num_val << " files for training.\n";
    end = num_val == 0 ? 0 : n - num_val;
  } else {
    std::cout << "Using " << num_val << " files for validation.\n";
    begin = num_val == 0 ? 0 : n - num_val;
  }
  files.paths.assign(index.paths.begin() + begin, index.paths.begin() + end);
  if (index.has_labels)
    files.labels.assign(index.labels.begin() + begin, index.labels.begin() + end);
  return files;
}

}  // namespace

void check_label_arguments(const DirectoryOptions& o, const DirectoryKind& kind) {
  if (const auto* s = std::get_if<std::string>(&o.labels)) {
    KERAS_CHECK(*s == "inferred", ValueError,
                "`labels` argument should be a list/tuple of integer labels, of the same size as "
                "the number of ",
                kind.files,
                " in the target directory. If you wish to infer the labels from the subdirectory "
                "names in the target directory, pass `labels=\"inferred\"`. If you wish to get a "
                "dataset that only contains ",
                kind.samples, " (no labels), pass `labels=None`. Received: labels=", *s);
  }
  if (std::holds_alternative<std::vector<int64_t>>(o.labels)) {
    KERAS_CHECK(!o.class_names || o.class_names->empty(), ValueError,
                "You can only pass `class_names` if `labels=\"inferred\"`. Received: labels=",
                repr(o.labels), ", and class_names=", repr(*o.class_names));
  }
  if (o.label_mode) {
    const std::string& m = *o.label_mode;
    KERAS_CHECK(m == "int" || m == "categorical" || m == "binary", ValueError,
                "`label_mode` argument must be one of \"int\", \"categorical\", \"binary\", or "
                "None. Received: label_mode=",
                m);
  }
  KERAS_CHECK(o.batch_size > 0, ValueError,
              "`batch_size` must be a positive integer. Received: ", "batch_size=", o.batch_size);
}

std::vector<DirectoryFiles> split_directory(const std::string& directory,
                                            const DirectoryOptions& o,
                                            const DirectoryKind& kind) {
  const double v = o.validation_split.value_or(0.0);
  const std::string subset = o.subset.value_or("");
  KERAS_CHECK(v == 0.0 || (v > 0.0 && v < 1.0), ValueError,
              "`validation_split` must be between 0 and 1, received: ", v);
  KERAS_CHECK((v != 0.0) == !subset.empty(), ValueError,
              "If `subset` is set, `validation_split` must be set, and inversely.");
  KERAS_CHECK(subset.empty() || subset == "training" || subset == "validation" || subset == "both",
              ValueError,
              "`subset` must be either \"training\", \"validation\" or \"both\", "
              "received: ",
              subset);
  KERAS_CHECK(v == 0.0 || !o.shuffle || o.seed, ValueError,
              "If using `validation_split` and shuffling the data, you must provide a `seed` "
              "argument, to make sure that there is no overlap between the training and "
              "validation subset.");
  const uint64_t seed = o.seed ? *o.seed : global_generator().next_below(1000000);
  const bool no_labels = std::holds_alternative<std::nullptr_t>(o.labels) || !o.label_mode;
  const DirectoryLabels labels = no_labels ? DirectoryLabels(nullptr) : o.labels;
  const Index index = index_directory(directory, labels, o, kind, seed);
  KERAS_CHECK(o.label_mode != "binary" || index.class_names.size() == 2, ValueError,
              "When passing `label_mode=\"binary\"`, there must be exactly 2 class_names. "
              "Received: class_names=",
              repr(index.class_names));
  auto finish = [&](DirectoryFiles files, bool shuffled) {
    files.class_names = index.class_names;
    files.label_mode = index.has_labels ? o.label_mode : std::nullopt;
    files.batch_size = o.batch_size;
    files.reshuffle = shuffled && o.shuffle;
    files.seed = seed;
    return files;
  };
  if (subset == "both") {
    DirectoryFiles train = take_split(index, o, "training");
    DirectoryFiles val = take_split(index, o, "validation");
    KERAS_CHECK(!train.paths.empty(), ValueError, "No training ", kind.none_found,
                " found in directory ", directory, ". ", kind.allowed);
    KERAS_CHECK(!val.paths.empty(), ValueError, "No validation ", kind.none_found,
                " found in directory ", directory, ". ", kind.allowed);
    return {finish(std::move(train), true), finish(std::move(val), false)};
  }
  DirectoryFiles files = take_split(index, o, subset);
  KERAS_CHECK(!files.paths.empty(), ValueError, "No ", kind.none_found, " found in directory ",
              directory, ". ", kind.allowed);
  return {finish(std::move(files), true)};
}

}  // namespace keras::utils::internal
