#include "mock_twilio/domain/webhooks.hpp"

#include <algorithm>

#include "common/crypto.hpp"

namespace mock::twilio {

std::string idempotency_token(std::string_view event_key) {
  std::string h = common::sha256_hex(event_key).substr(0, 32);
  h[12] = '4';                                            // version 4 shape
  h[16] = "89ab"[static_cast<unsigned char>(h[16]) % 4];  // RFC 4122 variant
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

std::string twilio_signature(const std::string& auth_token, const std::string& url,
                             const Params& params) {
  // twilio-node's getExpectedTwilioSignature: names sorted, each name's values deduplicated
  // and sorted, then name+value concatenated onto the URL.
  Params sorted = params;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string data = url;
  for (const auto& [name, value] : sorted) {
    data += name;
    data += value;
  }
  return common::base64_encode(common::hmac_sha1(auth_token, data));
}

}  // namespace mock::twilio
