// Data value sets: the file format of `tonghop export` and `tonghop import`, modelled on DHIS2's
// dataValueSets (docs/DATA-MODEL.md, "Import and export"). One data value is one unit's figure
// for one indicator and period:
//   JSON  {"dataValues": [{"dataElement": "agri.herd.pigs", "period": "2016-Q1",
//                          "orgUnit": "cao-loc", "value": "31.2", "storedBy": "...",
//                          "lastUpdated": "2016-04-05T00:00:00Z", "comment": "..."}]}
//   CSV   dataelement,period,orgunit,value[,storedby,lastupdated,comment]   (header required;
//         cells separated by ',' or ';', as core/csv.h reads them: with ';' the decimal point is ',')
// Periods are tonghop's forms (2016-Q1, 2016-01) or DHIS2's (2016Q1, 201601, 2016S1, 2016).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "tonghop/v1/query.pb.h"

namespace tonghop::cli {

struct DataValue {
  std::string data_element;  // indicator id
  std::string period;        // tonghop form
  std::string org_unit;      // reporting unit code
  std::string value;         // exact decimal text
  bool decimal_comma = false;  // read from a CSV file separated by ';', where ',' is the decimal point
  std::string stored_by;
  std::string last_updated;  // ISO 8601 UTC, "" when unknown
  std::string comment;
  unsigned line = 0;         // where it was read (CSV line, or JSON position from 1)
};

// Reads a data value set from `text`; `name` (the file's) goes into messages. JSON when the text
// starts with '{', CSV otherwise. InvalidArgument naming the line or position and the field.
Status ParseDataValueSet(const std::string& name, const std::string& text, std::vector<DataValue>* out);

// "2016Q1" -> "2016-Q1", "201601" -> "2016-01", "2016S2" -> "2016-H2"; tonghop forms unchanged.
std::string NormalizePeriod(const std::string& period);

// A data value set written a figure at a time, for exports too large to hold in memory: Begin(),
// then Add() for each figure, then End(); together the text WriteDataValueSet makes.
class DataValueSetWriter {
 public:
  // "json" or "csv".
  explicit DataValueSetWriter(std::string format) : format_(std::move(format)) {}
  std::string Begin() const;
  std::string Add(const tonghop::v1::UnitFigure& figure);
  std::string End() const;

 private:
  std::string format_;
  bool any_ = false;
};

// The unit figures of a ValuesReply as a data value set, in "json" or "csv".
std::string WriteDataValueSet(const tonghop::v1::ValuesReply& values, const std::string& format);

}  // namespace tonghop::cli
