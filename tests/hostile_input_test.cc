// Hostile input against the real nodes (issue 5; docs/SECURITY.md). A MiniProvince runs the
// aggregator and the publisher under CURVE with a key registry; the test plays collectors over
// real TCP sockets: with a unit's key, with another unit's key, with an unknown key, without
// CURVE, and sending garbage. After each attack it checks the rejection the sender got, that the
// aggregator still serves (a good update is acked), and that the totals a subscriber sees did not
// change. The query endpoint and an authenticated publisher are tried the same way: the right
// key, an unknown key, none, and for queries a collector's key and a key revoked while connected.
// Then the same for what a node reads from disk: a malformed drop file, a broken config, a key
// file others can read, a broken key registry (at start and on SIGHUP).
#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <thread>

#include <google/protobuf/unknown_field_set.h>
#include <gtest/gtest.h>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "collector/test_outbox_record.h"
#include "core/clone_replica.h"
#include "core/csv.h"
#include "core/curve_keys.h"
#include "core/testing/clone_source.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/audit_summary.h"
#include "tests/mini_province.h"
#include "tonghop/v1/query.pb.h"
#include "tonghop/v1/tonghop.pb.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

using tonghop::v1::RejectReason;

constexpr char kIndicator[] = "agri.sown_area.total";
constexpr char kPeriod[] = "2017-Q1";
// How long the totals a subscriber sees may take to show an ingested figure.
constexpr int kTotalTimeoutMs = 10'000;

// A client played by the test: a DEALER to one of the aggregator's endpoints, as a collector
// (ingest) or as the office (query).
class RawClient {
 public:
  RawClient(zmq::context_t& context, const std::string& endpoint, const CurveSocketKeys& curve)
      : socket_(context, zmq::socket_type::dealer) {
    LinkOptions link;
    link.curve = curve;
    link.max_message_bytes = -1;  // the test sends what the aggregator must refuse
    ConfigureSocket(socket_, link);
    socket_.connect(endpoint);
  }

  void SendFrames(const std::vector<std::string>& frames) {
    std::vector<zmq::const_buffer> buffers;
    for (const auto& f : frames) buffers.push_back(zmq::buffer(f));
    ASSERT_TRUE(zmq::send_multipart(socket_, buffers));
  }
  void Send(const tonghop::v1::CollectorMessage& message) { SendFrames({message.SerializeAsString()}); }

  // The next reply, or nullopt after timeout_ms.
  template <typename Reply = tonghop::v1::AggregatorMessage>
  std::optional<Reply> Receive(int timeout_ms = 3'000) {
    std::vector<zmq::pollitem_t> items = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, std::chrono::milliseconds(timeout_ms));
    if (!(items[0].revents & ZMQ_POLLIN)) return std::nullopt;
    zmq::message_t frame;
    (void)socket_.recv(frame);
    Reply message;
    EXPECT_TRUE(ParseProto(frame, &message));
    return message;
  }

  // Sends one query and returns the reply (fails the test when none arrives).
  tonghop::v1::QueryReply Query(const tonghop::v1::QueryRequest& request) {
    SendFrames({request.SerializeAsString()});
    auto reply = Receive<tonghop::v1::QueryReply>();
    EXPECT_TRUE(reply.has_value()) << "no reply from the query endpoint";
    return reply.value_or(tonghop::v1::QueryReply());
  }

  // Sends one batch and returns its replies (fails the test when none arrive).
  tonghop::v1::UpdateReplies Exchange(const tonghop::v1::UpdateBatch& batch) {
    tonghop::v1::CollectorMessage message;
    *message.mutable_updates() = batch;
    Send(message);
    auto reply = Receive();
    EXPECT_TRUE(reply.has_value()) << "no reply from the aggregator";
    return reply ? reply->replies() : tonghop::v1::UpdateReplies();
  }

  // True when a heartbeat is answered: the aggregator serves this connection.
  bool Heartbeat() {
    tonghop::v1::CollectorMessage message;
    message.mutable_heartbeat()->set_sent_at_ms(NowMs());
    Send(message);
    auto reply = Receive();
    return reply && reply->has_heartbeat();
  }

 private:
  zmq::socket_t socket_;
};

tonghop::v1::UpdateBatch Batch(uint64_t outbox_id, uint64_t seq, const std::string& unit, double value) {
  tonghop::v1::UpdateBatch batch;
  batch.set_node_id("test-" + unit);
  batch.set_outbox_id(outbox_id);
  auto* update = batch.add_updates();
  update->set_seq(seq);
  update->set_reporting_unit(unit);
  update->set_indicator(kIndicator);
  update->set_period(kPeriod);
  update->set_value(value);
  update->set_observed_at_ms(NowMs());
  return batch;
}

