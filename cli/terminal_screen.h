// TerminalScreen: `tonghop watch`'s full-screen view on a terminal, through ncurses. Line 0 holds
// the title, line 1 the column header, the last line the status; the lines between show the table
// from the scroll position, the first of them the title of the sector being read (so that a
// scrolled row always says which sector it is in). Draw() composes the whole screen and ncurses
// sends the terminal only the cells that changed: nothing is cleared, nothing flickers.
// Not thread-safe; one per process (ncurses has one screen).
#pragma once

#include <string>

#include "cli/watch_view.h"

namespace tonghop::cli {

class TerminalScreen {
 public:
  // Takes over the terminal (alternate screen, no echo, keys without Enter, cursor hidden).
  TerminalScreen();
  // Gives the terminal back as it was.
  ~TerminalScreen();
  TerminalScreen(const TerminalScreen&) = delete;
  TerminalScreen& operator=(const TerminalScreen&) = delete;

  // The terminal's width in columns, for TableLayout.width.
  size_t width() const;

  // Reads the keys pressed since the last call, without waiting: scrolls, follows a resize.
  // Returns true when it is asked to quit (q). Sets *redraw when the view must be drawn again.
  bool HandleKeys(bool* redraw);

  void Draw(const std::string& title, const TableLines& table, const std::string& status_line);

 private:
  size_t BodyRows() const;
  void ClampScroll(size_t lines);

  size_t top_ = 0;         // index of the first table line shown
  size_t last_lines_ = 0;  // table lines at the last Draw, for scrolling to the end
};

}  // namespace tonghop::cli
