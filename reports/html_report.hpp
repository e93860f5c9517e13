// report.html: one self-contained page per run (no network: uPlot, the page's script and styles
// and the data are inlined) with interactive time-series charts, the controller's decisions
// marked on the time axis, the test cases, the time-to-update distribution and the scenario.
// Long runs are downsampled to at most kReportPoints points per series, so the page stays light.
#pragma once

#include <cstddef>
#include <string>

#include "reports/run_report.hpp"

namespace fleetsim {

constexpr size_t kReportPoints = 1000;

std::string html_report(const RunReport& report);

// The page's data: the time axis, the charts (series downsampled to kReportPoints, limits), the
// controller's decisions as marks and the time-to-update histogram; with the run's scenario also
// the progress per cohort and region and the fault and maintenance bands. compare.html overlays two.
struct Scenario;
nlohmann::ordered_json chart_data(const RunReport& report, const Scenario* scenario = nullptr);

// The page's inlined assets by file name (uPlot.iife.min.js, uPlot.min.css, report.js,
// report.css), compiled in from reports/vendor and reports/assets.
const std::string& report_asset(const std::string& name);

// JSON for a <script> element: "</" is written as "<\/" so the text cannot close the element.
std::string script_safe_json(const std::string& json);

}  // namespace fleetsim
