#include "rules.h"
#include "text_file.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace ccload::policy {

bool Prefix::contains(const Addr &a) const {
  uint32_t full = len / 8, rest = len % 8;
  for (uint32_t i = 0; i < full; i++)
    if (addr[i] != a[i]) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (addr[full] & mask) == (a[full] & mask);
}

static bool is_v4_mapped(const Addr &a) {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::equal(std::begin(kPrefix), std::end(kPrefix), a.begin());
}

std::string addr_str(const Addr &a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4_mapped(a))
    inet_ntop(AF_INET, a.data() + 12, buf, sizeof(buf));
  else
    inet_ntop(AF_INET6, a.data(), buf, sizeof(buf));
  return buf;
}

Addr v4_addr(uint32_t be_addr) {
  Addr a{};
  a[10] = a[11] = 0xff;
  std::memcpy(a.data() + 12, &be_addr, 4);
  return a;
}

std::string Prefix::str() const {
  if (any()) return "any";
  bool v4 = len >= 96 && is_v4_mapped(addr);
  return fmt::format("{}/{}", addr_str(addr), v4 ? len - 96 : len);
}

std::string PortRange::str() const {
  if (any()) return "any";
  return lo == hi ? std::to_string(lo) : fmt::format("{}-{}", lo, hi);
}

