#include "aggregator/backup_streamer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "aggregator/backup_manifest.h"
#include "core/crc32c.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"

namespace tonghop {
namespace {

namespace fs = std::filesystem;

class BackupStreamerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(IngestStore::Open(dir_.Sub("db"), Durability::kFsync, &store_)); }

  // Stores `count` figures of cao-loc from audit record `first` on, with outbox 42 at the last.
  void Store(uint64_t first, uint64_t count) {
    auto batch = store_->NewBatch();
    for (uint64_t i = first; i < first + count; ++i) {
      tonghop::storage::v1::UnitValue value;
      value.set_value_micros(static_cast<int64_t>(i) * 1'000'000);
      value.set_seq(i);
      batch.PutValue("agri.area.total", "2017-" + std::to_string(i % 12 + 1), "cao-loc-" + std::to_string(i), value);
      tonghop::storage::v1::AuditRecord audit;
      audit.set_indicator("agri.area.total");
      audit.set_value_micros(static_cast<int64_t>(i));
      batch.PutAudit(i, audit);
    }
    tonghop::storage::v1::OutboxPosition position;
    position.set_last_seq(first + count - 1);
    batch.PutPosition(42, position);
    batch.PutCounters({first + count - 1, first + count - 1});
    ASSERT_OK(store_->Commit(&batch));
  }

  tonghop::v1::QueryReply Ask(BackupStreamer* streamer, const std::string& token, const std::string& file = "",
                              uint64_t offset = 0, bool finish = false) {
    tonghop::v1::BackupRequest request;
    request.set_backup_token(token);
    request.set_file(file);
    request.set_offset(offset);
    request.set_finish(finish);
    return streamer->Answer(request);
  }

  // Streams every file of the backup `manifest` announced into `into`, as `tonghop backup` does,
  // with the manifest last.
  void Copy(BackupStreamer* streamer, const tonghop::v1::BackupReply& announced, const std::string& into,
            size_t* chunks) {
    fs::create_directories(into);
    BackupManifest manifest;
    manifest.stream_id = announced.stream_id();
    manifest.aggregate_seq = announced.aggregate_seq();
    manifest.audit_seq = announced.audit_seq();
    manifest.outboxes = announced.outboxes();
    manifest.taken_at_ms = announced.taken_at_ms();
    for (const auto& file : announced.files()) {
      std::ofstream out(into + "/" + file.name(), std::ios::binary);
      Crc32c crc;
      for (uint64_t offset = 0; offset < file.size();) {
        tonghop::v1::QueryReply reply = Ask(streamer, announced.backup_token(), file.name(), offset);
        ASSERT_EQ(reply.error(), "");
        const std::string& data = reply.backup().data();
        ASSERT_FALSE(data.empty());
        ASSERT_LE(data.size(), 4096u);
        EXPECT_EQ(reply.backup().data_crc32c(), Crc32c::Of(data));
        out << data;
        crc.Update(data);
        offset += data.size();
        ++*chunks;
      }
      manifest.files.push_back({file.name(), file.size(), crc.Finish()});
    }
    std::ofstream(into + "/" + BackupManifest::kFileName) << manifest.ToJson();
  }

  testing::TempDir dir_;
  std::unique_ptr<IngestStore> store_;
};

