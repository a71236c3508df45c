#include "keras/layers/own_state.h"

namespace keras::layers {
namespace {
thread_local int assets_in_config = 0;
}  // namespace

AssetsInConfig::AssetsInConfig() {
  ++assets_in_config;
}

AssetsInConfig::~AssetsInConfig() {
  --assets_in_config;
}

bool AssetsInConfig::active() {
  return assets_in_config > 0;
}

}  // namespace keras::layers
