#pragma once
// `docker run` and `docker create` as the POST /containers/create request
// the docker CLI 28 sends to an engine on API 1.41: the whole body as Go's
// encoding/json writes it (zero values included), flags read as the CLI's
// `parse` reads them.

#include <span>
#include <string>

#include "cli/check/docker_flags.h"
#include "cli/check/translated_request.h"

namespace moat::cli::check {

enum class CreateCommand { kRun, kCreate };

// `args` are the words after "run"/"create": flags, IMAGE, then the command.
Result<TranslatedRequest, CommandLineError> translate_container_create(CreateCommand command,
                                                                       std::span<const std::string> args,
                                                                       const HostEnvironment& host);

}  // namespace moat::cli::check
