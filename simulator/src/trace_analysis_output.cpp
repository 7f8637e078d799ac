// `cachelab trace analyze`'s outputs: the summary, the csv files and their plots.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/plot.h"
#include "cachelab/sim/trace_analysis.h"

namespace cachelab::sim {
namespace {

// The value below which `share` of the histogram's counts fall (the bucket's upper bound).
std::uint64_t quantile(const Log2Histogram& h, double share) {
  std::uint64_t total = 0;
  for (auto c : h.counts) total += c;
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < h.counts.size(); ++b) {
    seen += h.counts[b];
    if (total && static_cast<double>(seen) >= share * static_cast<double>(total)) return Log2Histogram::high(b);
  }
  return 0;
}

std::string format(const char* fmt, auto... args) {
  char line[512];
  std::snprintf(line, sizeof line, fmt, args...);
  return line;
}

}  // namespace

void print_trace_analysis(std::ostream& out, const std::string& path, const TraceAnalysis& a) {
  const double scale = 1.0 / a.sample;  // sampled counts -> whole-trace estimates
  const double span_s = static_cast<double>(a.last_time_ms - a.first_time_ms) / 1000.0;
  auto pct = [&](std::uint64_t n) { return a.requests ? 100.0 * double(n) / double(a.requests) : 0.0; };
  out << "trace              " << path << "\n";
  if (a.sample < 1) out << format("sample             %g of the keys (counts below are scaled by %g)\n", a.sample, scale);
  out << format("requests           %.0f\n", double(a.requests) * scale);
  out << format("objects            %.0f\n", double(a.objects) * scale);
  out << format("requested bytes    %.0f (mean %.1f per request)\n", double(a.request_bytes) * scale,
                a.requests ? double(a.request_bytes) / double(a.requests) : 0.0);
  out << format("working set        %.0f bytes (each object at its first size)\n", double(a.object_bytes) * scale);
  out << format("time span          %.3f s (%.2f days)\n", span_s, span_s / 86400);
  out << format("request rate       %.1f per s\n", span_s > 0 ? double(a.requests) * scale / span_s : 0.0);
  out << format("ops                read %.1f%%, write %.1f%%, delete %.1f%%\n", pct(a.reads), pct(a.writes), pct(a.deletes));
  out << format("one-hit wonders    %.1f%% of objects", a.objects ? 100.0 * double(a.one_hit_wonders) / double(a.objects) : 0.0);
  if (!a.windows.empty()) {
    double sum = 0;
    for (const auto& w : a.windows) sum += w.objects ? double(w.one_hit_wonders) / double(w.objects) : 0.0;
    out << format(" (%.1f%% per window of %llu requests, mean of %zu)", 100.0 * sum / double(a.windows.size()),
                  (unsigned long long)a.windows.front().requests, a.windows.size());
  }
  out << "\n";
  out << format("zipf alpha         %.4f\n", a.zipf_alpha);
  out << format("top 1%% objects     %.1f%% of requests\n", 100.0 * a.top1_share);
  out << format("top 10%% objects    %.1f%% of requests\n", 100.0 * a.top10_share);
  out << format("reuse distance     median <= %llu requests, p90 <= %llu\n",
                (unsigned long long)(double(quantile(a.reuse_distance, 0.5)) * scale),
                (unsigned long long)(double(quantile(a.reuse_distance, 0.9)) * scale));
  out << format("reuse time         median <= %llu s, p90 <= %llu s\n", (unsigned long long)quantile(a.reuse_time_s, 0.5),
                (unsigned long long)quantile(a.reuse_time_s, 0.9));
  out << format("object size        median <= %llu B (per request), <= %llu B (per object)\n",
                (unsigned long long)quantile(a.size_requests, 0.5), (unsigned long long)quantile(a.size_objects, 0.5));
  out << format("ttl                none %.1f%%", pct(a.no_ttl));
  std::size_t shown = 0;
  for (const auto& [ttl, n] : a.ttl_ms) {
    if (shown++ == 10) {
      out << ", ... (" << a.ttl_ms.size() << " distinct)";
      break;
    }
    out << format(", %gs %.1f%%", double(ttl) / 1000.0, pct(n));
  }
  out << "\n";
}

