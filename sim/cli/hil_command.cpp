#include "sim/cli/hil_command.hpp"

#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "hil/board/board_calibration.hpp"
#include "hil/board/board_health.hpp"
#include "hil/board/board_hook.hpp"
#include "hil/board/board_inventory.hpp"
#include "hil/board/board_lock.hpp"
#include "hil/board/board_update.hpp"
#include "sim/cli/board_lock_options.hpp"
#include "sim/cli/hil_agent_command.hpp"
#include "sim/cli/hil_image_command.hpp"
#include "hil/board/known_state.hpp"
#include "sim/cli/board_lookup.hpp"
#include "sim/cli/hil_recovery_commands.hpp"
#include "sim/core/atomic_file.hpp"
#include "sim/cli/command_options.hpp"
#include "sim/core/exit_codes.hpp"

namespace po = boost::program_options;

namespace fleetsim::hil {

namespace {

const char* kHilUsage =
    "fleetsim hil — single-board operations over SMP (MCUmgr)\n"
    "\n"
    "Usage:\n"
    "  fleetsim hil probe BOARD [--boards FILE]\n"
    "      health check: echo, mcumgr params, image state read; prints the slots\n"
    "  fleetsim hil flash BOARD IMAGE [--boards FILE] [--reboot-timeout S]\n"
    "      recover a known state first (as below: an unconfirmed image is reverted, a pending slot 1\n"
    "      erased), then the full update: upload (resumable), verify slot-1 hash, test, reset, wait,\n"
    "      probe, confirm\n"
    "  fleetsim hil state BOARD [--boards FILE]\n"
    "      image state read: each slot's version and flags, what the state means and how to recover\n"
    "  fleetsim hil reset BOARD [--boards FILE] [--reboot-timeout S]\n"
    "      SMP reset, wait until the board answers again (its boards.json hooks if it does not);\n"
    "      MCUboot then swaps in a pending test image, or reverts an unconfirmed one\n"
    "  fleetsim hil confirm BOARD [--boards FILE]\n"
    "      make the running image permanent (image state set, confirm=true)\n"
    "  fleetsim hil erase BOARD [--boards FILE]\n"
    "      erase slot 1 (a stale upload or test image); a board refuses while slot 1 is pending or holds\n"
    "      the image an unconfirmed one would revert to: reset it first\n"
    "  fleetsim hil calibrate BOARD IMAGE [--boards FILE] [--rounds N] [--out FILE]\n"
    "      measure upload throughput, reset-to-ready and health-check time over N rounds and\n"
    "      write them as device-model parameters (JSON; to stdout without --out)\n"
    "  fleetsim hil image create RAW.bin --version X.Y.Z[+BUILD] --out IMG [--key KEY.pem]\n"
    "      wrap a binary into an MCUboot image (see 'fleetsim hil image --help')\n"
    "\n"
    "Agent boards (boards.json \"agent\": \"swupdate\" or \"mender\") poll fleetsim instead: probe and\n"
    "flash serve their update API (swupdate: hawkBit DDI; mender: the Mender device API, the board\n"
    "identified by fleetsim_board=BOARD) at --listen (the URL the agent is configured with):\n"
    "  fleetsim hil probe BOARD --boards FILE [--listen HOST:PORT] [--tenant T] [--poll-timeout S]\n"
    "      a poll arrives within --poll-timeout\n"
    "  fleetsim hil flash BOARD IMAGE --boards FILE [--listen HOST:PORT] [--tenant T]\n"
    "                     [--poll-timeout S] [--update-timeout S] [--transcript FILE]\n"
    "      a one-device deployment of IMAGE (.swu for swupdate, .mender for mender): the next poll\n"
    "      gets it; the agent's final status decides (success: 0; failure: 1, a revert when it\n"
    "      came after the reboot; no poll, no authentication or no final status in time: 3)\n"
    "\n"
    "BOARD is an id from --boards FILE (a boards.json inventory) or a URI:\n"
    "  udp://HOST[:PORT]  (port 1337 by default)    serial:///dev/ttyACM0?baud=115200\n"
    "IMAGE is an MCUboot image (signed .bin).\n"
    "The board is reserved for the operation (see --board-wait, --board-lock-dir).\n"
    "Exit codes: 0 ok, 1 the firmware failed, 2 bad input or usage, 3 board unreachable, unhealthy or busy.\n";

int usage_error(const std::string& message) { return hil_usage_error(message); }

std::optional<std::vector<std::uint8_t>> read_image(const std::string& path, McubootImageInfo& info, int& code) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    code = usage_error("cannot read IMAGE " + path);
    return std::nullopt;
  }
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto parsed = parse_mcuboot_image(bytes);
  if (!parsed) {
    code = usage_error(path + ": not a valid MCUboot image: " + std::string(describe(parsed.error())) +
                       " (expected a signed image with the 0x96f3b83d header and a SHA-256 TLV)");
    return std::nullopt;
  }
  info = parsed.value();
  return bytes;
}

