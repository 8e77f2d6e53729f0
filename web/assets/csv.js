// What is on screen, as a file to keep: CSV (RFC 4180, UTF-8 with a byte-order mark so that a
// spreadsheet reads the Vietnamese names right) or JSON.

function cell(value) {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// `rows` are objects; `columns` the keys to write, in order, which are also the header.
export function toCsv(rows, columns) {
  const lines = [columns.map(cell).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

export function toJson(rows) {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

// Makes the browser save `text` as `name` (no server round trip: this is what the page shows).
export function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
