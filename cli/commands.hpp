// SPDX-License-Identifier: PostgreSQL
// The subcommands of `pgqpp`, registered in one table (main.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace pgqpp::cli {

/// A subcommand: adds its options to `app` and returns what runs it
/// (returning the exit code: 0 ok, 1 runtime failure, 2 usage).
struct Command {
  const char* name;
  const char* help;
  std::function<std::function<int()>(CLI::App& app)> setup;
};

std::function<int()> setup_ticker(CLI::App& app);
std::function<int()> setup_install(CLI::App& app);
std::function<int()> setup_create_queue(CLI::App& app);
std::function<int()> setup_drop_queue(CLI::App& app);
std::function<int()> setup_config(CLI::App& app);
std::function<int()> setup_consumer_config(CLI::App& app);
std::function<int()> setup_register(CLI::App& app);
std::function<int()> setup_unregister(CLI::App& app);
std::function<int()> setup_retry(CLI::App& app);
std::function<int()> setup_dead_letters(CLI::App& app);
std::function<int()> setup_status(CLI::App& app);
std::function<int()> setup_tail(CLI::App& app);
std::function<int()> setup_produce(CLI::App& app);
std::function<int()> setup_demo(CLI::App& app);
std::function<int()> setup_migrate(CLI::App& app);
std::function<int()> setup_web(CLI::App& app);

}  // namespace pgqpp::cli