int cmd_probe(const BoardSpec& board) {
  int code = exit_code::kOk;
  auto transport = open_board(board, code);
  if (!transport) return code;
  SmpClient client(*transport);
  const BoardHealth h = check_board_health(client);
  if (!h.healthy) {
    std::cerr << "fleetsim hil: board " << board.id << " (" << transport->uri() << ") is unhealthy: " << h.problem << "\n";
    return exit_code::kInfrastructure;
  }
  std::printf("%s (%s): healthy in %.3f s, running %s, buffers %u x %u bytes\n", board.id.c_str(),
              transport->uri().c_str(), h.seconds, h.running_version.c_str(), h.params.buf_count, h.params.buf_size);
  std::fputs(describe_slots(h.state).c_str(), stdout);
  return exit_code::kOk;
}

// The image (checked first: a bad file is bad input whatever the board) and the board's link.
struct ImageAndBoard {
  std::vector<std::uint8_t> image;
  McubootImageInfo info;
  std::unique_ptr<SmpTransport> transport;
};

std::optional<ImageAndBoard> open_image_and_board(const BoardSpec& board, const std::string& image_path, int& code) {
  ImageAndBoard out;
  auto image = read_image(image_path, out.info, code);
  if (!image) return std::nullopt;
  out.image = std::move(*image);
  out.transport = open_board(board, code);
  if (!out.transport) return std::nullopt;
  return out;
}

int cmd_flash(const BoardSpec& board, const std::string& image_path, double reboot_timeout) {
  int code = exit_code::kOk;
  auto opened = open_image_and_board(board, image_path, code);
  if (!opened) return code;
  const auto& [image, info, transport] = *opened;
  SmpClient client(*transport);
  BoardUpdateOptions options;
  options.reboot_timeout = std::chrono::milliseconds(std::llround(reboot_timeout * 1000));
  options.recover = board_recovery(board.reset, board.power_off, board.power_on,
                                   [&](const std::string& m) { std::cerr << "  " << board.id << ": " << m << "\n"; });
  options.on_step = [](const BoardUpdateStep& s) {
    std::fprintf(stderr, "  %-8s %8.3f s  %s\n", s.name.c_str(), s.seconds, s.note.c_str());
  };
  std::cerr << "fleetsim hil: flashing " << image_path << " (" << info.version.text() << ", " << image.size()
            << " bytes) to " << board.id << " (" << transport->uri() << ")\n";
  // A board left half-updated (an interrupted gate) would refuse the upload: recover first.
  const KnownStateReport known = bring_to_known_state(client, "", std::nullopt, options);
  if (!known.ready) {
    std::cerr << "fleetsim hil: board " << board.id << " (" << transport->uri()
              << ") could not be brought to a known state: " << known.message << "\n";
    return exit_code::kInfrastructure;
  }
  std::cerr << "  known state: " << known.message << "\n";
  const BoardUpdateReport r = update_board(client, image, info, options);
  std::printf("%s: %s: %s (%.3f s)\n", board.id.c_str(), to_string(r.outcome), r.message.c_str(), r.seconds);
  if (r.upload_seconds > 0) {
    // A resumed upload sent only the bytes from the board's offset on: the rate counts those.
    const std::size_t sent = image.size() - r.upload.resumed_from;
    std::printf("upload: %zu bytes from offset %zu in %.3f s = %.0f B/s, %zu requests, chunks of <= %zu bytes\n",
                sent, r.upload.resumed_from, r.upload_seconds, double(sent) / r.upload_seconds, r.upload.requests,
                r.upload.chunk_bytes);
  }
  switch (r.outcome) {
    case BoardUpdateOutcome::Updated: return exit_code::kOk;
    case BoardUpdateOutcome::Infrastructure: return exit_code::kInfrastructure;
    default: return exit_code::kFailed;
  }
}

