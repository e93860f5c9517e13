// Warnings: valid scenarios that are almost certainly a mistake (sim/scenario/scenario_warnings.hpp).
// Each case starts from the minimal scenario (tests/test_scenarios.hpp: one cohort "c" of devices
// on "1.0", target "2.0" of 10000 B, model "m" with a fixed 1000 B/s downlink, a 1 h run), adds one
// mistake, and checks the warning's JSON path and the numbers in its message.
#include <catch2/catch.hpp>

#include <filesystem>

#include "sim/scenario/scenario_warnings.hpp"
#include "tests/cli_runner.hpp"
#include "tests/test_scenarios.hpp"

namespace fleetsim {
namespace {

using testing::Doc;
using testing::minimal_scenario;

LoadResult load(const Doc& doc) {
  LoadResult r = load_scenario_text(doc.dump(), "w.json");
  INFO(r.format("w.json"));
  REQUIRE(r.problems.empty());
  return r;
}

// The one warning at `pointer` (the test fails when there is none or several).
std::string warning_at(const LoadResult& r, const std::string& pointer) {
  std::string message;
  int found = 0;
  for (const Problem& w : r.warnings)
    if (w.pointer == pointer) {
      message = w.message;
      ++found;
    }
  INFO(format_warnings("w.json", r.warnings));
  REQUIRE(found == 1);
  return message;
}

Doc waves(int64_t count, std::initializer_list<const char*> percents) {
  Doc doc = minimal_scenario(count);
  doc["rollout"] = {{"strategy", "waves"}, {"waves", Doc::array()}};
  for (const char* p : percents) doc["rollout"]["waves"].push_back({{"percent", p}});
  return doc;
}

TEST_CASE("a scenario without mistakes has no warnings") {
  CHECK(load(minimal_scenario(10)).warnings.empty());
  CHECK(load(waves(1000, {"10%", "100%"})).warnings.empty());
}

TEST_CASE("a last wave that ends below 100 % warns how many eligible devices it leaves out") {
  // 1000 eligible devices; the last wave's cumulative share 50 % ends at device 500.
  const LoadResult r = load(waves(1000, {"10%", "50%"}));
  const std::string m = warning_at(r, "/rollout/waves/1/percent");
  CHECK_THAT(m, Catch::Contains("ends at 500 of 1000 eligible devices (50%)"));
  CHECK_THAT(m, Catch::Contains("\"percent\": \"100%\""));
}

TEST_CASE("waves given as device counts that stop short of the fleet warn too") {
  // 300 + 200 = 500 of 1000 devices.
  Doc doc = minimal_scenario(1000);
  doc["rollout"] = {{"strategy", "waves"}, {"waves", {{{"devices", 300}}, {{"devices", 200}}}}};
  CHECK_THAT(warning_at(load(doc), "/rollout/waves/1/devices"), Catch::Contains("ends at 500 of 1000"));
}

TEST_CASE("a delta keyed by a version no device runs warns and suggests the version that does") {
  // The fleet runs "2.3.0"; the delta says "2.3": it is never used.
  Doc doc = minimal_scenario(10);
  doc["fleet"]["cohorts"][0]["firmware"] = {{"2.3.0", 1}};
  doc["firmware"]["target"] = "2.4.0";
  doc["firmware"]["delta"] = {{"2.3", "1000B"}};
  const std::string m = warning_at(load(doc), "/firmware/delta/2.3");
  CHECK_THAT(m, Catch::Contains("full images go out"));
  CHECK_THAT(m, Catch::Contains("did you mean \"2.3.0\"?"));
}

TEST_CASE("a delta no smaller than the full image warns") {
  Doc doc = minimal_scenario(10);
  doc["firmware"]["delta"] = {{"1.0", "10000B"}};  // as large as the full image (larger is an error)
  CHECK_THAT(warning_at(load(doc), "/firmware/delta/1.0"), Catch::Contains("not smaller than the full image"));
}

// Two models on different versions, each with its own image: "m" (cohort "c") on 2.3.0, "g" on 2.2.0.
Doc two_images() {
  Doc doc = minimal_scenario(10);
  doc["device_models"]["g"] = testing::minimal_model();
  doc["fleet"]["cohorts"][0]["firmware"] = {{"2.3.0", 1}};
  testing::add_cohort(doc, "gateways", "g", 5, "2.2.0");
  doc["firmware"] = Doc::parse(R"({"target": "2.4.0", "images": {
      "m": {"size": "10000B"}, "g": {"size": "30000B"}}})");
  return doc;
}

TEST_CASE("a fleet whose models each have their own image has no warnings") { CHECK(load(two_images()).warnings.empty()); }

