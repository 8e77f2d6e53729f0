// CURVE key pairs (CurveZMQ, Z85 text) and the files that hold them (docs/SECURITY.md).
//
// `tonghop keygen NAME` writes two files:
//   NAME.key  this node's key pair, mode 0600: whoever reads it can act as the node. A node
//             refuses to start on a key file that its group or others may read or write.
//   NAME.pub  the public key alone, to give to the other end (the aggregator's key registry, or
//             a collector's --curve_server_public_key).
// Both are lines of `name = "value"` (the TOML the --config files use), with '#' comments:
//   public_key = "<40 Z85 characters>"
//   secret_key = "<40 Z85 characters>"      (NAME.key only)
// No function here ever puts a secret key into a Status message; callers must not log one either.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tonghop {

struct CurveKeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters; empty when read from a .pub file
};

// Whether `text` is a Z85-encoded 32-byte key: 40 characters of the Z85 alphabet.
bool IsZ85Key(std::string_view text);

// A fresh key pair from libsodium (through libzmq).
Status GenerateCurveKeyPair(CurveKeyPair* out);

// Writes `prefix`.key (the pair, created with mode 0600) and `prefix`.pub (the public key).
// `name` goes into the files' comments. Refuses to overwrite an existing file: a new key for a
// node is a deliberate rotation (docs/SECURITY.md), not an accident of running keygen twice.
Status WriteCurveKeyFiles(const std::string& prefix, const std::string& name, const CurveKeyPair& pair);

// Parses the text of a key file called `file_name` (for messages). The public key is required;
// a secret key, when present, must be the public key's secret (a mangled file is caught here).
Status ParseCurveKeyFile(const std::string& file_name, std::string_view text, CurveKeyPair* out);

// Reads a node's own key file: it must be owner-only (no permission bits for group or others)
// and hold both keys.
Status ReadCurveSecretKeyFile(const std::string& path, CurveKeyPair* out);

// A peer's public key given on the command line: either the 40 Z85 characters themselves, or the
// path of a .pub (or .key) file holding it.
Status ResolveCurvePublicKey(const std::string& key_or_path, std::string* out);

}  // namespace tonghop
