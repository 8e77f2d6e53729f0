#include "cli/submit.h"
#include "core/testing/status_matchers.h"

#include <gtest/gtest.h>

namespace tonghop::cli {
namespace {

SubmitOptions Figure(std::string value) {
  SubmitOptions options;
  options.collector_endpoint = "ipc:///nonexistent/submit.sock";
  options.indicator = "agri.sown_area.total";
  options.period = "2017-Q1";
  options.value = std::move(value);
  options.lang = "en";
  return options;
}

TEST(SubmitTest, BuildsOneFigureWithTheExactValue) {
  SubmitOptions options = Figure("2310.57");
  options.reporting_unit = "cao-loc";
  tonghop::v1::LocalRequest request;
  ASSERT_OK(BuildSubmitRequest(options, &request));
  ASSERT_TRUE(request.has_submit());
  ASSERT_EQ(request.submit().figures_size(), 1);
  const auto& figure = request.submit().figures(0);
  EXPECT_EQ(figure.indicator(), "agri.sown_area.total");
  EXPECT_EQ(figure.period(), "2017-Q1");
  EXPECT_EQ(figure.reporting_unit(), "cao-loc");
  EXPECT_DOUBLE_EQ(figure.value(), 2310.57);
  EXPECT_EQ(figure.seq(), 0u);
  EXPECT_EQ(figure.observed_at_ms(), 0);  // the collector stamps it
}

// `tonghop void`: the same request, naming the figure, with no value and the void kind.
TEST(SubmitTest, AVoidNamesTheFigureAndCarriesNoValue) {
  SubmitOptions options = Figure("");
  options.void_figure = true;
  options.reporting_unit = "cao-loc";
  tonghop::v1::LocalRequest request;
  ASSERT_OK(BuildSubmitRequest(options, &request));
  ASSERT_EQ(request.submit().figures_size(), 1);
  const auto& figure = request.submit().figures(0);
  EXPECT_EQ(figure.kind(), tonghop::v1::UPDATE_KIND_VOID);
  EXPECT_EQ(figure.indicator(), "agri.sown_area.total");
  EXPECT_EQ(figure.reporting_unit(), "cao-loc");
  EXPECT_TRUE(figure.value_decimal().empty());
}

TEST(SubmitTest, DecimalCommaIsAClearErrorNamingTheFlag) {
  tonghop::v1::LocalRequest request;
  Status s = BuildSubmitRequest(Figure("1,5"), &request);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("--value"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'1,5'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'.' as the decimal point"), std::string::npos) << s.message();
}

TEST(SubmitTest, BadPeriodIsAClearErrorNamingTheFlag) {
  SubmitOptions options = Figure("1");
  options.period = "Q1-2017";
  tonghop::v1::LocalRequest request;
  Status s = BuildSubmitRequest(options, &request);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(s.message().starts_with("--period")) << s.message();
}

// A flag typed in a terminal that is not set to UTF-8 would otherwise reach the collector as a
// request it cannot even parse.
TEST(SubmitTest, NonUtf8OrOverlongFlagIsAClearErrorNamingTheFlag) {
  SubmitOptions options = Figure("1");
  options.indicator = "agri.sown_area.l\xfa" "a";
  tonghop::v1::LocalRequest request;
  Status s = BuildSubmitRequest(options, &request);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(s.message().starts_with("--indicator: is not valid UTF-8")) << s.message();
  options = Figure("1");
  options.reporting_unit = std::string(201, 'u');
  s = BuildSubmitRequest(options, &request);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(s.message().starts_with("--reporting_unit: is 201 bytes long")) << s.message();
}

TEST(SubmitTest, MessagesAreInVietnameseUnlessEnglishIsAskedFor) {
  SubmitOptions options = Figure("1,5");
  options.lang = "vi";
  tonghop::v1::LocalRequest request;
  Status s = BuildSubmitRequest(options, &request);
  EXPECT_EQ(s.message(), "--value: '1,5' không phải là một số: chỉ dùng chữ số, dấu trừ nếu cần và '.' làm dấu thập "
                         "phân, không dùng dấu phân cách hàng nghìn");
  options = Figure("1");
  options.lang = "vi";
  ASSERT_OK(BuildSubmitRequest(options, &request));
  EXPECT_EQ(request.language(), "vi") << "the collector answers in the same language";
  options.timeout_ms = 100;
  s = RunSubmit(options);
  EXPECT_NE(s.message().find("có thể số liệu đã được lưu hoặc chưa"), std::string::npos) << s.message();
}

TEST(SubmitTest, UnansweredSubmitSaysTheFigureMayHaveBeenStored) {
  SubmitOptions options = Figure("1");
  options.timeout_ms = 100;
  Status s = RunSubmit(options);
  EXPECT_TRUE(s.IsUnavailable());
  EXPECT_NE(s.message().find("may or may not have been stored"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tonghop::cli
