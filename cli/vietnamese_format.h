// Numbers and words as a Vietnamese official report writes them: thousands separated by '.',
// decimals by ',' (23.134 ha; 22,58%; 4.325,9 nghìn con), and the report's phrases for a change
// against the same period of the year before. Pure functions, unit-tested.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/decimal.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::cli {

// `value` rounded half to even to at most `max_decimals` decimals, trailing zeros dropped: 23134 ->
// "23.134", 4325.9 -> "4.325,9", 22.58 -> "22,58", -2.6 -> "-2,6"; every digit of a figure of 18.
std::string FormatNumberVi(Decimal value, int max_decimals);

// A province value and its unit as the report writes them: "23.134 ha"; a value with no decimal
// form (ValueText) as it is.
std::string ValueWithUnitVi(const tonghop::v1::AggregateUpdate& aggregate);

// Percentages as the reference report writes most of them: one decimal, rounded half to even,
// ",0" dropped: 22.58 -> "22,6%", 35 -> "35%", -2.6 -> "-2,6%". The one rule for every
// percentage the report prints.
std::string FormatPercentVi(Decimal pct);

// The report's phrase for a change in percent: "tăng 9,9%", "giảm 2,6%", "tương đương" when it
// rounds to 0 at one decimal (FormatPercentVi). `full` appends "so với cùng kỳ" ("tương đương so với cùng kỳ").
std::string ChangePhraseVi(Decimal yoy_pct, bool full);

// The text with its first letter in lower case ("Lúa xuân" -> "lúa xuân", "Đàn bò" -> "đàn bò"),
// for a name that continues a sentence. Handles ASCII and the precomposed Vietnamese letters.
std::string LowerFirstLetter(std::string_view text);

}  // namespace tonghop::cli
