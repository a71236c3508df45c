#include "keras/layers/registry.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "keras/config/json.h"
#include "keras/layers/activation.h"
#include "keras/layers/activations/elu.h"
#include "keras/layers/activations/leaky_relu.h"
#include "keras/layers/activations/prelu.h"
#include "keras/layers/activations/relu.h"
#include "keras/layers/activations/softmax.h"
#include "keras/layers/activations/thresholded_relu.h"
#include "keras/layers/adaptive_pooling.h"
#include "keras/layers/attention/additive_attention.h"
#include "keras/layers/attention/attention.h"
#include "keras/layers/attention/group_query_attention.h"
#include "keras/layers/attention/multi_head_attention.h"
#include "keras/layers/bidirectional.h"
#include "keras/layers/conv_lstm.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/custom_layers.h"
#include "keras/layers/custom_scale_layer.h"
#include "keras/layers/dense.h"
#include "keras/layers/einsum_dense.h"
#include "keras/layers/embedding.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/locally_connected.h"
#include "keras/layers/merging.h"
#include "keras/layers/normalization.h"
#include "keras/layers/normalization/group_normalization.h"
#include "keras/layers/normalization/layer_scale.h"
#include "keras/layers/normalization/rms_normalization.h"
#include "keras/layers/normalization/spectral_normalization.h"
#include "keras/layers/normalization/unit_normalization.h"
#include "keras/layers/op_layer.h"
#include "keras/layers/pooling.h"
#include "keras/layers/preprocessing/auto_contrast.h"
#include "keras/layers/preprocessing/category_encoding.h"
#include "keras/layers/preprocessing/center_crop.h"
#include "keras/layers/preprocessing/clahe.h"
#include "keras/layers/preprocessing/color_augmentation.h"
#include "keras/layers/preprocessing/discretization.h"
#include "keras/layers/preprocessing/hashed_crossing.h"
#include "keras/layers/preprocessing/hashing.h"
#include "keras/layers/preprocessing/integer_lookup.h"
#include "keras/layers/preprocessing/mel_spectrogram.h"
#include "keras/layers/preprocessing/mix_up.h"
#include "keras/layers/preprocessing/normalization.h"
#include "keras/layers/preprocessing/pipeline.h"
#include "keras/layers/preprocessing/rand_augment.h"
#include "keras/layers/preprocessing/random_brightness.h"
#include "keras/layers/preprocessing/random_color_jitter.h"
#include "keras/layers/preprocessing/random_contrast.h"
#include "keras/layers/preprocessing/random_crop.h"
#include "keras/layers/preprocessing/random_elastic_transform.h"
#include "keras/layers/preprocessing/random_erasing.h"
#include "keras/layers/preprocessing/random_flip.h"
#include "keras/layers/preprocessing/random_height_width.h"
#include "keras/layers/preprocessing/random_rotation.h"
#include "keras/layers/preprocessing/random_shear.h"
#include "keras/layers/preprocessing/random_translation.h"
#include "keras/layers/preprocessing/random_zoom.h"
#include "keras/layers/preprocessing/rescaling.h"
#include "keras/layers/preprocessing/resizing.h"
#include "keras/layers/preprocessing/stft_spectrogram.h"
#include "keras/layers/preprocessing/string_lookup.h"
#include "keras/layers/preprocessing/text_vectorization.h"
#include "keras/layers/recurrent.h"
#include "keras/layers/regularization/activity_regularization.h"
#include "keras/layers/regularization/alpha_dropout.h"
#include "keras/layers/regularization/gaussian_dropout.h"
#include "keras/layers/regularization/gaussian_noise.h"
#include "keras/layers/reshaping.h"
#include "keras/layers/reversible_embedding.h"
#include "keras/layers/spatial_dropout.h"
#include "keras/layers/spatial_reshaping.h"
#include "keras/layers/time_distributed.h"
#include "op_table.h"

