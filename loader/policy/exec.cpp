#include "exec.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "cgroup.h"
#include "kernel_ccs.h"
#include "policy.h"

namespace ccload::policy {

namespace {

volatile sig_atomic_t g_child = 0;

void forward_signal(int sig) {
  if (g_child > 0) ::kill(g_child, sig);
}

// Forwards SIGINT/SIGTERM/SIGHUP to the child while alive; restores the old handlers after.
class SignalForwarding {
 public:
  explicit SignalForwarding(pid_t child) {
    g_child = child;
    struct sigaction sa {};
    sa.sa_handler = forward_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < std::size(kSignals); i++) sigaction(kSignals[i], &sa, &old_[i]);
  }
  ~SignalForwarding() {
    for (size_t i = 0; i < std::size(kSignals); i++) sigaction(kSignals[i], &old_[i], nullptr);
    g_child = 0;
  }
  SignalForwarding(const SignalForwarding &) = delete;
  SignalForwarding &operator=(const SignalForwarding &) = delete;

 private:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction old_[std::size(kSignals)] {};
};

Result<RuleSet> rules_for(const ExecRequest &req) {
  RuleSet set;
  if (req.rules_file) {
    auto r = load_rules_file(*req.rules_file);
    if (!r) return r;
    set = std::move(*r);
  }
  if (req.cc) {
    // bpf_setsockopt(TCP_CONGESTION) fails silently for a CC the kernel does not have.
    if (!is_available(*req.cc))
      return fail(*req.cc + " is not a congestion control this kernel offers",
                  "run `ccload list`; register a BPF CC with `ccload register` first");
    set_default_cc(set, *req.cc);
  }
  if (set.rules.empty()) return fail("nothing to apply", "give --cc NAME and/or --rules FILE");
  return set;
}

// In the child: join the cgroup, then become the command. Failures are reported through the
// close-on-exec pipe, which closes without data when exec succeeds.
[[noreturn]] void child_exec(const std::string &cgroup, const std::vector<std::string> &argv, int report_fd) {
  int err = 0;
  if (!move_to_cgroup(cgroup)) {
    err = errno ? errno : EIO;
  } else {
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    err = errno;
  }
  (void)!::write(report_fd, &err, sizeof(err));
  _exit(127);
}

}  // namespace

Result<int> exec_in_policy_cgroup(const ExecRequest &req) {
  if (req.argv.empty()) return fail("no command given", "write the command after --: ccload exec --cc reno -- CMD");
  auto rules = rules_for(req);
  if (!rules) return std::unexpected(rules.error());
  (void)reap_stale_cgroups();
  auto cg = Cgroup::create(owned_cgroup_name("exec"));
  if (!cg) return std::unexpected(cg.error());
  auto ref = resolve_cgroup(cg->path());
  if (!ref) return std::unexpected(ref.error());
  auto attachment = Attachment::attach(*ref, *rules);
  if (!attachment) return std::unexpected(attachment.error());

  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) < 0) return fail_errno("Failed to create a pipe");
  UniqueFd rd(pipefd[0]), wr(pipefd[1]);
  pid_t child = ::fork();
  if (child < 0) return fail_errno("Failed to fork");
  if (child == 0) child_exec(cg->path(), req.argv, wr.get());
  wr.reset();

  int status = 0;
  {
    SignalForwarding fwd(child);
    while (::waitpid(child, &status, 0) < 0)
      if (errno != EINTR) return fail_errno("Failed to wait for the command");
  }
  int child_err = 0;
  bool exec_failed = ::read(rd.get(), &child_err, sizeof(child_err)) == sizeof(child_err);
  // The command may have left children behind: removing the cgroup kills them.
  if (auto r = cg->remove(); !r) return std::unexpected(r.error());
  if (exec_failed)
    return fail_errno(child_err, "Failed to run " + req.argv[0], "check the command name and PATH");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace ccload::policy