// `message` serialized, with the bytes of `placeholder` (an ASCII string set in one of its fields)
// replaced by `raw`, of the same length: what a sender that does not check its strings sends.
template <typename Message>
std::string WithRawBytes(const Message& message, const std::string& placeholder, const std::string& raw) {
  std::string bytes = message.SerializeAsString();
  size_t at = bytes.find(placeholder);
  EXPECT_NE(at, std::string::npos);
  EXPECT_EQ(placeholder.size(), raw.size());
  if (at != std::string::npos) bytes.replace(at, placeholder.size(), raw);
  return bytes;
}

// Counts the non-overlapping occurrences of `what` in `text`.
size_t Occurrences(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
  return count;
}

class HostileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = dir_.Sub("keys");
    std::filesystem::create_directories(keys_);
    for (const char* name : {"aggregator", "publisher", "office", "watcher", "cao-loc", "loc-binh", "stranger"}) {
      CurveKeyPair pair;
      ASSERT_OK(GenerateCurveKeyPair(&pair));
      ASSERT_OK(WriteCurveKeyFiles(keys_ + "/" + name, name, pair));
      pairs_[name] = pair;
    }
    WriteRegistry({"cao-loc", "loc-binh"});
    province_.set_plaintext_for_development(false);
    ASSERT_OK(province_.StartAggregator(AggregatorKeyFlags()));
    ASSERT_OK(province_.StartPublisher(KeyFlags("publisher")));
  }

  // The registry that admits the publisher, the collectors of `units`, and with `office` the office.
  std::string Registry(const std::vector<std::string>& units, bool office = true) {
    std::string text = "role,name,public_key,comment\npublisher,publisher," + pairs_["publisher"].public_key + ",\n";
    if (office) text += "office,office," + pairs_["office"].public_key + ",statistics desk\n";
    for (const auto& unit : units) text += "collector," + unit + "," + pairs_[unit].public_key + ",test\n";
    return text;
  }
  // Makes it the aggregator's key registry file (read at start and on SIGHUP).
  void WriteRegistry(const std::vector<std::string>& units, bool office = true) { WriteKeyRegistry(Registry(units, office)); }
  void WriteKeyRegistry(const std::string& text) { dir_.Write("keys/keys.csv", text); }

  // The CURVE client keys of `name` towards `server`.
  CurveSocketKeys ClientKeys(const std::string& name, const std::string& server = "aggregator") {
    CurveSocketKeys curve;
    curve.public_key = pairs_[name].public_key;
    curve.secret_key = pairs_[name].secret_key;
    curve.server_key = pairs_[server].public_key;
    return curve;
  }

  // The CLI flags of the same.
  std::vector<std::string> KeyFlags(const std::string& name, const std::string& server = "aggregator") const {
    return {"--curve_secret_key_file", keys_ + "/" + name + ".key", "--curve_server_public_key",
            keys_ + "/" + server + ".pub"};
  }
  // The aggregator's own: its secret key and the key registry.
  std::vector<std::string> AggregatorKeyFlags() const {
    return {"--curve_secret_key_file", keys_ + "/aggregator.key", "--key_registry_file", keys_ + "/keys.csv"};
  }

  std::string Ingest() const { return province_.IngestEndpoint(); }

  // The province total of kIndicator/kPeriod in a state watch printed ("absent" when none).
  static std::string Total(const nlohmann::json& state) {
    const nlohmann::json* a = testing::FindAggregate(state, kIndicator, kPeriod);
    return a == nullptr ? "absent" : (*a)["value"].dump() + " from " + (*a)["units_reported"].dump() + " units";
  }

  // Waits until the subscriber sees `expected` (the feed is asynchronous).
  void ExpectTotal(const std::string& expected) {
    std::string seen;
    Status s = province_.WaitForWatch(
        [&](const nlohmann::json& state) { return (seen = Total(state)) == expected; }, kTotalTimeoutMs);
    EXPECT_EQ(seen, expected) << s.ToString() << "\n" << province_.LogTail("publisher");
  }

  testing::TempDir dir_;
  std::string keys_;
  std::map<std::string, CurveKeyPair> pairs_;
  testing::MiniProvince province_{dir_.Sub("province"), TONGHOP_SOURCE_DIR "/deploy/lang-son"};
  zmq::context_t context_{1};
};

