#include "rule_tables.h"

#include <cstring>
#include <tuple>

namespace ccload::policy {

bool operator<(const Prefix &a, const Prefix &b) { return std::tie(a.len, a.addr) < std::tie(b.len, b.addr); }

policy_lpm_key lpm_key(const Prefix &p) {
  policy_lpm_key k{};
  k.prefixlen = p.len;
  std::memcpy(k.addr, p.addr.data(), sizeof(k.addr));
  return k;
}

Prefix prefix_of(const policy_lpm_key &k) {
  Prefix p;
  p.len = k.prefixlen;
  std::memcpy(p.addr.data(), k.addr, sizeof(k.addr));
  return p;
}

static bool matches(const Rule &r, const Tuple &t) {
  return r.remote.contains(t.remote) && r.local.contains(t.local) && r.remote_port.contains(t.remote_port) &&
         r.local_port.contains(t.local_port);
}

std::optional<size_t> first_match(const RuleSet &set, const Tuple &t) {
  for (size_t i = 0; i < set.rules.size(); i++)
    if (matches(set.rules[i], t)) return i;
  return std::nullopt;
}

// For each distinct prefix P of one side, the rules whose prefix contains P. An address's
// longest matching P then carries exactly the rules whose prefix contains the address, because
// all prefixes containing one address are nested in one another.
static std::map<Prefix, uint64_t> masks(const RuleSet &set, Prefix Rule::*side) {
  std::map<Prefix, uint64_t> out;
  for (const auto &r : set.rules) out[r.*side] = 0;
  for (auto &[p, mask] : out)
    for (size_t i = 0; i < set.rules.size(); i++)
      if ((set.rules[i].*side).contains(p)) mask |= 1ULL << i;
  return out;
}

RuleTables compile(const RuleSet &set) {
  RuleTables t;
  t.remote = masks(set, &Rule::remote);
  t.local = masks(set, &Rule::local);
  for (const auto &r : set.rules) {
    policy_rule pr{};
    pr.remote_port_lo = r.remote_port.lo;
    pr.remote_port_hi = r.remote_port.hi;
    pr.local_port_lo = r.local_port.lo;
    pr.local_port_hi = r.local_port.hi;
    pr.remote = lpm_key(r.remote);
    pr.local = lpm_key(r.local);
    pr.action = r.action;
    pr.line = static_cast<uint32_t>(r.line);
    pr.is_default = r.is_default;
    t.rules.push_back(pr);
    if (r.action.fields & POLICY_SET_DELACK) t.config.any_delack = 1;
  }
  t.config.nrules = static_cast<uint32_t>(t.rules.size());
  return t;
}

static std::optional<uint64_t> longest(const std::map<Prefix, uint64_t> &trie, const Addr &a) {
  std::optional<std::pair<uint32_t, uint64_t>> best;
  for (const auto &[p, mask] : trie)
    if (p.contains(a) && (!best || p.len > best->first)) best = {p.len, mask};
  if (!best) return std::nullopt;
  return best->second;
}

std::optional<size_t> table_match(const RuleTables &tables, const Tuple &t) {
  auto r = longest(tables.remote, t.remote), l = longest(tables.local, t.local);
  if (!r || !l) return std::nullopt;
  uint64_t mask = *r & *l;
  for (size_t i = 0; i < tables.rules.size(); i++) {
    if (!(mask & (1ULL << i))) continue;
    const auto &pr = tables.rules[i];
    if (t.remote_port >= pr.remote_port_lo && t.remote_port <= pr.remote_port_hi &&
        t.local_port >= pr.local_port_lo && t.local_port <= pr.local_port_hi)
      return i;
  }
  return std::nullopt;
}

}  // namespace ccload::policy
