// Loading a local page in a real headless Chromium (Debian's chromium) from tests: a fresh
// profile, no background networking, the DOM dumped once the page's scripts and timers have run,
// and Chromium's own log, where every console message of the page appears. Pages that check
// themselves write what they drew into <pre id="render-status" data-done="1">.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli_runner.hpp"
#include "tests/reports/text_between.hpp"

namespace fleetsim::testing {

struct PageLoad {
  int exit_code = -1;
  std::string dom;
  std::string browser_log;  // Chromium's stderr: console messages appear as ":CONSOLE" lines
};

// Loads a local file in headless Chromium with a fresh profile and no background networking, and
// dumps the DOM once the page's scripts and timers have run (virtual time), at most 120 s.
inline PageLoad load_page(const std::string& html, const TempDir& tmp) {
  const std::string log = tmp / "chromium.log";
  const std::string args =
      "120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage "
      "--user-data-dir=" +
      shell_quote(tmp / "profile") +
      " --window-size=1280,2000 --enable-logging=stderr --v=0 --virtual-time-budget=10000 --dump-dom " +
      shell_quote("file://" + std::filesystem::absolute(html).string());
  Cli r = run_program("timeout", args, "2>" + shell_quote(log));
  return {r.exit_code, r.output, slurp(log)};
}

inline std::vector<std::string> console_lines(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
  return lines;
}

// The JSON the page wrote into <pre id="render-status" ... data-done="1">, or null.
inline nlohmann::json render_status(const std::string& dom) {
  const auto tags = all_between(dom, "<pre id=\"render-status\"", "</pre>");
  if (tags.size() != 1 || tags[0].find("data-done=\"1\"") == std::string::npos) return nullptr;
  std::string text = tags[0].substr(tags[0].find('>') + 1);
  for (auto [from, to] : {std::pair{"&quot;", "\""}, std::pair{"&lt;", "<"}, std::pair{"&gt;", ">"}})
    for (size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, std::string(from).size(), to);
  for (size_t at; (at = text.find("&amp;")) != std::string::npos;) text.replace(at, 5, "&");
  return nlohmann::json::parse(text);
}


}  // namespace fleetsim::testing
