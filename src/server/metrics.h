// Metrics: the Prometheus registry behind GET /metrics. The HTTP layer records requests by route
// and status with a latency histogram; other modules register collectors that append their own
// lines in the text exposition format. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace pw::server {

class Metrics {
 public:
  using Collector = std::function<void(std::string& out)>;

  void ObserveRequest(std::string_view route, std::string_view method, int status, double seconds);
  void AddCollector(Collector collector);
  std::string Render() const;

  std::atomic<std::int64_t> open_connections{0};
  std::atomic<std::uint64_t> rejected_connections{0};
  std::atomic<std::int64_t> ws_clients{0};
  std::atomic<std::uint64_t> ws_dropped{0};
  std::atomic<std::uint64_t> ws_messages{0};

  static const std::vector<double>& Buckets();

 private:
  struct Histogram {
    std::vector<std::uint64_t> counts;  // per bucket (not cumulative)
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::vector<Collector> collectors_;
};

// Escapes a label value for the exposition format.
std::string PromLabel(std::string_view value);

}  // namespace pw::server
