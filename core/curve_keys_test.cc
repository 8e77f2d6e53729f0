#include "core/curve_keys.h"

#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "core/csv.h"
#include "core/testing/temp_dir.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_mode & 07777;
}

TEST(CurveKeysTest, KeygenFilesReadBackAndTheSecretOneIsOwnerOnly) {
  testing::TempDir dir;
  CurveKeyPair pair;
  ASSERT_OK(GenerateCurveKeyPair(&pair));
  EXPECT_TRUE(IsZ85Key(pair.public_key));
  EXPECT_TRUE(IsZ85Key(pair.secret_key));
  ASSERT_OK(WriteCurveKeyFiles(dir.Sub("cao-loc"), "cao-loc", pair));
  EXPECT_EQ(ModeOf(dir.Sub("cao-loc.key")), 0600u);
  EXPECT_EQ(ModeOf(dir.Sub("cao-loc.pub")), 0644u);

  CurveKeyPair read;
  ASSERT_OK(ReadCurveSecretKeyFile(dir.Sub("cao-loc.key"), &read));
  EXPECT_EQ(read.public_key, pair.public_key);
  EXPECT_EQ(read.secret_key, pair.secret_key);
  std::string public_key;
  ASSERT_OK(ResolveCurvePublicKey(dir.Sub("cao-loc.pub"), &public_key));
  EXPECT_EQ(public_key, pair.public_key);
  ASSERT_OK(ResolveCurvePublicKey(pair.public_key, &public_key));
  std::string pub_text;
  ASSERT_OK(ReadFileToString(dir.Sub("cao-loc.pub"), &pub_text));
  EXPECT_EQ(pub_text.find(pair.secret_key), std::string::npos);
}

TEST(CurveKeysTest, NeverOverwritesAKey) {
  testing::TempDir dir;
  CurveKeyPair pair;
  ASSERT_OK(GenerateCurveKeyPair(&pair));
  ASSERT_OK(WriteCurveKeyFiles(dir.Sub("a"), "a", pair));
  CurveKeyPair other;
  ASSERT_OK(GenerateCurveKeyPair(&other));
  Status again = WriteCurveKeyFiles(dir.Sub("a"), "a", other);
  EXPECT_FALSE(again.ok());
  EXPECT_NE(again.message().find("exists already"), std::string::npos);
  CurveKeyPair read;
  ASSERT_OK(ReadCurveSecretKeyFile(dir.Sub("a.key"), &read));
  EXPECT_EQ(read.secret_key, pair.secret_key);
}

TEST(CurveKeysTest, RefusesAKeyFileOthersCanReadWithoutShowingTheSecret) {
  testing::TempDir dir;
  CurveKeyPair pair;
  ASSERT_OK(GenerateCurveKeyPair(&pair));
  ASSERT_OK(WriteCurveKeyFiles(dir.Sub("a"), "a", pair));
  for (mode_t mode : {0640, 0604, 0660, 0700 | 0007}) {
    ::chmod(dir.Sub("a.key").c_str(), mode);
    CurveKeyPair read;
    Status s = ReadCurveSecretKeyFile(dir.Sub("a.key"), &read);
    EXPECT_FALSE(s.ok()) << std::oct << mode;
    EXPECT_NE(s.message().find("chmod 600"), std::string::npos);
    EXPECT_EQ(s.message().find(pair.secret_key), std::string::npos);
  }
  // A .pub file is no key pair.
  CurveKeyPair read;
  Status pub = ReadCurveSecretKeyFile(dir.Sub("a.pub"), &read);
  EXPECT_FALSE(pub.ok());  // mode 0644 first, and it holds no secret either
}

TEST(CurveKeysTest, DamagedFilesAreRefusedByLineAndFieldNeverByValue) {
  CurveKeyPair pair, other;
  ASSERT_OK(GenerateCurveKeyPair(&pair));
  ASSERT_OK(GenerateCurveKeyPair(&other));
  CurveKeyPair out;
  const std::string pub = "public_key = \"" + pair.public_key + "\"\n";
  EXPECT_OK(ParseCurveKeyFile("k", "# c\n\n" + pub, &out));
  struct Case {
    std::string text;
    std::string expect;
  };
  const std::string short_secret = pair.secret_key.substr(0, 39);
  for (const Case& c : std::vector<Case>{
           {"", "no public_key"},
           {pub + "secret_key = \"" + other.secret_key + "\"\n", "does not belong"},
           {pub + "secret_key = \"" + short_secret + "\"\n", "k:2: field 'secret_key'"},
           {pub + "secret_key = " + pair.secret_key + "\n", "k:2: field 'secret_key'"},
           {pub + pub, "k:2: field 'public_key' is given twice"},
           {"password = \"" + pair.secret_key + "\"\n", "k:1: expected"},
       }) {
    Status s = ParseCurveKeyFile("k", c.text, &out);
    EXPECT_FALSE(s.ok()) << c.text;
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find(short_secret), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find(other.secret_key.substr(0, 20)), std::string::npos) << s.message();
  }
  std::string key;
  Status s = ResolveCurvePublicKey(short_secret, &key);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find(short_secret), std::string::npos);
}

}  // namespace
}  // namespace tonghop
