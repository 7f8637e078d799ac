// cachelab serve: run a memcached-compatible server. Glue only: flags -> ServerOptions -> run.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "cachelab/policy_registry.h"
#include "cachelab/protocol/binary.h"
#include "cachelab/server/server.h"
#include "cachelab/server/suboptions.h"
#include "cachelab/module_loader.h"
#include "command.h"
#include "options.h"
#include "version.h"

namespace cachelab::cli {
namespace {

// "1048576", "512k", "1m", "1g" (powers of 1024, as memcached's -I).
bool parse_size(const std::string& text, std::uint64_t* out) {
  if (text.empty()) return false;
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15) return false;
  std::uint64_t value = std::stoull(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  if (unit == "k" || unit == "K") value <<= 10;
  else if (unit == "m" || unit == "M") value <<= 20;
  else if (unit == "g" || unit == "G") value <<= 30;
  else if (!unit.empty()) return false;
  *out = value;
  return true;
}

// -v / -vv / -vvv are counted here: Program_options cannot count a repeated short flag.
int take_verbosity(std::vector<char*>& args) {
  int level = 0;
  std::vector<char*> rest;
  for (char* a : args) {
    const std::string s = a;
    if (s.size() >= 2 && s[0] == '-' && s.find_first_not_of('v', 1) == std::string::npos) {
      level += static_cast<int>(s.size() - 1);
    } else if (s == "--verbose") {
      ++level;
    } else {
      rest.push_back(a);
    }
  }
  args = rest;
  return level > 2 ? 2 : level;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "cachelab serve: %s (see --help)\n", message.c_str());
  return kExitUsage;
}

int run_serve(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  const int verbose = take_verbosity(args);

  server::ServerOptions o;
  auto& s = o.settings;
  std::string memory = "64";
  std::string item_size = "1m";
  int udp_port = 0;
  std::vector<std::string> policy_args;
  std::string policy_module, trace_out;
  double trace_sample = 1.0;
  std::size_t trace_queue = 1 << 16;
  bool no_evictions = false, no_cas = false, allow_shutdown = false, no_flush = false;
  std::string ignored_user, binding;  // -B; empty: not given
  bool enable_sasl = false;
  std::vector<std::string> extended_opts;  // -o may be repeated
  int ignored_requests = -1;  // -1: not given
  bool ignored_daemon = false;

  po::options_description opts("options (memcached's names)");
  opts.add_options()("port,p", po::value(&s.port)->default_value(11211), "TCP port")(
      "listen,l", po::value(&s.interface)->default_value("127.0.0.1"),
      "interface(s) to listen on: a comma list of HOST[:PORT]; with -Z, notls:HOST:PORT is plain")(
      "unix-socket,s", po::value(&s.unix_socket), "listen on this unix socket instead of TCP")(
      "memory-limit,m", po::value(&memory)->default_value("64"),
      "memory for items in MiB (or with a k/m/g suffix)")(
      "conn-limit,c", po::value(&s.max_connections)->default_value(1024), "max simultaneous connections")(
      "threads,t", po::value(&s.threads)->default_value(4), "worker threads")(
      "max-item-size,I", po::value(&item_size)->default_value("1m"), "largest value (k/m/g suffixes)")(
      "disable-evictions,M", po::bool_switch(&no_evictions), "refuse stores when full instead of evicting")(
      "udp-port,U", po::value(&udp_port)->default_value(0), "UDP port (only 0: no UDP)")(
      "disable-cas,C", po::bool_switch(&no_cas), "no CAS values")(
      "enable-shutdown,A", po::bool_switch(&allow_shutdown), "allow the shutdown command")(
      "enable-ssl,Z", po::bool_switch(&s.tls.enabled),
      "TLS on every listener but notls: ones (-o ssl_chain_cert=,ssl_key=,ssl_ca_cert=,...)")(
      "disable-flush-all,F", po::bool_switch(&no_flush), "refuse flush_all")(
      ",v", "verbose (-vv: every command)")("policy", po::value(&o.policy)->default_value("lru"),
                                            "eviction policy (see cachelab policies)")(
      "policy-module", po::value(&policy_module), "eviction policy from a shared object")(
      "policy-arg", po::value(&policy_args)->composing(), "policy argument K=V (repeatable)")(
      "snapshot", po::value(&o.snapshot_path),
      "warm restart file: loaded at start, written on SIGTERM/SIGINT")("trace-out", po::value(&trace_out),
                                                                       "record traffic as a csv trace")(
      "trace-sample", po::value(&trace_sample)->default_value(1.0), "fraction of keys to record (by key hash)")(
      "trace-queue", po::value(&trace_queue)->default_value(1 << 16),
      "records held for the trace writer; beyond it they are dropped (stats: trace_dropped)")(
      "io-engine", po::value(&o.io_engine)->default_value("auto"),
      "how to wait on sockets: auto (io_uring if the kernel allows it, else epoll), uring, epoll")(
      ",u", po::value(&ignored_user), "memcached's user (ignored)")(
      "auth-file,Y", po::value(&s.auth_file),
      "memcached's ASCII authentication: a file of user:password lines; clients must log in (SIGHUP re-reads it)")(
      "extended,o", po::value(&extended_opts)->composing(),
      "memcached's extended options name[=value],... (idle_timeout, ssl_*; the others are named in a warning)")(
      "protocol,B", po::value(&binding),
      "protocol: auto (per connection, by its first byte), ascii (text only) or binary")(
      "enable-sasl,S", po::bool_switch(&enable_sasl),
      "binary connections must authenticate with SASL (Cyrus, as memcached); text is refused")(
      ",R", po::value(&ignored_requests), "memcached's requests per event (ignored)")(
      ",d", po::bool_switch(&ignored_daemon), "memcached's daemon mode (ignored: stays in the foreground)");
  po::positional_options_description positional;
  po::variables_map vm;
  if (auto rc = parse_options(static_cast<int>(args.size()), args.data(), "cachelab serve [options]", opts,
                              positional, vm))
    return *rc;

  if (udp_port != 0) return usage_error("UDP is not supported: only -U 0 is accepted");
  // Like memcached, a plain number is MiB ("64"); "64m", "1g", "512k" name the unit.
  std::uint64_t memory_bytes = 0;
  const bool plain = !memory.empty() && memory.find_first_not_of("0123456789") == std::string::npos;
  if (!parse_size(memory, &memory_bytes))
    return usage_error("-m must be a size such as 64 (MiB), 512m or 2g");
  if (plain) memory_bytes <<= 20;
  if (memory_bytes < (1u << 20)) return usage_error("-m must be at least 1 MiB");
  if (s.threads < 1 || s.threads > 256) return usage_error("-t must be between 1 and 256");
  if (s.max_connections < 1) return usage_error("-c must be at least 1");
  if (s.port < 0 || s.port > 65535) return usage_error("-p must be a port number");
  if (!parse_size(item_size, &o.store.max_item_size) || o.store.max_item_size < 1024 ||
      o.store.max_item_size > Item::kMaxValueLen + 1)
    return usage_error("-I must be a size between 1k and 512m, such as 512k or 1m");
  if (trace_sample <= 0 || trace_sample > 1) return usage_error("--trace-sample must be in (0, 1]");
  for (const std::string& kv : policy_args) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return usage_error("--policy-arg wants K=V, got '" + kv + "'");
    o.policy_args[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  o.policy_module = policy_module;
  if (trace_queue < 16 || trace_queue > (1u << 24)) return usage_error("--trace-queue must be between 16 and 16777216 records");
  if (o.io_engine != "auto" && o.io_engine != "uring" && o.io_engine != "epoll")
    return usage_error("--io-engine must be auto, uring or epoll");
  o.trace_path = trace_out;
  o.trace_sample = trace_sample;
  o.trace_queue_records = trace_queue;
  server::SuboptionReport suboptions;
  for (const std::string& list : extended_opts) {
    if (!server::apply_suboptions(list, s, suboptions)) return usage_error(suboptions.error);
  }
  std::string ignored;
  if (!ignored_user.empty()) ignored += " -u";
  for (const std::string& name : suboptions.no_effect) ignored += " -o " + name;
  if (ignored_requests >= 0) ignored += " -R";
  if (ignored_daemon) ignored += " -d";
  if (!ignored.empty())
    std::fprintf(stderr, "cachelab serve: warning: ignoring memcached flags that do not apply here:%s\n",
                 ignored.c_str());

  o.store.capacity = memory_bytes;
  o.store.overhead_bytes = kItemOverheadBytes;
  o.store.evictions_enabled = !no_evictions;
  o.store.store_values = true;
  o.verbose = verbose;
  s.cas_enabled = !no_cas;
  s.allow_shutdown = allow_shutdown;
  s.flush_enabled = !no_flush;
  // The version line is a plain memcached version, so that clients that parse it (Node's
  // `memcached` takes the last x.y.z) see the memcached release whose behaviour this follows;
  // cachelab's own version is in `stats` (cachelab_version) and `cachelab --version`.
  s.version = "1.6.18";
  s.cachelab_version = kVersion;
  if (binding.empty() || binding == "auto") s.binding = protocol::Binding::kAuto;
  else if (binding == "ascii") s.binding = protocol::Binding::kAscii;
  else if (binding == "binary") s.binding = protocol::Binding::kBinary;
  else return usage_error("-B must be auto, ascii or binary");
  if (enable_sasl) {
    // memcached: SASL is offered only over the binary protocol, so -S implies it.
    if (binding.empty()) s.binding = protocol::Binding::kBinary;
    else if (s.binding != protocol::Binding::kBinary)
      return usage_error("You cannot allow the ASCII protocol while using SASL.");
    std::string why;
    if (!protocol::binary::sasl_init(verbose, &why)) {
      // As memcached: no memcached.conf found ($SASL_CONF_PATH, /etc/sasl, /etc/sasl2) fails here.
      std::fprintf(stderr, "cachelab serve: -S: %s\n", why.c_str());
      return kExitFailure;
    }
    s.sasl = true;
  }
  if (!s.auth_file.empty()) {
    // memcached: -Y's tokens are a text-protocol feature; binary is refused with them.
    if (binding.empty()) s.binding = protocol::Binding::kAscii;
    else if (s.binding != protocol::Binding::kAscii)
      return usage_error("You cannot allow the BINARY protocol while using ascii authentication tokens.");
  }
  try {
    return server::run_server(o);
  } catch (const server::StartupError& e) {  // a file it cannot use (TLS, -Y): one line, exit 2
    std::fprintf(stderr, "cachelab serve: %s\n", e.what());
    return kExitUsage;
  } catch (const PolicyModuleError& e) {
    std::fprintf(stderr, "cachelab serve: %s\n", e.what());
    return kExitUsage;
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cachelab serve: %s\n", e.what());
    return kExitFailure;
  }
}

}  // namespace
CACHELAB_REGISTER_COMMAND(serve, "serve", "run a memcached-compatible server", run_serve);
}  // namespace cachelab::cli
