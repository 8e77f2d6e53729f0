// LocalApi: a collector's submit endpoint, a ROUTER speaking local.proto to `tonghop submit` and
// `tonghop collector-status` on the same machine (clients may use REQ or DEALER: whatever frames
// precede the request are echoed in front of the reply).
//  - submit: every figure passes the same checks as a drop-file row (collector/figure_check.h and,
//    once the collector has it, the aggregator's catalog);
//    if any fails nothing is stored and the error names the figure and the field, in the language
//    the request asks for (LocalRequest.language), or else the collector's. Otherwise the
//    figures are appended to the outbox (durable before the reply) and the reply carries their seqs.
//  - verdict: for figures submitted before, by seq: pending, stored, a duplicate, or refused and
//    why (the outbox's rejected records), as the first aggregator that settled it answered (for a
//    pair, the second need not have it yet). A seq acked before this run of the collector (or more
//    than Sender::kRecentAcks acks ago) is told as stored.
//  - status: the outbox's and the links' state (one per aggregator: a pair has two), with the
//    records it set aside as unreadable.
// A malformed request gets a LocalReply with error set, naming the field when one is at fault
// (a string that is not UTF-8); nothing a client sends can stop the node.
// Not thread-safe: the collector's loop owns it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "collector/collector_catalog.h"
#include "collector/outbox.h"
#include "collector/sender.h"
#include "core/log_limiter.h"
#include "core/messages.h"
#include "core/status.h"
#include "core/transport.h"
#include "tonghop/v1/local.pb.h"

namespace tonghop {

struct LocalApiOptions {
  std::string endpoint;        // bind address, e.g. ipc://var/collector/submit.sock
  std::string reporting_unit;  // the collector's unit
  Language language = Language::kVietnamese;  // of errors, when the request asks for none
  LinkOptions link;
  // Judges each figure by the aggregator's catalog, as a drop file's rows; may be null.
  const CollectorCatalog* catalog = nullptr;
};

class LocalApi {
 public:
  // `senders`: one per aggregator, in the outbox's order (at least one).
  LocalApi(zmq::context_t& context, LocalApiOptions options, Outbox* outbox, std::vector<const Sender*> senders);

  // Binds the endpoint. A leftover ipc socket file of a collector that is gone is replaced; one a
  // live process still serves makes Start fail.
  Status Start();

  zmq::pollitem_t PollItem();

  // Answers every pending request without blocking. Call the sender's Process() afterwards, so
  // that submitted figures leave at once.
  void Process();

 private:
  tonghop::v1::LocalReply Submit(const tonghop::v1::SubmitRequest& request, Language language);
  tonghop::v1::LocalReply OutboxStatus() const;
  tonghop::v1::LocalReply Verdicts(const tonghop::v1::VerdictRequest& request) const;

  LocalApiOptions options_;
  zmq::context_t& context_;
  Outbox* outbox_;
  std::vector<const Sender*> senders_;
  zmq::socket_t router_;
  LogLimiter client_log_{10'000};
};

}  // namespace tonghop
