#include "trainers/data_parallel.h"

#include "distribution/ops.h"
#include "keras/autodiff/trace.h"
#include "keras/core/random.h"
#include "keras/distribution/distribution.h"
#include "keras/layers/layer.h"

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
  }
}

}  // namespace

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

BatchRows shard_batch(const BatchRows& batch) {
  double& gradient_weight = dist::internal::batch_share();
  gradient_weight = 1.0;
  if (!dist::data_parallel_active()) return batch;
  const int n = dist::process_count();
  const int r = dist::process_id();
  KERAS_CHECK(batch.count >= n, ValueError, "DataParallel: a batch of ", batch.count,
              " samples cannot be split across ", n,
              " processes; use a batch_size (and a number of samples, for the last batch) of at "
              "least the number of processes");
  const int64_t begin = batch.count * r / n;
  const int64_t end = batch.count * (r + 1) / n;
  gradient_weight = static_cast<double>(end - begin) / static_cast<double>(batch.count);
  return {batch.data, batch.rows + begin, end - begin};
}

Tensors all_reduce_gradients(const Tensors& grads) {
  if (!dist::data_parallel_active()) return grads;
  Tensors out;
  int64_t n32 = 0, n64 = 0;
  for (const Tensor& g : grads) {
    if (!g.defined()) {
      out.emplace_back();
      continue;
    }
    KERAS_CHECK(g.dtype() == float32 || g.dtype() == float64, TypeError,
                "DataParallel: gradients must be float32 or float64, got ", dtype_name(g.dtype()));
    (g.dtype() == float32 ? n32 : n64) += g.size();
    out.push_back(Tensor::empty(g.shape(), g.dtype()));
  }
  auto f32 = std::make_shared<std::vector<float>>(static_cast<size_t>(n32));
  auto f64 = std::make_shared<std::vector<double>>(static_cast<size_t>(n64));
  autodiff::launch([grads, out, f32, f64] {
    const double w = dist::internal::batch_share();
    float* p32 = f32->data();
    double* p64 = f64->data();
    for (const Tensor& g : grads) {
      if (!g.defined()) continue;
      if (g.dtype() == float32) {
        const float* s = g.data<float>();
        for (int64_t i = 0; i < g.size(); ++i) *p32++ = static_cast<float>(s[i] * w);
      } else {
        const double* s = g.data<double>();
        for (int64_t i = 0; i < g.size(); ++i) *p64++ = s[i] * w;
      }
    }
    dist::Collective& c = dist::collective();
    if (!f32->empty())
      c.all_reduce(f32->data(), static_cast<int64_t>(f32->size()), float32, dist::ReduceOp::sum);
    if (!f64->empty())
      c.all_reduce(f64->data(), static_cast<int64_t>(f64->size()), float64, dist::ReduceOp::sum);
    p32 = f32->data();
    p64 = f64->data();
    for (const Tensor& o : out) {
      if (!o.defined()) continue;
      if (o.dtype() == float32) {
        float* d = o.data<float>();
        for (int64_t i = 0; i < o.size(); ++i) d[i] = *p32++;
      } else {
        double* d = o.data<double>();
        for (int64_t i = 0; i < o.size(); ++i) d[i] = *p64++;
      }
    }
  });
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
