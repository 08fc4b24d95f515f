// HttpServer: HTTP/1.1 + WebSocket on Boost.Beast over a pool of Asio network threads.
//
// Each connection reads a request within its limits (header size and time, body size and time,
// idle keep-alive time), routes it, and writes the response with a per-chunk write deadline, so
// slowloris clients and readers that stop reading are dropped. Handlers never run blocking work
// on these threads: they hand it to a pool and call Respond later. Connections beyond
// max_connections get 503 at once. Shutdown() stops accepting, lets in-flight requests finish
// within the grace period, closes idle keep-alive connections and WebSockets (1001).
//
// Thread-safety: Listen() and Run() from the owning thread; Shutdown() from any thread.
#pragma once

#include <boost/asio.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "server/authorizer.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/static_files.h"
#include "server/trusted_proxies.h"
#include "server/ws_hub.h"

namespace pw::server {

// The limits and deadlines of the HTTP layer: the server part of core::Config (defaults there).
struct ServerLimits {
  std::size_t max_connections;
  std::size_t max_header_bytes;
  std::size_t max_body_bytes;
  double header_timeout_s;
  double body_timeout_s;
  double idle_timeout_s;
  double write_timeout_s;
  double shutdown_grace_s;
  double ws_ping_s;
  TrustedProxies trusted_proxies;  // TRUSTED_PROXIES (parsed by the caller: FromConfig leaves it empty)

  static ServerLimits FromConfig(const core::Config& c);
};

class HttpSession;

class HttpServer {
 public:
  HttpServer(ServerLimits limits, Router& router, StaticFiles* static_files, Metrics& metrics,
             WsHub& hub);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Who may call what (see authorizer.h); null: everyone may call everything. Set before Run().
  void SetAuthorizer(Authorizer* authorizer) { authorizer_ = authorizer; }
  Authorizer* authorizer() const { return authorizer_; }

  // Binds and listens; after success port() is the bound port (useful with port 0).
  core::Status Listen(const std::string& host, int port);
  int port() const { return port_; }
  // Runs `threads` network threads until Shutdown() completes; blocks.
  void Run(int threads);
  // Graceful stop; safe from any thread and from signal handlers run by the io_context.
  void Shutdown();
  boost::asio::io_context& io() { return io_; }

  // Used by sessions.
  const ServerLimits& limits() const { return limits_; }
  Router& router() { return router_; }
  StaticFiles* static_files() { return static_files_; }
  Metrics& metrics() { return metrics_; }
  WsHub& hub() { return hub_; }
  bool draining() const { return draining_.load(); }
  std::uint64_t Register(const std::shared_ptr<HttpSession>& s);
  void Unregister(std::uint64_t id);

 private:
  void Accept();
  void RejectOverCapacity(boost::asio::ip::tcp::socket socket);
  void WaitForConnectionsToFinish(std::chrono::steady_clock::time_point deadline);

  ServerLimits limits_;
  Router& router_;
  StaticFiles* static_files_;
  Metrics& metrics_;
  WsHub& hub_;
  Authorizer* authorizer_ = nullptr;
  std::atomic<bool> draining_{false};
  int port_ = 0;

  std::mutex sessions_mu_;
  std::uint64_t next_session_ = 1;
  std::unordered_map<std::uint64_t, std::weak_ptr<HttpSession>> sessions_;

  // Declared after the session registry: destroying the io_context destroys pending handlers,
  // and with them sessions that unregister themselves.
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer drain_timer_;
};

}  // namespace pw::server
