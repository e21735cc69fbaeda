// SPDX-License-Identifier: PostgreSQL
// The tool's checks and escaping of names (cli/format/object_name.hpp,
// cli/format/escape_text.hpp).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "escape_text.hpp"
#include "object_name.hpp"

using namespace pgqpp::cli;

namespace {

std::string rejection(std::string_view kind, std::string_view name) {
  try {
    check_name(kind, name);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(CliObjectName, EmptyAndOverlongNamesAreRejected) {
  EXPECT_EQ(rejection("queue", ""), "queue name must not be empty");
  EXPECT_EQ(rejection("consumer", ""), "consumer name must not be empty");
  EXPECT_EQ(rejection("queue", std::string(1001, 'q')),
            "queue name is too long (1001 bytes; the limit is 1000)");
}

TEST(CliObjectName, AnyOtherTextIsAName) {
  EXPECT_EQ(rejection("queue", std::string(1000, 'q')), "");
  EXPECT_EQ(rejection("queue", "a\nb\tc"), "");
  EXPECT_EQ(rejection("consumer", "\"quoted\".dotted ✓"), "");
}

TEST(CliEscapeText, EscapesControlCharactersOnly) {
  EXPECT_EQ(escape_controls("a\nb\tc\rd\x01"
                            "e\x7f"),
            "a\\nb\\tc\\rd\\x01e\\x7f");
  EXPECT_EQ(escape_controls("héllo ✓ \\n"), "héllo ✓ \\n");
}
