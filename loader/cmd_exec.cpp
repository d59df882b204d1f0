// ccload exec --cc NAME [--rules FILE] -- COMMAND...
#include <memory>

#include "cli.h"
#include "policy/commands.h"
#include "policy/exec.h"

namespace ccload {

void add_exec_command(CLI::App &app, CommandContext &ctx) {
  auto req = std::make_shared<policy::ExecRequest>();
  auto *exec = app.add_subcommand("exec", "Run a command whose TCP connections use a given CC and settings");
  exec->add_option("--cc", req->cc, "congestion control for connections no rule matches");
  exec->add_option("--rules", req->rules_file, "rules file tried before the default (docs/policy.md)");
  exec->add_option("command", req->argv, "the command, after --")->required();
  exec->callback([&ctx, req] {
    ctx.action = [&ctx, req] {
      auto status = policy::exec_in_policy_cgroup(*req);
      if (!status) {
        print_error(ctx.opts, status.error());
        return kExitFailure;
      }
      return *status;   // the command's own status, so scripts can use ccload exec transparently
    };
  });
}

}  // namespace ccload
