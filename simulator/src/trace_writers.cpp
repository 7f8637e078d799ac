// Trace writers for `cachelab trace convert` (formats as documented in trace_tools.h). Every one
// writes through a ByteSink, so an output name ending in .zst is zstd-compressed.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "byte_sink.h"
#include "cachelab/sim/errors.h"
#include "cachelab/sim/trace_tools.h"
#include "lcs_format.h"

namespace cachelab::sim {
namespace {

enum class TextFlavour { kCsv, kTwitter, kCachelib };

const char* op_word(RequestOp op, TextFlavour flavour) {
  switch (op) {
    case RequestOp::kRead: return flavour == TextFlavour::kCsv ? "read" : flavour == TextFlavour::kTwitter ? "get" : "GET";
    case RequestOp::kWrite: return flavour == TextFlavour::kCsv ? "write" : flavour == TextFlavour::kTwitter ? "set" : "SET";
    case RequestOp::kDelete: return flavour == TextFlavour::kCachelib ? "DELETE" : "delete";
  }
  return "?";
}

class TextTraceWriter final : public TraceWriter {
 public:
  TextTraceWriter(const std::string& path, TextFlavour flavour) : sink_(open_byte_sink(path)), flavour_(flavour) {
    if (flavour_ == TextFlavour::kCsv) put("time,key,size,op,ttl\n");
    if (flavour_ == TextFlavour::kCachelib) put("op_time,key,key_size,op,op_count,size,ttl\n");
  }
  void write(const Request& r) override {
    const long long ttl_s = r.ttl_ms > 0 ? r.ttl_ms / 1000 : 0;
    char line[160];
    int n = 0;
    switch (flavour_) {
      case TextFlavour::kTwitter:
        n = std::snprintf(line, sizeof line, "%llu,%llu,0,%u,0,%s,%lld\n", (unsigned long long)(r.time_ms / 1000),
                          (unsigned long long)r.key, r.size, op_word(r.op, flavour_), ttl_s);
        break;
      case TextFlavour::kCsv:  // time in seconds, exact to the ms
        n = std::snprintf(line, sizeof line, "%llu.%03u,%llu,%u,%s,%lld\n", (unsigned long long)(r.time_ms / 1000),
                          unsigned(r.time_ms % 1000), (unsigned long long)r.key, r.size, op_word(r.op, flavour_), ttl_s);
        break;
      case TextFlavour::kCachelib:  // op_time in ms; the whole object size as the value's
        n = std::snprintf(line, sizeof line, "%llu,%llu,0,%s,1,%u,%lld\n", (unsigned long long)r.time_ms,
                          (unsigned long long)r.key, op_word(r.op, flavour_), r.size, ttl_s);
        break;
    }
    sink_->write(line, static_cast<std::size_t>(n));
  }
  void finish() override { sink_->close(); }

 private:
  void put(const char* text) { sink_->write(text, std::strlen(text)); }
  std::unique_ptr<ByteSink> sink_;
  TextFlavour flavour_;
};

// vscsi version 1 records (32 bytes, as libCacheSim's sample trace): READ(10) or WRITE(10) by the
// op (a delete, which block traces cannot say, becomes a write), time in us. TTLs are lost.
class VscsiTraceWriter final : public TraceWriter {
 public:
  explicit VscsiTraceWriter(const std::string& path) : sink_(open_byte_sink(path)) {}
  void write(const Request& r) override {
    char record[32] = {};
    const std::uint32_t serial = static_cast<std::uint32_t>(serial_++), nsg = 1;
    const std::uint16_t cmd = r.op == RequestOp::kRead ? 0x28 : 0x2A, version = 1 << 8;
    const std::uint64_t ts_us = r.time_ms * 1000;
    std::memcpy(record, &serial, 4);
    std::memcpy(record + 4, &r.size, 4);
    std::memcpy(record + 8, &nsg, 4);
    std::memcpy(record + 12, &cmd, 2);
    std::memcpy(record + 14, &version, 2);
    std::memcpy(record + 16, &r.key, 8);
    std::memcpy(record + 24, &ts_us, 8);
    sink_->write(record, sizeof record);
  }
  void finish() override { sink_->close(); }

