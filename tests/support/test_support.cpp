#include "support/test_support.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace pw::test {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

TempDir::TempDir() {
  std::random_device rd;
  for (int i = 0; i < 100; ++i) {
    fs::path p = fs::temp_directory_path() / ("pwtest-" + std::to_string(rd()));
    if (fs::create_directory(p)) {
      path_ = p;
      return;
    }
  }
  throw std::runtime_error("cannot create temp dir");
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void WriteFile(const fs::path& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary);
  f << content;
  if (!f) throw std::runtime_error("cannot write " + path.string());
}

std::string ReadFile(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

namespace {

std::vector<std::string> MergedEnv(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> all;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) all[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) all[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : all) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Spawns argv with stdout/stderr redirected to the given files (stdin from /dev/null).
pid_t Spawn(std::vector<std::string> argv, const std::map<std::string, std::string>& env,
            const fs::path& out, const fs::path& err) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (err == out) {
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  auto envs = MergedEnv(env);
  auto cenv = CStrings(envs);
  auto cargv = CStrings(argv);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, cargv[0], &fa, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

// Waits up to `timeout` for pid; returns exit status or 128+signal; -1 when still running.
int WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(5ms);
  }
}

// Sends `signal` (0: none), waits up to `timeout`, then SIGKILLs; returns the exit status and
// forgets the pid.
int StopProcess(pid_t& pid, int signal, std::chrono::seconds timeout) {
  if (pid <= 0) return -1;
  if (signal != 0) kill(pid, signal);
  int rc = WaitFor(pid, timeout);
  if (rc == -1) {
    kill(pid, SIGKILL);
    rc = WaitFor(pid, 10s);
  }
  pid = -1;
  return rc;
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env, std::chrono::seconds timeout) {
  TempDir tmp;
  pid_t pid = Spawn(argv, env, tmp / "out", tmp / "err");
  CommandResult r;
  r.exit_code = WaitFor(pid, timeout);
  if (r.exit_code == -1) {
    kill(pid, SIGKILL);
    r.exit_code = WaitFor(pid, 10s);
  }
  r.out = ReadFile(tmp / "out");
  r.err = ReadFile(tmp / "err");
  return r;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env) {
  pid_ = Spawn(argv, env, temp_ / "out", temp_ / "err");
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0) Stop();
}

std::string BackgroundProcess::Output() const { return ReadFile(temp_ / "out") + ReadFile(temp_ / "err"); }

std::string BackgroundProcess::WaitForOutput(const std::string& pattern, std::chrono::seconds timeout) {
  const std::regex re(pattern);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    std::string out = Output();
    if (std::regex_search(out, m, re)) return m.size() > 1 ? m[1].str() : m[0].str();
    if (pid_ <= 0 || WaitFor(pid_, 0ms) != -1) {
      pid_ = -1;
      throw std::runtime_error("process exited before printing /" + pattern + "/:\n" + out);
    }
    std::this_thread::sleep_for(10ms);
  }
  throw std::runtime_error("timed out waiting for /" + pattern + "/:\n" + Output());
}

int BackgroundProcess::Stop(int signal, std::chrono::seconds timeout) { return StopProcess(pid_, signal, timeout); }

std::string PigweightBinary() {
  const char* bin = std::getenv("PW_BIN");
  if (bin && *bin && fs::exists(bin)) return bin;
  return std::string(PW_TEST_BINARY_DIR) + "/src/app/pigweight";
}

CommandResult Curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"curl", "-s", "--max-time", "60"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

std::string CurlResponse::Header(const std::string& name) const {
  std::string lower_headers = headers, lower_name = name + ":";
  for (auto& c : lower_headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : lower_name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto pos = lower_headers.rfind("\n" + lower_name);
  if (pos == std::string::npos) return "";
  auto start = pos + 1 + lower_name.size();
  auto end = headers.find("\r\n", start);
  std::string v = headers.substr(start, end - start);
  v.erase(0, v.find_first_not_of(' '));
  return v;
}

CurlResponse Fetch(const std::string& url, std::vector<std::string> extra) {
  TempDir tmp;
  std::vector<std::string> args = {"-D", (tmp / "h").string(), "-o", (tmp / "b").string(), "-w", "%{http_code}"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(url);
  CommandResult r = Curl(args);
  CurlResponse out;
  out.status = std::atoi(r.out.c_str());
  out.headers = ReadFile(tmp / "h");
  out.body = ReadFile(tmp / "b");
  return out;
}

ServerProcess::ServerProcess(Options options) {
  data_dir_ = options.data_dir.empty() ? temp_.path() / "data" : options.data_dir;
  log_path_ = temp_ / "server.log";
  std::vector<std::string> argv = {PigweightBinary(), "serve", "--host", "127.0.0.1", "--port", "0",
                                   "--data-dir", data_dir_.string()};
  argv.insert(argv.end(), options.args.begin(), options.args.end());
  auto env = options.env;
  env.emplace("LOG_LEVEL", "debug");
  env.emplace("PRELOAD_MODEL", "0");
  env.emplace("AUTO_INDEX", "0");  // tests that want the background index turn it on
  env.emplace("AUTH", "off");      // explicit, as the server allows; auth tests set AUTH=on
  pid_ = Spawn(argv, env, log_path_, log_path_);
  static const std::regex kListening(R"(listening on http://127\.0\.0\.1:(\d+))");
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    std::string log = Log();
    if (std::regex_search(log, m, kListening)) {
      port_ = std::stoi(m[1]);
      return;
    }
    if (WaitFor(pid_, 0ms) != -1) {
      pid_ = -1;
      throw std::runtime_error("pigweight serve exited at start:\n" + log);
    }
    std::this_thread::sleep_for(10ms);
  }
  Stop(SIGKILL);
  throw std::runtime_error("pigweight serve did not start listening:\n" + Log());
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop(SIGTERM, 10s);
}

std::string ServerProcess::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string ServerProcess::Log() const { return ReadFile(log_path_); }

int ServerProcess::Stop(int signal, std::chrono::seconds timeout) { return StopProcess(pid_, signal, timeout); }

}  // namespace pw::test
