#include "cli/import.h"

#include <cerrno>
#include <filesystem>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <zmq.hpp>

#include "cli/data_value_set.h"
#include "core/csv.h"
#include "core/decimal.h"
#include "core/rocksdb_util.h"
#include "core/transport.h"
#include "core/wire_protocol.h"

namespace tonghop::cli {
namespace {

constexpr int kBatchSize = 1000;  // the ingest link's most updates per UpdateBatch
constexpr int kAttempts = 5;

// Whether `replies` answers the batch of seqs [first_seq, last_seq] of outbox `outbox_id`. Every
// batch of an import uses the same outbox, so a late answer to an earlier batch (to a resend of
// it after --timeout_ms) also names this outbox: only the seqs tell them apart. The aggregator
// answers each UpdateBatch with one UpdateReplies holding an ack or a reject per update, so an
// answer to this batch has at least one seq and none outside it.
bool AnswersBatch(const tonghop::v1::UpdateReplies& replies, uint64_t outbox_id, uint64_t first_seq,
                  uint64_t last_seq) {
  if (replies.outbox_id() != outbox_id || replies.acks_size() + replies.rejects_size() == 0) return false;
  auto inside = [&](uint64_t seq) { return seq >= first_seq && seq <= last_seq; };
  for (const auto& ack : replies.acks()) {
    if (!inside(ack.seq())) return false;
  }
  for (const auto& reject : replies.rejects()) {
    if (!inside(reject.seq())) return false;
  }
  return true;
}

}  // namespace

CLI::App* AddImportCommand(CLI::App& app, ImportOptions* options) {
  CLI::App* command = app.add_subcommand("import", "Load a data value set (CSV or JSON, DHIS2 dataValueSets style) into "
                                                   "the aggregator, validated and audited like live figures");
  command->add_option("file", options->file, "the data value set; docs/DATA-MODEL.md describes the format")->required();
  command->add_option("--ingest_endpoint", options->ingest_endpoint, "the aggregator's --ingest_endpoint")->capture_default_str();
  command->add_option("--timeout_ms", options->timeout_ms, "how long to wait for each batch's answer")->check(CLI::Range(1, 600000))->capture_default_str();
  AddClientSecurityFlags(*command, &options->security, "the aggregator", false);
  command->footer(
      "Example: tonghop import history/lang-son-2016.csv\n"
      "An aggregator with CURVE keys admits on its ingest link only collector keys, each for its own unit: with\n"
      "--curve_secret_key_file cao-loc.key --curve_server_public_key aggregator.pub, cao-loc's figures are stored\n"
      "and the others refused.");
  return command;
}

Status RunImport(const ImportOptions& options) {
  std::string text;
  TONGHOP_RETURN_IF_ERROR(ReadFileToString(options.file, &text));
  std::vector<DataValue> values;
  TONGHOP_RETURN_IF_ERROR(ParseDataValueSet(options.file, text, &values));
  LinkOptions link;
  TONGHOP_RETURN_IF_ERROR(LoadClientKeys(options.security, false, &link.curve));

  std::vector<tonghop::v1::IndicatorUpdate> updates;
  std::map<uint64_t, unsigned> line_of_seq;
  size_t rejected = 0;
  const int64_t now = NowMs();
  for (const DataValue& v : values) {
    Decimal value;
    if (Status s = Decimal::Parse(v.value, &value); !s.ok()) {
      fmt::print(stderr, "{}:{}: field 'value': {}\n", options.file, v.line, s.message());
      ++rejected;
      continue;
    }
    tonghop::v1::IndicatorUpdate update;
    update.set_seq(updates.size() + 1);
    update.set_reporting_unit(v.org_unit);
    update.set_indicator(v.data_element);
    update.set_period(v.period);
    SetFigureValue(value, &update);
    int64_t observed = now;
    update.set_observed_at_ms(ParseIsoTimeMs(v.last_updated, &observed) ? observed : now);
    line_of_seq[update.seq()] = v.line;
    updates.push_back(std::move(update));
  }

  const uint64_t outbox_id = RandomNonZeroId();
  const std::string node_id = "import:" + std::filesystem::path(options.file).filename().string();
  size_t stored = 0;
  try {
    zmq::context_t context(1);
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    ConfigureSocket(socket, link);
    // The socket is writable once its connection is up (under CURVE: once the handshake passed).
    socket.set(zmq::sockopt::immediate, 1);
    socket.connect(options.ingest_endpoint);
    for (size_t first = 0; first < updates.size(); first += kBatchSize) {
      tonghop::v1::CollectorMessage message;
      auto* batch = message.mutable_updates();
      batch->set_node_id(node_id);
      batch->set_outbox_id(outbox_id);
      const size_t end = std::min(updates.size(), first + kBatchSize);
      for (size_t i = first; i < end; ++i) *batch->add_updates() = updates[i];
      const uint64_t first_seq = updates[first].seq(), last_seq = updates[end - 1].seq();
      tonghop::v1::UpdateReplies replies;
      bool answered = false;
      for (int attempt = 0; attempt < kAttempts && !answered; ++attempt) {
        // A send that times out (the link is not up: no aggregator, or a CURVE handshake it
        // refused) is an attempt without an answer, so that the error below says what to check.
        if (!WaitWritable(socket, options.timeout_ms).ok() || !SendProto(socket, message).ok()) continue;
        std::vector<zmq::pollitem_t> items = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
        const int64_t deadline = MonotonicMs() + options.timeout_ms;
        while (!answered && MonotonicMs() < deadline) {
          try {
            zmq::poll(items, std::chrono::milliseconds(std::max<int64_t>(1, deadline - MonotonicMs())));
          } catch (const zmq::error_t& e) {
            if (e.num() != EINTR) throw;
            return Status::Unavailable(fmt::format(
                "interrupted while waiting for the aggregator's answer; {} figures were stored before. Importing the "
                "file again is safe: figures already stored are only replaced by the same values", stored));
          }
          if (!(items[0].revents & ZMQ_POLLIN)) continue;
          zmq::message_t frame;
          if (!socket.recv(frame, zmq::recv_flags::dontwait)) continue;
          tonghop::v1::AggregatorMessage reply;
          // Anything else (a late answer to an earlier batch) is dropped, and the wait goes on.
          if (ParseProto(frame, &reply) && reply.has_replies() &&
              AnswersBatch(reply.replies(), outbox_id, first_seq, last_seq)) {
            replies = reply.replies();
            answered = true;
          }
        }
        bool unavailable = false;
        for (const auto& r : replies.rejects()) unavailable = unavailable || r.reason() == tonghop::v1::REJECT_REASON_UNAVAILABLE;
        if (answered && unavailable) {  // the aggregator stored nothing of this batch; the whole batch is resent
          answered = false;
          replies.Clear();
          std::this_thread::sleep_for(std::chrono::seconds(1));
        }
      }
      if (!answered) {
        return Status::Unavailable(fmt::format(
            "no answer from the aggregator at {} after {} attempts; {} figures were stored before. Is it running, and is "
            "this its --ingest_endpoint? An aggregator with CURVE keys answers only a collector's key registered in its "
            "--key_registry_file ({}). Importing the file again is safe: figures already stored are only replaced by "
            "the same values", options.ingest_endpoint, kAttempts, stored,
            link.curve.enabled() ? "check --curve_secret_key_file and --curve_server_public_key"
                                 : "give --curve_secret_key_file and --curve_server_public_key"));
      }
      stored += replies.acks_size();
      for (const auto& r : replies.rejects()) {
        fmt::print(stderr, "{}:{}: {}\n", options.file, line_of_seq[r.seq()], r.text());
        ++rejected;
      }
    }
  } catch (const zmq::error_t& e) {
    return Status::InvalidArgument(fmt::format("cannot talk to the aggregator at {}: {}", options.ingest_endpoint, e.what()));
  }
  fmt::print("{}: {} figures stored, {} rejected\n", options.file, stored, rejected);
  if (rejected) {
    return Status::InvalidArgument(fmt::format("{} of {} figures were rejected (listed above); fix those lines and "
                                               "import them again", rejected, values.size()));
  }
  return Status::OK();
}

}  // namespace tonghop::cli