 private:
  std::unique_ptr<ByteSink> sink_;
  std::uint64_t serial_ = 0;
};

// oracleGeneral and lcs need each request's next access: these writers hold the trace (32 bytes
// a request) until finish() and fill it by a backward pass.
struct HeldRequest {
  std::uint64_t key;
  std::uint32_t time_s;
  std::uint32_t size;
  std::uint32_t ttl_s;
  std::uint32_t op_tenant;  // lcs: op code | tenant << 8
  std::int64_t next = -1;   // 1-based index of the key's next request, -1 never (libCacheSim's)
};

void fill_next_access(std::vector<HeldRequest>& held) {
  std::unordered_map<std::uint64_t, std::int64_t> seen;
  seen.reserve(held.size() / 4);
  for (std::size_t i = held.size(); i-- > 0;) {
    auto [it, fresh] = seen.try_emplace(held[i].key, -1);
    held[i].next = it->second;
    it->second = static_cast<std::int64_t>(i + 1);
  }
}

class HoldingWriter : public TraceWriter {
 public:
  HoldingWriter(const std::string& path, const char* format) : sink_(open_byte_sink(path)), path_(path), format_(format) {}
  void write(const Request& r) override {
    if (r.time_ms / 1000 > UINT32_MAX)
      throw InputError(path_ + ": a time does not fit " + format_ + "'s 32-bit seconds");
    const std::int64_t ttl_s = r.ttl_ms > 0 ? r.ttl_ms / 1000 : 0;
    held_.push_back({r.key, static_cast<std::uint32_t>(r.time_ms / 1000), r.size,
                     static_cast<std::uint32_t>(std::min<std::int64_t>(ttl_s, UINT32_MAX)),
                     lcs::code_from_op(r.op) | ((r.tenant & 0xffffff) << 8)});
    has_ttl_ |= r.ttl_ms > 0;
    has_ops_ |= r.op != RequestOp::kRead || r.tenant != 0;
  }

 protected:
  template <typename T>
  static void put(char* at, T v) {
    std::memcpy(at, &v, sizeof v);
  }
  std::unique_ptr<ByteSink> sink_;
  std::string path_;
  const char* format_;
  std::vector<HeldRequest> held_;
  bool has_ttl_ = false;
  bool has_ops_ = false;
};

class OracleGeneralTraceWriter final : public HoldingWriter {
 public:
  explicit OracleGeneralTraceWriter(const std::string& path) : HoldingWriter(path, "oracleGeneral") {}
  void finish() override {
    fill_next_access(held_);
    char record[24];
    for (const HeldRequest& h : held_) {
      put(record, h.time_s);
      put(record + 4, h.key);
      put(record + 12, h.size);
      put(record + 16, h.next);
      sink_->write(record, sizeof record);
    }
    sink_->close();
  }
};

// lcs in the smallest version that carries what the trace has: v1 (a key stream), v2 (ops or
// tenants), v3 (TTLs). The header's statistics: counts, bytes, time span, op mix, size and TTL
// range, tenants (not the most-common lists, the frequencies or the skewness).
class LcsTraceWriter final : public HoldingWriter {
 public:
  explicit LcsTraceWriter(const std::string& path) : HoldingWriter(path, "lcs") {}
  void finish() override {
    fill_next_access(held_);
    const std::uint64_t version = has_ttl_ ? 3 : has_ops_ ? 2 : 1;
    write_header(version);
    const std::size_t bytes = lcs::record_bytes(version);
    std::vector<char> record(bytes);
    for (const HeldRequest& h : held_) {
      char* p = record.data();
      put(p, h.time_s);
      put(p + 4, h.key);
      if (version == 1) {
        put(p + 12, h.size);
        put(p + 16, h.next);
      } else if (version == 2) {
        put(p + 12, h.size);
        put(p + 16, h.op_tenant);
        put(p + 20, h.next);
      } else {
        put(p + 12, std::int64_t{h.size});
        put(p + 20, h.op_tenant);
        put(p + 24, h.ttl_s);
        put(p + 28, h.next);
      }
      sink_->write(p, bytes);
    }
    sink_->close();
  }

