// A problem found in an input document (a scenario, a boards inventory, a catalog file), named by
// its JSON pointer, and the one way problems are printed: `FILE: /json/pointer: message`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fleetsim {

struct Problem {
  std::string pointer;   // JSON pointer, "" for the whole document
  std::string message;   // what is wrong, with "(expected …)" and "did you mean …" where useful
  // Where the value came from when not the file: the command-line option that set it
  // ("--seed -1", "--set \"seed=-1\""), so that the message blames the option.
  std::string origin = {};
};

// One line per problem: "FILE: /pointer: message", or "ORIGIN: /pointer: message".
std::string format_problems(const std::string& file, const std::vector<Problem>& problems);

// A key escaped as one JSON pointer token (RFC 6901: "~" → "~0", "/" → "~1").
std::string json_pointer_token(std::string_view key);

}  // namespace fleetsim
