// ccload list | show
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "builtin_ccs.h"
#include "cli.h"
#include "kernel_ccs.h"
#include "registry.h"

namespace ccload {

using json = nlohmann::json;

namespace {

json flag_names(uint32_t flags) {
  json names = json::array();
  if (flags & 0x1) names.push_back("TCP_CONG_NON_RESTRICTED");
  if (flags & 0x2) names.push_back("TCP_CONG_NEEDS_ECN");
  if (flags & ~0x3u) names.push_back(fmt::format("0x{:x}", flags & ~0x3u));
  return names;
}

Result<json> list_json(const Registry &registry, bool with_builtin) {
  auto available = available_ccs();
  if (!available) return std::unexpected(available.error());
  auto allowed = allowed_ccs();
  if (!allowed) return std::unexpected(allowed.error());
  auto def = default_cc();
  if (!def) return std::unexpected(def.error());
  // Without privileges the kernel will not describe BPF CCs; list them as unknown kind then.
  auto bpf = registered_bpf_ccs();

  json ccs = json::array();
  for (const auto &name : *available) {
    json cc{{"name", name},
            {"default", name == *def},
            {"allowed", std::find(allowed->begin(), allowed->end(), name) != allowed->end()},
            {"pinned_by_ccload", registry.is_pinned(name)}};
    if (!bpf) {
      cc["kind"] = registry.is_pinned(name) ? "bpf" : "unknown";
    } else if (auto it = bpf->find(name); it != bpf->end()) {
      cc["kind"] = "bpf";
      cc["map_id"] = it->second.map_id;
      if (it->second.link_id) cc["link_id"] = it->second.link_id;
      if (registry.is_pinned(name)) cc["pin_dir"] = registry.pin_dir(name);
    } else {
      cc["kind"] = "native";
    }
    ccs.push_back(cc);
  }
  json j{{"congestion_controls", ccs}, {"default", *def}, {"allowed", *allowed}};
  if (!bpf) j["warning"] = "cannot tell BPF from native CCs: " + bpf.error().message;
  if (with_builtin) {
    json b = json::array();
    for (const auto &cc : builtin_ccs()) b.push_back({{"name", cc.name}, {"summary", cc.summary}});
    j["builtin"] = b;
  }
  return j;
}

void print_list(const json &j) {
  fmt::print("{:<16} {:<7} {:<8} {:<8} {}\n", "NAME", "KIND", "DEFAULT", "ALLOWED", "REGISTERED BY");
  // CC names have at most 15 characters, so the first column always fits.
  for (const auto &cc : j["congestion_controls"]) {
    std::string by;
    if (cc["kind"] == "bpf")
      by = cc.value("pinned_by_ccload", false) ? "ccload (" + cc.value("pin_dir", std::string()) + ")"
                                                : "another tool";
    fmt::print("{:<16} {:<7} {:<8} {:<8} {}\n", cc["name"].get<std::string>(), cc["kind"].get<std::string>(),
               cc["default"].get<bool>() ? "*" : "", cc["allowed"].get<bool>() ? "yes" : "no", by);
  }
  if (j.contains("warning")) fmt::print(stderr, "warning: {}\n", j["warning"].get<std::string>());
  if (j.contains("builtin")) {
    fmt::print("\nbuilt-in objects (`ccload register <name>`):\n");
    for (const auto &b : j["builtin"])
      fmt::print("  {:<18} {}\n", b["name"].get<std::string>(), b["summary"].get<std::string>());
  }
}

json details_json(const CcDetails &d) {
  json j{{"name", d.name}, {"kind", d.bpf ? "bpf" : "native"}, {"default", d.is_default}, {"allowed", d.allowed}};
  if (!d.bpf) return j;
  j["pinned_by_ccload"] = d.pinned_by_ccload;
  if (d.pinned_by_ccload) {
    j["pin_dir"] = d.pin_dir;
    j["source"] = d.source;
    j["registered_at"] = d.registered_at;
  }
  j["map_id"] = d.map_id;
  j["link_id"] = d.link_id;
  j["flags"] = d.flags;
  j["flag_names"] = flag_names(d.flags);
  json ops = json::array();
  for (const auto &o : d.ops) ops.push_back({{"op", o.op}, {"prog_id", o.prog_id}, {"prog_name", o.prog_name}});
  j["ops"] = ops;
  json tunables = json::array(), counters = json::array();
  for (const auto &v : d.variables) {
    json e{{"name", v.var.name}, {"type", v.var.type_name}, {"value", v.value}, {"section", v.var.section}};
    (v.var.is_tunable() ? tunables : counters).push_back(e);
  }
  j["tunables"] = tunables;
  j["counters"] = counters;
  return j;
}

void print_details(const json &j) {
  fmt::print("{}: {} congestion control\n", j["name"].get<std::string>(), j["kind"].get<std::string>());
  fmt::print("  default: {}, allowed for unprivileged use: {}\n", j["default"].get<bool>() ? "yes" : "no",
             j["allowed"].get<bool>() ? "yes" : "no");
  if (j["kind"] != "bpf") return;
  if (j["pinned_by_ccload"].get<bool>()) {
    fmt::print("  object:     {}\n", j["source"].get<std::string>());
    fmt::print("  registered: {}\n", j["registered_at"].get<std::string>());
    fmt::print("  pinned at:  {}\n", j["pin_dir"].get<std::string>());
  } else {
    fmt::print("  registered by another tool (not pinned under ccload's directory)\n");
  }
  fmt::print("  link {}, struct_ops map {}\n", j["link_id"].get<uint32_t>(), j["map_id"].get<uint32_t>());
  std::string flags;
  for (const auto &f : j["flag_names"]) flags += (flags.empty() ? "" : " | ") + f.get<std::string>();
  fmt::print("  flags:      {}\n", flags.empty() ? "none" : flags);
  fmt::print("  ops:\n");
  for (const auto &o : j["ops"])
    fmt::print("    {:<14} {} (prog {})\n", o["op"].get<std::string>(), o["prog_name"].get<std::string>(),
               o["prog_id"].get<uint32_t>());
  size_t width = 0;
  for (const char *kind : {"tunables", "counters"})
    for (const auto &v : j[kind]) width = std::max(width, v["name"].get<std::string>().size());
  for (const char *kind : {"tunables", "counters"}) {
    fmt::print("  {}:{}\n", kind, j[kind].empty() ? " none" : "");
    for (const auto &v : j[kind])
      fmt::print("    {:<{}} = {:<10} ({}, {})\n", v["name"].get<std::string>(), width,
                 v["value"].get<std::string>(), v["type"].get<std::string>(), v["section"].get<std::string>());
  }
}

}  // namespace

void add_inspection_commands(CLI::App &app, CommandContext &ctx) {
  auto builtin = std::make_shared<bool>(false);
  auto *list = app.add_subcommand("list", "List the kernel's congestion controls: native or BPF, default, allowed");
  list->add_flag("--builtin", *builtin, "also list the objects built into ccload");
  list->callback([&ctx, builtin] {
    ctx.action = [&ctx, builtin] {
      return emit(ctx.opts, list_json(Registry(ctx.opts.pin_root, ctx.opts.state_dir), *builtin), print_list);
    };
  });

  auto name = std::make_shared<std::string>();
  auto *show = app.add_subcommand("show", "Show a CC: object, programs per op, flags, tunables and counters");
  show->add_option("name", *name, "congestion control name")->required();
  show->callback([&ctx, name] {
    ctx.action = [&ctx, name] {
      auto result = map_ok(Registry(ctx.opts.pin_root, ctx.opts.state_dir).show(*name), details_json);
      return emit(ctx.opts, result, print_details);
    };
  });
}

}  // namespace ccload