TEST_CASE("a delta in a model's image keyed by a version no device of that model runs warns") {
  // m devices run "2.3.0"; "2.3" is never used. "2.2.0" is run, but by g devices only.
  Doc doc = two_images();
  doc["firmware"]["images"]["m"]["delta"] = {{"2.3", "1000B"}, {"2.2.0", "1000B"}};
  const LoadResult r = load(doc);
  const std::string m = warning_at(r, "/firmware/images/m/delta/2.3");
  CHECK_THAT(m, Catch::Contains("no m device runs \"2.3\", so this delta is never used and full images go out"));
  CHECK_THAT(m, Catch::Contains("did you mean \"2.3.0\"?"));
  CHECK_THAT(warning_at(r, "/firmware/images/m/delta/2.2.0"), Catch::Contains("no m device runs \"2.2.0\""));
}

TEST_CASE("a delta no smaller than its model's image warns") {
  Doc doc = two_images();
  doc["firmware"]["images"]["g"]["delta"] = {{"2.2.0", "30000B"}};  // as large as g's image
  CHECK_THAT(warning_at(load(doc), "/firmware/images/g/delta/2.2.0"),
             Catch::Contains("the delta (29.30 KiB) is not smaller than the full image (29.30 KiB)"));
}

TEST_CASE("an image for a model no cohort uses warns and lists the fleet's models") {
  Doc doc = two_images();
  doc["firmware"]["images"]["gg"] = {{"size", "1MiB"}};
  const std::string m = warning_at(load(doc), "/firmware/images/gg");
  CHECK_THAT(m, Catch::Contains("no cohort uses device model \"gg\", so this image is never downloaded"));
  CHECK_THAT(m, Catch::Contains("(expected one of the fleet's models: \"m\" or \"g\")"));
}

TEST_CASE("a shared size that every model's own image replaces warns") {
  Doc doc = two_images();
  doc["firmware"]["size"] = "1MiB";
  CHECK_THAT(warning_at(load(doc), "/firmware/size"), Catch::Contains("the shared \"size\" and \"delta\" are never used"));
}

TEST_CASE("an image's boot_failure written as a bare 1 warns that every device of its model fails") {
  Doc doc = two_images();
  doc["firmware"]["images"]["g"]["boot_failure"] = 1;
  CHECK_THAT(warning_at(load(doc), "/firmware/images/g/boot_failure"),
             Catch::Contains("the target fails to boot on every g device"));
  doc["firmware"]["images"]["g"]["boot_failure"] = "100%";
  CHECK(load(doc).warnings.empty());
}

TEST_CASE("an execution timeout is compared with the download of each model's own image") {
  // 1000 B/s: m's 10000 B take 10 s, g's 30000 B take 30 s; a 20 s timeout is too short for g only.
  Doc doc = two_images();
  doc["rollout"]["execution_timeout"] = "20s";
  const std::string m = warning_at(load(doc), "/rollout/execution_timeout");
  CHECK_THAT(m, Catch::Contains("a g device needs about 30s to download 29.30 KiB"));
}

TEST_CASE("max_failure written as a bare 1 warns that the gate can never fire, \"1%\" does not") {
  Doc doc = minimal_scenario(10);
  doc["rollout"]["gates"] = {{"max_failure", 1}};
  CHECK_THAT(warning_at(load(doc), "/rollout/gates/max_failure"), Catch::Contains("write \"1%\""));
  doc["rollout"]["gates"] = {{"max_failure", "1%"}};
  CHECK(load(doc).warnings.empty());
}

TEST_CASE("boot_failure written as a bare 1 warns that every device fails, \"100%\" does not") {
  Doc doc = minimal_scenario(10);
  doc["firmware"]["boot_failure"] = 1;
  CHECK_THAT(warning_at(load(doc), "/firmware/boot_failure"), Catch::Contains("fails to boot on every device"));
  doc["firmware"]["boot_failure"] = "100%";
  CHECK(load(doc).warnings.empty());
}

TEST_CASE("an abort threshold written as a bare 1 warns that it never fires") {
  Doc doc = minimal_scenario(10);
  doc["rollout"]["abort"] = {{{"failure", "any"}, {"threshold", 1}}};
  CHECK_THAT(warning_at(load(doc), "/rollout/abort/0/threshold"), Catch::Contains("cannot happen"));
}

