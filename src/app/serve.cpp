// `pigweight serve`: the server. Start-up order: config, logging, store, HTTP listening (the
// server answers from here on), then background components. Shutdown on SIGINT/SIGTERM.
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <thread>

#include "app/commands.h"
#include "auth/auth_service.h"
#include "server/api_auth.h"
#include "server/auth_gate.h"
#include "core/config.h"
#include "core/log.h"
#include "core/thread_pool.h"
#include "library/uploads.h"
#include "library/video_library.h"
#include "server/api_system.h"
#include "server/api_videos.h"
#include "server/api_counts.h"
#include "server/api_index.h"
#include "server/api_infer.h"
#include "library/indexer.h"
#include "library/recording_retention.h"
#include "server/api_scale.h"
#include "server/api_weighings.h"
#include "scale/scale_client.h"
#include "library/frame_counts.h"
#include "weighing/capture_station.h"
#include "weighing/journal_service.h"
#include "app/evidence.h"
#include "app/rate_limits.h"
#include "infer/engine.h"
#include "live/camera_manager.h"
#include "live/recording_repair.h"
#include "server/api_cameras.h"
#include "server/api_whep.h"
#include "server/api_live_hls.h"
#include "live/live_hls.h"
#include "webrtc/camera_manager_source.h"
#include "webrtc/whep_server.h"
#include "server/http_server.h"
#include "server/readiness.h"
#include "store/store.h"


