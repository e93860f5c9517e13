// `fleetsim hil image create`: an MCUboot image of a raw binary, checked against the parser the
// bridge uses, against sha256sum and, for signed images, against `openssl` verifying the
// signature TLV with the key's public half.
#include <catch2/catch.hpp>
#include <fstream>

#include "sim/core/sha256.hpp"
#include "hil/protocol/mcuboot_image.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes read_bytes(const std::string& path) {
  const std::string s = slurp(path);
  return Bytes(s.begin(), s.end());
}

void write_bytes(const std::string& path, const Bytes& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// A 1000-byte "application": text, so nothing about it is special to MCUboot.
Bytes raw_application() {
  Bytes raw;
  for (int i = 0; raw.size() < 1000; ++i)
    for (char c : "app line " + std::to_string(i) + "\n") raw.push_back(std::uint8_t(c));
  raw.resize(1000);
  return raw;
}

// The TLVs of the unprotected area after hashed_end: (type, value) in order.
std::vector<std::pair<int, Bytes>> tlvs_of(const Bytes& image, std::size_t hashed_end) {
  std::vector<std::pair<int, Bytes>> out;
  const std::size_t total = image[hashed_end + 2] | (image[hashed_end + 3] << 8);
  for (std::size_t at = hashed_end + 4; at < hashed_end + total;) {
    const std::size_t len = image[at + 2] | (image[at + 3] << 8);
    out.push_back({image[at], Bytes(image.begin() + std::ptrdiff_t(at + 4), image.begin() + std::ptrdiff_t(at + 4 + len))});
    at += 4 + len;
  }
  return out;
}

std::string sha256sum_of(const std::string& path) {
  Cli r = run_program("sha256sum", shell_quote(path));
  REQUIRE(r.exit_code == 0);
  return r.output.substr(0, 64);
}

std::string hex(const Bytes& b) {
  std::string out;
  char buf[3];
  for (auto x : b) {
    std::snprintf(buf, sizeof buf, "%02x", x);
    out += buf;
  }
  return out;
}

}  // namespace

TEST_CASE("hil image create wraps a binary into an MCUboot image the parser reads back", "[hil][cli][image]") {
  TempDir dir;
  const Bytes raw = raw_application();
  write_bytes(dir / "app.bin", raw);
  Cli r = run_fleetsim("hil image create " + shell_quote(dir / "app.bin") + " --version 1.2.3+4 --out " +
                       shell_quote(dir / "app.signed.bin"));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const Bytes image = read_bytes(dir / "app.signed.bin");
  // 0x200 header area + 1000 body + TLV info (4) + SHA-256 TLV (4 + 32).
  REQUIRE(image.size() == 0x200 + 1000 + 40);
  CHECK(Bytes(image.begin(), image.begin() + 32) == Bytes{0x3d, 0xb8, 0xf3, 0x96,  // magic
                                                          0, 0, 0, 0,              // load_addr
                                                          0x00, 0x02, 0, 0,        // hdr_size 0x200, no protected TLVs
                                                          0xe8, 0x03, 0, 0,        // img_size 1000
                                                          0, 0, 0, 0,              // flags
                                                          1, 2, 3, 0,              // 1.2, revision 3
                                                          4, 0, 0, 0,              // build 4
                                                          0, 0, 0, 0});
  CHECK(std::all_of(image.begin() + 32, image.begin() + 0x200, [](std::uint8_t b) { return b == 0xff; }));
  CHECK(Bytes(image.begin() + 0x200, image.begin() + 0x200 + 1000) == raw);
  const auto info = parse_mcuboot_image(image);
  REQUIRE(info);
  CHECK(info.value().version.text() == "1.2.3.4");
  // The SHA-256 TLV is sha256sum of the first 0x200 + 1000 bytes.
  write_bytes(dir / "hashed.bin", Bytes(image.begin(), image.begin() + 0x200 + 1000));
  const std::string expected = sha256sum_of(dir / "hashed.bin");
  CHECK(fleetsim::digest_hex(info.value().hash) == expected);
  CHECK(r.output.find("MCUboot image 1.2.3.4, 1552 bytes (header 512 + body 1000 + TLVs 40), unsigned, SHA-256 " +
                      expected) != std::string::npos);
}

