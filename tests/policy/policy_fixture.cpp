#include "policy_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>
#include <sstream>

#include "process.h"

namespace ccload::test {

void PolicyTest::SetUp() {
  // Root and stale namespaces: tests/support/privileged_env.cpp, once per binary.
  reap_stale_cgroups();
  policy::reap_orphan_pins();
  auto cli = ASSERT_OK(NetNamespace::create(owned_name("pcli")));
  auto srv = ASSERT_OK(NetNamespace::create(owned_name("psrv")));
  cli_ = std::move(cli);
  srv_ = std::move(srv);
  // The tests count packets on the wire: IPv6 would add its own (DAD, router solicitations, MLD
  // reports) at times nobody controls, so it is off before the link comes up.
  for (auto *ns : {&cli_, &srv_})
    ns_run(*ns, {"sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"});
  ASSERT_DONE(connect_veth({&cli_, "vc", "10.77.0.1/24"}, {&srv_, "vs", "10.77.0.2/24"}));
  ns_run(cli_, {"ip", "addr", "add", "10.88.0.1/24", "dev", "vc"});
  ns_run(srv_, {"ip", "addr", "add", "10.88.0.2/24", "dev", "vs"});
  ns_run(cli_, {"ethtool", "-K", "vc", "tso", "off", "gso", "off", "gro", "off"});
  ns_run(srv_, {"ethtool", "-K", "vs", "tso", "off", "gso", "off", "gro", "off"});
  auto cg = ASSERT_OK(Cgroup::create(owned_cgroup_name("ptest")));
  cgroup_.emplace(std::move(cg));
  cg_ = ASSERT_OK(policy::resolve_cgroup(cgroup_->path()));
}

void PolicyTest::enable_ipv6() {
  for (auto [ns, dev, host] : {std::tuple{&cli_, "vc", "1"}, std::tuple{&srv_, "vs", "2"}}) {
    ns_run(*ns, {"sysctl", "-q", "-w", std::string("net.ipv6.conf.") + dev + ".disable_ipv6=0"});
    for (const char *net : {"fd77::", "fd88::"})
      ns_run(*ns, {"ip", "-6", "addr", "add", std::string(net) + host + "/64", "dev", dev, "nodad"});
  }
}

void PolicyTest::TearDown() {
  if (attached_) {
    EXPECT_TRUE(policy::detach_pinned(cg_));
  }
  cgroup_.reset();
}

void PolicyTest::attach(const std::string &rules_toml) {
  auto rules = ASSERT_OK(policy::parse_rules(rules_toml, "test rules"));
  auto outcome = ASSERT_OK(policy::attach_pinned(cg_, rules));
  (void)outcome;
  attached_ = true;
}

policy::RuleMaps PolicyTest::maps() const {
  auto m = policy::RuleMaps::from_pins(policy::pin_dir(cg_));
  EXPECT_TRUE(m);
  return std::move(*m);
}

void PolicyTest::ns_run(const NetNamespace &ns, const std::vector<std::string> &argv) {
  auto r = ns.exec(argv);
  ASSERT_TRUE(r) << r.error().message;
}

// addr:port as a socket address, IPv6 when addr has a colon.
static std::pair<sockaddr_storage, socklen_t> sockaddr_of(const std::string &addr, uint16_t port) {
  sockaddr_storage ss{};
  if (addr.find(':') != std::string::npos) {
    auto *sa = reinterpret_cast<sockaddr_in6 *>(&ss);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons(port);
    EXPECT_EQ(inet_pton(AF_INET6, addr.c_str(), &sa->sin6_addr), 1) << addr;
    return {ss, sizeof(sockaddr_in6)};
  }
  auto *sa = reinterpret_cast<sockaddr_in *>(&ss);
  sa->sin_family = AF_INET;
  sa->sin_port = htons(port);
  EXPECT_EQ(inet_pton(AF_INET, addr.c_str(), &sa->sin_addr), 1) << addr;
  return {ss, sizeof(sockaddr_in)};
}

UniqueFd PolicyTest::listen_on(uint16_t port, bool in_cgroup, const std::string &any) {
  auto enter = NetnsEnter::enter(srv_.name());
  EXPECT_TRUE(enter);
  std::optional<CgroupMembership> member;
  if (in_cgroup) member.emplace(std::move(*CgroupMembership::join(cgroup_->path())));
  auto [sa, sa_len] = sockaddr_of(any, port);
  UniqueFd fd(::socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (sa.ss_family == AF_INET6) setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr *>(&sa), sa_len), 0) << strerror(errno);
  EXPECT_EQ(::listen(fd.get(), 16), 0);
  return fd;
}

