#include "core/curve_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>
#include <zmq.h>

#include "core/csv.h"

namespace tonghop {
namespace {

constexpr size_t kZ85KeyLength = 40;
constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

Status WriteNewFile(const std::string& path, mode_t mode, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return Status::IOError(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  }
  // The umask may have narrowed `mode`, never widened it; fchmod makes the .pub readable as meant.
  bool ok = ::fchmod(fd, mode) == 0 &&
            ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok) return Status::IOError(fmt::format("cannot write {}: {}", path, std::strerror(saved)));
  return Status::OK();
}

}  // namespace

bool IsZ85Key(std::string_view text) {
  if (text.size() != kZ85KeyLength) return false;
  for (char c : text) {
    if (kZ85Alphabet.find(c) == std::string_view::npos) return false;
  }
  return true;
}

Status GenerateCurveKeyPair(CurveKeyPair* out) {
  char public_key[kZ85KeyLength + 1];
  char secret_key[kZ85KeyLength + 1];
  if (zmq_curve_keypair(public_key, secret_key) != 0) {
    return Status::IOError(fmt::format("cannot generate a CURVE key pair: {} (is libzmq built with libsodium?)",
                                        zmq_strerror(zmq_errno())));
  }
  out->public_key = public_key;
  out->secret_key = secret_key;
  return Status::OK();
}

Status WriteCurveKeyFiles(const std::string& prefix, const std::string& name, const CurveKeyPair& pair) {
  const std::string key_path = prefix + ".key";
  const std::string pub_path = prefix + ".pub";
  for (const auto& path : {key_path, pub_path}) {
    std::error_code error;
    if (std::filesystem::exists(path, error)) {
      return Status::InvalidArgument(fmt::format(
          "{} exists already; keygen never overwrites a key. Move it away first if you mean to replace it "
          "(docs/SECURITY.md, key rotation)", path));
    }
  }
  TONGHOP_RETURN_IF_ERROR(WriteNewFile(
      key_path, 0600,
      fmt::format("# tonghop CURVE key pair of {0}, written by tonghop keygen.\n"
                  "# SECRET: whoever reads this file can act as {0}. Keep it owner-only (mode 0600)\n"
                  "# on {0}'s machine; give others {0}.pub instead.\n"
                  "public_key = \"{1}\"\n"
                  "secret_key = \"{2}\"\n",
                  name, pair.public_key, pair.secret_key)));
  return WriteNewFile(pub_path, 0644,
                      fmt::format("# tonghop CURVE public key of {0}, written by tonghop keygen. Not secret:\n"
                                  "# add it to the aggregator's key registry, or give it to the nodes that\n"
                                  "# connect to {0} (--curve_server_public_key).\n"
                                  "public_key = \"{1}\"\n",
                                  name, pair.public_key));
}

Status ParseCurveKeyFile(const std::string& file_name, std::string_view text, CurveKeyPair* out) {
  CurveKeyPair pair;
  unsigned line_number = 0;
  while (!text.empty()) {
    ++line_number;
    size_t end = text.find('\n');
    std::string_view line = Trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty() || line.front() == '#') continue;
    size_t equals = line.find('=');
    std::string_view name = Trim(line.substr(0, equals));
    std::string_view value = equals == std::string_view::npos ? std::string_view() : Trim(line.substr(equals + 1));
    std::string* target = name == "public_key" ? &pair.public_key : name == "secret_key" ? &pair.secret_key : nullptr;
    // Messages name the line and the field, never the value: it may be a secret.
    if (target == nullptr) {
      return Status::InvalidArgument(fmt::format(
          "{}:{}: expected public_key = \"...\" or secret_key = \"...\"; is this a key file written by tonghop keygen?",
          file_name, line_number));
    }
    if (value.size() < 2 || value.front() != '"' || value.back() != '"' ||
        !IsZ85Key(value.substr(1, value.size() - 2))) {
      return Status::InvalidArgument(fmt::format(
          "{}:{}: field '{}': not a quoted 40-character Z85 key; write a new key with tonghop keygen", file_name,
          line_number, name));
    }
    if (!target->empty()) {
      return Status::InvalidArgument(fmt::format("{}:{}: field '{}' is given twice", file_name, line_number, name));
    }
    *target = std::string(value.substr(1, value.size() - 2));
  }
  if (pair.public_key.empty()) {
    return Status::InvalidArgument(fmt::format("{}: no public_key line; is this a key file written by tonghop keygen?",
                                               file_name));
  }
  if (!pair.secret_key.empty()) {
    char derived[kZ85KeyLength + 1];
    if (zmq_curve_public(derived, pair.secret_key.c_str()) != 0 || pair.public_key != derived) {
      return Status::InvalidArgument(fmt::format(
          "{}: field 'secret_key' does not belong to the public_key of the same file; the file is damaged: "
          "restore it, or write a new key pair with tonghop keygen", file_name));
    }
  }
  *out = std::move(pair);
  return Status::OK();
}

Status ReadCurveSecretKeyFile(const std::string& path, CurveKeyPair* out) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return Status::NotFound(fmt::format("cannot open the key file {}: {}; write one with tonghop keygen", path,
                                        std::strerror(errno)));
  }
  if (info.st_mode & (S_IRWXG | S_IRWXO)) {
    return Status::InvalidArgument(fmt::format(
        "the key file {} is accessible to other users (mode {:04o}); a secret key must be owner-only: "
        "chmod 600 {} (and, since others could read it, consider the key leaked and rotate it)",
        path, info.st_mode & 07777, path));
  }
  std::string text;
  TONGHOP_RETURN_IF_ERROR(ReadFileToString(path, &text));
  CurveKeyPair pair;
  TONGHOP_RETURN_IF_ERROR(ParseCurveKeyFile(path, text, &pair));
  if (pair.secret_key.empty()) {
    return Status::InvalidArgument(fmt::format(
        "{} holds only a public key; give this node its own .key file (tonghop keygen writes both)", path));
  }
  *out = std::move(pair);
  return Status::OK();
}

Status ResolveCurvePublicKey(const std::string& key_or_path, std::string* out) {
  if (IsZ85Key(key_or_path)) {
    *out = key_or_path;
    return Status::OK();
  }
  std::string text;
  Status read = ReadFileToString(key_or_path, &text);
  if (!read.ok()) {
    // The value is not repeated: a mistyped key might be someone's secret.
    return Status::InvalidArgument(
        "the server public key given is neither 40 Z85 characters nor a readable .pub file; give the path of the "
        "server's .pub file written by tonghop keygen");
  }
  CurveKeyPair pair;
  TONGHOP_RETURN_IF_ERROR(ParseCurveKeyFile(key_or_path, text, &pair));
  *out = pair.public_key;
  return Status::OK();
}

}  // namespace tonghop
