#include "tests/feed_flood.h"

#include <chrono>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include <zmq.hpp>

#include "core/testing/temp_dir.h"
#include "core/topics.h"
#include "tests/raw_zmtp_peer.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::testing {
namespace {

constexpr size_t kHugeSubscriptionBytes = 8 << 20;
// Enough that a server storing them all holds hundreds of MB (about 8 kB each in libzmq 4.3.4's
// subscription trie).
constexpr int kSubscriptionsPerRound = 50'000;
// How long a subscription attacker waits for the server to close its connection after sending.
constexpr int kWaitForCloseMs = 1'000;

void Sleep(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace

std::string FloodCatalogDir() {
  // The system tests' catalog, accepting figures up to 2100: a flood target holds a century of them.
  static const TempDir catalog;  // removed when the process exits
  static const bool written = [] {
    const std::filesystem::path source = std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/catalog";
    for (const auto& file : std::filesystem::directory_iterator(source)) {
      std::filesystem::copy_file(file.path(), catalog.Sub(file.path().filename().string()));
    }
    catalog.Write("years.csv", "first_year,last_year\n1990,2100\n");
    return true;
  }();
  (void)written;
  return catalog.path();
}

Status StartFloodTarget(MiniProvince& province, int years, const std::vector<std::string>& publisher_flags) {
  TONGHOP_RETURN_IF_ERROR(province.StartAggregator());
  TONGHOP_RETURN_IF_ERROR(province.StartPublisher(publisher_flags));
  TONGHOP_RETURN_IF_ERROR(province.StartCollector("north"));
  const std::vector<std::string> indicators = {"agri.area.total", "agri.area.rice", "agri.herd.pigs"};
  std::string text = "indicator,period,value\n";
  for (int year = 2000; year < 2000 + years; ++year) {
    for (int month = 1; month <= 12; ++month) {
      for (const auto& indicator : indicators) text += fmt::format("{},{}-{:02d},{}\n", indicator, year, month, year + month);
    }
  }
  TONGHOP_RETURN_IF_ERROR(province.DropText("north", "figures.csv", text));
  const size_t aggregates = indicators.size() * 19 * static_cast<size_t>(years);
  return province.WaitForWatch([&](const nlohmann::json& state) { return state["aggregates"].size() == aggregates; },
                               60'000);
}

const char* FeedFlood::name() const {
  switch (kind_) {
    case Kind::kHugeSubscription: return "an 8 MiB subscription";
    case Kind::kManySubscriptions: return "50,000 subscriptions per connection";
    case Kind::kSnapshotRequests: return "snapshot requests, never read";
  }
  return "?";
}

FeedFlood::FeedFlood(Kind kind, std::string publish_endpoint, std::string snapshot_endpoint, int max_rounds)
    : kind_(kind), publish_endpoint_(std::move(publish_endpoint)), snapshot_endpoint_(std::move(snapshot_endpoint)),
      max_rounds_(max_rounds) {}

FeedFlood::~FeedFlood() { Stop(); }

void FeedFlood::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void FeedFlood::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void FeedFlood::Run() {
  if (kind_ == Kind::kSnapshotRequests) {
    RunSnapshotRequests();
  } else {
    RunSubscriptions();
  }
}

void FeedFlood::RunSubscriptions() {
  std::mt19937 random(static_cast<uint32_t>(kind_ == Kind::kHugeSubscription ? 1 : 2));
  while (!stop_ && (max_rounds_ == 0 || rounds_ < static_cast<uint64_t>(max_rounds_))) {
    RawZmtpPeer peer;
    if (!peer.Connect(publish_endpoint_, "SUB").ok()) {
      Sleep(100);
      continue;
    }
    ++rounds_;
    if (kind_ == Kind::kHugeSubscription) {
      std::string topic = "i/" + std::string(kHugeSubscriptionBytes, 'a');
      if (peer.Subscribe(topic).ok()) ++messages_;
    } else {
      for (int i = 0; i < kSubscriptionsPerRound && !stop_; ++i) {
        std::string topic = "i/";
        while (topic.size() < kMaxFilterBytes) topic += static_cast<char>('0' + random() % 75);
        if (!peer.Subscribe(topic).ok()) break;
        ++messages_;
      }
    }
    // A peer the server leaves connected holds what it sent until the attack stops.
    while (!stop_ && peer.connected() && !peer.WaitClosedByServer(kWaitForCloseMs)) {
    }
    if (!peer.connected()) ++closed_by_server_;
  }
  while (!stop_) Sleep(10);
}

void FeedFlood::RunSnapshotRequests() {
  zmq::context_t context(1);
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  // It never reads: what arrives stays in the kernel's buffers, and the server's queue fills.
  dealer.set(zmq::sockopt::rcvhwm, 1);
  dealer.set(zmq::sockopt::sndhwm, 1'000);
  dealer.connect(snapshot_endpoint_);
  ++rounds_;
  const std::string request = tonghop::v1::SnapshotRequest().SerializeAsString();  // everything, since 0
  while (!stop_) {
    if (dealer.send(zmq::buffer(request), zmq::send_flags::dontwait)) {
      ++messages_;
    } else {
      Sleep(1);
    }
  }
}

}  // namespace tonghop::testing
