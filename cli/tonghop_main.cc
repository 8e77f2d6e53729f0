// tonghop: the command-line tool of the province's operators and scripts.
#include "cli/collector_status.h"
#include "cli/history.h"
#include "cli/import.h"
#include "cli/period_status.h"
#include "cli/query.h"
#include "cli/report.h"
#include "cli/keygen.h"
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
      "  tonghop keygen cao-loc --role collector      # a CURVE key pair for a node\n"
      "  tonghop status --period 2017-Q1          # who has reported, who is late, who is missing\n"
      "  tonghop query --period 2017-Q1 --indicator agri. --by unit\n"
      "  tonghop history --unit cao-loc --indicator agri.herd.pigs --period 2017-Q1\n"
      "  tonghop export --period 2016-Q1 --format json > 2016-q1.json; tonghop import 2016-q1.json\n"
      "  tonghop report --period 2017-Q1 --format html --output quy1-2017.html\n"
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
  tonghop::cli::KeygenOptions keygen;
  CLI::App* keygen_command = tonghop::cli::AddKeygenCommand(app, &keygen);
  tonghop::cli::PeriodStatusOptions period_status;
  CLI::App* period_status_command = tonghop::cli::AddPeriodStatusCommand(app, &period_status);
  tonghop::cli::QueryOptions query;
  CLI::App* query_command = tonghop::cli::AddQueryCommand(app, &query);
  tonghop::cli::HistoryOptions history;
  CLI::App* history_command = tonghop::cli::AddHistoryCommand(app, &history);
  tonghop::cli::ExportOptions export_options;
  CLI::App* export_command = tonghop::cli::AddExportCommand(app, &export_options);
  tonghop::cli::ImportOptions import_options;
  CLI::App* import_command = tonghop::cli::AddImportCommand(app, &import_options);
  tonghop::cli::ReportOptions report;
  CLI::App* report_command = tonghop::cli::AddReportCommand(app, &report);
  return tonghop::RunMain(app, argc, argv, "tonghop", common, [&] {
    if (watch_command->parsed()) return tonghop::cli::RunWatch(watch);
    if (submit_command->parsed()) return tonghop::cli::RunSubmit(submit);
    if (keygen_command->parsed()) return tonghop::cli::RunKeygen(keygen);
    if (period_status_command->parsed()) return tonghop::cli::RunPeriodStatus(period_status);
    if (query_command->parsed()) return tonghop::cli::RunQuery(query);
    if (history_command->parsed()) return tonghop::cli::RunHistory(history);
    if (export_command->parsed()) return tonghop::cli::RunExport(export_options);
    if (import_command->parsed()) return tonghop::cli::RunImport(import_options);
    if (report_command->parsed()) return tonghop::cli::RunReport(report);
    return tonghop::cli::RunCollectorStatus(status);
  });
}
