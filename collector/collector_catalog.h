// CollectorCatalog: the catalog a collector judges figures by before they enter its outbox, the
// one its aggregator judges them by (docs/COLLECTOR.md, "The catalog"). The aggregator announces
// its catalog's version in every heartbeat answer and every reply; the Sender asks for the files
// when the version is not the one held here, and hands them to Take(). The catalog is kept in the
// outbox, so a collector restarted while its aggregator is out of reach (links are poor) judges
// by the last one it got. Before the first, it has none, and only the aggregator judges.
// Not thread-safe: the collector's loop owns it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "collector/figure_check.h"
#include "collector/outbox.h"
#include "core/catalog.h"
#include "core/status.h"
#include "core/update_validator.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

class CollectorCatalog {
 public:
  // `unit` is the collector's; `outbox` keeps the catalog across restarts.
  CollectorCatalog(std::string unit, Outbox* outbox) : unit_(std::move(unit)), outbox_(outbox) {}

  // Takes the catalog the outbox kept, if any. A kept catalog that no longer loads is forgotten
  // (logged): the aggregator sends it again.
  void Restore();
  // Takes `files` from the aggregator: InvalidArgument when they do not load as a catalog, or do
  // not hash to their version; IOError when the outbox cannot keep them. The catalog held is
  // replaced only on success.
  Status Take(const tonghop::v1::CatalogFiles& files);

  bool has_catalog() const { return catalog_ != nullptr; }
  // 0 without a catalog.
  uint64_t version() const { return catalog_ ? catalog_->fingerprint() : 0; }
  // Whether the catalog has this collector's unit; false without a catalog.
  bool knows_unit() const { return catalog_ && catalog_->FindUnit(unit_) != nullptr; }
  // The catalog's problems with `figure`, which CheckFigure found good (CheckAgainstCatalog); none
  // without a catalog.
  std::vector<FieldError> Check(const tonghop::v1::IndicatorUpdate& figure, int64_t now_ms) const;
  // "catalog 3f2a...: 79 indicators" or "no catalog yet", for the log.
  std::string Describe() const;

 private:
  Status Load(const tonghop::v1::CatalogFiles& files, std::unique_ptr<Catalog>* out) const;

  std::string unit_;
  Outbox* outbox_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<UpdateValidator> validator_;
};

}  // namespace tonghop
