#include "ccload_cli.h"

#include <cstdlib>

#include "process.h"

namespace ccload::test {

std::string ccload_binary() {
  const char *bin = std::getenv("CCLOAD_BIN");
  return bin ? bin : "ccload";
}

std::string CliResult::error_message() const {
  if (json.is_object() && json.contains("error")) return json["error"].value("message", "");
  return err;
}

CliResult run_command(const std::vector<std::string> &argv) {
  CliResult r;
  auto out = run(argv);
  if (!out) {
    r.err = out.error().message;
    return r;
  }
  r.exit_code = out->exit_code;
  r.out = out->out;
  r.err = out->err;
  r.json = nlohmann::json::parse(r.out, nullptr, false);
  if (r.json.is_discarded()) r.json = nullptr;
  return r;
}

CliResult ccload(const std::vector<std::string> &args) {
  std::vector<std::string> argv{ccload_binary(), "--json"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

std::string show_value(const std::string &cc, const char *kind, const std::string &name) {
  auto r = ccload({"show", cc});
  for (const auto &v : r.json[kind])
    if (v["name"] == name) return v["value"].get<std::string>();
  return "<missing>";
}

}  // namespace ccload::test
