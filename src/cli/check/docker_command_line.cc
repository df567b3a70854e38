#include "cli/check/docker_command_line.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <vector>

#include "cli/check/container_create.h"
#include "cli/check/engine_commands.h"

extern char** environ;

namespace moat::cli::check {
namespace {

struct Command {
  std::string_view first;
  std::string_view second;  // "" for a one-word command
  Translation (*translate)(std::span<const std::string> args, const HostEnvironment& host);
};

// The commands translated, under their short and their management-command
// names.
constexpr std::array kCommands = {
    Command{"run", "",
            [](auto args, const auto& host) { return translate_container_create(CreateCommand::kRun, args, host); }},
    Command{"container", "run",
            [](auto args, const auto& host) { return translate_container_create(CreateCommand::kRun, args, host); }},
    Command{"create", "",
            [](auto args, const auto& host) { return translate_container_create(CreateCommand::kCreate, args, host); }},
    Command{"container", "create",
            [](auto args, const auto& host) { return translate_container_create(CreateCommand::kCreate, args, host); }},
    Command{"exec", "", [](auto args, const auto& host) { return translate_exec(args, host); }},
    Command{"container", "exec", [](auto args, const auto& host) { return translate_exec(args, host); }},
    Command{"volume", "create", [](auto args, const auto&) { return translate_volume_create(args); }},
    Command{"network", "create", [](auto args, const auto&) { return translate_network_create(args); }},
    Command{"pull", "", [](auto args, const auto&) { return translate_pull(args); }},
    Command{"image", "pull", [](auto args, const auto&) { return translate_pull(args); }},
    Command{"push", "", [](auto args, const auto&) { return translate_push(args); }},
    Command{"image", "push", [](auto args, const auto&) { return translate_push(args); }},
    Command{"load", "", [](auto args, const auto&) { return translate_load(args); }},
    Command{"image", "load", [](auto args, const auto&) { return translate_load(args); }},
    Command{"import", "", [](auto args, const auto&) { return translate_import(args); }},
    Command{"image", "import", [](auto args, const auto&) { return translate_import(args); }},
    Command{"build", "", [](auto args, const auto& host) { return translate_build(args, host); }},
    Command{"image", "build", [](auto args, const auto& host) { return translate_build(args, host); }},
    Command{"builder", "build", [](auto args, const auto& host) { return translate_build(args, host); }},
    Command{"plugin", "install", [](auto args, const auto&) { return translate_plugin_install(args); }},
    Command{"swarm", "init", [](auto args, const auto&) { return translate_swarm_init(args); }},
};

constexpr const char* kKnownCommands =
    "run, create, exec, volume create, network create, pull, push, load, import, build, plugin install, swarm init";

}  // namespace

HostEnvironment HostEnvironment::current() {
  HostEnvironment host;
  std::vector<char> buffer(4096);
  while (::getcwd(buffer.data(), buffer.size()) == nullptr && errno == ERANGE) buffer.resize(buffer.size() * 2);
  host.working_directory = buffer.data();
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const Cut kv = cut(*entry, '=');
    if (kv.found) host.variables.emplace(kv.before, kv.after);
  }
  return host;
}

namespace {

Result<TranslatedRequest, CommandLineError> translate(std::span<const std::string> argv, const HostEnvironment& host) {
  std::span<const std::string> words = argv;
  if (!words.empty() && words.front() == "docker") words = words.subspan(1);
  if (words.empty()) return unexpected(CommandLineError{"no docker command given (for example: docker run alpine)"});
  if (words.front().starts_with("-")) {
    return unexpected(CommandLineError{"docker " + words.front() +
                                       ": global docker options are not supported; give the command alone"});
  }
  for (const auto& command : kCommands) {
    if (words.front() != command.first) continue;
    if (command.second.empty()) return command.translate(words.subspan(1), host);
    if (words.size() > 1 && words[1] == command.second) return command.translate(words.subspan(2), host);
  }
  std::string named = "docker " + words.front();
  if (words.size() > 1 && !words[1].starts_with("-")) named += " " + words[1];
  return unexpected(CommandLineError{
      "\"" + named + "\" is not a command moatctl check translates (it translates: " + kKnownCommands + ")"});
}

}  // namespace

Result<TranslatedRequest, CommandLineError> translate_docker_command(std::span<const std::string> argv,
                                                                     const HostEnvironment& host) {
  try {
    auto translated = translate(argv, host);
    // Go's encoding/json writes invalid UTF-8 as U+FFFD: the engine and the
    // policy would see the replaced text, so the policy here sees it too.
    if (translated && translated->request.body) {
      translated->request.body = nlohmann::json::parse(
          translated->request.body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    return translated;
  } catch (const std::exception& e) {
    return unexpected(CommandLineError{std::string("the command line could not be translated: ") + e.what()});
  }
}

}  // namespace moat::cli::check
