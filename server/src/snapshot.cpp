#include "snapshot.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace cachelab::server {
namespace {

// Version 2 adds, after each record's expiry, the item's meta marks and its last access, so
// that a warm restart keeps stale items stale and handed-out recache tokens handed out.
// Version 1 files (no marks) are still read.
constexpr std::string_view kMagic = "CLSNAP02";
constexpr std::string_view kMagicV1 = "CLSNAP01";

enum MarkBits : std::uint8_t { kFetched = 1, kStale = 2, kTokenSent = 4, kBinaryKey = 8 };

struct RecordHeader {
  std::uint32_t key_len;
  std::uint32_t value_len;
  std::uint32_t flags;
  std::uint64_t cas;
  std::int64_t expiry_unix;
  std::uint8_t marks = 0;                // v2
  std::int64_t last_access_unix = 0;     // v2; 0 = unknown
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

// Reads a snapshot file in order, with a buffer, refusing to read past its end.
class FileReader {
 public:
  explicit FileReader(std::FILE* f) : file_(f) {}
  bool read(void* out, std::size_t n) { return std::fread(out, 1, n, file_) == n; }
  template <class T>
  bool get(T* out) {
    return read(out, sizeof(T));
  }
  bool take(std::size_t n, std::string* out) {
    out->resize(n);
    return n == 0 || read(out->data(), n);
  }

 private:
  std::FILE* file_;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Pass 1: the magic and the checksum of the whole file, streamed (the file may be as large as
// the cache). Returns an error text, or "" when the file is intact.
std::string verify(std::FILE* f, std::uint64_t size) {
  constexpr std::uint64_t kSmallest = 8 + 4 + 8 + 8;  // magic, end marker, count, checksum
  char magic[8];
  if (size < kSmallest || std::fread(magic, 1, sizeof magic, f) != sizeof magic ||
      (std::string_view(magic, sizeof magic) != kMagic && std::string_view(magic, sizeof magic) != kMagicV1))
    return "not a cachelab snapshot";
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, magic, sizeof magic);
  std::vector<char> chunk(1 << 20);
  std::uint64_t left = size - sizeof magic - sizeof(std::uint64_t);
  while (left > 0) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
    if (std::fread(chunk.data(), 1, n, f) != n) return "read error";
    XXH3_64bits_update(&state, chunk.data(), n);
    left -= n;
  }
  std::uint64_t stored = 0;
  if (std::fread(&stored, 1, sizeof stored, f) != sizeof stored) return "read error";
  if (XXH3_64bits_digest(&state) != stored) return "checksum mismatch (truncated or corrupt)";
  return {};
}

}  // namespace

namespace {

// Writes the snapshot to `temp`, fsynced; returns the number of items.
std::uint64_t write_snapshot(const std::string& temp, ShardedStore& store, const protocol::ExpiryClock& clock) {
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
      const std::uint8_t marks = (it.fetched ? kFetched : 0) | (it.stale ? kStale : 0) |
                                  (it.token_sent ? kTokenSent : 0) | (it.binary_key() ? kBinaryKey : 0);
      out.put(marks);
      out.put(std::int64_t{clock.unix_of_tick(now - it.seconds_since_access(now))});
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
  return count;
}

}  // namespace

// The previous snapshot stays in place until the new one is complete and synced: a crash or a
// failed write (disk full) at any point leaves it loadable. A failed temp file is removed, so
// that it does not keep the space a full disk needs.
std::size_t save_snapshot(const std::string& path, ShardedStore& store, const protocol::ExpiryClock& clock) {
  const std::string temp = path + ".tmp";
  std::uint64_t count = 0;
  try {
    count = write_snapshot(temp, store, clock);
  } catch (...) {
    const int saved = errno;
    ::unlink(temp.c_str());
    errno = saved;
    throw;
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::runtime_error error = io_error("cannot rename snapshot to", path);
    ::unlink(temp.c_str());
    throw error;
  }
  // The rename itself must survive a crash: sync the directory entry too.
  Fd dir(::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
  return count;
}

SnapshotLoad load_snapshot(const std::string& path, ShardedStore& store, const protocol::ExpiryClock& clock) {
  SnapshotLoad result;
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    result.found = errno != ENOENT;
    if (result.found) result.error = std::string("cannot open: ") + std::strerror(errno);
    return result;
  }
  result.found = true;
  struct stat st {};
  if (::fstat(::fileno(file.get()), &st) != 0) {
    result.error = std::string("cannot stat: ") + std::strerror(errno);
    return result;
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  result.error = verify(file.get(), size);
  if (!result.error.empty()) return result;

  // Pass 2: restore item by item. The checksum matched, so a bad record here means the file
  // changed under us: drop what was restored (a cold start, as promised) and say so.
  char magic[8] = {};
  std::fseek(file.get(), 0, SEEK_SET);
  const bool v2 = std::fread(magic, 1, sizeof magic, file.get()) == sizeof magic &&
                  std::string_view(magic, sizeof magic) == kMagic;
  FileReader in(file.get());
  const std::int64_t now_unix = clock.unix_now();
  const Tick now = clock.tick_of_unix(now_unix);
  std::string key, value;
  std::uint64_t records = 0;
  auto fail = [&](const char* why) {
    store.each_shard([](Store& s) { s.flush(); });
    result.items = 0;
    result.error = why;
    return result;
  };
  while (true) {
    RecordHeader h{};
    if (!in.get(&h.key_len)) return fail("truncated record");
    if (h.key_len == 0) break;  // the end marker
    if (h.key_len > kMaxKeyLength) return fail("bad key length");
    if (!in.get(&h.value_len) || !in.get(&h.flags) || !in.get(&h.cas) || !in.get(&h.expiry_unix) ||
        (v2 && (!in.get(&h.marks) || !in.get(&h.last_access_unix))) || h.value_len > size ||
        !in.take(h.key_len, &key) || !in.take(h.value_len, &value))
      return fail("truncated record");
    ++records;
    if (h.expiry_unix != 0 && h.expiry_unix <= now_unix) continue;  // expired while we were down
    const Tick expiry = h.expiry_unix == 0 ? kNever : clock.tick_of_unix(h.expiry_unix);
    const KeyRef k = ShardedStore::key(key);
    const PutResult stored = store.with_shard(k, [&](Store& s) {
      // As it was: its CAS too (the store's later CAS values stay above it).
      const PutResult r = s.put(k, NewItem{.value = value, .flags = h.flags, .exptime = expiry, .cas = h.cas}, now);
      if (r == PutResult::kStored && v2)
        s.modify(k, now, [&](const Item&, ItemMeta& meta) {
          meta.fetched = h.marks & kFetched;
          meta.stale = h.marks & kStale;
          meta.token_sent = h.marks & kTokenSent;
          meta.binary_key = h.marks & kBinaryKey;
          // The access may predate this process's clock: keep its age (up to what the item keeps).
          if (h.last_access_unix > 0 && h.last_access_unix <= now_unix)
            meta.last_access = now - static_cast<Tick>(std::min<std::int64_t>(now_unix - h.last_access_unix, 0x7fff));
        });
      return r;
    });
    if (stored == PutResult::kStored) ++result.items;
  }
  std::uint64_t count = 0;
  if (!in.get(&count) || count != records) return fail("item count does not match");
  return result;
}

}  // namespace cachelab::server
