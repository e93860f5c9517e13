#include "hil/emulator/board_emulator.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>

#include "hil/protocol/mcuboot_image.hpp"
#include "hil/protocol/smp_error.hpp"
#include "sim/core/atomic_file.hpp"

namespace fleetsim::hil {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Thrown by command handlers, turned into the reply by handle(). A group error takes the v2
// `err` shape (or a translated v1 `rc`); an SMP-level error is always a top-level `rc`.
struct SmpLevelError {
  SmpRc rc;
};
struct GroupError {
  std::uint16_t group;
  std::int64_t rc;
  SmpRc legacy;  // what an SMP v1 client gets instead (Zephyr's *_translate_error_code)
};
// Unwinds out of a request when --die-at-offset cuts the power: no reply.
struct PowerCut {};

constexpr std::uint16_t kSmpGroupStat = 2;
// OS group (0) and stat group (2) v2 codes (Zephyr's os_mgmt.h / stat_mgmt.h).
constexpr std::int64_t kOsInvalidFormat = 2;
constexpr std::int64_t kStatInvalidGroup = 2;

// Zephyr's translation of image group codes for SMP v1 clients (img_mgmt_translate_error_code).
SmpRc legacy_rc(ImageRc rc) {
  switch (rc) {
    case ImageRc::NoImage:
    case ImageRc::HashNotFound: return SmpRc::NoEnt;
    case ImageRc::NoFreeSlot:
    case ImageRc::CurrentVersionIsNewer:
    case ImageRc::ImageAlreadyPending:
    case ImageRc::ImageSettingTestToActiveDenied: return SmpRc::BadState;
    default: return SmpRc::Inval;
  }
}

GroupError image_error(ImageRc rc) {
  return GroupError{kSmpGroupImage, static_cast<std::int64_t>(rc), legacy_rc(rc)};
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0xF];
  }
  return out;
}

std::vector<std::uint8_t> from_hex(const std::string& text) {
  std::vector<std::uint8_t> out;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (text.size() % 2 != 0) throw std::runtime_error("state.json: bad hex");
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) throw std::runtime_error("state.json: bad hex");
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

std::vector<std::uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_file(const fs::path& path, std::span<const std::uint8_t> bytes) {
  const std::string content(bytes.begin(), bytes.end());
  const std::string error = write_files_atomically({{path.string(), content}});
  if (!error.empty()) throw std::runtime_error(error);
}

const json* field(const json& map, const char* key) {
  const auto it = map.find(key);
  return it == map.end() ? nullptr : &*it;
}

bool is_uint(const json* v) { return v && v->is_number_unsigned(); }

// Version of the image's major.minor.revision (MCUboot's downgrade check ignores build).
bool newer_than(const ImageVersion& a, const ImageVersion& b) {
  return std::tie(a.major, a.minor, a.revision) > std::tie(b.major, b.minor, b.revision);
}

}  // namespace

BoardEmulator::BoardEmulator(BoardEmulatorOptions options) : options_(std::move(options)) {
  std::error_code ec;
  fs::create_directories(options_.state_dir, ec);
  if (ec) throw std::runtime_error("cannot create " + options_.state_dir.string() + ": " + ec.message());
  if (fs::exists(options_.state_dir / "state.json")) {
    load_state();
    return;
  }
  McubootImageSpec spec;
  spec.version = options_.initial_version;
  spec.body_size = options_.initial_body_size;
  write_file(slot_path(0), build_mcuboot_image(spec));
  write_file(slot_path(1), {});
  save_state();
}

fs::path BoardEmulator::slot_path(int slot) const {
  return options_.state_dir / (slot == 0 ? "slot0.bin" : "slot1.bin");
}

void BoardEmulator::load_state() {
  const auto bytes = read_file(options_.state_dir / "state.json");
  const json state = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (!state.is_object()) throw std::runtime_error("state.json is not a JSON object");
  try {
    slot0_confirmed_ = state.at("slot0_confirmed").get<bool>();
    slot1_confirmed_ = state.at("slot1_confirmed").get<bool>();
    slot1_pending_ = state.at("slot1_pending").get<bool>();
    slot1_permanent_ = state.at("slot1_permanent").get<bool>();
    slot0_from_update_ = state.value("slot0_from_update", false);  // absent in older state dirs
    upload_.reset();
    if (const json& up = state.at("upload"); !up.is_null()) {
      Upload u;
      u.len = up.at("len").get<std::size_t>();
      u.off = up.at("off").get<std::size_t>();
      u.sha = from_hex(up.at("sha").get<std::string>());
      upload_ = u;
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("state.json: ") + e.what());
  }
}

