#include "server/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <optional>

#include "server/ws_session.h"

namespace pw::server {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

std::chrono::milliseconds Ms(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

template <class Message>
void CopyHeaders(const http::fields& from, Message& to) {
  for (const auto& f : from) to.set(f.name_string(), f.value());
  to.set(http::field::server, "pigweight");
}

// Turns a Response into a serialisable message. A file body is not part of it: the header
// carries its Content-Length and the connection sends the bytes with sendfile(2) afterwards.
// HEAD keeps the headers (with the real Content-Length) and drops the body.
http::message_generator BuildMessage(Response&& r, unsigned version, bool keep_alive, bool head,
                                     std::uint64_t* body_bytes) {
  if (r.source) {  // streamed until the connection closes: no Content-Length
    http::response<http::empty_body> res{r.status, version};
    CopyHeaders(r.headers, res);
    res.keep_alive(false);
    *body_bytes = 0;
    return res;
  }
  if (r.file) {
    http::response<http::empty_body> res{r.status, version};
    CopyHeaders(r.headers, res);
    res.keep_alive(keep_alive);
    res.content_length(r.file->length);
    *body_bytes = head ? 0 : r.file->length;
    return res;
  }
  http::response<http::string_body> res{r.status, version, std::move(r.body)};
  CopyHeaders(r.headers, res);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  *body_bytes = head ? 0 : res.body().size();
  if (head) return http::response<http::empty_body>{std::move(res.base())};
  return res;
}

}  // namespace

ServerLimits ServerLimits::FromConfig(const core::Config& c) {
  return ServerLimits{
      .max_connections = static_cast<std::size_t>(c.max_connections),
      .max_header_bytes = c.max_header_bytes,
      .max_body_bytes = c.max_body_bytes,
      .header_timeout_s = c.header_timeout_s,
      .body_timeout_s = c.body_timeout_s,
      .idle_timeout_s = c.idle_timeout_s,
      .write_timeout_s = c.write_timeout_s,
      .shutdown_grace_s = c.shutdown_grace_s,
      .ws_ping_s = c.ws_ping_s,
  };
}

// One HTTP connection: read a request, answer it, repeat while keep-alive allows.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(HttpServer& server, tcp::socket socket)
      : server_(server), stream_(std::move(socket)) {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);  // responses go out whole, at once
    auto ep = stream_.socket().remote_endpoint(ec);
    remote_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
    ++server_.metrics().open_connections;
  }
  ~HttpSession() {
    AbandonStream(core::Status::Cancelled("the server closed the connection"));
    if (id_) server_.Unregister(id_);
    if (counted_) --server_.metrics().open_connections;
  }

  void Start() {
    id_ = server_.Register(shared_from_this());
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // Server shutdown: idle connections close now, busy ones after their response.
  void Drain() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->state_ == State::kIdle) self->Close();
      if (self->source_) self->EndSource("aborted: server shutting down");
    });
  }

 private:
  enum class State { kIdle, kReading, kBusy };

  void WaitForRequest() {
    state_ = State::kIdle;
    if (server_.draining()) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // pipelined bytes already here
    stream_.expires_after(Ms(server_.limits().idle_timeout_s));
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              if (ec) return self->Close();
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    state_ = State::kReading;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.limits().max_header_bytes));
    parser_->body_limit(boost::none);  // decided per route once the header is in (uploads are large)
    stream_.expires_after(Ms(server_.limits().header_timeout_s));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    started_ = Clock::now();
    if (ec == http::error::header_limit) {
      return Fail(http::status::request_header_fields_too_large, "too_large",
                  "request headers exceed " + std::to_string(server_.limits().max_header_bytes) + " bytes");
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted) {
      return Close();
    }
    if (ec) return Fail(http::status::bad_request, "invalid_argument", "malformed request: " + ec.message());
    auto& req = parser_->get();
    if (beast::websocket::is_upgrade(req)) {
      if (req.target() != "/ws") {
        return Fail(http::status::not_found, "not_found", "WebSocket endpoint is /ws");
      }
      if (!AdmitWebSocket(req)) return;
      counted_ = false;  // the WebSocket session counts itself from here
      --server_.metrics().open_connections;
      StartWebSocket(server_, std::move(stream_), parser_->release());
      return;
    }
    request_ = std::make_shared<Request>();
    request_->remote = remote_;
    request_->proxies = &server_.limits().trusted_proxies;
    std::string_view target = req.target();
    auto q = target.find('?');
    auto path = PercentDecode(target.substr(0, q));
    if (q != std::string_view::npos) request_->query = ParseQuery(target.substr(q + 1));
    if (!path || path->empty() || path->front() != '/') {
      return Fail(http::status::bad_request, "invalid_argument", "bad request path");
    }
    request_->path = *path;
    if (auto* a = server_.authorizer(); a && req.method() == http::verb::options) {
      request_->msg.base() = req.base();
      if (auto answer = a->Preflight(*request_)) return Refuse(std::move(*answer));
    }
    match_ = server_.router().Find(req.method(), request_->path);
    if (!Admit()) return;
    if (match_.stream) return StartStream();

    if (auto len = parser_->content_length(); len && *len > server_.limits().max_body_bytes) {
      return Fail(http::status::payload_too_large, "too_large",
                  "request body of " + std::to_string(*len) + " bytes exceeds the limit of " +
                      std::to_string(server_.limits().max_body_bytes));
    }
    parser_->body_limit(server_.limits().max_body_bytes);  // bounds chunked bodies too
    if (parser_->is_done()) return Dispatch();
    ContinueThen([self = shared_from_this()] { self->ReadBody(); });
  }

  // Asks the authorizer whether the matched route may run, before its body is read; false when
  // the request was refused (the answer is on its way).
  bool Admit() {
    Authorizer* a = server_.authorizer();
    if (!a || (!match_.handler && !match_.stream)) return true;
    const auto& req = parser_->get();
    request_->msg.base() = req.base();
    http::verb method = req.method() == http::verb::head ? http::verb::get : req.method();
    auto refusal = a->Admit(*request_, std::string(http::to_string(method)) + " " + match_.pattern);
    if (!refusal) return true;
    request_->route = match_.pattern;
    Refuse(std::move(*refusal));
    return false;
  }

  bool AdmitWebSocket(const http::request<http::string_body>& req) {
    Authorizer* a = server_.authorizer();
    if (!a) return true;
    request_ = std::make_shared<Request>();
    request_->remote = remote_;
    request_->proxies = &server_.limits().trusted_proxies;
    request_->path = "/ws";
    request_->route = "/ws";
    request_->msg.base() = req.base();
    auto refusal = a->Admit(*request_, "GET /ws");
    if (!refusal) return true;
    state_ = State::kBusy;
    force_close_ = true;
    Reply(std::move(*refusal));
    return false;
  }

  // Answers a request before its body is read (the connection then closes if a body was coming).
  void Refuse(Response response) {
    state_ = State::kBusy;
    force_close_ = !parser_->is_done();
    Reply(std::move(response));
  }

  // Answers "Expect: 100-continue" (curl sends it for large bodies) before reading the body.
  void ContinueThen(std::function<void()> next) {
    const http::header<true>& req = parser_ ? parser_->get().base() : body_parser_->get().base();
    if (!beast::iequals(req[http::field::expect], "100-continue")) return next();
    auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, req.version());
    stream_.expires_after(Ms(server_.limits().write_timeout_s));
    http::async_write(stream_, *cont,
                      [self = shared_from_this(), cont, next = std::move(next)](beast::error_code ec, std::size_t) {
                        if (ec) return self->Close();
                        next();
                      });
  }

  void ReadBody() {
    stream_.expires_after(Ms(server_.limits().body_timeout_s));
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == http::error::body_limit) {
        return self->Fail(http::status::payload_too_large, "too_large",
                          "request body exceeds the limit of " +
                              std::to_string(self->server_.limits().max_body_bytes) + " bytes");
      }
      if (ec) return self->Close();
      self->Dispatch();
    });
  }

  Respond MakeRespond() {
    return [self = shared_from_this(), done = std::make_shared<std::atomic<bool>>(false)](Response r) {
      if (done->exchange(true)) return;  // a handler answers once
      asio::post(self->stream_.get_executor(),
                 [self, r = std::move(r)]() mutable { self->Reply(std::move(r)); });
    };
  }

  void Dispatch() {
    state_ = State::kBusy;
    stream_.expires_never();
    auto req = request_;
    req->msg = parser_->release();
    if (match_.handler) {
      req->route = match_.pattern;
      req->params = std::move(match_.params);
      try {
        (*match_.handler)(req, MakeRespond());
      } catch (const std::exception& e) {
        spdlog::error("handler {} threw: {}", req->route, e.what());
        Reply(Response::Error(http::status::internal_server_error, "internal", "internal error"));
      }
      return;
    }
    if (!match_.allowed.empty()) {
      std::string allow;
      for (auto v : match_.allowed) allow += (allow.empty() ? "" : ", ") + std::string(http::to_string(v));
      Response r = Response::Error(http::status::method_not_allowed, "method_not_allowed",
                                   std::string(req->msg.method_string()) + " is not allowed on " + req->path);
      r.headers.set(http::field::allow, allow);
      return Reply(std::move(r));
    }
    bool is_api = req->path.rfind("/api/", 0) == 0 || req->path == "/api" || req->path.rfind("/debug/", 0) == 0;
    if (!is_api && server_.static_files() &&
        (req->method() == http::verb::get || req->method() == http::verb::head)) {
      req->route = "static";
      return Reply(server_.static_files()->Serve(*req));
    }
    Reply(Response::Error(http::status::not_found, "not_found", "no route for " + req->path));
  }

  // A streaming route: the handler sees the headers, then its sink gets the body chunk by chunk.
  void StartStream() {
    state_ = State::kBusy;
    request_->msg.base() = parser_->get().base();
    request_->route = match_.pattern;
    request_->params = match_.params;
    StreamStart start;
    try {
      start = (*match_.stream)(request_);
    } catch (const std::exception& e) {
      spdlog::error("handler {} threw: {}", request_->route, e.what());
      start = Response::Error(http::status::internal_server_error, "internal", "internal error");
    }
    if (auto* response = std::get_if<Response>(&start)) {
      force_close_ = !parser_->is_done();  // an unread body cannot be skipped on a kept connection
      return Reply(std::move(*response));
    }
    sink_ = std::move(std::get<std::unique_ptr<BodySink>>(start));
    body_parser_.emplace(std::move(*parser_));
    parser_.reset();
    body_parser_->body_limit(boost::none);  // the sink enforces its own size
    if (body_parser_->is_done()) return FinishStream();
    chunk_.resize(256 * 1024);
    ContinueThen([self = shared_from_this()] { self->ReadChunk(); });
  }

  // Reads the next piece of a streamed body — whatever has arrived, so it reaches the sink (the disk)
  // at once rather than when 256 KB have gathered; a client that sends nothing for body_timeout is cut.
  void ReadChunk() {
    auto& body = body_parser_->get().body();
    body.data = chunk_.data();
    body.size = chunk_.size();
    stream_.expires_after(Ms(server_.limits().body_timeout_s));
    http::async_read_some(stream_, buffer_, *body_parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == http::error::need_buffer) ec = {};
      std::size_t got = self->chunk_.size() - self->body_parser_->get().body().size;
      if (got > 0) {
        core::Status st = self->sink_->Write(self->chunk_.data(), got);
        if (!st.ok()) {
          self->AbandonStream(st);
          self->force_close_ = true;
          return self->Reply(Response::Error(st));
        }
      }
      if (ec) {
        self->AbandonStream(core::Status::Cancelled("the client stopped sending: " + ec.message()));
        return self->Close();
      }
      if (self->body_parser_->is_done()) return self->FinishStream();
      self->ReadChunk();
    });
  }

  void FinishStream() {
    stream_.expires_never();
    auto sink = std::move(sink_);
    body_parser_.reset();
    sink->Finish(core::Status::Ok(), MakeRespond());
  }

  void AbandonStream(const core::Status& why) {
    if (!sink_) return;
    auto sink = std::move(sink_);
    sink->Finish(why, [](Response) {});
  }

  // Errors found while reading: answer and close (the rest of the request is not read).
  void Fail(http::status status, std::string_view code, std::string message) {
    request_ = std::make_shared<Request>();
    request_->remote = remote_;
    request_->proxies = &server_.limits().trusted_proxies;
    if (parser_ && parser_->is_header_done()) {
      request_->msg.base() = parser_->get().base();
    }
    force_close_ = true;
    state_ = State::kBusy;
    Reply(Response::Error(status, code, std::move(message)));
  }

  void Reply(Response response) {
    if (auto* a = server_.authorizer()) a->Finish(*request_, response);
    const auto& req = request_->msg;
    const bool head = req.method() == http::verb::head;
    status_ = static_cast<int>(response.status);
    file_.reset();
    source_.reset();
    if (response.source) {
      force_close_ = true;  // the body ends when the connection does
      if (!head) source_ = response.source;
    }
    const bool keep_alive = !force_close_ && !server_.draining() && req.keep_alive();
    if (response.file && !head) {
      file_ = response.file;
      file_offset_ = response.file->offset;
      file_left_ = response.file->length;
      Cork(true);  // header and the first file bytes share packets
    }
    generator_.emplace(BuildMessage(std::move(response), req.version() ? req.version() : 11,
                                    keep_alive, head, &body_bytes_));
    keep_alive_ = keep_alive;
    WriteSome();
  }

  // Writes in chunks, each with its own deadline: a reader that stops reading is dropped after
  // write_timeout without progress, however large the body.
  void WriteSome() {
    if (generator_->is_done()) return OnWritten();
    beast::error_code ec;
    auto buffers = generator_->prepare(ec);
    if (ec) {
      spdlog::warn("http {} {}: {}", remote_, std::string(request_->msg.target()), ec.message());
      return Close();
    }
    stream_.expires_after(Ms(server_.limits().write_timeout_s));
    stream_.async_write_some(buffers, [self = shared_from_this()](beast::error_code wec, std::size_t n) {
      if (wec) {
        self->Log("aborted");
        return self->Close();
      }
      self->generator_->consume(n);
      self->WriteSome();
    });
  }

  void OnWritten() {
    if (source_) return PullSource();
    if (file_ && file_left_ > 0) return SendFile();
    Log(nullptr);
    file_.reset();
    generator_.reset();
    request_.reset();
    if (!keep_alive_) {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return Close();
    }
    WaitForRequest();
  }

  // Sends the file body straight from the page cache to the socket. A few chunks per turn, then
  // the connection yields to the others; a reader that stops reading for write_timeout is dropped.
  void SendFile() {
    auto& sock = stream_.socket();
    beast::error_code ec;
    sock.native_non_blocking(true, ec);
    for (int turn = 0; turn < 8 && file_left_ > 0; ++turn) {
      off_t offset = static_cast<off_t>(file_offset_);
      ssize_t n = ::sendfile(sock.native_handle(), file_->fd->get(), &offset,
                             static_cast<std::size_t>(std::min<std::uint64_t>(file_left_, 1 << 20)));
      if (n > 0) {
        file_offset_ = static_cast<std::uint64_t>(offset);
        file_left_ -= static_cast<std::uint64_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        write_timer_.expires_after(Ms(server_.limits().write_timeout_s));
        write_timer_.async_wait([weak = weak_from_this()](beast::error_code tec) {
          if (auto self = weak.lock(); self && !tec) self->Close();
        });
        sock.async_wait(tcp::socket::wait_write, [self = shared_from_this()](beast::error_code wec) {
          self->write_timer_.cancel();
          if (wec) {
            self->Log("aborted");
            return self->Close();
          }
          self->SendFile();
        });
        return;
      }
      Log(n == 0 ? "aborted: file shrank" : "aborted");  // error, or the file was truncated
      return Close();
    }
    if (file_left_ == 0) {
      Cork(false);
      return OnWritten();
    }
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->SendFile(); });
  }

  // Streamed body: ask the source for the next piece; meanwhile a read notices a client that left.
  void PullSource() {
    if (!watching_close_) {
      watching_close_ = true;
      stream_.expires_never();
      stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code) {
        if (self->source_) self->EndSource("aborted");  // the client closed (or sent junk): stop streaming
      });
    }
    source_->Pull([self = shared_from_this()](std::optional<std::string> piece) {
      asio::post(self->stream_.get_executor(), [self, piece = std::move(piece)]() mutable {
        self->WriteSourcePiece(std::move(piece));
      });
    });
  }

  void WriteSourcePiece(std::optional<std::string> piece) {
    if (!source_) return;  // ended meanwhile
    if (!piece) return EndSource(nullptr);
    piece_ = std::move(*piece);
    body_bytes_ += piece_.size();
    stream_.expires_after(Ms(server_.limits().write_timeout_s));
    asio::async_write(stream_, asio::buffer(piece_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!self->source_) return;
      if (ec) return self->EndSource("aborted");
      self->PullSource();
    });
  }

  void EndSource(const char* note) {
    source_.reset();  // the source's pending answer (holding this session) goes with it
    Log(note);
    request_.reset();
    Close();
  }

  void Cork(bool on) {
    int v = on ? 1 : 0;
    ::setsockopt(stream_.socket().native_handle(), IPPROTO_TCP, TCP_CORK, &v, sizeof v);
  }

  void Log(const char* note) {
    if (!request_) return;
    double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    const auto& req = request_->msg;
    std::string_view method = req.method_string();
    if (method.empty()) method = "-";
    server_.metrics().ObserveRequest(request_->route, method, status_, seconds);
    if (!spdlog::should_log(spdlog::level::info)) return;  // the access log is skipped cheaply
    spdlog::info("http {} \"{} {}\" {} {} {:.1f}ms{}{}", remote_, method, std::string_view(req.target()),
                 status_, body_bytes_, seconds * 1000, note ? " " : "", note ? note : "");
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

  HttpServer& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Router::Match match_;
  // Streaming-body routes (uploads): the parser switched to buffer_body, the sink, the chunk.
  std::optional<http::request_parser<http::buffer_body>> body_parser_;
  std::unique_ptr<BodySink> sink_;
  std::vector<char> chunk_;
  std::optional<http::message_generator> generator_;
  std::shared_ptr<Request> request_;
  std::optional<FileSlice> file_;  // body still to send with sendfile
  std::shared_ptr<BodySource> source_;  // streamed body (MJPEG), until the connection ends
  std::string piece_;                   // the piece being written
  bool watching_close_ = false;
  std::uint64_t file_offset_ = 0;
  std::uint64_t file_left_ = 0;
  asio::steady_timer write_timer_{stream_.get_executor()};
  std::string remote_;
  State state_ = State::kIdle;
  Clock::time_point started_;
  std::uint64_t id_ = 0;
  std::uint64_t body_bytes_ = 0;
  int status_ = 0;
  bool keep_alive_ = true;
  bool force_close_ = false;
  bool counted_ = true;
};

