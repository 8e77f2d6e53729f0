// Where the office's commands (import, template, status, query, history, export, report) find the
// province, from any working folder (docs/OPERATIONS.md, "Where the office commands find their
// keys"). For each setting, the first of:
//  1. the command's flag (or its section of a `tonghop --config FILE`);
//  2. the client configuration file: $TONGHOP_CONFIG when set (it must exist), else
//     $XDG_CONFIG_HOME/tonghop/tonghop.toml (~/.config/tonghop/tonghop.toml), else
//     /etc/tonghop/tonghop.toml: the first that exists. Its keys are those of ClientConfig,
//     `key = "value"` lines (`aggregator = ["a", "b"]` for a pair); a relative path in it is
//     relative to the file's folder;
//  3. the local province of deploy/local/province.sh, for keys only when the endpoint is its
//     loopback default: $TONGHOP_VAR/keys, or the var/keys of the repository the tonghop binary
//     was built in (build/bin/tonghop), or var/keys in the current folder; its catalog
//     deploy/lang-son, found the same way;
//  4. the defaults: tcp://127.0.0.1:5553 and :5550, plain text with no keys at all.
// Not thread-safe (reads the environment and files); call from the command's thread.
#pragma once

#include <string>
#include <vector>

#include "core/link_security.h"
#include "core/status.h"

namespace tonghop::cli {

inline constexpr const char* kDefaultQueryEndpoint = "tcp://127.0.0.1:5553";
inline constexpr const char* kDefaultIngestEndpoint = "tcp://127.0.0.1:5550";

// The settings of the client configuration file; "" where it sets none.
struct ClientConfig {
  std::vector<std::string> aggregators;  // the aggregators' query endpoints: one, or a pair
  std::vector<std::string> ingest_endpoints;  // their ingest endpoints (tonghop import): one, or a pair
  std::string curve_secret_key_file;    // an office key pair
  std::string curve_server_public_key;  // the aggregator's public key, or its .pub file
  std::string catalog_dir;
  std::string state_dir;                // where tonghop import keeps its outboxes
  std::string lang;                     // vi or en
  std::string file;                     // the file these came from; "" when there is none
};

// Reads the client configuration file (2. above) into *out; OK with nothing set when there is
// none. InvalidArgument naming the file and line for a key it does not know or a bad line, and
// NotFound for a $TONGHOP_CONFIG that does not exist.
Status LoadClientConfig(ClientConfig* out);

// The endpoints and the keys to reach them with, as resolved.
struct ResolvedLink {
  // In the order to ask them (cli/aggregator_client.h); for the ingest link, each one to send to.
  std::vector<std::string> endpoints;
  LinkSecurityFlags security;
  // Where the keys came from, for the message when the aggregator does not answer: "the flags",
  // a file's path, "the local province's <dir>", or "" (none: plain text).
  std::string keys_from;
};

// The endpoints and keys of a command given `endpoints` (none, or a list for the query link) and
// `security` by its flags, for the query link (`ingest` false) or the ingest link: completed by
// the configuration file, then by the local province, in the order above. A list replaces the
// one it would come after whole.
Status ResolveLink(const std::vector<std::string>& endpoints, const LinkSecurityFlags& security, bool ingest,
                   ResolvedLink* out);

// The catalog folder: `flag` when given, else the configuration file's, else the local
// province's deploy/lang-son; NotFound saying what to give when there is none.
Status ResolveCatalogDir(const std::string& flag, std::string* out);

// The folder tonghop import keeps its state in: `flag`, else the configuration file's
// state_dir, else $XDG_STATE_HOME/tonghop (~/.local/state/tonghop).
Status ResolveStateDir(const std::string& flag, std::string* out);

// The language code of the messages: `flag`, else the configuration file's lang, else "" (the
// locale decides: core/messages.h).
std::string ResolveLanguageCode(const std::string& flag);

}  // namespace tonghop::cli