TEST_CASE("hil image create signs with an ECDSA P-256 key as imgtool does, and openssl verifies the signature",
          "[hil][cli][image]") {
  TempDir dir;
  write_bytes(dir / "app.bin", raw_application());
  REQUIRE(run_program("openssl", "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                                     shell_quote(dir / "key.pem")).exit_code == 0);
  Cli r = run_fleetsim("hil image create " + shell_quote(dir / "app.bin") + " --version 2.0.0 --header-size 0x100 --key " +
                       shell_quote(dir / "key.pem") + " --out " + shell_quote(dir / "img.bin"));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("signed ecdsa-p256") != std::string::npos);
  const Bytes image = read_bytes(dir / "img.bin");
  const auto info = parse_mcuboot_image(image);
  REQUIRE(info);
  CHECK(info.value().version.text() == "2.0.0");
  CHECK(info.value().hdr_size == 0x100);
  const std::size_t hashed_end = 0x100 + 1000;
  const auto tlvs = tlvs_of(image, hashed_end);
  REQUIRE(tlvs.size() == 3);
  CHECK(tlvs[0].first == 0x10);  // SHA256
  CHECK(tlvs[1].first == 0x01);  // KEYHASH
  CHECK(tlvs[2].first == 0x22);  // ECDSA_SIG
  // KEYHASH: SHA-256 of the public key as DER SubjectPublicKeyInfo (openssl pkey -pubout -outform DER).
  REQUIRE(run_program("openssl", "pkey -in " + shell_quote(dir / "key.pem") + " -pubout -outform DER -out " +
                                     shell_quote(dir / "pub.der")).exit_code == 0);
  CHECK(hex(tlvs[1].second) == sha256sum_of(dir / "pub.der"));
  // The signature: ECDSA with SHA-256 over header + body, DER — what `openssl dgst -verify` checks.
  write_bytes(dir / "payload.bin", Bytes(image.begin(), image.begin() + std::ptrdiff_t(hashed_end)));
  write_bytes(dir / "sig.der", tlvs[2].second);
  REQUIRE(run_program("openssl", "pkey -in " + shell_quote(dir / "key.pem") + " -pubout -out " +
                                     shell_quote(dir / "pub.pem")).exit_code == 0);
  Cli verify = run_program("openssl", "dgst -sha256 -verify " + shell_quote(dir / "pub.pem") + " -signature " +
                                          shell_quote(dir / "sig.der") + " " + shell_quote(dir / "payload.bin"));
  CHECK(verify.output == "Verified OK\n");
  // A changed body no longer verifies: the check can fail.
  Bytes tampered(image.begin(), image.begin() + std::ptrdiff_t(hashed_end));
  tampered[0x100 + 10] ^= 1;
  write_bytes(dir / "payload.bin", tampered);
  CHECK(run_program("openssl", "dgst -sha256 -verify " + shell_quote(dir / "pub.pem") + " -signature " +
                                   shell_quote(dir / "sig.der") + " " + shell_quote(dir / "payload.bin"))
            .output.find("Verification failure") != std::string::npos);
}

TEST_CASE("hil image create signs with an Ed25519 key over the image digest, and openssl verifies it",
          "[hil][cli][image]") {
  TempDir dir;
  write_bytes(dir / "app.bin", raw_application());
  REQUIRE(run_program("openssl", "genpkey -algorithm ED25519 -out " + shell_quote(dir / "key.pem")).exit_code == 0);
  Cli r = run_fleetsim("hil image create " + shell_quote(dir / "app.bin") + " --version 2.1.0 --key " +
                       shell_quote(dir / "key.pem") + " --out " + shell_quote(dir / "img.bin"));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const Bytes image = read_bytes(dir / "img.bin");
  const auto tlvs = tlvs_of(image, 0x200 + 1000);
  REQUIRE(tlvs.size() == 3);
  CHECK(tlvs[2].first == 0x24);  // ED25519
  CHECK(tlvs[2].second.size() == 64);
  // imgtool's Ed25519 key signs the 32-byte SHA-256 digest (the SHA-256 TLV's value).
  write_bytes(dir / "digest.bin", tlvs[0].second);
  write_bytes(dir / "sig.bin", tlvs[2].second);
  REQUIRE(run_program("openssl", "pkey -in " + shell_quote(dir / "key.pem") + " -pubout -out " +
                                     shell_quote(dir / "pub.pem")).exit_code == 0);
  Cli verify = run_program("openssl", "pkeyutl -verify -pubin -inkey " + shell_quote(dir / "pub.pem") +
                                          " -rawin -in " + shell_quote(dir / "digest.bin") + " -sigfile " +
                                          shell_quote(dir / "sig.bin"));
  CHECK(verify.output.find("Signature Verified Successfully") != std::string::npos);
}

TEST_CASE("hil image create refuses bad input with exit 2 and says what is expected", "[hil][cli][image]") {
  TempDir dir;
  write_bytes(dir / "app.bin", raw_application());
  REQUIRE(run_program("openssl", "genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " +
                                     shell_quote(dir / "rsa.pem")).exit_code == 0);
  const std::string app = shell_quote(dir / "app.bin"), out = " --out " + shell_quote(dir / "x.bin");
  for (const auto& [args, says] : std::vector<std::pair<std::string, std::string>>{
           {app + " --version 1.2" + out, "--version \"1.2\" is not X.Y.Z[+BUILD]"},
           {app + " --version 256.0.0" + out, "--version \"256.0.0\" is not X.Y.Z[+BUILD]"},
           {app + out, "--version X.Y.Z[+BUILD] is required"},
           {app + " --version 1.0.0", "--out IMG.signed.bin is required"},
           {app + " --version 1.0.0 --header-size 16" + out, "--header-size: expected 32 to 65535"},
           {shell_quote(dir / "missing.bin") + " --version 1.0.0" + out, "cannot read RAW.bin"},
           {app + " --version 1.0.0 --key " + shell_quote(dir / "app.bin") + out, "is not an unencrypted PEM private key"},
           {app + " --version 1.0.0 --key " + shell_quote(dir / "rsa.pem") + out, "a key of type RSA (expected ecdsa-p256 or ed25519"}}) {
    Cli r = run_fleetsim("hil image create " + args);
    INFO(args << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(says) != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir / "x.bin"));
}

TEST_CASE("an image made by hil image create flashes an emulated board", "[hil][cli][image]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2"});
  TempDir dir;
  write_bytes(dir / "app.bin", raw_application());
  REQUIRE(run_program("openssl", "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                                     shell_quote(dir / "key.pem")).exit_code == 0);
  REQUIRE(run_fleetsim("hil image create " + shell_quote(dir / "app.bin") + " --version 1.4.0 --key " +
                       shell_quote(dir / "key.pem") + " --out " + shell_quote(dir / "img.bin")).exit_code == 0);
  Cli r = run_fleetsim("hil flash " + shell_quote(board.uri) + " " + shell_quote(dir / "img.bin") +
                       " --reboot-timeout 10 --board-lock-dir " + shell_quote(dir / "locks"));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(run_fleetsim("hil probe " + shell_quote(board.uri) + " --board-lock-dir " + shell_quote(dir / "locks"))
            .output.find("running 1.4.0") != std::string::npos);
}

TEST_CASE("hil image usage errors point to 'fleetsim hil image --help', which shows the command's usage",
          "[hil][cli][image]") {
  for (const auto& [args, says] : std::vector<std::pair<std::string, std::string>>{
           {"create app.bin --bogus", "unrecognised option '--bogus'"},
           {"create app.bin --version", "the required argument for option '--version' is missing"},
           {"", "expected `fleetsim hil image create RAW.bin ...`"},
           {"create", "create takes RAW.bin, got 0 argument(s)"}}) {
    const Cli r = run_fleetsim("hil image " + args);
    INFO(args << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(says) != std::string::npos);
    CHECK(r.output.find("(see 'fleetsim hil image --help')") != std::string::npos);
  }
  const Cli help = run_fleetsim("hil image --help");
  CHECK(help.exit_code == 0);
  CHECK(help.output.rfind("fleetsim hil image create RAW.bin --version X.Y.Z[+BUILD] --out IMG.signed.bin", 0) == 0);
  CHECK(help.output.find("--header-size") != std::string::npos);
}
