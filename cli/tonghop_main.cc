// tonghop: the command-line tool of the province's operators and scripts.
#include <functional>
#include <utility>
#include <vector>

#include "cli/backup.h"
#include "cli/collector_status.h"
#include "cli/history.h"
#include "cli/import.h"
#include "cli/period_status.h"
#include "cli/query.h"
#include "cli/report.h"
#include "cli/keygen.h"
#include "cli/submit.h"
#include "cli/template.h"
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
      "  tonghop void --collector ipc://var/collectors/cao-loc/submit.sock \\\n"
      "      --indicator agri.sown_area.total --period 2030-Q1   # a figure stored by mistake\n"
      "  tonghop collector-status --collector ipc://var/collectors/cao-loc/submit.sock\n"
      "  tonghop keygen cao-loc --role collector      # a CURVE key pair for a node\n"
      "  tonghop status --period 2017-Q1          # who has reported, who is late, who is missing\n"
      "  tonghop query --period 2017-Q1 --indicator agri. --by unit\n"
      "  tonghop history --unit cao-loc --indicator agri.herd.pigs --period 2017-Q1\n"
      "  tonghop export --period 2016-Q1 --format json > 2016-q1.json; tonghop import 2016-q1.json\n"
      "  tonghop template --unit cao-loc --period 2017-Q1 --output cao-loc-2017-q1.xlsx\n"
      "  tonghop report --period 2017-Q1 --format html --output quy1-2017.html\n"
      "  tonghop backup --output /srv/backups/tonghop-2017-04-05   # a copy of the running aggregator\n"
      "Run `tonghop COMMAND --help` for a command's flags. docs/OPERATIONS.md covers running a province, and where\n"
      "the office commands find their keys and catalog (flags, then $TONGHOP_CONFIG, ~/.config/tonghop/tonghop.toml\n"
      "or /etc/tonghop/tonghop.toml, then the local province).");
  tonghop::CommonFlags common;
  tonghop::AddCommonFlags(app, &common);
  std::string lang;
  app.add_option("--lang", lang,
                 "language of what district officers and the office read: vi (Vietnamese) or en (English); default: "
                 "the configuration file's lang, else the locale (LANG=en_US.UTF-8: English), else Vietnamese")
      ->check(CLI::IsMember({"vi", "en"}));
  // The common flags may also follow the subcommand: tonghop submit --lang en ...
  app.fallthrough();
  app.require_subcommand(1, 1);
  // Each subcommand with what runs it; CLI11 parses exactly one (require_subcommand(1, 1)).
  std::vector<std::pair<CLI::App*, std::function<tonghop::Status()>>> commands;
  tonghop::cli::WatchOptions watch;
  commands.emplace_back(tonghop::cli::AddWatchCommand(app, &watch), [&] {
    watch.lang = lang;
    return tonghop::cli::RunWatch(watch);
  });
  tonghop::cli::SubmitOptions submit;
  commands.emplace_back(tonghop::cli::AddSubmitCommand(app, &submit), [&] {
    submit.lang = lang;
    return tonghop::cli::RunSubmit(submit);
  });
  tonghop::cli::SubmitOptions void_options;
  commands.emplace_back(tonghop::cli::AddVoidCommand(app, &void_options), [&] {
    void_options.lang = lang;
    return tonghop::cli::RunSubmit(void_options);
  });
  tonghop::cli::CollectorStatusOptions status;
  commands.emplace_back(tonghop::cli::AddCollectorStatusCommand(app, &status), [&] {
    status.lang = lang;
    return tonghop::cli::RunCollectorStatus(status);
  });
  tonghop::cli::KeygenOptions keygen;
  commands.emplace_back(tonghop::cli::AddKeygenCommand(app, &keygen), [&] { return tonghop::cli::RunKeygen(keygen); });
  tonghop::cli::PeriodStatusOptions period_status;
  commands.emplace_back(tonghop::cli::AddPeriodStatusCommand(app, &period_status),
                        [&] { return tonghop::cli::RunPeriodStatus(period_status); });
  tonghop::cli::QueryOptions query;
  commands.emplace_back(tonghop::cli::AddQueryCommand(app, &query), [&] { return tonghop::cli::RunQuery(query); });
  tonghop::cli::HistoryOptions history;
  commands.emplace_back(tonghop::cli::AddHistoryCommand(app, &history), [&] { return tonghop::cli::RunHistory(history); });
  tonghop::cli::ExportOptions export_options;
  commands.emplace_back(tonghop::cli::AddExportCommand(app, &export_options),
                        [&] { return tonghop::cli::RunExport(export_options); });
  tonghop::cli::ImportOptions import_options;
  commands.emplace_back(tonghop::cli::AddImportCommand(app, &import_options), [&] {
    import_options.lang = lang;
    return tonghop::cli::RunImport(import_options);
  });
  tonghop::cli::TemplateOptions template_options;
  commands.emplace_back(tonghop::cli::AddTemplateCommand(app, &template_options), [&] {
    template_options.lang = lang;
    return tonghop::cli::RunTemplate(template_options);
  });
  tonghop::cli::ReportOptions report;
  commands.emplace_back(tonghop::cli::AddReportCommand(app, &report), [&] { return tonghop::cli::RunReport(report); });
  tonghop::cli::BackupOptions backup;
  commands.emplace_back(tonghop::cli::AddBackupCommand(app, &backup), [&] { return tonghop::cli::RunBackup(backup); });
  return tonghop::RunMain(app, argc, argv, "tonghop", common, [&] {
    for (const auto& [command, run] : commands) {
      if (command->parsed()) return run();
    }
    return tonghop::Status::InvalidArgument("internal error: no subcommand was parsed, although one is required");
  });
}
