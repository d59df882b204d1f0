// Result<T>: what every function that talks to the OS returns. An Error carries the errno (if any),
// a message that says what failed, and a hint that tells the user what to do next. Callers add
// context as the error travels up; only main() turns it into a message and an exit code.
#pragma once
#include "common.h"

#include <cerrno>
#include <cstring>
#include <expected>
#include <string>
#include <type_traits>
#include <utility>

namespace ccload {

struct Error {
  int errnum = 0;        // positive errno, 0 when the failure is not an OS error
  std::string message;   // "Failed to open /x: No such file or directory"
  std::string hint;      // "run `ccload list` to see ..." (may be empty)

  // Prepends what the caller was doing: "registering bpf_cubic: <message>".
  Error &context(const std::string &what) & {
    message = what + ": " + message;
    return *this;
  }
  Error &&context(const std::string &what) && {
    message = what + ": " + message;
    return std::move(*this);
  }
  Error &&with_hint(std::string h) && {
    hint = std::move(h);
    return std::move(*this);
  }
};

template <class T = void> using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string message, std::string hint = {}) {
  return std::unexpected(Error{0, std::move(message), std::move(hint)});
}

// For an OS call that failed with `err` (positive or negative errno, as libbpf returns them).
inline std::unexpected<Error> fail_errno(int err, const std::string &what, std::string hint = {}) {
  if (err < 0) err = -err;
  return std::unexpected(Error{err, what + ": " + std::strerror(err), std::move(hint)});
}

inline std::unexpected<Error> fail_errno(const std::string &what, std::string hint = {}) {
  return fail_errno(errno, what, std::move(hint));
}

// GCC 12's std::expected lacks the monadic members (transform, and_then arrive in GCC 13).
// map_ok(r, f) is r.transform(f): f's result on success, r's error otherwise.
template <class T, class F>
auto map_ok(const Result<T> &r, F &&f) -> Result<std::invoke_result_t<F, const T &>> {
  if (!r) return std::unexpected(r.error());
  return std::forward<F>(f)(*r);
}
template <class F>
auto map_ok(const Result<void> &r, F &&f) -> Result<std::invoke_result_t<F>> {
  if (!r) return std::unexpected(r.error());
  return std::forward<F>(f)();
}

}  // namespace ccload
