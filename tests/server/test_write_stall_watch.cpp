// WriteStallWatch: the rule both server engines use to close a client that stops reading.
#include <catch2/catch.hpp>

#include "write_stall_watch.h"

using cachelab::server::WriteStallWatch;

TEST_CASE("write stall watch: kLimit checks in a row without progress, not one fewer") {
  static_assert(WriteStallWatch::kLimit == 10);
  WriteStallWatch w;
  w.begin();
  w.mark();
  for (int i = 1; i < WriteStallWatch::kLimit; ++i) CHECK_FALSE(w.stalled());
  CHECK(w.stalled());
}

TEST_CASE("write stall watch: a byte sent between checks starts the count again") {
  WriteStallWatch w;
  w.begin();
  w.mark();
  for (int i = 0; i < WriteStallWatch::kLimit - 1; ++i) CHECK_FALSE(w.stalled());
  w.progressed();
  CHECK_FALSE(w.stalled());  // moved: the count is back to zero
  for (int i = 1; i < WriteStallWatch::kLimit; ++i) CHECK_FALSE(w.stalled());
  CHECK(w.stalled());
}

TEST_CASE("write stall watch: no write pending, no stall, and the count is forgotten") {
  WriteStallWatch w;
  for (int i = 0; i < 2 * WriteStallWatch::kLimit; ++i) CHECK_FALSE(w.stalled());
  w.begin();
  w.mark();
  for (int i = 0; i < WriteStallWatch::kLimit - 1; ++i) CHECK_FALSE(w.stalled());
  w.end();  // that write finished
  CHECK_FALSE(w.stalled());
  CHECK_FALSE(w.writing());
  w.begin();  // the next one starts counting from zero
  for (int i = 1; i < WriteStallWatch::kLimit; ++i) CHECK_FALSE(w.stalled());
  CHECK(w.stalled());
}
