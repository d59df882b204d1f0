// Checks on text (error messages, reports) shared by the test binaries.
#pragma once
#include <gtest/gtest.h>

#include <string>

#include "text_file.h"

// The text contains the needle; a failure prints the whole text.
#define EXPECT_MENTIONS(text, needle) EXPECT_NE((text).find(needle), std::string::npos) << (text)

namespace ccload::test {

// A file's contents, or "" if it cannot be read (the assertion on the contents then fails).
inline std::string slurp(const std::string &path) { return ccload::read_text_file(path).value_or(""); }

}  // namespace ccload::test