UniqueFd PolicyTest::connect_to(const std::string &addr, uint16_t port, bool in_cgroup, bool nonblocking) {
  auto enter = NetnsEnter::enter(cli_.name());
  EXPECT_TRUE(enter);
  std::optional<CgroupMembership> member;
  if (in_cgroup) {
    auto m = CgroupMembership::join(cgroup_->path());
    EXPECT_TRUE(m) << m.error().message;
    member.emplace(std::move(*m));
  }
  auto [sa, sa_len] = sockaddr_of(addr, port);
  UniqueFd fd(::socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0));
  int rc = ::connect(fd.get(), reinterpret_cast<sockaddr *>(&sa), sa_len);
  if (nonblocking)
    EXPECT_TRUE(rc == 0 || errno == EINPROGRESS) << strerror(errno);
  else
    EXPECT_EQ(rc, 0) << "connect to " << addr << ": " << strerror(errno);
  return fd;
}

UniqueFd PolicyTest::accept_one(int listener) { return UniqueFd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC)); }

uint64_t PolicyTest::rx_packets(const NetNamespace &ns, const std::string &dev) {
  // /proc/thread-self/net is the calling thread's namespace: no subprocess, so it can be polled.
  auto enter = NetnsEnter::enter(ns.name());
  std::ifstream in("/proc/thread-self/net/dev");
  for (std::string line; std::getline(in, line);) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    name.erase(0, name.find_first_not_of(' '));
    if (name != dev) continue;
    std::istringstream fields(line.substr(colon + 1));
    uint64_t bytes = 0, packets = 0;
    fields >> bytes >> packets;
    return packets;
  }
  ADD_FAILURE() << "no device " << dev;
  return 0;
}

std::string PolicyTest::mac_of(const NetNamespace &ns, const std::string &dev) {
  auto out = ns.exec({"cat", "/sys/class/net/" + dev + "/address"});
  EXPECT_TRUE(out);
  std::string mac = out ? *out : "";
  while (!mac.empty() && isspace(static_cast<unsigned char>(mac.back()))) mac.pop_back();
  return mac;
}

std::string cc_of(int fd) {
  char name[16] = {};
  socklen_t len = sizeof(name);
  if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len) < 0) return "?";
  return std::string(name, strnlen(name, sizeof(name)));
}

tcp_info info_of(int fd) {
  tcp_info ti{};
  socklen_t len = sizeof(ti);
  getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
  return ti;
}

void send_all(int fd, size_t n) {
  std::string buf(n, 'x');
  size_t off = 0;
  while (off < n) {
    ssize_t w = ::send(fd, buf.data() + off, n - off, MSG_NOSIGNAL);
    ASSERT_GT(w, 0) << strerror(errno);
    off += w;
  }
}

void recv_exactly(int fd, size_t n) {
  std::string buf(n, 0);
  size_t off = 0;
  while (off < n) {
    ssize_t r = ::recv(fd, buf.data() + off, n - off, 0);
    ASSERT_GT(r, 0) << strerror(errno);
    off += r;
  }
}

void round_trip(int client, int server, size_t n) {
  send_all(client, n);
  recv_exactly(server, n);
  send_all(server, n);
  recv_exactly(client, n);
}

}  // namespace ccload::test
