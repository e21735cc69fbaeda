#include "pgqpp/event.hpp"

#include <string>

#include "pg/errors.hpp"
#include "text/timestamp.hpp"

namespace pgqpp {

std::chrono::system_clock::time_point Event::time_point() const {
  auto t = text::parse_iso_timestamp(time);
  if (!t) detail::throw_usage("event " + std::to_string(id) + " has a time not in ISO form: '" +
                              std::string(time) + "'");
  return *t;
}

}  // namespace pgqpp
