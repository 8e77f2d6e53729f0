// RejectionFile: <drop_dir>/rejected.csv, where a district officer finds, next to the files they
// dropped, every figure the aggregator refused for good and why, so they can fix and resubmit it.
// One row per rejected update, appended as rejections arrive:
//   seq,indicator,period,value,reason,text,rejected_at
// (header written when the file is new; reason without its REJECT_REASON_ prefix; rejected_at in
// ISO 8601 local time with its offset). In Vietnamese, text says first in words why, then what
// the aggregator said: "mã chỉ tiêu không có trong danh mục; ... (máy chủ tổng hợp: field
// 'indicator': unknown indicator 'agri.x' ...)"; in English it is the aggregator's text. The
// outbox's "rejected" column family is the durable record; this file is the human-readable copy.
#pragma once

#include <string>
#include <vector>

#include "core/messages.h"
#include "core/status.h"
#include "tonghop/storage/v1/storage.pb.h"

namespace tonghop {

class RejectionFile {
 public:
  explicit RejectionFile(std::string path, Language language = Language::kEnglish)
      : path_(std::move(path)), language_(language) {}

  // Appends one row per record and flushes them to disk.
  Status Append(const std::vector<tonghop::storage::v1::RejectedUpdate>& records) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  Language language_;
};

}  // namespace tonghop
