// Raw TCP exchanges with the server, for requests curl will not send (malformed, incomplete).
#pragma once

#include <boost/asio.hpp>

#include <memory>
#include <string>

namespace pw::test {

inline std::unique_ptr<boost::asio::ip::tcp::socket> Connect(boost::asio::io_context& io, int port) {
  auto s = std::make_unique<boost::asio::ip::tcp::socket>(io);
  s->connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  return s;
}

// Reads until the peer closes; returns what arrived.
inline std::string ReadUntilClosed(boost::asio::ip::tcp::socket& s) {
  std::string data;
  boost::system::error_code ec;
  boost::asio::read(s, boost::asio::dynamic_buffer(data), ec);
  return data;
}

// Connects, sends `bytes` as they are, and returns everything the server sends until it closes.
inline std::string SendRaw(int port, const std::string& bytes) {
  boost::asio::io_context io;
  auto s = Connect(io, port);
  boost::asio::write(*s, boost::asio::buffer(bytes));
  return ReadUntilClosed(*s);
}

}  // namespace pw::test
