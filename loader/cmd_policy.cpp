// ccload policy attach | detach | show (and, through add_policy_commands, exec and trace)
#include <fmt/format.h>

#include <memory>

#include "cli.h"
#include "policy/commands.h"
#include "policy/policy.h"

namespace ccload {

using json = nlohmann::json;
namespace pol = policy;

static json rule_json(const policy_rule &r) {
  auto port = [](uint16_t lo, uint16_t hi) { return pol::PortRange{lo, hi}.str(); };
  return {{"line", r.line},
          {"default", r.is_default != 0},
          {"remote", pol::prefix_of(r.remote).str()},
          {"remote_port", port(r.remote_port_lo, r.remote_port_hi)},
          {"local", pol::prefix_of(r.local).str()},
          {"local_port", port(r.local_port_lo, r.local_port_hi)},
          {"set", pol::describe_action(r.action)}};
}

static json policy_json(const pol::PolicyInfo &p) {
  json rules = json::array();
  for (const auto &r : p.tables.rules) rules.push_back(rule_json(r));
  return {{"cgroup", p.cgroup.empty() ? json(nullptr) : json(p.cgroup)},
          {"cgroup_id", p.cgroup_id},
          {"pin_dir", p.pin_dir},
          {"link_id", p.link_id},
          {"prog_id", p.prog_id},
          {"rules", rules}};
}

static void print_policy(const json &p) {
  fmt::print("cgroup {} (id {}): link {} prog {}, pinned at {}\n",
             p["cgroup"].is_null() ? "<removed>" : p["cgroup"].get<std::string>(), p["cgroup_id"].get<uint64_t>(),
             p["link_id"].get<uint32_t>(), p["prog_id"].get<uint32_t>(), p["pin_dir"].get<std::string>());
  for (const auto &r : p["rules"]) {
    if (r["default"].get<bool>())
      fmt::print("  default              {}\n", r["set"].get<std::string>());
    else
      fmt::print("  line {:<4} remote {}:{} local {}:{}  {}\n", r["line"].get<int>(), r["remote"].get<std::string>(),
                 r["remote_port"].get<std::string>(), r["local"].get<std::string>(),
                 r["local_port"].get<std::string>(), r["set"].get<std::string>());
  }
}

static Result<json> do_attach(const std::string &cgroup, const std::string &file) {
  // Parse first: a bad file attaches nothing.
  auto rules = pol::load_rules_file(file);
  if (!rules) return std::unexpected(rules.error());
  auto cg = pol::resolve_cgroup(cgroup);
  if (!cg) return std::unexpected(cg.error());
  auto out = pol::attach_pinned(*cg, *rules);
  if (!out) return std::unexpected(std::move(out.error()).context("attaching the policy to " + cg->path));
  return json{{"cgroup", out->cgroup.path}, {"cgroup_id", out->cgroup.id}, {"pin_dir", out->pin_dir},
              {"updated", out->updated},    {"rules", out->rules}};
}

static Result<json> do_show(const std::string &cgroup) {
  std::optional<pol::CgroupRef> cg;
  if (!cgroup.empty()) {
    auto r = pol::resolve_cgroup(cgroup);
    if (!r) return std::unexpected(r.error());
    cg = *r;
  }
  auto infos = pol::show(cg);
  if (!infos) return std::unexpected(infos.error());
  json list = json::array();
  for (const auto &p : *infos) list.push_back(policy_json(p));
  return json{{"policies", list}};
}

void add_policy_commands(CLI::App &app, CommandContext &ctx) {
  auto *policy = app.add_subcommand("policy", "Per-connection TCP settings for a cgroup (sock_ops)");
  policy->require_subcommand(1);

  struct Args {
    std::string cgroup, file;
  };
  auto args = std::make_shared<Args>();

  auto *attach = policy->add_subcommand("attach", "Attach (or update) the rules of a cgroup v2");
  attach->add_option("cgroup", args->cgroup, "cgroup, relative to /sys/fs/cgroup/unified or absolute")->required();
  attach->add_option("rules", args->file, "rules file (TOML, see docs/policy.md)")->required();
  attach->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      return emit(ctx.opts, do_attach(args->cgroup, args->file), [](const json &j) {
        fmt::print("{} policy of {} ({} rules), pinned at {}\n", j["updated"].get<bool>() ? "updated" : "attached",
                   j["cgroup"].get<std::string>(), j["rules"].get<size_t>(), j["pin_dir"].get<std::string>());
      });
    };
  });

  auto *detach = policy->add_subcommand("detach", "Detach a cgroup's policy and remove its pins");
  detach->add_option("cgroup", args->cgroup, "cgroup")->required();
  detach->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      auto cg = pol::resolve_cgroup(args->cgroup);
      Result<json> result = cg ? map_ok(pol::detach_pinned(*cg), [&] { return json{{"detached", cg->path}}; })
                               : Result<json>(std::unexpected(cg.error()));
      return emit(ctx.opts, result,
                  [](const json &j) { fmt::print("detached policy from {}\n", j["detached"].get<std::string>()); });
    };
  });

  auto *show = policy->add_subcommand("show", "Show the policy of one cgroup, or of all");
  show->add_option("cgroup", args->cgroup, "cgroup (default: every cgroup with a policy)");
  show->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      return emit(ctx.opts, do_show(args->cgroup), [](const json &j) {
        if (j["policies"].empty()) fmt::print("no policies attached\n");
        for (const auto &p : j["policies"]) print_policy(p);
      });
    };
  });

  add_exec_command(app, ctx);
  add_trace_command(app, ctx);
}

}  // namespace ccload
