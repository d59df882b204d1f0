// Two namespaces joined by a veth (client "vc" 10.77.0.1 + 10.88.0.1, server "vs" 10.77.0.2 +
// 10.88.0.2, offloads off so segments are packets) and a test cgroup, all removed after each test.
// Sockets are made by this process: joining the cgroup while creating one puts it under the policy.
#pragma once
#include <gtest/gtest.h>
#include <linux/tcp.h>  // the kernel's tcp_info: glibc's lacks tcpi_data_segs_out

#include <chrono>
#include <optional>
#include <string>

#include "eventually.h"
#include "cgroup.h"
#include "netns.h"
#include "policy/policy.h"
#include "unique_fd.h"

namespace ccload::test {

#define ASSERT_OK(expr)                                                  \
  ({                                                                     \
    auto _r = (expr);                                                    \
    ASSERT_TRUE(_r) << #expr << ": " << _r.error().message;              \
    std::move(*_r);                                                      \
  })
// For Result<void>.
#define ASSERT_DONE(expr)                                                \
  do {                                                                   \
    auto _r = (expr);                                                    \
    ASSERT_TRUE(_r) << #expr << ": " << _r.error().message;              \
  } while (0)

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Attaches (or updates) the test cgroup's pinned policy.
  void attach(const std::string &rules_toml);
  policy::RuleMaps maps() const;

  // A listening socket in the server namespace, on all IPv4 addresses (or all IPv6 ones with
  // any = "::"); in the test cgroup if asked.
  UniqueFd listen_on(uint16_t port, bool in_cgroup = false, const std::string &any = "0.0.0.0");
  // Turns IPv6 on (SetUp turns it off) and adds fd77::1/64, fd88::1/64 to the client's veth and
  // fd77::2/64, fd88::2/64 to the server's, without duplicate address detection.
  void enable_ipv6();
  // A client socket in the client namespace (in the test cgroup unless told otherwise),
  // connected to addr:port (IPv4 or IPv6); non-blocking connects return at once.
  UniqueFd connect_to(const std::string &addr, uint16_t port, bool in_cgroup = true, bool nonblocking = false);
  UniqueFd accept_one(int listener);

  void ns_run(const NetNamespace &ns, const std::vector<std::string> &argv);
  uint64_t rx_packets(const NetNamespace &ns, const std::string &dev);
  std::string mac_of(const NetNamespace &ns, const std::string &dev);

  NetNamespace cli_, srv_;
  std::optional<Cgroup> cgroup_;
  policy::CgroupRef cg_;
  bool attached_ = false;
};

std::string cc_of(int fd);
tcp_info info_of(int fd);
void send_all(int fd, size_t n);
void recv_exactly(int fd, size_t n);
// `client` sends n bytes that `server` reads, then the reverse: the response ACKs the request,
// so the client has one more RTT sample when this returns.
void round_trip(int client, int server, size_t n);

// The policy tests' waits are short: packets on a local veth, a child joining a cgroup.
inline constexpr std::chrono::milliseconds kPolicyWait{2000};

}  // namespace ccload::test
