// fleetsim-board: an emulated Zephyr/MCUboot board serving SMP (README "The board emulator").
//   fleetsim-board (--udp HOST:PORT | --pty) --state-dir DIR [--reset-time SECONDS]
//                  [--boot-fail VERSION] [--no-confirm] [--echo-fail-after-boot]
//                  [--drop RATE] [--corrupt RATE] [--seed N] [--die-at-offset N]
//                  [--flash-rate BYTES/S] [--console-pty]
// --pty opens a pseudo-terminal and prints its path; SMP then runs over the console framing.
// The board prints a Zephyr boot banner with its running version at start and after every reset:
// on the --pty tty between SMP frames, or for a UDP board on its own pty with --console-pty
// (second stdout line "fleetsim-board: console on pty PATH").
// Exit codes: 0 after SIGTERM/SIGINT, 2 on usage errors, 3 on an infrastructure failure (state
// dir, socket, pty), 4 when --die-at-offset cut the power.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "hil/emulator/board_emulator.hpp"
#include "hil/emulator/board_link_faults.hpp"
#include "hil/protocol/image_version.hpp"
#include "hil/emulator/pty_pair.hpp"
#include "hil/emulator/pty_smp_server.hpp"
#include "hil/emulator/udp_smp_server.hpp"
#include "sim/core/build_version.hpp"
#include "sim/core/exit_codes.hpp"
#include "sim/core/options_manual.hpp"

namespace po = boost::program_options;
using namespace fleetsim::hil;

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop.store(true); }

constexpr int kPowerCutExit = 4;
const char* const kExitCodes =
    "Exit codes: 0 stopped by SIGTERM/SIGINT, 2 bad usage or value,\n"
    "3 state directory, socket or pty failure, 4 power cut by --die-at-offset.\n";

int usage_error(const std::string& message, const po::options_description& desc) {
  std::cerr << "fleetsim-board: " << message << "\n\n" << desc << std::flush;
  return fleetsim::exit_code::kBadInput;
}