void BoardEmulator::save_state() const {
  json state = {{"slot0_confirmed", slot0_confirmed_},
                {"slot1_confirmed", slot1_confirmed_},
                {"slot1_pending", slot1_pending_},
                {"slot1_permanent", slot1_permanent_},
                {"slot0_from_update", slot0_from_update_},
                {"upload", nullptr}};
  if (upload_) {
    state["upload"] = {{"len", upload_->len}, {"off", upload_->off}, {"sha", to_hex(upload_->sha)}};
  }
  const std::string text = state.dump(2) + "\n";
  const std::string error =
      write_files_atomically({{(options_.state_dir / "state.json").string(), text}});
  if (!error.empty()) throw std::runtime_error(error);
}

std::optional<BoardEmulator::SlotImage> BoardEmulator::slot_image(int slot) const {
  if (slot == 1 && upload_) return std::nullopt;  // half-written
  const auto bytes = read_file(slot_path(slot));
  const auto parsed = parse_mcuboot_image(bytes);
  if (!parsed) return std::nullopt;
  return SlotImage{parsed.value().version, parsed.value().hash};
}

bool BoardEmulator::slot1_in_use() const { return slot1_pending_ || slot1_confirmed_; }

void BoardEmulator::swap_slots() {
  const fs::path tmp = options_.state_dir / "swap.tmp";
  fs::rename(slot_path(0), tmp);
  fs::rename(slot_path(1), slot_path(0));
  fs::rename(tmp, slot_path(1));
}

bool BoardEmulator::take_reset_request() { return std::exchange(reset_requested_, false); }

void BoardEmulator::reset() {
  upload_.reset();  // the app's RAM: upload progress and counters start over
  requests_since_boot_ = 0;
  upload_bytes_since_boot_ = 0;
  if (!slot0_confirmed_) {
    // Running a test image nobody confirmed: MCUboot reverts to the old, confirmed image.
    swap_slots();
    slot0_confirmed_ = true;
    slot1_confirmed_ = false;
    slot0_from_update_ = false;
  } else if (slot1_pending_ && slot_image(1)) {
    const bool permanent = slot1_permanent_;
    const auto incoming = slot_image(1);
    swap_slots();
    slot0_confirmed_ = permanent;
    slot1_confirmed_ = !permanent;
    slot0_from_update_ = true;
    if (!permanent && options_.boot_fail && incoming->version == *options_.boot_fail) {
      // The new image never comes up healthy: the watchdog resets and MCUboot reverts.
      swap_slots();
      slot0_confirmed_ = true;
      slot1_confirmed_ = false;
      slot0_from_update_ = false;
    }
  }
  slot1_pending_ = false;
  slot1_permanent_ = false;
  save_state();
  if (options_.on_boot) options_.on_boot(running_version());
}

std::string BoardEmulator::running_version() const {
  const auto running = slot_image(0);
  return running ? running->version.text() : "none";
}

std::optional<std::vector<std::uint8_t>> BoardEmulator::handle(
    std::span<const std::uint8_t> request) {
  if (powered_off_) return std::nullopt;
  const auto header = SmpHeader::decode(request);
  if (!header) return std::nullopt;
  const SmpHeader& h = header.value();
  if (h.op == SmpOp::ReadResponse || h.op == SmpOp::WriteResponse) return std::nullopt;

  std::optional<SmpPacket> response;
  auto smp_error = [&](SmpRc rc) {
    SmpPacket r = make_response_to(h);
    r.payload = {{"rc", static_cast<std::int64_t>(rc)}};
    response = std::move(r);
  };
  if (h.version > kSmpV2) {
    smp_error(SmpRc::UnsupportedTooNew);
  } else {
    const std::size_t total = SmpHeader::kSize + h.length;
    if (request.size() < total) {
      smp_error(SmpRc::Corrupt);
    } else {
      const auto packet = SmpPacket::decode(request.first(total));  // bytes beyond are ignored
      if (!packet) {
        smp_error(SmpRc::Inval);
      } else {
        response = handle(packet.value());
      }
    }
  }
  if (!response) return std::nullopt;
  auto bytes = response->encode();
  if (!bytes) return std::nullopt;  // a map of bounded size: cannot happen
  return std::move(bytes).value();
}

