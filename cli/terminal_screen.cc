#include "cli/terminal_screen.h"

#include <algorithm>
#include <clocale>

#include <curses.h>

namespace tonghop::cli {
namespace {

constexpr int kTitleRow = 0;
constexpr int kHeaderRow = 1;
constexpr int kFirstBodyRow = 2;

// Writes `text`, already fitted to the width, on `row`; the last column of the last row is left
// alone, because writing there scrolls some terminals.
void PutLine(int row, const std::string& text, attr_t attributes = A_NORMAL) {
  move(row, 0);
  attron(attributes);
  const int columns = row == LINES - 1 ? COLS - 1 : COLS;
  addstr(FitToWidth(text, static_cast<size_t>(std::max(columns, 0))).c_str());
  attroff(attributes);
}

}  // namespace

TerminalScreen::TerminalScreen() {
  std::setlocale(LC_ALL, "");  // UTF-8 names need the locale's encoding
  initscr();
  cbreak();
  noecho();
  nodelay(stdscr, TRUE);
  keypad(stdscr, TRUE);
  curs_set(0);
}

TerminalScreen::~TerminalScreen() { endwin(); }

size_t TerminalScreen::width() const { return static_cast<size_t>(std::max(COLS, 1)); }

size_t TerminalScreen::BodyRows() const { return static_cast<size_t>(std::max(LINES - kFirstBodyRow - 1, 1)); }

void TerminalScreen::ClampScroll(size_t lines) {
  const size_t rows = BodyRows();
  // One further than a plain page: the sector title kept above takes a row.
  top_ = lines > rows ? std::min(top_, lines - rows + 1) : 0;
}

bool TerminalScreen::HandleKeys(bool* redraw) {
  const size_t page = std::max<size_t>(BodyRows() - 1, 1);
  for (int key; (key = getch()) != ERR;) {
    switch (key) {
      case 'q':
      case 'Q': return true;
      case KEY_UP:
      case 'k': top_ = top_ > 0 ? top_ - 1 : 0; break;
      case KEY_DOWN:
      case 'j': ++top_; break;
      case KEY_PPAGE:
      case 'b': top_ = top_ > page ? top_ - page : 0; break;
      case KEY_NPAGE:
      case ' ': top_ += page; break;
      case KEY_HOME:
      case 'g': top_ = 0; break;
      case KEY_END:
      case 'G': top_ = last_lines_; break;
      case KEY_RESIZE: break;  // ncurses has updated LINES and COLS
      default: continue;
    }
    *redraw = true;
  }
  ClampScroll(last_lines_);
  return false;
}

void TerminalScreen::Draw(const std::string& title, const TableLines& table, const std::string& status_line) {
  last_lines_ = table.lines.size();
  ClampScroll(last_lines_);
  erase();  // of ncurses' picture of the screen only; refresh() sends the differences
  PutLine(kTitleRow, title, A_BOLD);
  PutLine(kHeaderRow, table.header, A_UNDERLINE);
  const int last_body_row = LINES - 2;
  int row = kFirstBodyRow;
  size_t next = top_;
  if (next < table.lines.size() && table.sector_title[next] != next) {
    PutLine(row++, table.lines[table.sector_title[next]], A_BOLD);
  }
  for (; row <= last_body_row && next < table.lines.size(); ++row, ++next) {
    PutLine(row, table.lines[next], table.sector_title[next] == next ? A_BOLD : A_NORMAL);
  }
  PutLine(LINES - 1, status_line, A_REVERSE);
  refresh();
}

}  // namespace tonghop::cli
