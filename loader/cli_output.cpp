#include "cli.h"

#include <cstdio>
#include <iostream>

namespace ccload {

void print_error(const GlobalOptions &opts, const Error &e) {
  if (opts.json) {
    nlohmann::json j = {{"message", e.message}};
    if (!e.hint.empty()) j["hint"] = e.hint;
    if (e.errnum) j["errno"] = e.errnum;
    std::cout << nlohmann::json{{"error", j}}.dump() << std::endl;
    return;
  }
  std::cerr << "ccload: " << e.message << "\n";
  if (!e.hint.empty()) std::cerr << "  hint: " << e.hint << "\n";
}

int emit(const GlobalOptions &opts, const Result<nlohmann::json> &result, const HumanRenderer &human) {
  if (!result) {
    print_error(opts, result.error());
    return kExitFailure;
  }
  if (opts.json)
    std::cout << result->dump() << std::endl;
  else
    human(*result);
  return kExitOk;
}

}  // namespace ccload
