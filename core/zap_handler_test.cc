#include "core/zap_handler.h"

#include <gtest/gtest.h>

#include "core/curve_keys.h"
#include "core/transport.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

// A CURVE ROUTER with domain "collector" in a context with a ZapHandler, and clients that try it.
class ZapHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* pair : {&server_, &collector_, &publisher_, &stranger_}) ASSERT_OK(GenerateCurveKeyPair(pair));
    SetRegistry();
    ASSERT_OK(zap_.Start(registry_));
    LinkOptions link;
    link.curve.server = true;
    link.curve.public_key = server_.public_key;
    link.curve.secret_key = server_.secret_key;
    link.curve.zap_domain = KeyRegistry::kCollector;
    ConfigureRouter(router_, link);
    router_.bind("tcp://127.0.0.1:*");
    endpoint_ = router_.get(zmq::sockopt::last_endpoint);
  }

  void SetRegistry(bool with_collector = true) {
    auto registry = std::make_shared<KeyRegistry>();
    std::string text = "role,name,public_key\npublisher,p," + publisher_.public_key + "\n";
    if (with_collector) text += "collector,cao-loc," + collector_.public_key + "\n";
    ASSERT_OK(KeyRegistry::Parse("keys.csv", text, registry.get()));
    registry_ = registry;
    zap_.SetRegistry(registry);
  }

  // Connects as `client` (plain text when null), sends one frame; the User-Id the server saw, or
  // nullopt when nothing arrived.
  std::optional<std::string> Try(const CurveKeyPair* client) {
    zmq::socket_t dealer(context_, zmq::socket_type::dealer);
    LinkOptions link;
    if (client) {
      link.curve.public_key = client->public_key;
      link.curve.secret_key = client->secret_key;
      link.curve.server_key = server_.public_key;
    }
    ConfigureSocket(dealer, link);
    dealer.connect(endpoint_);
    dealer.send(zmq::str_buffer("hello"), zmq::send_flags::dontwait);
    std::vector<zmq::pollitem_t> items = {{router_.handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, std::chrono::milliseconds(1'000));
    if (!(items[0].revents & ZMQ_POLLIN)) return std::nullopt;
    zmq::message_t identity, body;
    (void)router_.recv(identity);
    (void)router_.recv(body);
    return PeerPublicKey(body);
  }

  zmq::context_t context_{1};
  ZapHandler zap_{context_};
  zmq::socket_t router_{context_, zmq::socket_type::router};
  std::string endpoint_;
  CurveKeyPair server_, collector_, publisher_, stranger_;
  std::shared_ptr<const KeyRegistry> registry_;
};

TEST_F(ZapHandlerTest, AdmitsOnlyRegisteredKeysOfTheSocketsRole) {
  EXPECT_EQ(Try(&collector_), collector_.public_key);
  EXPECT_EQ(Try(&publisher_), std::nullopt);  // registered, but not as a collector
  EXPECT_EQ(Try(&stranger_), std::nullopt);
  EXPECT_EQ(Try(nullptr), std::nullopt);  // no CURVE at all
  EXPECT_EQ(zap_.admitted(), 1u);
  EXPECT_GE(zap_.refused(), 2u);  // a plain client fails before ZAP is asked
}

TEST_F(ZapHandlerTest, ANewRegistryDecidesTheNextHandshake) {
  EXPECT_EQ(Try(&collector_), collector_.public_key);
  SetRegistry(false);
  EXPECT_EQ(Try(&collector_), std::nullopt);
  SetRegistry(true);
  EXPECT_EQ(Try(&collector_), collector_.public_key);
}

// The aggregator's ingest socket admits collector keys and office keys (`tonghop import` of the
// province's figures with the office's own key); its other sockets one role each.
TEST(KeyRegistryDomainTest, TheIngestDomainAdmitsCollectorAndOfficeKeys) {
  EXPECT_TRUE(KeyRegistry::Admits(KeyRegistry::kIngestDomain, KeyRegistry::kCollector));
  EXPECT_TRUE(KeyRegistry::Admits(KeyRegistry::kIngestDomain, KeyRegistry::kOffice));
  EXPECT_FALSE(KeyRegistry::Admits(KeyRegistry::kIngestDomain, KeyRegistry::kPublisher));
  EXPECT_FALSE(KeyRegistry::Admits(KeyRegistry::kIngestDomain, KeyRegistry::kSubscriber));
  EXPECT_TRUE(KeyRegistry::Admits(KeyRegistry::kOffice, KeyRegistry::kOffice));
  EXPECT_FALSE(KeyRegistry::Admits(KeyRegistry::kOffice, KeyRegistry::kCollector));
  EXPECT_FALSE(KeyRegistry::Admits(KeyRegistry::kPublisher, KeyRegistry::kOffice));
}

}  // namespace
}  // namespace tonghop
