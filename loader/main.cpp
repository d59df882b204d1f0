// ccload: register, inspect and tune TCP congestion controls written as BPF struct_ops.
#include <cstdio>
#include <iostream>

#include "cli.h"
#include "cli_parse.h"
#include "libbpf_log.h"
#include "registry.h"

int main(int argc, char **argv) {
  using namespace ccload;
  CommandContext ctx;
  ctx.opts.pin_root = kDefaultPinRoot;
  ctx.opts.state_dir = kDefaultStateDir;

  CLI::App app{"ccload: TCP congestion control as BPF plugins"};
  app.require_subcommand(1);
  app.fallthrough();
  app.add_flag("-j,--json", ctx.opts.json, "print JSON (also for errors)");
  app.add_flag("-v,--verbose", ctx.opts.verbose, "show libbpf's debug log");
  app.add_option("--pin-root", ctx.opts.pin_root, "where links and maps are pinned (on a bpffs)")
      ->capture_default_str();
  app.add_option("--state-dir", ctx.opts.state_dir, "where registration metadata is kept")->capture_default_str();

  add_registration_commands(app, ctx);
  add_inspection_commands(app, ctx);
  add_tuning_commands(app, ctx);
  add_boot_command(app, ctx);
  add_policy_commands(app, ctx);

  auto early_exit = parse_command_line(app, argc, argv, [&](const CLI::ParseError &e) {
    print_error(ctx.opts, Error{0, e.what(), "run `ccload --help` or `ccload <command> --help`"});
  });
  if (early_exit) return *early_exit;
  LibbpfLog::install(ctx.opts.verbose);
  return ctx.action ? ctx.action() : kExitUsage;
}
