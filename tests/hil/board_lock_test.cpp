// Board reservation (hil/board/board_lock.hpp): one run at a time per board, however the board's
// URI is spelled; a crashed holder leaves no stale lock; a waiting run gets the board when it
// is free, a run that does not wait exits 3 "board busy" naming the holder.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "hil/board/board_lock.hpp"
#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;
using namespace std::chrono_literals;

namespace {

BoardSpec board_at(const std::string& id, const std::string& uri) {
  BoardSpec b;
  b.id = id;
  b.uri_text = uri;
  b.uri = parse_transport_uri(uri).value();
  return b;
}

BoardLockOptions options_in(const TempDir& dir, std::chrono::milliseconds wait, const std::string& command) {
  BoardLockOptions o;
  o.dir = dir / "locks";
  o.wait = wait;
  o.command = command;
  return o;
}

// Waits (bounded) until `path` names `text`: the holder wrote its note after taking the lock.
bool wait_for_text(const std::string& path, const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (slurp(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

}  // namespace

TEST_CASE("a reserved board is busy for a second reservation, under another spelling of its URI too",
          "[hil][bench][lock]") {
  TempDir dir;
  auto first = reserve_boards({board_at("b0", "udp://127.0.0.1:4101")}, options_in(dir, 0ms, "holder-command"));
  REQUIRE(first.status == BoardReserve::Status::Reserved);
  // localhost resolves to 127.0.0.1: the same lock file, so the same board.
  auto second = reserve_boards({board_at("x", "udp://localhost:4101")}, options_in(dir, 0ms, "second"));
  CHECK(second.status == BoardReserve::Status::Busy);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  INFO(second.message);
  CHECK(second.message.find("board x (udp://localhost:4101) busy, held by " + std::string(host) + " pid " +
                            std::to_string(getpid()) + " `holder-command` since 20") == 0);
  CHECK(second.message.find("(waited 0 s; --board-wait SECONDS waits longer)") != std::string::npos);
  // Another port is another board.
  CHECK(reserve_boards({board_at("y", "udp://127.0.0.1:4102")}, options_in(dir, 0ms, "third")).status ==
        BoardReserve::Status::Reserved);
  first = BoardReserve{};  // released
  CHECK(reserve_boards({board_at("x", "udp://localhost:4101")}, options_in(dir, 0ms, "fourth")).status ==
        BoardReserve::Status::Reserved);
}

TEST_CASE("a reservation waits up to --board-wait for the holder to let go", "[hil][bench][lock]") {
  TempDir dir;
  const BoardSpec board = board_at("b0", "udp://127.0.0.1:4103");
  auto held = std::make_unique<BoardReserve>(reserve_boards({board}, options_in(dir, 0ms, "holder")));
  REQUIRE(held->status == BoardReserve::Status::Reserved);
  std::thread release([&] {
    std::this_thread::sleep_for(300ms);
    held.reset();
  });
  const auto start = std::chrono::steady_clock::now();
  auto waited = reserve_boards({board}, options_in(dir, 10s, "waiter"));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  release.join();
  CHECK(waited.status == BoardReserve::Status::Reserved);
  // Released after 0.3 s; the waiter retries every 50 ms, so it has it before 0.3 + 0.05 s plus scheduling.
  CHECK(seconds >= 0.25);
  CHECK(seconds < 5.0);
  // A bounded wait that the holder outlasts: busy after about the bound.
  const auto start2 = std::chrono::steady_clock::now();
  auto busy = reserve_boards({board}, options_in(dir, 200ms, "impatient"));
  const double seconds2 = std::chrono::duration<double>(std::chrono::steady_clock::now() - start2).count();
  CHECK(busy.status == BoardReserve::Status::Busy);
  CHECK(busy.message.find("`waiter`") != std::string::npos);
  CHECK(busy.message.find("(waited 0.2 s;") != std::string::npos);
  CHECK(seconds2 >= 0.2);
}

TEST_CASE("a holder killed with SIGKILL leaves no stale reservation", "[hil][bench][lock]") {
  TempDir dir;
  const BoardSpec board = board_at("b0", "udp://127.0.0.1:4104");
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto r = reserve_boards({board}, options_in(dir, 0ms, "doomed"));
    const char c = r.status == BoardReserve::Status::Reserved ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(1);
    pause();  // holds the lock until killed
    _exit(0);
  }
  close(ready[1]);
  char c = 0;
  REQUIRE(read(ready[0], &c, 1) == 1);
  close(ready[0]);
  CHECK(c == 'y');
  auto busy = reserve_boards({board}, options_in(dir, 0ms, "second"));
  CHECK(busy.status == BoardReserve::Status::Busy);
  CHECK(busy.message.find("pid " + std::to_string(child) + " `doomed`") != std::string::npos);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  // The kernel dropped the dead process's lock; the lock file (with its old note) is still there.
  CHECK(reserve_boards({board}, options_in(dir, 0ms, "after")).status == BoardReserve::Status::Reserved);
}

TEST_CASE("a lock directory that cannot be created is an infrastructure problem naming it", "[hil][bench][lock]") {
  TempDir dir;
  std::ofstream(dir / "file") << "x";
  BoardLockOptions o;
  o.dir = dir / "file/locks";  // below a regular file
  auto r = reserve_boards({board_at("b0", "udp://127.0.0.1:4105")}, o);
  CHECK(r.status == BoardReserve::Status::Failed);
  CHECK(r.message.find("cannot create the board lock directory " + o.dir) == 0);
}

TEST_CASE("two concurrent fleetsim processes on one board: the second exits 3 busy or waits, no wrong verdict",
          "[hil][bench][lock][e2e]") {
  // The upload of the 40,000-byte image takes 2 s at 20,000 B/s: the run holds the board that long at least.
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2", "--flash-rate", "20000"});
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 20, "2.0.0");
  const std::string boards = write_boards(dir, {board.uri});
  const std::string locks = dir / "locks";
  const std::string port = board.uri.substr(board.uri.rfind(':') + 1);
  auto run = std::async(std::launch::async, [&] {
    return run_fleetsim("run " + shell_quote(scenario) + " --boards " + shell_quote(boards) + " --out " +
                        shell_quote(dir / "out") + " --board-lock-dir " + shell_quote(locks));
  });
  REQUIRE(wait_for_text(locks + "/udp_127.0.0.1_" + port + ".lock", "`fleetsim run ", 20s));
  // The same board spelled another way, without waiting: busy, exit 3, nothing flashed.
  Cli busy = run_fleetsim("hil probe " + shell_quote("udp://localhost:" + port) + " --board-lock-dir " +
                          shell_quote(locks));
  INFO(busy.output);
  CHECK(busy.exit_code == 3);
  CHECK(busy.output.find("fleetsim hil: board udp://localhost:" + port + " busy, held by ") == 0);
  CHECK(busy.output.find("`fleetsim run " + scenario) != std::string::npos);
  CHECK(busy.output.find("healthy") == std::string::npos);
  // Waiting: the probe gets the board once the run is over and sees what the run left.
  Cli waited = run_fleetsim("hil probe " + shell_quote(board.uri) + " --board-wait 60 --board-lock-dir " +
                            shell_quote(locks));
  const Cli r = run.get();
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("PASS board b0 update to 2.0.0") != std::string::npos);
  INFO(waited.output);
  CHECK(waited.exit_code == 0);
  CHECK(waited.output.find("running 2.0.0") != std::string::npos);
}
