// Rules compiled into the contents of the policy's BPF maps, and the two matchers the unit tests
// compare: the reference (first rule in file order that matches) and the one the BPF program
// runs (longest-prefix lookups in two tries of rule masks, then the first rule whose ports match).
#pragma once
#include "common.h"
#include "rules.h"

#include <map>
#include <optional>
#include <vector>

namespace ccload::policy {

struct RuleTables {
  std::vector<policy_rule> rules;          // array map, index = position in the rule set
  std::map<Prefix, uint64_t> remote, local;  // LPM trie entries: prefix -> mask of rules
  policy_config config{};
};

// Orders prefixes for std::map (any order works; the tries do not care).
bool operator<(const Prefix &a, const Prefix &b);

RuleTables compile(const RuleSet &set);
policy_lpm_key lpm_key(const Prefix &p);
Prefix prefix_of(const policy_lpm_key &k);

struct Tuple {
  Addr remote{}, local{};
  uint16_t remote_port = 0, local_port = 0;
};

// Index of the first matching rule, by definition.
std::optional<size_t> first_match(const RuleSet &set, const Tuple &t);
// Index of the matching rule as the BPF program finds it from the tables.
std::optional<size_t> table_match(const RuleTables &tables, const Tuple &t);

}  // namespace ccload::policy
