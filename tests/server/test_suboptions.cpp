// -o as memcached 1.6.18 reads it: applied, accepted without effect, or refused with its words.
#include <catch2/catch.hpp>

#include "cachelab/server/suboptions.h"

using cachelab::protocol::ServerSettings;
using cachelab::server::apply_suboptions;
using cachelab::server::SuboptionReport;

TEST_CASE("suboptions: applied and without effect", "[server][suboptions]") {
  ServerSettings s;
  SuboptionReport r;
  REQUIRE(apply_suboptions("idle_timeout=30,ssl_chain_cert=/c.pem,ssl_key=/k.pem,ssl_verify_mode=2", s, r));
  REQUIRE(apply_suboptions("ssl_min_version=3,ssl_wbuf_size=32,ssl_session_cache,hashpower=20,modern,,hashpower=3", s, r));
  CHECK(s.idle_timeout == 30);
  CHECK(s.tls.chain_cert == "/c.pem");
  CHECK(s.tls.key == "/k.pem");
  CHECK(s.tls.verify_mode == 2);
  CHECK(s.tls.min_version == 3);
  CHECK(s.tls.wbuf_size == 32 * 1024);
  CHECK(s.tls.session_cache);
  CHECK_FALSE(s.tls.kernel_tls);
  CHECK(r.no_effect == std::vector<std::string>{"hashpower", "modern"});
  CHECK(r.error.empty());
}

TEST_CASE("suboptions: refused with memcached's words", "[server][suboptions]") {
  auto refusal = [](const char* list) {
    ServerSettings s;
    SuboptionReport r;
    CHECK_FALSE(apply_suboptions(list, s, r));
    return r.error;
  };
  CHECK(refusal("bogus=1") == "Illegal suboption \"bogus=1\"");
  CHECK(refusal("idle_timeout=5,bogus2") == "Illegal suboption \"bogus2\"");
  CHECK(refusal("proxy_config=x") == "Illegal suboption \"proxy_config=x\"");  // not in Debian's build
  CHECK(refusal("idle_timeout") == "Missing numeric argument for idle_timeout");
  CHECK(refusal("idle_timeout=-1") == "could not parse argument to idle_timeout");
  CHECK(refusal("ssl_verify_mode=7") == "Invalid ssl_verify_mode. Use help to see valid options.");
  CHECK(refusal("ssl_verify_mode=x") == "could not parse argument to ssl_verify_mode");
  CHECK(refusal("ssl_chain_cert") == "Missing ssl_chain_cert argument");
  CHECK(refusal("ssl_min_version=4") == "Invalid ssl_min_version. Use help to see valid options.");
}
