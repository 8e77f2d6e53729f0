// wire_protocol: the one place where the protobuf messages of the wire are decoded into what the
// nodes work with (after Apache Kudu's wire_protocol). Decoders here never let protobuf write to
// the log: a peer must not be able to fill a node's log, so callers log what they refuse,
// rate-limited (core/log_limiter.h).
//
// Why a decoder rather than ParseFromArray: proto3 refuses to parse a whole message when any of its
// `string` fields holds bytes that are not valid UTF-8. On the ingest link that used to mean a
// batch dropped without an answer; in a collector's outbox, a record no one could send.
// Thread-safe: pure functions.
#pragma once

#include <string_view>

#include <google/protobuf/message.h>

#include "core/status.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

// Decodes one frame of the ingest link, a CollectorMessage (docs/PROTOCOL.md, "Malformed input").
//  - A frame protobuf parses: exactly what protobuf reads.
//  - A frame protobuf refuses only because string fields are not valid UTF-8: decoded anyway, each
//    such string with its invalid bytes written as \xNN (EscapeInvalidUtf8), and each update
//    concerned marked with unreadable_reason naming the field and the seq: "field 'indicator' of
//    seq 7 is not valid UTF-8" for a string of that update, "field 'node_id' of the batch is not
//    valid UTF-8" on every update for one of the batch itself. The aggregator refuses those
//    updates MALFORMED (final, recorded) and handles the others of the batch as usual.
//  - Anything else (not protobuf wire format, e.g. truncated): InvalidArgument saying so, and
//    `message` is cleared, since no seq in it can be trusted.
Status DecodeCollectorMessage(std::string_view frame, tonghop::v1::CollectorMessage* message);

// Parses `bytes` into `message` as protobuf does, without letting it write a line to the log for
// a string that is not UTF-8 (a line per message a peer sends). False when protobuf refuses them.
bool ParseQuietly(std::string_view bytes, google::protobuf::MessageLite* message);

// Parses `bytes` into `message`. When protobuf refuses them: InvalidArgument naming the first field
// at fault by its path from `message`'s type ("field 'submit.figures[1].indicator' is not valid
// UTF-8"), or saying that the bytes are not protobuf wire format at all; `message` is then cleared.
Status ParseWireMessage(std::string_view bytes, google::protobuf::Message* message);

}  // namespace tonghop
