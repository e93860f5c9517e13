// The "firmware" section: the target version, the image and delta sizes, and the boot-failure
// share, overall or per device model.
#include <algorithm>
#include <cmath>

#include "sim/core/json_units.hpp"
#include "sim/core/units.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace fleetsim {

using namespace json_reader;

namespace {

constexpr double kMaxImageBytes = 4294967296.0;

}  // namespace

void ScenarioReader::read_firmware(const Field& f) {
  Obj o(f, {"target", "size", "delta", "boot_failure"});
  set(s_.firmware.target, text(o.required("target", "the target version string")));
  Field size_field = o.required("size", "a size like \"1.8MiB\"");
  std::optional<Bytes> image;
  if (auto written = size(size_field)) image = Bytes(std::ceil(written->value));  // an image is whole bytes
  if (image && image->value >= kMaxImageBytes) {  // a device counts downloaded bytes in 32 bits
    size_field.error("image size " + as_written(size_field) + " is 4 GiB or more (expected a firmware image below 4GiB)");
    image.reset();
  }
  set(s_.firmware.size, image);
  for_each_member(o["delta"], [&](const std::string& version, const Field& df) {
    auto d = size(df);
    if (!d) return;
    if (image && *d > *image) {
      df.error("delta " + as_written(df) + " is larger than the full image " + units::format_size(*image) +
               " (expected a delta no larger than \"size\")");
      return;
    }
    s_.firmware.delta[version] = Bytes(std::ceil(d->value));
  });
  Field bf = o["boot_failure"];
  if (bf.j && bf.j->is_object()) {
    const auto models = used_models();
    for_each_member(bf, [&](const std::string& model, const Field& mf) {
      auto v = fraction(mf);
      if (std::find(models.begin(), models.end(), model) == models.end()) {
        mf.error("model " + quote(model) + " is not used by any cohort" + suggestion(model, models, "used: "));
        return;
      }
      if (v) s_.firmware.boot_failure_by_model[model] = *v;
    });
  } else {
    set(s_.firmware.boot_failure, fraction(bf));
  }
}

}  // namespace fleetsim