// The backup holds the state of the moment it began, however much is written while it streams; the
// copy opens as a restored backup: checked, on a new stream, with the state of that moment.
TEST_F(BackupStreamerTest, ABackupStreamsTheStateOfItsMomentAndRestoresOnANewStream) {
  Store(1, 2000);
  BackupStreamer streamer(store_.get(), {.chunk_bytes = 4096, .idle_ms = 60'000});
  tonghop::v1::QueryReply started = Ask(&streamer, "");
  ASSERT_EQ(started.error(), "");
  const tonghop::v1::BackupReply announced = started.backup();
  EXPECT_FALSE(announced.backup_token().empty());
  EXPECT_EQ(announced.stream_id(), store_->stream_id());
  EXPECT_EQ(announced.aggregate_seq(), 2000u);
  EXPECT_EQ(announced.audit_seq(), 2000u);
  EXPECT_EQ(announced.outboxes(), 1u);
  EXPECT_NE(announced.taken_at_ms(), 0);
  EXPECT_TRUE(fs::is_directory(store_->dir() + "/" + BackupStreamer::kCheckpointFolder));
  Store(2001, 500);  // while it streams

  size_t chunks = 0;
  const std::string restored = dir_.Sub("restored");
  Copy(&streamer, announced, restored, &chunks);
  EXPECT_GT(chunks, static_cast<size_t>(announced.files_size())) << "files larger than a chunk came in several";
  // Asking for a chunk again gets the same bytes.
  const auto& first = announced.files(0);
  EXPECT_EQ(Ask(&streamer, announced.backup_token(), first.name(), 0).backup().data(),
            Ask(&streamer, announced.backup_token(), first.name(), 0).backup().data());
  EXPECT_EQ(Ask(&streamer, announced.backup_token(), "", 0, /*finish=*/true).error(), "");
  EXPECT_FALSE(fs::exists(store_->dir() + "/" + BackupStreamer::kCheckpointFolder)) << "removed once finished";
  EXPECT_NE(Ask(&streamer, announced.backup_token(), first.name(), 0).error(), "") << "its token is spent";

  IngestStore::Summary summary;
  ASSERT_OK(IngestStore::Summarize(restored, /*verify_checksums=*/true, &summary));
  EXPECT_EQ(summary.aggregate_seq, 2000u);
  std::unique_ptr<IngestStore> copy;
  ASSERT_OK(IngestStore::Open(restored, Durability::kFsync, &copy));
  EXPECT_NE(copy->stream_id(), store_->stream_id()) << "its seqs went back: a new stream";
  EXPECT_FALSE(fs::exists(restored + "/" + BackupManifest::kFileName));
  EXPECT_TRUE(fs::exists(restored + "/" + BackupManifest::kRestoredFileName));
  IngestStore::Counters counters;
  size_t values = 0;
  uint64_t position = 0;
  IngestStore::Visitor visitor;
  visitor.on_value = [&](auto&, auto&, auto&, auto&) { ++values; };
  visitor.on_position = [&](uint64_t, const tonghop::storage::v1::OutboxPosition& p) { position = p.last_seq(); };
  visitor.on_aggregate = [](auto&) {};
  ASSERT_OK(copy->Load(visitor, &counters));
  EXPECT_EQ(values, 2000u);
  EXPECT_EQ(position, 2000u);
  EXPECT_EQ(counters.audit_seq, 2000u);
  // Opened again, it is the same database: the new stream stays.
  const uint64_t new_stream = copy->stream_id();
  copy.reset();
  ASSERT_OK(IngestStore::Open(restored, Durability::kFsync, &copy));
  EXPECT_EQ(copy->stream_id(), new_stream);
}

TEST_F(BackupStreamerTest, ADamagedCopyIsRefusedBeforeItIsOpened) {
  Store(1, 300);
  BackupStreamer streamer(store_.get(), {.chunk_bytes = 4096, .idle_ms = 60'000});
  const tonghop::v1::BackupReply announced = Ask(&streamer, "").backup();
  size_t chunks = 0;
  const std::string restored = dir_.Sub("restored");
  Copy(&streamer, announced, restored, &chunks);
  std::string victim;
  for (const auto& file : announced.files()) {
    if (file.name().ends_with(".sst")) victim = file.name();
  }
  ASSERT_FALSE(victim.empty());
  {
    std::fstream file(restored + "/" + victim, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(10);
    file.put('\x5a');
  }
  std::unique_ptr<IngestStore> copy;
  Status opened = IngestStore::Open(restored, Durability::kFsync, &copy);
  EXPECT_TRUE(opened.IsCorruption()) << opened.ToString();
  EXPECT_NE(opened.message().find(victim), std::string::npos) << opened.message();
  EXPECT_NE(opened.message().find("copy it again"), std::string::npos) << opened.message();
}

// One backup at a time; one whose client went away is dropped after --backup_idle_ms and its
// checkpoint removed, and then another may start.
TEST_F(BackupStreamerTest, OneBackupAtATimeAndAnAbandonedOneIsDropped) {
  Store(1, 10);
  BackupStreamer streamer(store_.get(), {.chunk_bytes = 4096, .idle_ms = 100});
  const std::string token = Ask(&streamer, "").backup().backup_token();
  ASSERT_FALSE(token.empty());
  tonghop::v1::QueryReply second = Ask(&streamer, "");
  EXPECT_NE(second.error().find("a backup is in progress"), std::string::npos) << second.error();
  streamer.ExpireIdle();
  EXPECT_TRUE(streamer.backup_open()) << "not idle yet";
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  streamer.ExpireIdle();
  EXPECT_FALSE(streamer.backup_open());
  EXPECT_FALSE(fs::exists(streamer.checkpoint_dir()));
  EXPECT_NE(Ask(&streamer, token, "CURRENT").error().find("no longer open"), std::string::npos);
  EXPECT_EQ(Ask(&streamer, "").error(), "");
}

TEST_F(BackupStreamerTest, OnlyTheFilesOfTheBackupCanBeRead) {
  Store(1, 10);
  BackupStreamer streamer(store_.get(), {.chunk_bytes = 4096, .idle_ms = 60'000});
  const tonghop::v1::BackupReply announced = Ask(&streamer, "").backup();
  for (const std::string name : {"../CURRENT", "LOCK", "/etc/passwd", ""}) {
    EXPECT_NE(Ask(&streamer, announced.backup_token(), name).error().find("is not a file of this backup"),
              std::string::npos) << name;
  }
  const auto& file = announced.files(0);
  EXPECT_NE(Ask(&streamer, announced.backup_token(), file.name(), file.size() + 1).error().find("past the end"),
            std::string::npos);
  EXPECT_EQ(Ask(&streamer, announced.backup_token(), file.name(), file.size()).backup().data(), "");
  EXPECT_NE(Ask(&streamer, "not the token", file.name()).error().find("no longer open"), std::string::npos);
}

// A checkpoint that a run stopped mid-backup left behind (a crash, a SIGKILL) is removed when the
// next run starts, and an open one when the aggregator stops.
TEST_F(BackupStreamerTest, ACheckpointIsRemovedWhenTheAggregatorStopsAndOneLeftBehindWhenItStarts) {
  Store(1, 10);
  const std::string checkpoint = store_->dir() + "/" + BackupStreamer::kCheckpointFolder;
  {
    BackupStreamer streamer(store_.get(), {});
    ASSERT_EQ(Ask(&streamer, "").error(), "");
    EXPECT_TRUE(fs::is_directory(checkpoint));
  }
  EXPECT_FALSE(fs::exists(checkpoint));
  fs::create_directories(checkpoint + ".tmp");
  fs::create_directories(checkpoint);
  std::ofstream(checkpoint + "/000009.sst") << "left behind";
  BackupStreamer streamer(store_.get(), {});
  EXPECT_FALSE(fs::exists(checkpoint));
  EXPECT_FALSE(fs::exists(checkpoint + ".tmp"));
  // The database is untouched by either, and still opens.
  store_.reset();
  ASSERT_OK(IngestStore::Open(dir_.Sub("db"), Durability::kFsync, &store_));
}

}  // namespace
}  // namespace tonghop
