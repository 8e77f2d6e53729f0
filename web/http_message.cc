#include "web/http_message.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tonghop::web {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

// Decodes %XX (and '+' as a space in a query part); `what` names the part for messages.
Status Decode(std::string_view text, bool query_part, std::string_view what, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      const int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return Status::InvalidArgument(fmt::format("{}: '%' must be followed by two hexadecimal digits", what));
      }
      out->push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (query_part && text[i] == '+') {
      out->push_back(' ');
    } else {
      out->push_back(text[i]);
    }
  }
  if (out->find('\0') != std::string::npos) return Status::InvalidArgument(fmt::format("{}: holds a NUL byte", what));
  if (!IsUtf8(*out)) return Status::InvalidArgument(fmt::format("{}: is not UTF-8 text", what));
  return Status::OK();
}

}  // namespace

HttpResponse HttpResponse::Error(int status, std::string_view message) {
  nlohmann::ordered_json body = {{"error", {{"status", status}, {"message", message}}}};
  return HttpResponse{status, "application/json",
                      body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace), {}};
}

Status ParseTarget(std::string_view target, std::string* path, std::map<std::string, std::string>* query) {
  query->clear();
  const size_t question = target.find('?');
  TONGHOP_RETURN_IF_ERROR(Decode(target.substr(0, question), false, "the path", path));
  if (path->empty() || path->front() != '/') return Status::InvalidArgument("the path must start with '/'");
  if (question == std::string_view::npos) return Status::OK();
  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t equals = pair.find('=');
    std::string name, value;
    TONGHOP_RETURN_IF_ERROR(Decode(pair.substr(0, equals), true, "a parameter name", &name));
    if (equals != std::string_view::npos) {
      TONGHOP_RETURN_IF_ERROR(Decode(pair.substr(equals + 1), true, fmt::format("parameter '{}'", name), &value));
    }
    if (!query->emplace(name, std::move(value)).second) {
      return Status::InvalidArgument(fmt::format("parameter '{}' is given twice", name));
    }
  }
  return Status::OK();
}

}  // namespace tonghop::web
