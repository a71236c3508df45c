// The string hashes behind TensorFlow's tf.strings.to_hash_bucket_fast / _strong, which Keras's
// Hashing and IntegerLookup (oov_method="farmhash") apply to the decimal text of integers.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace keras::layers::string_hash {

// FarmHash's Fingerprint64 (farmhashna::Hash64), which TensorFlow's Fingerprint64 is: stable
// across platforms. Defined for every length.
uint64_t fingerprint64(std::string_view s);
// SipHash-2-4 with the 128-bit key (key0, key1): TensorFlow's StrongKeyedHash.
uint64_t siphash(uint64_t key0, uint64_t key1, std::string_view s);
// The hash behind to_hash_bucket_fast (no salt: fingerprint64) or to_hash_bucket_strong (a salt
// of two values: siphash keyed by them).
uint64_t salted_hash(std::string_view s, const std::vector<int64_t>& salt);
// TensorFlow's FingerprintCat64: combines two fingerprints (tf.sparse.cross_hashed folds each
// feature into the key 0xDECAFCAFFE with it; an integer feature is its own fingerprint).
uint64_t fingerprint_cat64(uint64_t fp1, uint64_t fp2);
inline constexpr uint64_t kCrossHashKey = 0xDECAFCAFFEULL;
// tf.as_string of an integer: its decimal text.
std::string_view decimal(int64_t v, char (&buffer)[24]);

}  // namespace keras::layers::string_hash
