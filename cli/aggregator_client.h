// One request/reply exchange with the aggregator's query endpoint (proto/tonghop/v1/query.proto),
// for `tonghop status|history|query|export|report|template|backup` and the web node. Same envelope
// and timeout behaviour as CallCollector (collector_client.h), whose exchange it shares. When the
// aggregator runs with CURVE keys its query endpoint answers only keys registered as role
// "office" or "viewer" (docs/SECURITY.md).
//
// A pair of aggregators (docs/OPERATIONS.md, "Running a pair") holds the same figures and values:
// a link names both, and each question is answered by whichever answers. The rule (CallEndpoint):
// the first endpoint is asked first; the next is asked too as soon as the first refuses the
// connection, loses it or refuses the key (a socket monitor tells, in milliseconds), or after a
// quarter of the timeout without an answer (timeout / (2 × endpoints)); the first reply taken is
// the answer, an error reply included. So a dead aggregator ahead of a live one costs a question
// next to nothing when its machine refuses the connection, and a quarter of the timeout when it
// cannot be reached at all; a client that asks again (the web node) asks first the one that
// answered last, so it pays that once. A backup, many requests that belong together, stays with
// the aggregator that answered its first (cli/backup.h).
//
// Thread-compatible: a link is a value; CallAggregator keeps no state between calls.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/client_config.h"
#include "core/link_security.h"
#include "core/status.h"
#include "tonghop/v1/query.pb.h"

namespace tonghop::cli {

// Where a query command finds the aggregators, and how it identifies itself, as its flags say;
// what they leave out comes from the client configuration, then the local province
// (cli/client_config.h).
struct AggregatorLink {
  // The query endpoints in the order to ask them (a pair: both); none: the configuration's, else
  // tcp://127.0.0.1:5553.
  std::vector<std::string> endpoints;
  int timeout_ms = 5'000;
  // An office key pair and the aggregators' public key (a pair shares it: docs/SECURITY.md).
  LinkSecurityFlags security;
};

// Declares --aggregator (a list: `a,b` or the flag twice), --timeout_ms, --curve_secret_key_file,
// --curve_server_public_key and --plaintext_for_development.
void AddAggregatorFlags(CLI::App* command, AggregatorLink* link);

// Asks link.endpoints as the rule above says. When `answered` is given, the endpoint it names is
// asked first if it is one of them, and it is set to the endpoint that answered: a caller that
// keeps it asks first, next time, the aggregator that answered last.
// Unavailable when no reply arrives within timeout_ms, naming each endpoint, what it did, and what
// to check (the endpoint, and the keys: a key the aggregator does not admit gets no answer at
// all); InvalidArgument with the aggregator's `error` when it could not answer the request (an
// unknown indicator, a malformed period, a key revoked since the connection was made), or with a
// bad key flag.
Status CallAggregator(const AggregatorLink& link, const tonghop::v1::QueryRequest& request,
                      tonghop::v1::QueryReply* reply, std::string* answered = nullptr);

}  // namespace tonghop::cli
