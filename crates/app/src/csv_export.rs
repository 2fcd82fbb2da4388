//! The one CSV writer of every export (the audit trail, the reports): RFC 4180 with
//! CRLF line ends, a byte-order mark so that spreadsheet programs read Kazakh and
//! Russian as UTF-8, and cells that a spreadsheet cannot run as formulas.
//!
//! It writes bytes only; the web layer adds the headers of the attachment.

use std::borrow::Cow;

use crate::AppError;

/// What leads every file: the UTF-8 byte-order mark.
const BOM: &str = "\u{feff}";

/// A CSV file being written row by row.
#[derive(Debug)]
pub struct CsvWriter {
    w: csv::Writer<Vec<u8>>,
}

impl Default for CsvWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvWriter {
    /// An empty file.
    pub fn new() -> Self {
        Self {
            w: Self::writer(Vec::new()),
        }
    }

    /// A writer that appends to `bytes`; every row of one section has as many cells as
    /// the first.
    fn writer(bytes: Vec<u8>) -> csv::Writer<Vec<u8>> {
        csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(bytes)
    }

    /// Writes one row; each cell goes through [`cell`].
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), AppError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.w
            .write_record(cells.into_iter().map(|c| cell(c.as_ref()).into_owned()))
            .map_err(AppError::other)
    }

    /// An empty line, and a new section after it (whose rows may have another number
    /// of cells).
    pub fn blank_line(&mut self) -> Result<(), AppError> {
        // The csv writer would write an empty record as `""`: the line goes between two
        // writers over the same bytes instead.
        let done = std::mem::replace(&mut self.w, Self::writer(Vec::new()));
        let mut bytes = done.into_inner().map_err(AppError::other)?;
        bytes.extend_from_slice(b"\r\n");
        self.w = Self::writer(bytes);
        Ok(())
    }

    /// The finished file as text, byte-order mark first.
    pub fn finish(self) -> Result<String, AppError> {
        let bytes = self.w.into_inner().map_err(AppError::other)?;
        let text = String::from_utf8(bytes).map_err(AppError::other)?;
        Ok(format!("{BOM}{text}"))
    }
}

/// A cell a spreadsheet would not run as a formula: text starting with `=`, `+`, `-`,
/// `@`, tab or carriage return gets a leading apostrophe (names come from candidates
/// and staff). A plain number (`-12`, `-3.5`) stays as it is, so that negative figures
/// remain numbers: a spreadsheet reads it as a value, never as a formula.
pub fn cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// `-?digits(.digits)?` – nothing a spreadsheet could evaluate.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_a_spreadsheet_would_run_gets_an_apostrophe() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-1+2"), "'-1+2");
        assert_eq!(cell("-"), "'-");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("\rx"), "'\rx");
        assert_eq!(cell("IT Academy"), "IT Academy");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn negative_numbers_stay_numbers() {
        assert_eq!(cell("-12"), "-12");
        assert_eq!(cell("-3.5"), "-3.5");
        assert_eq!(cell("-3."), "'-3.");
        assert_eq!(cell("-.5"), "'-.5");
        assert_eq!(cell("42"), "42");
    }

    #[test]
    fn a_file_has_a_byte_order_mark_crlf_lines_and_blank_lines_between_sections() {
        let mut w = CsvWriter::new();
        w.row(["provider", "name"]).unwrap();
        w.row(["one", "+1"]).unwrap();
        w.blank_line().unwrap();
        w.row(["a, b", "-5", "x"]).unwrap();
        assert_eq!(
            w.finish().unwrap(),
            "\u{feff}provider,name\r\none,'+1\r\n\r\n\"a, b\",-5,x\r\n"
        );
    }
}
