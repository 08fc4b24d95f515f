#include "server/metrics.h"

#include <fmt/format.h>

namespace pw::server {

const std::vector<double>& Metrics::Buckets() {
  static const std::vector<double> b = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return b;
}

std::string PromLabel(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Metrics::ObserveRequest(std::string_view route, std::string_view method, int status,
                             double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{std::string(route), std::string(method), status}];
  auto& h = latency_[std::string(route)];
  if (h.counts.empty()) h.counts.assign(Buckets().size(), 0);
  for (std::size_t i = 0; i < Buckets().size(); ++i) {
    if (seconds <= Buckets()[i]) {
      ++h.counts[i];
      break;
    }
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::AddCollector(Collector collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::Render() const {
  std::string out;
  out += "# HELP pigweight_http_requests_total HTTP requests by route pattern, method and status.\n";
  out += "# TYPE pigweight_http_requests_total counter\n";
  std::lock_guard lock(mu_);
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out += fmt::format("pigweight_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                       PromLabel(route), method, status, n);
  }
  out += "# HELP pigweight_http_request_duration_seconds Time from request read to response written.\n";
  out += "# TYPE pigweight_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < Buckets().size(); ++i) {
      cumulative += h.counts[i];
      out += fmt::format("pigweight_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                         PromLabel(route), Buckets()[i], cumulative);
    }
    out += fmt::format("pigweight_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
                       PromLabel(route), h.count);
    out += fmt::format("pigweight_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", PromLabel(route), h.sum);
    out += fmt::format("pigweight_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", PromLabel(route), h.count);
  }
  auto gauge = [&](const char* name, const char* type, const char* help, auto value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, value);
  };
  gauge("pigweight_http_open_connections", "gauge", "Open HTTP and WebSocket connections.", open_connections.load());
  gauge("pigweight_http_rejected_connections_total", "counter", "Connections refused over the connection cap.", rejected_connections.load());
  gauge("pigweight_ws_clients", "gauge", "Connected WebSocket clients.", ws_clients.load());
  gauge("pigweight_ws_dropped_total", "counter", "WebSocket clients dropped for not keeping up.", ws_dropped.load());
  gauge("pigweight_ws_messages_total", "counter", "WebSocket messages sent.", ws_messages.load());
  for (const auto& c : collectors_) c(out);
  return out;
}

}  // namespace pw::server
