#include "server/offload.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace pw::server {
namespace {

TEST(Offload, RunsWorkOffTheCallingThreadAndAnswersOnce) {
  core::ThreadPool pool("test", 1, 4);
  std::thread::id worker;
  Handler h = Offload(pool, [&](const Request& req) {
    worker = std::this_thread::get_id();
    return Response::Json({{"path", req.path}});
  });
  auto req = std::make_shared<Request>();
  req->path = "/x";
  std::promise<Response> got;
  h(req, [&](Response r) { got.set_value(std::move(r)); });
  Response r = got.get_future().get();
  EXPECT_EQ(nlohmann::json::parse(r.body)["path"], "/x");
  EXPECT_NE(worker, std::this_thread::get_id());
}

TEST(Offload, AnswersBusyAtOnceWhenThePoolIsFull) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  core::ThreadPool pool("test", 1, 1);
  std::promise<void> started;
  ASSERT_TRUE(pool.Submit([&] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();
  ASSERT_TRUE(pool.Submit([] {}));  // the queue (bound 1) is now full
  Handler h = Offload(pool, [](const Request&) { return Response::Json({}); });
  std::optional<Response> answer;
  h(std::make_shared<Request>(), [&](Response r) { answer = std::move(r); });
  ASSERT_TRUE(answer.has_value()) << "a full pool must answer synchronously";
  EXPECT_EQ(answer->status, http::status::service_unavailable);
  EXPECT_EQ(answer->headers[http::field::retry_after], "1");
  release.set_value();
}

TEST(Offload, TurnsExceptionsIntoInternalErrors) {
  core::ThreadPool pool("test", 1, 4);
  Handler h = Offload(pool, [](const Request&) -> Response { throw std::runtime_error("boom"); });
  std::promise<Response> got;
  h(std::make_shared<Request>(), [&](Response r) { got.set_value(std::move(r)); });
  EXPECT_EQ(got.get_future().get().status, http::status::internal_server_error);
}

}  // namespace
}  // namespace pw::server
