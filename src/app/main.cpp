// pigweight: one binary, several subcommands (see `pigweight --help`).
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

#include "app/commands.h"
#include "scale/sim_command.h"
#include "core/allocator.h"
#include "core/log.h"
#include "media/av_log.h"

extern char** environ;

std::map<std::string, std::string> pw::app::CurrentEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

int main(int argc, char** argv) {
  pw::core::ConfigureAllocator();  // before any thread: frames in mappings, not arenas
  pw::core::Timeline::Get();  // zero of the start-up timeline
  (void)pw::core::InitLogging("info");  // to stderr: stdout is for results (JSON)
  pw::media::RouteFfmpegLogs();
  CLI::App app{"PigWeight: counts pigs on a weighing-pen scale from an overhead camera"};
  app.require_subcommand(1);
  app.set_version_flag("--version", PW_VERSION);
  std::map<CLI::App*, pw::app::Command> commands;
  auto add = [&](pw::app::Command c) { commands[app.get_subcommands({}).back()] = std::move(c); };
  add(pw::app::AddServe(app));
  add(pw::app::AddProbe(app));
  add(pw::app::AddIndex(app));
  add(pw::app::AddGenScene(app));
  add(pw::app::AddCount(app));
  add(pw::app::AddModel(app));
  add(pw::app::AddLibrary(app));
  add(pw::app::AddEval(app));
  add(pw::app::AddBackup(app));
  add(pw::app::AddRestore(app));
  add(pw::scale::AddScaleSimCommand(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "pigweight: " << e.what() << " (see pigweight --help)\n";
    return 2;
  }
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) return run();
  }
  return 2;
}