int cmd_calibrate(const BoardSpec& board, const std::string& image_path, int rounds, double reboot_timeout,
                  const std::string& out) {
  int code = exit_code::kOk;
  auto opened = open_image_and_board(board, image_path, code);
  if (!opened) return code;
  const auto& [image, info, transport] = *opened;
  SmpClient client(*transport);
  const Calibration c =
      calibrate_board(client, image, rounds, std::chrono::milliseconds(std::llround(reboot_timeout * 1000)));
  if (!c.problem.empty()) {
    std::cerr << "fleetsim hil: calibrate " << board.id << ": " << c.problem << "\n";
    return c.infrastructure ? exit_code::kInfrastructure : exit_code::kFailed;
  }
  for (std::size_t i = 0; i < c.rounds.size(); ++i)
    std::fprintf(stderr, "  round %zu: upload %.0f B/s, reset-to-ready %.3f s, health check %.3f s\n", i + 1,
                 c.rounds[i].upload_bytes_per_second, c.rounds[i].reset_to_ready_seconds,
                 c.rounds[i].health_check_seconds);
  const std::string where = board.id == board.uri_text ? transport->uri() : board.id + " (" + transport->uri() + ")";
  const std::string source = "board " + where + ", image of " +
                             std::to_string(image.size()) + " bytes, upload chunks of <= " +
                             std::to_string(c.chunk_bytes) + " bytes";
  const std::string text = calibration_parameters(c, source).dump(2) + "\n";
  if (out.empty()) {
    std::cout << text;
    return exit_code::kOk;
  }
  if (std::string err = write_files_atomically({{out, text}}); !err.empty()) {
    std::cerr << "fleetsim hil: " << err << "\n";
    return exit_code::kInfrastructure;
  }
  std::cerr << "fleetsim hil: parameters written to " << out << "\n";
  return exit_code::kOk;
}

}  // namespace

const char* hil_usage() { return kHilUsage; }

