// The commands of the README and OPERATIONS.md, run as a district officer and the province office
// run them, on a province under CURVE as deploy/local/province.sh makes it: keys from `tonghop
// keygen`, a registry with the office's key, 18 collectors with their own. The office commands
// find their endpoints and keys through a configuration file ($TONGHOP_CONFIG), not flags.
//  - The reference quarter goes in through the drop folders; `tonghop export` takes it out, and
//    `tonghop import` with the office's key loads it into a fresh province: 619 of 619 stored,
//    and every total the same.
//  - A mixed file sent with one unit's key stores exactly that unit's rows.
//  - `tonghop template` writes a workbook that, filled in and dropped, is stored; a ';' CSV with
//    decimal commas and a file of another type are handled as an officer would expect.
//  - `submit` and `collector-status` answer in Vietnamese; an import with a closed stderr ends
//    with its exit code, not an abort.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "collector/test_xlsx.h"
#include "collector/xlsx_reader.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/mini_province.h"

namespace tonghop {
namespace {

namespace fs = std::filesystem;
const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";
const std::string kScenario = kLangSon + "/scenarios/lang-son-2017-q1";
constexpr size_t kReferenceFigures = 619;

// The figures of `period` in a state `watch --once --json` printed: indicator -> (value, units).
std::map<std::string, std::pair<double, int>> Totals(const nlohmann::json& state, const std::string& period) {
  std::map<std::string, std::pair<double, int>> totals;
  for (const auto& a : state["aggregates"]) {
    if (a["period"] == period) totals[a["indicator"]] = {a["value"].get<double>(), a["units_reported"].get<int>()};
  }
  return totals;
}

class OfficeWorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // What the commands read from the environment, set for every command the test runs: the
    // language (Vietnamese unless asked otherwise), and where an import keeps its state.
    for (const char* variable : {"LC_ALL", "LC_MESSAGES", "LANG"}) ::unsetenv(variable);
    ::setenv("XDG_STATE_HOME", dir_.Sub("state").c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", dir_.Sub("no-config").c_str(), 1);
    for (const auto& entry : fs::directory_iterator(kScenario)) units_.push_back(entry.path().filename());
    std::sort(units_.begin(), units_.end());
    // The keys, as docs/SECURITY.md says to make them.
    std::string registry = "role,name,public_key,comment\n";
    std::vector<std::pair<std::string, std::string>> keys = {{"aggregator", ""}, {"publisher", "publisher"}, {"office", "office"}};
    for (const auto& unit : units_) keys.emplace_back(unit, "collector");
    for (const auto& [name, role] : keys) {
      std::vector<std::string> args = {"keygen", name, "--out_dir", Keys()};
      if (!role.empty()) args.insert(args.end(), {"--role", role});
      std::string out = Cli(args);
      const size_t row = out.find(role + "," + name + ",");
      if (!role.empty()) {
        ASSERT_NE(row, std::string::npos) << out;
        registry += out.substr(row, out.find('\n', row) - row) + "test\n";
      }
    }
    dir_.Write("keys/keys.csv", registry);
  }
  void TearDown() override {
    for (const char* variable : {"XDG_STATE_HOME", "XDG_CONFIG_HOME", "TONGHOP_CONFIG"}) ::unsetenv(variable);
  }

  std::string Keys() const { return dir_.Sub("keys"); }
  std::vector<std::string> KeyFlags(const std::string& name) const {
    return {"--curve_secret_key_file", Keys() + "/" + name + ".key", "--curve_server_public_key", Keys() + "/aggregator.pub"};
  }

