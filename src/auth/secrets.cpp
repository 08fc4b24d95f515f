#include "auth/secrets.h"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

namespace pw::auth {
namespace {

void InitSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
  });
}

std::string Hex(const unsigned char* data, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

}  // namespace

HashCost HashCost::Interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

HashCost HashCost::Minimal() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

core::Status CheckPasswordRules(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return core::Status::InvalidArgument("the password is too short: use at least " +
                                         std::to_string(kMinPasswordLength) + " characters")
        .WithField("password");
  }
  if (password.size() > kMaxPasswordLength) {
    return core::Status::InvalidArgument("the password is too long: use at most " +
                                         std::to_string(kMaxPasswordLength) + " characters")
        .WithField("password");
  }
  return core::Status::Ok();
}

core::Result<std::string> HashPassword(std::string_view password, const HashCost& cost) {
  PW_RETURN_IF_ERROR(CheckPasswordRules(password));
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), cost.ops, cost.mem_bytes) != 0) {
    return core::Status::Internal("password hashing failed (not enough memory for Argon2?)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  InitSodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void DummyVerify(std::string_view password) {
  static const std::string hash = [] {
    auto h = HashPassword(RandomHex(16), HashCost::Interactive());
    return h.ok() ? *h : std::string();
  }();
  (void)VerifyPassword(password, hash);
}

std::string RandomHex(std::size_t bytes) {
  InitSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out = Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  sodium_memzero(raw.data(), raw.size());
  return out;
}

std::string RandomPassword() {
  InitSodium();
  unsigned char raw[18];
  randombytes_buf(raw, sizeof raw);
  char out[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  return out;
}

std::string DigestSecret(std::string_view secret) {
  InitSodium();
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size(), nullptr, 0);
  return Hex(digest, sizeof digest);
}

bool SecretsEqual(std::string_view a, std::string_view b) {
  InitSodium();
  if (a.size() != b.size()) return false;
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace pw::auth
