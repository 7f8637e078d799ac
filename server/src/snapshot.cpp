#include "snapshot.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace cachelab::server {
namespace {

constexpr std::string_view kMagic = "CLSNAP01";

struct RecordHeader {
  std::uint32_t key_len;
  std::uint32_t value_len;
  std::uint32_t flags;
  std::uint64_t cas;
  std::int64_t expiry_unix;
};

std::runtime_error io_error(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

// Buffers writes to a file descriptor and checksums everything that passes through.
class ChecksummedWriter {
 public:
  ChecksummedWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
    XXH3_64bits_reset(&state_);
    buffer_.reserve(kBufferBytes);
  }
  template <class T>
  void put(const T& value) {
    write(std::string_view(reinterpret_cast<const char*>(&value), sizeof value));
  }
  void write(std::string_view bytes) {
    XXH3_64bits_update(&state_, bytes.data(), bytes.size());
    if (buffer_.size() + bytes.size() > kBufferBytes) drain();
    if (bytes.size() >= kBufferBytes) {
      write_all(bytes);
    } else {
      buffer_.append(bytes);
    }
  }
  std::uint64_t digest() const { return XXH3_64bits_digest(&state_); }
  // The checksum itself is written after digest() and is not part of it.
  void put_unchecked(std::uint64_t value) {
    drain();
    write_all(std::string_view(reinterpret_cast<const char*>(&value), sizeof value));
  }
  void drain() {
    write_all(buffer_);
    buffer_.clear();
  }

 private:
  static constexpr std::size_t kBufferBytes = 1 << 20;
  void write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw io_error("cannot write snapshot", path_);
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  int fd_;
  std::string path_;
  std::string buffer_;
  XXH3_state_t state_;
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Reads fixed-size fields from the loaded file, refusing to read past its end.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  template <class T>
  bool get(T* out) {
    if (bytes_.size() < sizeof(T)) return false;
    std::memcpy(out, bytes_.data(), sizeof(T));
    bytes_.remove_prefix(sizeof(T));
    return true;
  }
  bool take(std::size_t n, std::string_view* out) {
    if (bytes_.size() < n) return false;
    *out = bytes_.substr(0, n);
    bytes_.remove_prefix(n);
    return true;
  }
  bool empty() const { return bytes_.empty(); }

 private:
  std::string_view bytes_;
};

struct Record {
  RecordHeader header;
  std::string_view key;
  std::string_view value;
};

// Parses every record (without touching the store). Returns an error text, or "" when valid.
std::string parse_records(std::string_view body, std::vector<Record>& records) {
  Reader in(body);
  while (true) {
    Record r{};
    if (!in.get(&r.header.key_len)) return "truncated record";
    if (r.header.key_len == 0) break;  // the end marker
    if (r.header.key_len > kMaxKeyLength) return "bad key length";
    if (!in.get(&r.header.value_len) || !in.get(&r.header.flags) || !in.get(&r.header.cas) ||
        !in.get(&r.header.expiry_unix) || !in.take(r.header.key_len, &r.key) ||
        !in.take(r.header.value_len, &r.value))
      return "truncated record";
    records.push_back(r);
  }
  std::uint64_t count = 0;
  if (!in.get(&count) || !in.empty()) return "bad trailer";
  if (count != records.size()) return "item count does not match";
  return {};
}

}  // namespace

std::size_t save_snapshot(const std::string& path, ShardedStore& store, const protocol::ExpiryClock& clock) {
  const std::string temp = path + ".tmp";
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) throw io_error("cannot create snapshot", temp);
  ChecksummedWriter out(fd.get(), temp);
  out.write(kMagic);
  std::uint64_t count = 0;
  const Tick now = clock.now();
  store.each_shard([&](Store& s) {
    s.for_each(now, [&](const Item& it) {
      const std::int64_t expiry = it.exptime == kNever ? 0 : clock.unix_of_tick(it.exptime);
      out.put(std::uint32_t{it.key_len});
      out.put(std::uint32_t{it.value_len});
      out.put(it.flags);
      out.put(it.cas);
      out.put(expiry);
      out.write(it.key());
      out.write(it.value());
      ++count;
    });
  });
  out.put(std::uint32_t{0});
  out.put(count);
  out.put_unchecked(out.digest());
  if (::fsync(fd.get()) != 0) throw io_error("cannot fsync snapshot", temp);
  if (::close(fd.release()) != 0) throw io_error("cannot close snapshot", temp);
  if (std::rename(temp.c_str(), path.c_str()) != 0) throw io_error("cannot rename snapshot to", path);
  // The rename itself must survive a crash: sync the directory entry too.
  Fd dir(::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
  return count;
}

SnapshotLoad load_snapshot(const std::string& path, ShardedStore& store, const protocol::ExpiryClock& clock) {
  SnapshotLoad result;
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    if (errno != ENOENT) result.error = std::string("cannot open: ") + std::strerror(errno);
    result.found = errno != ENOENT;
    return result;
  }
  result.found = true;
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) {
    result.error = "read error";
    return result;
  }
  const std::string_view all(bytes);
  if (all.size() < kMagic.size() + sizeof(std::uint64_t) || all.substr(0, kMagic.size()) != kMagic) {
    result.error = "not a cachelab snapshot";
    return result;
  }
  const std::string_view checked = all.substr(0, all.size() - sizeof(std::uint64_t));
  std::uint64_t stored_sum = 0;
  std::memcpy(&stored_sum, all.data() + checked.size(), sizeof stored_sum);
  if (XXH3_64bits(checked.data(), checked.size()) != stored_sum) {
    result.error = "checksum mismatch (truncated or corrupt)";
    return result;
  }
  std::vector<Record> records;
  result.error = parse_records(checked.substr(kMagic.size()), records);
  if (!result.error.empty()) return result;

  const std::int64_t now_unix = clock.unix_now();
  const Tick now = clock.tick_of_unix(now_unix);
  for (const Record& r : records) {
    if (r.header.expiry_unix != 0 && r.header.expiry_unix <= now_unix) continue;  // expired while down
    const Tick expiry = r.header.expiry_unix == 0 ? kNever : clock.tick_of_unix(r.header.expiry_unix);
    const KeyRef key = ShardedStore::key(r.key);
    const StoreResult stored = store.with_shard(key, [&](Store& s) {
      return s.restore(key, r.value, r.header.flags, expiry, r.header.cas, now);
    });
    if (stored == StoreResult::kStored) ++result.items;
  }
  return result;
}

}  // namespace cachelab::server
