#include "sim/cli/hil_image_command.hpp"

#include <boost/program_options.hpp>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include "hil/protocol/mcuboot_image.hpp"
#include "hil/protocol/mcuboot_signing.hpp"
#include "sim/cli/command_options.hpp"
#include "sim/core/atomic_file.hpp"
#include "sim/core/exit_codes.hpp"

namespace po = boost::program_options;

namespace fleetsim::hil {

namespace {

const char* kImageUsage =
    "fleetsim hil image create RAW.bin --version X.Y.Z[+BUILD] --out IMG.signed.bin [--key KEY.pem]\n"
    "                          [--header-size N] [--load-addr ADDR]\n"
    "  Wraps an application binary into an MCUboot image, like `imgtool sign --pad-header`: the header\n"
    "  (N bytes, 0x200 by default, erased to 0xff around the 32-byte header), the binary, then the TLVs:\n"
    "  SHA-256 and, with --key, KEYHASH and the signature (ecdsa-p256 or ed25519 PEM key).\n"
    "Exit codes: 0 written, 2 bad input or usage, 3 the output cannot be written.\n"
    "\nOptions";

constexpr const char* kCommand = "hil image";  // as typed, for the help hint

int usage_error(const std::string& message) { return fleetsim::usage_error(message, "fleetsim hil image --help"); }

// A whole number, decimal or 0x-hex (as imgtool takes --header-size 0x200).
std::optional<std::uint64_t> parse_size(const std::string& text) {
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const char* begin = text.data() + (hex ? 2 : 0);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value, hex ? 16 : 10);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

const char* hil_image_usage() { return kImageUsage; }

int run_hil_image_command(int argc, char** argv) {
  po::options_description desc(kImageUsage);
  desc.add_options()("version", po::value<std::string>(), "image version X.Y.Z or X.Y.Z+BUILD (required)")(
      "out,o", po::value<std::string>(), "the image file to write (required)")(
      "key", po::value<std::string>(), "PEM private key to sign with (ecdsa-p256 or ed25519)")(
      "header-size", po::value<std::string>()->default_value("0x200"), "header area in bytes, 32 to 65535")(
      "load-addr", po::value<std::string>()->default_value("0"), "the header's load address")(
      "help,h", "show this help");
  CommandArgs parsed;
  if (auto done = parse_command(argc, argv, desc, parsed, kCommand)) return *done;
  const po::variables_map& vm = parsed.vm;
  const std::vector<std::string>& args = parsed.positional;
  if (args.empty() || args[0] != "create") return usage_error("expected `fleetsim hil image create RAW.bin ...`");
  if (args.size() != 2) return usage_error("create takes RAW.bin, got " + std::to_string(args.size() - 1) + " argument(s)");
  if (!vm.count("version")) return usage_error("--version X.Y.Z[+BUILD] is required");
  if (!vm.count("out")) return usage_error("--out IMG.signed.bin is required");
  const auto version = ImageVersion::parse(vm["version"].as<std::string>());
  if (!version)
    return usage_error("--version \"" + vm["version"].as<std::string>() +
                       "\" is not X.Y.Z[+BUILD] (expected e.g. 1.2.3 or 1.2.3+4; X, Y <= 255, Z <= 65535)");
  const auto header_size = parse_size(vm["header-size"].as<std::string>());
  if (!header_size || *header_size < kMcubootHeaderBytes || *header_size > 0xFFFF)
    return usage_error("--header-size: expected 32 to 65535 bytes (e.g. 0x200, as Zephyr reserves)");
  const auto load_addr = parse_size(vm["load-addr"].as<std::string>());
  if (!load_addr || *load_addr > 0xFFFFFFFF) return usage_error("--load-addr: expected a 32-bit address");

  std::ifstream in(args[1], std::ios::binary);
  if (!in) return usage_error("cannot read RAW.bin " + args[1]);
  const std::vector<std::uint8_t> body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (body.size() > 0xFFFFFFFFu) return usage_error(args[1] + " is larger than an MCUboot image can be (4 GiB)");
  McubootSigner signer;
  std::string signed_with = "unsigned";
  if (vm.count("key")) {
    auto key = load_mcuboot_signing_key(vm["key"].as<std::string>());
    if (!key) return usage_error("--key " + key.error());
    signer = key.value().sign;
    signed_with = "signed " + key.value().kind;
  }
  McubootImageSpec spec;
  spec.version = *version;
  spec.hdr_size = static_cast<std::uint16_t>(*header_size);
  spec.load_addr = static_cast<std::uint32_t>(*load_addr);
  std::vector<std::uint8_t> image;
  try {
    image = wrap_mcuboot_image(body, spec, signer);
  } catch (const std::exception& e) {
    return usage_error(std::string("cannot sign: ") + e.what());
  }
  // Read back with the parser the bridge uses: what is written is what a run will accept.
  const auto info = parse_mcuboot_image(image);
  if (!info) return usage_error("the image built does not parse: " + std::string(describe(info.error())));
  const std::string out = vm["out"].as<std::string>();
  if (std::string err = write_files_atomically({{out, std::string(image.begin(), image.end())}}); !err.empty()) {
    std::cerr << "fleetsim: " << err << "\n";
    return exit_code::kInfrastructure;
  }
  std::printf("%s: MCUboot image %s, %zu bytes (header %u + body %zu + TLVs %zu), %s, SHA-256 %s\n", out.c_str(),
              info.value().version.text().c_str(), image.size(), unsigned(spec.hdr_size), body.size(),
              image.size() - spec.hdr_size - body.size(), signed_with.c_str(), digest_hex(info.value().hash).c_str());
  return exit_code::kOk;
}

}  // namespace fleetsim::hil
