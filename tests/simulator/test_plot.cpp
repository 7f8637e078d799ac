// cachelab plot's engine: real gnuplot output (PNG signature, SVG content), labels with units,
// and each failure reported as what it is.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "cachelab/sim/plot.h"

using namespace cachelab::sim;
namespace fs = std::filesystem;

namespace {
fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / ("cachelab-test-plot-" + std::to_string(::getpid()) + "-" + name);
}
CsvTable sample_table() {
  const fs::path csv = temp_file("results.csv");
  std::ofstream(csv) << "scenario,policy,capacity_bytes,ttl_s,hit_ratio,stale_ratio\n"
                        "s,lru,1000,,0.50,0.010\ns,lru,10000,,0.70,0.020\n"
                        "s,\"fifo, plain\",1000,,0.40,0.010\ns,\"fifo, plain\",10000,,0.60,0.030\n";
  CsvTable t = read_csv_table(csv.string());
  fs::remove(csv);
  return t;
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("plot: reads quoted CSV cells", "[simulator][plot]") {
  const CsvTable t = sample_table();
  REQUIRE(t.rows.size() == 4);
  CHECK(t.rows[2][t.column("policy")] == "fifo, plain");
  CHECK_THROWS_AS(t.column("nope"), PlotUsageError);
}

TEST_CASE("plot: writes a PNG through gnuplot", "[simulator][plot]") {
  const fs::path png = temp_file("out.png");
  PlotSpec spec;
  spec.x = "capacity_bytes", spec.y = {"hit_ratio"}, spec.series = "policy", spec.output = png.string(), spec.title = "t";
  plot_table(sample_table(), spec);
  const std::string bytes = slurp(png);
  REQUIRE(bytes.size() > 1000);
  CHECK(bytes.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  fs::remove(png);
}

TEST_CASE("plot: an SVG names the title, the axes with units and each series", "[simulator][plot]") {
  const fs::path svg = temp_file("out.svg");
  PlotSpec spec;
  spec.x = "capacity_bytes", spec.y = {"hit_ratio", "stale_ratio"}, spec.series = "policy";
  spec.output = svg.string(), spec.title = "catalog sweep", spec.marker_x = 3000, spec.marker_label = "chosen";
  plot_table(sample_table(), spec);
  const std::string text = slurp(svg);
  CHECK(text.find("<svg") != std::string::npos);
  CHECK(text.find("catalog sweep") != std::string::npos);
  CHECK(text.find("capacity (bytes)") != std::string::npos);
  CHECK(text.find("policy=lru, hit ratio (hits / reads)") != std::string::npos);
  CHECK(text.find("policy=fifo, plain, stale ratio (stale hits / reads)") != std::string::npos);
  CHECK(text.find("chosen") != std::string::npos);
  fs::remove(svg);
}

TEST_CASE("plot: bad requests and gnuplot failures are told apart", "[simulator][plot]") {
  PlotSpec spec;
  spec.x = "capacity_bytes", spec.y = {"hit_ratio"}, spec.output = temp_file("x.gif").string();
  CHECK_THROWS_AS(plot_table(sample_table(), spec), PlotUsageError);
  spec.output = "/nonexistent-dir/x.png";
  CHECK_THROWS_WITH(plot_table(sample_table(), spec), Catch::Contains("cannot write /nonexistent-dir/x.png"));
  spec.output = temp_file("y.png").string(), spec.y = {"scenario"};  // no numbers in that column
  CHECK_THROWS_AS(plot_table(sample_table(), spec), PlotUsageError);
}

TEST_CASE("plot: axis labels carry units, capacities and TTLs get a log axis", "[simulator][plot]") {
  CHECK(axis_label("ttl_s") == "TTL (s)");
  CHECK(axis_label("mean_stale_age_s") == "mean stale age (s)");
  CHECK(axis_label("warmup_s") == "warmup (s)");
  CHECK(wants_log_axis("capacity_bytes"));
  CHECK(wants_log_axis("ttl_s"));
  CHECK_FALSE(wants_log_axis("hit_ratio"));
}

TEST_CASE("plot: without gnuplot on PATH the error says how to install it", "[simulator][plot]") {
  const char* saved = std::getenv("PATH");
  const std::string old = saved ? saved : "";
  ::setenv("PATH", "/nonexistent", 1);
  PlotSpec spec;
  spec.x = "capacity_bytes", spec.y = {"hit_ratio"}, spec.output = temp_file("z.png").string();
  CHECK_THROWS_WITH(plot_table(sample_table(), spec), Catch::Contains("apt-get install gnuplot-nox"));
  ::setenv("PATH", old.c_str(), 1);
}

TEST_CASE("plot: staleness gets its own axis; coinciding series stay visible", "[simulator][plot]") {
  // With hit ratios near 1 and stale ratios of a few percent on one axis the stale line is flat
  // at the bottom: it gets the right-hand axis, labelled on its own (not the shared "ratio").
  const fs::path svg = temp_file("y2.svg");
  PlotSpec spec;
  spec.x = "capacity_bytes", spec.y = {"hit_ratio", "stale_ratio"}, spec.series = "policy";
  spec.output = svg.string(), spec.title = "two axes";
  plot_table(sample_table(), spec);
  const std::string text = slurp(svg);
  CHECK(text.find(">hit ratio (hits / reads)<") != std::string::npos);
  CHECK(text.find(">stale ratio (stale hits / reads)<") != std::string::npos);
  CHECK(text.find(">ratio<") == std::string::npos);
  // Four lines drawn from widest to thinnest: a line hidden under another still shows around it.
  for (const char* width : {"stroke-width=\"6.00\"", "stroke-width=\"4.50\"", "stroke-width=\"3.00\"", "stroke-width=\"1.50\""})
    CHECK(text.find(width) != std::string::npos);
  fs::remove(svg);
}
