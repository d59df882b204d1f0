// ccload register | unregister | upgrade
#include <fmt/format.h>

#include <memory>

#include "cli.h"
#include "registry.h"

namespace ccload {

using json = nlohmann::json;

namespace {

json to_json(const RegisteredCc &r) {
  return {{"name", r.name}, {"source", r.source}, {"pin_dir", r.pin_dir},
          {"link_id", r.link_id}, {"map_id", r.map_id}, {"pins", r.pins}};
}

Registry registry_for(const GlobalOptions &o) { return Registry(o.pin_root, o.state_dir); }

}  // namespace

void add_registration_commands(CLI::App &app, CommandContext &ctx) {
  struct RegisterArgs {
    RegisterRequest req;
    std::string name;
  };
  auto args = std::make_shared<RegisterArgs>();
  auto *reg = app.add_subcommand("register", "Register the congestion control(s) of a BPF object");
  reg->add_option("object", args->req.object, "built-in name (see `ccload list --builtin`) or path of a BPF object")
      ->required();
  reg->add_option("--name", args->name, "register under this name instead of the object's (at most 15 characters)");
  reg->add_flag("--allow", args->req.allow, "add it to net.ipv4.tcp_allowed_congestion_control");
  reg->add_flag("--default", args->req.make_default, "make it net.ipv4.tcp_congestion_control");
  reg->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      if (!args->name.empty()) args->req.name = args->name;
      auto result = map_ok(registry_for(ctx.opts).register_object(args->req), [&](const auto &regs) {
        json list = json::array();
        for (const auto &r : regs) list.push_back(to_json(r));
        return json{{"registered", list}, {"allowed", args->req.allow}, {"default", args->req.make_default}};
      });
      return emit(ctx.opts, result, [](const json &j) {
        for (const auto &r : j["registered"])
          fmt::print("registered {} from {} (link {}, struct_ops map {}), pinned at {}\n",
                     r["name"].get<std::string>(), r["source"].get<std::string>(), r["link_id"].get<uint32_t>(),
                     r["map_id"].get<uint32_t>(), r["pin_dir"].get<std::string>());
        if (j["allowed"].get<bool>()) fmt::print("added to net.ipv4.tcp_allowed_congestion_control\n");
        if (j["default"].get<bool>()) fmt::print("now the default congestion control\n");
      });
    };
  });

  auto unreg_name = std::make_shared<std::string>();
  auto *unreg = app.add_subcommand("unregister", "Unregister a CC that ccload registered (live sockets keep it until they close)");
  unreg->add_option("name", *unreg_name, "congestion control name")->required();
  unreg->callback([&ctx, unreg_name] {
    ctx.action = [&ctx, unreg_name] {
      auto result = map_ok(registry_for(ctx.opts).unregister(*unreg_name), [](const UnregisterOutcome &o) {
        json j{{"unregistered", o.name}};
        if (o.default_reset_to) j["default_reset_to"] = *o.default_reset_to;
        return j;
      });
      return emit(ctx.opts, result, [](const json &j) {
        fmt::print("unregistered {}\n", j["unregistered"].get<std::string>());
        if (j.contains("default_reset_to"))
          fmt::print("it was the default; the default is now {}\n", j["default_reset_to"].get<std::string>());
      });
    };
  });

  struct UpgradeArgs {
    std::string name, object;
  };
  auto up = std::make_shared<UpgradeArgs>();
  auto *upg = app.add_subcommand("upgrade", "Swap a registered CC's implementation atomically; connections keep running");
  upg->add_option("name", up->name, "registered congestion control")->required();
  upg->add_option("object", up->object, "built-in name or path of the new BPF object")->required();
  upg->callback([&ctx, up] {
    ctx.action = [&ctx, up] {
      auto result = map_ok(registry_for(ctx.opts).upgrade(up->name, up->object), [](const RegisteredCc &r) {
        return json{{"upgraded", to_json(r)}};
      });
      return emit(ctx.opts, result, [](const json &j) {
        const auto &r = j["upgraded"];
        fmt::print("upgraded {}: now running {} (struct_ops map {}, same link {})\n", r["name"].get<std::string>(),
                   r["source"].get<std::string>(), r["map_id"].get<uint32_t>(), r["link_id"].get<uint32_t>());
      });
    };
  });
}

}  // namespace ccload