namespace pw::app {
namespace {

struct ServeArgs {
  std::string config_file;
  std::map<std::string, std::string> flags;
};


// The scale's settings, checked one by one so an error names the setting that is wrong.
core::Result<scale::ScaleOptions> ScaleOptionsFrom(const core::Config& config) {
  scale::ScaleOptions o;
  auto check = [&o](const std::string& setting, const std::string& value) -> core::Status {
    core::Status st = scale::ValidateScaleOptions(o);
    return st.ok() ? st : core::Status::InvalidArgument(setting + "=" + value + ": " + st.message());
  };
  o.url = config.scale_url;
  PW_RETURN_IF_ERROR(check("SCALE_URL", config.scale_url));
  o.format = config.scale_format;
  PW_RETURN_IF_ERROR(check("SCALE_FORMAT", config.scale_format));
  o.default_unit = config.scale_unit;
  PW_RETURN_IF_ERROR(check("SCALE_UNIT", config.scale_unit));
  auto rule = scale::ParseStabilityRule(config.scale_stability);
  if (!rule.ok()) {
    return core::Status::InvalidArgument("SCALE_STABILITY=" + config.scale_stability + ": " + rule.status().message());
  }
  o.stability_rule = *rule;
  o.stability = {config.scale_stable_seconds, config.scale_stable_tolerance_kg};
  o.stall_seconds = config.scale_stall_seconds;
  PW_RETURN_IF_ERROR(check("SCALE_STABLE_SECONDS/SCALE_STALL_SECONDS", "…"));
  return o;
}

// A finished camera recording goes into the video library (on a recorder's or the work thread).
void RegisterRecording(library::VideoLibrary& library, const std::filesystem::path& path) {
  auto r = library.RegisterFile(path);
  if (!r.ok()) spdlog::error("recordings: {} could not be registered: {}", path.string(), r.status().message());
}

// Deletes recordings older than RECORD_KEEP_DAYS (library::SweepRecordings) on the work pool, now
// and then every hour.
void ScheduleRetention(boost::asio::steady_timer& timer, core::ThreadPool& work, std::function<void()> sweep,
                       std::chrono::seconds delay) {
  timer.expires_after(delay);
  timer.async_wait([&timer, &work, sweep = std::move(sweep)](const boost::system::error_code& ec) {
    if (ec) return;
    if (!work.Submit(sweep)) spdlog::warn("recordings: the work queue is full; retention runs at the next hour");
    ScheduleRetention(timer, work, sweep, std::chrono::hours(1));
  });
}

void SweepRecordingsNow(const core::Config& config, library::VideoLibrary& library, store::Store& store) {
  auto report = library::SweepRecordings(config.data_dir / "recordings", config.record_keep_days,
                                         std::chrono::system_clock::now(), library, store.videos(), store.journal());
  if (!report.ok()) {
    spdlog::error("recordings: retention skipped: {}", report.status().message());
    return;
  }
  for (const auto& e : report->errors) spdlog::warn("recordings: not deleted: {}", e);
  if (report->deleted > 0 || report->kept_for_weighings > 0) {
    spdlog::info("recordings: deleted {} older than {} days ({:.1f} MB freed); {} kept because weighings refer to them",
                 report->deleted, config.record_keep_days, static_cast<double>(report->bytes_freed) / 1e6,
                 report->kept_for_weighings);
  }
}

// Publishes the server's own state on the "server" topic every 2 s (coalesced per client).
void PublishServerState(boost::asio::steady_timer& timer, server::WsHub& hub, server::Metrics& m) {
  timer.expires_after(std::chrono::seconds(2));
  timer.async_wait([&timer, &hub, &m](const boost::system::error_code& ec) {
    if (ec) return;
    nlohmann::json j = {{"type", "server"},
                        {"data", {{"uptime_s", core::Timeline::Get().MsSinceStart() / 1000},
                                  {"connections", m.open_connections.load()},
                                  {"ws_clients", m.ws_clients.load()}}}};
    hub.Publish("server", j.dump(), "server");
    PublishServerState(timer, hub, m);
  });
}

int Serve(const ServeArgs& args) {
  core::ConfigInputs inputs;
  inputs.env = CurrentEnvironment();
  if (!args.config_file.empty()) {
    inputs.file = args.config_file;
  } else if (auto it = inputs.env.find("PIGWEIGHT_CONFIG"); it != inputs.env.end() && !it->second.empty()) {
    inputs.file = it->second;
  }
  inputs.flags = args.flags;
  auto loaded = core::LoadConfig(inputs);
  if (!loaded.ok()) {
    std::cerr << "pigweight: configuration error: " << loaded.status().message() << "\n";
    return 2;
  }
  const core::Config& config = loaded->config;
  (void)core::InitLogging(config.log_level);
  core::Timeline::Get().Mark("config loaded");
  spdlog::info("pigweight {} starting; data in {}", PW_VERSION, std::filesystem::absolute(config.data_dir).string());

  server::Readiness readiness;
  auto store = store::OpenSqliteStore(config.data_dir);
  if (!store.ok()) {
    std::cerr << "pigweight: cannot open the store: " << store.status().message() << "\n";
    return 2;
  }
  readiness.Set("store", server::Readiness::State::kReady,
                (*store)->backend() + " " + (*store)->location() + " schema v" +
                    std::to_string((*store)->schema_version()));
  core::Timeline::Get().Mark("store opened");
  // Users, sessions and API tokens. Their few writes on the request path go to the work pool
  // once it exists (declared after the service, so it is joined before the service goes).
  std::atomic<core::ThreadPool*> auth_writes{nullptr};
  auth::AuthOptions auth_options;
  auth_options.session_ttl = std::chrono::milliseconds(static_cast<int64_t>(config.session_ttl_hours * 3600e3));
  auth_options.defer = [&auth_writes](std::function<void()> write) {
    core::ThreadPool* pool = auth_writes.load();
    if (pool == nullptr || !pool->Submit(write)) write();
  };
  auto auth_service = auth::AuthService::Open((*store)->location(), auth_options);
  if (!auth_service.ok()) {
    std::cerr << "pigweight: cannot open the user database: " << auth_service.status().message() << "\n";
    return 2;
  }
  if (!config.auth) {
    spdlog::warn("AUTH is off: anyone who can reach this server can change and delete everything "
                 "(set AUTH=on; it is on unless switched off)");
  } else if (auto admin = (*auth_service)->EnsureAdmin(config.admin_password); !admin.ok()) {
    std::cerr << "pigweight: cannot create the first admin: " << admin.status().message() << "\n";
    return 2;
  } else if (*admin) {
    spdlog::warn("FIRST START: created user 'admin' with password {} -- sign in and change it; "
                 "it is not shown again (or set ADMIN_PASSWORD before the first start)", **admin);
  }
  server::AuthGate auth_gate({config.auth, server::ParseOriginList(config.cors_origins), config.cookie_secure},
                             **auth_service);

  server::Metrics metrics;
  server::WsHub hub(metrics, {config.ws_queue_limit, 8u << 20});
  server::Router router;
  std::unique_ptr<server::StaticFiles> static_files;
  if (std::filesystem::is_directory(config.web_dir)) {
    static_files = std::make_unique<server::StaticFiles>(config.web_dir);
  } else {
    spdlog::warn("web UI directory {} not found; only the API is served", config.web_dir.string());
  }

  // One inference engine for the process, shared by every source.
  infer::EngineOptions engine_options;
  engine_options.model_path = config.model_path;
  engine_options.cache_dir = config.data_dir / "models";
  engine_options.workers = config.infer_workers;
  engine_options.threads_per_net = config.infer_threads;
  engine_options.max_batch = config.batch;
  engine_options.postprocess.conf_threshold = static_cast<float>(config.conf_threshold);
  engine_options.postprocess.iou_threshold = static_cast<float>(config.iou_threshold);
  engine_options.postprocess.class_ids = config.target_class_ids;
  infer::Engine engine(engine_options);
  server::AddInferRoutes(router, engine, readiness);

  library::LibraryOptions library_options;
  library_options.data_dir = config.data_dir;
  library_options.segment_cache_bytes = config.segment_cache_mb << 20;
  library_options.jpeg_quality = config.jpeg_quality;
  library::VideoLibrary library(library_options, (*store)->videos(),
                                [&hub](const std::string& id, const nlohmann::json& event) {
                                  // Thumbnail progress is coalesced (a slow client gets the newest).
                                  std::string type = event.value("type", "");
                                  hub.Publish("video:" + id, event.dump(), type == "thumbnails" ? "thumbs:" + id : "");
                                });
  library::Uploads uploads(config.data_dir / "uploads", config.max_upload_bytes, library,
                           config.min_free_disk_mb << 20, static_cast<std::size_t>(config.max_active_uploads));
  library::FrameCounter frame_counter(library, engine, static_cast<float>(config.count_threshold));
  library::IndexerOptions index_options;
  index_options.sample_fps = config.index_fps;
  index_options.jobs = config.index_jobs;
  index_options.chunk_seconds = config.index_chunk_s;
  index_options.auto_index = config.auto_index;
  index_options.keep_old = config.index_keep_old;
  index_options.model_path = config.model_path;
  index_options.counting.count_score = static_cast<float>(config.count_threshold);
  index_options.counting.consensus.window_seconds = config.avg_window_s;
  index_options.counting.consensus.stable_seconds = config.stable_seconds;
  index_options.params = {{"conf", config.conf_threshold}, {"iou", config.iou_threshold},
                          {"classes", config.target_class_ids}};
  library::Indexer indexer(index_options, library, engine, (*store)->count_indexes(),
                           [&hub](const std::string& id, const nlohmann::json& event, const std::string& key) {
                             hub.Publish("video:" + id, event.dump(), key);
                           });
  frame_counter.SetIndexer(&indexer);
  library.AddObserver([&indexer, auto_index = config.auto_index](const std::string& id, const nlohmann::json& event) {
    if (event.value("action", "") == "deleted") indexer.Drop(id);
    if (event.value("action", "") == "registered" && auto_index) (void)indexer.Enqueue(id);
  });
  // Automatic weighings (AUTO_CAPTURE): the scale and the station's camera both stable. Proposals go
  // to `on_proposal`, set once the work pool exists (nothing feeds the station before start-up ends).
  std::function<void(const nlohmann::json&)> on_proposal;
  weighing::AutoCaptureOptions capture_options;
  capture_options.mode = *weighing::ParseCaptureMode(config.auto_capture);
  capture_options.stable_seconds = config.auto_capture_seconds;
  capture_options.min_kg = std::max(config.weight_min_kg, 1.0);
  weighing::CaptureStation station(capture_options, config.auto_capture_camera,
                                   [&on_proposal](const nlohmann::json& p) { if (on_proposal) on_proposal(p); });
  // The scale indicator, when there is one: readings go to the WebSocket as they arrive.
  std::unique_ptr<scale::ScaleClient> scale;
  if (!config.scale_url.empty()) {
    auto options = ScaleOptionsFrom(config);
    if (!options.ok()) {
      std::cerr << "pigweight: configuration error: " << options.status().message() << "\n";
      return 2;
    }
    scale = std::make_unique<scale::ScaleClient>(*options, [&hub, &station](const scale::ScaleReading& r) {
      hub.Publish("scale", server::ScaleReadingJson(r).dump(), "scale");
      station.OnScale(r.kg, r.stable);
    });
  }
  server::AddScaleRoutes(router, scale.get());

  // Cameras: declared before the server and the work pool, so that at exit the pool's tasks finish
  // and the connections (MJPEG viewers) close first; the cameras then stop (threads joined) before
  // the engine and the hub they use go away. Nothing here waits for a camera.
  live::CameraManagerOptions camera_options;
  camera_options.cameras_file = config.data_dir / "cameras.json";
  camera_options.cam_url = config.cam_url;
  camera_options.cam_transport = config.rtsp_transport == "udp" ? live::Transport::kUdp : live::Transport::kTcp;
  camera_options.auto_start = config.auto_start_cam;
  auto seconds = [](double s) { return std::chrono::milliseconds(static_cast<int64_t>(s * 1000)); };
  camera_options.defaults.ingest.packet_timeout = seconds(config.rtsp_timeout_s);
  camera_options.defaults.ingest.open_timeout = seconds(config.rtsp_open_timeout_s);
  camera_options.defaults.ingest.backoff_max = seconds(config.rtsp_backoff_max_s);
  camera_options.defaults.count.fps = config.fps;
  camera_options.defaults.count.frame_skip = config.frame_skip;
  camera_options.defaults.count.counting.count_score = static_cast<float>(config.count_threshold);
  camera_options.defaults.count.counting.consensus.window_seconds = config.avg_window_s;
  camera_options.defaults.count.counting.consensus.stable_seconds = config.stable_seconds;
  camera_options.defaults.mjpeg.fps = config.mjpeg_fps;
  camera_options.defaults.jpeg_quality = config.jpeg_quality;
  camera_options.cam_record = config.cam_record;
  camera_options.record_segment_seconds = config.record_segment_seconds;
  camera_options.defaults.record.dir = config.data_dir / "recordings";
  camera_options.defaults.record.min_free_bytes = config.min_free_disk_mb << 20;
  camera_options.defaults.record.on_segment = [&library](const std::filesystem::path& p) { RegisterRecording(library, p); };
  std::atomic<webrtc::WhepServer*> whep_meta{nullptr};  // set while WebRTC viewers can get metadata
  live::CameraManager cameras(camera_options, &engine,
                              [&hub, &station, &whep_meta](const std::string& topic, const nlohmann::json& m) {
    // Camera state is a state message: a newer one replaces a queued older one per client.
    std::string key = m.value("type", "") == "camera_state" ? topic + ":state" : std::string();
    hub.Publish(topic, m.dump(), key);
    station.OnCountMessage(m.value("camera", ""), m);
    if (m.value("type", "") == "count") {
      if (auto* w = whep_meta.load()) w->SendMetadata(m.value("camera", ""), m.dump());
    }
  });
  metrics.AddCollector([&cameras](std::string& out) { cameras.RenderMetrics(out); });
  // WebRTC (WHEP) viewers of the cameras: H.264 forwarded without re-encoding, counts on a data
  // channel. Before the server and the work pool, so that those go first at exit.
  webrtc::CameraManagerSource whep_source(cameras);
  webrtc::WhepOptions whep_options;
  whep_options.max_sessions = config.webrtc_max_sessions;
  for (size_t from = 0; from < config.webrtc_ice_addresses.size();) {
    size_t comma = std::min(config.webrtc_ice_addresses.find(',', from), config.webrtc_ice_addresses.size());
    std::string address = config.webrtc_ice_addresses.substr(from, comma - from);
    address.erase(0, address.find_first_not_of(' '));
    address.erase(address.find_last_not_of(' ') + 1);
    if (!address.empty()) whep_options.ice_addresses.push_back(address);
    from = comma + 1;
  }
  webrtc::WhepServer whep(whep_options, whep_source);
  // Live LL-HLS: one remuxer per watched camera, started by the first playlist request.
  live::CameraManagerHlsSource live_hls_source(cameras);
  live::LiveHls live_hls(live::LiveHlsOptions{}, live_hls_source);
  weighing::WeighingOptions weighing_options;
  weighing_options.default_station = config.station;
  weighing_options.limits.min_total_kg = config.weight_min_kg;
  weighing_options.limits.max_total_kg = config.weight_max_kg;
  weighing_options.shares.min_score = static_cast<float>(config.count_threshold);
  weighing::WeighingService weighings(
      weighing_options, (*store)->journal(), MakeEvidenceProvider(frame_counter, indexer, cameras, engine),
      [&hub](const nlohmann::json& event) { hub.Publish("weighings", event.dump()); });
  // Destruction runs in reverse: the work pool is joined first (its tasks use the library and post
  // answers to the network threads' io_context), then the server and its connections (an upload
  // in flight releases its upload), then the library.
  server::ServerLimits limits = server::ServerLimits::FromConfig(config);
  if (auto proxies = server::TrustedProxies::Parse(config.trusted_proxies); proxies.ok()) {
    limits.trusted_proxies = std::move(proxies).value();
  } else {
    std::cerr << "pigweight: TRUSTED_PROXIES=" << config.trusted_proxies << ": " << proxies.status().message() << "\n";
    return 2;
  }
  server::HttpServer http(std::move(limits), router, static_files.get(), metrics, hub);
  // Blocking work (probing, remuxing, decoding) never runs on the network threads.
  core::ThreadPool work("pw-work", static_cast<std::size_t>(config.work_threads), 1024);
  auth_writes = &work;
  http.SetAuthorizer(&auth_gate);
  server::AddAuthRoutes(router, {**auth_service, auth_gate, work});
  server::AddSystemRoutes(router, {config, readiness, metrics, hub, http.io()});
  server::AddVideoRoutes(router, {library, uploads, work, hub});
  server::AddCountRoutes(router, frame_counter, work);
  server::AddIndexRoutes(router, indexer, work);
  server::AddWeighingRoutes(router, weighings, work);
  server::AddCameraRoutes(router, cameras, work);
  server::AddWhepRoutes(router, whep, work);
  server::AddLiveHlsRoutes(router, live_hls);
  on_proposal = [&hub, &work, &weighings](const nlohmann::json& p) {
    spdlog::info("auto-capture: {} animals and {} kg stable on {}: {}", p["count"].dump(), p["total_kg"].dump(),
                 p["camera"].get<std::string>(), p.value("mode", "") == "save" ? "saving" : "weighing_proposal sent");
    if (p.value("mode", "") != "save") {
      hub.Publish("weighings", p.dump());  // the operator's screen asks to confirm
      return;
    }
    nlohmann::json body = {{"count", p["count"]}, {"auto_count", p["count"]}, {"total_kg", p["total_kg"]},
                           {"confidence", p["confidence"]}, {"note", "automatic"},
                           {"source", {{"kind", "camera"}, {"camera_id", p["camera"]}}}};
    if (!work.Submit([&weighings, body] {
          if (auto r = weighings.Create(body, "auto-capture"); !r.ok()) {
            spdlog::error("auto-capture: the weighing was not saved: {}", r.status().message());
          }
        })) {
      spdlog::error("auto-capture: the work queue is full; the weighing was not saved");
    }
  };

  // After every route is registered: the per-client limits on the expensive ones.
  auto rate_limits = InstallRateLimits(router, config, metrics);
  if (!rate_limits.ok()) {
    std::cerr << "pigweight: " << rate_limits.status().message() << "\n";
    return 2;
  }
  if (auto st = http.Listen(config.host, config.port); !st.ok()) {
    std::cerr << "pigweight: " << st.message() << "\n";
    return 1;
  }
  readiness.Set("http", server::Readiness::State::kReady, "listening on port " + std::to_string(http.port()));
  spdlog::info("listening on http://{}:{}", config.host, http.port());
  spdlog::default_logger()->flush();  // supervisors and tests wait for this line
  core::Timeline::Get().Mark("server listening");
  if (config.debug_routes) spdlog::warn("DEBUG_ROUTES is on: test-only load routes are enabled");
  library.Start();
  if (auto st = whep.Start(); !st.ok()) {
    spdlog::warn("webrtc: {} (live view falls back to MJPEG)", st.message());
  } else {
    whep_meta = &whep;
  }
  // Segments a crash left as .part are cut to their last complete fragment before recorders start.
  if (auto recovered = live::RecoverRecordings(config.data_dir / "recordings"); !recovered.empty()) {
    if (!work.Submit([&library, recovered] {
          for (const auto& p : recovered) RegisterRecording(library, p);
        })) {
      spdlog::error("recordings: the work queue is full; recovered recordings are not registered");
    }
  }
  if (auto st = cameras.Load(); !st.ok()) {
    spdlog::error("cameras: {}", st.message());  // the server still runs; the API can fix the list
  }
  indexer.Start();
  if (scale) {
    if (auto st = scale->Start(); !st.ok()) spdlog::error("scale: {}", st.message());
    spdlog::info("scale: reading {}", config.scale_url);
  }
  if (config.preload_model) {
    engine.Preload();  // in the background: the server already answers
    core::Timeline::Get().Mark("model preload started");
  }

  boost::asio::signal_set signals(http.io(), SIGINT, SIGTERM);
  int signal_count = 0;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (++signal_count > 1) {
          spdlog::warn("second signal: stopping now");
          http.io().stop();
          return;
        }
        spdlog::info("signal {}: graceful shutdown (up to {} s)", sig, config.shutdown_grace_s);
        http.Shutdown();
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);
  boost::asio::steady_timer state_timer(http.io());
  PublishServerState(state_timer, hub, metrics);
  boost::asio::steady_timer retention_timer(http.io());
  if (config.record_keep_days > 0) {
    ScheduleRetention(retention_timer, work, [&config, &library, &store] { SweepRecordingsNow(config, library, **store); },
                      std::chrono::seconds(0));
  }

  int threads = config.io_threads > 0 ? config.io_threads
                                      : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  http.Run(threads);
  // Stop what feeds the capture station, the WebRTC viewers and the work pool before they go away.
  whep_meta = nullptr;
  cameras.StopAll();
  whep.Stop();
  live_hls.Stop();
  if (scale) scale->Stop();
  indexer.Stop();
  spdlog::info("pigweight stopped");
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace

Command AddServe(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* sub = app.add_subcommand("serve", "Run the server (HTTP API, web UI, cameras, indexing)");
  sub->add_option("--config", args->config_file,
                  "Config file (TOML or JSON; keys as below). Env: PIGWEIGHT_CONFIG");
  sub->get_formatter()->column_width(34);
  for (const auto& s : core::Settings()) {
    std::string help = s.help + " [env " + s.env + ", default: " +
                       (s.default_text.empty() ? "none" : s.default_text) + "]";
    sub->add_option_function<std::string>(
        s.flag(), [args, key = s.key](const std::string& v) { args->flags[key] = v; }, help);
  }
  return [args] { return Serve(*args); };
}

}  // namespace pw::app