TEST_CASE("an abort criterion needing more executions than eligible devices warns") {
  Doc doc = minimal_scenario(10);
  doc["rollout"]["abort"] = {{{"failure", "any"}, {"threshold", "5%"}, {"min_executed", 500}}};
  CHECK_THAT(warning_at(load(doc), "/rollout/abort/0/min_executed"),
             Catch::Contains("needs 500 executions and the rollout has only 10 eligible devices"));
}

TEST_CASE("a fixed release rate too low for the fleet warns with the most it can release") {
  // 1000 devices need the update; 10 a minute for 60 minutes release at most 600;
  // all of them need ceil(1000 / 60) = 17 a minute.
  Doc doc = minimal_scenario(1000);
  doc["rollout"]["max_per_minute"] = 10;
  const std::string m = warning_at(load(doc), "/rollout/max_per_minute");
  CHECK_THAT(m, Catch::Contains("at most 600 of the 1000 devices"));
  CHECK_THAT(m, Catch::Contains("at least 17 a minute"));
}

TEST_CASE("devices already on the target do not count against the release rate") {
  // 1000 devices, 50 % already on "2.0": 500 need the update, and 10 a minute for 60 minutes = 600.
  Doc doc = minimal_scenario(1000);
  doc["fleet"]["cohorts"][0]["firmware"] = {{"1.0", "50%"}, {"2.0", "50%"}};
  doc["rollout"]["max_per_minute"] = 10;
  CHECK(load(doc).warnings.empty());
}

TEST_CASE("an execution timeout shorter than the image's download warns") {
  // 10000 B at the model's 1000 B/s take 10 s; the timeout is 5 s.
  Doc doc = minimal_scenario(10);
  doc["rollout"]["execution_timeout"] = "5s";
  const std::string m = warning_at(load(doc), "/rollout/execution_timeout");
  CHECK_THAT(m, Catch::Contains("about 10s to download"));
  doc["rollout"]["execution_timeout"] = "20s";
  CHECK(load(doc).warnings.empty());
}

TEST_CASE("a fault or an outage at or after the end of the run warns that it never happens") {
  Doc doc = minimal_scenario(10);
  doc["faults"] = {{{"kind", "update_service_brownout"}, {"at", "1h"}, {"for", "10m"}, {"factor", 0.5}}};
  doc["regions"]["r"]["outages"] = {{{"at", "2h"}, {"for", "1m"}}};
  CHECK_THAT(warning_at(load(doc), "/faults/0/at"), Catch::Contains("never happens: the run ends at 1h"));
  CHECK_THAT(warning_at(load(doc), "/regions/r/outages/0/at"), Catch::Contains("never happens"));
}

TEST_CASE("a capacity fault with factor 1 warns that it changes nothing") {
  Doc doc = minimal_scenario(10);
  doc["faults"] = {{{"kind", "cdn_degradation"}, {"at", "10m"}, {"for", "10m"}, {"factor", 1}}};
  CHECK_THAT(warning_at(load(doc), "/faults/0/factor"), Catch::Contains("changes nothing"));
}

TEST_CASE("a rollout that starts after the run ends warns") {
  Doc doc = minimal_scenario(10);
  doc["rollout"]["start"] = "2h";
  CHECK_THAT(warning_at(load(doc), "/rollout/start"), Catch::Contains("no device is released"));
}

TEST_CASE("a round trip of seconds where milliseconds were meant warns") {
  Doc doc = minimal_scenario(10);
  doc["regions"]["r"]["rtt"] = "50s";
  CHECK_THAT(warning_at(load(doc), "/regions/r/rtt"), Catch::Contains("did you mean \"50ms\"?"));
}

TEST_CASE("a region without devices warns") {
  Doc doc = minimal_scenario(10);
  doc["regions"]["empty"] = {{"rtt", "20ms"}};
  doc["platform"]["cdn"]["regions"]["empty"] = {{"egress", "1Gbps"}};
  CHECK_THAT(warning_at(load(doc), "/regions/empty"), Catch::Contains("no cohort is in region \"empty\""));
}

TEST_CASE("a fleet already on the target warns that the rollout has nothing to do") {
  Doc doc = minimal_scenario(10);
  doc["fleet"]["cohorts"][0]["firmware"] = {{"2.0", 1}};
  CHECK_THAT(warning_at(load(doc), "/firmware/target"), Catch::Contains("nothing to do"));
}

TEST_CASE("a maintenance window with a cohort that has no time zone warns") {
  Doc doc = minimal_scenario(10);
  doc["rollout"]["maintenance_window"] = {{"local", "01:00-05:00"}};
  CHECK_THAT(warning_at(load(doc), "/fleet/cohorts/0"), Catch::Contains("its window is in UTC"));
  doc["fleet"]["cohorts"][0]["timezone"] = "UTC";
  CHECK(load(doc).warnings.empty());
}

