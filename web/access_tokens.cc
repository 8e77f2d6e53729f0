#include "web/access_tokens.h"

#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/csv.h"

namespace tonghop::web {
namespace {

constexpr size_t kMaxNameLength = 200;

bool IsTokenCharacter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

// Equal length and bytes, in time that depends on the lengths only.
bool SameToken(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  return difference == 0;
}

}  // namespace

Status AccessTokens::Parse(const std::string& file_name, std::string_view text, AccessTokens* out) {
  AccessTokens tokens;
  constexpr std::array<const char*, 3> kColumns = {"name", "token", "comment"};
  TONGHOP_RETURN_IF_ERROR(ReadCsv<3>(file_name, text, kColumns, {"name", "token"}, [&](const CsvRow<3>& row) {
    auto error = [&](std::string_view field, std::string_view why) {
      return Status::InvalidArgument(fmt::format("{}:{}: field '{}': {}", file_name, row.line, field, why));
    };
    const std::string& name = row.cells[0];
    const std::string& token = row.cells[1];
    if (name.empty() || name.size() > kMaxNameLength) {
      return error("name", fmt::format("must be 1 to {} bytes: whose token it is", kMaxNameLength));
    }
    if (token.size() < kMinTokenLength || token.size() > kMaxTokenLength) {
      return error("token", fmt::format("must be {} to {} characters (openssl rand -hex 24 makes one)",
                                        kMinTokenLength, kMaxTokenLength));
    }
    for (char c : token) {
      if (!IsTokenCharacter(c)) return error("token", "may hold only A-Z a-z 0-9 - _ . ~");
    }
    for (const Entry& entry : tokens.entries_) {
      if (entry.token == token) {
        return error("token", fmt::format("the same token is listed for '{}'; give each reader its own", entry.name));
      }
    }
    tokens.entries_.push_back({name, token});
    return Status::OK();
  }));
  *out = std::move(tokens);
  return Status::OK();
}

Status AccessTokens::LoadFromFile(const std::string& path, AccessTokens* out) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return Status::NotFound(fmt::format("cannot open the access token file {}: {}", path, std::strerror(errno)));
  }
  if (info.st_mode & (S_IRWXG | S_IRWXO)) {
    return Status::InvalidArgument(fmt::format(
        "the access token file {} is open to other users (mode {:04o}), who could read every token: chmod 600 {}", path,
        info.st_mode & 07777, path));
  }
  std::string text;
  TONGHOP_RETURN_IF_ERROR(ReadFileToString(path, &text));
  return Parse(path, text, out);
}

const std::string* AccessTokens::Find(std::string_view token) const {
  const std::string* found = nullptr;
  for (const Entry& entry : entries_) {
    if (SameToken(entry.token, token)) found = &entry.name;
  }
  return found;
}

}  // namespace tonghop::web