  // A province under CURVE, in <root>/<name>, with collectors for `units`.
  std::unique_ptr<testing::MiniProvince> StartProvince(const std::string& name, const std::vector<std::string>& units) {
    auto province = std::make_unique<testing::MiniProvince>(dir_.Sub(name), kLangSon);
    province->set_plaintext_for_development(false);
    Status s = province->StartAggregator(
        {"--curve_secret_key_file", Keys() + "/aggregator.key", "--key_registry_file", Keys() + "/keys.csv"});
    EXPECT_TRUE(s.ok()) << s.ToString();
    s = province->StartPublisher(KeyFlags("publisher"));
    EXPECT_TRUE(s.ok()) << s.ToString();
    for (const auto& unit : units) {
      s = province->StartCollector(unit, {.extra_flags = KeyFlags(unit)});
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    return province;
  }

  // The office's configuration file for `province`: its endpoints and the office's keys, with
  // paths relative to the file, as docs/OPERATIONS.md shows; made the one the commands read.
  void UseOfficeConfig(const testing::MiniProvince& province, const std::string& name) {
    dir_.Write(name + ".toml", fmt::format("# the office's view of the province\n"
                                           "aggregator = \"{}\"\n"
                                           "ingest_endpoint = \"{}\"\n"
                                           "curve_secret_key_file = \"keys/office.key\"\n"
                                           "curve_server_public_key = \"keys/aggregator.pub\"\n"
                                           "catalog_dir = \"{}\"\n",
                                           province.QueryEndpoint(), province.IngestEndpoint(), kLangSon));
    ::setenv("TONGHOP_CONFIG", dir_.Sub(name + ".toml").c_str(), 1);
  }

  // Runs `tonghop ARGS`, expecting exit code `code`; returns what it printed, stdout then stderr.
  std::string Cli(const std::vector<std::string>& args, int code = 0, std::string* out_only = nullptr) {
    std::string out, err;
    const int exited = scratch_.RunCli(args, &out, &err);
    EXPECT_EQ(exited, code) << fmt::format("tonghop {}\n", fmt::join(args, " ")) << out << err;
    if (out_only) *out_only = out;
    return out + err;
  }
  // The same for a command that prints JSON on stdout.
  nlohmann::json CliJson(const std::vector<std::string>& args) {
    std::string out;
    Cli(args, 0, &out);
    nlohmann::json parsed = nlohmann::json::parse(out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << out;
    return parsed;
  }

  void FeedReferenceQuarter(testing::MiniProvince& province) {
    for (const auto& unit : units_) {
      for (const auto& entry : fs::directory_iterator(kScenario + "/" + unit)) {
        ASSERT_OK(province.Drop(unit, entry.path().string()));
      }
    }
    size_t complete = 0;
    Status s = province.WaitForWatch(
        [&](const nlohmann::json& state) {
          complete = 0;
          for (const auto& [indicator, total] : Totals(state, "2017-Q1")) complete += total.second > 0;
          return complete == 79 && AllComplete(state);
        },
        90'000);
    ASSERT_TRUE(s.ok()) << s.ToString() << " (" << complete << " indicators)\n" << province.LogTail("aggregator");
  }
  static bool AllComplete(const nlohmann::json& state) {
    for (const auto& a : state["aggregates"]) {
      if (a["period"] == "2017-Q1" && a["units_reported"] != a["units_expected"]) return false;
    }
    return true;
  }

  testing::TempDir dir_;
  std::vector<std::string> units_;
  // Runs the commands (MiniProvince::RunCli); its own nodes are never started.
  testing::MiniProvince scratch_{dir_.Sub("scratch"), kLangSon};
  std::unique_ptr<testing::MiniProvince> province_;
};

TEST_F(OfficeWorkflowTest, TheOfficeMovesAQuarterToAFreshProvinceAndAUnitsKeyStoresOnlyItsRows) {
  province_ = StartProvince("reference", units_);
  ASSERT_FALSE(HasFailure());
  FeedReferenceQuarter(*province_);
  UseOfficeConfig(*province_, "reference");
  nlohmann::json reference;
  ASSERT_OK(province_->WatchOnce(&reference));

  // The README's export, with neither endpoint nor keys on the command line.
  const std::string exported = dir_.Sub("export-2017q1.json");
  Cli({"export", "--period", "2017-Q1", "--format", "json", "--output", exported});
  std::string text;
  ASSERT_OK(ReadFileToString(exported, &text));
  ASSERT_EQ(nlohmann::json::parse(text)["dataValues"].size(), kReferenceFigures);

  // A fresh province; the office imports the quarter with its own key.
  auto fresh = StartProvince("fresh", {});
  ASSERT_FALSE(HasFailure());
  UseOfficeConfig(*fresh, "fresh");
  std::string out = Cli({"--lang", "en", "import", exported});
  EXPECT_NE(out.find(exported + ": 619 rows: 619 stored, 0 duplicate, 0 refused, 0 not sent, 0 waiting"),
            std::string::npos) << out;
  EXPECT_NE(out.find("the verdict of each row: " + exported + ".verdicts.csv"), std::string::npos) << out;
  nlohmann::json imported;
  Status s = fresh->WaitForWatch([&](const nlohmann::json& state) { return Totals(state, "2017-Q1").size() == 79; },
                                 30'000, &imported);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Totals(imported, "2017-Q1"), Totals(reference, "2017-Q1"));
  // The audit says the office entered them.
  nlohmann::json history =
      CliJson({"history", "--unit", "cao-loc", "--indicator", "agri.herd.pigs", "--period", "2017-Q1", "--json"});
  EXPECT_EQ(history["figures"][0]["entered_by"], "office:office") << history.dump();
  // Running it again resumes it: nothing is sent twice.
  out = Cli({"--lang", "en", "import", exported});
  EXPECT_NE(out.find(": 619 rows: 619 stored"), std::string::npos) << out;

  // A mixed file, with Cao Lộc's own key: only its rows are sent, Bắc Sơn's is listed.
  dir_.Write("mixed.csv",
             "dataelement,period,orgunit,value\n"
             "agri.sown_area.total,2017-03,cao-loc,101\n"
             "agri.sown_area.rice_spring,2017-03,cao-loc,102\n"
             "agri.sown_area.maize_spring,2017-03,cao-loc,103\n"
             "agri.sown_area.total,2017-03,bac-son,999\n"
             "agri.herd.buffalo,2017-03,cao-loc,104\n"
             "agri.herd.cattle,2017-03,cao-loc,105\n"
             "agri.herd.pigs,2017-03,cao-loc,106\n");
  std::vector<std::string> args = {"--lang", "en", "import", dir_.Sub("mixed.csv")};
  for (const auto& flag : KeyFlags("cao-loc")) args.push_back(flag);
  out = Cli(args, 1);
  EXPECT_NE(out.find("mixed.csv: 7 rows: 6 stored, 0 duplicate, 0 refused, 1 not sent, 0 waiting"), std::string::npos)
      << out;
  EXPECT_NE(out.find("mixed.csv:5: unit 'bac-son' (Bắc Sơn) is not 'cao-loc' (Cao Lộc)"), std::string::npos) << out;
  std::map<std::string, double> march;
  const nlohmann::json queried =
      CliJson({"query", "--period", "2017-03", "--indicator", "agri.", "--by", "unit", "--format", "json"});
  for (const auto& f : queried["figures"]) {
    march[f["reporting_unit"].get<std::string>() + " " + f["indicator"].get<std::string>()] = f["value"].get<double>();
  }
  const std::map<std::string, double> expected = {
      {"cao-loc agri.sown_area.total", 101}, {"cao-loc agri.sown_area.rice_spring", 102},
      {"cao-loc agri.sown_area.maize_spring", 103}, {"cao-loc agri.herd.buffalo", 104},
      {"cao-loc agri.herd.cattle", 105}, {"cao-loc agri.herd.pigs", 106}};
  EXPECT_EQ(march, expected) << queried.dump();

  // An import whose stderr is a closed pipe still ends with its exit code (1: a row was not
  // sent), never an abort.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], STDERR_FILENO);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    std::vector<std::string> argv = {TONGHOP_BIN_DIR "/tonghop", "--lang", "en", "import", dir_.Sub("mixed.csv")};
    for (const auto& flag : KeyFlags("cao-loc")) argv.push_back(flag);
    std::vector<char*> pointers;
    for (auto& a : argv) pointers.push_back(a.data());
    pointers.push_back(nullptr);
    execv(pointers[0], pointers.data());
    _exit(127);
  }
  close(fds[0]);
  close(fds[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status)) << "killed by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  EXPECT_EQ(WEXITSTATUS(status), 1);
}

// What a district officer does, and sees, on the province of the reference quarter.
TEST_F(OfficeWorkflowTest, AnOfficerFillsTheTemplateAndDropsWhatTheirSpreadsheetSaves) {
  province_ = StartProvince("province", units_);
  ASSERT_FALSE(HasFailure());
  FeedReferenceQuarter(*province_);
  UseOfficeConfig(*province_, "province");

  // The README's submit and collector-status, in Vietnamese.
  const std::string cao_loc = province_->CollectorApiEndpoint("cao-loc");
  std::string out = Cli({"submit", "--collector", cao_loc, "--indicator", "agri.herd.pigs", "--period", "2017-Q1",
                         "--value", "31.2"});
  EXPECT_NE(out.find("đã nhận, số thứ tự"), std::string::npos) << out;
  out = Cli({"submit", "--collector", cao_loc, "--indicator", "agri.herd.pigs", "--period", "2017-Q1", "--value", "31,2"},
            1);
  EXPECT_NE(out.find("--value: '31,2' không phải là một số"), std::string::npos) << out;
  out = Cli({"collector-status", "--collector", cao_loc});
  EXPECT_NE(out.find("\nchờ gửi: "), std::string::npos) << out;
  EXPECT_NE(Cli({"--lang", "en", "collector-status", "--collector", cao_loc}).find("\npending: "), std::string::npos);

  // The office's commands find everything through the configuration file.
  out = Cli({"status", "--period", "2017-Q1"});
  EXPECT_NE(out.find("Cao Lộc"), std::string::npos) << out;
  out = Cli({"history", "--unit", "cao-loc", "--indicator", "agri.herd.pigs", "--period", "2017-Q1"});
  EXPECT_NE(out.find("collector:cao-loc"), std::string::npos) << out;
  Cli({"report", "--period", "2017-Q1", "--format", "html", "--output", dir_.Sub("quy1-2017.html")});

  // The template of the next quarter, with this one's figures for reference.
  const std::string workbook = dir_.Sub("cao-loc-2017-q2.xlsx");
  out = Cli({"template", "--unit", "cao-loc", "--period", "2017-Q2", "--output", workbook});
  EXPECT_NE(out.find("đã ghi " + workbook), std::string::npos) << out;
  EXPECT_EQ(out.find("Không lấy được"), std::string::npos) << out;
  std::string bytes;
  ASSERT_OK(ReadFileToString(workbook, &bytes));
  XlsxSheet sheet;
  ASSERT_OK(ReadXlsxSheet("t.xlsx", bytes, "", {}, Language::kEnglish, &sheet));
  ASSERT_GE(sheet.rows.size(), 5u);
  EXPECT_EQ(sheet.rows[2].cells.at(5).text, "Số liệu kỳ 2017-Q1 (tham khảo)");
  const auto& first = sheet.rows[3].cells;
  EXPECT_EQ(first.at(0).text, "agri.sown_area.total");
  // The value cell (E) is empty; the reference (F) holds Cao Lộc's figure of 2017-Q1.
  ASSERT_EQ(first.size(), 5u);
  ASSERT_EQ(first[4].column, 5u);
  // Held in a variable: a range-for over a member of a temporary reads freed memory.
  const auto by_unit =
      CliJson({"query", "--period", "2017-Q1", "--indicator", "agri.sown_area.total", "--by", "unit", "--format", "json"});
  for (const auto& f : by_unit["figures"]) {
    if (f["reporting_unit"] == "cao-loc") {
      EXPECT_EQ(std::stod(first[4].text), f["value"].get<double>());
    }
  }

  // Filled in (three figures, as Excel stores numbers) and dropped.
  auto parts = testing::UnzipParts(bytes);
  for (auto& part : parts) {
    if (part.path != "xl/worksheets/sheet1.xml") continue;
    for (const auto& [cell, value] : {std::pair{"E5", "2310.5"}, {"E6", "231.05000000000001"}, {"E7", "1.2E-3"}}) {
      const std::string empty = fmt::format("<c r=\"{}\" s=\"4\"/>", cell);
      ASSERT_NE(part.content.find(empty), std::string::npos) << part.content.substr(0, 2000);
      part.content.replace(part.content.find(empty), empty.size(),
                           fmt::format("<c r=\"{}\" s=\"4\"><v>{}</v></c>", cell, value));
    }
  }
  ASSERT_OK(testing::DropTextInto(province_->DropDir("cao-loc"), "cao-loc-2017-q2.xlsx", testing::ZipParts(parts)));
  // What Excel saves as "CSV" under a Vietnamese locale, with a blank line at the end; and a file
  // the collector cannot read.
  ASSERT_OK(province_->DropText("bac-son", "bac-son.csv",
                                "\xEF\xBB\xBFindicator;period;value\r\nagri.sown_area.total;2017-Q2;1.234,5\r\n;;\r\n\r\n"));
  ASSERT_OK(province_->DropText("bac-son", "ghi-chu.txt", "số liệu quý 2"));
  nlohmann::json state;
  Status s = province_->WaitForWatch(
      [&](const nlohmann::json& shown) {
        const nlohmann::json* total = testing::FindAggregate(shown, "agri.sown_area.total", "2017-Q2");
        const nlohmann::json* rice = testing::FindAggregate(shown, "agri.sown_area.maize_spring", "2017-Q2");
        return total && rice && (*total)["units_reported"] == 2;
      },
      30'000, &state);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << province_->LogTail("collector-cao-loc");
  EXPECT_EQ((*testing::FindAggregate(state, "agri.sown_area.total", "2017-Q2"))["value"], 2310.5 + 1234.5);
  EXPECT_EQ((*testing::FindAggregate(state, "agri.sown_area.rice_spring", "2017-Q2"))["value"], 231.05);
  EXPECT_EQ((*testing::FindAggregate(state, "agri.sown_area.maize_spring", "2017-Q2"))["value"], 0.0012);
  EXPECT_TRUE(fs::exists(province_->DropDir("cao-loc") + "/done/cao-loc-2017-q2.xlsx"));
  const std::string failed = province_->DropDir("bac-son") + "/failed/ghi-chu.txt.error.txt";
  for (int64_t deadline = MonotonicMs() + 10'000; !fs::exists(failed) && MonotonicMs() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string error;
  ASSERT_OK(ReadFileToString(failed, &error));
  EXPECT_NE(error.find("ghi-chu.txt: bộ thu thập không đọc được tệp loại này; chỉ nhận tệp .csv"), std::string::npos)
      << error;
}

}  // namespace
}  // namespace tonghop
