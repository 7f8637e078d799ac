// A two-segment LRU (probation and protected) as a cachelab policy module, in C++.
//
// New items enter probation; a hit there promotes the item to protected; when protected is over
// its share, its least recent item goes back to probation. Victims come from probation first.
// The protected share is a policy argument: --policy-arg protected=0.8 (the default).
// Only C crosses the ABI: the C++ lives behind the opaque cachelab_policy handle.
#include <cachelab/policy_module.h>

#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

namespace {

const cachelab_host_api* host = nullptr;

class Segment {
 public:
  cachelab_item* head = nullptr;  // least recent
  cachelab_item* tail = nullptr;
  std::uint64_t used = 0;

  void push_back(cachelab_item* it, std::uint64_t charge) {
    host->set_link(it, 0, tail);
    host->set_link(it, 1, nullptr);
    if (tail) host->set_link(tail, 1, it); else head = it;
    tail = it;
    used += charge;
  }
  void erase(cachelab_item* it, std::uint64_t charge) {
    cachelab_item* prev = host->get_link(it, 0);
    cachelab_item* next = host->get_link(it, 1);
    if (prev) host->set_link(prev, 1, next); else head = next;
    if (next) host->set_link(next, 0, prev); else tail = prev;
    used -= charge;
  }
};

constexpr std::uint32_t kProbation = 0, kProtected = 1;

}  // namespace

struct cachelab_policy {
  Segment segments[2];
  std::uint64_t protected_capacity;
  bool count_objects;

  std::uint64_t charge(const cachelab_item* it) const { return count_objects ? 1 : host->item_size(it); }
  Segment& of(const cachelab_item* it) { return segments[host->get_bits(it)]; }
  void put(cachelab_item* it, std::uint32_t where) {
    host->set_bits(it, where);
    segments[where].push_back(it, charge(it));
  }
};

namespace {

cachelab_policy* create(const cachelab_host_api*, const cachelab_policy_config* config, const cachelab_policy_arg* args,
                        std::size_t n, char* error, std::size_t size) {
  double share = 0.8;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string key = args[i].key;
    if (key != "protected") {
      std::snprintf(error, size, "unknown argument '%s' (slru-cpp takes protected=FRACTION)", args[i].key);
      return nullptr;
    }
    char* end = nullptr;
    share = std::strtod(args[i].value, &end);
    if (end == args[i].value || *end != '\0' || !(share > 0 && share < 1)) {
      std::snprintf(error, size, "protected=%s is not a fraction in (0, 1)", args[i].value);
      return nullptr;
    }
  }
  auto* p = new (std::nothrow) cachelab_policy{};
  if (!p) return nullptr;
  p->protected_capacity = static_cast<std::uint64_t>(static_cast<double>(config->capacity) * share);
  p->count_objects = config->count_objects != 0;
  return p;
}

void destroy(cachelab_policy* p) { delete p; }

void on_insert(cachelab_policy* p, cachelab_item* it, std::uint64_t) { p->put(it, kProbation); }

void on_hit(cachelab_policy* p, cachelab_item* it, std::uint64_t) {
  p->of(it).erase(it, p->charge(it));
  p->put(it, kProtected);
  Segment& prot = p->segments[kProtected];
  while (prot.used > p->protected_capacity && prot.head != it) {
    cachelab_item* demoted = prot.head;
    prot.erase(demoted, p->charge(demoted));
    p->put(demoted, kProbation);
  }
}

void on_update(cachelab_policy* p, cachelab_item* old, cachelab_item* repl, std::uint64_t) {
  const std::uint32_t where = host->get_bits(old);
  p->of(old).erase(old, p->charge(old));
  p->put(repl, where);
}

void on_remove(cachelab_policy* p, cachelab_item* it) { p->of(it).erase(it, p->charge(it)); }

cachelab_item* victim(cachelab_policy* p) {
  return p->segments[kProbation].head ? p->segments[kProbation].head : p->segments[kProtected].head;
}

void stats(cachelab_policy* p, char* buffer, std::size_t size) {
  std::snprintf(buffer, size, "probation_bytes %llu\nprotected_bytes %llu\n",
                static_cast<unsigned long long>(p->segments[kProbation].used),
                static_cast<unsigned long long>(p->segments[kProtected].used));
}

const cachelab_policy_module table = {
    CACHELAB_POLICY_ABI_VERSION, sizeof(cachelab_policy_module), "slru-cpp", create, destroy, on_insert,
    on_hit, on_update, on_remove, victim, stats, nullptr,
};

}  // namespace

CACHELAB_MODULE_EXPORT const cachelab_policy_module* cachelab_policy_module_init(const cachelab_host_api* h) {
  if (h->abi_version < 1) return nullptr;
  host = h;
  return &table;
}