namespace keras::layers {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, LayerFactory> factories;
  std::map<std::string, bool> builtin;
  std::map<std::string, LayerFactory> ops;  // Keras 3 operations (module keras.src.ops.*)
  Registry() {
    using namespace layers;  // NOLINT
    // Built-in layers: one line per layer class (see layer.h, "How to make a layer saveable").
    const std::pair<const char*, LayerFactory> table[] = {
        {"InputLayer", &InputLayerImpl::from_config},
        {"Dense", &DenseImpl::from_config},
        {"EinsumDense", &EinsumDenseImpl::from_config},
        {"Activation", &ActivationImpl::from_config},
        {"Dropout", &DropoutImpl::from_config},
        {"Flatten", &FlattenImpl::from_config},
        {"Reshape", &ReshapeImpl::from_config},
        {"Masking", &MaskingImpl::from_config},
        {"Identity", &IdentityImpl::from_config},
        {"Embedding", &EmbeddingImpl::from_config},
        {"ReversibleEmbedding", &ReversibleEmbeddingImpl::from_config},
        {"SimpleRNN", &SimpleRNNImpl::from_config},
        {"LSTM", &LSTMImpl::from_config},
        {"GRU", &GRUImpl::from_config},
        {"RNN", &RecurrentImpl::from_rnn_config},
        {"Bidirectional", &BidirectionalImpl::from_config},
        {"TimeDistributed", &TimeDistributedImpl::from_config},
        {"SpectralNormalization", &SpectralNormalizationImpl::from_config},
        {"Pipeline", &PipelineImpl::from_config},
        {"STFTSpectrogram", &STFTSpectrogramImpl::from_config},
        {"MelSpectrogram", &MelSpectrogramImpl::from_config},
        {"RandomElasticTransform", &RandomElasticTransformImpl::from_config},
        {"Add", &AddImpl::from_config},
        {"Subtract", &SubtractImpl::from_config},
        {"Multiply", &MultiplyImpl::from_config},
        {"Average", &AverageImpl::from_config},
        {"Maximum", &MaximumImpl::from_config},
        {"Minimum", &MinimumImpl::from_config},
        {"Concatenate", &ConcatenateImpl::from_config},
        {"Dot", &DotImpl::from_config},
        {"RepeatVector", &RepeatVectorImpl::from_config},
        {"Permute", &PermuteImpl::from_config},
        {"AdaptiveAveragePooling1D", &AdaptivePoolingImpl::from_config<PoolingKind::average, 1>},
        {"AdaptiveAveragePooling2D", &AdaptivePoolingImpl::from_config<PoolingKind::average, 2>},
        {"AdaptiveAveragePooling3D", &AdaptivePoolingImpl::from_config<PoolingKind::average, 3>},
        {"AdaptiveMaxPooling1D", &AdaptivePoolingImpl::from_config<PoolingKind::max, 1>},
        {"AdaptiveMaxPooling2D", &AdaptivePoolingImpl::from_config<PoolingKind::max, 2>},
        {"AdaptiveMaxPooling3D", &AdaptivePoolingImpl::from_config<PoolingKind::max, 3>},
        {"Conv1D", &ConvImpl::from_config<ConvKind::conv, 1>},
        {"ConvLSTM1D", &ConvLSTMImpl::from_config<1>},
        {"ConvLSTM2D", &ConvLSTMImpl::from_config<2>},
        {"ConvLSTM3D", &ConvLSTMImpl::from_config<3>},
        {"Conv2D", &ConvImpl::from_config<ConvKind::conv, 2>},
        {"Conv3D", &ConvImpl::from_config<ConvKind::conv, 3>},
        {"SeparableConv1D", &ConvImpl::from_config<ConvKind::separable, 1>},
        {"SeparableConv2D", &ConvImpl::from_config<ConvKind::separable, 2>},
        {"DepthwiseConv1D", &ConvImpl::from_config<ConvKind::depthwise, 1>},
        {"DepthwiseConv2D", &ConvImpl::from_config<ConvKind::depthwise, 2>},
        {"Conv1DTranspose", &ConvImpl::from_config<ConvKind::transpose, 1>},
        {"Conv2DTranspose", &ConvImpl::from_config<ConvKind::transpose, 2>},
        {"Conv3DTranspose", &ConvImpl::from_config<ConvKind::transpose, 3>},
        {"MaxPooling1D", &PoolingImpl::from_config<PoolingKind::max, 1>},
        {"MaxPooling2D", &PoolingImpl::from_config<PoolingKind::max, 2>},
        {"MaxPooling3D", &PoolingImpl::from_config<PoolingKind::max, 3>},
        {"AveragePooling1D", &PoolingImpl::from_config<PoolingKind::average, 1>},
        {"AveragePooling2D", &PoolingImpl::from_config<PoolingKind::average, 2>},
        {"AveragePooling3D", &PoolingImpl::from_config<PoolingKind::average, 3>},
        {"GlobalMaxPooling1D", &GlobalPoolingImpl::from_config<PoolingKind::max, 1>},
        {"GlobalMaxPooling2D", &GlobalPoolingImpl::from_config<PoolingKind::max, 2>},
        {"GlobalMaxPooling3D", &GlobalPoolingImpl::from_config<PoolingKind::max, 3>},
        {"GlobalAveragePooling1D", &GlobalPoolingImpl::from_config<PoolingKind::average, 1>},
        {"GlobalAveragePooling2D", &GlobalPoolingImpl::from_config<PoolingKind::average, 2>},
        {"GlobalAveragePooling3D", &GlobalPoolingImpl::from_config<PoolingKind::average, 3>},
        {"BatchNormalization", &BatchNormalizationImpl::from_config},
        {"LayerNormalization", &LayerNormalizationImpl::from_config},
        {"SpatialDropout1D", &SpatialDropout1DImpl::from_config},
        {"SpatialDropout2D", &SpatialDropout2DImpl::from_config},
        {"SpatialDropout3D", &SpatialDropout3DImpl::from_config},
        {"ZeroPadding1D", &ZeroPaddingImpl<1>::from_config},
        {"ZeroPadding2D", &ZeroPaddingImpl<2>::from_config},
        {"ZeroPadding3D", &ZeroPaddingImpl<3>::from_config},
        {"Cropping1D", &CroppingImpl<1>::from_config},
        {"Cropping2D", &CroppingImpl<2>::from_config},
        {"Cropping3D", &CroppingImpl<3>::from_config},
        {"UpSampling1D", &UpSamplingImpl<1>::from_config},
        {"UpSampling2D", &UpSamplingImpl<2>::from_config},
        {"UpSampling3D", &UpSamplingImpl<3>::from_config},
        {"ReLU", &ReLUImpl::from_config},
        {"LeakyReLU", &LeakyReLUImpl::from_config},
        {"PReLU", &PReLUImpl::from_config},
        {"ELU", &ELUImpl::from_config},
        {"ThresholdedReLU", &ThresholdedReLUImpl::from_config},
        {"LocallyConnected1D", &LocallyConnectedImpl::from_config<1>},
        {"LocallyConnected2D", &LocallyConnectedImpl::from_config<2>},
        {"Softmax", &SoftmaxImpl::from_config},
        {"GaussianNoise", &GaussianNoiseImpl::from_config},
        {"GaussianDropout", &GaussianDropoutImpl::from_config},
        {"AlphaDropout", &AlphaDropoutImpl::from_config},
        {"ActivityRegularization", &ActivityRegularizationImpl::from_config},
        {"GroupNormalization", &GroupNormalizationImpl::from_config},
        {"UnitNormalization", &UnitNormalizationImpl::from_config},
        {"RMSNormalization", &RMSNormalizationImpl::from_config},
        {"MultiHeadAttention", &MultiHeadAttentionImpl::from_config},
        {"GroupQueryAttention", &GroupQueryAttentionImpl::from_config},
        {"GroupedQueryAttention", &GroupQueryAttentionImpl::from_config},
        {"Attention", &AttentionImpl::from_config},
        {"AdditiveAttention", &AttentionImpl::additive_from_config},
        {"LayerScale", &LayerScaleImpl::from_config},
        {"CustomScaleLayer", &CustomScaleLayerImpl::from_config},
        {"Rescaling", &RescalingImpl::from_config},
        {"CategoryEncoding", &CategoryEncodingImpl::from_config},
        {"Discretization", &DiscretizationImpl::from_config},
        {"IntegerLookup", &IntegerLookupImpl::from_config},
        {"StringLookup", &StringLookupImpl::from_config},
        {"TextVectorization", &TextVectorizationImpl::from_config},
        {"Hashing", &HashingImpl::from_config},
        {"HashedCrossing", &HashedCrossingImpl::from_config},
        {"CenterCrop", &CenterCropImpl::from_config},
        {"Normalization", &NormalizationImpl::from_config},
        {"Resizing", &ResizingImpl::from_config},
        {"RandomFlip", &RandomFlipImpl::from_config},
        {"RandomContrast", &RandomContrastImpl::from_config},
        {"RandomBrightness", &RandomBrightnessImpl::from_config},
        {"RandomGrayscale", &RandomGrayscaleImpl::from_config},
        {"RandomInvert", &RandomInvertImpl::from_config},
        {"RandomPosterization", &RandomPosterizationImpl::from_config},
        {"RandomColorDegeneration", &RandomColorDegenerationImpl::from_config},
        {"RandomSaturation", &RandomSaturationImpl::from_config},
        {"RandomHue", &RandomHueImpl::from_config},
        {"RandomSharpness", &RandomSharpnessImpl::from_config},
        {"Solarization", &SolarizationImpl::from_config},
        {"RandomColorJitter", &RandomColorJitterImpl::from_config},
        {"AutoContrast", &AutoContrastImpl::from_config},
        {"ContrastLimitedAdaptiveHistogramEqualization", &ClaheImpl::from_config},
        {"Equalization", &EqualizationImpl::from_config},
        {"RandomErasing", &RandomErasingImpl::from_config},
        {"RandomGaussianBlur", &RandomGaussianBlurImpl::from_config},
        {"RandomShear", &RandomShearImpl::from_config},
        {"RandomPerspective", &RandomPerspectiveImpl::from_config},
        {"MixUp", &MixUpImpl::from_config},
        {"CutMix", &CutMixImpl::from_config},
        {"RandAugment", &RandAugmentImpl::from_config},
        {"AugMix", &AugMixImpl::from_config},
        {"RandomRotation", &RandomRotationImpl::from_config},
        {"RandomZoom", &RandomZoomImpl::from_config},
        {"RandomTranslation", &RandomTranslationImpl::from_config},
        {"RandomCrop", &RandomCropImpl::from_config},
        {"RandomHeight", &RandomResizeAxisImpl::from_config<RandomResizeAxisImpl::Axis::height>},
        {"RandomWidth", &RandomResizeAxisImpl::from_config<RandomResizeAxisImpl::Axis::width>},
    };
    for (const auto& [name, factory] : table) {
      factories.emplace(name, factory);
      builtin.emplace(name, true);
    }
    // Ops in functional graphs (keras.ops classes, as Keras 3 writes them): OpLayerImpl's table.
    for (const std::string& name : OpLayerImpl::saved_classes()) {
      ops.emplace(name, [name](const Json& c) { return OpLayerImpl::from_config(name, c); });
    }
  }
};

