// Messages: the texts people read who feed the province, in Vietnamese and in English. District
// officers and the province office read Vietnamese; operators read the logs, which stay in
// English (they are not here). Each message has an id and one text per language, with fmt
// fields ({0}, {1}, ...) numbered, so that a translation may put them in another order.
//
// Which language: a command-line flag (`--lang vi|en`) when given; else the locale
// (LC_ALL, LC_MESSAGES, LANG: the first that is set, "vi..." Vietnamese, "en..." English); else
// Vietnamese, the language of the people who read these messages.
// Thread-safe: immutable tables and pure functions.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/status.h"

namespace tonghop {

enum class Language { kVietnamese, kEnglish };

// "vi" or "en"; InvalidArgument naming both otherwise.
Status ParseLanguage(std::string_view code, Language* out);
const char* LanguageCode(Language language);
// The language the locale asks for (see above); Vietnamese when it asks for neither.
Language LanguageFromLocale();
// `code` ("vi", "en") when not empty, else LanguageFromLocale(). `code` must be valid.
Language ChooseLanguage(std::string_view code);

enum class Msg {
  // A problem of one cell or row: where (file:line, or file:'sheet'!A1), the column, and why.
  kFieldProblem,
  kLine,
  kValueEmpty,
  kValueNotANumber,
  kValueTooManyDecimals,
  kValueTooLarge,
  kValueGrouping,
  kPeriodInvalid,
  kPeriodIsADate,
  kIndicatorEmpty,
  kUnitEmpty,
  kTextNotUtf8,
  kTextTooLong,
  kUnitNotThisCollectors,
  kRowRepeated,
  kObservedAtInvalid,
  // Problems of a file as a whole.
  kFileEmpty,
  kFileHasNoFigures,
  kFileTooLarge,
  kTooManyRows,
  kFileNameNotUtf8,
  kFileTypeUnknown,
  kFileTypeOldExcel,
  kHeaderMissingColumn,
  kHeaderRepeatsColumn,
  kRowMoreCells,
  kRowFewerCells,
  kQuoteNotClosed,
  kLineTooLong,
  kMoreProblems,
  kNothingStored,
  // .xlsx workbooks.
  kXlsxNotAWorkbook,
  kXlsxPartMissing,
  kXlsxPartTooLarge,
  kXlsxBadXml,
  kXlsxNoSuchSheet,
  kXlsxHeaderMissingColumn,
  kXlsxTooManyCells,
  kXlsxCellTooLong,
  kXlsxCellError,
  kXlsxBadSharedString,
  kXlsxEmptySheet,
  // rejected.csv: why the aggregator refused a figure, in words, before its own text.
  kRejectedBecause,
  kReasonMalformed,
  kReasonUnknownUnit,
  kReasonUnknownIndicator,
  kReasonUnitNotExpected,
  kReasonInvalidPeriod,
  kReasonInvalidValue,
  kReasonPeriodType,
  kReasonNegative,
  // tonghop submit and collector-status.
  kSubmitAccepted,
  kSubmitRefused,
  kSubmitStored,
  kSubmitStoredAlready,
  kVoidStored,
  kSubmitRefusedByAggregator,
  kSubmitNoVerdictYet,
  kSubmitMaybeStored,
  kSubmitFigureProblem,
  kSubmitNothingStored,
  kSubmitNoFigures,
  kStatusUnit,
  kStatusOutbox,
  kStatusPending,
  kStatusNextSeq,
  kStatusRejected,
  kStatusUnreadable,
  kStatusUnreadableLast,
  kStatusRetained,
  kStatusRetainedOldest,
  kStatusLost,
  kStatusLostCount,
  kStatusAggregator,
  kStatusReachable,
  kStatusUnreachable,
  kStatusCannotStore,
  kStatusLastAck,
  kStatusNever,
  kStatusAgo,
  // tonghop import.
  kImportProgress,
  kImportSummary,
  kImportVerdictFile,
  kImportAlreadyDone,
  kImportRowOtherUnit,
  kImportRowInvalid,
  kImportRowRepeated,
  kImportStored,
  kImportDuplicate,
  kImportRefused,
  kImportNotSent,
  kImportStoredEarlier,
  kImportRefusedSome,
  kImportNoAnswer,
  kImportStalled,
  kImportKeyRefused,
  kImportStateInUse,
  kImportKeyChanged,
  kImportInterrupted,
  kImportConnecting,
  // tonghop template.
  kTemplateSheetName,
  kTemplateIndicator,
  kTemplateName,
  kTemplateUnit,
  kTemplatePeriod,
  kTemplateValue,
  kTemplateReference,
  kTemplateTitle,
  kTemplateHelp,
  kTemplateNoReference,
  kTemplateWritten,
  // tonghop watch: the column header, an empty table, the status line and its hint.
  kWatchColumnIndicator,
  kWatchColumnName,
  kWatchColumnPeriod,
  kWatchColumnValue,
  kWatchColumnUnit,
  kWatchColumnYtd,
  kWatchColumnPlan,
  kWatchColumnChange,
  kWatchColumnUnits,
  kWatchNoAggregates,
  kWatchOnlyDerived,
  kWatchLive,
  kWatchResyncing,
  kWatchPublisherUnreachable,
  kWatchAggregatorUnreachable,
  kWatchCounts,
  kWatchNoUpdateYet,
  kWatchLastUpdate,
  kWatchNoSnapshot,
  kCount,  // not a message: the number of ids
};

// The text of `id` in `language`: the pattern, not filled in (for tests and tables).
std::string_view MessagePattern(Language language, Msg id);

// The text of `id` in `language`, its fields filled with `args` in order ({0} is the first).
template <typename... Args>
std::string Text(Language language, Msg id, const Args&... args) {
  return fmt::vformat(MessagePattern(language, id), fmt::make_format_args(args...));
}

}  // namespace tonghop