void ExpectRejected(const tonghop::v1::UpdateReplies& replies, RejectReason reason, const std::string& field) {
  ASSERT_EQ(replies.rejects_size(), 1) << replies.DebugString();
  EXPECT_EQ(replies.acks_size(), 0);
  EXPECT_EQ(replies.rejects(0).reason(), reason) << replies.DebugString();
  EXPECT_NE(replies.rejects(0).text().find("field '" + field + "'"), std::string::npos) << replies.rejects(0).text();
}

TEST_F(HostileInputTest, KeyOfOneUnitCannotChangeAnotherUnitsFigures) {
  RawClient loc_binh(context_, Ingest(), ClientKeys("loc-binh"));
  ASSERT_EQ(loc_binh.Exchange(Batch(7, 1, "loc-binh", 500)).acks_size(), 1);
  ExpectTotal("500.0 from 1 units");

  // A compromised cao-loc collector: another unit's id, on its own outbox...
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  ExpectRejected(cao_loc.Exchange(Batch(8, 1, "loc-binh", 999'999)), RejectReason::REJECT_REASON_UNAUTHORIZED,
                 "reporting_unit");
  // ...or on loc-binh's outbox, which would otherwise also advance (silence) its sequence.
  ExpectRejected(cao_loc.Exchange(Batch(7, 2, "loc-binh", 999'999)), RejectReason::REJECT_REASON_UNAUTHORIZED,
                 "outbox_id");
  ExpectRejected(cao_loc.Exchange(Batch(7, 2, "cao-loc", 1)), RejectReason::REJECT_REASON_UNAUTHORIZED, "outbox_id");
  ExpectTotal("500.0 from 1 units");

  // Nothing was consumed: loc-binh's next seq and cao-loc's own first one are applied.
  ASSERT_EQ(loc_binh.Exchange(Batch(7, 2, "loc-binh", 600)).acks_size(), 1);
  ASSERT_EQ(cao_loc.Exchange(Batch(8, 1, "cao-loc", 40)).acks_size(), 1);
  ExpectTotal("640.0 from 2 units");
  EXPECT_NE(province_.LogTail("aggregator", 50).find("unauthorized"), std::string::npos);
}

TEST_F(HostileInputTest, ClientsWithoutCurveOrWithAnUnknownKeyGetNothing) {
  RawClient plain(context_, Ingest(), CurveSocketKeys());
  RawClient stranger(context_, Ingest(), ClientKeys("stranger"));
  tonghop::v1::CollectorMessage message;
  *message.mutable_updates() = Batch(9, 1, "cao-loc", 77);
  plain.Send(message);
  stranger.Send(message);
  EXPECT_FALSE(plain.Receive(1'000).has_value());
  EXPECT_FALSE(stranger.Receive(1'000).has_value());
  EXPECT_NE(province_.LogTail("aggregator", 50).find("not in the key registry"), std::string::npos)
      << province_.LogTail("aggregator", 50);

  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  ASSERT_EQ(cao_loc.Exchange(Batch(9, 1, "cao-loc", 77)).acks_size(), 1);
  ExpectTotal("77.0 from 1 units");
}

TEST_F(HostileInputTest, RevokingAndAddingAKeyTakesEffectOnSighup) {
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  ASSERT_EQ(cao_loc.Exchange(Batch(10, 1, "cao-loc", 1)).acks_size(), 1);

  WriteRegistry({"loc-binh"});
  ASSERT_OK(province_.Reload("aggregator"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Even on the connection opened before the reload.
  auto refused = cao_loc.Exchange(Batch(10, 2, "cao-loc", 2));
  ASSERT_EQ(refused.rejects_size(), 1);
  EXPECT_EQ(refused.rejects(0).reason(), RejectReason::REJECT_REASON_UNAUTHORIZED);
  RawClient reconnected(context_, Ingest(), ClientKeys("cao-loc"));
  EXPECT_FALSE(reconnected.Heartbeat());

  // A broken registry is not taken: the one in force stays.
  WriteKeyRegistry("role,name,public_key\ncollector,cao-loc,not-a-key\n");
  ASSERT_OK(province_.Reload("aggregator"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_NE(province_.LogTail("aggregator", 20).find("not reloaded"), std::string::npos);
  RawClient loc_binh(context_, Ingest(), ClientKeys("loc-binh"));
  EXPECT_TRUE(loc_binh.Heartbeat());

  WriteRegistry({"cao-loc", "loc-binh"});
  ASSERT_OK(province_.Reload("aggregator"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(cao_loc.Exchange(Batch(10, 2, "cao-loc", 2)).acks_size(), 1);
  ExpectTotal("2.0 from 1 units");
}

TEST_F(HostileInputTest, OnlyOfficeKeysCanQueryTheAggregator) {
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  ASSERT_EQ(cao_loc.Exchange(Batch(13, 1, "cao-loc", 21)).acks_size(), 1);
  auto query = [&](const std::vector<std::string>& key_flags, std::string* out, std::string* err) {
    std::vector<std::string> args = {"query", "--period", kPeriod, "--indicator", kIndicator, "--format", "json",
                                     "--aggregator", province_.QueryEndpoint(), "--timeout_ms", "1000"};
    args.insert(args.end(), key_flags.begin(), key_flags.end());
    return province_.RunCli(args, out, err);
  };
  std::string out, err;
  ASSERT_EQ(query(KeyFlags("office"), &out, &err), 0) << err;
  nlohmann::json values = nlohmann::json::parse(out);
  ASSERT_EQ(values["aggregates"].size(), 1u) << out;
  EXPECT_EQ(values["aggregates"][0]["value"], 21.0);
  std::vector<std::string> status = {"status", "--period", kPeriod, "--json", "--aggregator", province_.QueryEndpoint()};
  for (const auto& flag : KeyFlags("office")) status.push_back(flag);
  EXPECT_EQ(province_.RunCli(status, &out, &err), 0) << err;

  // A collector's key is registered, but not for queries; a stranger's is not at all; a
  // plain-text client has none. None of them gets a byte, and each is told what to check.
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {KeyFlags("cao-loc"), "role office"}, {KeyFlags("stranger"), "role office"}, {{}, "--curve_secret_key_file"}};
  for (const auto& [flags, hint] : refused) {
    EXPECT_EQ(query(flags, &out, &err), 1) << out;
    EXPECT_EQ(out, "");
    EXPECT_NE(err.find("no answer from the aggregator"), std::string::npos) << err;
    EXPECT_NE(err.find(hint), std::string::npos) << err;
  }
  EXPECT_NE(province_.LogTail("aggregator", 50).find("collector 'cao-loc' may not connect"), std::string::npos)
      << province_.LogTail("aggregator", 50);

  // Revoked by a reload: a connection opened before gets a refusal instead of figures, and a new
  // one gets nothing.
  RawClient office(context_, province_.QueryEndpoint(), ClientKeys("office"));
  tonghop::v1::QueryRequest request;
  request.mutable_status()->set_period(kPeriod);
  auto answered = office.Query(request);
  EXPECT_EQ(answered.error(), "");
  EXPECT_GT(answered.status().cells_size(), 0);
  WriteRegistry({"cao-loc", "loc-binh"}, /*office=*/false);
  ASSERT_OK(province_.Reload("aggregator"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto revoked = office.Query(request);
  EXPECT_NE(revoked.error().find("revoked"), std::string::npos) << revoked.DebugString();
  EXPECT_EQ(revoked.status().cells_size(), 0);
  EXPECT_EQ(query(KeyFlags("office"), &out, &err), 1);
  EXPECT_EQ(out, "");
}

TEST_F(HostileInputTest, AnAuthenticatedPublisherServesOnlyRegisteredSubscribers) {
  dir_.Write("keys/subscribers.csv",
             "role,name,public_key,comment\nsubscriber,watcher," + pairs_["watcher"].public_key + ",dashboard\n");
  ASSERT_OK(province_.Terminate("publisher"));
  std::vector<std::string> flags = KeyFlags("publisher");
  flags.insert(flags.end(), {"--subscriber_access", "authenticated", "--key_registry_file", keys_ + "/subscribers.csv"});
  ASSERT_OK(province_.StartPublisher(flags));
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  ASSERT_EQ(cao_loc.Exchange(Batch(14, 1, "cao-loc", 31)).acks_size(), 1);
  RawClient loc_binh(context_, Ingest(), ClientKeys("loc-binh"));
  ASSERT_EQ(loc_binh.Exchange(Batch(15, 1, "loc-binh", 9)).acks_size(), 1);

  // The registered subscriber holds exactly what the aggregator publishes (read here with the
  // publisher's key): every field of every aggregate.
  CloneReplicaOptions source_options =
      testing::TestReplicaOptions(province_.AggregatorPublishEndpoint(), province_.AggregatorSnapshotEndpoint());
  source_options.link.curve = ClientKeys("publisher");
  CloneReplicaOptions subscriber_options =
      testing::TestReplicaOptions(province_.PublisherPublishEndpoint(), province_.PublisherSnapshotEndpoint());
  subscriber_options.link.curve = ClientKeys("watcher", "publisher");
  CloneReplica source(context_, source_options);
  CloneReplica subscriber(context_, subscriber_options);
  ASSERT_OK(source.Start());
  ASSERT_OK(subscriber.Start());
  auto in_step = [&] {
    const auto* total = source.table().Find(kIndicator, kPeriod);
    return source.synced() && subscriber.synced() && total != nullptr && total->units_reported() == 2 &&
           testing::TableDiff(source.table(), subscriber.table()).empty();
  };
  ASSERT_TRUE(testing::PumpUntil({}, {&source, &subscriber}, in_step, 10'000))
      << testing::TableDiff(source.table(), subscriber.table()) << "\n" << province_.LogTail("publisher");

  // The same through `tonghop watch` with the subscriber's key; nothing for an unknown key or none.
  auto watch = [&](const std::vector<std::string>& key_flags, std::string* out, std::string* err) {
    std::vector<std::string> args = {"watch", "--once", "--json", "--timeout_ms", "2000",
                                     "--publish_endpoint", province_.PublisherPublishEndpoint(),
                                     "--snapshot_endpoint", province_.PublisherSnapshotEndpoint()};
    args.insert(args.end(), key_flags.begin(), key_flags.end());
    return province_.RunCli(args, out, err);
  };
  std::string out, err;
  ASSERT_EQ(watch(KeyFlags("watcher", "publisher"), &out, &err), 0) << err;
  nlohmann::json state = nlohmann::json::parse(out);
  ASSERT_EQ(state["aggregates"].size(), source.table().size()) << out;
  for (const auto& a : state["aggregates"]) {
    const auto* held = source.table().Find(a["indicator"].get<std::string>(), a["period"].get<std::string>());
    ASSERT_NE(held, nullptr) << a;
    EXPECT_EQ(a["value"], held->value()) << a;
    EXPECT_EQ(a["units_reported"], held->units_reported()) << a;
  }
  for (const auto& key_flags : {KeyFlags("stranger", "publisher"), std::vector<std::string>()}) {
    EXPECT_EQ(watch(key_flags, &out, &err), 1) << out;
    EXPECT_EQ(out, "");
    EXPECT_NE(err.find("no answer from the publisher"), std::string::npos) << err;
  }
  EXPECT_NE(province_.LogTail("publisher", 50).find("not in the key registry"), std::string::npos)
      << province_.LogTail("publisher", 50);
}

TEST_F(HostileInputTest, GarbageFramesAndOversizedMessagesLeaveTheAggregatorServing) {
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  ASSERT_EQ(cao_loc.Exchange(Batch(11, 1, "cao-loc", 5)).acks_size(), 1);
  const std::string good = [] {
    tonghop::v1::CollectorMessage m;
    *m.mutable_updates() = Batch(11, 2, "cao-loc", 6);
    return m.SerializeAsString();
  }();
  cao_loc.SendFrames({"\xff\xff\xff\xff garbage"});                  // not a protobuf
  cao_loc.SendFrames({good, good});                                   // two body frames
  cao_loc.SendFrames({"", ""});                                       // empty frames
  cao_loc.SendFrames({good.substr(0, good.size() / 2)});              // truncated
  cao_loc.SendFrames({std::string("\x1a\x05\x0a\x03\x08\x01", 6)});   // an unknown field only
  EXPECT_FALSE(cao_loc.Receive(1'000).has_value());
  EXPECT_TRUE(cao_loc.Heartbeat());
  // Over ZMQ_MAXMSGSIZE: the aggregator drops the connection; the DEALER reconnects.
  cao_loc.SendFrames({std::string(2 << 20, 'x')});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  bool serving = false;
  for (int attempt = 0; attempt < 10 && !serving; ++attempt) serving = cao_loc.Heartbeat();
  EXPECT_TRUE(serving);
  ExpectTotal("5.0 from 1 units");
}

TEST_F(HostileInputTest, EveryBadFieldIsRejectedByNameAndStoresNothing) {
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  ASSERT_EQ(cao_loc.Exchange(Batch(12, 1, "cao-loc", 10)).acks_size(), 1);
  uint64_t seq = 2;
  auto reject = [&](tonghop::v1::UpdateBatch batch, RejectReason reason, const std::string& field) {
    SCOPED_TRACE(field);
    ExpectRejected(cao_loc.Exchange(batch), reason, field);
  };
  auto with = [&](auto change) {
    tonghop::v1::UpdateBatch batch = Batch(12, seq++, "cao-loc", 11);
    change(batch.mutable_updates(0));
    return batch;
  };
  using U = tonghop::v1::IndicatorUpdate;
  reject(with([](U* u) { u->set_value(std::nan("")); }), RejectReason::REJECT_REASON_INVALID_VALUE, "value");
  reject(with([](U* u) { u->set_value(std::numeric_limits<double>::infinity()); }),
         RejectReason::REJECT_REASON_INVALID_VALUE, "value");
  reject(with([](U* u) { u->set_value(-std::numeric_limits<double>::infinity()); }),
         RejectReason::REJECT_REASON_INVALID_VALUE, "value");
  reject(with([](U* u) { u->set_indicator(std::string(10'000, 'a')); }), RejectReason::REJECT_REASON_MALFORMED,
         "indicator");
  reject(with([](U* u) { u->set_period(std::string(10'000, '2')); }), RejectReason::REJECT_REASON_MALFORMED, "period");
  reject(with([](U* u) { u->set_period("2017-Q5"); }), RejectReason::REJECT_REASON_INVALID_PERIOD, "period");
  reject(with([](U* u) { u->set_indicator("agri.nothing"); }), RejectReason::REJECT_REASON_UNKNOWN_INDICATOR,
         "indicator");
  // A 10 kB unit id is not this key's unit: refused before anything else looks at it.
  reject(with([](U* u) { u->set_reporting_unit(std::string(10'000, 'u')); }),
         RejectReason::REJECT_REASON_UNAUTHORIZED, "reporting_unit");
  --seq;  // that seq was not consumed

  // A batch-level mistake: a 10 kB node id.
  tonghop::v1::UpdateBatch bad_node = Batch(12, seq, "cao-loc", 11);
  bad_node.set_node_id(std::string(10'000, 'n'));
  reject(bad_node, RejectReason::REJECT_REASON_MALFORMED, "node_id");

  // An unknown enum value in a reply path is the collector's business; on ingest, an update
  // carrying unknown fields is read as if they were absent (proto3) and applied (with the value
  // held already, so that the total stays).
  auto unknown_fields = with([](U* u) {
    u->set_value(10);
    u->GetReflection()->MutableUnknownFields(u)->AddVarint(1000, 7);
  });
  ASSERT_EQ(cao_loc.Exchange(unknown_fields).acks_size(), 1);
  // A replayed update is acked as a duplicate and changes nothing; one from the future is refused.
  auto replay = cao_loc.Exchange(Batch(12, 1, "cao-loc", 123'456));
  ASSERT_EQ(replay.acks_size(), 1);
  EXPECT_TRUE(replay.acks(0).duplicate());
  auto future = cao_loc.Exchange(Batch(12, seq + 100, "cao-loc", 123'456));
  ASSERT_EQ(future.rejects_size(), 1);
  EXPECT_EQ(future.rejects(0).reason(), RejectReason::REJECT_REASON_OUT_OF_SEQUENCE);
  EXPECT_EQ(future.rejects(0).expected_seq(), seq);
  ExpectTotal("10.0 from 1 units");
}

// Issue 10: protobuf refuses a whole frame when one string in it is not UTF-8. The aggregator used
// to drop such a batch without a word; now it answers every update of it: MALFORMED, final and in
// the audit log, for the one at fault, and the others as usual.
TEST_F(HostileInputTest, ANonUtf8StringIsRejectedByNameAndTheRestOfItsBatchApplied) {
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  tonghop::v1::CollectorMessage message;
  auto* batch = message.mutable_updates();
  *batch = Batch(16, 1, "cao-loc", 30);
  *batch->add_updates() = batch->updates(0);
  batch->mutable_updates(1)->set_seq(2);
  batch->mutable_updates(1)->set_indicator("agri.XXXX");
  *batch->add_updates() = batch->updates(0);
  batch->mutable_updates(2)->set_seq(3);
  batch->mutable_updates(2)->set_value(31);
  const std::string bytes = WithRawBytes(message, "agri.XXXX", "agri.\xff\xfe\xc3\x28");
  cao_loc.SendFrames({bytes});
  auto reply = cao_loc.Receive();
  ASSERT_TRUE(reply.has_value()) << "no answer\n" << province_.LogTail("aggregator");
  const auto& replies = reply->replies();
  EXPECT_EQ(replies.outbox_id(), 16u);
  ASSERT_EQ(replies.acks_size(), 2) << replies.DebugString();
  EXPECT_EQ(replies.acks(0).seq(), 1u);
  EXPECT_EQ(replies.acks(1).seq(), 3u);
  ASSERT_EQ(replies.rejects_size(), 1) << replies.DebugString();
  EXPECT_EQ(replies.rejects(0).seq(), 2u);
  EXPECT_EQ(replies.rejects(0).reason(), RejectReason::REJECT_REASON_MALFORMED);
  EXPECT_EQ(replies.rejects(0).text(), "field 'indicator' of seq 2 is not valid UTF-8");
  ExpectTotal("31.0 from 1 units");
  // Final: the seq is consumed, so a resend of the same frame is acked as duplicates.
  cao_loc.SendFrames({bytes});
  reply = cao_loc.Receive();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->replies().acks_size(), 3) << reply->replies().DebugString();

  // The batch's own node_id: each of its updates is refused, and recorded.
  tonghop::v1::CollectorMessage bad_node;
  *bad_node.mutable_updates() = Batch(16, 4, "cao-loc", 32);
  bad_node.mutable_updates()->set_node_id("test-XX");
  cao_loc.SendFrames({WithRawBytes(bad_node, "test-XX", "test-\xc0\xaf")});
  reply = cao_loc.Receive();
  ASSERT_TRUE(reply.has_value());
  ExpectRejected(reply->replies(), RejectReason::REJECT_REASON_MALFORMED, "node_id");

  // Ids of 3-byte characters, far too long: refused, and whatever is kept of them for the reply
  // and the audit log is cut between characters, never inside one.
  const std::string vietnamese_long = [] {
    std::string text;
    for (int i = 0; i < 1000; ++i) text += "\xe1\xbb\x87";  // ệ
    return text;
  }();
  tonghop::v1::UpdateBatch long_indicator = Batch(16, 5, "cao-loc", 33);
  long_indicator.mutable_updates(0)->set_indicator(vietnamese_long);
  ExpectRejected(cao_loc.Exchange(long_indicator), RejectReason::REJECT_REASON_MALFORMED, "indicator");
  tonghop::v1::UpdateBatch long_unit = Batch(16, 6, "cao-loc", 34);
  long_unit.mutable_updates(0)->set_reporting_unit(vietnamese_long);
  ExpectRejected(cao_loc.Exchange(long_unit), RejectReason::REJECT_REASON_UNAUTHORIZED, "reporting_unit");

  // Still serving, and the totals are untouched.
  EXPECT_TRUE(cao_loc.Heartbeat());
  ASSERT_EQ(cao_loc.Exchange(Batch(16, 6, "cao-loc", 35)).acks_size(), 1);
  ExpectTotal("35.0 from 1 units");

  // The rejections are in the audit log like any other, and the log reads back whole.
  ASSERT_OK(province_.Terminate("publisher"));
  ASSERT_OK(province_.Terminate("aggregator"));
  testing::AuditSummary audit;
  ASSERT_OK(testing::SummarizeAudit(province_.AggregatorDataDir(), &audit));
  EXPECT_EQ(audit.records, 6u);
  EXPECT_EQ(audit.rejected, 3u);
  EXPECT_EQ(audit.first_rejection, "field 'indicator' of seq 2 is not valid UTF-8");
}

// Issue 10: an outbox record the collector cannot read (stored by a collector before the fix of
// issue 10, or damaged on disk) used to block every figure after it, for good. Now it is set aside
// with its bytes and the reason, collector-status shows it, its seq is consumed at the aggregator
// (a placeholder, refused MALFORMED), the figures after it flow, and a restart changes nothing.
TEST_F(HostileInputTest, AnUnreadableOutboxRecordIsSetAsideAndTheFiguresAfterItFlow) {
  testing::MiniProvince::CollectorPlacement placement;
  placement.extra_flags = KeyFlags("cao-loc");
  ASSERT_OK(province_.StartCollector("cao-loc", placement));
  const std::string header = std::string("indicator,period,value\n") + kIndicator + "," + kPeriod + ",";
  ASSERT_OK(province_.DropText("cao-loc", "first.csv", header + "10\n"));
  ExpectTotal("10.0 from 1 units");
  ASSERT_OK(province_.Terminate("collector-cao-loc"));

  // Straight into the stopped collector's outbox, with RocksDB: seq 2, a figure whose indicator
  // is not UTF-8, as the collector before the fix stored it.
  tonghop::v1::IndicatorUpdate figure = Batch(1, 2, "cao-loc", 99).updates(0);
  figure.set_indicator("agri.sown_area.lXa");
  ASSERT_OK(testing::WritePendingRecord(province_.CollectorDataDir("cao-loc") + "/outbox", 2,
                                        WithRawBytes(figure, "agri.sown_area.lXa", "agri.sown_area.l\xfa" "a")));

  ASSERT_OK(province_.Restart("collector-cao-loc"));
  ASSERT_OK(province_.DropText("cao-loc", "second.csv", header + "20\n"));
  ExpectTotal("20.0 from 1 units");
  auto settled = [&] {
    std::map<std::string, std::string> status;
    const int64_t deadline = MonotonicMs() + kTotalTimeoutMs;
    do {
      status = province_.CollectorStatus("cao-loc");
      if (status["pending"] == "0" && status["rejected"] == "1") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } while (MonotonicMs() < deadline);
    return status;
  };
  auto status = settled();
  EXPECT_EQ(status["pending"], "0");
  EXPECT_EQ(status["rejected"], "1");
  EXPECT_TRUE(status["unreadable"].starts_with("1 (last: seq 2: field 'indicator' is not valid UTF-8"))
      << status["unreadable"] << "\n" << province_.LogTail("collector-cao-loc");
  std::string rejected;
  ASSERT_OK(ReadFileToString(province_.DropDir("cao-loc") + "/rejected.csv", &rejected));
  EXPECT_NE(rejected.find("\n2,,,,MALFORMED,"), std::string::npos) << rejected;

  // A restart brings nothing back: the record stays set aside, and figures keep flowing.
  ASSERT_OK(province_.Restart("collector-cao-loc"));
  ASSERT_OK(province_.DropText("cao-loc", "third.csv", header + "30\n"));
  ExpectTotal("30.0 from 1 units");
  status = settled();
  EXPECT_EQ(status["pending"], "0");
  EXPECT_EQ(status["rejected"], "1");
  EXPECT_TRUE(status["unreadable"].starts_with("1 (last: seq 2:")) << status["unreadable"];
  // Logged once, not at every attempt to send it.
  EXPECT_EQ(Occurrences(province_.LogTail("collector-cao-loc", 100'000), "is unreadable"), 1u)
      << province_.LogTail("collector-cao-loc", 100);
}

TEST_F(HostileInputTest, AMalformedDropFileFailsAloneAndTheCollectorKeepsWorking) {
  testing::MiniProvince::CollectorPlacement placement;
  placement.extra_flags = KeyFlags("cao-loc");
  ASSERT_OK(province_.StartCollector("cao-loc", placement));
  testing::TempDir files;
  files.Write("bad.csv", "indicator,period,value\n\"agri.sown_area.total,2017-Q1,1\n" + std::string(5000, ',') +
                             "\n\xff\xfe\x00garbage\n");
  files.Write("good.csv", std::string("indicator,period,value\n") + kIndicator + "," + kPeriod + ",42.5\n");
  ASSERT_OK(province_.Drop("cao-loc", files.Sub("bad.csv")));
  ASSERT_OK(province_.Drop("cao-loc", files.Sub("good.csv")));
  ExpectTotal("42.5 from 1 units");
  EXPECT_TRUE(std::filesystem::exists(province_.DropDir("cao-loc") + "/failed/bad.csv.error.txt"));
  EXPECT_TRUE(province_.IsRunning("collector-cao-loc"));
}

TEST_F(HostileInputTest, BrokenConfigsAndExposedKeysStopANodeAtStartWithTheReason) {
  ASSERT_OK(province_.Terminate("publisher"));
  std::string out, err;
  // A config file that is not TOML, and one naming no flag: usage errors, exit code 2.
  testing::TempDir config;
  config.Write("garbage.toml", "\x01\x02[[[ = = \"\n");
  config.Write("unknown.toml", "ingest_endpiont = \"tcp://*:1\"\n");
  for (const char* file : {"garbage.toml", "unknown.toml"}) {
    int code = province_.RunCli({"--config", config.Sub(file), "watch", "--once"}, &out, &err);
    EXPECT_EQ(code, 2) << file << ": " << err;
  }
  // A secret key file others may read: the node refuses to start and says how to fix it.
  chmod((keys_ + "/publisher.key").c_str(), 0644);
  Status started = province_.StartPublisher(KeyFlags("publisher"));
  EXPECT_FALSE(started.ok());
  EXPECT_NE(started.message().find("chmod 600"), std::string::npos) << started.message();
  // The secret never appears in the log, whatever happens.
  EXPECT_EQ(started.message().find(pairs_["publisher"].secret_key), std::string::npos);
  // Neither keys nor --plaintext_for_development: refused.
  started = province_.StartPublisher();
  EXPECT_FALSE(started.ok());
  EXPECT_NE(started.message().find("--plaintext_for_development"), std::string::npos) << started.message();

  // A registry naming a unit the catalog does not have: the aggregator refuses to start.
  ASSERT_OK(province_.Terminate("aggregator"));
  WriteKeyRegistry(Registry({"cao-loc"}) + "collector,no-such-unit," + pairs_["stranger"].public_key + ",\n");
  started = province_.StartAggregator(AggregatorKeyFlags());
  EXPECT_FALSE(started.ok());
  EXPECT_NE(started.message().find("no-such-unit"), std::string::npos) << started.message();
  for (const auto& [name, pair] : pairs_) {
    EXPECT_EQ(province_.LogTail("aggregator", 200).find(pair.secret_key), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace tonghop
