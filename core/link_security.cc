#include "core/link_security.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/curve_keys.h"

namespace tonghop {
namespace {

Status CheckChoice(const LinkSecurityFlags& flags, bool has_keys) {
  if (flags.plaintext_for_development && has_keys) {
    return Status::InvalidArgument(
        "--plaintext_for_development contradicts the CURVE key flags given with it: drop one or the other");
  }
  if (!flags.plaintext_for_development && !has_keys) {
    return Status::InvalidArgument(
        "this node needs CURVE keys: give --curve_secret_key_file (tonghop keygen writes one) and the flags of "
        "docs/SECURITY.md, or --plaintext_for_development to run unencrypted for a local test");
  }
  return Status::OK();
}

}  // namespace

void AddServerSecurityFlags(CLI::App& app, LinkSecurityFlags* flags) {
  app.add_option("--curve_secret_key_file", flags->curve_secret_key_file,
                 "this node's CURVE key pair (tonghop keygen NAME writes NAME.key; must be mode 0600)");
  app.add_option("--key_registry_file", flags->key_registry_file,
                 "CSV of the public keys allowed to connect (role,name,public_key,comment; docs/SECURITY.md); "
                 "reloaded on SIGHUP");
  app.add_flag("--plaintext_for_development", flags->plaintext_for_development,
               "run without encryption or authentication: anyone who reaches the ports can read and report. "
               "Only for tests on one machine");
}

void AddClientSecurityFlags(CLI::App& app, LinkSecurityFlags* flags, std::string_view server, bool plaintext_flag) {
  app.add_option("--curve_secret_key_file", flags->curve_secret_key_file,
                 "this node's CURVE key pair (tonghop keygen NAME writes NAME.key; must be mode 0600)");
  app.add_option("--curve_server_public_key", flags->curve_server_public_key,
                 fmt::format("the public key of {}: 40 Z85 characters, or its .pub file", server));
  if (plaintext_flag) {
    app.add_flag("--plaintext_for_development", flags->plaintext_for_development,
                 fmt::format("connect to {} without encryption; only for tests on one machine", server));
  }
}

Status LoadServerKeys(const LinkSecurityFlags& flags, CurveSocketKeys* out) {
  const bool has_keys = !flags.curve_secret_key_file.empty() || !flags.key_registry_file.empty();
  TONGHOP_RETURN_IF_ERROR(CheckChoice(flags, has_keys));
  *out = CurveSocketKeys();
  if (flags.plaintext_for_development) return Status::OK();
  if (flags.curve_secret_key_file.empty() || flags.key_registry_file.empty()) {
    return Status::InvalidArgument(
        "a CURVE server needs both --curve_secret_key_file (its own key pair) and --key_registry_file (who may "
        "connect); see docs/SECURITY.md");
  }
  CurveKeyPair pair;
  TONGHOP_RETURN_IF_ERROR(ReadCurveSecretKeyFile(flags.curve_secret_key_file, &pair));
  out->server = true;
  out->public_key = pair.public_key;
  out->secret_key = pair.secret_key;
  return Status::OK();
}

Status LoadClientKeys(const LinkSecurityFlags& flags, bool required, CurveSocketKeys* out) {
  const bool has_keys = !flags.curve_secret_key_file.empty() || !flags.curve_server_public_key.empty();
  *out = CurveSocketKeys();
  if (!required && !has_keys) return Status::OK();
  TONGHOP_RETURN_IF_ERROR(CheckChoice(flags, has_keys));
  if (flags.plaintext_for_development) return Status::OK();
  if (flags.curve_secret_key_file.empty() || flags.curve_server_public_key.empty()) {
    return Status::InvalidArgument(
        "a CURVE client needs both --curve_secret_key_file (its own key pair) and --curve_server_public_key (the "
        "server's .pub file); see docs/SECURITY.md");
  }
  CurveKeyPair pair;
  TONGHOP_RETURN_IF_ERROR(ReadCurveSecretKeyFile(flags.curve_secret_key_file, &pair));
  TONGHOP_RETURN_IF_ERROR(ResolveCurvePublicKey(flags.curve_server_public_key, &out->server_key));
  out->public_key = pair.public_key;
  out->secret_key = pair.secret_key;
  return Status::OK();
}

void WarnPlaintext(std::string_view what) {
  spdlog::warn("*****************************************************************************");
  spdlog::warn("PLAIN-TEXT MODE (--plaintext_for_development): {} are NOT encrypted and NOT", what);
  spdlog::warn("authenticated. Anyone who can reach them can read the traffic and report for any");
  spdlog::warn("unit. Use this only on one machine for tests; see docs/SECURITY.md for keys.");
  spdlog::warn("*****************************************************************************");
}

}  // namespace tonghop
