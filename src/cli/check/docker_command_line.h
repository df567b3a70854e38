#pragma once
// `moatctl check`'s reading of a docker command line: which command it is
// (the leading word "docker" may be left out) and the request the docker
// CLI would send for it.

#include <span>
#include <string>

#include "cli/check/docker_flags.h"
#include "cli/check/translated_request.h"

namespace moat::cli::check {

Result<TranslatedRequest, CommandLineError> translate_docker_command(std::span<const std::string> argv,
                                                                     const HostEnvironment& host);

}  // namespace moat::cli::check
