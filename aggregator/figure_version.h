// FigureVersion: which of two figures of one unit, indicator and period stands. Each figure carries
// the version its outbox gave it: when it entered the outbox (IndicatorUpdate.entered_at_ms, never
// lower than an earlier seq's of the same outbox), the outbox's id and its seq. The aggregator keeps
// the figure with the higher version, compared in that order, whatever order figures arrive in: a
// last-writer-wins register, as CRDTs define it. So two aggregators fed the same figures in
// different orders (a pair, docs/ARCHITECTURE.md) hold the same ones, and within one outbox the
// later seq always wins, as before. docs/DATA-MODEL.md, "Which figure stands".
#pragma once

#include <compare>
#include <cstdint>

namespace tonghop {

struct FigureVersion {
  int64_t entered_at_ms = 0;  // 0: sent by a peer that predates it
  uint64_t outbox_id = 0;
  uint64_t seq = 0;

  friend std::strong_ordering operator<=>(const FigureVersion&, const FigureVersion&) = default;
  friend bool operator==(const FigureVersion&, const FigureVersion&) = default;
};

// A figure's version. One from a collector that predates versions (entered_at_ms 0) counts as
// entered when this aggregator applied it: last arrival wins, as it always did for it.
inline FigureVersion VersionOf(int64_t entered_at_ms, int64_t applied_at_ms, uint64_t outbox_id, uint64_t seq) {
  return {entered_at_ms != 0 ? entered_at_ms : applied_at_ms, outbox_id, seq};
}

}  // namespace tonghop