// Without a module, ops and layers can share a class name (Reshape, Concatenate, Add): it is the
// op when its config has only the op's keys; a layer's has "trainable" or its own keys
// ("target_shape").
bool is_legacy_op(const std::string& cls, const Json* config) {
  const op_table::Spec* spec = op_table::find(cls);
  if (spec == nullptr || config == nullptr || !config->is_object() ||
      config->contains("trainable")) {
    return false;
  }
  for (const auto& [key, value] : config->items()) {
    if (key != "name" && std::find(spec->keys.begin(), spec->keys.end(), key) == spec->keys.end())
      return false;
  }
  return true;
}

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_layer(const std::string& class_name, LayerFactory factory) {
  KERAS_CHECK(!class_name.empty() && factory, ValueError,
              "register_layer: needs a class name and a factory");
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.factories[class_name] = std::move(factory);
  r.builtin[class_name] = false;
}

void internal::register_builtin_layer(const std::string& class_name, LayerFactory factory) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.factories[class_name] = std::move(factory);
  r.builtin[class_name] = true;
}

bool is_registered(const std::string& class_name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return r.factories.contains(class_name);
}

std::vector<std::string> registered_layers() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> out;
  for (const auto& [name, f] : r.factories) out.push_back(name);
  return out;
}

std::map<std::string, LayerFactory> custom_layers() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::map<std::string, LayerFactory> out;
  for (const auto& [name, f] : r.factories)
    if (auto it = r.builtin.find(name); it != r.builtin.end() && !it->second) out.emplace(name, f);
  return out;
}