std::optional<SmpPacket> BoardEmulator::handle(const SmpPacket& request) {
  const SmpHeader& h = request.header;
  if (powered_off_) return std::nullopt;
  if (h.op == SmpOp::ReadResponse || h.op == SmpOp::WriteResponse) return std::nullopt;
  ++requests_since_boot_;
  SmpPacket response = make_response_to(h);
  if (h.version > kSmpV2) {
    response.payload = {{"rc", static_cast<std::int64_t>(SmpRc::UnsupportedTooNew)}};
    return response;
  }
  try {
    response.payload = dispatch(request);
  } catch (const PowerCut&) {
    return std::nullopt;
  } catch (const SmpLevelError& e) {
    response.payload = {{"rc", static_cast<std::int64_t>(e.rc)}};
  } catch (const GroupError& e) {
    if (h.version == kSmpV1) {
      response.payload = {{"rc", static_cast<std::int64_t>(e.legacy)}};
      if (e.group == kSmpGroupImage) {
        if (const auto name = smp_image_rc_name(e.rc)) response.payload["rsn"] = std::string(*name);
      }
    } else {
      response.payload = {{"err", {{"group", e.group}, {"rc", e.rc}}}};
    }
  }
  return response;
}

json BoardEmulator::dispatch(const SmpPacket& request) {
  switch (request.header.group) {
    case kSmpGroupOs: return os_group(request);
    case kSmpGroupImage: return image_group(request);
    case kSmpGroupStat: return stat_group(request);
    default: throw SmpLevelError{SmpRc::NotSup};
  }
}

json BoardEmulator::os_group(const SmpPacket& request) {
  const bool write = request.header.op == SmpOp::Write;
  const json& req = request.payload;
  switch (request.header.command) {
    case 0: {  // echo
      const json* d = field(req, "d");
      if (!d || !d->is_string()) throw SmpLevelError{SmpRc::Inval};
      if (options_.echo_fail_after_boot && slot0_from_update_) throw SmpLevelError{SmpRc::Unknown};
      return {{"r", *d}};
    }
    case 5: {  // reset
      if (!write) throw SmpLevelError{SmpRc::NotSup};
      reset_requested_ = true;
      return json::object();
    }
    case 6:  // mcumgr params
      if (write) throw SmpLevelError{SmpRc::NotSup};
      return {{"buf_size", options_.buf_size}, {"buf_count", options_.buf_count}};
    case 7:  // OS/application info
      if (write) throw SmpLevelError{SmpRc::NotSup};
      return os_info(req);
    case 8: {  // bootloader info
      if (write) throw SmpLevelError{SmpRc::NotSup};
      const json* query = field(req, "query");
      if (!query) return {{"bootloader", "MCUboot"}};
      if (query->is_string() && *query == "mode") return {{"mode", 3}};  // swap using move
      throw SmpLevelError{SmpRc::NotSup};
    }
    default: throw SmpLevelError{SmpRc::NotSup};
  }
}

// Zephyr's os_mgmt info: each format letter selects a field, the output lists the selected
// fields in a fixed order separated by spaces; "a" selects all, no format means "s".
json BoardEmulator::os_info(const json& req) const {
  std::string format = "s";
  if (const json* f = field(req, "format")) {
    if (!f->is_string()) throw SmpLevelError{SmpRc::Inval};
    if (!f->get<std::string>().empty()) format = f->get<std::string>();
  }
  const auto running = slot_image(0);
  const std::pair<char, std::string> fields[] = {
      {'s', "Zephyr"},
      {'n', "fleetsim-board"},
      {'r', running ? running->version.text() : "unknown"},  // the running image's version
      {'v', "emulated"},
      {'m', "posix"},
      {'p', "emulated"},
      {'i', "fleetsim_board"},
      {'o', "Zephyr"},
  };
  for (const char c : format) {
    const bool known = c == 'a' || std::any_of(std::begin(fields), std::end(fields),
                                                [&](const auto& f) { return f.first == c; });
    if (!known) throw GroupError{kSmpGroupOs, kOsInvalidFormat, SmpRc::Inval};
  }
  const bool all = format.find('a') != std::string::npos;
  std::string output;
  for (const auto& [letter, value] : fields) {
    if (!all && format.find(letter) == std::string::npos) continue;
    if (!output.empty()) output += ' ';
    output += value;
  }
  return {{"output", output}};
}

