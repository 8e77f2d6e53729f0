#include "core/below_completeness.h"

#include <fmt/format.h>

namespace tonghop {

std::string BelowCompleteness::Describe(const std::string& unit) const {
  if (!partial) return "";
  std::string text = fmt::format("{}: {} of {} units", unit, units_reported, units_expected);
  if (!reason.empty()) text += fmt::format(" ({})", reason);
  return text;
}

}  // namespace tonghop
