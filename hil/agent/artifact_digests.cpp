#include "hil/agent/artifact_digests.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace fleetsim::hil {

namespace {

using Context = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string hex(const unsigned char* bytes, unsigned length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

}  // namespace

ArtifactDigests digest_artifact(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot read the artifact: " + std::strerror(errno));
  const std::array<const EVP_MD*, 3> kinds{EVP_sha1(), EVP_md5(), EVP_sha256()};
  std::array<Context, 3> contexts{Context(EVP_MD_CTX_new(), EVP_MD_CTX_free), Context(EVP_MD_CTX_new(), EVP_MD_CTX_free),
                                  Context(EVP_MD_CTX_new(), EVP_MD_CTX_free)};
  for (std::size_t i = 0; i < kinds.size(); ++i)
    if (!contexts[i] || EVP_DigestInit_ex(contexts[i].get(), kinds[i], nullptr) != 1)
      throw std::runtime_error("OpenSSL cannot start a digest");
  ArtifactDigests digests;
  std::array<char, 65536> buf;
  while (in) {
    in.read(buf.data(), buf.size());
    const auto n = static_cast<std::size_t>(in.gcount());
    digests.size += n;
    for (auto& c : contexts) EVP_DigestUpdate(c.get(), buf.data(), n);
  }
  if (in.bad()) throw std::runtime_error(file.string() + ": read error");
  std::array<std::string*, 3> outs{&digests.sha1, &digests.md5, &digests.sha256};
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    EVP_DigestFinal_ex(contexts[i].get(), md, &length);
    *outs[i] = hex(md, length);
  }
  return digests;
}

}  // namespace fleetsim::hil
