// moatd-audit-switch: moatd as shipped, plus a switch that pauses the audit
// log (SIGUSR2) and resumes it (SIGUSR1). bench/audit_throughput.sh measures
// audit on and off in this one process, because the CPU time a request costs
// differs between two moatd processes of the same binary by more than audit
// costs. Built only with the benchmarks; never installed.
#include "moatd/command_line.h"

int main(int argc, char** argv) {
  moat::moatd::ServerOptions options;
  options.audit_switch_for_benchmark = true;
  return moat::moatd::moatd_main(argc, argv, options);
}
