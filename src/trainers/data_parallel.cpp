#include "trainers/data_parallel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <utility>

#include "distribution/ops.h"
#include "keras/autodiff/trace.h"
#include "keras/core/random.h"
#include "keras/distribution/distribution.h"
#include "keras/layers/layer.h"
#include "trainers/shared_table.h"

namespace keras::trainers::internal {

namespace dist = keras::distribution;

namespace {

void broadcast_tensor(const Tensor& t) {
  dist::collective().broadcast(t.host_data(), t.size(), t.dtype(), 0);
}

// Visits each element of a host tensor as a double.
template <class F>
void for_each_value(const Tensor& t, F&& f) {
  auto visit = [&]<class T>(T* p) {
    for (int64_t i = 0; i < t.size(); ++i) f(p[i]);
  };
  switch (t.dtype()) {
    case DType::float32:
      visit(t.data<float>());
      break;
    case DType::float64:
      visit(t.data<double>());
      break;
    case DType::int32:
      visit(t.data<int32_t>());
      break;
    case DType::int64:
      visit(t.data<int64_t>());
      break;
    case DType::uint8:
      visit(t.data<uint8_t>());
      break;
    case DType::bool_:
      visit(static_cast<bool*>(t.host_data()));
      break;
    case DType::string:
      throw_string_dtype("DataParallel's variable exchange");
  }
}

// DataParallel::balance_shares(): the split of fit's training batches. Every process computes it
// from the same exchanged numbers with the same arithmetic, so all agree on it.
struct ShareBalance {
  using clock = std::chrono::steady_clock;
  int64_t full = 0;               // the batch size balanced (fit's first training batch's)
  std::vector<double> speed;      // rows per second of each process, averaged; empty: unknown
  std::vector<int64_t> bounds;    // the split of `full`: process r has [bounds[r], bounds[r+1])
  std::vector<double> exchanged;  // the measurements in flight (one per process)
  int64_t request = -1;           // their all-reduce, started by the last step; -1: none
  clock::time_point start;        // of this process's last training step
  double waited = 0;              // collective().waited_seconds() then
  int64_t rows = 0;               // this process's rows in that step; 0: nothing to measure
  int64_t steps = 0;              // training steps split in this fit
  int64_t last_balanced = 0;      // this process's rows in the last balanced step
  std::vector<int> rejected;      // consecutive measurements not counted, per process
  bool active = false;            // inside fit (BalancedShares)
};

ShareBalance& share_balance() {
  static ShareBalance b;
  return b;
}

// Waits for the speed exchange in flight, if any; whether there was one (b.exchanged then holds
// every process's measurement).
bool complete_exchange(ShareBalance& b) {
  if (b.request < 0) return false;
  dist::collective().wait(std::exchange(b.request, -1));
  return true;
}

}  // namespace

BalancedShares::BalancedShares() {
  ShareBalance& b = share_balance();
  // An exchange left by a fit that an exception ended (or an enclosing fit's, for a fit run
  // from a callback) completes here: every process started it.
  complete_exchange(b);
  b = {};  // each fit measures its own speeds
  b.active = true;
}

BalancedShares::~BalancedShares() {
  // After an exception a started exchange waits for the next fit (see the constructor).
  share_balance().active = false;
}

int64_t last_balanced_rows() {
  return share_balance().last_balanced;
}

void BalancedShares::close() {
  ShareBalance& b = share_balance();
  complete_exchange(b);
  b.active = false;
}

void sync_from_chief(const layers::Layer& model, const optimizers::Optimizer& optimizer) {
  if (!dist::data_parallel_active()) return;
  for (const Variable& v : model.weights()) broadcast_tensor(v.value());
  if (optimizer.built()) {
    for (const Variable& v : optimizer.variables()) broadcast_tensor(v.value());
  }
  Generator::State s = global_generator().state();
  dist::collective().broadcast(s.s.data(), 4, int64, 0);
  double spare[2] = {s.has_spare ? 1.0 : 0.0, s.spare};
  dist::collective().broadcast(spare, 2, float64, 0);
  s.has_spare = spare[0] != 0.0;
  s.spare = spare[1];
  global_generator().set_state(s);
}

void check_data_parallel_losses(const std::vector<losses::LossPtr>& losses) {
  for (const losses::LossPtr& loss : losses) {
    if (!loss) continue;
    const losses::Reduction& r = loss->reduction();
    KERAS_CHECK(r == "sum_over_batch_size" || r == "mean", ValueError, "DataParallel: loss `",
                loss->name(), "` has reduction=", r.value_or("None"),
                "; training across processes needs a loss averaged over the batch "
                "(reduction=\"sum_over_batch_size\")");
  }
}

namespace {

// Speeds averaged over steps by halves; a step more than twice as slow as the average (one that
// traced a new plan) is not counted, unless three in a row are (the speed has changed).
void update_speeds(ShareBalance& b) {
  const std::vector<double>& s = b.exchanged;
  for (double v : s) {
    if (!(v > 0.0)) return;  // some process measured nothing: keep what is known
  }
  if (b.speed.empty()) {
    b.speed = s;
    b.rejected.assign(s.size(), 0);
    return;
  }
  for (size_t r = 0; r < s.size(); ++r) {
    if (s[r] < 0.5 * b.speed[r] && ++b.rejected[r] < 3) continue;
    b.rejected[r] = 0;
    b.speed[r] = 0.5 * (b.speed[r] + s[r]);
  }
}

// Moves the split of b.full rows toward the speeds: each boundary to its share of the speeds,
// at most a quarter of an even share from the even boundary, in steps of b.full / 16 rows, and
// only when the target is at least three quarters of a step away (no flapping).
void update_bounds(ShareBalance& b, int n) {
  const int64_t full = b.full, step = std::max<int64_t>(1, full / 16);
  if (static_cast<int>(b.bounds.size()) != n + 1) {
    b.bounds.assign(static_cast<size_t>(n) + 1, 0);
    for (int k = 0; k <= n; ++k) b.bounds[static_cast<size_t>(k)] = full * k / n;
  }
  if (b.speed.empty()) return;
  double total = 0;
  for (double v : b.speed) total += v;
  const double reach = 0.25 * static_cast<double>(full) / n;
  double before = 0;
  for (int k = 1; k < n; ++k) {
    before += b.speed[static_cast<size_t>(k) - 1];
    const int64_t even = full * k / n;
    const double target =
        std::clamp(static_cast<double>(full) * before / total, static_cast<double>(even) - reach,
                   static_cast<double>(even) + reach);
    int64_t& bound = b.bounds[static_cast<size_t>(k)];
    if (std::abs(target - static_cast<double>(bound)) < 0.75 * static_cast<double>(step)) continue;
    bound = even + static_cast<int64_t>(std::lround((target - static_cast<double>(even)) /
                                                    static_cast<double>(step))) *
                       step;
  }
  // Every process keeps at least one row, in order.
  for (int k = 1; k < n; ++k) {
    int64_t& bound = b.bounds[static_cast<size_t>(k)];
    bound = std::clamp<int64_t>(bound, b.bounds[static_cast<size_t>(k) - 1] + 1, full - (n - k));
  }
}

// [begin, end) of process r in an even split of `count` rows.
std::pair<int64_t, int64_t> even_share(int64_t count, int n, int r) {
  return {count * r / n, count * (r + 1) / n};
}

// [begin, end) of process r in a training batch of `count` rows under balanced shares. Each step
// starts the all-reduce of this process's last measured speed and uses the speeds the previous
// step started (complete by now: both processes have been through that step's gradient
// all-reduce since), so that the balance adds no point where processes wait for each other.
std::pair<int64_t, int64_t> balanced_share(int64_t count, int n, int r) {
  ShareBalance& b = share_balance();
  dist::Collective& c = dist::collective();
  double mine = 0;
  if (b.rows > 0) {
    const double busy =
        std::chrono::duration<double>(ShareBalance::clock::now() - b.start).count() -
        (c.waited_seconds() - b.waited);
    if (busy > 0) mine = static_cast<double>(b.rows) / busy;
  }
  if (complete_exchange(b)) update_speeds(b);
  b.exchanged.assign(static_cast<size_t>(n), 0.0);
  b.exchanged[static_cast<size_t>(r)] = mine;
  b.request = c.start_all_reduce(b.exchanged.data(), n, float64);
  if (b.full == 0) b.full = count;
  std::pair<int64_t, int64_t> share = even_share(count, n, r);
  if (count == b.full) {
    update_bounds(b, n);
    share = {b.bounds[static_cast<size_t>(r)], b.bounds[static_cast<size_t>(r) + 1]};
    b.last_balanced = share.second - share.first;
  }
  b.start = ShareBalance::clock::now();
  b.waited = c.waited_seconds();
  // The first step traces its plan: not a measure of speed.
  b.rows = b.steps++ > 0 ? share.second - share.first : 0;
  return share;
}

bool balancing_shares() {
  if (!share_balance().active) return false;
  const auto dp = std::dynamic_pointer_cast<dist::DataParallel>(dist::distribution());
  return dp != nullptr && dp->balance_shares();
}

}  // namespace

BatchRows shard_batch(const BatchRows& batch, bool training) {
  double& gradient_weight = dist::internal::batch_share();
  gradient_weight = 1.0;
  if (!dist::data_parallel_active()) return batch;
  const int n = dist::process_count();
  const int r = dist::process_id();
  KERAS_CHECK(batch.count >= n, ValueError, "DataParallel: a batch of ", batch.count,
              " samples cannot be split across ", n,
              " processes; use a batch_size (and a number of samples, for the last batch) of at "
              "least the number of processes");
  const auto [begin, end] = training && balancing_shares() ? balanced_share(batch.count, n, r)
                                                           : even_share(batch.count, n, r);
  gradient_weight = static_cast<double>(end - begin) / static_cast<double>(batch.count);
  return {batch.data, batch.rows + begin, end - begin};
}

namespace {

// Calls f(T{}) with T the C++ type of a float32 or float64 tensor.
template <class F>
void with_float_type(DType dtype, F&& f) {
  if (dtype == float32) {
    f(float{});
  } else {
    f(double{});
  }
}

// Dense gradients all-reduced together: packed times the gradient weight into `buffer`, started
// by one kernel, waited for and unpacked by another.
struct Bucket {
  DType dtype = float32;
  Tensors grads, outs;
  int64_t elements = 0;
  std::vector<float> f32;
  std::vector<double> f64;
  int64_t request = -1;

