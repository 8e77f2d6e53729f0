#include "core/key_registry.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/csv.h"
#include "core/curve_keys.h"

namespace tonghop {
namespace {
constexpr size_t kMaxNameLength = 200;
}  // namespace

Status KeyRegistry::Parse(const std::string& file_name, std::string_view text, KeyRegistry* out) {
  KeyRegistry registry;
  constexpr std::array<const char*, 4> kColumns = {"role", "name", "public_key", "comment"};
  TONGHOP_RETURN_IF_ERROR(ReadCsv<4>(file_name, text, kColumns, {"role", "name", "public_key"},
                                     [&](const CsvRow<4>& row) {
    auto error = [&](std::string_view field, std::string_view why) {
      return Status::InvalidArgument(fmt::format("{}:{}: field '{}': {}", file_name, row.line, field, why));
    };
    RegisteredKey key{row.cells[0], row.cells[1], row.cells[2], row.line};
    if (key.role != kCollector && key.role != kPublisher && key.role != kSubscriber && key.role != kOffice) {
      return error("role", fmt::format("'{}' is not one of collector, publisher, subscriber, office",
                                       key.role.substr(0, kMaxNameLength)));
    }
    if (key.name.empty() || key.name.size() > kMaxNameLength) {
      return error("name", fmt::format("must be 1 to {} bytes (for a collector: its unit's code)", kMaxNameLength));
    }
    if (!IsZ85Key(key.public_key)) {
      return error("public_key", "not a 40-character Z85 key; copy the public_key of the node's .pub file");
    }
    auto [it, inserted] = registry.by_key_.try_emplace(key.public_key, registry.keys_.size());
    if (!inserted) {
      return error("public_key", fmt::format("the same key is registered on line {}; a key belongs to one node only",
                                             registry.keys_[it->second].line));
    }
    registry.keys_.push_back(std::move(key));
    return Status::OK();
  }));
  *out = std::move(registry);
  return Status::OK();
}

Status KeyRegistry::LoadFromFile(const std::string& path, KeyRegistry* out) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return Status::NotFound(fmt::format("cannot open the key registry {}: {}", path, std::strerror(errno)));
  }
  if (info.st_mode & (S_IWGRP | S_IWOTH)) {
    return Status::InvalidArgument(fmt::format(
        "the key registry {} is writable by other users (mode {:04o}), who could then admit any key: chmod go-w {}",
        path, info.st_mode & 07777, path));
  }
  std::string text;
  TONGHOP_RETURN_IF_ERROR(ReadFileToString(path, &text));
  return Parse(path, text, out);
}

bool KeyRegistry::Admits(std::string_view domain, std::string_view role) {
  if (domain == kIngestDomain) return role == kCollector || role == kOffice;
  return domain == role;
}

const RegisteredKey* KeyRegistry::Find(std::string_view public_key) const {
  auto it = by_key_.find(public_key);
  return it == by_key_.end() ? nullptr : &keys_[it->second];
}

size_t KeyRegistry::Count(std::string_view role) const {
  return std::count_if(keys_.begin(), keys_.end(), [&](const RegisteredKey& key) { return key.role == role; });
}

}  // namespace tonghop