// The whole of `text` as a number (from_chars: no leading '+' or spaces; an unsigned type
// rejects a '-'); std::nullopt for anything else, including overflow.
template <class T>
std::optional<T> parse_number(const std::string& text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A fraction in [0, 1] ("0.2", "1"); std::nullopt otherwise (NaN included).
std::optional<double> parse_rate(const std::string& text) {
  const auto value = parse_number<double>(text);
  if (!value || !(*value >= 0 && *value <= 1)) return std::nullopt;
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc(
      "fleetsim-board (--udp HOST:PORT | --pty) --state-dir DIR [options]");
  desc.add_options()("help,h", "show this help")("version", "print the version and git revision of this build")(
      "udp", po::value<std::string>(), "serve SMP over UDP on HOST:PORT (port 0: any free port)")(
      "pty", "serve SMP (console framing) on a new pseudo-terminal; prints its path")(
      "state-dir", po::value<std::string>(), "directory of slot0.bin, slot1.bin and state.json")(
      "reset-time", po::value<double>()->default_value(1.0),
      "seconds the board stays silent after a reset")(
      "boot-fail", po::value<std::string>(),
      "an image of this VERSION never comes up healthy (a test swap to it reverts)")(
      "no-confirm", "acknowledge confirm requests without persisting them")(
      "echo-fail-after-boot",
      "once a reset has swapped in a new image, echo answers rc 1 (the app's health probe "
      "fails) until a revert brings the old image back")(
      "drop", po::value<std::string>()->value_name("RATE"),
      "fraction (0..1) of incoming requests lost without a reply")(
      "corrupt", po::value<std::string>()->value_name("RATE"),
      "fraction (0..1) of replies damaged (UDP: the CBOR payload is not well-formed; "
      "pty: the frame's CRC check fails)")(
      "seed", po::value<std::string>()->default_value("1")->value_name("N"),
      "seed of the --drop/--corrupt draws (same seed, same requests hit)")(
      "die-at-offset", po::value<std::string>()->value_name("N"),
      "the upload write that reaches byte N (> 0) of the image stores the bytes below N, "
      "then the process exits with status 4 (power loss) without answering; restarted on the "
      "same --state-dir, the board resumes the upload from N")(
      "flash-rate", po::value<std::string>()->value_name("BYTES/S"),
      "(> 0) an upload write of S bytes takes S / BYTES/S seconds before the reply "
      "(erase is instant)")(
      "console-pty",
      "with --udp: print the board's console (boot banner and running version after every reset) on a "
      "pseudo-terminal of its own; its path is the second stdout line");

  if (argc == 2 && std::string_view(argv[1]) == "__man") {  // fleetsim-board(1), hidden
    std::cout << fleetsim::roff_header("FLEETSIM-BOARD", 1, "fleetsim manual")
              << ".SH NAME\nfleetsim\\-board \\- an emulated Zephyr/MCUboot board serving SMP (MCUmgr)\n"
              << ".SH SYNOPSIS\n" << fleetsim::roff_prose(fleetsim::options_caption(desc)) << ".SH OPTIONS\n"
              << fleetsim::roff_options(desc) << ".SH EXIT STATUS\n" << fleetsim::roff_prose(kExitCodes)
              << ".SH SEE ALSO\n.BR fleetsim (1)\n";
    return fleetsim::exit_code::kOk;
  }
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(e.what(), desc);
  }
  if (vm.count("help")) {
    std::cout << desc << "\n" << kExitCodes;
    return fleetsim::exit_code::kOk;
  }
  if (vm.count("version")) {
    std::cout << fleetsim::version_line("fleetsim-board") << "\n";
    return fleetsim::exit_code::kOk;
  }
  const bool pty = vm.count("pty") > 0;
  if (pty && vm.count("udp")) return usage_error("--udp and --pty are mutually exclusive", desc);
  if (!pty && !vm.count("udp")) return usage_error("--udp HOST:PORT or --pty is required", desc);
  if (!vm.count("state-dir")) return usage_error("--state-dir DIR is required", desc);
  if (pty && vm.count("console-pty"))
    return usage_error("--console-pty is for --udp boards (a --pty board prints its console on its tty)", desc);
  const auto endpoint =
      pty ? std::optional<UdpEndpoint>(UdpEndpoint{}) : parse_udp_endpoint(vm["udp"].as<std::string>());
  if (!endpoint) {
    return usage_error("--udp: expected HOST:PORT or [IPV6]:PORT, got '" +
                           vm["udp"].as<std::string>() + "'",
                       desc);
  }
  const double reset_seconds = vm["reset-time"].as<double>();
  if (!std::isfinite(reset_seconds) || reset_seconds < 0 || reset_seconds > 3600) {
    return usage_error("--reset-time: expected seconds between 0 and 3600", desc);
  }

  auto rate_of = [&](const char* name) -> std::optional<double> {
    if (!vm.count(name)) return 0.0;
    return parse_rate(vm[name].as<std::string>());
  };
  const auto drop = rate_of("drop");
  if (!drop) {
    return usage_error("--drop: expected a fraction between 0 and 1, got '" +
                           vm["drop"].as<std::string>() + "'",
                       desc);
  }
  const auto corrupt = rate_of("corrupt");
  if (!corrupt) {
    return usage_error("--corrupt: expected a fraction between 0 and 1, got '" +
                           vm["corrupt"].as<std::string>() + "'",
                       desc);
  }
  const auto seed = parse_number<std::uint64_t>(vm["seed"].as<std::string>());
  if (!seed) {
    return usage_error("--seed: expected a whole number >= 0, got '" +
                           vm["seed"].as<std::string>() + "'",
                       desc);
  }

  BoardEmulatorOptions options;
  options.state_dir = vm["state-dir"].as<std::string>();
  options.no_confirm = vm.count("no-confirm") > 0;
  options.echo_fail_after_boot = vm.count("echo-fail-after-boot") > 0;
  if (vm.count("die-at-offset")) {
    const auto offset = parse_number<std::uint64_t>(vm["die-at-offset"].as<std::string>());
    if (!offset || *offset == 0) {
      return usage_error("--die-at-offset: expected a byte offset > 0, got '" +
                             vm["die-at-offset"].as<std::string>() + "'",
                         desc);
    }
    options.die_at_offset = static_cast<std::size_t>(*offset);
    // Power loss: no reply, no flush of stdio, no destructors; the files already hold the state.
    options.power_loss = [] { _exit(kPowerCutExit); };
  }
  if (vm.count("flash-rate")) {
    const std::string text = vm["flash-rate"].as<std::string>();
    const auto rate = parse_number<double>(text);
    if (!rate || !std::isfinite(*rate) || *rate <= 0) {
      return usage_error("--flash-rate: expected bytes per second > 0, got '" + text + "'", desc);
    }
    options.flash_rate = *rate;
  }
  if (pty) {  // Zephyr's serial defaults
    options.buf_size = 384;
    options.buf_count = 4;
  }
  if (vm.count("boot-fail")) {
    const auto version = ImageVersion::parse(vm["boot-fail"].as<std::string>());
    if (!version) {
      return usage_error("--boot-fail: expected a version like 1.2.3 or 1.2.3.4, got '" +
                             vm["boot-fail"].as<std::string>() + "'",
                         desc);
    }
    options.boot_fail = *version;
  }

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR and the loop sees the flag
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  // Where the console goes; set once the tty exists (the emulator is made first).
  std::function<void(std::string_view)> console;
  options.on_boot = [&console](const std::string& version) {
    if (console) console(zephyr_boot_banner(version));
  };
  try {
    BoardEmulator emulator(options);
    const std::chrono::milliseconds reset_time(std::lround(reset_seconds * 1000));
    const BoardLinkFaults faults(*drop, *corrupt, *seed);
    if (pty) {
      PtySmpServer server(emulator, reset_time, faults);
      console = [&server](std::string_view text) { server.print(text); };
      // The boot banner comes before the path is announced, as a board boots before anyone
      // opens its tty: a client that opens the tty then flushes it (open_raw_tty) never sees
      // it mixed into its first exchange.
      console(zephyr_boot_banner(emulator.running_version()));
      std::cout << "fleetsim-board: listening on pty " << server.path() << std::endl;
      server.run(g_stop);
    } else {
      UdpSmpServer server(emulator, *endpoint, reset_time, faults);
      std::optional<PtyPair> console_pty;
      if (vm.count("console-pty")) {
        console_pty.emplace();
        console = [&console_pty](std::string_view text) { console_pty->write_text(text); };
      }
      if (console_pty) console(zephyr_boot_banner(emulator.running_version()));
      std::cout << "fleetsim-board: listening on udp " << server.local_address() << std::endl;
      if (console_pty) std::cout << "fleetsim-board: console on pty " << console_pty->path() << std::endl;
      server.run(g_stop);
    }
  } catch (const std::exception& e) {
    std::cerr << "fleetsim-board: " << e.what() << std::endl;
    return fleetsim::exit_code::kInfrastructure;
  }
  std::cout << "fleetsim-board: stopped" << std::endl;
  return fleetsim::exit_code::kOk;
}