Result<Prefix> parse_prefix(std::string_view text) {
  std::string s(text);
  std::string addr_part = s, len_part;
  if (auto slash = s.find('/'); slash != std::string::npos) {
    addr_part = s.substr(0, slash);
    len_part = s.substr(slash + 1);
  }
  Prefix p;
  bool v4 = false;
  uint32_t max_len = 128;
  if (in_addr a4{}; inet_pton(AF_INET, addr_part.c_str(), &a4) == 1) {
    p.addr = v4_addr(a4.s_addr);
    v4 = true;
    max_len = 32;
  } else if (inet_pton(AF_INET6, addr_part.c_str(), p.addr.data()) != 1) {
    return fail(fmt::format("'{}' is not an IPv4 or IPv6 address", addr_part),
                "write a prefix such as 10.0.0.0/8 or fd00::/8");
  }
  uint32_t len = max_len;
  if (!len_part.empty()) {
    auto [end, ec] = std::from_chars(len_part.data(), len_part.data() + len_part.size(), len);
    if (ec != std::errc() || end != len_part.data() + len_part.size() || len > max_len)
      return fail(fmt::format("'{}' is not a prefix length (0-{})", len_part, max_len));
  }
  p.len = v4 ? len + 96 : len;
  // Prefix 0 in IPv4 still means "any IPv4 address" (::ffff:0:0/96), not any address at all.
  Prefix masked = p;
  for (uint32_t bit = p.len; bit < 128; bit++) masked.addr[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  if (masked.addr != p.addr)
    return fail(fmt::format("'{}' has bits set beyond the prefix length", s),
                fmt::format("did you mean {}?", masked.str()));
  return p;
}

namespace {

using Node = toml::node;

std::string where(const std::string &source, const toml::source_region &r) {
  return fmt::format("{}:{}", source, r.begin.line);
}

class RuleParser {
 public:
  explicit RuleParser(std::string source) : source_(std::move(source)) {}

  Result<RuleSet> parse(std::string_view text) {
    toml::table root;
    try {
      root = toml::parse(text, source_);
    } catch (const toml::parse_error &e) {
      return fail(fmt::format("{}: {}", where(source_, e.source()), e.description()),
                  "the rules file is TOML; see docs/policy.md for its format");
    }
    RuleSet set;
    for (auto &&[key, node] : root) {
      if (key == "rule") {
        auto *arr = node.as_array();
        if (!arr || !arr->is_array_of_tables())
          return error(node, "'rule' must be an array of tables: write each rule as [[rule]]");
        for (auto &&elem : *arr) {
          auto r = parse_rule(*elem.as_table(), false);
          if (!r) return std::unexpected(r.error());
          set.rules.push_back(std::move(*r));
        }
      } else if (key == "default") {
        auto *t = node.as_table();
        if (!t) return error(node, "'default' must be a table: write it as [default]");
        auto r = parse_rule(*t, true);
        if (!r) return std::unexpected(r.error());
        default_rule_ = std::move(*r);
      } else {
        return error(node, fmt::format("unknown top-level key '{}'; expected [[rule]] or [default]", key.str()));
      }
    }
    if (set.rules.size() + (default_rule_ ? 1 : 0) > POLICY_MAX_RULES)
      return fail(fmt::format("{}: {} rules; at most {} fit (including the default)", source_,
                              set.rules.size() + (default_rule_ ? 1 : 0), POLICY_MAX_RULES));
    if (default_rule_) set.rules.push_back(std::move(*default_rule_));
    return set;
  }

 private:
  std::unexpected<Error> error(const Node &n, const std::string &what) const {
    return fail(fmt::format("{}: {}", where(source_, n.source()), what),
                "see docs/policy.md for the rules format; nothing was attached");
  }

  Result<int64_t> integer(const Node &n, std::string_view key, int64_t lo, int64_t hi) const {
    auto v = n.value<int64_t>();
    if (!n.is_integer() || !v) return error(n, fmt::format("'{}' must be an integer", key));
    if (*v < lo || *v > hi) return error(n, fmt::format("'{}' = {} is out of range {}..{}", key, *v, lo, hi));
    return *v;
  }

  Result<PortRange> ports(const Node &n, std::string_view key) const {
    if (n.is_integer()) {
      auto v = integer(n, key, 0, 65535);
      if (!v) return std::unexpected(v.error());
      return PortRange{static_cast<uint16_t>(*v), static_cast<uint16_t>(*v)};
    }
    auto s = n.value<std::string>();
    if (!s) return error(n, fmt::format("'{}' must be a port or a range such as \"5000-5999\"", key));
    unsigned lo = 0, hi = 0;
    char dash = 0, extra = 0;
    std::istringstream in(*s);
    if (!(in >> lo >> dash >> hi) || dash != '-' || (in >> extra) || lo > hi || hi > 65535)
      return error(n, fmt::format("'{}' = \"{}\" is not a port range such as \"5000-5999\"", key, *s));
    return PortRange{static_cast<uint16_t>(lo), static_cast<uint16_t>(hi)};
  }

  Result<Rule> parse_rule(const toml::table &t, bool is_default) {
    Rule rule;
    rule.is_default = is_default;
    rule.line = static_cast<int>(t.source().begin.line);
    rule.name = is_default ? "default" : fmt::format("line {}", rule.line);
    policy_action &a = rule.action;
    for (auto &&[key_, node] : t) {
      std::string key(key_.str());
      const Node &n = node;
      auto set_int = [&](uint32_t &field, uint32_t flag, int64_t lo, int64_t hi, int64_t scale = 1) -> Result<> {
        auto v = integer(n, key, lo, hi);
        if (!v) return std::unexpected(v.error());
        field = static_cast<uint32_t>(*v * scale);
        a.fields |= flag;
        return {};
      };
      Result<> r;
      if (key == "name") {
        auto s = n.value<std::string>();
        if (!s) return error(n, "'name' must be a string");
        rule.name = *s;
      } else if (!is_default && (key == "remote" || key == "local")) {
        auto s = n.value<std::string>();
        if (!s) return error(n, fmt::format("'{}' must be a string such as \"10.0.0.0/8\"", key));
        auto p = parse_prefix(*s);
        if (!p) return error(n, fmt::format("'{}': {} ({})", key, p.error().message, p.error().hint));
        (key == "remote" ? rule.remote : rule.local) = *p;
      } else if (!is_default && (key == "remote_port" || key == "local_port")) {
        auto p = ports(n, key);
        if (!p) return std::unexpected(p.error());
        (key == "remote_port" ? rule.remote_port : rule.local_port) = *p;
      } else if (key == "cc") {
        auto s = n.value<std::string>();
        if (!s || s->empty() || s->size() >= POLICY_CC_NAME_MAX)
          return error(n, fmt::format("'cc' must be a congestion control name of 1-{} characters",
                                      POLICY_CC_NAME_MAX - 1));
        std::memset(a.cc, 0, sizeof(a.cc));
        std::memcpy(a.cc, s->data(), s->size());
        a.fields |= POLICY_SET_CC;
      } else if (key == "initcwnd") {
        r = set_int(a.iw, POLICY_SET_IW, 1, 1000);
      } else if (key == "syn_rto_ms") {
        r = set_int(a.syn_rto_ms, POLICY_SET_SYN_RTO, 1, 120000);   // TCP_RTO_MAX
      } else if (key == "sndbuf") {
        r = set_int(a.sndbuf, POLICY_SET_SNDBUF, 4096, std::numeric_limits<int>::max() / 2);
      } else if (key == "rcvbuf") {
        r = set_int(a.rcvbuf, POLICY_SET_RCVBUF, 4096, std::numeric_limits<int>::max() / 2);
      } else if (key == "cwnd_clamp") {
        r = set_int(a.cwnd_clamp, POLICY_SET_CWND_CLAMP, 1, 1 << 20);
      } else if (key == "rto_min_ms") {
        // TCP_BPF_RTO_MIN accepts 2 jiffies .. TCP_RTO_MIN (200 ms)
        r = set_int(a.rto_min_us, POLICY_SET_RTO_MIN, 1, 200, 1000);
      } else if (key == "delack_max_ms") {
        // sent in one option byte; TCP_BPF_DELACK_MAX accepts at most TCP_DELACK_MAX (200 ms)
        r = set_int(a.delack_max_ms, POLICY_SET_DELACK, 1, 200);
      } else {
        return error(n, fmt::format("unknown key '{}' in {}{}", key, is_default ? "[default]" : "[[rule]]",
                                    is_default && (key.find("port") != std::string::npos || key == "remote" ||
                                                   key == "local")
                                        ? " (the default rule matches everything)"
                                        : "; see docs/policy.md for the keys"));
      }
      if (!r) return std::unexpected(r.error());
    }
    if (!a.fields) return error(t, fmt::format("rule '{}' sets nothing; give it at least one setting such as cc", rule.name));
    return rule;
  }

  std::string source_;
  std::optional<Rule> default_rule_;
};

}  // namespace

Result<RuleSet> parse_rules(std::string_view text, const std::string &source) {
  return RuleParser(source).parse(text);
}

Result<RuleSet> load_rules_file(const std::string &path) {
  auto text = read_text_file(path);
  if (!text) return fail_errno(text.error().errnum, "Failed to open rules file " + path, "check the path");
  return parse_rules(*text, path);
}

std::string describe_action(const policy_action &a) {
  std::string s;
  auto add = [&](const std::string &part) { s += (s.empty() ? "" : " ") + part; };
  if (a.fields & POLICY_SET_CC) add(fmt::format("cc={}", std::string(a.cc, strnlen(a.cc, sizeof(a.cc)))));
  if (a.fields & POLICY_SET_IW) add(fmt::format("initcwnd={}", a.iw));
  if (a.fields & POLICY_SET_SYN_RTO) add(fmt::format("syn_rto_ms={}", a.syn_rto_ms));
  if (a.fields & POLICY_SET_SNDBUF) add(fmt::format("sndbuf={}", a.sndbuf));
  if (a.fields & POLICY_SET_RCVBUF) add(fmt::format("rcvbuf={}", a.rcvbuf));
  if (a.fields & POLICY_SET_CWND_CLAMP) add(fmt::format("cwnd_clamp={}", a.cwnd_clamp));
  if (a.fields & POLICY_SET_RTO_MIN) add(fmt::format("rto_min_ms={}", a.rto_min_us / 1000));
  if (a.fields & POLICY_SET_DELACK) add(fmt::format("delack_max_ms={}", a.delack_max_ms));
  return s;
}

void set_default_cc(RuleSet &set, const std::string &cc) {
  if (!set.has_default()) {
    Rule d;
    d.name = "default";
    d.is_default = true;
    set.rules.push_back(d);
  }
  policy_action &a = set.rules.back().action;
  std::memset(a.cc, 0, sizeof(a.cc));
  std::memcpy(a.cc, cc.data(), std::min(cc.size(), sizeof(a.cc) - 1));
  a.fields |= POLICY_SET_CC;
}

}  // namespace ccload::policy
