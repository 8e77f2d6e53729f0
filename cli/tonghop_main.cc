// tonghop: the command-line tool of the province's operators and scripts.
#include "cli/collector_status.h"
#include "cli/submit.h"
#include "cli/watch.h"
#include "core/process.h"

int main(int argc, char** argv) {
  CLI::App app{"tonghop: follow the province totals and hand figures to a collector.", "tonghop"};
  app.footer(
      "Examples:\n"
      "  tonghop watch                            # live province totals from the local publisher\n"
      "  tonghop watch --once --json              # one snapshot as JSON, for scripts\n"
      "  tonghop submit --collector ipc://var/collectors/cao-loc/submit.sock \\\n"
      "      --indicator agri.sown_area.total --period 2017-Q1 --value 2310.5\n"
      "  tonghop collector-status --collector ipc://var/collectors/cao-loc/submit.sock\n"
      "Run `tonghop COMMAND --help` for a command's flags. docs/OPERATIONS.md covers running a province.");
  tonghop::CommonFlags common;
  tonghop::AddCommonFlags(app, &common);
  app.require_subcommand(1, 1);
  tonghop::cli::WatchOptions watch;
  CLI::App* watch_command = tonghop::cli::AddWatchCommand(app, &watch);
  tonghop::cli::SubmitOptions submit;
  CLI::App* submit_command = tonghop::cli::AddSubmitCommand(app, &submit);
  tonghop::cli::CollectorStatusOptions status;
  tonghop::cli::AddCollectorStatusCommand(app, &status);
  return tonghop::RunMain(app, argc, argv, "tonghop", common, [&] {
    if (watch_command->parsed()) return tonghop::cli::RunWatch(watch);
    if (submit_command->parsed()) return tonghop::cli::RunSubmit(submit);
    return tonghop::cli::RunCollectorStatus(status);
  });
}
