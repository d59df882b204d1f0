// Making a BPF CC the default with sysctl, in the initial namespace and in a child namespace
// (where the kernel only accepts CCs from tcp_allowed_congestion_control).
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "ccload_cli.h"
#include "netns.h"
#include "sysctl.h"
#include "tcp_pair.h"
#include "test_ccs.h"

namespace ccload::test {
namespace {

constexpr const char *kDefaultKey = "net.ipv4.tcp_congestion_control";
constexpr const char *kAllowedKey = "net.ipv4.tcp_allowed_congestion_control";

// Puts a sysctl of the initial namespace back as it was when the test ends.
ScopedSysctl keep(const char *key) {
  auto value = read_sysctl(key);
  EXPECT_TRUE(value);
  auto guard = ScopedSysctl::set(key, value.value_or(""));
  EXPECT_TRUE(guard);
  return std::move(*guard);
}

TEST(DefaultCc, InitialNamespaceNewSocketsGetIt) {
  // Destroyed in reverse: the default is put back before the CC goes (else unregister falls
  // back to cubic, and writing a default also adds it to the allowed list), then the list.
  auto restore_allowed = keep(kAllowedKey);
  ScopedCc cc("bpf_cubic", "cubic");
  ASSERT_TRUE(cc.ok()) << cc.error();
  auto restore_default = keep(kDefaultKey);

  auto r = ccload({"default", cc.name()});
  ASSERT_EQ(r.exit_code, 0) << r.error_message();
  EXPECT_EQ(read_sysctl(kDefaultKey).value_or(""), cc.name());
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  EXPECT_EQ(congestion_control_of(fd.get()).value_or("?"), cc.name());
}

TEST(DefaultCc, ChildNamespaceNeedsTheCcToBeAllowed) {
  auto restore_allowed = keep(kAllowedKey);
  auto restore_default = keep(kDefaultKey);
  auto ns = NetNamespace::create(owned_name("default-child"));
  ASSERT_TRUE(ns) << ns.error().message;

  ScopedCc plain("bpf_cubic", "cubic");
  ASSERT_TRUE(plain.ok()) << plain.error();
  auto refused = run_command(ns->wrap({ccload_binary(), "--json", "default", plain.name()}));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.error_message().find("Operation not permitted"), std::string::npos) << refused.out;
  EXPECT_NE(refused.json["error"].value("hint", "").find("tcp_allowed_congestion_control"), std::string::npos)
      << refused.out;

  ScopedCc allowed("bpf_qdelay", "qdelay", {"--allow"});
  ASSERT_TRUE(allowed.ok()) << allowed.error();
  EXPECT_NE(read_sysctl(kAllowedKey).value_or("").find(allowed.name()), std::string::npos);
  auto accepted = run_command(ns->wrap({ccload_binary(), "--json", "default", allowed.name()}));
  ASSERT_EQ(accepted.exit_code, 0) << accepted.out << accepted.err;

  auto fd = tcp_socket_in(*ns);
  ASSERT_TRUE(fd);
  EXPECT_EQ(congestion_control_of(fd->get()).value_or("?"), allowed.name());
  // The initial namespace's default is untouched: sysctls are per namespace.
  EXPECT_NE(read_sysctl(kDefaultKey).value_or(""), allowed.name());
}

}  // namespace
}  // namespace ccload::test
