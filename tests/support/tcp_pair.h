// Two hosts (network namespaces joined by a veth pair) and real TCP connections between them with
// a chosen congestion control, as an application would make them.
#pragma once
#include "common.h"
#include "netns.h"
#include "result.h"
#include "unique_fd.h"

#include <linux/tcp.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

namespace ccload::test {

struct TwoHosts {
  NetNamespace client;
  NetNamespace server;
  std::string client_addr = "10.199.0.1";
  std::string server_addr = "10.199.0.2";

  // Namespaces "ccl-<pid>-<role>-c" and "-s"; removed when the object is destroyed.
  static Result<TwoHosts> create(const std::string &role);
  // Sets a sysctl inside one of the namespaces.
  static Result<> set_sysctl(const NetNamespace &ns, const std::string &key, const std::string &value);
};

struct TcpConnection {
  UniqueFd client;  // the connecting socket (in the client namespace)
  UniqueFd server;  // the accepted socket (in the server namespace)
};

// Listens on server_addr:port, connects from the client namespace with TCP_CONGESTION = cc set on
// the connecting socket and server_cc (by default the same) on the listener, before the
// handshake. An empty name leaves that side on its namespace's default.
Result<TcpConnection> connect_with_cc(const TwoHosts &hosts, const std::string &cc, uint16_t port,
                                      std::optional<std::string> server_cc = std::nullopt);
// A socket created in namespace `ns` (for reading the default CC a new socket gets there).
Result<UniqueFd> tcp_socket_in(const NetNamespace &ns);

Result<std::string> congestion_control_of(int fd);
Result<tcp_info> tcp_info_of(int fd);

// Sends exactly `bytes` client -> server and returns how many the server read before EOF.
Result<uint64_t> transfer(TcpConnection &conn, uint64_t bytes);

// Keeps a connection busy: a sender thread writes until stop(), a receiver thread counts. Used to
// change the CC's registration under a live connection.
class StreamingTransfer {
 public:
  explicit StreamingTransfer(TcpConnection conn);
  ~StreamingTransfer();
  uint64_t sent() const { return sent_; }
  uint64_t received() const { return received_; }
  bool failed() const { return failed_; }
  int client_fd() const { return conn_.client.get(); }
  // Stops sending, closes the write side and waits until the receiver has seen EOF.
  void stop();

 private:
  TcpConnection conn_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> sent_{0}, received_{0};
  std::atomic<bool> failed_{false};
  std::thread sender_, receiver_;
};

}  // namespace ccload::test
