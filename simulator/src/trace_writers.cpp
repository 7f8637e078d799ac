// Trace writers for `cachelab trace convert` (formats as documented in trace_tools.h).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/trace_tools.h"

namespace cachelab::sim {
namespace {

const char* op_word(RequestOp op, bool memcached_names) {
  switch (op) {
    case RequestOp::kRead: return memcached_names ? "get" : "read";
    case RequestOp::kWrite: return memcached_names ? "set" : "write";
    case RequestOp::kDelete: return "delete";
  }
  return "?";
}

class FileSink {
 public:
  explicit FileSink(const std::string& path) : path_(path) {
    file_ = std::fopen(path.c_str(), "wb");
    if (!file_) throw InputError(path + ": cannot create: " + std::strerror(errno));
  }
  ~FileSink() {
    if (file_) std::fclose(file_);
  }
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  std::FILE* get() const noexcept { return file_; }
  void close() {
    const bool failed = std::ferror(file_) != 0;
    const int rc = std::fclose(file_);
    file_ = nullptr;
    if (failed || rc != 0) throw std::runtime_error(path_ + ": write error");
  }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

class TextTraceWriter final : public TraceWriter {
 public:
  TextTraceWriter(const std::string& path, bool twitter) : sink_(path), twitter_(twitter) {
    if (!twitter_) std::fputs("time,key,size,op,ttl\n", sink_.get());
  }
  void write(const Request& r) override {
    const long long ttl_s = r.ttl_ms > 0 ? r.ttl_ms / 1000 : 0;
    if (twitter_)
      std::fprintf(sink_.get(), "%llu,%llu,0,%u,0,%s,%lld\n", (unsigned long long)(r.time_ms / 1000),
                   (unsigned long long)r.key, r.size, op_word(r.op, true), ttl_s);
    else  // time in seconds, exact to the ms
      std::fprintf(sink_.get(), "%llu.%03u,%llu,%u,%s,%lld\n", (unsigned long long)(r.time_ms / 1000),
                   unsigned(r.time_ms % 1000), (unsigned long long)r.key, r.size, op_word(r.op, false), ttl_s);
  }
  void finish() override { sink_.close(); }

 private:
  FileSink sink_;
  bool twitter_;
};

class OracleGeneralTraceWriter final : public TraceWriter {
 public:
  explicit OracleGeneralTraceWriter(const std::string& path) : sink_(path), path_(path) {}
  void write(const Request& r) override {
    if (r.time_ms / 1000 > UINT32_MAX) throw InputError(path_ + ": a time does not fit oracleGeneral's 32-bit seconds");
    requests_.push_back({static_cast<std::uint32_t>(r.time_ms / 1000), r.key, r.size});
  }
  void finish() override {
    // Backward pass: the next request index (1-based, as libCacheSim counts) of each key.
    std::vector<std::int64_t> next(requests_.size(), -1);
    std::unordered_map<std::uint64_t, std::int64_t> seen;
    for (std::size_t i = requests_.size(); i-- > 0;) {
      auto [it, fresh] = seen.try_emplace(requests_[i].key, -1);
      next[i] = it->second;
      it->second = static_cast<std::int64_t>(i + 1);
    }
    char record[24];
    for (std::size_t i = 0; i < requests_.size(); ++i) {
      std::memcpy(record, &requests_[i].time, 4);
      std::memcpy(record + 4, &requests_[i].key, 8);
      std::memcpy(record + 12, &requests_[i].size, 4);
      std::memcpy(record + 16, &next[i], 8);
      std::fwrite(record, 1, sizeof record, sink_.get());
    }
    sink_.close();
  }

 private:
  struct Record {
    std::uint32_t time;
    std::uint64_t key;
    std::uint32_t size;
  };
  FileSink sink_;
  std::string path_;
  std::vector<Record> requests_;
};

}  // namespace

std::unique_ptr<TraceWriter> open_trace_writer(const std::string& path, TraceFormat format) {
  switch (format) {
    case TraceFormat::kCsv: return std::make_unique<TextTraceWriter>(path, false);
    case TraceFormat::kTwitter: return std::make_unique<TextTraceWriter>(path, true);
    case TraceFormat::kOracleGeneral: return std::make_unique<OracleGeneralTraceWriter>(path);
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
