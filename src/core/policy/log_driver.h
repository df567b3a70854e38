#pragma once
// Rule "container.log-driver": where the engine sends a container's output.
// Allowed: the engine's default (no driver named, which the admin's engine
// configuration sets), and the drivers that keep the output in the engine's
// own storage (json-file, local) or drop it (none). Every other driver has
// the engine itself, as root in the host's network namespace, connect
// wherever the container's options say (syslog, gelf, fluentd, splunk,
// awslogs, gcplogs, logentries: any host, port or unix socket), or write
// into the host's journal (journald): a way out for a container that has no
// network of its own, around Moat's egress filter and into the host's logs.
// Those need moat.allowAnyLogDriver.

#include "core/policy/body_fields.h"
#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

// HostConfig of a create: LogConfig.Type.
Decision judge_log_driver(const Fields& host_config, const PolicyContext& context);

}  // namespace moat::core::policy