TEST_CASE("a sample interval longer than half the run warns") {
  Doc doc = minimal_scenario(10);
  doc["output"] = {{"interval", "40m"}};  // 2 × 40 min > 1 h
  CHECK_THAT(warning_at(load(doc), "/output/interval"), Catch::Contains("at most 2 rows"));
}

TEST_CASE("broker limits in a fleet without push devices warn") {
  Doc doc = minimal_scenario(10);
  doc["device_models"]["m"]["behaviour"]["notification"] = "poll";
  doc["device_models"]["m"]["behaviour"]["poll_interval"] = "1h";
  doc["platform"]["broker"] = {{"connect_rate", "100/s"}};
  CHECK_THAT(warning_at(load(doc), "/platform/broker"), Catch::Contains("no device model in the fleet is push"));
}

TEST_CASE("a percent written as a bare 50 is an error that suggests \"50%\"") {
  Doc doc = waves(1000, {"10%", "100%"});
  doc["rollout"]["waves"][0]["percent"] = 50;
  const LoadResult r = load_scenario_text(doc.dump(), "w.json");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].pointer == "/rollout/waves/0/percent");
  CHECK_THAT(r.problems[0].message, Catch::Contains("did you mean \"50%\"?"));
  CHECK_THAT(r.problems[0].message, !Catch::Contains("5000%"));
}

TEST_CASE("a gate share written as a bare 85 is an error that suggests \"85%\"") {
  Doc doc = minimal_scenario(10);
  doc["rollout"]["gates"] = {{"min_success", 85}};
  const LoadResult r = load_scenario_text(doc.dump(), "w.json");
  REQUIRE(r.problems.size() == 1);
  CHECK_THAT(r.problems[0].message, Catch::Contains("did you mean \"85%\"?"));
}

TEST_CASE("every shipped scenario validates without warnings") {
  int checked = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(FLEETSIM_SOURCE_DIR "/scenarios")) {
    if (e.path().extension() != ".json" || e.path().filename() == "scenario.schema.json") continue;
    const LoadResult r = load_scenario_file(e.path().string());
    INFO(e.path().string() << "\n" << r.format(e.path().string()) << format_warnings(e.path().string(), r.warnings));
    CHECK(r.problems.empty());
    CHECK(r.warnings.empty());
    ++checked;
  }
  CHECK(checked >= 10);  // quickstart, 5 QA scenarios, 4 benchmarks
}

TEST_CASE("validate prints each warning with its path and --strict turns warnings into exit 2") {
  testing::TempDir dir;
  Doc doc = waves(1000, {"10%", "50%"});
  std::ofstream(dir / "w.json") << doc.dump();
  const testing::Cli plain = testing::run_fleetsim("validate " + testing::shell_quote(dir / "w.json"));
  CHECK(plain.exit_code == 0);
  CHECK_THAT(plain.output, Catch::Contains("w.json: /rollout/waves/1/percent: warning: the last wave ends at 500"));
  CHECK_THAT(plain.output, Catch::Contains("1 warning(s)"));
  const testing::Cli strict = testing::run_fleetsim("validate --strict " + testing::shell_quote(dir / "w.json"));
  CHECK(strict.exit_code == 2);
  CHECK_THAT(strict.output, Catch::Contains("an error with --strict"));
}

TEST_CASE("a run lists its warnings in summary.json, summary.md and report.html, and --strict refuses to run") {
  testing::TempDir dir;
  std::ofstream(dir / "w.json") << waves(100, {"10%", "50%"}).dump();
  const std::string out = dir / "out";
  const testing::Cli run =
      testing::run_fleetsim("run --quiet " + testing::shell_quote(dir / "w.json") + " --out " + testing::shell_quote(out));
  REQUIRE(run.exit_code == 0);
  const auto summary = nlohmann::json::parse(testing::slurp(out + "/summary.json"));
  REQUIRE(summary["warnings"].size() == 1);
  CHECK(summary["warnings"][0]["pointer"] == "/rollout/waves/1/percent");
  CHECK_THAT(testing::slurp(out + "/summary.md"), Catch::Contains("### Warnings"));
  CHECK_THAT(testing::slurp(out + "/report.html"), Catch::Contains("<h2>Warnings</h2>"));

  const testing::Cli strict = testing::run_fleetsim("run --quiet --strict " + testing::shell_quote(dir / "w.json") +
                                                    " --out " + testing::shell_quote(dir / "strict"));
  CHECK(strict.exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(dir / "strict/summary.json"));
}

}  // namespace
}  // namespace fleetsim
