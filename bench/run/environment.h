// What the numbers depend on, recorded with them: kernel, CPU, TCP sysctls, tool and library
// versions, the project's commit. Offloads and the path backend are per run (see runner.cpp).
#pragma once
#include "common.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ccbench::run {

nlohmann::json capture_environment();
std::string utc_now_iso();

}  // namespace ccbench::run
