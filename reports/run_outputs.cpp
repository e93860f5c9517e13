#include "reports/run_outputs.hpp"

#include "reports/result_writers.hpp"

namespace fleetsim {

std::vector<std::pair<std::string, std::string>> run_output_files(const Results& results, const RunStats& stats) {
  std::vector<std::pair<std::string, std::string>> files = {
      {"summary.json", summary_json(results)}, {"timeseries.csv", timeseries_csv(results)}, {"run.json", run_json(stats)}};
  if (results.traced) files.push_back({"devices.csv", devices_csv(results)});
  return files;
}

}  // namespace fleetsim