  void* data() {
    return dtype == float32 ? static_cast<void*>(f32.data()) : static_cast<void*>(f64.data());
  }
  template <class T>
  std::vector<T>& buffer() {
    if constexpr (std::is_same_v<T, float>) {
      return f32;
    } else {
      return f64;
    }
  }
};

void start_bucket(const std::shared_ptr<Bucket>& b) {
  if (b->dtype == float32) {
    b->f32.resize(static_cast<size_t>(b->elements));
  } else {
    b->f64.resize(static_cast<size_t>(b->elements));
  }
  autodiff::launch([b] {
    const double w = dist::internal::batch_share();
    with_float_type(b->dtype, [&]<class T>(T) {
      T* p = b->buffer<T>().data();
      for (const Tensor& g : b->grads) {
        const T* s = g.data<T>();
        for (int64_t i = 0; i < g.size(); ++i) *p++ = static_cast<T>(s[i] * w);
      }
    });
    b->request = dist::collective().start_all_reduce(b->data(), b->elements, b->dtype);
  });
}

void finish_bucket(const std::shared_ptr<Bucket>& b) {
  dist::collective().wait(b->request);
  with_float_type(b->dtype, [&]<class T>(T) {
    const T* p = b->buffer<T>().data();
    for (const Tensor& o : b->outs) {
      T* d = o.data<T>();
      for (int64_t i = 0; i < o.size(); ++i) d[i] = *p++;
    }
  });
}

// A row-sparse gradient (zero outside the rows its hint lists) and its exchange's state.
struct SparseGrad {
  Tensor grad, rows;     // this process's gradient and its row hint
  Tensor out, out_rows;  // the sum, and its hint: capacity one id per row of the table
  int64_t table_rows = 0, row_size = 0;
  std::vector<int64_t> local;     // the distinct rows of this step's hint
  std::vector<int64_t> others;    // of those, the rows other processes own (shared tables)
  std::vector<int64_t> previous;  // the rows of `out` written by the last exchange
  std::vector<int64_t> current;   // and by this one, while it runs (shared: the rows owned)
  bool all_written = true;        // out is uninitialized or was written densely
  bool pad_hint = false;          // out is zero and its hint names one row (shared tables)
  std::vector<uint32_t> stamp;    // distinct-row marks
  uint32_t tick = 0;
  bool sparse = false;  // this step's choice
  // For a table shared in memory (DataParallel::shared_tables): the variable, its index among
  // the optimizer's, the optimizer, and the table once attached.
  Variable variable;
  size_t index = 0;
  optimizers::OptimizerPtr optimizer;
  std::shared_ptr<SharedTable> table;
  bool refused = false;  // the shared allocation failed: not tried again
  // The parts of each row in `current`: one per process (null where it has none) pointing at
  // its rows, staged or (this process's, not yet times its weight) its gradient's.
  std::vector<const void*> parts;
  std::vector<int64_t> slot_of;  // a marked row's index in `current`
  Tensor chunk, chunk_ids;       // summed rows on their way to the optimizer, and their ids

