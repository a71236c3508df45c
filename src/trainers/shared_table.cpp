#include "trainers/shared_table.h"

#include <algorithm>
#include <cstring>

#include "keras/distribution/collective.h"

namespace keras::trainers::internal {

namespace dist = keras::distribution;

namespace {

size_t round_up(size_t bytes, size_t to) {
  return (bytes + to - 1) / to * to;
}

// The open scope's tables (fit runs one at a time per process).
struct Scope {
  int depth = 0;
  std::vector<std::shared_ptr<SharedTable>> tables;
  std::vector<const Storage*> refused;
};

Scope& scope() {
  static Scope s;
  return s;
}

}  // namespace

std::shared_ptr<SharedTable> SharedTable::attach(const Tensors& tensors,
                                                 size_t staging_bytes,
                                                 std::function<void()> on_release) {
  dist::Collective& c = dist::collective();
  std::shared_ptr<SharedTable> t(new SharedTable());
  std::vector<size_t> offsets;
  size_t bytes = 0;
  for (const Tensor& x : tensors) {
    if (t->holds(x.storage().get())) continue;  // two views of one storage move once
    t->storages_.push_back(x.storage());
    offsets.push_back(bytes);
    bytes += round_up(x.storage()->nbytes(), 64);
  }
  t->staging_offset_ = round_up(bytes, 4096);
  t->staging_bytes_ = round_up(staging_bytes, 4096);
  bytes = t->staging_offset_ + static_cast<size_t>(c.size()) * t->staging_bytes_;
  t->base_ = static_cast<char*>(c.allocate_shared(bytes));
  if (t->base_ == nullptr) return nullptr;
  if (c.rank() == 0) {
    for (size_t i = 0; i < t->storages_.size(); ++i) {
      std::memcpy(t->base_ + offsets[i], t->storages_[i]->data(), t->storages_[i]->nbytes());
    }
  }
  c.barrier();
  for (size_t i = 0; i < t->storages_.size(); ++i) {
    t->private_.push_back(t->storages_[i]->exchange_data(t->base_ + offsets[i]));
  }
  t->on_release_ = std::move(on_release);
  t->attached_ = true;
  return t;
}

SharedTable::~SharedTable() {
  abandon();
}

bool SharedTable::holds(const Storage* storage) const {
  for (const auto& s : storages_) {
    if (s.get() == storage) return true;
  }
  return false;
}

char* SharedTable::staging(int process) const {
  return base_ + staging_offset_ + static_cast<size_t>(process) * staging_bytes_;
}

void SharedTable::copy_back() {
  for (size_t i = 0; i < storages_.size(); ++i) {
    void* shared = storages_[i]->exchange_data(private_[i]);
    std::memcpy(private_[i], shared, storages_[i]->nbytes());
  }
  attached_ = false;
  if (on_release_) on_release_();
}

void SharedTable::detach() {
  if (!attached_) return;
  dist::Collective& c = dist::collective();
  c.barrier();  // the last step's updates are done everywhere
  copy_back();
  c.free_shared(base_);  // waits until every process has copied
}

void SharedTable::abandon() {
  if (attached_) copy_back();
}

SharedTablesScope::SharedTablesScope() {
  ++scope().depth;
}

SharedTablesScope::~SharedTablesScope() {
  if (--scope().depth > 0) return;
  for (const auto& t : scope().tables) t->abandon();
  scope().tables.clear();
  scope().refused.clear();
}

void SharedTablesScope::close() {
  if (scope().depth > 1) return;
  for (const auto& t : scope().tables) t->detach();
  scope().tables.clear();
  scope().refused.clear();
}

bool shared_tables_allowed() {
  return scope().depth > 0;
}

void register_shared_table(std::shared_ptr<SharedTable> table) {
  scope().tables.push_back(std::move(table));
}

std::shared_ptr<SharedTable> find_shared_table(const Storage* storage) {
  for (const auto& t : scope().tables) {
    if (t->attached() && t->holds(storage)) return t;
  }
  return nullptr;
}

void refuse_shared_table(const Storage* storage) {
  if (!shared_table_refused(storage)) scope().refused.push_back(storage);
}

bool shared_table_refused(const Storage* storage) {
  const std::vector<const Storage*>& r = scope().refused;
  return std::find(r.begin(), r.end(), storage) != r.end();
}

size_t shared_table_count() {
  size_t n = 0;
  for (const auto& t : scope().tables) n += t->attached() ? 1 : 0;
  return n;
}

}  // namespace keras::trainers::internal
