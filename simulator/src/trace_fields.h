#pragma once
// Field conversions shared by the text trace readers (csv and twitter).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cachelab/sim/request.h"
#include "line_reader.h"

namespace cachelab::sim {

// Operation names as traces spell them (case-insensitive): get/gets/read → read;
// set/add/replace/cas/append/prepend/incr/decr/write/update → write; delete/del → delete.
std::optional<RequestOp> parse_op_name(std::string_view name);

// A key field: a decimal id is used as is (libCacheSim's numeric ids), anything else is hashed.
std::uint64_t key_id(std::string_view field);

// The text of a key field: spaces trimmed; a csv-quoted field ("a,b", "say ""hi""") unquoted,
// using `scratch` when a doubled quote must be undone.
std::string_view key_text(std::string_view field, std::string& scratch);

// A time field (integer or decimal) in the trace's unit, converted to ms. Fails the line if bad.
std::uint64_t time_field_ms(const LineReader& lines, std::string_view field, double unit_ms);

}  // namespace cachelab::sim
