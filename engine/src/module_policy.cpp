// Policy modules: dlopen, checks, and the adapter that makes a module a policy like any
// built-in (StoreImpl<ModulePolicy>), so the server and the simulator cannot tell the difference.
#include <dlfcn.h>
#include <sys/stat.h>

#include <cstddef>
#include <map>
#include <sstream>
#include <mutex>
#include <vector>

#include "cachelab/module_loader.h"
#include "cachelab/policy_module.h"
#include "store_impl.h"

namespace cachelab {
namespace {

// The host side of the ABI: items are cachelab::Item, seen by the module as opaque handles.
Item* item_of(cachelab_item* it) { return reinterpret_cast<Item*>(it); }
const Item* item_of(const cachelab_item* it) { return reinterpret_cast<const Item*>(it); }
cachelab_item* handle_of(Item* it) { return reinterpret_cast<cachelab_item*>(it); }

// The time of the request being served on this thread: one instance is never called from two
// threads at once, and a victim is chosen while serving the request that needs the room.
thread_local std::uint64_t current_now = 0;

const cachelab_host_api kHostApi = {
    CACHELAB_POLICY_ABI_VERSION,
    sizeof(cachelab_host_api),
    [](const cachelab_item* it) -> std::uint64_t { return item_of(it)->value_len; },
    [](const cachelab_item* it) -> std::uint64_t { return item_of(it)->exptime; },
    [](const cachelab_item* it, std::size_t* length) -> const char* {
      *length = item_of(it)->key_len;
      return item_of(it)->key_data();
    },
    [](const cachelab_item* it, int index) -> cachelab_item* {
      return handle_of(index == 0 ? item_of(it)->prev : item_of(it)->next);
    },
    [](cachelab_item* it, int index, cachelab_item* value) {
      (index == 0 ? item_of(it)->prev : item_of(it)->next) = item_of(value);
    },
    [](const cachelab_item* it) -> std::uint32_t {
      return item_of(it)->policy_u16 | (static_cast<std::uint32_t>(item_of(it)->policy_u8) << 16);
    },
    [](cachelab_item* it, std::uint32_t bits) {
      item_of(it)->policy_u16 = static_cast<std::uint16_t>(bits);
      item_of(it)->policy_u8 = static_cast<std::uint8_t>(bits >> 16);
    },
    []() -> std::uint64_t { return current_now; },
};

// The fields a module table must have for this host: everything up to `victim`.
constexpr std::size_t kMinimumModuleTable = offsetof(cachelab_policy_module, stats);

struct ModuleLibrary {
  std::string path;
  void* handle = nullptr;
  const cachelab_policy_module* table = nullptr;
  ~ModuleLibrary() {
    if (handle) dlclose(handle);
  }
};

std::shared_ptr<ModuleLibrary> open_module(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<ModuleLibrary>> opened;
  std::lock_guard lock(mutex);
  if (auto pos = opened.find(path); pos != opened.end()) return pos->second;

  const std::string where = "policy module " + path + ": ";
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) throw PolicyModuleError(where + "no such file");
  auto lib = std::make_shared<ModuleLibrary>();
  lib->path = path;
  lib->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib->handle) {
    const char* why = dlerror();
    throw PolicyModuleError(where + "not a loadable shared object (" + (why ? why : "dlopen failed") + ")");
  }
  auto entry = reinterpret_cast<cachelab_policy_module_entry>(dlsym(lib->handle, CACHELAB_POLICY_MODULE_ENTRY));
  if (!entry) throw PolicyModuleError(where + "entry symbol '" CACHELAB_POLICY_MODULE_ENTRY "' not found");
  lib->table = entry(&kHostApi);
  if (!lib->table) throw PolicyModuleError(where + "the module refused this host (host ABI version " +
                                           std::to_string(CACHELAB_POLICY_ABI_VERSION) + ")");
  if (lib->table->abi_version != CACHELAB_POLICY_ABI_VERSION || lib->table->struct_size < kMinimumModuleTable)
    throw PolicyModuleError(where + "ABI version " + std::to_string(lib->table->abi_version) +
                            " not supported (this cachelab supports " +
                            std::to_string(CACHELAB_POLICY_ABI_VERSION) + ")");
  const auto* t = lib->table;
  if (!t->create || !t->destroy || !t->on_insert || !t->on_hit || !t->on_update || !t->on_remove || !t->victim)
    throw PolicyModuleError(where + "its callback table has empty required entries");
  opened.emplace(path, lib);
  return lib;
}

