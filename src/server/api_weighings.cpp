#include "server/api_weighings.h"

#include <charconv>
#include <regex>

#include "server/offload.h"

namespace pw::server {
namespace {

core::Result<int64_t> ParseId(const std::string& text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v <= 0) {
    return core::Status::NotFound("no weighing " + text);
  }
  return v;
}

core::Result<int64_t> QueryInt(const Request& req, const std::string& name, int64_t fallback, int64_t lo, int64_t hi) {
  auto text = req.Query(name);
  if (!text) return fallback;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (text->empty() || ec != std::errc() || p != text->data() + text->size() || v < lo || v > hi) {
    return core::Status::InvalidArgument(name + " must be a whole number from " + std::to_string(lo) + " to " +
                                         std::to_string(hi));
  }
  return v;
}

core::Result<store::JournalQuery> ParseQuery(const Request& req) {
  static const std::regex kDate(R"(\d{4}-\d{2}-\d{2})");
  store::JournalQuery q;
  for (const char* name : {"from", "to"}) {
    auto v = req.Query(name);
    if (!v || v->empty()) continue;
    if (!std::regex_match(*v, kDate)) {
      return core::Status::InvalidArgument(std::string(name) + " must be a date like 2026-11-29");
    }
    (std::string_view(name) == "from" ? q.from_date : q.to_date) = *v;
  }
  q.station = req.Query("station").value_or("");
  q.include_deleted = req.Query("deleted").value_or("0") == "1";
  auto limit = QueryInt(req, "limit", 50, 1, 1000);
  if (!limit.ok()) return limit.status();
  auto offset = QueryInt(req, "offset", 0, 0, INT64_MAX);
  if (!offset.ok()) return offset.status();
  q.limit = static_cast<int>(*limit);
  q.offset = *offset;
  return q;
}

// Who made the change, for the journal's audit trail ("" when authentication is off).
std::string Actor(const Request& req) { return req.principal ? req.principal->user : std::string(); }

core::Result<nlohmann::json> ParseBody(const Request& req) {
  auto j = nlohmann::json::parse(req.body(), nullptr, false);
  if (j.is_discarded()) return core::Status::InvalidArgument("the body is not valid JSON");
  return j;
}

}  // namespace

void AddWeighingRoutes(Router& router, weighing::WeighingService& service, core::ThreadPool& pool) {
  weighing::WeighingService* svc = &service;
  router.Add(http::verb::post, "/api/weighings", Offload(pool, [svc](const Request& req) {
    auto body = ParseBody(req);
    if (!body.ok()) return Response::Error(body.status());
    auto created = svc->Create(*body, Actor(req));
    if (!created.ok()) return Response::Error(created.status());
    Response r = Response::Json(*created, http::status::created);
    r.headers.set(http::field::location, "/api/weighings/" + std::to_string((*created)["id"].get<int64_t>()));
    return r;
  }));
  router.Add(http::verb::get, "/api/weighings", Offload(pool, [svc](const Request& req) {
    auto q = ParseQuery(req);
    if (!q.ok()) return Response::Error(q.status());
    return JsonOr(svc->List(*q));
  }));
  router.Add(http::verb::get, "/api/weighings.csv", Offload(pool, [svc](const Request& req) {
    auto q = ParseQuery(req);
    if (!q.ok()) return Response::Error(q.status());
    std::string sep = req.Query("sep").value_or(",");
    if (sep != "," && sep != ";") {
      return Response::Error(core::Status::InvalidArgument("sep must be , or ; (for Excel with a decimal comma)"));
    }
    auto csv = svc->Csv(*q, sep[0]);
    if (!csv.ok()) return Response::Error(csv.status());
    Response r = Response::Text(std::move(csv).value(), "text/csv; charset=utf-8");
    r.headers.set(http::field::content_disposition, "attachment; filename=\"pigweight-journal.csv\"");
    return r;
  }));
  router.Add(http::verb::get, "/api/weighings/{id}", Offload(pool, [svc](const Request& req) {
    auto id = ParseId(req.params.at("id"));
    if (!id.ok()) return Response::Error(id.status());
    return JsonOr(svc->Get(*id));
  }));
  router.Add(http::verb::patch, "/api/weighings/{id}", Offload(pool, [svc](const Request& req) {
    auto id = ParseId(req.params.at("id"));
    if (!id.ok()) return Response::Error(id.status());
    auto body = ParseBody(req);
    if (!body.ok()) return Response::Error(body.status());
    return JsonOr(svc->Amend(*id, *body, Actor(req)));
  }));
  router.Add(http::verb::delete_, "/api/weighings/{id}", Offload(pool, [svc](const Request& req) {
    auto id = ParseId(req.params.at("id"));
    if (!id.ok()) return Response::Error(id.status());
    core::Status st = svc->Delete(*id, Actor(req));
    if (!st.ok()) return Response::Error(st);
    Response r;
    r.status = http::status::no_content;
    return r;
  }));
  router.Add(http::verb::get, "/api/weighings/{id}/evidence.jpg", Offload(pool, [svc](const Request& req) {
    auto id = ParseId(req.params.at("id"));
    if (!id.ok()) return Response::Error(id.status());
    auto jpeg = svc->EvidenceJpeg(*id);
    if (!jpeg.ok()) return Response::Error(jpeg.status());
    Response r;
    r.headers.set(http::field::content_type, "image/jpeg");
    // Evidence never changes once stored.
    r.headers.set(http::field::cache_control, "private, max-age=31536000, immutable");
    r.body = std::move(jpeg).value();
    return r;
  }));
}

}  // namespace pw::server
