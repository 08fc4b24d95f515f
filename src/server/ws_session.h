// WsSession: one WebSocket connection on /ws (accepted from an HTTP upgrade). Reads client
// operations (subscribe/unsubscribe/ping), writes queued messages one at a time, pings the peer
// (Beast keep-alive pings; a peer silent for 2 intervals is dropped).
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <memory>

#include "server/http_server.h"

namespace pw::server {

// Takes over `stream` (after the upgrade request was read) and runs the session.
void StartWebSocket(HttpServer& server, boost::beast::tcp_stream stream,
                    boost::beast::http::request<boost::beast::http::string_body> upgrade);

}  // namespace pw::server
