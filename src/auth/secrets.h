// Secrets: password hashing (libsodium Argon2id, salted and deliberately slow), random session ids
// and API tokens (256 bits from the system CSPRNG), and the one-way digests stored in their place.
//
// Passwords are stored as crypto_pwhash_str strings ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), so
// the cost travels with each hash and can be raised later. Session ids and API tokens are already
// 256-bit random values: a fast keyed-free BLAKE2b digest is enough to store them (nothing to
// brute-force), and lookups stay cheap on the network threads.
//
// Thread-safety: all functions may be called from any thread (libsodium is initialised once).
// Errors: Status (kInvalidArgument for a password that breaks the rules, kInternal when libsodium
// fails, e.g. out of memory for the Argon2 work area).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace pw::auth {

// Argon2id work factors. The default is libsodium's "interactive" level (64 MiB, ~0.1-0.5 s per
// hash): fine for a login form, far too slow for guessing. Tests may use Minimal().
struct HashCost {
  unsigned long long ops;
  std::size_t mem_bytes;
  static HashCost Interactive();
  static HashCost Minimal();
};

inline constexpr std::size_t kMinPasswordLength = 10;
inline constexpr std::size_t kMaxPasswordLength = 1024;

// OK when `password` may be used (length 10..1024 bytes); else says what is wrong.
core::Status CheckPasswordRules(std::string_view password);
core::Result<std::string> HashPassword(std::string_view password, const HashCost& cost);
// Constant-time in the password (libsodium); false for a malformed hash.
bool VerifyPassword(std::string_view password, const std::string& hash);
// Burns the same time as a VerifyPassword that fails (for unknown users: no name enumeration).
void DummyVerify(std::string_view password);

// `bytes` random bytes as lowercase hex (64 characters for the default 32 bytes).
std::string RandomHex(std::size_t bytes = 32);
// A readable random password for the first admin (base64url of 18 bytes: 24 characters).
std::string RandomPassword();
// The stored form of a session id or API token: hex BLAKE2b-256.
std::string DigestSecret(std::string_view secret);
// Equal lengths and contents, in time independent of where they differ.
bool SecretsEqual(std::string_view a, std::string_view b);

}  // namespace pw::auth
