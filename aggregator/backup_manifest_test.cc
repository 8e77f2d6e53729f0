#include "aggregator/backup_manifest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "core/crc32c.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace tonghop {
namespace {

BackupManifest Example() {
  BackupManifest manifest;
  manifest.aggregator = "tcp://127.0.0.1:5553";
  manifest.taken_at_ms = 1'796'000'000'123;
  manifest.stream_id = 0xfedcba9876543210;
  manifest.aggregate_seq = 42;
  manifest.audit_seq = 7;
  manifest.outboxes = 3;
  manifest.files = {{"CURRENT", 16, 0x0badf00d}, {"000012.sst", 1 << 20, 0xffffffff}};
  return manifest;
}

TEST(BackupManifestTest, WhatIsWrittenReadsBackTheSame) {
  const BackupManifest manifest = Example();
  BackupManifest parsed;
  Status s = BackupManifest::Parse(manifest.ToJson(), &parsed);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << manifest.ToJson();
  EXPECT_EQ(parsed.ToJson(), manifest.ToJson());
  EXPECT_EQ(parsed.stream_id, manifest.stream_id);
  ASSERT_EQ(parsed.files.size(), 2u);
  EXPECT_EQ(parsed.files[1].name, "000012.sst");
  EXPECT_EQ(parsed.files[1].size, 1u << 20);
  EXPECT_EQ(parsed.files[1].crc32c, 0xffffffffu);
  EXPECT_EQ(manifest.TakenAt(), "2026-11-30T00:53:20Z");
}

// A manifest someone edited names the field that is wrong, and a file name can lead nowhere else.
TEST(BackupManifestTest, AWrongFieldIsNamed) {
  const std::string good = Example().ToJson();
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  };
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "not a JSON object"},
      {replaced("tonghop-backup/1", "tonghop-backup/2"), "field 'format'"},
      {replaced("\"audit_seq\": 7", "\"audit_seq\": -7"), "field 'audit_seq'"},
      {replaced("fedcba9876543210", "not-hex"), "field 'stream_id'"},
      {replaced("\"000012.sst\"", "\"../000012.sst\""), "field 'files[1]'"},
      {replaced("\"0badf00d\"", "\"1ffffffff\""), "field 'files[0]'"},
  };
  for (const auto& [text, expected] : cases) {
    BackupManifest parsed;
    Status s = BackupManifest::Parse(text, &parsed);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find(expected), std::string::npos) << s.ToString();
  }
}

TEST(BackupManifestTest, VerifyFindsAFileMissingShortenedOrChanged) {
  testing::TempDir dir;
  const std::string copy = dir.Sub("copy");
  std::filesystem::create_directories(copy);
  const std::string bytes = "the bytes of a table file";
  std::ofstream(copy + "/000012.sst", std::ios::binary) << bytes;
  BackupManifest manifest = Example();
  manifest.files = {{"000012.sst", bytes.size(), Crc32c::Of(bytes)}};
  ASSERT_OK(manifest.Verify(copy));

  auto expect_damaged = [&](const std::string& why) {
    Status s = manifest.Verify(copy);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.message().find("000012.sst " + why), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("copy it again"), std::string::npos) << s.ToString();
  };
  std::ofstream(copy + "/000012.sst", std::ios::binary) << "The bytes of a table file";
  expect_damaged("has CRC-32C");
  std::ofstream(copy + "/000012.sst", std::ios::binary) << "the bytes";
  expect_damaged(fmt::format("is 9 bytes, not {}", bytes.size()));
  std::filesystem::remove(copy + "/000012.sst");
  expect_damaged("is missing");
}

}  // namespace
}  // namespace tonghop
