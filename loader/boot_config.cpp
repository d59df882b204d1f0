#include "boot_config.h"
#include "text_file.h"

#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace ccload {
namespace {

std::string where(const std::string &origin, const toml::source_region &src) {
  return origin + ":" + std::to_string(src.begin.line);
}

}  // namespace

Result<std::vector<BootEntry>> parse_boot_config(const std::string &text, const std::string &origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error &e) {
    return fail(origin + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  std::vector<BootEntry> entries;
  for (const auto &[key, node] : root)
    if (key != "cc")
      return fail(where(origin, node.source()) + ": unknown key '" + std::string(key.str()) + "'",
                  "the file holds only [[cc]] tables");
  const toml::array *ccs = root["cc"].as_array();
  if (!ccs) return entries;
  for (const auto &node : *ccs) {
    const toml::table *t = node.as_table();
    if (!t) return fail(where(origin, node.source()) + ": `cc` must be an array of tables ([[cc]])");
    BootEntry e;
    for (const auto &[key, value] : *t) {
      std::string k(key.str());
      std::string at = where(origin, value.source());
      if (k == "object" && value.is_string()) e.object = *value.value<std::string>();
      else if (k == "name" && value.is_string()) e.name = *value.value<std::string>();
      else if (k == "allow" && value.is_boolean()) e.allow = *value.value<bool>();
      else if (k == "default" && value.is_boolean()) e.make_default = *value.value<bool>();
      else if (k == "set" && value.is_table()) {
        for (const auto &[param, v] : *value.as_table()) {
          std::ostringstream text_value;
          if (v.is_string()) text_value << *v.value<std::string>();
          else if (v.is_boolean()) text_value << (*v.value<bool>() ? "true" : "false");
          else if (v.is_integer()) text_value << *v.value<int64_t>();
          else return fail(where(origin, v.source()) + ": tunable '" + std::string(param.str()) +
                           "' must be an integer, a boolean or a string");
          e.assignments.push_back(std::string(param.str()) + "=" + text_value.str());
        }
      } else {
        return fail(at + ": unexpected key '" + k + "' (or wrong type)",
                    "valid keys: object (string), name (string), allow (bool), default (bool), set (table)");
      }
    }
    if (e.object.empty()) return fail(where(origin, t->source()) + ": [[cc]] needs `object = \"...\"`");
    entries.push_back(std::move(e));
  }
  return entries;
}

Result<std::vector<BootEntry>> load_boot_config(const std::string &path) {
  auto text = read_text_file(path);
  if (!text) return fail_errno(text.error().errnum, "Failed to read " + path,
                               "create it (see docs/boot.example.toml) or pass --config");
  return parse_boot_config(*text, path);
}

}  // namespace ccload