  bool shared() const { return table && table->attached(); }

  int64_t row_bytes() const { return row_size * static_cast<int64_t>(dtype_size(grad.dtype())); }
  // Marks `row`; true the first time in this tick.
  bool mark(int64_t row) {
    uint32_t& s = stamp[static_cast<size_t>(row)];
    if (s == tick) return false;
    s = tick;
    return true;
  }
  // Whether `row` was marked in this tick.
  bool marked(int64_t row) const { return stamp[static_cast<size_t>(row)] == tick; }
  void next_tick() {
    if (++tick == 0) {  // wrapped: stale marks could equal the new tick
      std::fill(stamp.begin(), stamp.end(), 0);
      tick = 1;
    }
  }
  void collect_local_rows() {
    next_tick();
    local.clear();
    auto visit = [&]<class I>(const I* ids) {
      for (int64_t i = 0; i < rows.size(); ++i) {
        if (mark(static_cast<int64_t>(ids[i]))) local.push_back(static_cast<int64_t>(ids[i]));
      }
    };
    if (rows.dtype() == int32) {
      visit(rows.data<int32_t>());
    } else {
      visit(rows.data<int64_t>());
    }
  }
};

int64_t round8(int64_t bytes) {
  return (bytes + 7) / 8 * 8;
}

// The sparse gradients of one traced step and the buffers their exchange reuses from step to
// step (a fresh multi-megabyte vector each step cost page faults and zero-filling).
struct SparseExchange {
  std::vector<std::shared_ptr<SparseGrad>> grads;
  std::vector<int64_t> mine, counts, bytes, send, recv;
  bool shared_tables = false;                                 // DataParallel::shared_tables()
  std::vector<std::shared_ptr<SparseGrad>> gathered, shared;  // this step's split of grads
};

// Zeroes the rows of g.out written before this exchange (every row when it was written
// densely or never) but those `keep` accepts; g.out is then zero outside the kept rows.
template <class Keep>
void clear_written_rows(SparseGrad& g, Keep&& keep) {
  with_float_type(g.out.dtype(), [&]<class T>(T) {
    T* d = g.out.data<T>();
    auto clear = [&](int64_t row) {
      if (!keep(row)) std::fill_n(d + row * g.row_size, g.row_size, T{0});
    };
    if (g.all_written) {
      for (int64_t row = 0; row < g.table_rows; ++row) clear(row);
    } else {
      for (int64_t row : g.previous) clear(row);
    }
  });
  g.all_written = false;
}

// Zeroes the rows of g.out that the last exchange wrote and this one did not (marked), then
// makes g.current the rows written and lists them in g.out's row hint, padded with `pad`.
void finish_rows(SparseGrad& g, int64_t pad) {
  clear_written_rows(g, [&g](int64_t row) { return g.marked(row); });
  g.pad_hint = false;
  std::swap(g.previous, g.current);
  int64_t* ids = g.out_rows.data<int64_t>();
  std::copy(g.previous.begin(), g.previous.end(), ids);
  std::fill(ids + g.previous.size(), ids + g.table_rows, g.previous.empty() ? pad : g.previous[0]);
}

// Adds `rows` received rows (ids, then rows of g.row_size values) into g.out: copied where a
// row is first written in this exchange (equal values to adding to zeros; -0 stays -0), added
// after that.
void add_rows(SparseGrad& g, int64_t rows, const int64_t* ids, const void* values) {
  with_float_type(g.grad.dtype(), [&]<class T>(T) {
    const T* v = static_cast<const T*>(values);
    T* d = g.out.data<T>();
    for (int64_t i = 0; i < rows; ++i, v += g.row_size) {
      T* row = d + ids[i] * g.row_size;
      if (g.mark(ids[i])) {
        std::copy_n(v, g.row_size, row);
        g.current.push_back(ids[i]);
      } else {
        for (int64_t j = 0; j < g.row_size; ++j) row[j] += v[j];
      }
    }
  });
}

// Writes this process's gradient rows `rows` times the gradient weight `w` at `p`; returns the
// end of what it wrote.
char* pack_rows(const SparseGrad& g, const std::vector<int64_t>& rows, double w, char* p) {
  with_float_type(g.grad.dtype(), [&]<class T>(T) {
    T* v = reinterpret_cast<T*>(p);
    const T* src = g.grad.data<T>();
    for (int64_t row : rows) {
      for (int64_t j = 0; j < g.row_size; ++j) *v++ = static_cast<T>(src[row * g.row_size + j] * w);
    }
  });
  return p + static_cast<int64_t>(rows.size()) * g.row_bytes();
}

// A process's staging area in a shared table: its row count, room for an id per row of the
// table, then its rows.
int64_t staging_bytes(const SparseGrad& g) {
  return 8 + 8 * g.table_rows + g.table_rows * g.row_bytes();
}
int64_t* staged_ids(char* area) {
  return reinterpret_cast<int64_t*>(area + 8);
}
char* staged_rows(char* area, const SparseGrad& g) {
  return area + 8 + 8 * g.table_rows;
}

// g's variable and its optimizer row state when they may move into shared memory now: a host
// table trained by an optimizer that writes only the hinted rows, without a constraint (which
// would rewrite every row on every process), with a row for every process to own. The same
// answer on every process (it depends on the model and the optimizer only).
std::optional<Tensors> shareable(const SparseGrad& g, int processes) {
  if (g.refused || !shared_tables_allowed() || !g.optimizer || !g.optimizer->built() ||
      shared_table_refused(g.variable.value().storage().get())) {
    return std::nullopt;
  }
  if (g.variable.constraint() || g.table_rows < processes || g.variable.dtype() != g.grad.dtype()) {
    return std::nullopt;
  }
  std::optional<Tensors> state = g.optimizer->row_update_state(g.index);
  if (!state) return std::nullopt;
  Tensors all{g.variable.value()};
  all.insert(all.end(), state->begin(), state->end());
  for (const Tensor& t : all) {
    if (t.device().type != DeviceType::cpu) return std::nullopt;
  }
  return all;
}

// Moves the tables that can be shared into shared memory (collective; in the same order on
// every process), and splits this step's gradients between the two exchanges.
void share_tables(SparseExchange& x) {
  dist::Collective& c = dist::collective();
  for (const auto& g : x.grads) {
    if (g->table && !g->table->attached()) g->table = nullptr;  // released when a fit ended
    if (!x.shared_tables || g->table) continue;
    std::optional<Tensors> state = shareable(*g, c.size());
    if (!state) continue;
    // Another plan of this fit (a last batch of another size) may have moved the table already.
    if ((g->table = find_shared_table(g->variable.value().storage().get()))) continue;
    g->table =
        SharedTable::attach(*state, static_cast<size_t>(staging_bytes(*g)),
                            [o = g->optimizer, i = g->index] { o->set_catches_up(i, true); });
    if (!g->table) {
      g->refused = true;
      refuse_shared_table(g->variable.value().storage().get());
      continue;
    }
    // Catching up rewrites every row's state: one process does it for all.
    g->optimizer->set_catches_up(g->index, c.rank() == 0);
    register_shared_table(g->table);
  }
  x.gathered.clear();
  x.shared.clear();
  for (const auto& g : x.grads) (g->shared() ? x.shared : x.gathered).push_back(g);
}

// Rows of a shared table summed and updated at a time: at most 64, at most 128 KiB (64 rows of
// 512 floats), so that the summed rows are still in the core's cache when the optimizer reads
// them.
int64_t chunk_rows(const SparseGrad& g) {
  return std::clamp<int64_t>((int64_t{128} << 10) / std::max<int64_t>(g.row_bytes(), 1), 1, 64);
}

// Lists in g.current the rows this process owns (`mine`) among every process's rows this
// step, in process order of first appearance, and each row's parts in g.parts.
template <class Mine>
void list_owned_parts(SparseGrad& g, int n, int rank, Mine&& mine) {
  g.next_tick();
  g.current.clear();
  g.parts.clear();
  auto add = [&](int64_t id, int r, const void* row) {
    if (g.mark(id)) {
      g.slot_of[static_cast<size_t>(id)] = static_cast<int64_t>(g.current.size());
      g.current.push_back(id);
      g.parts.resize(g.parts.size() + static_cast<size_t>(n), nullptr);
    }
    g.parts[static_cast<size_t>(g.slot_of[static_cast<size_t>(id)] * n + r)] = row;
  };
  const auto* grad = static_cast<const char*>(g.grad.raw_data());
  for (int r = 0; r < n; ++r) {
    if (r == rank) {
      for (int64_t id : g.local) add(id, r, grad + id * g.row_bytes());
      continue;
    }
    char* p = g.table->staging(r);
    int64_t count = 0;
    std::memcpy(&count, p, 8);
    const int64_t* ids = staged_ids(p);
    const char* rows = staged_rows(p, g);
    for (int64_t i = 0; i < count; ++i) {
      if (mine(ids[i])) add(ids[i], r, rows + i * g.row_bytes());
    }
  }
}

// Sums, in process order, the parts of the k-th row of g.current into `out`: the values the
// all-gather's sum has (the first part copied, the others added; this process's own part times
// its weight `w`, as pack_rows stages it for the others).
template <class T>
void sum_parts(const SparseGrad& g, size_t k, int n, int rank, double w, T* out) {
  bool first = true;
  for (int r = 0; r < n; ++r) {
    const T* v = static_cast<const T*>(g.parts[k * static_cast<size_t>(n) + r]);
    if (v == nullptr) continue;
    for (int64_t j = 0; j < g.row_size; ++j) {
      const T x = r == rank ? static_cast<T>(v[j] * w) : v[j];
      out[j] = first ? x : out[j] + x;
    }
    first = false;
  }
}

// Fetches the parts of the k-th row before they are summed (rows scattered over the tables: the
// hardware prefetcher cannot foresee them).
void prefetch_parts(const SparseGrad& g, size_t k, int n) {
  for (int r = 0; r < n; ++r) {
    const auto* p = static_cast<const char*>(g.parts[k * static_cast<size_t>(n) + r]);
    if (p == nullptr) continue;
    for (int64_t b = 0; b < g.row_bytes(); b += 64) __builtin_prefetch(p + b, 0);
  }
}

// Makes g.out zero with a hint naming only `pad`, a row this process owns: the optimizer's
// launched update then skips `pad` when update_owned_rows updated it, and otherwise decays it
// with a zero gradient now instead of later (the same values), as every row decays in Keras's
// dense step.
void hint_pad_row(SparseGrad& g, int64_t pad) {
  if (g.pad_hint) return;
  clear_written_rows(g, [](int64_t) { return false; });
  g.previous.clear();
  std::fill_n(g.out_rows.data<int64_t>(), g.table_rows, pad);
  g.pad_hint = true;
}

// Sums the rows of g.current chunk by chunk and has the optimizer update each chunk at once.
void update_owned_rows(SparseGrad& g, int n, int rank, double w) {
  const int64_t size = chunk_rows(g);
  if (!g.chunk.defined()) {
    g.chunk = Tensor::empty({size, g.row_size}, g.grad.dtype());
    g.chunk_ids = Tensor::empty({size}, int64);
  }
  with_float_type(g.grad.dtype(), [&]<class T>(T) {
    T* rows = g.chunk.data<T>();
    int64_t* ids = g.chunk_ids.data<int64_t>();
    const size_t total = g.current.size();
    for (size_t begin = 0; begin < total; begin += static_cast<size_t>(size)) {
      const size_t end = std::min(total, begin + static_cast<size_t>(size));
      for (size_t k = begin; k < end; ++k) {
        if (k + 2 < total) prefetch_parts(g, k + 2, n);
        sum_parts(g, k, n, rank, w, rows + static_cast<int64_t>(k - begin) * g.row_size);
        ids[k - begin] = g.current[k];
      }
      // A short last chunk repeats its first id: the update skips a row already updated.
      std::fill(ids + (end - begin), ids + size, ids[0]);
      g.optimizer->update_rows_now(g.index, g.chunk, g.chunk_ids);
    }
  });
}

// The shared tables' exchange: each process stages its rows that others own, times its
// gradient weight; then each process sums the rows it owns, ids r, r + n, ... (in process
// order, as the all-gather below) and has the optimizer update them at once. Its own part of
// its rows it reads from its gradient. The optimizer's launched step finds them updated.
void exchange_shared(const std::vector<std::shared_ptr<SparseGrad>>& grads) {
  dist::Collective& c = dist::collective();
  const double w = dist::internal::batch_share();
  const int n = c.size(), rank = c.rank();
  auto mine = [&](int64_t id) { return id % n == rank; };
  for (const auto& g : grads) {
    g->collect_local_rows();
    g->others.clear();  // split without allocating: own rows stay in local, in order
    size_t kept = 0;
    for (int64_t id : g->local) {
      if (mine(id)) {
        g->local[kept++] = id;
      } else {
        g->others.push_back(id);
      }
    }
    g->local.resize(kept);
    char* p = g->table->staging(rank);
    const auto count = static_cast<int64_t>(g->others.size());
    std::memcpy(p, &count, 8);
    std::copy(g->others.begin(), g->others.end(), staged_ids(p));
    pack_rows(*g, g->others, w, staged_rows(p, *g));
  }
  c.barrier();  // every process's rows are staged
  for (const auto& g : grads) {
    g->slot_of.resize(static_cast<size_t>(g->table_rows));
    list_owned_parts(*g, n, rank, mine);
    update_owned_rows(*g, n, rank, w);
    hint_pad_row(*g, rank);
  }
}

// Resizes `v` to at least `n` elements; a buffer that is large enough is left as it is.
void reserve_at_least(std::vector<int64_t>& v, size_t n) {
  if (v.size() < n) v.resize(n);
}

// Each sparse gradient: the global row counts decide, per gradient and identically on every
// process, between a dense all-reduce and an all-gather of the touched rows.
void exchange_gathered(SparseExchange& x) {
  dist::Collective& c = dist::collective();
  const double w = dist::internal::batch_share();
  const auto n = static_cast<size_t>(c.size());
  const std::vector<std::shared_ptr<SparseGrad>>& grads = x.gathered;
  const size_t count = grads.size();
  std::vector<int64_t>&mine = x.mine, &counts = x.counts, &bytes = x.bytes;
  mine.resize(count);
  counts.resize(n * count);
  for (size_t k = 0; k < count; ++k) {
    grads[k]->collect_local_rows();
    mine[k] = static_cast<int64_t>(grads[k]->local.size());
  }
  c.all_gather(mine.data(), counts.data(),
               std::vector<int64_t>(n, static_cast<int64_t>(count * sizeof(int64_t))));
  // Bytes each process receives: an all-gather of (id, row) pairs against a ring all-reduce.
  bytes.assign(n, 0);
  for (size_t k = 0; k < count; ++k) {
    SparseGrad& g = *grads[k];
    int64_t total = 0;
    for (size_t r = 0; r < n; ++r) total += counts[r * count + k];
    g.sparse = total * (8 + g.row_bytes()) < 2 * g.table_rows * g.row_bytes();
    if (!g.sparse) continue;
    for (size_t r = 0; r < n; ++r) {
      const int64_t rows = counts[r * count + k];
      bytes[r] += 8 * rows + round8(rows * g.row_bytes());
    }
  }
  for (const auto& p : grads) {
    SparseGrad& g = *p;
    if (g.sparse) continue;
    with_float_type(g.grad.dtype(), [&]<class T>(T) {
      T* o = g.out.data<T>();
      const T* s = g.grad.data<T>();
      for (int64_t i = 0; i < g.grad.size(); ++i) o[i] = static_cast<T>(s[i] * w);
      c.all_reduce(o, g.out.size(), g.out.dtype(), dist::ReduceOp::sum);
    });
    int64_t* ids = g.out_rows.data<int64_t>();
    for (int64_t i = 0; i < g.table_rows; ++i) ids[i] = i;
    g.all_written = true;
  }
  // This process's part: per sparse gradient, its row ids, then its rows times the weight. (At
  // least one element, so that the buffers are never null, even when no process has rows: then
  // the rows of the last exchange are still cleared below.)
  reserve_at_least(x.send, static_cast<size_t>(bytes[static_cast<size_t>(c.rank())] / 8) + 1);
  char* p = reinterpret_cast<char*>(x.send.data());
  for (const auto& sg : grads) {
    SparseGrad& g = *sg;
    if (!g.sparse) continue;
    std::memcpy(p, g.local.data(), g.local.size() * sizeof(int64_t));
    p += g.local.size() * sizeof(int64_t);
    pack_rows(g, g.local, w, p);
    p += round8(static_cast<int64_t>(g.local.size()) * g.row_bytes());
  }
  int64_t total = 0;
  for (int64_t b : bytes) total += b;
  reserve_at_least(x.recv, static_cast<size_t>(total / 8) + 1);
  if (total > 0) c.all_gather(x.send.data(), x.recv.data(), bytes);
  for (const auto& sg : grads) {
    if (!sg->sparse) continue;
    sg->next_tick();
    sg->current.clear();
  }
  // Sum in process order: every process adds the same numbers in the same order. A row's first
  // part is copied rather than added to zeros (equal values; -0 stays -0), so only the rows
  // that left the set since the last exchange need clearing, below.
  const char* q = reinterpret_cast<const char*>(x.recv.data());
  for (size_t r = 0; r < n; ++r) {
    for (size_t k = 0; k < count; ++k) {
      SparseGrad& g = *grads[k];
      if (!g.sparse) continue;
      const int64_t rows = counts[r * count + k];
      const auto* ids = reinterpret_cast<const int64_t*>(q);
      q += 8 * rows;
      add_rows(g, rows, ids, q);
      q += round8(rows * g.row_bytes());
    }
  }
  for (const auto& sg : grads) {
    if (sg->sparse) finish_rows(*sg, 0);
  }
}

void exchange_sparse(SparseExchange& x) {
  share_tables(x);
  if (!x.gathered.empty()) exchange_gathered(x);
  if (!x.shared.empty()) exchange_shared(x.shared);
}

}  // namespace

struct GradientExchange::State {
  bool active = false;
  int64_t bucket_bytes = 0;
  bool sparse = true;
  std::vector<bool> taken;
  Tensors outs;
  std::shared_ptr<Bucket> open[2];  // float32, float64
  std::vector<std::shared_ptr<Bucket>> started;
  std::shared_ptr<SparseExchange> rows = std::make_shared<SparseExchange>();
  std::vector<Variable> variables;
  optimizers::OptimizerPtr optimizer;