std::vector<std::string> write_trace_analysis(const std::string& dir, const std::string& path, const TraceAnalysis& a) {
  std::filesystem::create_directories(dir);
  std::vector<std::string> written;
  auto file = [&](const std::string& name, const std::string& text) {
    const std::string p = (std::filesystem::path(dir) / name).string();
    std::ofstream out(p, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + p);
    written.push_back(p);
    return p;
  };
  auto plot = [&](const std::string& csv, const std::string& png, const std::string& x, std::vector<std::string> y,
                  const char* title, bool log_x, bool log_y) {
    PlotSpec spec;
    spec.x = x;
    spec.y = std::move(y);
    spec.output = (std::filesystem::path(dir) / png).string();
    spec.title = title;
    spec.log_x = log_x;
    spec.log_y = log_y;
    try {
      plot_table(read_csv_table(csv), spec);
      written.push_back(spec.output);
    } catch (const PlotUsageError&) {  // nothing to draw (e.g. no TTLs): the csv says so
    }
  };

  std::ostringstream summary;
  print_trace_analysis(summary, path, a);
  file("summary.txt", summary.str());

  std::ostringstream s;
  s << "rank,requests\n";
  std::uint64_t last = 0;
  for (double r = 1; r <= static_cast<double>(a.frequencies.size()); r *= 1.02) {
    const auto rank = static_cast<std::uint64_t>(r);
    if (rank != last) s << rank << "," << a.frequencies[rank - 1] << "\n";
    last = rank;
  }
  if (!a.frequencies.empty() && last != a.frequencies.size()) s << a.frequencies.size() << "," << a.frequencies.back() << "\n";
  plot(file("popularity.csv", s.str()), "popularity.png", "rank", {"requests"},
       ("rank-frequency (zipf alpha " + format("%.3f", a.zipf_alpha) + ")").c_str(), true, true);

  s.str("");
  s << "first_request,requests,objects,one_hit_wonders,one_hit_wonder_share\n";
  for (const auto& w : a.windows)
    s << w.first_request << "," << w.requests << "," << w.objects << "," << w.one_hit_wonders << ","
      << format("%.6f", w.objects ? double(w.one_hit_wonders) / double(w.objects) : 0.0) << "\n";
  plot(file("one_hit_wonders.csv", s.str()), "one_hit_wonders.png", "first_request", {"one_hit_wonder_share"},
       "one-hit wonders per window", false, false);

  auto histogram = [&](const char* name, const char* unit, const Log2Histogram& h, const char* title) {
    std::ostringstream t;
    t << unit << "_low," << unit << "_high,count\n";
    for (std::size_t b = 0; b < h.counts.size(); ++b)
      t << Log2Histogram::low(b) << "," << Log2Histogram::high(b) << "," << h.counts[b] << "\n";
    plot(file(std::string(name) + ".csv", t.str()), std::string(name) + ".png", std::string(unit) + "_high", {"count"},
         title, true, true);
  };
  histogram("reuse_distance", "requests", a.reuse_distance, "reuse distance (requests in between)");
  histogram("reuse_time", "seconds", a.reuse_time_s, "reuse time");

  s.str("");
  s << "size_low,size_high,requests,objects,reads,writes,deletes\n";
  const std::size_t buckets = std::max({a.size_requests.counts.size(), a.size_objects.counts.size()});
  auto at = [](const Log2Histogram& h, std::size_t b) { return b < h.counts.size() ? h.counts[b] : 0; };
  for (std::size_t b = 0; b < buckets; ++b)
    s << Log2Histogram::low(b) << "," << Log2Histogram::high(b) << "," << at(a.size_requests, b) << ","
      << at(a.size_objects, b) << "," << at(a.size_reads, b) << "," << at(a.size_writes, b) << "," << at(a.size_deletes, b) << "\n";
  plot(file("sizes.csv", s.str()), "sizes.png", "size_high", {"requests", "objects", "reads", "writes", "deletes"},
       "object sizes (bytes)", true, true);

  s.str("");
  s << "ttl_s,requests\n";
  if (a.no_ttl) s << "0," << a.no_ttl << "\n";
  for (const auto& [ttl, n] : a.ttl_ms) s << format("%g", double(ttl) / 1000.0) << "," << n << "\n";
  plot(file("ttl.csv", s.str()), "ttl.png", "ttl_s", {"requests"}, "TTLs (0 = none)", false, false);

  s.str("");
  s << "start_s,end_s,requests,reads,writes,deletes,bytes,requests_per_s\n";
  for (std::size_t i = 0; i < a.rate.size(); ++i) {
    const auto& b = a.rate[i];
    const double start = double(i * a.bucket_ms) / 1000.0, end = double((i + 1) * a.bucket_ms) / 1000.0;
    s << format("%g,%g", start, end) << "," << b.requests << "," << b.reads << "," << b.writes << "," << b.deletes << ","
      << b.bytes << "," << format("%.3f", double(b.requests) / (end - start) / a.sample) << "\n";
  }
  plot(file("rate.csv", s.str()), "rate.png", "start_s", {"requests_per_s"}, "requests over time", false, false);
  return written;
}

}  // namespace cachelab::sim