// The adapter: a policy whose every hook calls the module.
class ModulePolicy {
 public:
  ModulePolicy(std::shared_ptr<ModuleLibrary> lib, const StoreConfig& config, const PolicyArgs& args)
      : lib_(std::move(lib)), table_(lib_->table) {
    std::vector<cachelab_policy_arg> c_args;
    for (const auto& [k, v] : args) c_args.push_back({k.c_str(), v.c_str()});
    const cachelab_policy_config c_config{config.capacity, config.count_objects ? 1 : 0, config.ticks_per_second};
    char error[256] = "";
    instance_ = table_->create(&kHostApi, &c_config, c_args.data(), c_args.size(), error, sizeof error);
    if (!instance_) {
      error[sizeof error - 1] = '\0';
      throw PolicyModuleError("policy module " + lib_->path + ": create failed: " +
                              (error[0] ? error : "no reason given"));
    }
  }
  ModulePolicy(ModulePolicy&& other) noexcept
      : lib_(std::move(other.lib_)), table_(other.table_), instance_(std::exchange(other.instance_, nullptr)) {}
  ModulePolicy(const ModulePolicy&) = delete;
  ModulePolicy& operator=(const ModulePolicy&) = delete;
  ModulePolicy& operator=(ModulePolicy&&) = delete;
  ~ModulePolicy() {
    if (instance_) table_->destroy(instance_);
  }

  void on_insert(Item* it, Tick now) { table_->on_insert(instance_, handle_of(it), current_now = now); }
  void on_hit(Item* it, Tick now) { table_->on_hit(instance_, handle_of(it), current_now = now); }
  void on_update(Item* old, Item* replacement, Tick, Tick now) {
    table_->on_update(instance_, handle_of(old), handle_of(replacement), current_now = now);
  }
  // Called by the store before it asks for victims, so that victim() sees the request's time.
  void set_now(Tick now) noexcept { current_now = now; }
  void on_remove(Item* it) { table_->on_remove(instance_, handle_of(it)); }
  void on_evict(Item* it) {
    const bool has_evict = table_->struct_size >= offsetof(cachelab_policy_module, on_evict) + sizeof(table_->on_evict) &&
                           table_->on_evict;
    (has_evict ? table_->on_evict : table_->on_remove)(instance_, handle_of(it));
  }
  Item* victim() { return item_of(table_->victim(instance_)); }
  // The module's optional stats callback: "name value" lines with unsigned integer values; other
  // lines are ignored.
  std::vector<std::pair<std::string, std::uint64_t>> stats() const {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    if (table_->struct_size < offsetof(cachelab_policy_module, stats) + sizeof(table_->stats) || !table_->stats)
      return out;
    char text[4096] = "";
    table_->stats(instance_, text, sizeof text);
    text[sizeof text - 1] = '\0';
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream fields(line);
      std::string name;
      std::uint64_t value = 0;
      if (fields >> name >> value) out.emplace_back(name, value);
    }
    return out;
  }

 private:
  std::shared_ptr<ModuleLibrary> lib_;  // keeps the code loaded while the instance lives
  const cachelab_policy_module* table_;
  cachelab_policy* instance_ = nullptr;
};

}  // namespace

void check_policy_module(const std::string& path, const StoreConfig& config, const PolicyArgs& args) {
  ModulePolicy probe(open_module(path), config, args);
}

std::unique_ptr<Store> make_module_store(const std::string& path, const StoreConfig& config, const PolicyArgs& args) {
  auto lib = open_module(path);
  std::string name = std::string("module:") + (lib->table->name ? lib->table->name : path);
  ModulePolicy policy(lib, config, args);
  return std::make_unique<StoreImpl<ModulePolicy>>(std::move(name), config, std::move(policy));
}

}  // namespace cachelab