  void close(std::shared_ptr<Bucket>& b) {
    if (!b) return;
    start_bucket(b);
    started.push_back(std::move(b));
    b = nullptr;
  }
};

GradientExchange::GradientExchange(const std::vector<Variable>& variables,
                                   optimizers::OptimizerPtr optimizer)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.active = dist::data_parallel_active();
  if (!s.active) return;
  const auto dp = std::dynamic_pointer_cast<dist::DataParallel>(dist::distribution());
  s.bucket_bytes = dp->bucket_bytes();
  s.sparse = dp->sparse_gradients();
  s.rows->shared_tables = dp->shared_tables();
  s.taken.assign(variables.size(), false);
  s.outs.resize(variables.size());
  s.variables = variables;
  s.optimizer = std::move(optimizer);
}

GradientExchange::~GradientExchange() = default;

bool GradientExchange::active() const {
  return state_->active;
}

void GradientExchange::ready(size_t i, const Tensor& g) {
  State& s = *state_;
  if (!s.active || s.taken[i]) return;
  s.taken[i] = true;
  if (!g.defined()) return;
  KERAS_CHECK(g.dtype() == float32 || g.dtype() == float64, TypeError,
              "DataParallel: gradients must be float32 or float64, got ", dtype_name(g.dtype()));
  if (!s.started.empty()) autodiff::launch([] { dist::collective().progress(); });
  if (s.sparse && g.nonzero_rows().defined() && g.shape()[0] > 0) {
    auto sg = std::make_shared<SparseGrad>();
    sg->grad = g;
    sg->rows = g.nonzero_rows();
    sg->table_rows = g.shape()[0];
    sg->row_size = g.size() / sg->table_rows;
    sg->out = Tensor::empty(g.shape(), g.dtype());
    sg->out_rows = Tensor::empty({sg->table_rows}, int64);
    sg->out.set_nonzero_rows(sg->out_rows);
    sg->stamp.assign(static_cast<size_t>(sg->table_rows), 0);
    sg->variable = s.variables[i];
    sg->index = i;
    sg->optimizer = s.optimizer;
    s.outs[i] = sg->out;
    s.rows->grads.push_back(std::move(sg));
    return;
  }
  std::shared_ptr<Bucket>& b = s.open[g.dtype() == float32 ? 0 : 1];
  if (!b) {
    b = std::make_shared<Bucket>();
    b->dtype = g.dtype();
  }
  b->grads.push_back(g);
  b->outs.push_back(Tensor::empty(g.shape(), g.dtype()));
  b->elements += g.size();
  s.outs[i] = b->outs.back();
  if (s.bucket_bytes > 0 &&
      b->elements * static_cast<int64_t>(dtype_size(b->dtype)) >= s.bucket_bytes) {
    s.close(b);
  }
}

