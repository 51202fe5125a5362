//! Human output: styles (colour only on a terminal), aligned tables, bars, numbers.
//!
//! Everything is written with ANSI styles to an [`anstream`] stream, which strips them
//! unless the stream is a terminal (or `--color always`, `CLICOLOR_FORCE`); `NO_COLOR`
//! turns them off. Alignment never depends on colour: padding is computed on plain text.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use serde::Serialize;

/// Where a command writes its result, and in which form.
pub struct Output {
    out: Box<dyn Write>,
    /// `--json`: one JSON document on stdout instead of the human report.
    pub json: bool,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("json", &self.json)
            .finish_non_exhaustive()
    }
}

impl Output {
    /// Writes to stdout (colour when a terminal).
    pub fn stdout(json: bool) -> Output {
        Output {
            out: Box::new(anstream::stdout().lock()),
            json,
        }
    }

    /// Writes one pretty-printed JSON document and a newline.
    pub fn json_value<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        // `io::Error::from` gives back the writer's own error (a closed pipe stays
        // `BrokenPipe`, which ends quietly); other serde errors become `InvalidData`.
        serde_json::to_writer_pretty(&mut self.out, value).map_err(io::Error::from)?;
        self.out.write_all(b"\n")
    }

    /// Writes a table with two spaces of indent.
    pub fn table(&mut self, table: &Table) -> io::Result<()> {
        table.write(&mut self.out, 2)
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The styles of the human output.
pub mod style {
    use super::*;
    /// Column headers and labels.
    pub const HEADER: Style = Style::new().bold();
    /// Flag keys.
    pub const FLAG: Style = Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
    /// Variant names.
    pub const VARIANT: Style =
        Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Magenta)));
    /// Good news.
    pub const OK: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
    /// Warnings.
    pub const WARN: Style = Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
    /// Errors and mismatches.
    pub const ERROR: Style = Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
    /// Bars.
    pub const BAR: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Blue)));
    /// Side notes.
    pub const DIM: Style = Style::new().dimmed();
    /// No style.
    pub const PLAIN: Style = Style::new();
}

/// `text` wrapped in `style` (the codes are stripped when not on a terminal).
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}

/// How a column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// A table cell: plain text and a style.
#[derive(Debug, Clone)]
pub struct Cell {
    text: String,
    style: Style,
}

impl Cell {
    /// A plain cell.
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            style: Style::new(),
        }
    }
    /// A styled cell.
    pub fn styled(text: impl Into<String>, style: Style) -> Cell {
        Cell {
            text: text.into(),
            style,
        }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::new(text)
    }
}
impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::new(text)
    }
}

/// An aligned table: a header row and rows of cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<String>,
    aligns: Vec<Align>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with these columns.
    pub fn new(columns: &[(&str, Align)]) -> Table {
        Table {
            headers: columns.iter().map(|(h, _)| (*h).to_owned()).collect(),
            aligns: columns.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are blank).
    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if i < widths.len() {
                    widths[i] = widths[i].max(width(&cell.text));
                }
            }
        }
        widths
    }

    /// Writes the table; columns are separated by two spaces, trailing blanks trimmed.
    pub fn write(&self, out: &mut dyn Write, indent: usize) -> io::Result<()> {
        let widths = self.widths();
        let header: Vec<Cell> = self
            .headers
            .iter()
            .map(|h| Cell::styled(h.as_str(), style::HEADER))
            .collect();
        for row in std::iter::once(&header).chain(self.rows.iter()) {
            let mut line = " ".repeat(indent);
            let mut pending = 0usize;
            for (i, w) in widths.iter().enumerate() {
                let cell = row.get(i);
                let text = cell.map(|c| c.text.as_str()).unwrap_or("");
                let pad = w.saturating_sub(width(text));
                if i > 0 {
                    pending += 2;
                }
                if text.is_empty() {
                    pending += w;
                    continue;
                }
                let (left, right) = match self.aligns.get(i).copied().unwrap_or(Align::Left) {
                    Align::Left => (0, pad),
                    Align::Right => (pad, 0),
                };
                line.push_str(&" ".repeat(pending + left));
                let style = cell.map(|c| c.style).unwrap_or_default();
                line.push_str(&paint(style, text));
                pending = right;
            }
            writeln!(out, "{line}")?;
        }
        Ok(())
    }
}

/// The display width of plain text (one column per character).
pub fn width(text: &str) -> usize {
    text.chars().count()
}

/// `1234567` as `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A share (0.0 to 1.0) as a percentage with `decimals` decimals; tiny non-zero shares
/// say so instead of rounding to zero.
pub fn percent(share: f64, decimals: usize) -> String {
    let p = share * 100.0;
    let smallest = 0.5 * 10f64.powi(-(decimals as i32));
    if p > 0.0 && p < smallest {
        return format!("<{:.*}%", decimals, 2.0 * smallest);
    }
    format!("{p:.decimals$}%")
}

/// A horizontal bar for `share` (0.0 to 1.0), `cells` characters wide at 100%, drawn
/// with eighth blocks. Always `cells` characters long (padded with spaces).
pub fn bar(share: f64, cells: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (share.clamp(0.0, 1.0) * (cells * 8) as f64).round() as usize;
    let mut out = "█".repeat(eighths / 8);
    let rest = eighths % 8;
    if rest > 0 {
        out.push(PARTS[rest]);
    }
    let used = width(&out);
    out.push_str(&" ".repeat(cells.saturating_sub(used)));
    out
}

/// `n` and a noun, pluralised with `s`.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("{} {noun}", count(n))
    } else {
        format!("{} {noun}s", count(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!(count(12_345_678), "12,345,678");
    }

    #[test]
    fn percents() {
        assert_eq!(percent(0.25, 1), "25.0%");
        assert_eq!(percent(0.0, 1), "0.0%");
        assert_eq!(percent(0.0001, 1), "<0.1%");
        assert_eq!(percent(1.0, 2), "100.00%");
    }

    #[test]
    fn bars() {
        assert_eq!(bar(0.0, 4), "    ");
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.5, 4), "██  ");
        assert_eq!(bar(1.0 / 32.0, 4), "▏   ");
        assert_eq!(width(&bar(0.37, 20)), 20);
    }

    #[test]
    fn tables_align_on_plain_text() {
        let mut t = Table::new(&[("NAME", Align::Left), ("N", Align::Right)]);
        t.row(vec![Cell::styled("a", style::FLAG), Cell::new("1,000")]);
        t.row(vec![Cell::new("longer"), Cell::new("7")]);
        let mut buf = Vec::new();
        t.write(&mut buf, 0).unwrap();
        let text = String::from_utf8(buf).unwrap();
        // Styles are in the text (stripping happens in the stream); strip them here.
        let plain: String = strip(&text);
        assert_eq!(plain, "NAME        N\na       1,000\nlonger      7\n");
    }

    fn strip(s: &str) -> String {
        let mut out = String::new();
        let mut esc = false;
        for c in s.chars() {
            match (esc, c) {
                (false, '\x1b') => esc = true,
                (true, 'm') => esc = false,
                (true, _) => {}
                (false, c) => out.push(c),
            }
        }
        out
    }
}
