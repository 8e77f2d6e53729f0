#include "cli/aggregator_client.h"

#include "cli/collector_client.h"

namespace tonghop::cli {

Status CallAggregator(const std::string& endpoint, const tonghop::v1::QueryRequest& request, int timeout_ms,
                      tonghop::v1::QueryReply* reply) {
  TONGHOP_RETURN_IF_ERROR(CallEndpoint(endpoint, request, timeout_ms, reply, "the aggregator",
                                       "is it running, and is this its --query_endpoint? (deploy/local/province.sh status)"));
  if (!reply->error().empty()) return Status::InvalidArgument("the aggregator says: " + reply->error());
  return Status::OK();
}

}  // namespace tonghop::cli
