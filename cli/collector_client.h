// One request/reply exchange with a collector's local submit endpoint (proto/tonghop/v1/local.proto).
// A DEALER that sends [empty][LocalRequest], the envelope a REQ socket would send, and takes the
// last frame of the answer as the LocalReply: so it works whether the collector's ROUTER echoes
// the empty delimiter or not, and, unlike REQ, it can give up after a timeout and be closed
// without the lock-step state getting in the way.
#pragma once

#include <string>

#include "core/status.h"
#include "tonghop/v1/local.pb.h"

namespace tonghop::cli {

// Unavailable when no reply arrives within timeout_ms (the message names the endpoint and how to
// check on the collector); Corruption when the reply is not a LocalReply. The caller inspects
// reply->error() for the collector's own verdict.
Status CallCollector(const std::string& endpoint, const tonghop::v1::LocalRequest& request,
                     int timeout_ms, tonghop::v1::LocalReply* reply);

}  // namespace tonghop::cli
