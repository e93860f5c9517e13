// The digests an update server announces for an artifact file (hawkBit DDI: sha1, md5, sha256),
// computed in one pass with OpenSSL EVP.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace fleetsim::hil {

struct ArtifactDigests {
  std::uint64_t size = 0;  // bytes
  std::string sha1, md5, sha256;  // lowercase hex
};

// Throws std::runtime_error naming the file when it cannot be read.
ArtifactDigests digest_artifact(const std::filesystem::path& file);

}  // namespace fleetsim::hil
