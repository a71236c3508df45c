#include "keras/callbacks/csv_logger.h"

#include <algorithm>
#include <cerrno>

#include "callbacks/python_format.h"
#include "core/file_util.h"
#include "keras/core/error.h"
#include "keras/distribution/distribution.h"

namespace keras::callbacks {

CSVLoggerImpl::CSVLoggerImpl(std::string filename, CSVLoggerOptions options)
    : filename_(std::move(filename)), options_(std::move(options)) {}

void CSVLoggerImpl::on_train_begin(const Logs&) {
  if (!distribution::is_chief()) return;  // only process 0 writes files
  append_header_ = true;
  if (options_.append) {
    std::ifstream in(filename_);
    std::string first;
    if (in && std::getline(in, first)) append_header_ = first.empty() && in.eof();
  }
  if (file_.is_open()) file_.close();
  file_.open(filename_, options_.append ? std::ios::app : std::ios::trunc | std::ios::out);
  KERAS_CHECK(file_.is_open(), IOError, "CSVLogger: cannot open ", filename_, " for writing (",
              internal::errno_text(errno), ")");
  keys_.reset();
}

void CSVLoggerImpl::write_row(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string& f = fields[i];
    if (i > 0) line += options_.separator;
    const bool quote = (!options_.separator.empty() && f.find(options_.separator) != f.npos) ||
                       f.find_first_of("\"\r\n") != f.npos;
    if (!quote) {
      line += f;
      continue;
    }
    line += '"';
    for (char c : f) line += c == '"' ? std::string("\"\"") : std::string(1, c);
    line += '"';
  }
  file_ << line << "\r\n";
  file_.flush();
  KERAS_CHECK(file_.good(), IOError, "CSVLogger: cannot write to ", filename_, " (",
              internal::errno_text(errno), ")");
}

void CSVLoggerImpl::on_epoch_end(int epoch, const Logs& logs) {
  if (!distribution::is_chief()) return;
  if (!file_.is_open()) on_train_begin({});
  if (!keys_) {
    keys_.emplace();
    for (const auto& [k, v] : logs) keys_->push_back(k);  // a std::map: already sorted
    // As Keras 3: without validation in the first epoch (validation_freq > 1, or none at all),
    // a val_ column for every key, NA until validation runs.
    if (std::none_of(keys_->begin(), keys_->end(),
                     [](const std::string& k) { return k.starts_with("val_"); })) {
      const size_t n = keys_->size();
      for (size_t i = 0; i < n; ++i) keys_->push_back("val_" + (*keys_)[i]);
    }
    if (append_header_) {
      std::vector<std::string> header{"epoch"};
      header.insert(header.end(), keys_->begin(), keys_->end());
      write_row(header);
    }
  }
  std::vector<std::string> row{std::to_string(epoch)};
  for (const std::string& k : *keys_) {
    auto it = logs.find(k);
    row.push_back(it == logs.end() ? "NA" : python_float_repr(it->second));
  }
  write_row(row);
}

void CSVLoggerImpl::on_train_end(const Logs&) {
  if (file_.is_open()) file_.close();
}

std::shared_ptr<CSVLoggerImpl> CSVLogger(std::string filename, CSVLoggerOptions options) {
  return std::make_shared<CSVLoggerImpl>(std::move(filename), std::move(options));
}

}  // namespace keras::callbacks
