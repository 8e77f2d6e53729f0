// Numbers, changes, periods and durations as the page shows them, in Vietnamese (23.134 ha;
// 22,58%; quý I năm 2017) or English (23,134 ha; 22.58%; Q1 2017). The browser's own Intl does
// the digits: vi-VN groups thousands with '.' and writes decimals after ','.

const LOCALES = { vi: 'vi-VN', en: 'en-GB' };
const formatters = new Map();

function formatter(lang, maxDecimals, signed) {
  const key = `${lang}|${maxDecimals}|${signed}`;
  if (!formatters.has(key)) {
    formatters.set(key, new Intl.NumberFormat(LOCALES[lang] ?? LOCALES.vi, {
      maximumFractionDigits: maxDecimals,
      signDisplay: signed ? 'exceptZero' : 'auto',
    }));
  }
  return formatters.get(key);
}

// 23134 -> "23.134" (vi) or "23,134" (en); at most maxDecimals decimals, no trailing zeros.
// null, undefined and non-numbers -> "–".
export function formatNumber(value, lang, maxDecimals = 3) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return formatter(lang, maxDecimals, false).format(value);
}

// 22.58 -> "22,58%" (vi); "–" when unknown.
export function formatPercent(value, lang) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return `${formatter(lang, 2, false).format(value)}%`;
}

// A change against the same period last year, always signed so that a fall stands out:
// 9.9 -> "+9,9%", -2.6 -> "-2,6%", 0 -> "0%"; "–" when unknown.
export function formatChange(value, lang) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return `${formatter(lang, 2, true).format(value)}%`;
}

// Reads back a number the page wrote in `lang` ("23.134,5" -> 23134.5), for tests and exports.
export function parseNumber(text, lang) {
  const [group, decimal] = lang === 'en' ? [',', '.'] : ['.', ','];
  const plain = text.replaceAll(group, '').replace(decimal, '.').replace('%', '').replace('\u2212', '-').trim();
  return plain === '' ? NaN : Number(plain);
}

const ROMAN = ['I', 'II', 'III', 'IV'];

// "2017-Q1" -> "quý I năm 2017" / "Q1 2017"; "2017-03" -> "tháng 3 năm 2017" / "March 2017";
// "2017-H1" -> "6 tháng đầu năm 2017" / "H1 2017"; "2017" -> "năm 2017" / "2017".
export function periodName(period, lang) {
  const [year, part] = period.split('-');
  if (part === undefined) return lang === 'en' ? year : `năm ${year}`;
  if (part.startsWith('Q')) return lang === 'en' ? `${part} ${year}` : `quý ${ROMAN[Number(part[1]) - 1]} năm ${year}`;
  if (part.startsWith('H')) {
    if (lang === 'en') return `${part} ${year}`;
    return part === 'H1' ? `6 tháng đầu năm ${year}` : `6 tháng cuối năm ${year}`;
  }
  const month = Number(part);
  if (lang === 'en') {
    return `${new Date(Date.UTC(2000, month - 1, 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })} ${year}`;
  }
  return `tháng ${month} năm ${year}`;
}

// "từ tháng 1 đến tháng 3 năm 2017" / "January to March 2017": the year to date of a month.
export function yearToDateName(month, lang) {
  const [year, part] = month.split('-');
  if (lang === 'en') return `January to ${periodName(month, 'en')}`;
  return Number(part) === 1 ? `tháng 1 năm ${year}` : `từ tháng 1 đến tháng ${Number(part)} năm ${year}`;
}

// 75000 -> "1 phút 15 giây" / "1 min 15 s": how long the page has been stale.
export function formatDuration(ms, lang) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const units = lang === 'en' ? ['h', 'min', 's'] : ['giờ', 'phút', 'giây'];
  if (hours > 0) return `${hours} ${units[0]} ${minutes % 60} ${units[1]}`;
  if (minutes > 0) return `${minutes} ${units[1]} ${seconds % 60} ${units[2]}`;
  return `${seconds} ${units[2]}`;
}

// A time of day from milliseconds since the epoch, in the browser's zone: "14:03:22".
export function formatClock(ms, lang) {
  return new Date(ms).toLocaleTimeString(LOCALES[lang] ?? LOCALES.vi, { hour12: false });
}

// A date and time: "29/11/2026 14:03".
export function formatDateTime(ms, lang) {
  return new Date(ms).toLocaleString(LOCALES[lang] ?? LOCALES.vi, {
    hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
}
