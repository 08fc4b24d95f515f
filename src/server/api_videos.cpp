#include "server/api_videos.h"

#include <charconv>
#include <cmath>
#include <memory>

#include "server/bytes_response.h"
#include "server/offload.h"
#include "server/static_files.h"

namespace pw::server {

namespace {

constexpr const char* kTusVersion = "1.0.0";
constexpr const char* kImmutable = "public, max-age=31536000, immutable";

std::optional<std::uint64_t> ParseUint(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "filename d2VpZ2gubXA0,filetype dmlkZW8vbXA0" -> the decoded filename ("" when absent).
std::string FilenameFromMetadata(std::string_view meta) {
  while (!meta.empty()) {
    auto comma = meta.find(',');
    std::string_view pair = meta.substr(0, comma);
    meta = comma == std::string_view::npos ? std::string_view() : meta.substr(comma + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto space = pair.find(' ');
    if (pair.substr(0, space) == "filename" && space != std::string_view::npos) {
      return DecodeBase64(pair.substr(space + 1)).value_or("");
    }
  }
  return "";
}

void SetUploadHeaders(Response& r, const library::UploadState& s) {
  r.headers.set("Tus-Resumable", kTusVersion);
  r.headers.set("Upload-Offset", std::to_string(s.offset));
  r.headers.set("Upload-Length", std::to_string(s.length));
  r.headers.set(http::field::cache_control, "no-store");
}

nlohmann::json UploadJson(const library::UploadState& s) {
  return {{"id", s.id}, {"offset", s.offset}, {"length", s.length}, {"filename", s.filename},
          {"receiving", s.receiving}, {"location", "/api/uploads/" + s.id}};
}

// Streams one PATCH body into the upload; on the last byte registers the video (on the pool).
class UploadSink final : public BodySink {
 public:
  UploadSink(std::unique_ptr<library::Uploads::Append> append, VideoRoutesContext ctx)
      : append_(std::move(append)), ctx_(ctx) {}

  core::Status Write(const char* data, std::size_t size) override { return append_->Write(data, size); }

  void Finish(const core::Status& received, Respond respond) override {
    auto state = append_->Close();
    if (!received.ok() || !state.ok()) return;  // the client resumes from the stored offset
    const library::UploadState s = *state;
    ctx_.hub.Publish("uploads", nlohmann::json{{"type", "upload"}, {"upload", UploadJson(s)}}.dump(),
                     "upload:" + s.id);
    if (s.offset < s.length) {
      Response r;
      r.status = http::status::no_content;
      SetUploadHeaders(r, s);
      return respond(std::move(r));
    }
    auto& uploads = ctx_.uploads;
    bool queued = ctx_.pool.Submit([&uploads, s, respond] {
      auto video = uploads.Complete(s.id);
      Response r = JsonOr(video, video.ok() && !video->value("existing", false) ? http::status::created
                                                                                 : http::status::ok);
      SetUploadHeaders(r, s);
      respond(std::move(r));
    });
    if (!queued) respond(Response::Error(core::Status::Busy("the server is busy; send the last request again")));
  }

 private:
  std::unique_ptr<library::Uploads::Append> append_;
  VideoRoutesContext ctx_;
};

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

void AddVideoRoutes(Router& router, VideoRoutesContext ctx) {
  auto& lib = ctx.library;
  auto& uploads = ctx.uploads;

  // --- uploads (tus 1.0 core + creation)
  router.AddSync(http::verb::post, "/api/uploads", [&uploads](const Request& req) {
    std::optional<std::uint64_t> length = ParseUint(req.msg["Upload-Length"]);
    std::string filename = FilenameFromMetadata(req.msg["Upload-Metadata"]);
    if (!length && !req.body().empty()) {  // JSON alternative: {"length": N, "filename": "..."}
      auto j = nlohmann::json::parse(req.body(), nullptr, false);
      if (j.is_object() && j.contains("length") && j["length"].is_number_unsigned()) length = j["length"].get<std::uint64_t>();
      if (j.is_object() && j.contains("filename") && j["filename"].is_string()) filename = j["filename"];
    }
    if (!length) {
      return Response::Error(core::Status::InvalidArgument("give the total size as the Upload-Length header (or JSON \"length\")"));
    }
    auto s = uploads.Create(*length, filename);
    if (!s.ok()) return Response::Error(s.status());
    Response r = Response::Json(UploadJson(*s), http::status::created);
    SetUploadHeaders(r, *s);
    r.headers.set(http::field::location, "/api/uploads/" + s->id);
    return r;
  });
  router.AddSync(http::verb::get, "/api/uploads/{id}", [&uploads](const Request& req) {
    auto s = uploads.Get(req.params.at("id"));
    if (!s.ok()) return Response::Error(s.status());
    Response r = Response::Json(UploadJson(*s));
    SetUploadHeaders(r, *s);
    return r;
  });
  router.AddSync(http::verb::delete_, "/api/uploads/{id}", [&uploads](const Request& req) {
    core::Status st = uploads.Abort(req.params.at("id"));
    if (!st.ok()) return Response::Error(st);
    Response r;
    r.status = http::status::no_content;
    r.headers.set("Tus-Resumable", kTusVersion);
    return r;
  });
  router.AddStream(http::verb::patch, "/api/uploads/{id}", [ctx](const RequestPtr& req) -> StreamStart {
    auto offset = ParseUint(req->msg["Upload-Offset"]);
    if (!offset) return Response::Error(core::Status::InvalidArgument("the Upload-Offset header is required"));
    auto append = ctx.uploads.BeginAppend(req->params.at("id"), *offset);
    if (!append.ok()) {
      Response r = Response::Error(append.status());
      if (auto s = ctx.uploads.Get(req->params.at("id")); s.ok()) SetUploadHeaders(r, *s);
      return r;
    }
    return std::unique_ptr<BodySink>(new UploadSink(std::move(append).value(), ctx));
  });

  // --- the library
  router.Add(http::verb::post, "/api/videos", Offload(ctx.pool, [&lib](const Request& req) {
    auto j = nlohmann::json::parse(req.body(), nullptr, false);
    if (!j.is_object() || !j.contains("path") || !j["path"].is_string() || j["path"].get<std::string>().empty()) {
      return Response::Error(core::Status::InvalidArgument(
          "expected JSON {\"path\": \"/file/or/folder/on/the/server\"}; uploads go to /api/uploads"));
    }
    return JsonOr(lib.RegisterPath(j["path"].get<std::string>()), http::status::created);
  }));
  router.Add(http::verb::get, "/api/videos", Offload(ctx.pool, [&lib](const Request&) { return JsonOr(lib.List()); }));
  router.Add(http::verb::get, "/api/videos/{id}",
             Offload(ctx.pool, [&lib](const Request& req) { return JsonOr(lib.Get(req.params.at("id"))); }));
  router.Add(http::verb::delete_, "/api/videos/{id}", Offload(ctx.pool, [&lib](const Request& req) {
    core::Status st = lib.Delete(req.params.at("id"));
    if (!st.ok()) return Response::Error(st);
    Response r;
    r.status = http::status::no_content;
    return r;
  }));

  // --- HLS VOD
  router.Add(http::verb::get, "/api/videos/{id}/hls/{file}", Offload(ctx.pool, [&lib](const Request& req) {
    const std::string& id = req.params.at("id");
    const std::string& file = req.params.at("file");
    auto part = lib.HlsPart(id, file);
    if (!part.ok()) return Response::Error(part.status());
    if (file == "index.m3u8") {  // the playlist is cheap and may change with the library: revalidate
      return BytesResponse(req, *part->bytes, part->mime, "\"" + id + "-playlist\"", "no-cache");
    }
    return BytesResponse(req, *part->bytes, part->mime, "\"" + id + "-" + file + "\"", kImmutable);
  }));
  // The original's path stays valid.
  router.AddSync(http::verb::get, "/api/video_file/stream_hls/{id}", [](const Request& req) {
    // Only a well-formed id (32 hex digits) is redirected: the id goes into a header.
    const std::string& id = req.params.at("id");
    if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return Response::Error(core::Status::NotFound("no video " + id.substr(0, 64)));
    }
    Response r;
    r.status = http::status::found;
    r.headers.set(http::field::location, "/api/videos/" + req.params.at("id") + "/hls/index.m3u8");
    return r;
  });

  // --- frame at time
  router.Add(http::verb::get, "/api/videos/{id}/frame", Offload(ctx.pool, [&lib](const Request& req) {
    auto t = req.QueryNumber("t");
    if (!t) return Response::Error(core::Status::InvalidArgument("t must be a time in seconds, e.g. ?t=12.5"));
    int width = 0;
    if (auto w = req.Query("w")) {
      auto v = ParseUint(*w);
      if (!v || *v < 16 || *v > 7680) return Response::Error(core::Status::InvalidArgument("w must be a width from 16 to 7680"));
      width = static_cast<int>(*v);
    }
    // Scrubbing: a newer request from the same client cancels the older one.
    std::string client = req.Query("client").value_or(req.client_address());
    auto frame = lib.FrameJpeg(req.params.at("id"), *t, width, client);
    if (!frame.ok()) return Response::Error(frame.status());
    Response r;
    r.headers.set(http::field::content_type, "image/jpeg");
    r.headers.set(http::field::cache_control, "public, max-age=3600");
    r.headers.set("X-Frame-Time", std::to_string(frame->time_sec));
    r.body = std::move(frame->jpeg);
    return r;
  }));

  // --- thumbnails for scrubbing
  auto thumbs = std::make_shared<StaticFiles>(lib.thumbs_dir());
  auto serve_thumb = [thumbs, &lib](const Request& req, const std::string& file) {
    auto video = lib.Get(req.params.at("id"));  // unknown ids are 404 whatever is on disk
    if (!video.ok()) return Response::Error(video.status());
    if ((*video)["status"]["thumbnails"] != "ready") {
      Response r = Response::Error(core::Status::NotFound("thumbnails of " + req.params.at("id") + " are " +
                                                          (*video)["status"]["thumbnails"].get<std::string>()));
      r.headers.set(http::field::retry_after, "2");
      return r;
    }
    Request inner;
    inner.msg = req.msg;
    inner.path = "/" + req.params.at("id") + "/" + file;
    return thumbs->Serve(inner);
  };
  router.Add(http::verb::get, "/api/videos/{id}/thumbnails.vtt",
             Offload(ctx.pool, [serve_thumb](const Request& req) { return serve_thumb(req, "thumbnails.vtt"); }));
  router.Add(http::verb::get, "/api/videos/{id}/thumbnails.json",
             Offload(ctx.pool, [serve_thumb](const Request& req) { return serve_thumb(req, "thumbnails.json"); }));
  router.Add(http::verb::get, "/api/videos/{id}/thumbs/{file}", Offload(ctx.pool, [serve_thumb](const Request& req) {
    return serve_thumb(req, req.params.at("file"));
  }));
}

}  // namespace pw::server
