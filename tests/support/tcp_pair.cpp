#include "tcp_pair.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "sysctl.h"

namespace ccload::test {
namespace {

sockaddr_in address(const std::string &ip, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &sa.sin_addr);
  return sa;
}

Result<> set_cc(int fd, const std::string &cc) {
  if (cc.empty()) return {};
  if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc.data(), cc.size()) < 0)
    return fail_errno("setsockopt(TCP_CONGESTION, " + cc + ")");
  return {};
}

}  // namespace

Result<TwoHosts> TwoHosts::create(const std::string &role) {
  reap_stale_namespaces();
  TwoHosts h;
  auto c = NetNamespace::create(owned_name(role + "-c"));
  if (!c) return std::unexpected(c.error());
  h.client = std::move(*c);
  auto s = NetNamespace::create(owned_name(role + "-s"));
  if (!s) return std::unexpected(s.error());
  h.server = std::move(*s);
  auto r = connect_veth({&h.client, "veth0", h.client_addr + "/24"}, {&h.server, "veth0", h.server_addr + "/24"});
  if (!r) return std::unexpected(r.error());
  return h;
}

Result<> TwoHosts::set_sysctl(const NetNamespace &ns, const std::string &key, const std::string &value) {
  auto in = NetnsEnter::enter(ns.name());
  if (!in) return std::unexpected(in.error());
  return write_sysctl(key, value);
}

Result<UniqueFd> tcp_socket_in(const NetNamespace &ns) {
  auto in = NetnsEnter::enter(ns.name());
  if (!in) return std::unexpected(in.error());
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return fail_errno("socket");
  return fd;
}

Result<TcpConnection> connect_with_cc(const TwoHosts &hosts, const std::string &cc, uint16_t port,
                                      std::optional<std::string> server_cc) {
  UniqueFd listener;
  {
    auto in = NetnsEnter::enter(hosts.server.name());
    if (!in) return std::unexpected(in.error());
    listener.reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  }
  if (!listener) return fail_errno("socket");
  int one = 1;
  setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (auto r = set_cc(listener.get(), server_cc.value_or(cc)); !r) return std::unexpected(r.error());
  auto sa = address(hosts.server_addr, port);
  if (bind(listener.get(), reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0) return fail_errno("bind");
  if (listen(listener.get(), 4) < 0) return fail_errno("listen");

  auto client = tcp_socket_in(hosts.client);
  if (!client) return std::unexpected(client.error());
  if (auto r = set_cc(client->get(), cc); !r) return std::unexpected(r.error());
  if (connect(client->get(), reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0) return fail_errno("connect");
  pollfd p{listener.get(), POLLIN, 0};
  if (poll(&p, 1, 5000) != 1) return fail("accept timed out");
  UniqueFd server(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!server) return fail_errno("accept");
  return TcpConnection{std::move(*client), std::move(server)};
}

Result<std::string> congestion_control_of(int fd) {
  char name[32] = {};
  socklen_t len = sizeof(name);
  if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len) < 0) return fail_errno("getsockopt(TCP_CONGESTION)");
  return std::string(name, strnlen(name, len));
}

Result<tcp_info> tcp_info_of(int fd) {
  tcp_info info{};
  socklen_t len = sizeof(info);
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0) return fail_errno("getsockopt(TCP_INFO)");
  return info;
}

Result<uint64_t> transfer(TcpConnection &conn, uint64_t bytes) {
  std::atomic<uint64_t> received{0};
  std::thread receiver([&] {
    std::vector<char> buf(1 << 16);
    ssize_t n;
    while ((n = read(conn.server.get(), buf.data(), buf.size())) > 0) received += static_cast<uint64_t>(n);
  });
  std::vector<char> chunk(1 << 16, 'x');
  uint64_t sent = 0;
  bool ok = true;
  while (sent < bytes) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(chunk.size(), bytes - sent));
    ssize_t n = write(conn.client.get(), chunk.data(), want);
    if (n <= 0) {
      ok = false;
      break;
    }
    sent += static_cast<uint64_t>(n);
  }
  shutdown(conn.client.get(), SHUT_WR);
  receiver.join();
  if (!ok) return fail_errno("write");
  return received.load();
}

StreamingTransfer::StreamingTransfer(TcpConnection conn) : conn_(std::move(conn)) {
  receiver_ = std::thread([this] {
    std::vector<char> buf(1 << 16);
    ssize_t n;
    while ((n = read(conn_.server.get(), buf.data(), buf.size())) > 0) received_ += static_cast<uint64_t>(n);
    if (n < 0) failed_ = true;
  });
  sender_ = std::thread([this] {
    std::vector<char> chunk(1 << 14, 'y');
    while (!stopping_) {
      ssize_t n = write(conn_.client.get(), chunk.data(), chunk.size());
      if (n <= 0) {
        failed_ = true;
        break;
      }
      sent_ += static_cast<uint64_t>(n);
    }
    shutdown(conn_.client.get(), SHUT_WR);
  });
}

void StreamingTransfer::stop() {
  stopping_ = true;
  if (sender_.joinable()) sender_.join();
  if (receiver_.joinable()) receiver_.join();
}

StreamingTransfer::~StreamingTransfer() { stop(); }

}  // namespace ccload::test