int run_hil_command(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "image") return run_hil_image_command(argc - 1, argv + 1);
  po::options_description desc("Options");
  desc.add_options()("boards", po::value<std::string>(), "boards.json inventory to look BOARD up in")(
      "rounds", po::value<int>()->default_value(5), "calibrate: measurement rounds (1-1000)")(
      "out,o", po::value<std::string>(), "calibrate: write the parameters JSON to this file")(
      "reboot-timeout", po::value<double>()->default_value(30.0), "seconds to wait for the board after a reset")(
      "listen", po::value<std::string>()->default_value("127.0.0.1:8080"),
      "agent boards: HOST:PORT to serve the update API on (beyond loopback the board needs a token)")(
      "tenant", po::value<std::string>()->default_value("DEFAULT"), "agent boards: the hawkBit tenant")(
      "poll-timeout", po::value<double>()->default_value(120.0), "agent boards: seconds to wait for the first poll")(
      "update-timeout", po::value<double>()->default_value(900.0),
      "agent boards: seconds from the first poll to the agent's closing feedback")(
      "transcript", po::value<std::string>(), "agent boards: write the request transcript to this file")(
      "help,h", "show this help");
  add_board_lock_options(desc);
  if (describing_options(desc)) return exit_code::kOk;
  po::options_description all = desc;
  all.add_options()("args", po::value<std::vector<std::string>>(), "");
  po::positional_options_description pos;
  pos.add("args", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(e.what());
  }
  if (vm.count("help")) {
    std::cout << kHilUsage << "\n" << desc;
    return exit_code::kOk;
  }
  const auto args = vm.count("args") ? vm["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
  const char* kOperations = "probe, flash, calibrate, state, reset, confirm or erase";
  if (args.empty()) return usage_error(std::string("missing operation (expected ") + kOperations + ")");
  const std::string& op = args[0];
  const std::size_t wanted =
      op == "probe" || is_recovery_operation(op) ? 2 : (op == "flash" || op == "calibrate") ? 3 : 0;
  if (wanted == 0) return usage_error("unknown operation \"" + op + "\" (expected " + kOperations + ")");
  if (args.size() != wanted)
    return usage_error(op + (wanted == 2 ? " takes BOARD" : " takes BOARD IMAGE") + ", got " +
                       std::to_string(args.size() - 1) + " argument(s)");
  const double reboot_timeout = vm["reboot-timeout"].as<double>();
  if (!(reboot_timeout > 0 && reboot_timeout <= 3600)) return usage_error("--reboot-timeout: expected seconds in (0, 3600]");
  const int rounds = vm["rounds"].as<int>();
  if (rounds < 1 || rounds > 1000) return usage_error("--rounds: expected 1 to 1000");
  std::string lock_error;
  auto lock = board_lock_options(vm, "fleetsim " + command_line(argc, argv), lock_error);
  if (!lock) return usage_error(lock_error);
  int code = exit_code::kOk;
  std::string inventory_lock_dir;
  const auto board =
      resolve_board(args[1], vm.count("boards") ? vm["boards"].as<std::string>() : "", code, &inventory_lock_dir);
  if (!board) return code;
  if (board->agent != BoardAgent::kNone) {
    if (op != "probe" && op != "flash")
      return usage_error(op + " is an SMP operation; board \"" + board->id + "\" is a " +
                         board_agent_name(board->agent) + " agent board (expected probe or flash)");
    AgentCommandOptions agent;
    agent.listen = vm["listen"].as<std::string>();
    agent.tenant = vm["tenant"].as<std::string>();
    agent.poll_timeout_s = vm["poll-timeout"].as<double>();
    agent.update_timeout_s = vm["update-timeout"].as<double>();
    if (!(agent.poll_timeout_s > 0 && agent.poll_timeout_s <= 86400)) return usage_error("--poll-timeout: expected seconds in (0, 86400]");
    if (!(agent.update_timeout_s > 0 && agent.update_timeout_s <= 86400))
      return usage_error("--update-timeout: expected seconds in (0, 86400]");
    if (vm.count("transcript")) agent.transcript_file = vm["transcript"].as<std::string>();
    // No board lock: the agent polls the one server its configuration names, so two runs cannot
    // both reach it.
    return run_agent_operation(op, *board, op == "flash" ? args[2] : "", agent);
  }
  // The board stays reserved until the operation is over (README "Sharing a bench").
  if (lock->dir.empty()) lock->dir = inventory_lock_dir;
  const BoardReserve reserved = reserve_boards({*board}, *lock);
  if (reserved.status != BoardReserve::Status::Reserved) {
    std::cerr << "fleetsim hil: " << reserved.message << "\n";
    return exit_code::kInfrastructure;
  }
  if (op == "probe") return cmd_probe(*board);
  if (is_recovery_operation(op)) return run_recovery_operation(op, *board, reboot_timeout);
  if (op == "flash") return cmd_flash(*board, args[2], reboot_timeout);
  return cmd_calibrate(*board, args[2], rounds, reboot_timeout, vm.count("out") ? vm["out"].as<std::string>() : "");
}

}  // namespace fleetsim::hil
