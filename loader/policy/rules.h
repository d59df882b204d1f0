// Policy rules: what a rules file says, parsed and checked, with the line each rule came from.
//
//   [default]                  # optional: applies when no rule matches
//   cc = "cubic"
//
//   [[rule]]                   # rules are tried in file order; the first match wins
//   name = "datacenter"
//   remote = "10.0.0.0/8"      # prefix or address, IPv4 or IPv6; absent: any
//   remote_port = "5000-5999"  # port or range; absent: any
//   local = "..."  local_port = ...
//   cc = "reno"  initcwnd = 20  syn_rto_ms = 20  sndbuf = 4194304  rcvbuf = 4194304
//   cwnd_clamp = 100  rto_min_ms = 10  delack_max_ms = 5
#pragma once
#include "common.h"
#include "result.h"

extern "C" {
#include "policy_common.h"
}

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ccload::policy {

// An address in the form the LPM tries use: IPv6, with IPv4 as ::ffff:a.b.c.d.
using Addr = std::array<uint8_t, 16>;

struct Prefix {
  Addr addr{};
  uint32_t len = 0;   // in the 128-bit space: an IPv4 /24 is 120; 0 means any address
  bool any() const { return len == 0; }
  bool contains(const Addr &a) const;
  bool contains(const Prefix &p) const { return len <= p.len && contains(p.addr); }
  std::string str() const;   // "10.0.0.0/8", "fd00::/8", "any"
  bool operator==(const Prefix &) const = default;
};

struct PortRange {
  uint16_t lo = 0, hi = 65535;
  bool contains(uint16_t p) const { return p >= lo && p <= hi; }
  bool any() const { return lo == 0 && hi == 65535; }
  std::string str() const;
};

struct Rule {
  std::string name;
  int line = 0;
  bool is_default = false;
  Prefix remote, local;
  PortRange remote_port, local_port;
  policy_action action{};
};

struct RuleSet {
  std::vector<Rule> rules;   // file order; the default rule, if any, last
  bool has_default() const { return !rules.empty() && rules.back().is_default; }
};

// "10.1.0.0/16", "10.1.2.3" (/32), "fd00::/8", "::1" (/128).
Result<Prefix> parse_prefix(std::string_view text);
// IPv4 text for a v4-mapped address, IPv6 text otherwise.
std::string addr_str(const Addr &a);
Addr v4_addr(uint32_t be_addr);

// Errors read "<source>:<line>: <what>" and say how to fix it.
Result<RuleSet> parse_rules(std::string_view text, const std::string &source = "rules");
Result<RuleSet> load_rules_file(const std::string &path);

// The rule's settings as "cc=reno initcwnd=20 ...", for show and messages.
std::string describe_action(const policy_action &a);

// Makes `cc` the default rule's CC, adding a default rule if there is none (`ccload exec --cc`).
void set_default_cc(RuleSet &set, const std::string &cc);

}  // namespace ccload::policy
