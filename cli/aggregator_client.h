// One request/reply exchange with the aggregator's query endpoint (proto/tonghop/v1/query.proto),
// for `tonghop status|history|query|export|report`. Same envelope and timeout behaviour as
// CallCollector (collector_client.h), whose exchange it shares.
#pragma once

#include <string>

#include "core/status.h"
#include "tonghop/v1/query.pb.h"

namespace tonghop::cli {

// The default --aggregator of the query commands: the local province's query endpoint.
inline constexpr const char* kDefaultQueryEndpoint = "tcp://127.0.0.1:5553";

// Unavailable when no reply arrives within timeout_ms; InvalidArgument with the aggregator's
// `error` when it could not answer the request (an unknown indicator, a malformed period).
Status CallAggregator(const std::string& endpoint, const tonghop::v1::QueryRequest& request, int timeout_ms,
                      tonghop::v1::QueryReply* reply);

}  // namespace tonghop::cli
