// One request/reply exchange with a collector's local submit endpoint (proto/tonghop/v1/local.proto).
// A DEALER that sends [empty][LocalRequest], the envelope a REQ socket would send, and takes the
// last frame of the answer as the LocalReply: so it works whether the collector's ROUTER echoes
// the empty delimiter or not, and, unlike REQ, it can give up after a timeout and be closed
// without the lock-step state getting in the way.
#pragma once

#include <string>

#include <google/protobuf/message_lite.h>

#include "core/status.h"
#include "core/transport.h"
#include "tonghop/v1/local.pb.h"

namespace tonghop::cli {

// The exchange itself, for any request and reply type, under CURVE when `curve` has keys. `peer`
// names what answers ("the collector") and `hint` says how to check on it, for the messages.
Status CallEndpoint(const std::string& endpoint, const CurveSocketKeys& curve,
                    const google::protobuf::MessageLite& request, int timeout_ms,
                    google::protobuf::MessageLite* reply, const std::string& peer, const std::string& hint);

// Unavailable when no reply arrives within timeout_ms (the message names the endpoint and how to
// check on the collector); Corruption when the reply is not a LocalReply. The caller inspects
// reply->error() for the collector's own verdict.
Status CallCollector(const std::string& endpoint, const tonghop::v1::LocalRequest& request,
                     int timeout_ms, tonghop::v1::LocalReply* reply);

}  // namespace tonghop::cli