HttpServer::HttpServer(ServerLimits limits, Router& router, StaticFiles* static_files,
                       Metrics& metrics, WsHub& hub)
    : limits_(limits),
      router_(router),
      static_files_(static_files),
      metrics_(metrics),
      hub_(hub),
      acceptor_(asio::make_strand(io_)),
      drain_timer_(io_) {}

HttpServer::~HttpServer() = default;

core::Status HttpServer::Listen(const std::string& host, int port) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) {
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) return core::Status::InvalidArgument("HOST=" + host + ": cannot resolve");
    address = results.begin()->endpoint().address();
  }
  tcp::endpoint ep(address, static_cast<unsigned short>(port));
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::Status::Unavailable("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  Accept();
  return core::Status::Ok();
}

void HttpServer::Accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      if (static_cast<std::size_t>(metrics_.open_connections.load()) >= limits_.max_connections) {
        RejectOverCapacity(std::move(socket));
      } else {
        std::make_shared<HttpSession>(*this, std::move(socket))->Start();
      }
    } else {
      spdlog::warn("accept: {}", ec.message());
    }
    Accept();
  });
}

void HttpServer::RejectOverCapacity(tcp::socket socket) {
  ++metrics_.rejected_connections;
  static const std::string kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
      "Connection: close\r\nContent-Length: 89\r\n\r\n"
      "{\"error\":{\"code\":\"busy\",\"message\":\"too many connections, try again in a moment\"}}";
  beast::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(asio::buffer(kBusy), ec);  // a fresh socket's buffer takes it at once
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

std::uint64_t HttpServer::Register(const std::shared_ptr<HttpSession>& s) {
  std::lock_guard lock(sessions_mu_);
  std::uint64_t id = next_session_++;
  sessions_[id] = s;
  return id;
}

void HttpServer::Unregister(std::uint64_t id) {
  std::lock_guard lock(sessions_mu_);
  sessions_.erase(id);
}

void HttpServer::Run(int threads) {
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) {
    pool.emplace_back([this] { io_.run(); });
    pthread_setname_np(pool.back().native_handle(), "pw-net");
  }
  io_.run();
  for (auto& t : pool) t.join();
}

