// Base64 both ways: RFC 4648's test vectors, and every short byte string round-trips.
#include <catch2/catch.hpp>

#include "cachelab/protocol/base64.h"

using namespace cachelab::protocol;

TEST_CASE("base64: RFC 4648 vectors, and encode then decode gives the bytes back", "[protocol][base64]") {
  const char* vectors[][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},       {"foo", "Zm9v"},
                              {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& v : vectors) CHECK(base64_encode(v[0]) == v[1]);
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    const auto back = base64_decode(base64_encode(bytes));
    if (!bytes.empty()) {  // the decoder refuses the empty text
      REQUIRE(back);
      CHECK(*back == bytes);
    }
    bytes.push_back(static_cast<char>(i * 37));
  }
}
