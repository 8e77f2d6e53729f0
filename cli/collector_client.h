// One request/reply exchange with a collector's local submit endpoint (proto/tonghop/v1/local.proto).
// A DEALER that sends [empty][LocalRequest], the envelope a REQ socket would send, and takes the
// last frame of the answer as the LocalReply: so it works whether the collector's ROUTER echoes
// the empty delimiter or not, and, unlike REQ, it can give up after a timeout and be closed
// without the lock-step state getting in the way.
#pragma once

#include <string>
#include <vector>

#include <google/protobuf/message_lite.h>

#include "core/status.h"
#include "core/transport.h"
#include "tonghop/v1/local.pb.h"

namespace tonghop::cli {

// The exchange itself, for any request and reply type, under CURVE when `curve` has keys, with
// the first of `endpoints` to answer; *answered (when given) gets the endpoint whose reply *reply
// is. `peer` names what answers ("the collector") and `hint` says how to check on it, for the
// messages. The rule for several endpoints (a pair of aggregators):
//  - endpoints[0] is asked first. The next one is asked too, on its own socket, once each asked so
//    far has failed for now (its connection was refused or lost, its handshake refused, its answer
//    not a reply), or once the last one asked has had timeout_ms / (2 × endpoints) without
//    answering: so every endpoint is asked within the first half of the timeout.
//  - The first reply that parses is taken, whatever it says (an error is an answer); the others'
//    sockets are closed, and what they may still answer is dropped.
//  - Until the timeout each endpoint is tried again: libzmq reconnects a connection that failed,
//    a refused handshake gets a new socket after RetryDelayMs, and a request lost with its
//    connection is sent again once it is back. So a server that restarts meanwhile still answers.
// Unavailable when none answers within timeout_ms, naming each endpoint and what it did (refused
// the connection, refused the key, connected but did not answer); Corruption when each one
// answered something that is not a reply; InvalidArgument for an endpoint that is not one.
Status CallEndpoint(const std::vector<std::string>& endpoints, const CurveSocketKeys& curve,
                    const google::protobuf::MessageLite& request, int timeout_ms,
                    google::protobuf::MessageLite* reply, const std::string& peer, const std::string& hint,
                    std::string* answered = nullptr);

// Unavailable when no reply arrives within timeout_ms (the message names the endpoint and how to
// check on the collector); Corruption when the reply is not a LocalReply. The caller inspects
// reply->error() for the collector's own verdict.
Status CallCollector(const std::string& endpoint, const tonghop::v1::LocalRequest& request,
                     int timeout_ms, tonghop::v1::LocalReply* reply);

}  // namespace tonghop::cli
