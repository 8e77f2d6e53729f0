#include "core/wire_text.h"

#include <algorithm>

#include <fmt/format.h>
#include <utf8proc.h>

namespace tonghop {
namespace {

bool IsAscii(char c) { return static_cast<unsigned char>(c) < 0x80; }

// Length of the valid UTF-8 character non-empty `text` starts with, or 0 when it starts with a
// byte that begins none. utf8proc_iterate refuses overlong forms, surrogates and values above
// U+10FFFF, as protobuf's parser does (core/wire_text_test.cc checks the two agree).
size_t CharLength(std::string_view text) {
  if (IsAscii(text[0])) return 1;
  utf8proc_int32_t codepoint = 0;
  utf8proc_ssize_t length = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                             static_cast<utf8proc_ssize_t>(std::min<size_t>(text.size(), 4)), &codepoint);
  return length > 0 ? static_cast<size_t>(length) : 0;
}

}  // namespace

size_t FirstInvalidUtf8Byte(std::string_view text) {
  size_t at = 0;
  while (at < text.size()) {
    // Ids are mostly ASCII: every update's ids pass here on the aggregator's hot path.
    if (IsAscii(text[at])) {
      ++at;
      continue;
    }
    const size_t length = CharLength(text.substr(at));
    if (length == 0) return at;
    at += length;
  }
  return std::string_view::npos;
}

bool IsValidUtf8(std::string_view text) { return FirstInvalidUtf8Byte(text) == std::string_view::npos; }

Status CheckWireText(std::string_view text, size_t max_bytes) {
  if (size_t bad = FirstInvalidUtf8Byte(text); bad != std::string_view::npos) {
    return Status::InvalidArgument(
        fmt::format("is not valid UTF-8 (byte 0x{:02x} at offset {})", static_cast<unsigned char>(text[bad]), bad));
  }
  if (text.size() > max_bytes) {
    return Status::InvalidArgument(fmt::format("is {} bytes long; at most {} are accepted", text.size(), max_bytes));
  }
  return Status::OK();
}

std::string EscapeInvalidUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t at = 0;
  while (at < bytes.size()) {
    const size_t length = CharLength(bytes.substr(at));
    if (length == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(bytes[at]));
      ++at;
    } else {
      out.append(bytes.substr(at, length));
      at += length;
    }
  }
  return out;
}

std::string_view ClipUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Back to the first byte of the character that would be cut: continuation bytes are 10xxxxxx.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace tonghop