// One stat group: the counters a health probe can read to see the app is alive and working.
json BoardEmulator::stat_group(const SmpPacket& request) {
  if (request.header.op == SmpOp::Write) throw SmpLevelError{SmpRc::NotSup};
  switch (request.header.command) {
    case 0: {  // show
      const json* name = field(request.payload, "name");
      if (!name || !name->is_string()) throw SmpLevelError{SmpRc::Inval};
      if (*name != kBoardStatGroup) {
        throw GroupError{kSmpGroupStat, kStatInvalidGroup, SmpRc::NoEnt};
      }
      return {{"name", kBoardStatGroup},
              {"fields",
               {{"requests", requests_since_boot_}, {"upload_bytes", upload_bytes_since_boot_}}}};
    }
    case 1: return {{"stat_list", json::array({kBoardStatGroup})}};
    default: throw SmpLevelError{SmpRc::NotSup};
  }
}

json BoardEmulator::image_group(const SmpPacket& request) {
  const bool write = request.header.op == SmpOp::Write;
  switch (request.header.command) {
    case 0: return write ? state_write(request.payload) : state_read();
    case 1:
      if (!write) throw SmpLevelError{SmpRc::NotSup};
      return upload(request.payload);
    case 5:
      if (!write) throw SmpLevelError{SmpRc::NotSup};
      return erase(request.payload);
    default: throw SmpLevelError{SmpRc::NotSup};
  }
}

json BoardEmulator::state_read() const {
  json images = json::array();
  for (int slot = 0; slot < 2; ++slot) {
    const auto image = slot_image(slot);
    if (!image) continue;
    json entry = {{"image", 0},
                  {"slot", slot},
                  {"version", image->version.text()},
                  {"hash", json::binary(std::vector<std::uint8_t>(image->hash.begin(),
                                                                  image->hash.end()))},
                  {"bootable", true}};
    if (slot == 0) {
      entry["active"] = true;
      if (slot0_confirmed_) entry["confirmed"] = true;
    } else {
      if (slot1_confirmed_) entry["confirmed"] = true;
      if (slot1_pending_) entry["pending"] = true;
      if (slot1_permanent_) entry["permanent"] = true;
    }
    images.push_back(std::move(entry));
  }
  return {{"images", std::move(images)}, {"splitStatus", 0}};
}

json BoardEmulator::state_write(const json& req) {
  const json* confirm_field = field(req, "confirm");
  if (confirm_field && !confirm_field->is_boolean()) throw SmpLevelError{SmpRc::Inval};
  const bool confirm = confirm_field && confirm_field->get<bool>();
  const json* hash = field(req, "hash");
  if (hash && !hash->is_binary()) throw SmpLevelError{SmpRc::Inval};

  auto confirm_running = [&] {
    if (!options_.no_confirm && !slot0_confirmed_) {
      slot0_confirmed_ = true;
      slot1_confirmed_ = false;  // the old image is no longer needed for a revert
      save_state();
    }
  };
  if (!hash) {
    if (!confirm) throw SmpLevelError{SmpRc::Inval};
    confirm_running();
    return state_read();
  }
  const auto& wanted = hash->get_binary();
  if (wanted.size() != 32) throw image_error(ImageRc::InvalidHash);
  auto matches = [&](int slot) {
    const auto image = slot_image(slot);
    return image && std::equal(wanted.begin(), wanted.end(), image->hash.begin());
  };
  if (matches(0)) {
    if (!confirm) throw image_error(ImageRc::ImageSettingTestToActiveDenied);
    confirm_running();
    return state_read();
  }
  if (!matches(1)) throw image_error(ImageRc::HashNotFound);
  slot1_pending_ = true;
  slot1_permanent_ = confirm;
  save_state();
  return state_read();
}

