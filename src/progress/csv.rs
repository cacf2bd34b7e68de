//! CSV for spreadsheets: UTF-8 with a byte-order mark (so Excel reads å, ä, ö right), fields
//! quoted when needed (RFC 4180), and text that a spreadsheet would run as a formula made
//! inert. A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with
//! `'` (OWASP's advice on CSV injection): names and organisations come from people, and an
//! export must never turn into a command on the manager's computer. Numbers are written by the
//! exporter, never taken from text, so they need no such care.

use std::fmt::Write as _;

/// The UTF-8 byte-order mark.
pub const BOM: &str = "\u{feff}";

/// The conventions of the reader's spreadsheet: Swedish spreadsheets split on `;` and read a
/// decimal comma; English ones split on `,` and read a decimal point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Swedish,
    English,
}

impl Dialect {
    pub fn separator(self) -> char {
        match self {
            Self::Swedish => ';',
            Self::English => ',',
        }
    }

    /// A number with `decimals` decimals in this dialect.
    pub fn number(self, value: f64, decimals: usize) -> String {
        let text = format!("{value:.decimals$}");
        match self {
            Self::Swedish => text.replace('.', ","),
            Self::English => text,
        }
    }
}

/// A text cell, neutralised against formula injection; quoting is the writer's job.
pub fn neutralise(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// Builds a CSV document row by row.
#[derive(Debug)]
pub struct Writer {
    out: String,
    dialect: Dialect,
}

/// One cell: text from people (neutralised) or a value the exporter wrote (kept as is).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Raw(String),
}

impl Writer {
    /// A document starting with the byte-order mark.
    pub fn new(dialect: Dialect) -> Self {
        Self {
            out: BOM.to_owned(),
            dialect,
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Appends one row, ended by CRLF (RFC 4180).
    pub fn row(&mut self, cells: &[Cell]) {
        let separator = self.dialect.separator();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(separator);
            }
            let text = match cell {
                Cell::Text(t) => neutralise(t),
                Cell::Raw(t) => t.clone(),
            };
            if text.contains([separator, '"', '\n', '\r']) {
                let _ = write!(self.out, "\"{}\"", text.replace('"', "\"\""));
            } else {
                self.out.push_str(&text);
            }
        }
        self.out.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    #[test]
    fn formulas_are_made_inert() {
        for (input, expected) in [
            (
                "=HYPERLINK(\"http://evil\")",
                "'=HYPERLINK(\"http://evil\")",
            ),
            ("+46 70", "'+46 70"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Åsa Öberg", "Åsa Öberg"),
            ("", ""),
        ] {
            assert_eq!(neutralise(input), expected);
        }
    }

    #[test]
    fn rows_are_quoted_only_when_needed_and_start_with_a_bom() {
        let mut w = Writer::new(Dialect::Swedish);
        w.row(&[text("name"), text("note")]);
        w.row(&[
            text("Luleå; kommun"),
            text("sa \"hej\"\nrad två"),
            Cell::Raw("2,5".to_owned()),
        ]);
        w.row(&[text("=1+1"), Cell::Raw(Dialect::Swedish.number(2.5, 1))]);
        let out = w.finish();
        assert!(out.starts_with('\u{feff}'));
        assert_eq!(
            out.trim_start_matches('\u{feff}'),
            "name;note\r\n\"Luleå; kommun\";\"sa \"\"hej\"\"\nrad två\";2,5\r\n'=1+1;2,5\r\n"
        );
        let mut w = Writer::new(Dialect::English);
        w.row(&[text("a,b"), Cell::Raw(Dialect::English.number(3.0, 1))]);
        assert_eq!(w.finish().trim_start_matches('\u{feff}'), "\"a,b\",3.0\r\n");
    }
}
