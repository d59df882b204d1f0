// ccload boot: registers what the boot configuration lists (run by ccload-boot.service).
#include <fmt/format.h>

#include <memory>

#include "boot_config.h"
#include "cc_object.h"
#include "cli.h"
#include "registry.h"

namespace ccload {

using json = nlohmann::json;

void add_boot_command(CLI::App &app, CommandContext &ctx) {
  auto config = std::make_shared<std::string>(kDefaultBootConfig);
  auto *boot = app.add_subcommand("boot", "Register the CCs listed in the boot configuration (idempotent)");
  boot->add_option("--config", *config, "TOML file listing [[cc]] entries")->capture_default_str();
  boot->callback([&ctx, config] {
    ctx.action = [&ctx, config] {
      Registry registry(ctx.opts.pin_root, ctx.opts.state_dir);
      auto entries = load_boot_config(*config);
      auto register_all = [&](const std::vector<BootEntry> &list) -> Result<json> {
        json done = json::array();
        for (const auto &e : list) {
          json item{{"object", e.object}};
          auto obj = CcObject::open(e.object);
          if (!obj) return std::unexpected(std::move(obj.error()).context("boot entry " + e.object));
          std::string name = e.name.value_or(obj->congestion_controls().front().name);
          if (registry.is_pinned(name)) {
            // A second run, or a restart of the service: keep the registration, reapply tunables.
            item["status"] = "already registered";
          } else {
            RegisterRequest req{e.object, e.name, e.allow, e.make_default};
            auto regs = registry.register_object(req);
            if (!regs) return std::unexpected(std::move(regs.error()).context("boot entry " + e.object));
            item["status"] = "registered";
          }
          item["name"] = name;
          if (!e.assignments.empty()) {
            auto changes = registry.set(name, e.assignments);
            if (!changes) return std::unexpected(std::move(changes.error()).context("boot entry " + e.object));
            item["tunables"] = e.assignments;
          }
          done.push_back(item);
        }
        return json{{"config", *config}, {"entries", done}};
      };
      Result<json> result = entries ? register_all(*entries) : Result<json>(std::unexpected(entries.error()));
      return emit(ctx.opts, result, [](const json &j) {
        for (const auto &e : j["entries"])
          fmt::print("{}: {}\n", e["name"].get<std::string>(), e["status"].get<std::string>());
      });
    };
  });
}

}  // namespace ccload
