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

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <cmath>
#include <limits>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <google/protobuf/unknown_field_set.h>
#include <gtest/gtest.h>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "collector/test_outbox_record.h"
#include "core/clock.h"
#include "core/clone_replica.h"
#include "core/csv.h"
#include "core/curve_keys.h"
#include "core/testing/clone_source.h"
#include "core/testing/temp_dir.h"
#include "aggregator/ingest_store.h"
#include "core/period.h"
#include "core/transport.h"
#include "tests/audit_summary.h"
#include "tests/curve_test_keys.h"
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
    ASSERT_OK(testing::MakeCurveKeys(
        keys_, {"aggregator", "publisher", "office", "web", "watcher", "cao-loc", "loc-binh", "stranger"}, &pairs_));
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
  ExpectTotal("500 from 1 units");

  // A compromised cao-loc collector: another unit's id, on its own outbox...
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  ExpectRejected(cao_loc.Exchange(Batch(8, 1, "loc-binh", 999'999)), RejectReason::REJECT_REASON_UNAUTHORIZED,
                 "reporting_unit");
  // ...or on loc-binh's outbox, which would otherwise also advance (silence) its sequence.
  ExpectRejected(cao_loc.Exchange(Batch(7, 2, "loc-binh", 999'999)), RejectReason::REJECT_REASON_UNAUTHORIZED,
                 "outbox_id");
  ExpectRejected(cao_loc.Exchange(Batch(7, 2, "cao-loc", 1)), RejectReason::REJECT_REASON_UNAUTHORIZED, "outbox_id");
  ExpectTotal("500 from 1 units");

  // Nothing was consumed: loc-binh's next seq and cao-loc's own first one are applied.
  ASSERT_EQ(loc_binh.Exchange(Batch(7, 2, "loc-binh", 600)).acks_size(), 1);
  ASSERT_EQ(cao_loc.Exchange(Batch(8, 1, "cao-loc", 40)).acks_size(), 1);
  ExpectTotal("640 from 2 units");
  EXPECT_NE(province_.LogTail("aggregator", 50).find("unauthorized"), std::string::npos);
}

// The province office loads last year's figures, or enters a district's on its behalf, with its
// own key on the ingest link: for any unit of the catalog, in one outbox that belongs to the
// office, and the audit says who entered each figure. Before, the ingest socket admitted only
// collector keys: an office key got no answer at all.
TEST_F(HostileInputTest, AnOfficeKeyReportsForAnyUnitAndTheAuditSaysItDid) {
  RawClient office(context_, Ingest(), ClientKeys("office"));
  tonghop::v1::CollectorMessage hello;
  hello.mutable_heartbeat()->set_sent_at_ms(NowMs());
  office.Send(hello);
  auto answer = office.Receive();
  ASSERT_TRUE(answer.has_value()) << "the office key got no answer on the ingest link\n" << province_.LogTail("aggregator");
  // The answer says as whom the key was admitted, so that `tonghop import` knows which rows it may send.
  EXPECT_EQ(answer->heartbeat().sender_key(), "office:office");

  tonghop::v1::UpdateBatch batch = Batch(50, 1, "cao-loc", 31);
  *batch.add_updates() = Batch(50, 2, "loc-binh", 40).updates(0);
  tonghop::v1::UpdateReplies replies = office.Exchange(batch);
  ASSERT_EQ(replies.acks_size(), 2) << replies.DebugString();
  ExpectTotal("71 from 2 units");

  // The office's outbox is the office's: a unit's key cannot advance it, nor the office a unit's.
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  ExpectRejected(cao_loc.Exchange(Batch(50, 3, "cao-loc", 1)), RejectReason::REJECT_REASON_UNAUTHORIZED, "outbox_id");
  ASSERT_EQ(cao_loc.Exchange(Batch(51, 1, "cao-loc", 32)).acks_size(), 1);
  ExpectRejected(office.Exchange(Batch(51, 2, "cao-loc", 1)), RejectReason::REJECT_REASON_UNAUTHORIZED, "outbox_id");
  // A unit's key still reports for its own unit only.
  ExpectRejected(cao_loc.Exchange(Batch(51, 2, "loc-binh", 1)), RejectReason::REJECT_REASON_UNAUTHORIZED,
                 "reporting_unit");
  ExpectTotal("72 from 2 units");

  // The audit log says who entered each figure: `tonghop history` shows it.
  std::string out, err;
  std::vector<std::string> history = {"history", "--unit", "cao-loc", "--indicator", kIndicator, "--period", kPeriod,
                                      "--json", "--aggregator", province_.QueryEndpoint()};
  for (const auto& flag : KeyFlags("office")) history.push_back(flag);
  ASSERT_EQ(province_.RunCli(history, &out, &err), 0) << err;
  nlohmann::json figures = nlohmann::json::parse(out)["figures"];
  ASSERT_EQ(figures.size(), 2u) << out;
  EXPECT_EQ(figures[0]["entered_by"], "office:office") << out;
  EXPECT_EQ(figures[0]["value"], 31.0);
  EXPECT_EQ(figures[1]["entered_by"], "collector:cao-loc") << out;
  history.erase(history.begin() + 7);  // the table, without --json
  ASSERT_EQ(province_.RunCli(history, &out, &err), 0) << err;
  EXPECT_NE(out.find("office:office"), std::string::npos) << out;

  // Revoked, the office key's next batch is refused like a collector's.
  WriteRegistry({"cao-loc", "loc-binh"}, /*office=*/false);
  ASSERT_OK(province_.Reload("aggregator"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  tonghop::v1::UpdateReplies revoked = office.Exchange(Batch(50, 3, "cao-loc", 99));
  ASSERT_EQ(revoked.rejects_size(), 1) << revoked.DebugString();
  EXPECT_EQ(revoked.rejects(0).reason(), RejectReason::REJECT_REASON_UNAUTHORIZED);
  EXPECT_NE(revoked.rejects(0).text().find("revoked"), std::string::npos) << revoked.rejects(0).text();
  ExpectTotal("72 from 2 units");
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
  ExpectTotal("77 from 1 units");
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
  ExpectTotal("2 from 1 units");
}

TEST_F(HostileInputTest, OnlyOfficeKeysCanQueryTheAggregator) {
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  ASSERT_EQ(cao_loc.Exchange(Batch(13, 1, "cao-loc", 21)).acks_size(), 1);
  // A refused command waits out its timeout, then says what its handshake monitor saw. Under ASan
  // and ctest -j2 the refusal once took more than 1 s to arrive, so each waits 4 s.
  auto query = [&](const std::vector<std::string>& key_flags, std::string* out, std::string* err) {
    std::vector<std::string> args = {"query", "--period", kPeriod, "--indicator", kIndicator, "--format", "json",
                                     "--aggregator", province_.QueryEndpoint(), "--timeout_ms", "4000"};
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
    EXPECT_NE(err.find("the aggregator at " + province_.QueryEndpoint() + " refused this command's key"),
              std::string::npos) << err;
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

// The web node asks the aggregator for unit figures and completeness, and its key lives on the
// web server, the machine most exposed. An office key there could also report figures for any
// unit (the office role on the ingest link); a viewer key reads and nothing else.
TEST_F(HostileInputTest, AViewerKeyMayQueryButNotReportFigures) {
  WriteKeyRegistry(Registry({"cao-loc", "loc-binh"}) + "viewer,web," + pairs_["web"].public_key + ",tonghop-web\n");
  ASSERT_OK(province_.Reload("aggregator"));
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  ASSERT_EQ(cao_loc.Exchange(Batch(14, 1, "cao-loc", 21)).acks_size(), 1);

  std::string out, err;
  std::vector<std::string> query = {"query", "--period", kPeriod, "--indicator", kIndicator, "--format", "json",
                                    "--aggregator", province_.QueryEndpoint(), "--timeout_ms", "5000"};
  for (const auto& flag : KeyFlags("web")) query.push_back(flag);
  ASSERT_EQ(province_.RunCli(query, &out, &err), 0) << err << province_.LogTail("aggregator", 20);
  EXPECT_EQ(nlohmann::json::parse(out)["aggregates"][0]["value"], 21.0) << out;

  RawClient web(context_, Ingest(), ClientKeys("web"));
  tonghop::v1::CollectorMessage message;
  *message.mutable_updates() = Batch(15, 1, "cao-loc", 999'999);
  web.Send(message);
  EXPECT_FALSE(web.Receive(1'000).has_value());
  EXPECT_NE(province_.LogTail("aggregator", 50).find("viewer 'web' may not connect to a 'ingest' endpoint"),
            std::string::npos) << province_.LogTail("aggregator", 50);
  ExpectTotal("21 from 1 units");

  // Nor may it copy the whole database.
  std::vector<std::string> backup = {"backup", "--output", dir_.Sub("copy"), "--aggregator", province_.QueryEndpoint()};
  for (const auto& flag : KeyFlags("web")) backup.push_back(flag);
  EXPECT_EQ(province_.RunCli(backup, &out, &err), 1) << out;
  EXPECT_NE(err.find("only an office key may take one"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("copy") + "/tonghop-backup.json"));
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
  ExpectTotal("5 from 1 units");
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
  ExpectTotal("10 from 1 units");
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
  ExpectTotal("31 from 1 units");
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
  ExpectTotal("35 from 1 units");

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
  ExpectTotal("10 from 1 units");
  ASSERT_OK(province_.Terminate("collector-cao-loc"));

  // Straight into the stopped collector's outbox, with RocksDB: seq 2, a figure whose indicator
  // is not UTF-8, as the collector before the fix stored it.
  tonghop::v1::IndicatorUpdate figure = Batch(1, 2, "cao-loc", 99).updates(0);
  figure.set_indicator("agri.sown_area.lXa");
  ASSERT_OK(testing::WritePendingRecord(province_.CollectorDataDir("cao-loc") + "/outbox", 2,
                                        WithRawBytes(figure, "agri.sown_area.lXa", "agri.sown_area.l\xfa" "a")));

  ASSERT_OK(province_.Restart("collector-cao-loc"));
  ASSERT_OK(province_.DropText("cao-loc", "second.csv", header + "20\n"));
  ExpectTotal("20 from 1 units");
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
  ExpectTotal("30 from 1 units");
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

// A peer that sends requests without reading the answers, then closes its connection with a
// reset (its kernel discards the unread answers). On libzmq 4.3.4 this aborted the node it
// talked to at the next ZMTP heartbeat tick (assertion !_io_error, stream_engine_base.cpp:331):
// the node's own replies had blocked its loop, its receive pipe for that peer filled, and the
// reset then arrived while input from that peer was stopped.
void FloodWithoutReadingThenReset(zmq::context_t& context, zmq::socket_type type, const std::string& endpoint,
                                  const CurveSocketKeys& curve, const std::string& request) {
  zmq::socket_t socket(context, type);
  LinkOptions link;
  link.curve = curve;
  link.receive_hwm = 1;
  link.send_hwm = 0;  // unlimited: the flood must reach the node
  ConfigureSocket(socket, link);
  if (type == zmq::socket_type::sub) socket.set(zmq::sockopt::subscribe, "");
  socket.connect(endpoint);
  const int64_t until = MonotonicMs() + 1'500;
  while (MonotonicMs() < until) {
    for (int i = 0; i < 1'000 && type != zmq::socket_type::sub; ++i) {
      (void)socket.send(zmq::buffer(request), zmq::send_flags::dontwait);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  socket.close();  // linger 0 (ConfigureSocket): unread data in the kernel makes this a reset
}

TEST_F(HostileInputTest, APeerThatNeverReadsAndThenResetsAbortsNoNodeOnAnyPort) {
  // The publisher's feed snapshots come from the aggregator's table: make it worth sending.
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  tonghop::v1::UpdateBatch batch;
  batch.set_node_id("test-cao-loc");
  batch.set_outbox_id(16);
  const std::vector<std::string> periods = {"2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4"};
  const std::vector<std::string> indicators = {"agri.sown_area.total", "agri.herd.pigs", "agri.herd.buffalo",
                                               "agri.herd.cattle"};
  uint64_t seq = 0;
  for (const auto& indicator : indicators) {
    for (const auto& period : periods) {
      auto* u = batch.add_updates();
      u->set_seq(++seq);
      u->set_reporting_unit("cao-loc");
      u->set_indicator(indicator);
      u->set_period(period);
      u->set_value(static_cast<double>(seq));
    }
  }
  ASSERT_EQ(cao_loc.Exchange(batch).acks_size(), static_cast<int>(seq));

  tonghop::v1::CollectorMessage heartbeat;
  heartbeat.mutable_heartbeat()->set_sent_at_ms(1);
  tonghop::v1::QueryRequest history;
  history.mutable_status()->set_period(kPeriod);
  tonghop::v1::SnapshotRequest snapshot;
  struct Port {
    std::string what, node, endpoint;
    zmq::socket_type type;
    CurveSocketKeys curve;
    std::string request;
  };
  const std::vector<Port> ports = {
      {"ingest, a collector key", "aggregator", Ingest(), zmq::socket_type::dealer, ClientKeys("cao-loc"),
       heartbeat.SerializeAsString()},
      {"query, an office key", "aggregator", province_.QueryEndpoint(), zmq::socket_type::dealer,
       ClientKeys("office"), history.SerializeAsString()},
      {"feed snapshot, a publisher key", "aggregator", province_.AggregatorSnapshotEndpoint(),
       zmq::socket_type::dealer, ClientKeys("publisher"), snapshot.SerializeAsString()},
      {"feed PUB, a publisher key", "aggregator", province_.AggregatorPublishEndpoint(), zmq::socket_type::sub,
       ClientKeys("publisher"), ""},
      {"publisher snapshot, no key", "publisher", province_.PublisherSnapshotEndpoint(), zmq::socket_type::dealer,
       CurveSocketKeys(), snapshot.SerializeAsString()},
      {"publisher PUB, no key", "publisher", province_.PublisherPublishEndpoint(), zmq::socket_type::sub,
       CurveSocketKeys(), ""},
  };
  for (const Port& port : ports) {
    SCOPED_TRACE(port.what);
    for (int attempt = 0; attempt < 2; ++attempt) {
      FloodWithoutReadingThenReset(context_, port.type, port.endpoint, port.curve, port.request);
      // The abort came at the next heartbeat tick, within a second or two.
      std::this_thread::sleep_for(std::chrono::milliseconds(2'000));
      ASSERT_TRUE(province_.IsRunning(port.node)) << "attempt " << attempt << "\n" << province_.LogTail(port.node, 30);
    }
  }
  EXPECT_TRUE(cao_loc.Heartbeat());
  ExpectTotal("1 from 1 units");
}

// One registered key floods heartbeats and never reads the answers. Each answer used to wait its
// 200 ms send timeout on the aggregator's single loop, so every other collector went unanswered.
TEST_F(HostileInputTest, ACollectorThatFloodsWithoutReadingDelaysNoOtherCollector) {
  std::atomic<bool> flooding{true};
  std::thread flood([&] {
    zmq::socket_t socket(context_, zmq::socket_type::dealer);
    LinkOptions link;
    link.curve = ClientKeys("cao-loc");
    link.receive_hwm = 1;
    ConfigureSocket(socket, link);
    socket.connect(Ingest());
    tonghop::v1::CollectorMessage heartbeat;
    heartbeat.mutable_heartbeat()->set_sent_at_ms(1);
    const std::string bytes = heartbeat.SerializeAsString();
    while (flooding) {
      if (!socket.send(zmq::buffer(bytes), zmq::send_flags::dontwait)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(4'000));  // the answers' pipe fills up
  RawClient loc_binh(context_, Ingest(), ClientKeys("loc-binh"));
  std::vector<int64_t> round_trips;
  for (uint64_t seq = 1; seq <= 40; ++seq) {
    const int64_t sent = MonotonicMs();
    tonghop::v1::CollectorMessage message;
    *message.mutable_updates() = Batch(17, seq, "loc-binh", static_cast<double>(seq));
    loc_binh.Send(message);
    auto reply = loc_binh.Receive(10'000);
    ASSERT_TRUE(reply.has_value()) << "no answer to seq " << seq << " within 10 s";
    ASSERT_EQ(reply->replies().acks_size(), 1) << reply->DebugString();
    round_trips.push_back(MonotonicMs() - sent);
  }
  std::sort(round_trips.begin(), round_trips.end());
  // The target is a p99 under 50 ms (docs/SECURITY.md has the benchmark); the test allows
  // for a loaded machine and the sanitizers, and today's code takes seconds.
  EXPECT_LT(round_trips[round_trips.size() / 2], 250) << "median round trip, ms";
  EXPECT_LT(round_trips.back(), 1'000) << "slowest round trip, ms";

  // And the flood does not keep the aggregator from stopping.
  const int64_t asked = MonotonicMs();
  EXPECT_OK(province_.Terminate("aggregator"));
  EXPECT_LT(MonotonicMs() - asked, 1'500) << "ms from SIGTERM to exit";
  flooding = false;
  flood.join();
}

// libzmq never retries a handshake the server refused. A node started before its key was
// registered must still get in, within seconds of the registration, without a restart: the
// collector, the publisher, and a CLI command still waiting for its answer.
TEST_F(HostileInputTest, NodesStartedBeforeTheirKeyIsRegisteredGetInOnceItIs) {
  // Neither the publisher, nor the office, nor cao-loc.
  WriteKeyRegistry("role,name,public_key,comment\ncollector,loc-binh," + pairs_["loc-binh"].public_key + ",\n");
  ASSERT_OK(province_.Reload("aggregator"));
  ASSERT_OK(province_.Terminate("publisher"));
  ASSERT_OK(province_.StartPublisher(KeyFlags("publisher")));  // refused upstream: its key is gone
  testing::MiniProvince::CollectorPlacement placement;
  placement.extra_flags = KeyFlags("cao-loc");
  ASSERT_OK(province_.StartCollector("cao-loc", placement));
  ASSERT_OK(province_.DropText("cao-loc", "q1.csv",
                               std::string("indicator,period,value\n") + kIndicator + "," + kPeriod + ",12.5\n"));
  // An office command that waits 20 s for its answer, started while its key is refused.
  std::string query_out, query_err;
  int query_code = -1;
  std::thread query([&] {
    std::vector<std::string> args = {"query", "--period", kPeriod, "--indicator", kIndicator, "--format", "json",
                                     "--aggregator", province_.QueryEndpoint(), "--timeout_ms", "20000"};
    for (const auto& flag : KeyFlags("office")) args.push_back(flag);
    query_code = province_.RunCli(args, &query_out, &query_err);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(3'000));  // every handshake has been refused by now
  EXPECT_EQ(province_.CollectorStatus("cao-loc")["pending"], "1");

  WriteRegistry({"cao-loc", "loc-binh"});
  ASSERT_OK(province_.Reload("aggregator"));
  const int64_t registered = MonotonicMs();
  ExpectTotal("12.5 from 1 units");  // through the collector and the publisher
  EXPECT_LT(MonotonicMs() - registered, 8'000) << "ms from the registration to the total at the subscriber";
  query.join();
  EXPECT_EQ(query_code, 0) << query_err;
  EXPECT_NE(query_out.find("\"aggregates\""), std::string::npos) << query_out;
  EXPECT_TRUE(province_.IsRunning("collector-cao-loc"));
  EXPECT_NE(province_.LogTail("collector-cao-loc", 50).find("refused this node's key"), std::string::npos)
      << province_.LogTail("collector-cao-loc", 50);
}

// Outbox positions in the stopped aggregator's database, by owner unit.
std::map<std::string, int> StoredOutboxes(const std::string& data_dir) {
  std::map<std::string, int> owners;
  std::unique_ptr<IngestStore> store;
  Status opened = IngestStore::Open(data_dir, Durability::kWal, &store);
  EXPECT_TRUE(opened.ok()) << opened.ToString();
  if (!opened.ok()) return owners;
  IngestStore::Visitor visitor;
  visitor.on_value = [](const std::string&, const std::string&, const std::string&, const tonghop::storage::v1::UnitValue&) {};
  visitor.on_position = [&](uint64_t, const tonghop::storage::v1::OutboxPosition& p) { ++owners[p.owner_unit()]; };
  visitor.on_aggregate = [](const tonghop::v1::AggregateUpdate&) {};
  IngestStore::Counters counters;
  Status loaded = store->Load(visitor, &counters);
  EXPECT_TRUE(loaded.ok()) << loaded.ToString();
  return owners;
}

// Issue 10: a unit's key inventing outbox ids grew the aggregator's positions (memory and disk,
// kept for good) by one per id. Now each unit may bring --max_outboxes_per_unit (100) outboxes
// into use; a batch for one more is refused UNAUTHORIZED (not final: nothing stored, the
// collector keeps it), cheaply, and the cap holds across a restart.
TEST_F(HostileInputTest, AUnitsKeyCannotGrowTheOutboxesWithoutBound) {
  constexpr int kDefaultCap = 100;
  constexpr int kAttempts = 50'000;
  constexpr int kInFlight = 500;
  RawClient loc_binh(context_, Ingest(), ClientKeys("loc-binh"));
  ASSERT_EQ(loc_binh.Exchange(Batch(7, 1, "loc-binh", 500)).acks_size(), 1);

  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  int acked = 0, capped = 0, other = 0;
  std::string refusal;
  const auto start = std::chrono::steady_clock::now();
  for (int sent = 0; sent < kAttempts; sent += kInFlight) {
    for (int i = sent; i < sent + kInFlight; ++i) {
      tonghop::v1::CollectorMessage message;
      *message.mutable_updates() = Batch(1'000 + i, 1, "cao-loc", i);
      cao_loc.Send(message);
    }
    for (int i = sent; i < sent + kInFlight; ++i) {
      auto reply = cao_loc.Receive(30'000);
      ASSERT_TRUE(reply.has_value()) << "no reply to attempt " << i << "\n" << province_.LogTail("aggregator");
      const auto& r = reply->replies();
      if (r.acks_size() == 1 && r.rejects_size() == 0) {
        ++acked;
      } else if (r.rejects_size() == 1 && r.rejects(0).reason() == RejectReason::REJECT_REASON_UNAUTHORIZED &&
                 r.rejects(0).text().find("--max_outboxes_per_unit") != std::string::npos) {
        ++capped;
        refusal = r.rejects(0).text();
      } else {
        ++other;
      }
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(acked, kDefaultCap);
  EXPECT_EQ(capped, kAttempts - kDefaultCap);
  EXPECT_EQ(other, 0);
  // Generous for a loaded machine under ASan; the refused path costs no store write.
  EXPECT_LT(seconds, 120) << kAttempts << " attempts";
  std::cout << kAttempts << " new-outbox attempts answered in " << seconds << " s\n";
  EXPECT_NE(refusal.find("field 'outbox_id': unit 'cao-loc' already has 100 outboxes"), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("nothing was stored"), std::string::npos) << refusal;
  EXPECT_NE(province_.LogTail("aggregator", 50).find("--max_outboxes_per_unit"), std::string::npos)
      << province_.LogTail("aggregator", 50);

  // The outboxes in use go on; the other unit is unaffected. cao-loc's last figure stored is that
  // of its 100th outbox.
  ASSERT_EQ(cao_loc.Exchange(Batch(1'000, 2, "cao-loc", 99)).acks_size(), 1);
  ASSERT_EQ(loc_binh.Exchange(Batch(7, 2, "loc-binh", 600)).acks_size(), 1);
  ExpectTotal("699 from 2 units");

  // The database holds the 100 outboxes and no more; after a restart the cap still holds.
  ASSERT_OK(province_.Terminate("aggregator"));
  const std::map<std::string, int> expected = {{"cao-loc", kDefaultCap}, {"loc-binh", 1}};
  EXPECT_EQ(StoredOutboxes(province_.AggregatorDataDir()), expected);
  ASSERT_OK(province_.StartAggregator(AggregatorKeyFlags()));
  RawClient after_restart(context_, Ingest(), ClientKeys("cao-loc"));
  ExpectRejected(after_restart.Exchange(Batch(999'999, 1, "cao-loc", 1)), RejectReason::REJECT_REASON_UNAUTHORIZED,
                 "outbox_id");
  ASSERT_EQ(after_restart.Exchange(Batch(1'001, 2, "cao-loc", 1)).acks_size(), 1);
  RawClient loc_binh_again(context_, Ingest(), ClientKeys("loc-binh"));
  ASSERT_EQ(loc_binh_again.Exchange(Batch(70, 1, "loc-binh", 10)).acks_size(), 1);  // its second outbox
  ExpectTotal("11 from 2 units");
}

// Each ingest bound is a flag; set lower, each holds.
TEST_F(HostileInputTest, EveryIngestBoundIsAFlagThatHolds) {
  ASSERT_OK(province_.Terminate("aggregator"));
  std::vector<std::string> flags = AggregatorKeyFlags();
  flags.insert(flags.end(), {"--max_outboxes_per_unit", "2", "--max_updates_per_batch_message", "10",
                             "--max_ingest_message_bytes", "65536", "--max_messages_per_burst", "5",
                             "--ingest_receive_hwm_messages", "50"});
  ASSERT_OK(province_.StartAggregator(flags));
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));

  // Outboxes: two, then a third is refused.
  ASSERT_EQ(cao_loc.Exchange(Batch(1, 1, "cao-loc", 1)).acks_size(), 1);
  ASSERT_EQ(cao_loc.Exchange(Batch(2, 1, "cao-loc", 2)).acks_size(), 1);
  auto third = cao_loc.Exchange(Batch(3, 1, "cao-loc", 3));
  ExpectRejected(third, RejectReason::REJECT_REASON_UNAUTHORIZED, "outbox_id");
  EXPECT_NE(third.rejects(0).text().find("already has 2 outboxes"), std::string::npos) << third.DebugString();

  // Updates per batch: 11 are refused MALFORMED, 10 are applied.
  auto batch_of = [](int updates, uint64_t first_seq) {
    tonghop::v1::UpdateBatch batch = Batch(1, first_seq, "cao-loc", 4);
    for (int i = 1; i < updates; ++i) {
      *batch.add_updates() = batch.updates(0);
      batch.mutable_updates(i)->set_seq(first_seq + i);
    }
    return batch;
  };
  auto too_many = cao_loc.Exchange(batch_of(11, 2));
  ASSERT_EQ(too_many.rejects_size(), 11) << too_many.DebugString();
  EXPECT_EQ(too_many.rejects(0).reason(), RejectReason::REJECT_REASON_MALFORMED);
  EXPECT_NE(too_many.rejects(0).text().find("11 updates in one batch; at most 10 (--max_updates_per_batch_message)"),
            std::string::npos) << too_many.rejects(0).text();
  EXPECT_EQ(cao_loc.Exchange(batch_of(10, 2)).acks_size(), 10);

  // Message size: a 100 kB message (under the default 1 MiB) closes the connection; nothing is
  // answered, and the DEALER reconnects.
  tonghop::v1::UpdateBatch big = Batch(1, 12, "cao-loc", 5);
  big.set_node_id(std::string(100'000, 'n'));
  tonghop::v1::CollectorMessage message;
  *message.mutable_updates() = big;
  cao_loc.Send(message);
  EXPECT_FALSE(cao_loc.Receive(1'000).has_value());
  bool serving = false;
  for (int attempt = 0; attempt < 10 && !serving; ++attempt) serving = cao_loc.Heartbeat();
  EXPECT_TRUE(serving);

  // Messages per burst: 50 batches at once are all answered, five a burst, and that is logged.
  for (uint64_t seq = 12; seq < 62; ++seq) {
    tonghop::v1::CollectorMessage one;
    *one.mutable_updates() = Batch(1, seq, "cao-loc", 5);
    cao_loc.Send(one);
  }
  int answered = 0;
  while (answered < 50 && cao_loc.Receive(5'000).has_value()) ++answered;
  EXPECT_EQ(answered, 50);
  EXPECT_NE(province_.LogTail("aggregator", 50).find("the most --max_messages_per_burst allows"), std::string::npos)
      << province_.LogTail("aggregator", 50);
  ASSERT_EQ(cao_loc.Exchange(Batch(1, 62, "cao-loc", 6)).acks_size(), 1);
  ExpectTotal("6 from 1 units");  // each figure above replaced the one before
}

// Issue 10: figures were accepted for any year from 1900 to 2999, each making aggregates (its
// quarter, half-year and year). Now only the years the catalog declares (years.csv; Lạng Sơn:
// 2016 to next_year) are accepted; others are refused INVALID_PERIOD naming the window.
TEST_F(HostileInputTest, FiguresOutsideTheCatalogsYearsAreRefusedAndMakeNoAggregate) {
  const int year = UtcYearOfMs(NowMs());
  const std::string window = fmt::format("2016 to next_year ({})", year + 1);
  RawClient cao_loc(context_, Ingest(), ClientKeys("cao-loc"));
  uint64_t seq = 1;
  const std::vector<std::string> outside = {"1900-Q1", "2999-Q4", fmt::format("{}-Q1", year + 2), "2015-12"};
  for (const std::string& period : outside) {
    tonghop::v1::UpdateBatch batch = Batch(20, seq, "cao-loc", 1);
    batch.mutable_updates(0)->set_period(period);
    auto replies = cao_loc.Exchange(batch);
    SCOPED_TRACE(period);
    ExpectRejected(replies, RejectReason::REJECT_REASON_INVALID_PERIOD, "period");
    if (replies.rejects_size() == 1) {
      EXPECT_NE(replies.rejects(0).text().find(window), std::string::npos) << replies.rejects(0).text();
    }
    ++seq;  // a rejected update consumes its seq, as every final rejection does
  }
  // Inside the window each figure comes from a unit that exists in its period: Cao Lộc district
  // until 30 June 2025, Đông Kinh ward (part of its successor) since; the office reports for both.
  RawClient office(context_, Ingest(), ClientKeys("office"));
  uint64_t office_seq = 1;
  for (const std::string& period : {std::string(kPeriod), fmt::format("{}-Q1", year), fmt::format("{}-Q1", year + 1)}) {
    const bool district = period < std::string("2025-07");
    tonghop::v1::UpdateBatch batch =
        district ? Batch(20, seq++, "cao-loc", 7) : Batch(21, office_seq++, "phuong-dong-kinh", 7);
    batch.mutable_updates(0)->set_period(period);
    EXPECT_EQ((district ? cao_loc : office).Exchange(batch).acks_size(), 1) << period;
  }
  nlohmann::json state;
  Status s = province_.WaitForWatch(
      [&](const nlohmann::json& st) {
        return testing::FindAggregate(st, kIndicator, fmt::format("{}", year + 1)) != nullptr;
      },
      kTotalTimeoutMs, &state);
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (const auto& aggregate : state["aggregates"]) {
    const std::string period = aggregate["period"];
    const int period_year = std::stoi(period.substr(0, 4));
    EXPECT_TRUE(period_year == 2017 || period_year == year || period_year == year + 1) << period;
  }
}

// Every node runs one EventLoop that a signal wakes at once: each stops within a second of
// SIGTERM, and exits cleanly.
TEST_F(HostileInputTest, EveryNodeStopsWithinASecondOfSigterm) {
  testing::MiniProvince::CollectorPlacement placement;
  placement.extra_flags = KeyFlags("cao-loc");
  ASSERT_OK(province_.StartCollector("cao-loc", placement));
  for (const char* node : {"collector-cao-loc", "publisher", "aggregator"}) {
    const int64_t asked = MonotonicMs();
    EXPECT_OK(province_.Terminate(node));
    EXPECT_LT(MonotonicMs() - asked, 1'000) << node << ": ms from SIGTERM to a clean exit";
  }
}

}  // namespace
}  // namespace tonghop
