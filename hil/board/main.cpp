// fleetsim-board: an emulated Zephyr/MCUboot board serving SMP (issue 4, "Board emulator").
//   fleetsim-board (--udp HOST:PORT | --pty) --state-dir DIR [--reset-time SECONDS]
//                  [--boot-fail VERSION] [--no-confirm]
// --pty opens a pseudo-terminal and prints its path; SMP then runs over the console framing.
// Exit codes: 0 after SIGTERM/SIGINT, 1 on a runtime failure (state dir, socket), 2 on usage
// errors.
#include <signal.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include "hil/board_emulator.hpp"
#include "hil/image_version.hpp"
#include "hil/pty_smp_server.hpp"
#include "hil/udp_smp_server.hpp"

namespace po = boost::program_options;
using namespace fleetsim::hil;

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop.store(true); }

int usage_error(const std::string& message, const po::options_description& desc) {
  std::cerr << "fleetsim-board: " << message << "\n\n" << desc << std::flush;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc(
      "fleetsim-board (--udp HOST:PORT | --pty) --state-dir DIR [options]");
  desc.add_options()("help,h", "show this help")(
      "udp", po::value<std::string>(), "serve SMP over UDP on HOST:PORT (port 0: any free port)")(
      "pty", "serve SMP (console framing) on a new pseudo-terminal; prints its path")(
      "state-dir", po::value<std::string>(), "directory of slot0.bin, slot1.bin and state.json")(
      "reset-time", po::value<double>()->default_value(1.0),
      "seconds the board stays silent after a reset")(
      "boot-fail", po::value<std::string>(),
      "an image of this VERSION never comes up healthy (a test swap to it reverts)")(
      "no-confirm", "acknowledge confirm requests without persisting them");

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(e.what(), desc);
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  const bool pty = vm.count("pty") > 0;
  if (pty && vm.count("udp")) return usage_error("--udp and --pty are mutually exclusive", desc);
  if (!pty && !vm.count("udp")) return usage_error("--udp HOST:PORT or --pty is required", desc);
  if (!vm.count("state-dir")) return usage_error("--state-dir DIR is required", desc);
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

  BoardEmulatorOptions options;
  options.state_dir = vm["state-dir"].as<std::string>();
  options.no_confirm = vm.count("no-confirm") > 0;
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

  try {
    BoardEmulator emulator(options);
    const std::chrono::milliseconds reset_time(std::lround(reset_seconds * 1000));
    if (pty) {
      PtySmpServer server(emulator, reset_time);
      std::cout << "fleetsim-board: listening on pty " << server.path() << std::endl;
      server.run(g_stop);
    } else {
      UdpSmpServer server(emulator, *endpoint, reset_time);
      std::cout << "fleetsim-board: listening on udp " << server.local_address() << std::endl;
      server.run(g_stop);
    }
  } catch (const std::exception& e) {
    std::cerr << "fleetsim-board: " << e.what() << std::endl;
    return 1;
  }
  std::cout << "fleetsim-board: stopped" << std::endl;
  return 0;
}
