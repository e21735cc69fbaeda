// SPDX-License-Identifier: PostgreSQL
// 100 MiB event payloads through pgq.insert_event and pgq.insert_events,
// consumed back with pgq.get_batch_events and compared by length and md5
// (was tests/integration/huge_payload.sh). Two kinds of payload:
// repeat('x', 100 MiB), which TOAST compresses, and 100 MiB of hex digits
// that TOAST cannot compress much (a 1 MiB block of md5 digests, repeated:
// the compressors look back far less than 1 MiB), stored out of line nearly
// as is. lz4 is the TOAST compression here, where the server has it, only to
// keep the run short (pglz spends seconds failing on the hex payload); the
// portable 17 server is built without it. The server must survive (the
// fixture's crash check).
#include <openssl/evp.h>

#include <string>

#include "database_test.hpp"

namespace pgqpp_cluster {
namespace {

constexpr std::size_t mib100 = 100 * 1024 * 1024;

std::string md5_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) out += {hex[digest[i] >> 4], hex[digest[i] & 15]};
  return out;
}

class HugePayload : public DatabaseTest {};

TEST_F(HugePayload, InsertedAndReadBackIntact) {
  if (q("select 'lz4' = any(enumvals) from pg_settings where name = 'default_toast_compression'") ==
      "t")
    db->exec("set default_toast_compression = lz4");
  db->exec("select pgq.create_queue('huge')");
  db->exec("select pgq.register_consumer('huge', 'c')");
  // 1 MiB of md5 hex digests; repeated 100 times it makes the incompressible payload.
  db->exec(
      "create table block as select string_agg(md5(i::text), '' order by i) as b "
      "from generate_series(1, 32768) i");
  db->exec(
      "create function hex_payload() returns text language sql as "
      "'select repeat(b, 100) from block'");

  // The expected md5s, computed here, independently of the server.
  std::string block;
  for (int i = 1; i <= 32768; ++i) block += md5_hex(std::to_string(i));
  std::string hex_payload;
  for (int i = 0; i < 100; ++i) hex_payload += block;
  const std::string expect_x = md5_hex(std::string(mib100, 'x'));
  const std::string expect_hex = md5_hex(hex_payload);
  ASSERT_EQ(q("select octet_length(hex_payload())"), std::to_string(mib100))
      << "the hex payload is not 100 MiB";
  ASSERT_EQ(q("select md5(hex_payload())"), expect_hex)
      << "the server's hex payload is not the block of md5 digests computed here";

  // Producers, one transaction each: insert_event with both payloads, then
  // insert_events with a huge, a small and a huge event.
  db->exec("select pgq.insert_event('huge', 'one', repeat('x', 100 * 1024 * 1024))");
  db->exec("select pgq.insert_event('huge', 'one', hex_payload())");
  ASSERT_EQ(q("select pgq.insert_events('huge', array['many'], "
              "array[hex_payload(), 'small', repeat('x', 100 * 1024 * 1024)])"),
            "3")
      << "insert_events did not insert 3 events";

  tick("huge");
  std::string batch = q("select pgq.next_batch('huge', 'c')");
  ASSERT_NE(batch, "") << "no batch after the tick";
  std::string want = "one:104857600:" + expect_x + " one:104857600:" + expect_hex +
                     " many:104857600:" + expect_hex + " many:5:" + md5_hex("small") +
                     " many:104857600:" + expect_x;
  EXPECT_EQ(q("select string_agg(ev_type || ':' || octet_length(ev_data) || ':' || md5(ev_data), "
              "' ' order by ev_id) from pgq.get_batch_events(" +
              batch + ")"),
            want)
      << "the batch's events differ from what was inserted";
  EXPECT_EQ(q("select pgq.finish_batch(" + batch + ")"), "1") << "finish_batch did not return 1";
  EXPECT_EQ(q("select 1"), "1") << "the server does not answer";
}

}  // namespace
}  // namespace pgqpp_cluster