Tensors GradientExchange::finish(const Tensors& grads) {
  State& s = *state_;
  if (!s.active) return grads;
  for (size_t i = 0; i < grads.size(); ++i) ready(i, grads[i]);
  for (std::shared_ptr<Bucket>& b : s.open) s.close(b);
  if (!s.rows->grads.empty()) autodiff::launch([x = s.rows] { exchange_sparse(*x); });
  if (!s.started.empty()) {
    autodiff::launch([buckets = s.started] {
      for (const auto& b : buckets) finish_bucket(b);
    });
  }
  return s.outs;
}

void GradientExchange::after_update() {
  State& s = *state_;
  if (!s.active || s.rows->grads.empty()) return;
  // Shared tables: no process reads the rows of the next step before every owner has written.
  autodiff::launch([x = s.rows] {
    if (!x->shared.empty()) dist::collective().barrier();
  });
}

BatchRows predict_share(const BatchRows& batch) {
  const int n = dist::process_count();
  if (!dist::data_parallel_active() || batch.count < n) return batch;
  const int r = dist::process_id();
  const int64_t begin = batch.count * r / n;
  const int64_t end = batch.count * (r + 1) / n;
  return {batch.data, batch.rows + begin, end - begin};
}

Tensors gather_predictions(const Tensors& share_outputs, int64_t count) {
  const int n = dist::process_count();
  if (!dist::data_parallel_active() || count < n) return share_outputs;
  Tensors out;
  for (const Tensor& t : share_outputs) {
    KERAS_CHECK(t.rank() >= 1, ValueError,
                "predict: an output of the model is a scalar, without the batch dimension that "
                "predict concatenates its batches along");
    const int64_t row_bytes =
        t.shape()[0] > 0 ? static_cast<int64_t>(t.nbytes()) / t.shape()[0] : 0;
    std::vector<int64_t> bytes;
    for (int r = 0; r < n; ++r) bytes.push_back((count * (r + 1) / n - count * r / n) * row_bytes);
    Shape shape = t.shape();
    shape[0] = count;
    Tensor all = Tensor::empty(shape, t.dtype());
    dist::collective().all_gather(t.host_data(), all.host_data(), bytes);
    out.push_back(all);
  }
  return out;
}

GlobalMetricState::GlobalMetricState(const std::vector<metrics::MetricPtr>& metrics) {
  if (!dist::data_parallel_active()) return;
  for (const metrics::MetricPtr& m : metrics) {
    for (const Variable& v : m->variables()) variables_.push_back(v);
  }
  for (const Variable& v : variables_)
    for_each_value(v.value(), [&](auto x) { local_.push_back(static_cast<double>(x)); });
  std::vector<double> global = local_;
  dist::collective().all_reduce(global.data(), static_cast<int64_t>(global.size()), float64,
                                dist::ReduceOp::sum);
  const double* p = global.data();
  for (const Variable& v : variables_)
    for_each_value(v.value(),
                   [&](auto& x) { x = static_cast<std::remove_reference_t<decltype(x)>>(*p++); });
}

GlobalMetricState::~GlobalMetricState() {
  const double* p = local_.data();
  for (const Variable& v : variables_)
    for_each_value(v.value(),
                   [&](auto& x) { x = static_cast<std::remove_reference_t<decltype(x)>>(*p++); });
}

}  // namespace keras::trainers::internal
