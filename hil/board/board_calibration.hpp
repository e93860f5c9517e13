// Measuring a board to parameterise its device model (README "Hardware in the loop", Calibration): over N
// rounds, the upload throughput of an image to slot 1, the reset-to-ready time (reset request
// to the first answer, no swap), and the health-check time (echo, params, state read). The
// result is written as device-model parameters (link.downlink, phases.reboot,
// phases.health_check) with their source, ready to paste into a model.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "hil/board/smp_client.hpp"

namespace fleetsim::hil {

struct CalibrationRound {
  double upload_bytes_per_second = 0;
  double reset_to_ready_seconds = 0;
  double health_check_seconds = 0;
};

struct Calibration {
  std::vector<CalibrationRound> rounds;  // completed rounds
  std::string problem;                   // why it stopped early; empty when all rounds ran
  bool infrastructure = false;           // the problem is the board being unreachable
  std::size_t chunk_bytes = 0;           // largest upload data field
};

Calibration calibrate_board(SmpClient& client, std::span<const std::uint8_t> image, int rounds,
                            std::chrono::milliseconds reboot_timeout);

// {"link": {"downlink": …}, "phases": {"reboot": …, "health_check": …}, "sources": {…}}: a
// normal distribution over the rounds (fixed when they agree or there is one round).
nlohmann::ordered_json calibration_parameters(const Calibration& calibration, const std::string& source);

}  // namespace fleetsim::hil
