// Meta commands: mg ms md ma mn me.
#include "handlers.h"

namespace cachelab::protocol::detail {

Outcome handle_meta_get(Call& call) { call.out.line(reply::kError); return Outcome::kContinue; }
Outcome handle_meta_set(Call& call) { call.out.line(reply::kError); return Outcome::kContinue; }
Outcome handle_meta_delete(Call& call) { call.out.line(reply::kError); return Outcome::kContinue; }
Outcome handle_meta_arith(Call& call) { call.out.line(reply::kError); return Outcome::kContinue; }
Outcome handle_meta_noop(Call& call) { call.out.line("MN"); return Outcome::kContinue; }
Outcome handle_meta_debug(Call& call) { call.out.line(reply::kError); return Outcome::kContinue; }

}  // namespace cachelab::protocol::detail
