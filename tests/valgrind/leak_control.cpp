// SPDX-License-Identifier: PostgreSQL
// The control of tests/integration/valgrind_client.sh: a program that leaks
// one 4 KB block on purpose, so that the check proves, in every run, that
// memcheck's leak report turns into a failing exit code under the options the
// script uses. Never installed, never linked into anything else.
#include <cstdlib>
#include <cstring>

int main() {
  // volatile: the compiler may not drop an allocation whose pointer escapes.
  char* volatile block = static_cast<char*>(std::malloc(4096));
  std::memset(block, 'x', 4096);
  block = nullptr;
  return 0;
}