 private:
  void write_header(std::uint64_t version) {
    std::vector<char> header(lcs::kHeaderBytes, '\0');
    put(header.data(), lcs::kMagic);
    put(header.data() + 8, version);
    put(header.data() + lcs::kEndMagicOffset, lcs::kMagic);
    char* stat = header.data() + lcs::kStatOffset;
    std::int64_t reads = 0, writes = 0, deletes = 0, request_bytes = 0, object_bytes = 0;
    std::int64_t smallest = held_.empty() ? 0 : INT64_MAX, largest = 0;
    std::int32_t smallest_ttl = 0, largest_ttl = 0;
    std::unordered_set<std::uint64_t> objects;
    std::unordered_set<std::uint32_t> tenants, ttls;
    for (const HeldRequest& h : held_) {
      const auto op = lcs::op_from_code(h.op_tenant & 0xff);
      (op == RequestOp::kRead ? reads : op == RequestOp::kWrite ? writes : deletes) += 1;
      request_bytes += h.size;
      if (objects.insert(h.key).second) object_bytes += h.size;
      smallest = std::min<std::int64_t>(smallest, h.size);
      largest = std::max<std::int64_t>(largest, h.size);
      tenants.insert(h.op_tenant >> 8);
      if (h.ttl_s > 0) {
        const auto t = static_cast<std::int32_t>(std::min<std::uint32_t>(h.ttl_s, INT32_MAX));
        smallest_ttl = ttls.empty() ? t : std::min(smallest_ttl, t);
        largest_ttl = std::max(largest_ttl, t);
        ttls.insert(h.ttl_s);
      }
    }
    put(stat + lcs::stat::kVersion, std::int64_t{1});
    put(stat + lcs::stat::kRequests, static_cast<std::int64_t>(held_.size()));
    put(stat + lcs::stat::kObjects, static_cast<std::int64_t>(objects.size()));
    put(stat + lcs::stat::kRequestBytes, request_bytes);
    put(stat + lcs::stat::kObjectBytes, object_bytes);
    put(stat + lcs::stat::kStartTime, std::int64_t{held_.empty() ? 0 : held_.front().time_s});
    put(stat + lcs::stat::kEndTime, std::int64_t{held_.empty() ? 0 : held_.back().time_s});
    put(stat + lcs::stat::kReads, reads);
    put(stat + lcs::stat::kWrites, writes);
    put(stat + lcs::stat::kDeletes, deletes);
    put(stat + lcs::stat::kSmallestSize, smallest);
    put(stat + lcs::stat::kLargestSize, largest);
    put(stat + lcs::stat::kTenants, static_cast<std::int32_t>(tenants.size()));
    put(stat + lcs::stat::kTtls, static_cast<std::int32_t>(ttls.size()));
    put(stat + lcs::stat::kSmallestTtl, smallest_ttl);
    put(stat + lcs::stat::kLargestTtl, largest_ttl);
    sink_->write(header.data(), header.size());
  }
};

}  // namespace

std::unique_ptr<TraceWriter> open_trace_writer(const std::string& path, TraceFormat format) {
  switch (format) {
    case TraceFormat::kCsv: return std::make_unique<TextTraceWriter>(path, TextFlavour::kCsv);
    case TraceFormat::kTwitter: return std::make_unique<TextTraceWriter>(path, TextFlavour::kTwitter);
    case TraceFormat::kCachelib: return std::make_unique<TextTraceWriter>(path, TextFlavour::kCachelib);
    case TraceFormat::kOracleGeneral: return std::make_unique<OracleGeneralTraceWriter>(path);
    case TraceFormat::kLcs: return std::make_unique<LcsTraceWriter>(path);
    case TraceFormat::kVscsi: return std::make_unique<VscsiTraceWriter>(path);
  }
  return nullptr;
}

std::uint64_t convert_trace(TraceReader& reader, TraceWriter& writer) {
  std::vector<Request> batch(4096);
  std::uint64_t total = 0;
  while (const std::size_t n = reader.read(batch)) {
    for (std::size_t i = 0; i < n; ++i) writer.write(batch[i]);
    total += n;
  }
  writer.finish();
  return total;
}

}  // namespace cachelab::sim
