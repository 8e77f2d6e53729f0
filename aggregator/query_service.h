// QueryService: the aggregator's query link (docs/PROTOCOL.md, "Query link"). A ROUTER socket
// answering QueryRequest from `tonghop status|history|query|export|report` out of the aggregator's
// in-memory state (ProvinceState) and its audit log (IngestStore). It never changes either, so a
// query can neither lose nor alter a figure. Each request gets exactly one QueryReply; a malformed
// one gets a reply whose `error` says so. Under CURVE only keys of role "office" complete the
// handshake (the socket's ZAP domain), and each request is checked again against the registry as
// it is now, so a key revoked by a reload gets no more answers on the connection it already has.
// Not thread-safe: the aggregator's loop thread owns it.
#pragma once

#include <string>

#include <zmq.hpp>

#include "aggregator/ingest_authorizer.h"
#include "aggregator/ingest_store.h"
#include "aggregator/province_state.h"
#include "core/catalog.h"
#include "core/log_limiter.h"
#include "core/status.h"
#include "core/transport.h"
#include "tonghop/v1/query.pb.h"

namespace tonghop {

class QueryService {
 public:
  // `authorizer` holds the key registry each request is checked against.
  QueryService(zmq::context_t& context, const Catalog* catalog, const ProvinceState* state, const IngestStore* store,
               const IngestAuthorizer* authorizer);

  // Binds the ROUTER (a CURVE server of ZAP domain "office" when `link` has keys); fails with
  // the endpoint in the message.
  Status Start(const std::string& endpoint, const LinkOptions& link);

  zmq::socket_t& socket() { return socket_; }
  // Answers pending requests without blocking, at most 16 per call so that queries cannot starve
  // ingest (the rest keep the socket readable).
  void Serve();

 private:
  // The answer to one request.
  tonghop::v1::QueryReply Answer(const tonghop::v1::QueryRequest& request, int64_t now_ms) const;
  tonghop::v1::QueryReply Values(const tonghop::v1::ValuesRequest& request) const;
  tonghop::v1::QueryReply History(const tonghop::v1::HistoryRequest& request) const;
  tonghop::v1::QueryReply PeriodStatus(const tonghop::v1::StatusRequest& request, int64_t now_ms) const;

  const Catalog* catalog_;
  const ProvinceState* state_;
  const IngestStore* store_;
  const IngestAuthorizer* authorizer_;
  zmq::socket_t socket_;
  LogLimiter refusal_log_;
};

}  // namespace tonghop
