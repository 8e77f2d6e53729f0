#include "cli/client_config.h"

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace tonghop::cli {
namespace {

// Each test sets the variables the lookup reads and restores them.
class ClientConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      ::unsetenv(name);
    }
    ::setenv("HOME", dir_.Sub("home").c_str(), 1);
    ::setenv("TONGHOP_VAR", dir_.Sub("var").c_str(), 1);  // no local province, unless a test makes one
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value) ::setenv(name, value->c_str(), 1);
      else ::unsetenv(name);
    }
  }

  static constexpr const char* kVariables[] = {"TONGHOP_CONFIG", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "HOME",
                                               "TONGHOP_VAR"};
  testing::TempDir dir_;
  std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

TEST_F(ClientConfigTest, FlagsThenTheConfigFileThenTheDefaults) {
  ResolvedLink link;
  ASSERT_OK(ResolveLink({}, {}, /*ingest=*/false, &link));
  EXPECT_EQ(link.endpoints, std::vector<std::string>{"tcp://127.0.0.1:5553"});
  EXPECT_EQ(link.keys_from, "");

  // The user's file, with paths relative to it.
  dir_.Write("home/.config/tonghop/tonghop.toml",
             "# the office\n"
             "aggregator = \"tcp://agg:5553\"\n"
             "ingest_endpoint = \"tcp://agg:5550\"\n"
             "curve_secret_key_file = \"keys/office-1.key\"\n"
             "curve_server_public_key = \"/etc/tonghop/keys/aggregator.pub\"\n"
             "catalog_dir = \"lang-son\"\n"
             "lang = \"en\"\n");
  const std::string folder = dir_.Sub("home/.config/tonghop");
  ASSERT_OK(ResolveLink({}, {}, /*ingest=*/true, &link));
  EXPECT_EQ(link.endpoints, std::vector<std::string>{"tcp://agg:5550"});
  EXPECT_EQ(link.security.curve_secret_key_file, folder + "/keys/office-1.key");
  EXPECT_EQ(link.security.curve_server_public_key, "/etc/tonghop/keys/aggregator.pub");
  EXPECT_EQ(link.keys_from, folder + "/tonghop.toml");
  std::string catalog;
  ASSERT_OK(ResolveCatalogDir("", &catalog));
  EXPECT_EQ(catalog, folder + "/lang-son");
  EXPECT_EQ(ResolveLanguageCode(""), "en");
  EXPECT_EQ(ResolveLanguageCode("vi"), "vi");

  // Flags win, each on its own.
  LinkSecurityFlags flags;
  flags.curve_secret_key_file = "mine.key";
  flags.curve_server_public_key = "theirs.pub";
  ASSERT_OK(ResolveLink({"tcp://other:1"}, flags, /*ingest=*/false, &link));
  EXPECT_EQ(link.endpoints, std::vector<std::string>{"tcp://other:1"});
  EXPECT_EQ(link.security.curve_secret_key_file, "mine.key");
  EXPECT_EQ(link.keys_from, "the flags");
  ASSERT_OK(ResolveCatalogDir("/given", &catalog));
  EXPECT_EQ(catalog, "/given");

  // $TONGHOP_CONFIG wins over the user's file, and must exist.
  dir_.Write("office.toml", "aggregator = \"tcp://elsewhere:5553\"\n");
  ::setenv("TONGHOP_CONFIG", dir_.Sub("office.toml").c_str(), 1);
  ASSERT_OK(ResolveLink({}, {}, /*ingest=*/false, &link));
  EXPECT_EQ(link.endpoints, std::vector<std::string>{"tcp://elsewhere:5553"});
  ::setenv("TONGHOP_CONFIG", dir_.Sub("missing.toml").c_str(), 1);
  EXPECT_TRUE(ResolveLink({}, {}, false, &link).IsNotFound());
}

