#include "core/messages.h"

#include <cstdlib>

namespace tonghop {
namespace {

struct Texts {
  const char* vi;
  const char* en;
};

// One case per id: the compiler (-Wswitch) names an id left without its texts.
Texts TextsOf(Msg id) {
  switch (id) {
    case Msg::kFieldProblem:
      return {"{0}: cột '{1}': {2}", "{0}: field '{1}': {2}"};
    case Msg::kLine:
      return {"dòng {0}", "line {0}"};
    case Msg::kValueEmpty:
      return {"đang trống; hãy ghi số liệu, dùng '{0}' làm dấu thập phân, ví dụ 5180{0}5",
              "is empty; write the figure with '{0}' as the decimal point, e.g. 5180{0}5"};
    case Msg::kValueNotANumber:
      return {"'{0}' không phải là một số: chỉ dùng chữ số, dấu trừ nếu cần và '{1}' làm dấu thập phân, không dùng "
              "dấu phân cách hàng nghìn",
              "'{0}' is not a decimal number: use digits, an optional sign and '{1}' as the decimal point, without "
              "thousands separators"};
    case Msg::kValueTooManyDecimals:
      return {"'{0}' có quá 6 chữ số thập phân; hãy làm tròn đến 6 chữ số",
              "'{0}' has more than 6 decimal places; round it to 6"};
    case Msg::kValueTooLarge:
      return {"'{0}' lớn hơn 1e12 (một nghìn tỷ), số lớn nhất được nhận",
              "'{0}' is beyond 1e12, the largest magnitude a figure may have"};
    case Msg::kValueGrouping:
      return {"'{0}' có dấu '.' không đúng vị trí: trong tệp phân cách bằng ';', dấu '.' chỉ dùng để tách hàng "
              "nghìn (1.234,5) và dấu ',' là dấu thập phân",
              "'{0}' has a '.' out of place: in a file separated by ';' a '.' only groups thousands (1.234,5) and "
              "',' is the decimal point"};
    case Msg::kPeriodInvalid:
      return {"kỳ '{0}' không đúng dạng: hãy ghi YYYY (năm), YYYY-H1..H2 (6 tháng), YYYY-Q1..Q4 (quý) hoặc "
              "YYYY-01..12 (tháng)",
              "period '{0}' is not one of YYYY, YYYY-H1..H2, YYYY-Q1..Q4, YYYY-01..12"};
    case Msg::kPeriodIsADate:
      return {"ô là một ngày hoặc một số ({0}), không phải kỳ báo cáo: hãy định dạng cột là Văn bản (Text) rồi gõ "
              "lại kỳ, ví dụ 2017-Q1 hoặc 2017-01",
              "the cell is a date or a number ({0}), not a period: format the column as Text and type the period "
              "again, e.g. 2017-Q1 or 2017-01"};
    case Msg::kIndicatorEmpty:
      return {"đang trống; hãy ghi mã chỉ tiêu trong danh mục, ví dụ agri.sown_area.total",
              "is empty; write the indicator id from the catalog, e.g. agri.sown_area.total"};
    case Msg::kUnitEmpty:
      return {"đang trống; hãy ghi mã đơn vị báo cáo trong danh mục, ví dụ cao-loc",
              "is empty; write the reporting unit's code from the catalog, e.g. cao-loc"};
    case Msg::kTextNotUtf8:
      return {"không phải văn bản UTF-8 (byte 0x{0:02x} ở vị trí {1}); hãy lưu tệp dạng UTF-8 (trong Excel: "
              "'CSV UTF-8')",
              "is not valid UTF-8 (byte 0x{0:02x} at offset {1}); write it as UTF-8 text (a spreadsheet: save as "
              "'CSV UTF-8')"};
    case Msg::kTextTooLong:
      return {"dài {0} byte; tối đa là {1}", "is {0} bytes long; at most {1} are accepted"};
    case Msg::kUnitNotThisCollectors:
      return {"'{0}' không phải đơn vị '{1}' của bộ thu thập này; hãy để trống, hoặc gửi số liệu này qua bộ thu "
              "thập của đơn vị '{0}'",
              "'{0}' is not this collector's unit '{1}'; leave it empty, or give the figure to the collector of "
              "unit '{0}'"};
    case Msg::kRowRepeated:
      return {"{0} của kỳ {1} đã có ở {2}; chỉ giữ một trong hai dòng",
              "{0} for {1} is already given on {2}; keep one of the two rows"};
    case Msg::kObservedAtInvalid:
      return {"'{0}' không phải ngày hoặc giờ dạng ISO 8601; hãy ghi ví dụ 2017-03-31, 2017-03-31T14:05 hoặc "
              "2017-03-31T14:05:00+07:00",
              "'{0}' is not an ISO 8601 date or date-time; write e.g. 2017-03-31, 2017-03-31T14:05 or "
              "2017-03-31T14:05:00+07:00"};
    case Msg::kFileEmpty:
      return {"{0}: tệp trống; tệp cần một dòng tiêu đề", "{0}: the file is empty; it needs a header row"};
    case Msg::kFileHasNoFigures:
      return {"{0}: tệp có dòng tiêu đề nhưng không có số liệu nào", "{0}: the file has a header but no figures"};
    case Msg::kFileTooLarge:
      return {"{0}: tệp lớn {1} byte, quá giới hạn {2} byte của bộ thu thập (--max_drop_file_bytes); hãy chia "
              "thành nhiều tệp nhỏ hơn",
              "{0}: the file is {1} bytes, more than the collector takes ({2}, --max_drop_file_bytes); split it "
              "into smaller files"};
    case Msg::kTooManyRows:
      return {"{0}: tệp có hơn {1} dòng, giới hạn của bộ thu thập (--max_drop_file_rows); hãy chia thành nhiều tệp",
              "{0}: the file has more than {1} rows, the most the collector takes (--max_drop_file_rows); split it "
              "into several files"};
    case Msg::kFileNameNotUtf8:
      return {"{0}: tên tệp không phải văn bản UTF-8; hãy đổi tên tệp, ví dụ chỉ dùng chữ cái, chữ số và '-'",
              "{0}: the file's name is not valid UTF-8; rename it, e.g. with letters, digits and '-' only"};
    case Msg::kFileTypeUnknown:
      return {"{0}: bộ thu thập không đọc được tệp loại này; chỉ nhận tệp .csv (văn bản UTF-8, phân cách bằng ',' "
              "hoặc ';') và tệp .xlsx (sổ tính Excel, trang đầu tiên). Hãy lưu số liệu dưới một trong hai dạng đó",
              "{0}: the collector cannot read files of this type; it takes .csv files (UTF-8 text, separated by ',' "
              "or ';') and .xlsx files (Excel workbooks, their first sheet). Save the figures in one of these forms"};
    case Msg::kFileTypeOldExcel:
      return {"{0}: đây là sổ tính Excel dạng cũ (.xls); hãy mở trong Excel và lưu lại dạng 'Excel Workbook "
              "(.xlsx)' hoặc 'CSV UTF-8 (.csv)'",
              "{0}: this is an old-style Excel workbook (.xls); open it in Excel and save it as 'Excel Workbook "
              "(.xlsx)' or 'CSV UTF-8 (.csv)'"};
    case Msg::kHeaderMissingColumn:
      return {"{0}: dòng tiêu đề không có cột '{1}'. Các cột tìm thấy: {2} (phân cách bằng '{3}'). Dòng đầu tiên "
              "phải ghi tên các cột: indicator (hoặc 'Mã chỉ tiêu'), period (hoặc 'Kỳ báo cáo'), value (hoặc "
              "'Giá trị')",
              "{0}: the header has no column '{1}'. It has {2} (separated by '{3}'). The first row must name the "
              "columns: indicator, period, value (or 'Mã chỉ tiêu', 'Kỳ báo cáo', 'Giá trị')"};
    case Msg::kHeaderRepeatsColumn:
      return {"{0}: dòng tiêu đề có cột '{1}' hai lần", "{0}: the header names the column '{1}' twice"};
    case Msg::kRowMoreCells:
      return {"{0}: dòng có nhiều ô hơn dòng tiêu đề (một dấu phân cách không nằm trong ngoặc kép?)",
              "{0}: the row has more cells than the header (an unquoted comma?)"};
    case Msg::kRowFewerCells:
      return {"{0}: dòng có ít ô hơn dòng tiêu đề", "{0}: the row has fewer cells than the header"};
    case Msg::kQuoteNotClosed:
      return {"{0}: một ô mở ngoặc kép nhưng không đóng lại", "{0}: a quoted cell is not closed"};
    case Msg::kLineTooLong:
      return {"{0}: dòng quá dài", "{0}: the line is too long"};
    case Msg::kMoreProblems:
      return {"... và {0} lỗi khác", "... and {0} more problems"};
    case Msg::kNothingStored:
      return {"Chưa có số liệu nào của {0} được lưu. Hãy sửa các lỗi trên rồi đặt lại tệp đã sửa vào {1} (ghi tệp "
              "ở chỗ khác, rồi chuyển vào thư mục).",
              "Nothing from {0} was stored. Correct the lines above and drop the corrected file into {1} again "
              "(write it elsewhere, then move it in)."};
    case Msg::kXlsxNotAWorkbook:
      return {"{0}: không phải sổ tính .xlsx đọc được ({1}); hãy mở trong Excel và lưu lại dạng 'Excel Workbook "
              "(.xlsx)'",
              "{0}: not a readable .xlsx workbook ({1}); open it in Excel and save it as 'Excel Workbook (.xlsx)'"};
    case Msg::kXlsxPartMissing:
      return {"{0}: sổ tính thiếu phần '{1}'; hãy mở trong Excel và lưu lại",
              "{0}: the workbook has no part '{1}'; open it in Excel and save it again"};
    case Msg::kXlsxPartTooLarge:
      return {"{0}: phần '{1}' của sổ tính khi giải nén lớn hơn {2} byte, giới hạn của bộ thu thập; hãy chia số "
              "liệu thành nhiều tệp",
              "{0}: the workbook's part '{1}' unpacks to more than {2} bytes, the most the collector takes; split "
              "the figures into several files"};
    case Msg::kXlsxBadXml:
      return {"{0}: phần '{1}' của sổ tính bị hỏng ({2}); hãy mở trong Excel và lưu lại",
              "{0}: the workbook's part '{1}' is damaged ({2}); open it in Excel and save it again"};
    case Msg::kXlsxNoSuchSheet:
      return {"{0}: sổ tính không có trang '{1}'; các trang có: {2}", "{0}: the workbook has no sheet '{1}'; it has {2}"};
    case Msg::kXlsxHeaderMissingColumn:
      return {"{0}: không có dòng nào ghi tên các cột indicator, period và value; dòng đầu tiên (dòng {1}) không có cột "
              "'{2}', chỉ có {3}. Dòng ngay trên số liệu phải ghi tên các cột: 'Mã chỉ tiêu' (hoặc indicator), 'Kỳ báo "
              "cáo' (period), 'Giá trị' (value)",
              "{0}: no row names the columns indicator, period and value; the first row (row {1}) has no column "
              "'{2}': it has {3}. The row above the figures must name the columns: indicator, period, value (or 'Mã "
              "chỉ tiêu', 'Kỳ báo cáo', 'Giá trị')"};
    case Msg::kXlsxTooManyCells:
      return {"{0}: sổ tính có hơn {1} ô có nội dung, giới hạn của bộ thu thập; hãy chia thành nhiều tệp",
              "{0}: the workbook has more than {1} filled cells, the most the collector takes; split it into several "
              "files"};
    case Msg::kXlsxCellTooLong:
      return {"{0}: ô dài hơn {1} byte", "{0}: the cell is longer than {1} bytes"};
    case Msg::kXlsxCellError:
      return {"{0}: ô chứa lỗi của công thức ({1}); hãy sửa công thức hoặc ghi số liệu trực tiếp",
              "{0}: the cell holds a formula error ({1}); fix the formula or type the figure"};
    case Msg::kXlsxBadSharedString:
      return {"{0}: ô trỏ đến chuỗi số {1}, nhưng sổ tính chỉ có {2} chuỗi; hãy mở trong Excel và lưu lại",
              "{0}: the cell refers to shared string {1}, but the workbook has {2}; open it in Excel and save it "
              "again"};
    case Msg::kXlsxEmptySheet:
      return {"{0}: trang '{1}' trống; dòng đầu tiên phải là dòng tiêu đề",
              "{0}: sheet '{1}' is empty; its first row must be a header"};
    case Msg::kRejectedBecause:
      return {"{0} (máy chủ tổng hợp: {1})", "{0} (the aggregator: {1})"};
    case Msg::kReasonMalformed:
      return {"số liệu không đọc được hoặc thiếu một cột; hãy nhập lại số liệu này",
              "the figure cannot be read, or lacks a field; enter it again"};
    case Msg::kReasonUnknownUnit:
      return {"mã đơn vị không có trong danh mục", "the reporting unit is not in the catalog"};
    case Msg::kReasonUnknownIndicator:
      return {"mã chỉ tiêu không có trong danh mục; hãy kiểm tra lại mã", "the indicator is not in the catalog; check the id"};
    case Msg::kReasonUnitNotExpected:
      return {"danh mục không giao đơn vị này báo cáo chỉ tiêu này", "the catalog does not expect this unit to report it"};
    case Msg::kReasonInvalidPeriod:
      return {"kỳ báo cáo không hợp lệ, hoặc ngoài các năm được nhận", "the period is invalid, or outside the years taken"};
    case Msg::kReasonInvalidValue:
      return {"giá trị không hợp lệ", "the value is invalid"};
    case Msg::kReasonPeriodType:
      return {"chỉ tiêu này không báo cáo theo loại kỳ này (tháng, quý, ...)",
              "the indicator is not reported for periods of this type (month, quarter...)"};
    case Msg::kReasonNegative:
      return {"chỉ tiêu này không nhận số âm", "the indicator takes no negative figure"};
    case Msg::kSubmitAccepted:
      return {"đã nhận, số thứ tự {0}; số liệu sẽ được gửi lên máy chủ tổng hợp",
              "accepted as seq {0}; it will be sent to the aggregator"};
    case Msg::kSubmitStored:
      return {"đã nhận, số thứ tự {0}; máy chủ tổng hợp đã lưu", "stored by the aggregator as seq {0}"};
    case Msg::kVoidStored:
      return {"đã hủy số liệu, số thứ tự {0}; máy chủ tổng hợp đã ghi nhận việc hủy",
              "voided by the aggregator as seq {0}"};
    case Msg::kSubmitStoredAlready:
      return {"đã nhận, số thứ tự {0}; máy chủ tổng hợp đã có số liệu này từ trước",
              "stored by the aggregator as seq {0} (it had it already)"};
    case Msg::kSubmitRefusedByAggregator:
      return {"máy chủ tổng hợp không nhận số liệu ({0}): {1}; số thứ tự {2} được ghi trong rejected.csv của bộ thu thập",
              "refused by the aggregator ({0}): {1}; seq {2} is recorded in the collector's rejected.csv"};
    case Msg::kSubmitNoVerdictYet:
      return {"số thứ tự {0} đã được lưu ở bộ thu thập, nhưng máy chủ tổng hợp chưa trả lời trong {1} ms; bộ thu thập "
              "sẽ gửi khi kết nối được (xem `tonghop collector-status`)",
              "seq {0} is stored at the collector, but the aggregator has not answered within {1} ms; the collector "
              "sends it when the aggregator is reachable (see `tonghop collector-status`)"};
    case Msg::kSubmitRefused:
      return {"bộ thu thập không nhận số liệu: {0}", "the collector refused the figure: {0}"};
    case Msg::kSubmitMaybeStored:
      return {"{0}; có thể số liệu đã được lưu hoặc chưa: hãy kiểm tra bằng `tonghop collector-status` trước khi "
              "gửi lại",
              "{0}; the figure may or may not have been stored: check with `tonghop collector-status` before "
              "submitting it again"};
    case Msg::kSubmitFigureProblem:
      return {"số liệu {0} ({1} {2}): cột '{3}': {4}", "figure {0} ({1} {2}): field '{3}': {4}"};
    case Msg::kSubmitNothingStored:
      return {"{0}. Chưa có gì được lưu; hãy sửa rồi gửi lại", "{0}. Nothing was stored; correct it and submit again"};
    case Msg::kSubmitNoFigures:
      return {"yêu cầu không có số liệu nào; hãy gửi ít nhất một", "submit has no figures; give at least one"};
    case Msg::kStatusUnit:
      return {"đơn vị báo cáo", "reporting_unit"};
    case Msg::kStatusOutbox:
      return {"hộp thư đi", "outbox_id"};
    case Msg::kStatusPending:
      return {"chờ gửi", "pending"};
    case Msg::kStatusNextSeq:
      return {"số thứ tự tiếp theo", "next_seq"};
    case Msg::kStatusRejected:
      return {"bị từ chối", "rejected"};
    case Msg::kStatusUnreadable:
      return {"không đọc được", "unreadable"};
    case Msg::kStatusUnreadableLast:
      return {"{0} (gần nhất: {1})", "{0} (last: {1})"};
    case Msg::kStatusRetained:
      return {"đã xác nhận, còn lưu giữ", "retained"};
    case Msg::kStatusRetainedOldest:
      return {"{0} (cũ nhất được xác nhận {1})", "{0} (oldest acknowledged {1})"};
    case Msg::kStatusLost:
      return {"bị mất", "lost"};
    case Msg::kStatusLostCount:
      return {"{0} (máy chủ tổng hợp được khôi phục đã hỏi lại sau khi hết thời hạn lưu giữ; xem nhật ký)",
              "{0} (asked for again by a restored aggregator after the retention window; see the log)"};
    case Msg::kStatusAggregator:
      return {"máy chủ tổng hợp", "aggregator"};
    case Msg::kStatusReachable:
      return {"kết nối được", "reachable"};
    case Msg::kStatusUnreachable:
      return {"không kết nối được", "unreachable"};
    case Msg::kStatusCannotStore:
      return {"kết nối được nhưng không lưu được: {0}", "reachable but cannot store: {0}"};
    case Msg::kStatusLastAck:
      return {"xác nhận gần nhất", "last_ack"};
    case Msg::kStatusNever:
      return {"chưa có", "never"};
    case Msg::kStatusAgo:
      return {"{0} ({1} giây trước)", "{0} ({1} s ago)"};
    case Msg::kImportProgress:
      return {"{0}: {1}/{2} dòng đã có kết quả ({3} đã lưu, {4} bị từ chối)",
              "{0}: {1}/{2} rows settled ({3} stored, {4} refused)"};
    case Msg::kImportSummary:
      return {"{0}: {1} dòng: {2} đã lưu, {3} trùng (đã có từ trước), {4} bị từ chối, {5} không gửi, {6} chưa có kết quả",
              "{0}: {1} rows: {2} stored, {3} duplicate, {4} refused, {5} not sent, {6} waiting"};
    case Msg::kImportVerdictFile:
      return {"kết quả từng dòng: {0}", "the verdict of each row: {0}"};
    case Msg::kImportAlreadyDone:
      return {"{0} đã được nhập trước đây (hộp thư đi {1}); lần này không gửi gì. Muốn gửi lại như số liệu mới thì "
              "xoá thư mục {2}",
              "{0} was imported before (outbox {1}); nothing was sent this time. To send it again as new figures, "
              "remove {2}"};
    case Msg::kImportRowOtherUnit:
      return {"đơn vị {0} không phải đơn vị {1} của khoá này; khoá của một đơn vị chỉ báo cáo cho đơn vị đó "
              "(nhập số liệu của mọi đơn vị bằng khoá của văn phòng, vai trò office)",
              "unit {0} is not {1}, the unit this key reports for; a unit's key reports for its own unit only "
              "(import every unit's figures with an office key)"};
    case Msg::kImportRowInvalid:
      return {"cột '{0}': {1}", "field '{0}': {1}"};
    case Msg::kImportRowRepeated:
      return {"{0} của đơn vị {1} kỳ {2} đã có ở {3}; chỉ dòng đó được gửi",
              "{0} of unit {1} for {2} is already given on {3}; only that row is sent"};
    case Msg::kImportStored:
      return {"đã lưu", "stored"};
    case Msg::kImportDuplicate:
      return {"trùng", "duplicate"};
    case Msg::kImportRefused:
      return {"bị từ chối", "refused"};
    case Msg::kImportNotSent:
      return {"không gửi", "not sent"};
    case Msg::kImportStoredEarlier:
      return {"đã lưu trong lần nhập trước", "stored by an earlier run of this import"};
    case Msg::kImportRefusedSome:
      return {"{0} trong {1} dòng không được lưu (xem {2}); hãy sửa các dòng đó rồi nhập lại chúng",
              "{0} of {1} rows were not stored (see {2}); fix those rows and import them again"};
    case Msg::kImportNoAnswer:
      return {"máy chủ tổng hợp ở {0} không trả lời trong {1} giây. Máy chủ có chạy không, và đây có phải "
              "--ingest_endpoint của nó không? Máy chủ dùng khoá CURVE chỉ trả lời khoá có trong sổ khoá của nó "
              "({2}). {3} số liệu đang chờ trong {4}: chạy lại đúng lệnh này để gửi tiếp",
              "no answer from the aggregator at {0} within {1} s. Is it running, and is this its --ingest_endpoint? "
              "An aggregator with CURVE keys answers only a key registered in its key registry ({2}). {3} figures "
              "wait in {4}: run the same command again to send them"};
    case Msg::kImportStalled:
      return {"máy chủ tổng hợp không nhận số liệu trong {0} giây: {1}. {2} số liệu đang chờ trong {3}: chạy lại "
              "đúng lệnh này để gửi tiếp",
              "the aggregator took no figure for {0} s: {1}. {2} figures wait in {3}: run the same command again to "
              "send them"};
    case Msg::kImportKeyRefused:
      return {"máy chủ tổng hợp ở {0} từ chối khoá này ({1}): khoá không có trong sổ khoá của máy chủ với vai trò "
              "office (văn phòng) hoặc collector của một đơn vị. Hãy đăng ký khoá công khai, hoặc dùng khoá khác. {2} "
              "số liệu đang chờ trong {3}: chạy lại đúng lệnh này để gửi tiếp",
              "the aggregator at {0} refused this key ({1}): it is not in its key registry as an office key or a "
              "unit's collector key. Register its public key, or give another. {2} figures wait in {3}: run the same "
              "command again to send them"};
    case Msg::kImportStateInUse:
      return {"không mở được {0}: {1}. Có lệnh tonghop import nào khác đang nhập đúng tệp này không?",
              "cannot open {0}: {1}. Is another tonghop import of this same file running?"};
    case Msg::kImportKeyChanged:
      return {"lần nhập trước của tệp này đã gửi {0} dòng, lần này khoá được phép gửi {1} dòng (đăng ký của khoá đã "
              "thay đổi?). Xoá {2} để nhập lại từ đầu",
              "an earlier run of this import sent {0} rows, and this key may now send {1} (its registration "
              "changed?). Remove {2} to import the file again from the start"};
    case Msg::kImportInterrupted:
      return {"đã dừng giữa chừng; {0} số liệu đang chờ trong {1}: chạy lại đúng lệnh này để gửi tiếp",
              "interrupted; {0} figures wait in {1}: run the same command again to send them"};
    case Msg::kImportConnecting:
      return {"{0}: đang kết nối tới máy chủ tổng hợp ở {1} ({2} giây)",
              "{0}: connecting to the aggregator at {1} ({2} s)"};
    case Msg::kTemplateSheetName:
      return {"Số liệu", "Figures"};
    case Msg::kTemplateIndicator:
      return {"Mã chỉ tiêu", "indicator"};
    case Msg::kTemplateName:
      return {"Tên chỉ tiêu", "name"};
    case Msg::kTemplateUnit:
      return {"Đơn vị tính", "unit"};
    case Msg::kTemplatePeriod:
      return {"Kỳ báo cáo", "period"};
    case Msg::kTemplateValue:
      return {"Giá trị", "value"};
    case Msg::kTemplateReference:
      return {"Số liệu kỳ {0} (tham khảo)", "figure of {0} (for reference)"};
    case Msg::kTemplateTitle:
      return {"Báo cáo số liệu của {0} ({1}), kỳ {2}", "Figures of {0} ({1}) for {2}"};
    case Msg::kTemplateHelp:
      return {"Ghi số liệu vào cột '{0}' (dấu thập phân theo máy, không cần đơn vị), để trống chỉ tiêu chưa có số "
              "liệu, lưu tệp rồi đặt vào thư mục drop của bộ thu thập.",
              "Type each figure in the column '{0}' (no unit), leave an indicator without a figure empty, save the "
              "file and put it into the collector's drop folder."};
    case Msg::kTemplateNoReference:
      return {"Không lấy được số liệu kỳ trước từ máy chủ tổng hợp ({0}); cột tham khảo để trống.",
              "The previous figures could not be read from the aggregator ({0}); the reference column is empty."};
    case Msg::kTemplateWritten:
      return {"đã ghi {0}: {1} chỉ tiêu của {2} cho kỳ {3}", "wrote {0}: {1} indicators of {2} for {3}"};
    // The dashboard's words (web/assets/i18n.js), shortened to a terminal's column titles.
    case Msg::kWatchColumnIndicator:
      return {"CHỈ TIÊU", "INDICATOR"};
    case Msg::kWatchColumnName:
      return {"TÊN", "NAME"};
    case Msg::kWatchColumnPeriod:
      return {"KỲ", "PERIOD"};
    case Msg::kWatchColumnValue:
      return {"GIÁ TRỊ", "VALUE"};
    case Msg::kWatchColumnUnit:
      return {"ĐVT", "UNIT"};
    case Msg::kWatchColumnYtd:
      return {"LŨY KẾ", "YTD"};
    case Msg::kWatchColumnPlan:
      return {"% KH NĂM", "% PLAN"};
    case Msg::kWatchColumnChange:
      return {"SO CÙNG KỲ", "YOY"};
    case Msg::kWatchColumnUnits:
      return {"ĐƠN VỊ", "UNITS"};
    case Msg::kWatchNoAggregates:
      return {"(chưa có số tổng hợp nào: chưa đơn vị nào báo cáo số liệu mà bộ lọc này chọn)",
              "(no aggregates yet: no unit has reported a figure this filter selects)"};
    case Msg::kWatchOnlyDerived:
      return {"(không có dòng nào để hiện: mọi số tổng hợp ở đây thuộc kỳ suy ra từ kỳ ngắn hơn; --derived hiện chúng)",
              "(nothing to show: every aggregate here is of a derived period; --derived shows them)"};
    case Msg::kWatchLive:
      return {"trực tiếp", "live"};
    case Msg::kWatchResyncing:
      return {"đang đồng bộ lại", "resyncing"};
    case Msg::kWatchPublisherUnreachable:
      return {"không nhận được tin từ publisher ({0}) đã {1} giây", "publisher unreachable ({0}) for {1} s"};
    case Msg::kWatchAggregatorUnreachable:
      return {"publisher không nhận được tin từ aggregator đã {0} giây",
              "aggregator unreachable (the publisher hears nothing from it) for {0} s"};
    case Msg::kWatchCounts:
      return {"seq {0} | {1} số tổng hợp", "seq {0} | {1} aggregates"};
    case Msg::kWatchNoUpdateYet:
      return {"chưa có cập nhật", "no update yet"};
    case Msg::kWatchLastUpdate:
      return {"cập nhật lần cuối {0}", "last update {0}"};
    case Msg::kWatchNoSnapshot:
      return {"chưa nhận được số liệu từ publisher tại {0} sau {1} giây: publisher có đang chạy không? "
              "(deploy/local/province.sh status)",
              "no snapshot from the publisher at {0} for {1} s: is it running? (deploy/local/province.sh status)"};
    case Msg::kCount:
      break;
  }
  return {"", ""};
}

bool StartsWith(const char* text, std::string_view prefix) {
  return text != nullptr && std::string_view(text).starts_with(prefix);
}

}  // namespace

Status ParseLanguage(std::string_view code, Language* out) {
  if (code == "vi") {
    *out = Language::kVietnamese;
  } else if (code == "en") {
    *out = Language::kEnglish;
  } else {
    return Status::InvalidArgument(fmt::format("language '{}' is not one of vi (Vietnamese), en (English)", code));
  }
  return Status::OK();
}

const char* LanguageCode(Language language) { return language == Language::kVietnamese ? "vi" : "en"; }

Language LanguageFromLocale() {
  // POSIX order: LC_ALL overrides LC_MESSAGES, which overrides LANG; the first one set decides.
  for (const char* variable : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(variable);
    if (value == nullptr || *value == '\0') continue;
    return StartsWith(value, "en") ? Language::kEnglish : Language::kVietnamese;
  }
  return Language::kVietnamese;
}

Language ChooseLanguage(std::string_view code) {
  Language language = Language::kVietnamese;
  if (!code.empty() && ParseLanguage(code, &language).ok()) return language;
  return LanguageFromLocale();
}

std::string_view MessagePattern(Language language, Msg id) {
  const Texts texts = TextsOf(id);
  return language == Language::kVietnamese ? texts.vi : texts.en;
}

}  // namespace tonghop
