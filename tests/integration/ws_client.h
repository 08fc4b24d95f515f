// A small synchronous WebSocket client (Boost.Beast) for the integration tests.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <string>

namespace pw::test {

class WsClient {
 public:
  explicit WsClient(int port) : ws_(io_) {
    boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"),
                                      static_cast<unsigned short>(port));
    ws_.next_layer().connect(ep);
    ws_.handshake("127.0.0.1:" + std::to_string(port), "/ws");
  }
  void Send(const nlohmann::json& j) { ws_.write(boost::asio::buffer(j.dump())); }
  // Reads the next message; throws on close or error.
  nlohmann::json Read() {
    boost::beast::flat_buffer buf;
    ws_.read(buf);
    return nlohmann::json::parse(boost::beast::buffers_to_string(buf.data()));
  }
  // Reads until a message of `type` arrives (skipping others).
  nlohmann::json ReadType(const std::string& type) {
    for (;;) {
      auto j = Read();
      if (j.value("type", "") == type) return j;
    }
  }
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket>& stream() { return ws_; }

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
};

}  // namespace pw::test
