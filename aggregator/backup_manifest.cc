#include "aggregator/backup_manifest.h"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/crc32c.h"
#include "core/csv.h"

namespace tonghop {
namespace {

constexpr char kFormat[] = "tonghop-backup/1";
constexpr size_t kReadBytes = 1 << 20;

std::string Hex(uint64_t value, int digits) { return fmt::format("{:0{}x}", value, digits); }

bool ParseHex(const std::string& text, uint64_t* out) {
  if (text.empty() || text.size() > 16) return false;
  size_t used = 0;
  try {
    *out = std::stoull(text, &used, 16);
  } catch (const std::exception&) {
    return false;
  }
  return used == text.size();
}

}  // namespace

std::string BackupManifest::TakenAt() const {
  return UtcIsoTime(taken_at_ms);
}

std::string BackupManifest::ToJson() const {
  nlohmann::ordered_json files_json = nlohmann::ordered_json::array();
  for (const File& file : files) {
    files_json.push_back({{"name", file.name}, {"size", file.size}, {"crc32c", Hex(file.crc32c, 8)}});
  }
  nlohmann::ordered_json json = {{"format", kFormat},
                                 {"aggregator", aggregator},
                                 {"taken_at", TakenAt()},
                                 {"taken_at_ms", taken_at_ms},
                                 {"stream_id", Hex(stream_id, 16)},
                                 {"aggregate_seq", aggregate_seq},
                                 {"audit_seq", audit_seq},
                                 {"outboxes", outboxes},
                                 {"files", std::move(files_json)}};
  return json.dump(2) + "\n";
}

Status BackupManifest::Parse(std::string_view text, BackupManifest* out) {
  *out = BackupManifest();
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return Status::InvalidArgument("not a JSON object");
  auto field = [&](const char* name, nlohmann::json::value_t type) -> const nlohmann::json* {
    auto it = json.find(name);
    if (it == json.end()) return nullptr;
    const bool number = type == nlohmann::json::value_t::number_unsigned;
    if (number ? !it->is_number_unsigned() : it->type() != type) return nullptr;
    return &*it;
  };
  const auto* format = field("format", nlohmann::json::value_t::string);
  if (format == nullptr || format->get<std::string>() != kFormat) {
    return Status::InvalidArgument(fmt::format("field 'format' is not \"{}\"", kFormat));
  }
  uint64_t numbers[4];
  const char* names[] = {"aggregate_seq", "audit_seq", "outboxes", "taken_at_ms"};
  for (int i = 0; i < 4; ++i) {
    const auto* number = field(names[i], nlohmann::json::value_t::number_unsigned);
    if (number == nullptr) return Status::InvalidArgument(fmt::format("field '{}' is not a number 0 or more", names[i]));
    numbers[i] = number->get<uint64_t>();
  }
  out->aggregate_seq = numbers[0];
  out->audit_seq = numbers[1];
  out->outboxes = numbers[2];
  out->taken_at_ms = static_cast<int64_t>(numbers[3]);
  const auto* stream = field("stream_id", nlohmann::json::value_t::string);
  if (stream == nullptr || !ParseHex(stream->get<std::string>(), &out->stream_id)) {
    return Status::InvalidArgument("field 'stream_id' is not a hexadecimal id");
  }
  if (const auto* aggregator = field("aggregator", nlohmann::json::value_t::string)) {
    out->aggregator = aggregator->get<std::string>();
  }
  const auto* files = field("files", nlohmann::json::value_t::array);
  if (files == nullptr || files->empty()) return Status::InvalidArgument("field 'files' is not a list of files");
  for (size_t i = 0; i < files->size(); ++i) {
    const nlohmann::json& entry = (*files)[i];
    File file;
    uint64_t crc = 0;
    const bool ok = entry.is_object() && entry.contains("name") && entry["name"].is_string() &&
                    entry.contains("size") && entry["size"].is_number_unsigned() && entry.contains("crc32c") &&
                    entry["crc32c"].is_string() && ParseHex(entry["crc32c"].get<std::string>(), &crc) &&
                    crc <= UINT32_MAX;
    if (ok) file.name = entry["name"].get<std::string>();
    if (!ok || file.name.empty() || file.name.find('/') != std::string::npos || file.name == "." || file.name == "..") {
      return Status::InvalidArgument(fmt::format("field 'files[{}]' is not a file name with its size and crc32c", i));
    }
    file.size = entry["size"].get<uint64_t>();
    file.crc32c = static_cast<uint32_t>(crc);
    out->files.push_back(std::move(file));
  }
  return Status::OK();
}

Status BackupManifest::Read(const std::string& dir, BackupManifest* out) {
  const std::string path = dir + "/" + kFileName;
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return Status::NotFound(path + " does not exist");
  std::string text;
  TONGHOP_RETURN_IF_ERROR(ReadFileToString(path, &text));
  return Parse(text, out).WithContext(path);
}

Status BackupManifest::Verify(const std::string& dir) const {
  std::string buffer(kReadBytes, '\0');
  for (const File& file : files) {
    const std::string path = dir + "/" + file.name;
    auto damaged = [&](const std::string& why) {
      return Status::Corruption(fmt::format("the backup in {} is damaged: {} {}; copy it again from the backup "
                                            "(its files must stay exactly as `tonghop backup` wrote them)",
                                            dir, file.name, why));
    };
    std::ifstream in(path, std::ios::binary);
    if (!in) return damaged("is missing");
    Crc32c crc;
    uint64_t size = 0;
    while (in) {
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      const auto got = static_cast<size_t>(in.gcount());
      crc.Update(std::string_view(buffer.data(), got));
      size += got;
    }
    if (in.bad()) return damaged("cannot be read");
    if (size != file.size) return damaged(fmt::format("is {} bytes, not {}", size, file.size));
    if (const uint32_t sum = crc.Finish(); sum != file.crc32c) {
      return damaged(fmt::format("has CRC-32C {:08x}, not {:08x}", sum, file.crc32c));
    }
  }
  return Status::OK();
}

}  // namespace tonghop