// Issue 15: the office's commands ask a pair of aggregators, named in the file as a list.
TEST_F(ClientConfigTest, TheFileNamesAPairOfAggregators) {
  dir_.Write("office.toml", "aggregator = [\"tcp://agg-a:5553\", \"tcp://agg-b:5553\"]\n");
  ::setenv("TONGHOP_CONFIG", dir_.Sub("office.toml").c_str(), 1);
  ResolvedLink link;
  ASSERT_OK(ResolveLink({}, {}, /*ingest=*/false, &link));
  EXPECT_EQ(link.endpoints, (std::vector<std::string>{"tcp://agg-a:5553", "tcp://agg-b:5553"}));
  // The flags' list replaces it whole.
  ASSERT_OK(ResolveLink({"tcp://agg-b:5553"}, {}, /*ingest=*/false, &link));
  EXPECT_EQ(link.endpoints, std::vector<std::string>{"tcp://agg-b:5553"});
  // An import sends to each of a pair.
  dir_.Write("office.toml", "ingest_endpoint = [\"tcp://agg-a:5550\", \"tcp://agg-b:5550\"]\n");
  ASSERT_OK(ResolveLink({}, {}, /*ingest=*/true, &link));
  EXPECT_EQ(link.endpoints, (std::vector<std::string>{"tcp://agg-a:5550", "tcp://agg-b:5550"}));
  // Every other setting takes one value.
  dir_.Write("office.toml", "state_dir = [\"a\", \"b\"]\n");
  Status s = ResolveLink({}, {}, /*ingest=*/true, &link);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("office.toml: state_dir takes one value"), std::string::npos) << s.message();
}

TEST_F(ClientConfigTest, AKeyTheFileDoesNotKnowIsNamed) {
  dir_.Write("office.toml", "aggregator = \"tcp://a:1\"\ncurve_secret_keyfile = \"x\"\n");
  ::setenv("TONGHOP_CONFIG", dir_.Sub("office.toml").c_str(), 1);
  ClientConfig config;
  Status s = LoadClientConfig(&config);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("office.toml: 'curve_secret_keyfile' is not a setting of this file"), std::string::npos)
      << s.message();
  dir_.Write("office.toml", "[import]\nstate_dir = \"x\"\n");
  EXPECT_TRUE(LoadClientConfig(&config).IsInvalidArgument()) << "no sections";
  dir_.Write("office.toml", "lang = \"fr\"\n");
  EXPECT_NE(LoadClientConfig(&config).message().find("lang = \"fr\" is not vi or en"), std::string::npos);
}

// The local province's keys, for its own loopback endpoints only; any configured key wins.
TEST_F(ClientConfigTest, TheLocalProvincesKeysServeItsOwnEndpoints) {
  dir_.Write("var/keys/office.key", "not read here");
  ResolvedLink link;
  ASSERT_OK(ResolveLink({}, {}, /*ingest=*/true, &link));
  EXPECT_EQ(link.endpoints, std::vector<std::string>{"tcp://127.0.0.1:5550"});
  EXPECT_EQ(link.security.curve_secret_key_file, dir_.Sub("var/keys/office.key"));
  EXPECT_EQ(link.security.curve_server_public_key, dir_.Sub("var/keys/aggregator.pub"));
  EXPECT_EQ(link.keys_from, "the local province's " + dir_.Sub("var/keys"));
  ASSERT_OK(ResolveLink({"tcp://remote:5550"}, {}, /*ingest=*/true, &link));
  EXPECT_EQ(link.keys_from, "");
  LinkSecurityFlags plaintext;
  plaintext.plaintext_for_development = true;
  ASSERT_OK(ResolveLink({}, plaintext, /*ingest=*/true, &link));
  EXPECT_EQ(link.security.curve_secret_key_file, "");
}

TEST_F(ClientConfigTest, TheImportsStateIsTheUsersUnlessConfigured) {
  std::string state;
  ASSERT_OK(ResolveStateDir("", &state));
  EXPECT_EQ(state, dir_.Sub("home/.local/state/tonghop"));
  ::setenv("XDG_STATE_HOME", dir_.Sub("xdg").c_str(), 1);
  ASSERT_OK(ResolveStateDir("", &state));
  EXPECT_EQ(state, dir_.Sub("xdg/tonghop"));
  ASSERT_OK(ResolveStateDir("/flag", &state));
  EXPECT_EQ(state, "/flag");
}

}  // namespace
}  // namespace tonghop::cli
