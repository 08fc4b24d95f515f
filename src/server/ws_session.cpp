#include "server/ws_session.h"

#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <set>

#include "server/ws_queue.h"

namespace pw::server {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;

class WsSession final : public WsClient, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(HttpServer& server, beast::tcp_stream stream)
      : server_(server),
        ws_(std::move(stream)),
        queue_(server.hub().limits().max_messages, server.hub().limits().max_bytes) {
    ++server_.metrics().open_connections;
  }

  ~WsSession() override {
    if (hub_id_) server_.hub().Unregister(hub_id_);
    --server_.metrics().open_connections;
  }

  void Start(http::request<http::string_body> upgrade) {
    beast::get_lowest_layer(ws_).expires_never();  // websocket's own timeouts from here on
    websocket::stream_base::timeout opt{};
    opt.handshake_timeout = std::chrono::seconds(10);
    opt.idle_timeout = std::chrono::milliseconds(static_cast<int64_t>(server_.limits().ws_ping_s * 2000));
    opt.keep_alive_pings = true;
    ws_.set_option(opt);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "pigweight"); }));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->hub_id_ = self->server_.hub().Register(self);
      nlohmann::json hello = {{"type", "hello"}, {"version", PW_VERSION}};
      self->Deliver(hello.dump(), {});
      self->Read();
    });
  }

  bool Subscribed(std::string_view topic) const override {
    std::lock_guard lock(topics_mu_);
    return topics_.count("*") || topics_.count(std::string(topic));
  }

  void Deliver(const std::string& message, const std::string& coalesce_key) override {
    if (queue_.Enqueue(message, coalesce_key) == WsSendQueue::Push::kOverflow) {
      // Cannot keep up: drop it rather than grow memory or slow the publisher.
      asio::post(ws_.get_executor(), [self = shared_from_this()] { self->Drop(); });
      return;
    }
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->WriteNext(); });
  }

  void GoAway() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->writing_) self->CloseGoingAway();
    });
  }

 private:
  void Read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;  // closed, dropped or timed out: the session ends with its handlers
      self->OnMessage(beast::buffers_to_string(self->in_.data()));
      self->in_.consume(self->in_.size());
      self->Read();
    });
  }

  void OnMessage(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    auto reply_error = [&](const std::string& msg) {
      Deliver(nlohmann::json{{"type", "error"}, {"message", msg}}.dump(), {});
    };
    if (j.is_discarded() || !j.is_object() || !j.contains("op") || !j["op"].is_string()) {
      return reply_error("expected a JSON object with \"op\"");
    }
    const std::string op = j["op"];
    if (op == "ping") return Deliver(nlohmann::json{{"type", "pong"}}.dump(), {});
    if (op != "subscribe" && op != "unsubscribe") return reply_error("unknown op '" + op + "'");
    if (!j.contains("topics") || !j["topics"].is_array()) return reply_error("\"topics\" must be an array");
    {
      std::lock_guard lock(topics_mu_);
      for (const auto& t : j["topics"]) {
        if (!t.is_string()) continue;
        if (op == "subscribe") topics_.insert(t.get<std::string>());
        else topics_.erase(t.get<std::string>());
      }
    }
    Deliver(nlohmann::json{{"type", op == "subscribe" ? "subscribed" : "unsubscribed"},
                           {"topics", j["topics"]}}.dump(), {});
  }

  void WriteNext() {
    if (writing_ || dropped_) return;
    auto msg = queue_.Pop();
    if (!msg) {
      if (closing_) CloseGoingAway();
      return;
    }
    writing_ = true;
    out_ = std::move(*msg);
    ws_.text(true);
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) return self->Drop();
      ++self->server_.metrics().ws_messages;
      self->WriteNext();
    });
  }

  void CloseGoingAway() {
    if (close_sent_ || dropped_) return;
    close_sent_ = true;
    ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code) {});
  }

  void Drop() {
    if (dropped_) return;
    dropped_ = true;
    ++server_.metrics().ws_dropped;
    spdlog::warn("ws: dropping a client that does not keep up ({} messages, {} bytes queued)",
                 queue_.size(), queue_.bytes());
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).socket().close(ec);
    if (hub_id_) server_.hub().Unregister(std::exchange(hub_id_, 0));
  }

  HttpServer& server_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  WsSendQueue queue_;
  std::string out_;
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool dropped_ = false;
  std::uint64_t hub_id_ = 0;
  mutable std::mutex topics_mu_;
  std::set<std::string, std::less<>> topics_;
};

}  // namespace

void StartWebSocket(HttpServer& server, beast::tcp_stream stream,
                    http::request<http::string_body> upgrade) {
  std::make_shared<WsSession>(server, std::move(stream))->Start(std::move(upgrade));
}

}  // namespace pw::server