void HttpServer::Shutdown() {
  asio::post(acceptor_.get_executor(), [this] {
    if (draining_.exchange(true)) return;
    spdlog::info("server: shutting down; {} connections open", metrics_.open_connections.load());
    beast::error_code ec;
    acceptor_.close(ec);
    hub_.CloseAll();
    std::vector<std::shared_ptr<HttpSession>> sessions;
    {
      std::lock_guard lock(sessions_mu_);
      for (auto& [id, weak] : sessions_) {
        if (auto s = weak.lock()) sessions.push_back(std::move(s));
      }
    }
    for (auto& s : sessions) s->Drain();
    WaitForConnectionsToFinish(Clock::now() + Ms(limits_.shutdown_grace_s));
  });
}

void HttpServer::WaitForConnectionsToFinish(Clock::time_point deadline) {
  if (metrics_.open_connections.load() <= 0) {
    spdlog::info("server: all connections closed");
    io_.stop();
    return;
  }
  if (Clock::now() >= deadline) {
    spdlog::warn("server: grace period over; closing {} connections", metrics_.open_connections.load());
    io_.stop();
    return;
  }
  drain_timer_.expires_after(std::chrono::milliseconds(20));
  drain_timer_.async_wait([this, deadline](beast::error_code) { WaitForConnectionsToFinish(deadline); });
}

}  // namespace pw::server
