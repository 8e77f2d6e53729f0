// One request/reply exchange with the aggregator's query endpoint (proto/tonghop/v1/query.proto),
// for `tonghop status|history|query|export|report`. Same envelope and timeout behaviour as
// CallCollector (collector_client.h), whose exchange it shares. When the aggregator runs with
// CURVE keys its query endpoint answers only keys registered as role "office" (docs/SECURITY.md).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/client_config.h"
#include "core/link_security.h"
#include "core/status.h"
#include "tonghop/v1/query.pb.h"

namespace tonghop::cli {

// Where a query command finds the aggregator, and how it identifies itself, as its flags say;
// what they leave out comes from the client configuration, then the local province
// (cli/client_config.h).
struct AggregatorLink {
  std::string endpoint;  // "": the configuration's, else tcp://127.0.0.1:5553
  int timeout_ms = 5'000;
  // An office key pair and the aggregator's public key.
  LinkSecurityFlags security;
};

// Declares --aggregator, --timeout_ms, --curve_secret_key_file, --curve_server_public_key and
// --plaintext_for_development.
void AddAggregatorFlags(CLI::App* command, AggregatorLink* link);

// Unavailable when no reply arrives within timeout_ms, saying what to check (the endpoint, and
// the keys: a key the aggregator does not admit gets no answer at all); InvalidArgument with the
// aggregator's `error` when it could not answer the request (an unknown indicator, a malformed
// period, a key revoked since the connection was made), or with a bad key flag.
Status CallAggregator(const AggregatorLink& link, const tonghop::v1::QueryRequest& request,
                      tonghop::v1::QueryReply* reply);

}  // namespace tonghop::cli
