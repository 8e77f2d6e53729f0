// The strings of the wire: the protocol's limits on the text an update carries (docs/PROTOCOL.md,
// "Input rules and limits") and the one check of them, which collectors apply before a figure
// enters their outbox and the aggregator applies again on receipt.
//
// proto3 refuses to parse a message in which any `string` field is not valid UTF-8, so one bad
// byte stored or sent makes the whole record or frame unreadable: every string that goes into a
// protobuf message from outside (a drop file's cell, a command-line flag) must pass CheckId first.
// Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tonghop {

// Longest id (reporting_unit, indicator, period, node_id) accepted, in bytes; longer ones are
// refused MALFORMED by the aggregator, and never enter a collector's outbox.
inline constexpr size_t kMaxIdLength = 200;
// Longest explanation kept from a sender (IndicatorUpdate.unreadable_reason), in bytes.
inline constexpr size_t kMaxReasonLength = 500;

// Whether `text` is valid UTF-8 exactly as protobuf's parser judges a string field: no overlong
// forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF; U+0000 is valid.
bool IsValidUtf8(std::string_view text);

// Offset of the first byte of `text` that is not part of a valid UTF-8 character (as IsValidUtf8
// judges), or std::string_view::npos when there is none.
size_t FirstInvalidUtf8Byte(std::string_view text);

// OK when `text` may be carried as a string field of at most `max_bytes`; otherwise
// InvalidArgument whose message completes "field 'x' ...": "is not valid UTF-8 (byte 0xfa at
// offset 16); ..." or "is 250 bytes long; at most 200 are accepted". The offending bytes are never
// copied into the message.
Status CheckWireText(std::string_view text, size_t max_bytes);
// CheckWireText for an id: at most kMaxIdLength bytes. Emptiness is the caller's to judge.
inline Status CheckId(std::string_view text) { return CheckWireText(text, kMaxIdLength); }

// `bytes` as valid UTF-8 for messages and logs: every byte that is not part of a valid character
// is written as \xNN (so "l\xfaa" for Latin-1 "lúa"); valid text comes out unchanged.
std::string EscapeInvalidUtf8(std::string_view bytes);

// The longest prefix of valid UTF-8 `text` that has at most `max_bytes` and ends between two
// characters, never inside one.
std::string_view ClipUtf8(std::string_view text, size_t max_bytes);

}  // namespace tonghop
