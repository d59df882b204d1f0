// Linked into every privileged test binary: before the first test, removes what killed earlier
// runs left (namespaces and test CCs whose pid is gone) and refuses to run without root, since a
// privileged test that cannot touch the kernel proves nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include "netns.h"
#include "test_ccs.h"

namespace {

class PrivilegedEnvironment : public testing::Environment {
 public:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "privileged tests need root (they register CCs and create namespaces)";
    ccload::reap_stale_namespaces();
    ccload::test::reap_stale_test_ccs();
  }
};

[[maybe_unused]] testing::Environment *const env =
    testing::AddGlobalTestEnvironment(new PrivilegedEnvironment);

}  // namespace