json BoardEmulator::upload(const json& req) {
  const json* off_field = field(req, "off");
  if (!is_uint(off_field)) throw image_error(ImageRc::InvalidOffset);
  const json* data_field = field(req, "data");
  if (!data_field || !data_field->is_binary()) throw SmpLevelError{SmpRc::Inval};
  const auto off = off_field->get<std::uint64_t>();
  const auto& data = data_field->get_binary();

  if (off == 0) {
    if (data.size() < kMcubootHeaderBytes) throw image_error(ImageRc::InvalidImageHeader);
    const json* len_field = field(req, "len");
    if (!is_uint(len_field)) throw image_error(ImageRc::InvalidLength);
    const auto len = len_field->get<std::uint64_t>();
    static constexpr std::uint8_t kMagic[4] = {0x3d, 0xb8, 0xf3, 0x96};
    if (!std::equal(std::begin(kMagic), std::end(kMagic), data.begin())) {
      throw image_error(ImageRc::InvalidImageHeaderMagic);
    }
    if (len > options_.slot_size) throw image_error(ImageRc::InvalidImageTooLarge);
    if (const json* image = field(req, "image"); image && !(is_uint(image) && *image == 0)) {
      throw image_error(ImageRc::InvalidSlot);
    }
    std::vector<std::uint8_t> sha;
    if (const json* sha_field = field(req, "sha")) {
      if (!sha_field->is_binary() || sha_field->get_binary().size() > 32) {
        throw image_error(ImageRc::InvalidHash);
      }
      sha = sha_field->get_binary();
    }
    if (upload_ && !sha.empty() && sha == upload_->sha && len == upload_->len) {
      return {{"off", upload_->off}};  // same upload: resume where it stands
    }
    if (const json* upgrade = field(req, "upgrade"); upgrade && upgrade->is_boolean() &&
                                                      upgrade->get<bool>()) {
      // Header version at byte 20: u8 major, u8 minor, u16 revision, u32 build.
      const ImageVersion incoming{data[20], data[21],
                                  static_cast<std::uint16_t>(data[22] | data[23] << 8), 0};
      const auto running = slot_image(0);
      if (running && !newer_than(incoming, running->version)) {
        throw image_error(ImageRc::CurrentVersionIsNewer);
      }
    }
    if (slot1_in_use()) throw image_error(ImageRc::NoFreeSlot);
    if (data.size() > len) throw image_error(ImageRc::InvalidImageDataOverrun);
    // Erase slot 1 and start the upload.
    write_file(slot_path(1), {});
    upload_ = Upload{static_cast<std::size_t>(len), 0, std::move(sha)};
  } else {
    const std::size_t expected = upload_ ? upload_->off : 0;
    if (off != expected) return {{"off", expected}};
    if (off + data.size() > upload_->len) throw image_error(ImageRc::InvalidImageDataOverrun);
  }

  // --die-at-offset: the power goes while this write crosses the offset; what lies below it
  // is already in flash.
  const std::optional<std::size_t> cut = options_.die_at_offset;
  const bool power_cut = cut && *cut < upload_->len && upload_->off < *cut &&
                         upload_->off + data.size() >= *cut;
  const std::size_t n = power_cut ? *cut - upload_->off : data.size();
  {
    std::fstream out(slot_path(1), std::ios::binary | std::ios::in | std::ios::out);
    if (!out) throw SmpLevelError{SmpRc::Unknown};
    out.seekp(static_cast<std::streamoff>(upload_->off));
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(n));
    out.flush();
    if (!out) throw SmpLevelError{SmpRc::Unknown};
  }
  upload_->off += n;
  upload_bytes_since_boot_ += n;
  if (power_cut) {
    save_state();
    powered_off_ = true;
    if (options_.power_loss) options_.power_loss();
    throw PowerCut{};
  }
  if (options_.flash_rate > 0) {  // the flash is busy for as long as the write takes
    std::this_thread::sleep_for(std::chrono::duration<double>(static_cast<double>(n) / options_.flash_rate));
  }
  json reply = {{"off", upload_->off}};
  if (upload_->off == upload_->len) {
    if (upload_->sha.size() == 32) {
      const auto digest = sha256(read_file(slot_path(1)));
      reply["match"] = std::equal(digest.begin(), digest.end(), upload_->sha.begin());
    }
    upload_.reset();
  }
  save_state();
  return reply;
}

json BoardEmulator::erase(const json& req) {
  if (const json* slot = field(req, "slot")) {
    if (!is_uint(slot)) throw SmpLevelError{SmpRc::Inval};
    if (*slot == 0) throw image_error(ImageRc::NoFreeSlot);
    if (*slot != 1) throw image_error(ImageRc::InvalidSlot);
  }
  if (slot1_in_use()) throw image_error(ImageRc::NoFreeSlot);
  write_file(slot_path(1), {});
  upload_.reset();
  save_state();
  return json::object();
}

}  // namespace fleetsim::hil
