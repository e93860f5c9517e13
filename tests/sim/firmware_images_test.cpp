// Firmware images per device model (README "Scenario format", "Images per device model"): each
// device downloads its own model's delta or full image and fails to boot at its image's rate; the
// single-image form means what it did. Whole-World runs of the minimal scenario
// (tests/test_scenarios.hpp: 1000 B/s downlink, transfers start at 4 s, no random failures), with a
// second model "g" equal to "m". Devices are numbered densely by cohort in file order.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/test_scenarios.hpp"

namespace fleetsim {
namespace {

using testing::add_cohort;
using testing::Doc;
using testing::minimal_model;
using testing::minimal_scenario;
using testing::run_scenario;

// Cohorts: "c" 3 × m on 1.0 (devices 0-2), "m-old" 2 × m on 0.9 (3-4), "g-new" 4 × g on 1.0 (5-8),
// "g-old" 1 × g on 0.9 (9). Firmware as the caller sets it.
Doc mixed_fleet() {
  Doc doc = minimal_scenario(3);
  doc["device_models"]["g"] = minimal_model();
  add_cohort(doc, "m-old", "m", 2, "0.9");
  add_cohort(doc, "g-new", "g", 4, "1.0");
  add_cohort(doc, "g-old", "g", 1, "0.9");
  return doc;
}

// The per-model images of mixed_fleet(): m 10000 B (delta from 1.0: 4000 B), g 30000 B (6000 B).
Doc per_model_images() {
  Doc doc = mixed_fleet();
  doc["firmware"] = Doc::parse(R"({"target": "2.0", "images": {
      "m": {"size": "10000B", "delta": {"1.0": "4000B"}},
      "g": {"size": "30000B", "delta": {"1.0": "6000B"}}}})");
  return doc;
}

const ModelResult& model(const Results& r, const std::string& name) {
  for (const ModelResult& m : r.models)
    if (m.model == name) return m;
  FAIL("no model " << name << " in the results");
  throw;
}

TEST_CASE("each device downloads its model's delta for its version, else its model's full image", "[images]") {
  auto run = run_scenario(per_model_images());
  // m on 1.0: delta 4000 B; m on 0.9: full 10000 B; g on 1.0: delta 6000 B; g on 0.9: full 30000 B.
  const double expected[10] = {4000, 4000, 4000, 10000, 10000, 6000, 6000, 6000, 6000, 30000};
  for (uint32_t d = 0; d < 10; ++d) {
    INFO("device " << d);
    CHECK(run->trace(d).bytes == expected[d]);
    CHECK(run->state(d) == DeviceState::Updated);
  }
}

TEST_CASE("a model's image size sets its devices' download time", "[images]") {
  auto run = run_scenario(per_model_images());
  // Bytes flow from 4 s at 1000 B/s: m's full 10000 B ends at 14 s, g's full 30000 B at 34 s.
  CHECK(run->trace(3).download_end == Approx(4 + 10000 / 1000.0));
  CHECK(run->trace(9).download_end == Approx(4 + 30000 / 1000.0));
}

TEST_CASE("results give each model's devices, full image and bytes delivered, summing to the fleet's", "[images]") {
  auto run = run_scenario(per_model_images());
  // m: 3 × 4000 + 2 × 10000 = 32000 B; g: 4 × 6000 + 1 × 30000 = 54000 B; together 86000 B.
  REQUIRE(run->results.models.size() == 2);
  CHECK(run->results.models[0].model == "m");  // order of first use by a cohort
  CHECK(model(run->results, "m").devices == 5);
  CHECK(model(run->results, "m").image_bytes == 10000);
  CHECK(model(run->results, "m").bytes_delivered == 32000);
  CHECK(model(run->results, "g").devices == 5);
  CHECK(model(run->results, "g").image_bytes == 30000);
  CHECK(model(run->results, "g").bytes_delivered == 54000);
  CHECK(run->results.bytes_delivered == 86000);
}

TEST_CASE("summary.json lists each model under models with its devices, image and bytes", "[images]") {
  auto run = run_scenario(per_model_images());
  const auto summary = nlohmann::json::parse(summary_json(run->results));
  // As above: m 5 devices, 10000 B image, 32000 B delivered; g 5, 30000 B, 54000 B.
  CHECK(summary["models"]["m"] == nlohmann::json::parse(R"({"devices": 5, "image_bytes": 10000, "bytes_delivered": 32000})"));
  CHECK(summary["models"]["g"] == nlohmann::json::parse(R"({"devices": 5, "image_bytes": 30000, "bytes_delivered": 54000})"));
  CHECK(summary["bytes"]["delivered"] == 86000);
}

TEST_CASE("a model without an image of its own downloads the shared size and delta", "[images]") {
  Doc doc = mixed_fleet();
  doc["firmware"] = Doc::parse(R"({"target": "2.0", "size": "10000B", "delta": {"1.0": "4000B"},
                                   "images": {"g": {"size": "30000B"}}})");
  auto run = run_scenario(doc);
  // m: shared delta 4000 B (1.0) and full 10000 B (0.9); g: no delta of its own, so 30000 B each
  // (the shared delta is not g's).
  const double expected[10] = {4000, 4000, 4000, 10000, 10000, 30000, 30000, 30000, 30000, 30000};
  for (uint32_t d = 0; d < 10; ++d) {
    INFO("device " << d);
    CHECK(run->trace(d).bytes == expected[d]);
  }
}

