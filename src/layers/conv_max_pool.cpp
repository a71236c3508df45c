#include "layers/conv_max_pool.h"

#include "keras/layers/convolutional.h"
#include "keras/layers/pooling.h"
#include "keras/ops/elementwise.h"
#include "ops/conv_bias.h"

namespace keras::layers::internal {

bool fuses_with_max_pool(const Layer& conv, const Layer& pool) {
  const auto* c = dynamic_cast<const ConvImpl*>(&conv);
  const auto* p = dynamic_cast<const PoolingImpl*>(&pool);
  if (c == nullptr || p == nullptr) return false;
  const ConvSpec& s = c->spec();
  const std::vector<int64_t> two{2, 2};
  return s.kind == ConvKind::conv && s.rank == 2 && c->bias().defined() &&
         s.activation.name() == "linear" && s.data_format == "channels_last" &&
         p->kind() == PoolingKind::max && p->rank() == 2 && p->pool_size() == two &&
         p->strides() == two && p->padding() == "valid" && p->data_format() == "channels_last" &&
         !conv.activity_regularizer() && !pool.activity_regularizer() &&
         conv.dtype() == pool.dtype();
}

Tensor conv_max_pool(Layer& conv, Layer& pool, const Tensor& x) {
  auto& c = dynamic_cast<ConvImpl&>(conv);
  const auto& p = dynamic_cast<const PoolingImpl&>(pool);
  const CallScope scope(conv);
  const ConvSpec& s = c.spec();
  const Tensor in = x.dtype() != conv.dtype() ? ops::cast(x, conv.dtype()) : x;
  return ops::internal::conv_bias_max_pool(
      in, c.kernel().value(), c.bias().value(),
      {.strides = s.strides,
       .padding = s.padding,
       .data_format = s.data_format,
       .dilation_rate = s.dilation_rate},
      p.pool_size(),
      {.strides = p.strides(), .padding = p.padding(), .data_format = p.data_format()});
}

}  // namespace keras::layers::internal
