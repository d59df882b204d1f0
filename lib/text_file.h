// Reading a whole (small) file: configuration, scenarios, traces, rules, JSON results.
#pragma once
#include "common.h"
#include "result.h"

#include <string>

namespace ccload {

// The file's contents; an error (with errno) when it cannot be opened or read.
Result<std::string> read_text_file(const std::string &path);

}  // namespace ccload
