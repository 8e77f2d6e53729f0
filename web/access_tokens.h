// AccessTokens: who may read through the web node (docs/SECURITY.md, "The web node"). Loaded
// from a CSV file with the columns
//   name,token,comment
// where `name` says whose token it is (a desk, a downstream system) and `token` is the secret it
// presents: 32 to 200 characters of A-Z a-z 0-9 - _ . ~ (safe in a header and a cookie), e.g.
// `openssl rand -hex 24`. A token may appear once. The file holds secrets: the node refuses one
// that group or others may read. Immutable once loaded; the node replaces it whole on SIGHUP.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tonghop::web {

class AccessTokens {
 public:
  static constexpr size_t kMinTokenLength = 32;
  static constexpr size_t kMaxTokenLength = 200;

  // Parses the content of a token file called `file_name` (for messages). Every mistake is
  // reported with the file, line and field, never with a token's value.
  static Status Parse(const std::string& file_name, std::string_view text, AccessTokens* out);
  // Reads and parses the file at `path`, refusing one that group or others may read.
  static Status LoadFromFile(const std::string& path, AccessTokens* out);

  // The name of the holder of `token`, or nullptr when no such token is listed. Compares every
  // listed token in time independent of where they differ.
  const std::string* Find(std::string_view token) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    std::string token;
  };
  std::vector<Entry> entries_;
};

}  // namespace tonghop::web
