// FeedFlood: one of the attacks on a Clone server's subscriber side (docs/SECURITY.md, issue 10),
// played over real TCP on a thread of its own until stopped, by anyone who can reach the
// publisher (no key needed: the subscriber side is public by default). For
// tests/publisher_flood_test.cc and `tonghop-bench --flood`.
//
//  - kHugeSubscription: a SUB (RawZmtpPeer) whose one subscription is 8 MiB long; it connects,
//    sends it and waits for the server to close the connection, then again.
//  - kManySubscriptions: a SUB that sends tens of thousands of distinct subscriptions, each as
//    long as a valid filter may be ("i/" and random characters), without waiting; then again.
//  - kSnapshotRequests: a DEALER that sends full snapshot requests as fast as it can and never
//    reads a reply.
// Stop() ends the attack and closes every connection it holds: the attacker leaves.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "core/status.h"
#include "tests/mini_province.h"

namespace tonghop::testing {

// The catalog the flood runs use: tests/testdata/catalog with its years widened to 2100, made once
// per process in a temporary folder.
std::string FloodCatalogDir();

// Starts the aggregator, the publisher (with `publisher_flags`) and the collector "north" of
// `province`, made with FloodCatalogDir(), and reports a figure for each of 3 indicators and 12
// months of `years` years: 19 aggregates per indicator and year (months, quarters, halves, year),
// a full snapshot of about 0.8 MB for 100 years. Returns once the publisher shows all of them.
Status StartFloodTarget(MiniProvince& province, int years, const std::vector<std::string>& publisher_flags = {});

class FeedFlood {
 public:
  enum class Kind { kHugeSubscription, kManySubscriptions, kSnapshotRequests };

  // `max_rounds` bounds the subscription attacks (connections made), so that a server without
  // bounds is not driven out of the machine's memory; 0 is no bound. The snapshot flood has one
  // connection.
  FeedFlood(Kind kind, std::string publish_endpoint, std::string snapshot_endpoint, int max_rounds = 0);
  ~FeedFlood();
  FeedFlood(const FeedFlood&) = delete;
  FeedFlood& operator=(const FeedFlood&) = delete;

  void Start();
  void Stop();

  // Connections made so far, and how many of them the server closed (cut the attacker off).
  uint64_t rounds() const { return rounds_; }
  uint64_t closed_by_server() const { return closed_by_server_; }
  // Messages sent (subscriptions or snapshot requests).
  uint64_t messages() const { return messages_; }

  // What the attack does, for messages.
  const char* name() const;

 private:
  void Run();
  void RunSubscriptions();
  void RunSnapshotRequests();

  Kind kind_;
  std::string publish_endpoint_;
  std::string snapshot_endpoint_;
  int max_rounds_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> rounds_{0};
  std::atomic<uint64_t> closed_by_server_{0};
  std::atomic<uint64_t> messages_{0};
  std::thread thread_;
};

}  // namespace tonghop::testing
