// fleetsim's exit codes, the one definition every command and the CI gate use. A CI retries
// kInfrastructure and fails the build on kFailed; kBadInput means the inputs must be fixed.
#pragma once

namespace fleetsim::exit_code {

constexpr int kOk = 0;
// A check did not pass: an assertion, a wave gate, a board's firmware; `fleetsim compare`: the
// runs differ.
constexpr int kFailed = 1;
// The input is wrong: a scenario, an inventory, an image, a command line.
constexpr int kBadInput = 2;
// fleetsim could not do its job: a board unreachable, a file not writable, a crashed process.
constexpr int kInfrastructure = 3;

}  // namespace fleetsim::exit_code
