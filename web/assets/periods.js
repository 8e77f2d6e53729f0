// Periods as the aggregator writes them ("2017", "2017-H1", "2017-Q1", "2017-03") and what the
// page chooses among them: a month, a quarter, or the year to date up to a month.

// {year, type: 'year'|'half'|'quarter'|'month', index}, or null for text that is not a period.
export function parsePeriod(text) {
  const match = /^(\d{4})(?:-(?:H([12])|Q([1-4])|(0[1-9]|1[0-2])))?$/.exec(text ?? '');
  if (!match) return null;
  const year = Number(match[1]);
  if (match[2]) return { year, type: 'half', index: Number(match[2]) };
  if (match[3]) return { year, type: 'quarter', index: Number(match[3]) };
  if (match[4]) return { year, type: 'month', index: Number(match[4]) };
  return { year, type: 'year', index: 1 };
}

export function monthPeriod(year, month) {
  return `${year}-${String(month).padStart(2, '0')}`;
}

// The months a period covers, in order.
export function monthsOf(text) {
  const p = parsePeriod(text);
  if (!p) return [];
  const [first, count] = { year: [1, 12], half: [6 * p.index - 5, 6], quarter: [3 * p.index - 2, 3], month: [p.index, 1] }[p.type];
  return Array.from({ length: count }, (_, i) => monthPeriod(p.year, first + i));
}

// The same span one year earlier: "2017-Q1" -> "2016-Q1".
export function lastYear(text) {
  const p = parsePeriod(text);
  return p ? `${p.year - 1}${text.slice(4)}` : null;
}

// When the period ends (for ordering): its last month as year * 12 + month.
function endKey(text) {
  const months = monthsOf(text);
  const last = parsePeriod(months[months.length - 1]);
  return last.year * 12 + last.index;
}

// What the page shows: {kind: 'month'|'quarter'|'ytd', period}, where for 'ytd' `period` is the
// month the year to date runs to. The aggregate to read is always `period`'s; for 'ytd' its
// ytd_value and the plan's share of it.
export function choiceFromPeriod(text, kind) {
  const p = parsePeriod(text);
  if (!p) return null;
  if (kind === 'ytd') return p.type === 'month' ? { kind, period: text } : { kind, period: monthsOf(text).at(-1) };
  if (p.type === 'quarter' || p.type === 'month') return { kind: p.type, period: text };
  return null;
}

// The choices the periods in `available` allow, latest first, for the picker.
export function choicesOf(available, kind) {
  const wanted = kind === 'quarter' ? 'quarter' : 'month';
  return [...new Set(available)]
    .filter((text) => parsePeriod(text)?.type === wanted)
    .sort((a, b) => endKey(b) - endKey(a));
}

// The latest quarter among `available`, or else the latest month, or null: what the page opens on.
export function latestPeriod(available) {
  return choicesOf(available, 'quarter')[0] ?? choicesOf(available, 'month')[0] ?? null;
}

// The shorter periods a choice is made of, whose presence says how complete it is: a quarter's
// months, a year to date's months; none for a month.
export function subPeriodsOf(choice) {
  if (choice.kind === 'quarter') return monthsOf(choice.period);
  if (choice.kind === 'ytd') {
    const p = parsePeriod(choice.period);
    return Array.from({ length: p.index }, (_, i) => monthPeriod(p.year, i + 1));
  }
  return [];
}

// The days a period covers, as YYYY-MM-DD text that compares as dates. `last` is day 31 of its
// last month whatever the month's length: no date of that month sorts after it and every date of
// the next month does, which is all a comparison needs.
export function daysOf(text) {
  const months = monthsOf(text);
  return { first: `${months[0]}-01`, last: `${months.at(-1)}-31` };
}
