// Relay: one level's totals as the next level's figures (docs/ARCHITECTURE.md, "Levels"). A
// collector started with --relay_publish_endpoint is the relay of its level: a Clone replica
// (core/clone_replica.h) of the publisher of the level below, say Lạng Sơn's, and each total it
// holds, (indicator, period), becomes a figure of the collector's reporting unit, the province's
// code, in the collector's outbox. The collector's Sender then delivers it to the level above,
// exactly once and through crashes on either side, as it does any figure.
//
// Contract:
//  - Relayed: every total a unit of the level below reported for the period itself (not derived,
//    AggregateUpdate.derived false), whose indicator the level above expects from this unit (its
//    catalog, as the collector holds it). Derived periods (a year from its quarters) are left to
//    the level above, which derives its own from the relayed ones by the same rules.
//  - Each figure carries the total's completeness (BelowCompleteness): a partial total arrives
//    partial, with who is missing.
//  - Only what changed is enqueued: RelayMemory keeps, durably, the last figure enqueued per
//    (indicator, period), so a restart, a fresh snapshot or a publisher's new stream enqueues
//    nothing again that the level above already has. A correction at a unit below enqueues one
//    figure.
//  - The totals of one turn enter the outbox in one synced Append. Nothing is enqueued until the
//    collector is ready (may_enqueue): the replica keeps the latest version of each total
//    meanwhile, so none is lost.
// Not thread-safe: the collector's loop owns it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "collector/collector_catalog.h"
#include "collector/outbox.h"
#include "collector/relay_memory.h"
#include "core/clone_replica.h"
#include "core/log_limiter.h"
#include "core/status.h"

namespace tonghop {

struct RelayOptions {
  std::string reporting_unit;  // the code of the level below as a unit of the level above
  CloneReplicaOptions replica;  // the publisher of the level below; filter ""
  std::string memory_dir;       // RelayMemory's folder
};

class Relay {
 public:
  // `outbox` and `catalog` (the level above's, may hold none yet) outlive the relay.
  Relay(zmq::context_t& context, RelayOptions options, Outbox* outbox, const CollectorCatalog* catalog);

  // Opens the memory (brought level with the outbox) and starts the replica.
  Status Start();

  // The replica's sockets, for the owner's poll set; ask again after every Process().
  std::vector<zmq::pollitem_t> PollItems() { return replica_.PollItems(); }

  // Applies what the publisher sent, then, when `may_enqueue`, enqueues the changed totals. Call
  // it every loop turn. Returns how many figures it enqueued; an outbox that cannot be written is
  // logged (rate-limited) and tried again next turn.
  size_t Process(bool may_enqueue);

  // The figure a total becomes, or none when it is not relayed (see the contract).
  std::optional<tonghop::v1::IndicatorUpdate> FigureOf(const tonghop::v1::AggregateUpdate& total) const;

  const CloneReplica& replica() const { return replica_; }
  uint64_t relayed() const { return relayed_; }

 private:
  RelayOptions options_;
  Outbox* outbox_;
  const CollectorCatalog* catalog_;
  CloneReplica replica_;
  std::unique_ptr<RelayMemory> memory_;
  // Totals stored by the replica and not yet looked at: the latest version of each aggregate.
  std::map<std::pair<std::string, std::string>, tonghop::v1::AggregateUpdate> changed_;
  uint64_t relayed_ = 0;
  LogLimiter outbox_log_{10'000};
  mutable LogLimiter skipped_log_{60'000};  // FigureOf is const to its callers
};

}  // namespace tonghop
