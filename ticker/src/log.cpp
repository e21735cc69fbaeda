// SPDX-License-Identifier: PostgreSQL
// The daemon's log: see log.hpp.
#include "log.hpp"

#include <sys/time.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace pgqpp::ticker {

Log::~Log() {
  if (file_ != nullptr) std::fclose(file_);
  if (syslog_) closelog();
}

bool Log::configure(const std::string& logfile, bool syslog, const std::string& ident, bool quiet,
                    bool verbose, std::string* error) {
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
  if (!logfile.empty()) {
    file_ = std::fopen(logfile.c_str(), "a");
    if (file_ == nullptr) {
      *error = "cannot open log file " + logfile + ": " + std::strerror(errno);
      return false;
    }
    setvbuf(file_, nullptr, _IOLBF, 0);
  }
  if (syslog_) closelog();
  syslog_ = syslog;
  ident_ = ident;
  if (syslog_) openlog(ident_.c_str(), LOG_PID, LOG_DAEMON);
  quiet_ = quiet;
  verbose_ = verbose;
  return true;
}

static const char* level_name(Level level) {
  switch (level) {
    case Level::debug:
      return "DEBUG";
    case Level::info:
      return "LOG";
    case Level::warning:
      return "WARNING";
    case Level::error:
      return "ERROR";
  }
  return "LOG";
}

void Log::write(Level level, const std::string& db, const std::string& message,
                const std::string& queue) {
  if (level == Level::debug && !verbose_) return;
  timeval tv{};
  gettimeofday(&tv, nullptr);
  tm t{};
  gmtime_r(&tv.tv_sec, &t);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &t);
  std::string where;
  if (!db.empty()) where += " db=" + db;
  if (!queue.empty()) where += " queue=" + queue;
  char head[160];
  std::snprintf(head, sizeof head, "%s.%03d UTC [%d] %s%s: ", stamp,
                static_cast<int>(tv.tv_usec / 1000), static_cast<int>(getpid()), level_name(level),
                where.c_str());
  std::string line = head + message + "\n";
  if (!quiet_) std::fputs(line.c_str(), stderr);
  if (file_ != nullptr) std::fputs(line.c_str(), file_);
  if (syslog_) {
    int prio = level == Level::error     ? LOG_ERR
               : level == Level::warning ? LOG_WARNING
               : level == Level::debug   ? LOG_DEBUG
                                         : LOG_INFO;
    ::syslog(prio, "%s%s%s", where.empty() ? "" : where.substr(1).c_str(),
             where.empty() ? "" : ": ", message.c_str());
  }
}

}  // namespace pgqpp::ticker
