#include "core/key_registry.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "core/curve_keys.h"
#include "core/testing/temp_dir.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

std::string NewKey() {
  CurveKeyPair pair;
  EXPECT_OK(GenerateCurveKeyPair(&pair));
  return pair.public_key;
}

TEST(KeyRegistryTest, MapsEachKeyToItsRoleAndName) {
  const std::string a = NewKey(), b = NewKey(), c = NewKey();
  KeyRegistry registry;
  ASSERT_TRUE(KeyRegistry::Parse("keys.csv",
                                 "# the province's keys\ncomment,public_key,name,role\n\"Cao Lộc, PC 2\"," + a +
                                     ",cao-loc,collector\n," + b + ",pub-1,publisher\nstatistics desk," + c +
                                     ",office-1,office\n",
                                 &registry)
                  .ok());
  ASSERT_NE(registry.Find(a), nullptr);
  EXPECT_EQ(registry.Find(a)->role, "collector");
  EXPECT_EQ(registry.Find(a)->name, "cao-loc");
  EXPECT_EQ(registry.Find(b)->role, "publisher");
  EXPECT_EQ(registry.Find(c)->role, "office");
  EXPECT_EQ(registry.Count(KeyRegistry::kOffice), 1u);
  EXPECT_EQ(registry.Find(NewKey()), nullptr);
  EXPECT_EQ(registry.Count(KeyRegistry::kCollector), 1u);
}

TEST(KeyRegistryTest, MistakesNameFileLineAndField) {
  const std::string a = NewKey();
  struct Case {
    std::string text;
    std::string expect;
  };
  for (const Case& c : std::vector<Case>{
           {"role,name\n", "public_key"},
           {"role,name,public_key\nadmin,x," + a + "\n", "keys.csv:2: field 'role'"},
           {"role,name,public_key\ncollector,," + a + "\n", "keys.csv:2: field 'name'"},
           {"role,name,public_key\ncollector," + std::string(10'000, 'x') + "," + a + "\n", "keys.csv:2: field 'name'"},
           {"role,name,public_key\ncollector,x," + a.substr(1) + "\n", "keys.csv:2: field 'public_key'"},
           {"role,name,public_key\ncollector,x," + a + "\ncollector,y," + a + "\n", "on line 2"},
       }) {
    KeyRegistry registry;
    Status s = KeyRegistry::Parse("keys.csv", c.text, &registry);
    EXPECT_FALSE(s.ok()) << c.text;
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.message();
  }
}

TEST(KeyRegistryTest, RefusesAFileOthersCanWrite) {
  testing::TempDir dir;
  dir.Write("keys.csv", "role,name,public_key\ncollector,x," + NewKey() + "\n");
  KeyRegistry registry;
  ::chmod(dir.Sub("keys.csv").c_str(), 0644);
  EXPECT_OK(KeyRegistry::LoadFromFile(dir.Sub("keys.csv"), &registry));
  ::chmod(dir.Sub("keys.csv").c_str(), 0664);
  Status s = KeyRegistry::LoadFromFile(dir.Sub("keys.csv"), &registry);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("chmod go-w"), std::string::npos);
  EXPECT_FALSE(KeyRegistry::LoadFromFile(dir.Sub("missing.csv"), &registry).ok());
}

// Each socket's ZAP domain admits its roles only: the ingest link the keys that report, the query
// link the keys that read, the others their own role.
TEST(KeyRegistryTest, EachDomainAdmitsItsRoles) {
  EXPECT_TRUE(KeyRegistry::Admits(KeyRegistry::kIngestDomain, KeyRegistry::kCollector));
  EXPECT_TRUE(KeyRegistry::Admits(KeyRegistry::kIngestDomain, KeyRegistry::kOffice));
  EXPECT_FALSE(KeyRegistry::Admits(KeyRegistry::kIngestDomain, KeyRegistry::kViewer));
  EXPECT_TRUE(KeyRegistry::Admits(KeyRegistry::kQueryDomain, KeyRegistry::kOffice));
  EXPECT_TRUE(KeyRegistry::Admits(KeyRegistry::kQueryDomain, KeyRegistry::kViewer));
  EXPECT_FALSE(KeyRegistry::Admits(KeyRegistry::kQueryDomain, KeyRegistry::kCollector));
  EXPECT_FALSE(KeyRegistry::Admits(KeyRegistry::kPublisher, KeyRegistry::kViewer));
  EXPECT_TRUE(KeyRegistry::Admits(KeyRegistry::kSubscriber, KeyRegistry::kSubscriber));
}

}  // namespace
}  // namespace tonghop
