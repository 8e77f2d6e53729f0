// How a node secures its TCP links (docs/SECURITY.md): the flags every node shares, and the
// CurveSocketKeys (core/transport.h) they yield.
//
// A server node (aggregator; a publisher towards authenticated subscribers) needs its own key
// pair and a key registry; a client node (collector; publisher towards the aggregator; watch)
// needs its own key pair and the server's public key. A node that must choose refuses to start
// with neither keys nor --plaintext_for_development, and plain-text mode is logged loudly.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "core/status.h"
#include "core/transport.h"

namespace tonghop {

struct LinkSecurityFlags {
  std::string curve_secret_key_file;    // this node's key pair (tonghop keygen), owner-only
  std::string curve_server_public_key;  // clients: the server's key, Z85 or its .pub file
  std::string key_registry_file;        // servers: who may connect, as whom (core/key_registry.h)
  bool plaintext_for_development = false;
};

// --curve_secret_key_file, --key_registry_file and --plaintext_for_development.
void AddServerSecurityFlags(CLI::App& app, LinkSecurityFlags* flags);
// --curve_secret_key_file and --curve_server_public_key (the key of `server`, e.g. "the
// aggregator"); with `plaintext_flag` also --plaintext_for_development.
void AddClientSecurityFlags(CLI::App& app, LinkSecurityFlags* flags, std::string_view server, bool plaintext_flag);

// A server's keys: its pair from --curve_secret_key_file, and the registry's path checked to be
// given. Under --plaintext_for_development *out stays disabled. Fails, saying what to give, on
// neither, both, or a bad key file.
Status LoadServerKeys(const LinkSecurityFlags& flags, CurveSocketKeys* out);
// A client's keys: its pair and the server's public key. With `required` false, no flags at
// all means plain text (a public publisher); otherwise as LoadServerKeys.
Status LoadClientKeys(const LinkSecurityFlags& flags, bool required, CurveSocketKeys* out);

// The start-up warning of plain-text mode: `what` says which links are exposed.
void WarnPlaintext(std::string_view what);

}  // namespace tonghop
