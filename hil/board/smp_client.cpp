#include "hil/board/smp_client.hpp"

#include <algorithm>

namespace fleetsim::hil {

namespace {

using json = nlohmann::json;

SmpClientError malformed(const std::string& what) {
  SmpClientError e;
  e.kind = SmpClientError::Kind::Malformed;
  e.message = "malformed response: " + what;
  return e;
}

bool flag(const json& entry, const char* name) {
  const auto it = entry.find(name);
  return it != entry.end() && it->is_boolean() && it->get<bool>();
}

Result<ImageState, SmpClientError> parse_state(const json& payload) {
  const auto images = payload.find("images");
  if (images == payload.end() || !images->is_array()) return fail(malformed("state without an \"images\" array"));
  ImageState state;
  for (const json& entry : *images) {
    if (!entry.is_object()) return fail(malformed("an \"images\" entry is not a map"));
    SlotState s;
    const auto slot = entry.find("slot");
    const auto hash = entry.find("hash");
    const auto version = entry.find("version");
    if (slot == entry.end() || !slot->is_number_unsigned()) return fail(malformed("image entry without \"slot\""));
    if (hash == entry.end() || !hash->is_binary()) return fail(malformed("image entry without a \"hash\" byte string"));
    s.slot = slot->get<int>();
    if (const auto image = entry.find("image"); image != entry.end() && image->is_number_unsigned()) s.image = image->get<int>();
    s.hash.assign(hash->get_binary().begin(), hash->get_binary().end());
    if (version != entry.end() && version->is_string()) s.version = version->get<std::string>();
    s.bootable = flag(entry, "bootable");
    s.pending = flag(entry, "pending");
    s.confirmed = flag(entry, "confirmed");
    s.active = flag(entry, "active");
    s.permanent = flag(entry, "permanent");
    state.slots.push_back(std::move(s));
  }
  return state;
}

std::uint32_t uint_field(const json& payload, const char* name, bool& ok) {
  const auto it = payload.find(name);
  if (it == payload.end() || !it->is_number_unsigned() || it->get<std::uint64_t>() > 0xFFFFFFFFu) {
    ok = false;
    return 0;
  }
  return it->get<std::uint32_t>();
}

}  // namespace

bool SmpClientError::board_state() const {
  if (kind != Kind::Board) return false;
  if (!smp.v2) return smp.rc == std::int64_t(SmpRc::BadState) || smp.rc == std::int64_t(SmpRc::Busy);
  if (smp.group != kSmpGroupImage) return false;
  switch (ImageRc(smp.rc)) {
    case ImageRc::NoFreeSlot:
    case ImageRc::ImageAlreadyPending:
    case ImageRc::ImageSettingTestToActiveDenied: return true;
    default: return false;
  }
}

const SlotState* ImageState::slot(int slot) const {
  for (const auto& s : slots)
    if (s.image == 0 && s.slot == slot) return &s;
  return nullptr;
}

Result<json, SmpClientError> SmpClient::request(SmpOp op, std::uint16_t group, std::uint8_t command,
                                                const json& payload) {
  SmpPacket packet;
  packet.header.op = op;
  packet.header.version = kSmpV2;
  packet.header.group = group;
  packet.header.command = command;
  packet.header.seq = next_seq_++;
  packet.payload = payload;
  if (transcript_) transcript_->request(packet);
  auto response = transport_.transact(packet);
  if (transcript_) {
    if (response) transcript_->response(response.value().payload);
    else transcript_->failure(response.error().message);
  }
  if (!response) {
    SmpClientError e;
    e.kind = SmpClientError::Kind::Transport;
    e.transport = response.error();
    e.message = response.error().message;
    return fail(e);
  }
  const json& body = response.value().payload;
  const auto error = read_smp_error(body, group);
  if (!error) return fail(malformed(std::string(describe(error.error()))));
  if (error.value()) {
    SmpClientError e;
    e.kind = SmpClientError::Kind::Board;
    e.smp = *error.value();
    e.message = "board answered " + describe(*error.value());
    return fail(e);
  }
  return body;
}

Result<std::string, SmpClientError> SmpClient::echo(const std::string& text) {
  auto r = request(SmpOp::Write, kSmpGroupOs, 0, {{"d", text}});
  if (!r) return fail(r.error());
  const auto it = r.value().find("r");
  if (it == r.value().end() || !it->is_string()) return fail(malformed("echo without an \"r\" text"));
  return it->get<std::string>();
}

Result<McumgrParams, SmpClientError> SmpClient::params() {
  auto r = request(SmpOp::Read, kSmpGroupOs, 6, json::object());
  if (!r) return fail(r.error());
  bool ok = true;
  McumgrParams p{uint_field(r.value(), "buf_size", ok), uint_field(r.value(), "buf_count", ok)};
  if (!ok) return fail(malformed("params without unsigned \"buf_size\" and \"buf_count\""));
  return p;
}

Result<ImageState, SmpClientError> SmpClient::state_read() {
  auto r = request(SmpOp::Read, kSmpGroupImage, 0, json::object());
  if (!r) return fail(r.error());
  return parse_state(r.value());
}

Result<ImageState, SmpClientError> SmpClient::state_write(const json& payload) {
  auto r = request(SmpOp::Write, kSmpGroupImage, 0, payload);
  if (!r) return fail(r.error());
  return parse_state(r.value());
}

Result<ImageState, SmpClientError> SmpClient::test(std::span<const std::uint8_t> hash) {
  return state_write({{"hash", json::binary(std::vector<std::uint8_t>(hash.begin(), hash.end()))}, {"confirm", false}});
}

Result<ImageState, SmpClientError> SmpClient::confirm() { return state_write({{"confirm", true}}); }

Result<std::monostate, SmpClientError> SmpClient::reset() {
  auto r = request(SmpOp::Write, kSmpGroupOs, 5, json::object());
  if (!r) return fail(r.error());
  return std::monostate{};
}

Result<std::monostate, SmpClientError> SmpClient::erase() {
  auto r = request(SmpOp::Write, kSmpGroupImage, 5, {{"slot", 1}});
  if (!r) return fail(r.error());
  return std::monostate{};
}

Result<UploadProgress, SmpClientError> SmpClient::upload(std::span<const std::uint8_t> image, std::size_t packet_limit,
                                                         const std::function<void(const UploadProgress&)>& progress) {
  const std::size_t limit = std::min(packet_limit, transport_.max_packet_size());
  const Sha256Digest sha = sha256(image);
  UploadProgress p;
  p.total = image.size();
  // A board that keeps answering without taking data (e.g. always the same offset) would
  // otherwise keep the loop going forever.
  constexpr int kMaxStalls = 16;
  int stalls = 0;
  std::size_t off = 0;
  while (true) {
    json payload = {{"off", off}, {"data", json::binary({})}};
    if (off == 0) {
      payload["len"] = image.size();
      payload["image"] = 0;
      payload["sha"] = json::binary(std::vector<std::uint8_t>(sha.begin(), sha.end()));
    }
    // Header + CBOR without data, plus up to 2 more bytes for the byte string's length head.
    const std::size_t overhead = SmpHeader::kSize + json::to_cbor(payload).size() + 2;
    if (limit <= overhead + (off == 0 ? 32 : 0)) {
      return fail(malformed("packet limit of " + std::to_string(limit) + " bytes leaves no room for image data"));
    }
    const std::size_t n = std::min(image.size() - off, std::min<std::size_t>(limit - overhead, 0xFFFF));
    payload["data"] = json::binary(std::vector<std::uint8_t>(image.begin() + long(off), image.begin() + long(off + n)));
    auto r = request(SmpOp::Write, kSmpGroupImage, 1, payload);
    if (!r) return fail(r.error());
    bool ok = true;
    const std::size_t next = uint_field(r.value(), "off", ok);
    if (!ok || next > image.size()) return fail(malformed("upload answer without a valid \"off\""));
    ++p.requests;
    p.chunk_bytes = std::max(p.chunk_bytes, n);
    if (off == 0 && p.requests == 1 && next != n) {
      p.resumed = true;
      p.resumed_from = next;
    }
    p.offset = next;
    if (progress) progress(p);
    if (next == image.size()) {
      const auto match = r.value().find("match");
      if (match != r.value().end() && match->is_boolean() && !match->get<bool>()) {
        SmpClientError e;
        e.kind = SmpClientError::Kind::Board;
        e.message = "board computed a different SHA-256 over the uploaded file (\"match\": false)";
        return fail(e);
      }
      return p;
    }
    stalls = next > off ? 0 : stalls + 1;
    if (stalls > kMaxStalls) return fail(malformed("board stopped taking data at offset " + std::to_string(next)));
    off = next;
  }
}

}  // namespace fleetsim::hil
