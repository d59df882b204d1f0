#include "poll_until.h"
#include "links.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "netns.h"
#include "unique_fd.h"

extern char **environ;

namespace ccbench::link {

namespace fs = std::filesystem;
using ccload::fail;
using ccload::fail_errno;
using ccload::UniqueFd;
using Clock = std::chrono::steady_clock;

namespace {

std::string resolve_exe(const UpOptions &o) {
  if (!o.exe.empty()) return o.exe;
  if (const char *env = std::getenv("CCBENCH_EXE"); env && *env) return env;
  std::error_code ec;
  return fs::read_symlink("/proc/self/exe", ec).string();
}

// A daemon we started is our child until we exit: reap it, or it lingers as a zombie that
// kill(pid, 0) reports alive.
bool reaped_or_gone(int pid) {
  int status;
  if (waitpid(pid, &status, WNOHANG) == pid) return true;
  return !pid_alive(pid);
}

bool wait_gone(int pid, std::chrono::milliseconds timeout) {
  return ccload::poll_until([&] { return reaped_or_gone(pid); }, timeout);
}

void remove_leftovers(const LinkState &s) {
  for (const auto &ns : {s.client_ns, s.router_ns, s.server_ns})
    if (!ns.empty()) (void)ccload::delete_namespace(ns);
  remove_state(s);
  std::error_code ec;
  fs::remove(std::string(kLinksDir) + "/" + s.name + ".log", ec);
}

// Reads the daemon's one-line verdict ("ok" or the error) until it closes the pipe.
Result<std::string> read_verdict(int fd, int pid, std::chrono::milliseconds timeout) {
  std::string text;
  auto deadline = Clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0)
      return fail("the link daemon (pid " + std::to_string(pid) + ") did not report within " +
                  std::to_string(timeout.count()) + " ms");
    pollfd p{fd, POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    char buf[4096];
    ssize_t r = ::read(fd, buf, sizeof(buf));
    if (r > 0) {
      text.append(buf, static_cast<size_t>(r));
      if (text.starts_with("ok\n")) return text;
      continue;
    }
    return text;  // closed: whatever it said (empty if it died)
  }
}

}  // namespace

bool link_exists(const std::string &name) {
  auto s = read_state(name);
  return s && s->alive();
}

std::vector<std::string> reap_stale_links() {
  std::vector<std::string> removed;
  for (const auto &s : list_states()) {
    if (s.alive()) continue;
    remove_leftovers(s);
    removed.push_back(s.name);
  }
  // Namespaces of a daemon killed before it wrote its state file.
  ccload::reap_stale_namespaces();
  return removed;
}

Result<LinkState> link_up(LinkSpec spec, const UpOptions &options) {
  reap_stale_links();
  if (spec.name.empty()) {
    for (int i = 0; spec.name.empty(); ++i) {
      auto r = reserve_name("link" + std::to_string(i));
      if (!r) return std::unexpected(r.error());
      if (*r) spec.name = "link" + std::to_string(i);
    }
  } else {
    auto r = reserve_name(spec.name);
    if (!r) return std::unexpected(r.error());
    if (!*r)
      return fail("--name: a link named '" + spec.name + "' is already up",
                  "choose another --name, or run `ccbench link down " + spec.name + "` first");
  }
  LinkState placeholder;
  placeholder.name = spec.name;
  std::string log = std::string(kLinksDir) + "/" + spec.name + ".log";

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0) {
    remove_leftovers(placeholder);
    return fail_errno("Failed to create a pipe");
  }
  UniqueFd rd(pipefd[0]), wr(pipefd[1]);
  std::string exe = resolve_exe(options);
  std::vector<std::string> argv{exe, "link", "daemon", "--spec", to_json(spec).dump(), "--ready-fd", "3"};
  std::vector<char *> cargv;
  for (auto &a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_adddup2(&fa, wr.get(), 3);  // dup2 clears O_CLOEXEC on fd 3
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own session: a link outlives the terminal that brought it up.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, exe.c_str(), &fa, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  wr.reset();
  if (rc != 0) {
    remove_leftovers(placeholder);
    return fail_errno(rc, "Failed to start the link daemon " + exe, "set CCBENCH_EXE to the ccbench executable");
  }

  auto verdict = read_verdict(rd.get(), pid, options.timeout);
  if (verdict && verdict->starts_with("ok\n")) {
    auto st = read_state(spec.name);
    if (st) return st;
    verdict = std::unexpected(st.error());
  }
  // Failed: stop the daemon if it still runs, and leave nothing behind.
  ::kill(pid, SIGTERM);
  if (!wait_gone(pid, std::chrono::seconds(5))) {
    ::kill(pid, SIGKILL);
    wait_gone(pid, std::chrono::seconds(2));
  }
  std::string why = verdict ? *verdict : verdict.error().message;
  while (!why.empty() && why.back() == '\n') why.pop_back();
  std::string hint;
  if (auto nl = why.find('\n'); nl != std::string::npos) {
    hint = why.substr(nl + 1);
    why.resize(nl);
  }
  if (why.empty()) why = "the link daemon exited without reporting";
  reap_stale_links();
  remove_leftovers(placeholder);
  return fail("Failed to bring up link " + spec.name + ": " + why, hint);
}

Result<> link_down(const std::string &name) {
  auto s = read_state(name);
  if (!s) return std::unexpected(s.error());
  if (s->pid > 0 && !reaped_or_gone(s->pid)) {
    if (s->starting && s->pid != getpid())
      return fail("link " + name + " is still starting (pid " + std::to_string(s->pid) + ")",
                  "wait for `ccbench link up` to finish, then run `ccbench link down " + name + "`");
    ::kill(s->pid, SIGTERM);
    if (!wait_gone(s->pid, std::chrono::seconds(10))) {
      ::kill(s->pid, SIGKILL);
      wait_gone(s->pid, std::chrono::seconds(2));
    }
  }
  remove_leftovers(*s);
  return {};
}

std::vector<std::string> link_down_all() {
  std::vector<std::string> removed = reap_stale_links();
  for (const auto &s : list_states())
    if (link_down(s.name)) removed.push_back(s.name);
  return removed;
}

Result<Link> Link::up(LinkSpec spec, const UpOptions &options) {
  auto st = link_up(std::move(spec), options);
  if (!st) return std::unexpected(st.error());
  Link l;
  l.state_ = std::move(*st);
  return l;
}

Link &Link::operator=(Link &&other) noexcept {
  if (this != &other) {
    down();
    state_ = std::move(other.state_);
    other.state_.name.clear();
  }
  return *this;
}

std::vector<std::string> Link::in_client(const std::vector<std::string> &argv) const {
  return ccload::in_netns(state_.client_ns, argv);
}

std::vector<std::string> Link::in_server(const std::vector<std::string> &argv) const {
  return ccload::in_netns(state_.server_ns, argv);
}

void Link::down() {
  if (state_.name.empty()) return;
  (void)link_down(state_.name);
  state_.name.clear();
}

}  // namespace ccbench::link
