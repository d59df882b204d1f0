#include "text_file.h"

#include <fstream>
#include <sstream>

namespace ccload {

Result<std::string> read_text_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail_errno("Failed to open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail_errno("Failed to read " + path);
  return text.str();
}

}  // namespace ccload
