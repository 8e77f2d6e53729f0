// Ceilings: what this machine does with the same libraries when the pipeline's own work is taken
// away, so that the benchmark can print the real pipeline's figures as a share of what is
// possible here (docs/PERFORMANCE.md). Each runs in threads of this process over tcp loopback, on
// the workload's update shapes (bench/workload.h), for run.seconds after a warm-up.
//
//  - MeasureRawDealerRouter: the transport alone. Collector DEALERs send the workload's
//    UpdateBatch messages with the real collector's window in flight; one ROUTER thread reads
//    each message and answers it with a fixed ack, parsing nothing and storing nothing. No
//    ingest path can ack faster than its ROUTER can read and answer, so this bounds the
//    collectors -> aggregator link.
//  - MeasureRocksDbBatches: the store alone. WriteBatches of the aggregator's burst size holding
//    the records the aggregator writes per update (a unit value and an audit record), opened
//    and synced as IngestStore does. The records are serialized beforehand: only building the
//    batch and writing it is timed. The aggregator acks a burst only after its batch is written,
//    so it cannot ack updates faster than RocksDB takes them.
//  - MeasureNaivePipeline: the bare work of an aggregator with none of its checks: read a burst,
//    parse, one WriteBatch, in-memory province totals, acks, one published message per changed
//    total read by one subscriber. It shows what the transport, parsing, storage and feed cost
//    together when nothing else runs; what the real pipeline loses against it is the price of
//    validation, audit, sequence checks and aggregate versions.
//
//  - MeasureNaivePipelineRoundTrips: the same naive pipeline loaded by the benchmark's own load
//    generator at a fixed rate, as the latency parts load the real daemons: each batch's round
//    trip from its send to its ack. The floor under the real collectors' ack round trips at that
//    rate on this machine.
//
// The first three share the collectors' load: run.collectors DEALERs, each with
// workload.window_updates updates in flight in messages of workload.batch_updates, driven by one
// client thread as the benchmark's load generator does. A ceiling that loses an ack, or a message
// the pipeline's subscriber should have read, fails instead of reporting a figure.
#pragma once

#include <string>

#include "aggregator/ingest_store.h"  // Durability
#include "bench/bench_report.h"       // Latency
#include "bench/workload.h"
#include "core/status.h"

namespace tonghop::bench {

struct CeilingRun {
  double seconds = 3.0;  // how long to measure (after a warm-up of a tenth of it)
  int collectors = 11;   // DEALER sockets offering load, each with workload.window_updates in flight
                         // in batches of workload.batch_updates
  std::string dir;       // a scratch directory for RocksDB (emptied before and after the run)
};

struct CeilingResult {
  double updates_per_s = 0;  // IndicatorUpdates per second (not messages)
  uint64_t updates = 0;      // how many were measured
  double seconds = 0;        // measured duration
};

// Raw DEALER->ROUTER over tcp loopback: the DEALERs send the workload's serialized
// CollectorMessage{UpdateBatch} messages, the ROUTER thread reads each one, does not parse it, and
// answers it with one small pre-serialized AggregatorMessage ack; each DEALER keeps its window
// full. The transport's ceiling.
Status MeasureRawDealerRouter(const Workload& workload, const CeilingRun& run, CeilingResult* out);

// RocksDB alone: WriteBatches of the aggregator's burst size (max_batch_updates updates), each
// update one value record (indicator \0 period \0 unit -> tonghop.storage.v1.UnitValue), one
// audit record (big-endian counter -> tonghop.storage.v1.AuditRecord) and its history index entry
// (indicator \0 period \0 unit \0 counter -> empty), with WriteOptions.sync per
// `durability`, in a database opened as IngestStore opens it. Uses run.dir; run.collectors only
// sets which units the updates come from.
Status MeasureRocksDbBatches(const Workload& workload, Durability durability, const CeilingRun& run,
                             CeilingResult* out);

// The naive pipeline over tcp loopback: a ROUTER thread reads a burst (everything waiting, up to
// max_batch_updates updates), parses each CollectorMessage, writes one WriteBatch per burst (one
// value record per update, sync per `durability`) in run.dir, updates in-memory province totals
// (per indicator and period, the sum of each unit's last value), acks each message with an
// UpdateReplies listing its seqs, then publishes one message per changed total on a PUB socket
// read by one SUB thread. Counts the updates acked.
Status MeasureNaivePipeline(const Workload& workload, Durability durability, const CeilingRun& run,
                            CeilingResult* out);

// The naive pipeline at `offered_per_s`, loaded by LoadGenerator (bench/load_generator.h) with
// run.collectors collectors, after kConnectingRun (not measured), as MeasureQueries warms the
// real daemons: `round_trips` summarizes each batch's time from its send
// to its ack over run.seconds. Uses run.dir.
Status MeasureNaivePipelineRoundTrips(const Workload& workload, Durability durability, const CeilingRun& run,
                                      double offered_per_s, Latency* round_trips);

}  // namespace tonghop::bench
