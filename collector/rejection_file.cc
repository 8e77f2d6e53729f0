#include "collector/rejection_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/csv.h"
#include "core/wire_protocol.h"

namespace tonghop {
namespace {

constexpr char kHeader[] = "seq,indicator,period,value,reason,text,rejected_at\n";

std::string ReasonName(tonghop::v1::RejectReason reason) {
  std::string name = tonghop::v1::RejectReason_Name(reason);
  constexpr std::string_view kPrefix = "REJECT_REASON_";
  if (name.starts_with(kPrefix)) name.erase(0, kPrefix.size());
  return name.empty() ? fmt::format("{}", static_cast<int>(reason)) : name;
}

// The reason in words, in `language`; "" for one that needs none (not final, or unknown).
std::string Explanation(tonghop::v1::RejectReason reason, Language language) {
  using tonghop::v1::RejectReason;
  switch (reason) {
    case RejectReason::REJECT_REASON_MALFORMED: return Text(language, Msg::kReasonMalformed);
    case RejectReason::REJECT_REASON_UNKNOWN_REPORTING_UNIT: return Text(language, Msg::kReasonUnknownUnit);
    case RejectReason::REJECT_REASON_UNKNOWN_INDICATOR: return Text(language, Msg::kReasonUnknownIndicator);
    case RejectReason::REJECT_REASON_UNIT_NOT_EXPECTED: return Text(language, Msg::kReasonUnitNotExpected);
    case RejectReason::REJECT_REASON_INVALID_PERIOD: return Text(language, Msg::kReasonInvalidPeriod);
    case RejectReason::REJECT_REASON_INVALID_VALUE: return Text(language, Msg::kReasonInvalidValue);
    case RejectReason::REJECT_REASON_PERIOD_TYPE_NOT_ACCEPTED: return Text(language, Msg::kReasonPeriodType);
    case RejectReason::REJECT_REASON_NEGATIVE_VALUE: return Text(language, Msg::kReasonNegative);
    default: return "";
  }
}

}  // namespace

Status RejectionFile::Append(const std::vector<tonghop::storage::v1::RejectedUpdate>& records) const {
  if (records.empty()) return Status::OK();
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IOError(fmt::format("cannot open {}: {}", path_, std::strerror(errno)));
  }
  std::string text;
  if (::lseek(fd, 0, SEEK_END) == 0) text = kHeader;
  for (const auto& r : records) {
    const auto& u = r.update();
    const std::string explanation = language_ == Language::kEnglish ? "" : Explanation(r.reason(), language_);
    const std::string why = explanation.empty() ? r.text() : Text(language_, Msg::kRejectedBecause, explanation, r.text());
    text += fmt::format("{},{},{},{},{},{},{}\n", u.seq(), CsvEscape(u.indicator()),
                        CsvEscape(u.period()),
                        // A placeholder for an unreadable record has no figure to show.
                        u.unreadable_reason().empty() ? CsvEscape(ValueText(u)) : "", ReasonName(r.reason()),
                        CsvEscape(why), LocalIsoTime(r.rejected_at_ms()));
  }
  Status status;
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = Status::IOError(fmt::format("cannot write {}: {}", path_, std::strerror(errno)));
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (status.ok() && ::fsync(fd) != 0) {
    status = Status::IOError(fmt::format("cannot sync {}: {}", path_, std::strerror(errno)));
  }
  ::close(fd);
  return status;
}

}  // namespace tonghop
