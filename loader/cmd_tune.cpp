// ccload set | default | allow
#include <fmt/format.h>

#include <memory>

#include "cli.h"
#include "kernel_ccs.h"
#include "registry.h"

namespace ccload {

using json = nlohmann::json;

void add_tuning_commands(CLI::App &app, CommandContext &ctx) {
  struct SetArgs {
    std::string name;
    std::vector<std::string> assignments;
  };
  auto args = std::make_shared<SetArgs>();
  auto *set = app.add_subcommand("set", "Change tunables of a registered BPF CC at run time");
  set->add_option("name", args->name, "congestion control name")->required();
  set->add_option("assignments", args->assignments, "<param>=<value> ...")->required();
  set->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      auto result = map_ok(Registry(ctx.opts.pin_root, ctx.opts.state_dir).set(args->name, args->assignments),
                           [&](const std::vector<TunableChange> &changes) {
                          json list = json::array();
                          for (const auto &c : changes)
                            list.push_back({{"name", c.name}, {"old", c.old_value}, {"new", c.new_value}});
                          return json{{"name", args->name}, {"changes", list}};
                        });
      return emit(ctx.opts, result, [](const json &j) {
        for (const auto &c : j["changes"])
          fmt::print("{}: {} {} -> {}\n", j["name"].get<std::string>(), c["name"].get<std::string>(),
                     c["old"].get<std::string>(), c["new"].get<std::string>());
      });
    };
  });

  auto def_name = std::make_shared<std::string>();
  auto *def = app.add_subcommand("default", "Set net.ipv4.tcp_congestion_control in the current network namespace");
  def->add_option("name", *def_name, "congestion control name")->required();
  def->callback([&ctx, def_name] {
    ctx.action = [&ctx, def_name] {
      auto previous = default_cc();
      Result<json> result = previous ? map_ok(set_default_cc(*def_name),
                                              [&] { return json{{"default", *def_name}, {"previous", *previous}}; })
                                     : Result<json>(std::unexpected(previous.error()));
      return emit(ctx.opts, result, [](const json &j) {
        fmt::print("default congestion control: {} (was {})\n", j["default"].get<std::string>(),
                   j["previous"].get<std::string>());
      });
    };
  });

  auto allow_name = std::make_shared<std::string>();
  auto *allow = app.add_subcommand("allow", "Add a CC to net.ipv4.tcp_allowed_congestion_control");
  allow->add_option("name", *allow_name, "congestion control name")->required();
  allow->callback([&ctx, allow_name] {
    ctx.action = [&ctx, allow_name] {
      Result<json> result = fail(*allow_name + " is not a congestion control this kernel offers", "run `ccload list`");
      if (is_available(*allow_name)) {
        auto added = allow_cc(*allow_name);
        result = added ? map_ok(allowed_ccs(), [](const auto &a) { return json{{"allowed", a}}; })
                       : Result<json>(std::unexpected(added.error()));
      }
      return emit(ctx.opts, result, [](const json &j) {
        std::string s;
        for (const auto &a : j["allowed"]) s += (s.empty() ? "" : " ") + a.get<std::string>();
        fmt::print("allowed: {}\n", s);
      });
    };
  });
}

}  // namespace ccload
