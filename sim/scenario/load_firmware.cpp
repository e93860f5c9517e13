// The "firmware" section: the target version, the image and delta sizes, and the boot-failure
// share, overall or per device model; or an image of its own per device model ("images").
#include <algorithm>
#include <cmath>

#include "sim/core/json_units.hpp"
#include "sim/core/units.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace fleetsim {

using namespace json_reader;

namespace {

constexpr double kMaxImageBytes = 4294967296.0;

// A full image's size: whole bytes, below 4 GiB.
std::optional<Bytes> image_size(const Field& f) {
  auto written = size(f);
  if (!written) return std::nullopt;
  const Bytes image(std::ceil(written->value));  // an image is whole bytes
  if (image.value >= kMaxImageBytes) {  // a device counts downloaded bytes in 32 bits
    f.error("image size " + as_written(f) + " is 4 GiB or more (expected a firmware image below 4GiB)");
    return std::nullopt;
  }
  return image;
}

// The deltas {from-version: size} of an image of `full` bytes (unknown when its size has a problem).
std::map<std::string, Bytes> deltas(const Field& f, const std::optional<Bytes>& full) {
  std::map<std::string, Bytes> out;
  for_each_member(f, [&](const std::string& version, const Field& df) {
    auto d = size(df);
    if (!d) return;
    if (full && *d > *full) {
      df.error("delta " + as_written(df) + " is larger than the full image " + units::format_size(*full) +
               " (expected a delta no larger than \"size\")");
      return;
    }
    out[version] = Bytes(std::ceil(d->value));
  });
  return out;
}

}  // namespace

void ScenarioReader::read_firmware(const Field& f) {
  Obj o(f, {"target", "size", "delta", "boot_failure", "images"});
  set(s_.firmware.target, text(o.required("target", "the target version string")));
  const Field images = o["images"];
  // With per-model images the shared "size" is only needed by models that have none.
  const Field size_field =
      images.j ? o["size"] : o.required("size", "a size like \"1.8MiB\", or an image per device model in \"images\"");
  const std::optional<Bytes> image = image_size(size_field);
  set(s_.firmware.image.size, image);
  s_.firmware.image.delta = deltas(o["delta"], image);

  const auto models = used_models();
  Field bf = o["boot_failure"];
  if (bf.j && bf.j->is_object()) {
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

  // An image named for a model no cohort uses is a warning (scenario_warnings.cpp), not an error:
  // one firmware file can serve fleets that differ in their models.
  for_each_member(images, [&](const std::string& model, const Field& mf) {
    Obj io(mf, {"size", "delta", "boot_failure"});
    if (!io.valid()) return;
    FirmwareImage own;
    const std::optional<Bytes> full = image_size(io.required("size", "the model's full image size like \"64MiB\""));
    set(own.size, full);
    own.delta = deltas(io["delta"], full);
    const Field obf = io["boot_failure"];
    own.boot_failure = fraction(obf);
    if (own.boot_failure && s_.firmware.boot_failure_by_model.count(model))
      obf.error("the boot failure of model " + quote(model) + " is given twice, here and in " + bf.ptr + "/" +
                json_pointer_token(model) + " (expected it in one place)");
    s_.firmware.images[model] = std::move(own);
  }, "an object of images by device model, e.g. {\"eth-gateway\": {\"size\": \"64MiB\"}}");

  // Every model in the fleet downloads an image: its own, else the shared one.
  if (fleet_ok_ && images.j && images.j->is_object() && !size_field.j)
    for (const std::string& model : models) {
      if (images.j->contains(model)) continue;
      const auto first = std::find_if(s_.cohorts.begin(), s_.cohorts.end(), [&](const Cohort& c) { return c.model == model; });
      images.error("device model " + quote(model) + " (cohort " + quote(first->name) +
                   ") has no image here and there is no shared \"size\" (expected " + quote(model) +
                   ": {\"size\": ...} in \"images\", or a \"size\" next to \"images\" for the models without one)");
    }
}

}  // namespace fleetsim
