#include "scale/sim_command.h"

#include <signal.h>

#include <cmath>
#include <ctime>
#include <iostream>
#include <memory>

#include <fmt/format.h>

namespace pw::scale {

std::function<int()> AddScaleSimCommand(CLI::App& app) {
  auto o = std::make_shared<SimulatorOptions>();
  auto duration = std::make_shared<double>(0);
  auto ramp = std::make_shared<double>(3);
  o->port = 9100;
  CLI::App* sub = app.add_subcommand("scale-sim", "Simulate a weighing indicator streaming ST,GS,+0056.0kg lines over TCP");
  sub->add_option("--host", o->host, "IPv4 address to listen on")->capture_default_str();
  sub->add_option("--port", o->port, "TCP port (0: any free port, printed on stdout)")->capture_default_str()->check(CLI::Range(0, 65535));
  sub->add_option("--rate", o->rate_hz, "Lines per second")->capture_default_str()->check(CLI::Range(0.1, 1000.0));
  sub->add_option("--target-kg", o->scenario.target_kg, "Weight of the group when settled")->capture_default_str();
  sub->add_option("--unit", o->unit, "Unit sent: kg, g, t or lb")->capture_default_str()->check(CLI::IsMember({"kg", "g", "t", "lb"}));
  sub->add_flag("--net", o->net, "Send net (NT) instead of gross (GS) weights");
  sub->add_option("--decimals", o->decimals, "Decimals of the value")->capture_default_str()->check(CLI::Range(0, 4));
  sub->add_option("--empty-s", o->scenario.empty_s, "Seconds of empty pen per cycle")->capture_default_str()->check(CLI::NonNegativeNumber);
  sub->add_option("--ramp-s", *ramp, "Seconds for animals to enter (and to leave)")->capture_default_str()->check(CLI::NonNegativeNumber);
  sub->add_option("--unsettled-s", o->scenario.unsettled_s, "Seconds of unstable wobble before settling")->capture_default_str()->check(CLI::NonNegativeNumber);
  sub->add_option("--hold-s", o->scenario.hold_s, "Seconds stable at the target")->capture_default_str()->check(CLI::NonNegativeNumber);
  sub->add_option("--noise-kg", o->scenario.noise_kg, "Wobble amplitude while unstable")->capture_default_str()->check(CLI::NonNegativeNumber);
  sub->add_option("--resolution-kg", o->scenario.resolution_kg, "Display step")->capture_default_str()->check(CLI::NonNegativeNumber);
  sub->add_option("--garbage-every", o->garbage_every, "Every Nth line is garbage (0: never)")->capture_default_str()->check(CLI::NonNegativeNumber);
  sub->add_option("--drop-every-s", o->drop_every_s, "Close all connections this often (0: never)")->capture_default_str()->check(CLI::NonNegativeNumber);
  sub->add_option("--seed", o->seed, "Noise seed")->capture_default_str();
  sub->add_option("--duration-s", *duration, "Stop after this many seconds (0: until Ctrl-C)")->capture_default_str()->check(CLI::NonNegativeNumber);
  return [o, duration, ramp] {
    o->scenario.ramp_up_s = o->scenario.ramp_down_s = *ramp;
    return RunScaleSim(*o, *duration);
  };
}

int RunScaleSim(const SimulatorOptions& options, double duration_s) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);  // before Start(): the thread inherits it
  int exit_code = 0;
  {
    ScaleSimulator sim(options);
    if (core::Status st = sim.Start(); !st.ok()) {
      std::cerr << "pigweight: " << st.message() << "\n";
      exit_code = st.code() == core::Code::kInvalidArgument ? 2 : 1;
    } else {
      std::cout << fmt::format(R"({{"port":{},"url":"{}"}})", sim.port(), sim.url()) << std::endl;
      double left = duration_s > 0 ? duration_s : -1;
      while (true) {
        double step = left < 0 ? 1.0 : std::min(left, 1.0);
        timespec ts{static_cast<time_t>(step), static_cast<long>((step - std::floor(step)) * 1e9)};
        if (sigtimedwait(&stop_signals, nullptr, &ts) > 0) break;
        if (left >= 0 && (left -= step) <= 0) break;
      }
      std::cerr << fmt::format("scale-sim: stopping after {} lines to {} connections\n", sim.lines_sent(), sim.connections_accepted());
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return exit_code;
}

}  // namespace pw::scale