TEST_CASE("each model's image fails to boot at its own rate", "[images]") {
  Doc doc = per_model_images();
  doc["firmware"]["images"]["m"]["boot_failure"] = "100%";
  doc["firmware"]["images"]["g"]["boot_failure"] = "0%";
  auto run = run_scenario(doc);
  // A/B devices: every m device fails to boot and rolls back, no g device does.
  for (uint32_t d = 0; d < 5; ++d) CHECK(run->state(d) == DeviceState::RolledBack);
  for (uint32_t d = 5; d < 10; ++d) CHECK(run->state(d) == DeviceState::Updated);
}

TEST_CASE("an image without a boot failure of its own takes the shared one for its model", "[images]") {
  Doc doc = per_model_images();
  doc["firmware"]["boot_failure"] = Doc{{"g", "100%"}};
  auto run = run_scenario(doc);
  // g's image has no boot_failure: the shared per-model 100 % applies to g, m's default is 0.
  for (uint32_t d = 0; d < 5; ++d) CHECK(run->state(d) == DeviceState::Updated);
  for (uint32_t d = 5; d < 10; ++d) CHECK(run->state(d) == DeviceState::RolledBack);
}

TEST_CASE("the single-image form and the same image written per model give identical results", "[images]") {
  // Random boot failures and a 50 % version mix, so that the comparison covers drawn outcomes.
  Doc single = mixed_fleet();
  single["fleet"]["cohorts"][0]["count"] = 200;
  single["fleet"]["cohorts"][0]["firmware"] = Doc{{"1.0", "50%"}, {"0.9", "50%"}};
  single["firmware"] = Doc::parse(R"({"target": "2.0", "size": "10000B", "delta": {"1.0": "4000B"},
                                      "boot_failure": "30%"})");
  Doc per_model = single;
  per_model["firmware"] = Doc::parse(R"({"target": "2.0", "images": {
      "m": {"size": "10000B", "delta": {"1.0": "4000B"}, "boot_failure": "30%"},
      "g": {"size": "10000B", "delta": {"1.0": "4000B"}, "boot_failure": "30%"}}})");
  auto a = run_scenario(single);
  auto b = run_scenario(per_model);
  REQUIRE(a->count(DeviceState::RolledBack) > 0);
  REQUIRE(a->count(DeviceState::Updated) > 0);
  CHECK(summary_json(a->results) == summary_json(b->results));
  CHECK(timeseries_csv(a->results) == timeseries_csv(b->results));
  CHECK(devices_csv(a->results) == devices_csv(b->results));
}

TEST_CASE("the single-image form still downloads the shared delta or full image on every model", "[images]") {
  Doc doc = mixed_fleet();
  doc["firmware"]["delta"]["1.0"] = "4000B";  // size 10000 B from minimal_scenario()
  auto run = run_scenario(doc);
  // 7 devices on 1.0 (c, g-new) × 4000 B + 3 on 0.9 (m-old, g-old) × 10000 B = 58000 B; per model
  // m: 3 × 4000 + 2 × 10000 = 32000 B, g: 4 × 4000 + 10000 = 26000 B, both with a 10000 B image.
  CHECK(run->results.bytes_delivered == 58000);
  CHECK(model(run->results, "m").bytes_delivered == 32000);
  CHECK(model(run->results, "g").bytes_delivered == 26000);
  CHECK(model(run->results, "g").image_bytes == 10000);
}

TEST_CASE("a fleet model with no image and no shared size is an error naming the model and the fix", "[images]") {
  Doc doc = per_model_images();
  doc["firmware"]["images"].erase("g");
  const LoadResult r = load_scenario_text(doc.dump(), "f.json");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].pointer == "/firmware/images");
  CHECK_THAT(r.problems[0].message, Catch::Contains("device model \"g\" (cohort \"g-new\") has no image"));
  CHECK_THAT(r.problems[0].message, Catch::Contains("\"g\": {\"size\": ...} in \"images\""));
}

TEST_CASE("without images a missing shared size is still the missing required key", "[images]") {
  Doc doc = minimal_scenario();
  doc["firmware"].erase("size");
  const LoadResult r = load_scenario_text(doc.dump(), "f.json");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].pointer == "/firmware/size");
  CHECK_THAT(r.problems[0].message, Catch::Contains("missing required key \"size\""));
}

TEST_CASE("a model's boot failure given in its image and in the shared boot_failure is an error", "[images]") {
  Doc doc = per_model_images();
  doc["firmware"]["images"]["g"]["boot_failure"] = "1%";
  doc["firmware"]["boot_failure"] = Doc{{"g", "2%"}};
  const LoadResult r = load_scenario_text(doc.dump(), "f.json");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].pointer == "/firmware/images/g/boot_failure");
  CHECK_THAT(r.problems[0].message, Catch::Contains("given twice, here and in /firmware/boot_failure/g"));
}

TEST_CASE("a delta larger than its model's image is an error at the delta", "[images]") {
  Doc doc = per_model_images();
  doc["firmware"]["images"]["m"]["delta"]["1.0"] = "20000B";  // m's image is 10000 B
  const LoadResult r = load_scenario_text(doc.dump(), "f.json");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].pointer == "/firmware/images/m/delta/1.0");
  CHECK_THAT(r.problems[0].message, Catch::Contains("larger than the full image"));
}

}  // namespace
}  // namespace fleetsim
