// Helpers shared by the test suites: temporary directories, running real programs (curl, ffmpeg)
// and starting the real `pigweight serve` binary on an ephemeral 127.0.0.1 port.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace pw::test {

// A fresh directory under the system temp dir, removed (recursively) when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;  // exit status, or 128+signal
  std::string out;     // stdout
  std::string err;     // stderr
};

// RunCommand: runs argv[0] (looked up in PATH) with the given extra environment, waits for it (killing it after
// `timeout`), and captures stdout/stderr.
CommandResult RunCommand(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env = {},
                  std::chrono::seconds timeout = std::chrono::seconds(120));

// Path of the built pigweight binary (from $PW_BIN, set by CTest).
std::string PigweightBinary();

// Writes `content` to `path`.
void WriteFile(const std::filesystem::path& path, const std::string& content);
std::string ReadFile(const std::filesystem::path& path);

// A helper program running in the background for one test (a scale simulator, an RTSP camera):
// started with its output captured, stopped (SIGTERM, then SIGKILL) when destroyed.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  // Waits until stdout+stderr match `pattern` (ECMAScript) and returns the first capture group
  // (or the whole match); throws with the output when the process exits or `timeout` passes.
  std::string WaitForOutput(const std::string& pattern, std::chrono::seconds timeout = std::chrono::seconds(30));
  std::string Output() const;
  pid_t pid() const { return pid_; }
  int Stop(int signal = 15, std::chrono::seconds timeout = std::chrono::seconds(10));

 private:
  TempDir temp_;
  pid_t pid_ = -1;
};

// Runs `pigweight serve` on 127.0.0.1 with port 0 and a private DATA_DIR, and stops it (SIGTERM,
// then SIGKILL after 10 s) when destroyed. Authentication is off (AUTH=off) unless options.env sets
// AUTH (tests of sign-in and roles set AUTH=on).
class ServerProcess {
 public:
  struct Options {
    std::vector<std::string> args;               // extra flags after `serve`
    std::map<std::string, std::string> env;      // extra environment
    std::filesystem::path data_dir;              // empty: a fresh temp dir
  };
  explicit ServerProcess(Options options);
  ServerProcess() : ServerProcess(Options{}) {}
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string Url(const std::string& path) const;
  const std::filesystem::path& data_dir() const { return data_dir_; }
  // Everything the server logged so far (stdout + stderr).
  std::string Log() const;
  // Sends `signal` and waits for exit; returns the exit status (or 128+signal).
  int Stop(int signal = 15, std::chrono::seconds timeout = std::chrono::seconds(15));
  // Waits for an exit already under way (SIGKILL after `timeout`); returns the exit status.
  int WaitForExit(std::chrono::seconds timeout) { return Stop(0, timeout); }
  bool running() const { return pid_ > 0; }

 private:
  TempDir temp_;
  std::filesystem::path data_dir_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// curl with the given arguments (-s is added); returns the result.
CommandResult Curl(const std::vector<std::string>& args);

// Status, headers and body of one HTTP exchange made with curl.
struct CurlResponse {
  int status = 0;
  std::string headers;
  std::string body;
  // The value of the last header `name` (case-insensitive), "" when absent.
  std::string Header(const std::string& name) const;
};
CurlResponse Fetch(const std::string& url, std::vector<std::string> extra_curl_args = {});

}  // namespace pw::test