Json serialize_layer(const layers::Layer& layer) {
  const std::string cls = layer.saved_class_name();
  if (dynamic_cast<const layers::OpLayerImpl*>(&layer) != nullptr) {  // as Keras writes ops
    return Json{{"module", layer.module()},
                {"class_name", cls},
                {"config", layer.get_config()},
                {"registered_name", cls}};
  }
  Json registered = nullptr;
  if (cls == "Functional") {
    registered = "Functional";
  } else {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    auto it = r.builtin.find(cls);
    if (it != r.builtin.end() && !it->second) registered = cls;
  }
  Json out{{"module", layer.module()},
           {"class_name", cls},
           {"config", layer.get_config()},
           {"registered_name", registered}};
  if (cls != "InputLayer") out["build_config"] = layer.get_build_config();
  return out;
}

std::shared_ptr<layers::Layer> deserialize_layer(const Json& serialized) {
  // Wrappers and nested models recurse; a hostile config must not overflow the stack.
  thread_local int depth = 0;
  KERAS_CHECK(depth < 32, ValueError, "Layer configs are nested too deeply");
  struct Depth {
    Depth() { ++depth; }
    ~Depth() { --depth; }
  } guard;
  KERAS_CHECK(serialized.is_object(), ValueError, "Invalid layer config: expected an object, got ",
              config::json_excerpt(serialized));
  std::string cls = config::require<std::string>(serialized, "class_name", "layer");
  const Json* config = config::find(serialized, "config");
  LayerFactory factory;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    // An op: its module says so (Keras 3's .keras); legacy .h5 files have no module.
    const std::string module = config::get<std::string>(serialized, "module", "", "layer");
    const bool op_module = module.starts_with("keras.src.ops.");
    const bool legacy_op = module.empty() && is_legacy_op(cls, config);
    if (op_module || legacy_op) {
      auto it = r.ops.find(cls);
      if (it == r.ops.end()) {
        std::string known;
        for (const auto& [name, f] : r.ops) known += (known.empty() ? "" : ", ") + name;
        throw ValueError(str("Unknown op: '", cls.substr(0, 100), "' (module ",
                             module.substr(0, 100),
                             "). keras.cpp loads these ops of functional "
                             "graphs: ",
                             known));
      }
      factory = it->second;
    }
    // A user layer saved as "package>Name" is found by its full registered name or by "Name".
    std::string reg = config::get<std::string>(serialized, "registered_name", "", "layer");
    for (const std::string& key : {reg, reg.substr(reg.find('>') + 1), cls}) {
      if (factory) break;
      auto it = r.factories.find(key);
      if (!key.empty() && it != r.factories.end()) {
        factory = it->second;
        break;
      }
    }
  }
  KERAS_CHECK(static_cast<bool>(factory), ValueError, "Unknown layer: '", excerpt(cls),
              "'. Please ensure you are using a `keras.utils.custom_object_scope` and that this "
              "object is included in the scope (in keras.cpp: register it with "
              "keras::layers::register_layer).");
  KERAS_CHECK(config != nullptr && (config->is_object() || config->is_array()), ValueError,
              "Layer '", excerpt(cls), "': config must be an object");
  return factory(*config);
}

}  // namespace keras::layers
