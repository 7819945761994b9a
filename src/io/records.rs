//! The one CSV record reader: RFC 4180 quoting, `\n`, `\r\n` or `\r` line ends, each record's
//! exact text kept (so `clean` can copy it byte for byte), strict about what other readers
//! guess at (text after a closing quote, a quoted field never closed, an overlong record).
//! Every CSV input gazmap reads goes through it: names for `clean`, events for `export`,
//! gazetteer CSVs.
//!
//! ```
//! use gazmap::io::input::{self, InputOptions};
//! use gazmap::io::records::{Records, DEFAULT_MAX_RECORD_BYTES};
//! let text = "id;place\n1;\"Pul-i-Hisar; Baghlan\"\n";
//! let input = input::from_reader(Box::new(text.as_bytes()), "t.csv", None, &InputOptions::default())?;
//! let mut records = Records::of_input(input, DEFAULT_MAX_RECORD_BYTES);
//! let (_, header) = records.next_fields(None)?.unwrap();
//! let (line, row) = records.next_fields(Some(header.len()))?.unwrap();
//! assert_eq!((line, row[1].as_str()), (2, "Pul-i-Hisar; Baghlan"));
//! assert!(records.next_fields(Some(2))?.is_none());
//! # Ok::<(), gazmap::Error>(())
//! ```

use std::io::Read;

use super::input::Input;
use crate::error::{Error, Result};

/// Longest record accepted (a field that never ends, or not a CSV file, beyond it).
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// What is wrong with a record of `n` fields under a header of `width`.
pub fn field_count_problem(n: usize, width: usize) -> String {
    format!(
        "{n} field{} where the header has {width}",
        if n == 1 { "" } else { "s" }
    )
}

/// One record as read: its raw text and where its fields are.
pub struct Record<'a> {
    text: &'a str,
    /// Length of the text without the line terminator.
    content_len: usize,
    /// (start, end, quoted) of each field, in bytes of `text`.
    fields: &'a [(usize, usize, bool)],
    /// The line the record starts on (1-based).
    pub line: u64,
    bad: Option<String>,
}

impl Record<'_> {
    /// The record's text as read, line terminator included.
    pub fn text(&self) -> &str {
        self.text
    }

    /// The record's text without its line terminator.
    pub fn content(&self) -> &str {
        &self.text[..self.content_len]
    }

    /// The line terminator (`\n`, `\r\n`, `\r`, or empty at the end of the input).
    pub fn terminator(&self) -> &str {
        &self.text[self.content_len..]
    }

    /// [`Record::terminator`], as a static string.
    pub fn terminator_kind(&self) -> &'static str {
        match self.terminator() {
            "\r\n" => "\r\n",
            "\n" => "\n",
            "\r" => "\r",
            _ => "",
        }
    }

    /// What is wrong with the record's quoting (text after a closing quote), if anything.
    pub fn problem(&self) -> Option<&str> {
        self.bad.as_deref()
    }

    /// Whether the record is an empty line.
    pub fn is_blank(&self) -> bool {
        self.content_len == 0 && self.bad.is_none()
    }

    /// How many fields the record has.
    pub fn field_count(&self) -> usize {
        self.fields.len()
    }

    /// Field `i`, unquoted.
    ///
    /// # Errors
    /// A message when the record has no field `i`.
    pub fn field(&self, i: usize) -> std::result::Result<String, String> {
        let &(s, e, quoted) = self
            .fields
            .get(i)
            .ok_or_else(|| format!("no field {}", i + 1))?;
        let raw = &self.text[s..e];
        if quoted {
            Ok(raw[1..raw.len() - 1].replace("\"\"", "\""))
        } else {
            Ok(raw.to_string())
        }
    }

    /// Every field, unquoted.
    pub fn fields(&self) -> Vec<String> {
        (0..self.fields.len())
            .map(|i| self.field(i).unwrap_or_default())
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Splits UTF-8 CSV text into raw records (RFC 4180 quoting, `\n`, `\r\n` or `\r` line ends),
/// keeping each record's exact text. Streaming: holds one record (and a read buffer) at a time.
pub struct Records<R = Box<dyn Read + Send>> {
    reader: R,
    delimiter: u8,
    source: String,
    max: usize,
    buf: Vec<u8>,
    /// Start of the current record in `buf`.
    start: usize,
    /// End of the valid data in `buf`.
    end: usize,
    eof: bool,
    /// Line the next record starts on.
    line: u64,
    /// Bytes of text before the next record.
    consumed: u64,
    fields: Vec<(usize, usize, bool)>,
}

const READ_CHUNK: usize = 256 * 1024;

impl Records {
    /// Records of an opened input, with its delimiter and name; a record longer than `max`
    /// bytes is an error ([`DEFAULT_MAX_RECORD_BYTES`] is what gazmap takes).
    pub fn of_input(input: Input, max: usize) -> Self {
        let (delimiter, source) = (input.delimiter, input.source_name.clone());
        Records::new(input.into_reader(), delimiter, source, max)
    }
}

impl<R: Read> Records<R> {
    /// Records of `reader` (UTF-8 text) split at `delimiter`; `source` names it in messages;
    /// a record longer than `max` bytes is an error.
    pub fn new(reader: R, delimiter: u8, source: String, max: usize) -> Self {
        Records {
            reader,
            delimiter,
            source,
            max,
            buf: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
            eof: false,
            line: 1,
            consumed: 0,
            fields: Vec::new(),
        }
    }

    /// The name of the input in messages.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Bytes of (decoded) text read before the next record: how far through the input it is.
    pub fn bytes_read(&self) -> u64 {
        self.consumed
    }

    /// The fields of the next record that is not a blank line, with the line it starts on,
    /// or `None` at the end of the input. With `width`, a record of another number of fields
    /// is an error (the message [`field_count_problem`] gives).
    ///
    /// # Errors
    /// As [`Records::next_record`]; and text after a closing quote, or a record of the wrong
    /// width, naming its line.
    pub fn next_fields(&mut self, width: Option<usize>) -> Result<Option<(u64, Vec<String>)>> {
        loop {
            let Some(r) = self.next_record()? else {
                return Ok(None);
            };
            if r.is_blank() {
                continue;
            }
            let problem = match (r.problem(), width) {
                (Some(bad), _) => Some(bad.to_string()),
                (None, Some(w)) if r.field_count() != w => {
                    Some(field_count_problem(r.field_count(), w))
                }
                _ => None,
            };
            let line = r.line;
            if let Some(message) = problem {
                return Err(Error::parse(&self.source, line, None, message));
            }
            let fields = r.fields();
            return Ok(Some((line, fields)));
        }
    }

    /// Reads more data, keeping the current record; false at the end of the input.
    fn fill(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.buf.len() - self.end < READ_CHUNK / 2 {
            if self.end > self.max {
                return Err(Error::parse(
                    &self.source,
                    self.line,
                    None,
                    format!(
                        "a record longer than {} MiB (a quoted field that never ends, or not a \
                         CSV file?)",
                        self.max / (1024 * 1024)
                    ),
                ));
            }
            let new_len = (self.buf.len() * 2).max(self.end + READ_CHUNK);
            self.buf.resize(new_len, 0);
        }
        let n = loop {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(&self.source, e)),
            }
        };
        if n == 0 {
            self.eof = true;
        }
        self.end += n;
        Ok(n > 0)
    }

    /// The next record, or `None` at the end of the input.
    ///
    /// # Errors
    /// A read error, a quoted field the input never closes, a record longer than the
    /// maximum, text that is not UTF-8. Text after a closing quote is not an error here: the
    /// record says so ([`Record::problem`]), so a caller may skip it.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>> {
        self.fields.clear();
        let d = self.delimiter;
        let mut state = State::FieldStart;
        let mut field_start = 0usize; // relative to self.start
        let mut i = 0usize; // scan position relative to self.start
        let mut newlines = 0u64;
        let mut quote_line = 0u64;
        let mut bad: Option<String> = None;
        let content_len;
        let total_len;
        loop {
            if self.start + i >= self.end {
                if !self.fill()? {
                    // end of input
                    if i == 0 {
                        return Ok(None);
                    }
                    match state {
                        State::Quoted => {
                            return Err(Error::parse(
                                &self.source,
                                self.line + quote_line,
                                Some((self.fields.len() + 1).to_string()),
                                "a quoted field opened here is never closed (the file ends \
                                 inside it)",
                            ))
                        }
                        s => self
                            .fields
                            .push((field_start, i, s == State::QuoteInQuoted)),
                    }
                    content_len = i;
                    total_len = i;
                    break;
                }
                continue;
            }
            let b = self.buf[self.start + i];
            match state {
                State::Quoted => {
                    if b == b'"' {
                        state = State::QuoteInQuoted;
                    } else if b == b'\n' {
                        newlines += 1;
                    }
                    i += 1;
                }
                State::QuoteInQuoted if b == b'"' => {
                    state = State::Quoted;
                    i += 1;
                }
                _ if b == b'\n' || b == b'\r' => {
                    // \n, \r\n or a lone \r (old Mac files) ends a record, as in the csv
                    // crate that `export` reads with
                    let mut terminator_len = 1;
                    if b == b'\r' {
                        if self.start + i + 1 >= self.end && self.fill()? {
                            continue;
                        }
                        let next = self.start + i + 1;
                        if next < self.end && self.buf[next] == b'\n' {
                            terminator_len = 2;
                        }
                    }
                    let quoted = state == State::QuoteInQuoted;
                    if !(state == State::FieldStart && self.fields.is_empty() && i == 0) {
                        self.fields.push((field_start, i, quoted));
                    }
                    content_len = i;
                    total_len = i + terminator_len;
                    newlines += 1;
                    break;
                }
                _ if b == d => {
                    self.fields
                        .push((field_start, i, state == State::QuoteInQuoted));
                    state = State::FieldStart;
                    i += 1;
                    field_start = i;
                }
                State::FieldStart if b == b'"' => {
                    state = State::Quoted;
                    quote_line = newlines;
                    i += 1;
                }
                State::QuoteInQuoted => {
                    if bad.is_none() {
                        bad = Some(self.after_quote());
                    }
                    state = State::Unquoted;
                    i += 1;
                }
                _ => {
                    state = State::Unquoted;
                    i += 1;
                }
            }
        }
        let line = self.line;
        self.line += newlines;
        let start = self.start;
        self.start += total_len;
        self.consumed += total_len as u64;
        let text = std::str::from_utf8(&self.buf[start..start + total_len]).map_err(|e| {
            let before = &self.buf[start..start + e.valid_up_to()];
            let l = line + before.iter().filter(|&&b| b == b'\n').count() as u64;
            Error::parse(
                &self.source,
                l,
                None,
                "text that is not valid UTF-8, though the file began as UTF-8; if it is \
                 Windows-1252, save it as UTF-8 (or give clean --encoding windows-1252)",
            )
        })?;
        Ok(Some(Record {
            text,
            content_len,
            fields: &self.fields,
            line,
            bad,
        }))
    }

    fn after_quote(&self) -> String {
        format!(
            "column {}: text after the closing quote of a quoted field (a quote inside a \
             quoted field must be doubled)",
            self.fields.len() + 1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Records<&[u8]> {
        Records::new(
            text.as_bytes(),
            b',',
            "t.csv".into(),
            DEFAULT_MAX_RECORD_BYTES,
        )
    }

    fn split(text: &str) -> Vec<(String, Vec<String>, u64, Option<String>)> {
        let mut r = records(text);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            out.push((
                rec.text().to_string(),
                rec.fields(),
                rec.line,
                rec.problem().map(str::to_string),
            ));
        }
        out
    }

    #[test]
    fn splits_records_keeping_raw_text() {
        let recs = split("a,b\r\n\"x\ny\",\"q\"\"\"\n\n1,2");
        let texts: Vec<&str> = recs.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(texts, ["a,b\r\n", "\"x\ny\",\"q\"\"\"\n", "\n", "1,2"]);
        assert_eq!(recs[1].1, ["x\ny", "q\""]);
        assert_eq!(recs.iter().map(|r| r.2).collect::<Vec<_>>(), [1, 2, 4, 5]);
        assert!(recs[2].1.is_empty());
        assert_eq!(recs[3].1, ["1", "2"]);
    }

    #[test]
    fn reports_bad_quotes_and_keeps_going() {
        let recs = split("a,b\n\"x\"y,2\n3,4\n");
        assert!(
            recs[1].3.as_deref().unwrap().contains("column 1"),
            "{:?}",
            recs[1]
        );
        assert_eq!(recs[2].1, ["3", "4"]);
        assert_eq!(recs[2].2, 3);
    }

    #[test]
    fn unclosed_quote_is_an_error_at_its_line() {
        let mut r = records("a,b\n1,\"open\n2,3\n");
        r.next_record().unwrap();
        let err = r.next_record().err().unwrap().to_string();
        assert!(
            err.starts_with("t.csv:2: column 2: a quoted field"),
            "{err}"
        );
    }

    #[test]
    fn a_lone_cr_ends_a_record_and_quoted_empty_fields_count() {
        let recs = split("a\rb,\"\"\n\"x\ry\"\r");
        let texts: Vec<&str> = recs.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(texts, ["a\r", "b,\"\"\n", "\"x\ry\"\r"]);
        assert_eq!(recs[1].1, ["b", ""]);
        assert_eq!(recs[2].1, ["x\ry"]);
    }

    #[test]
    fn next_fields_skips_blank_lines_and_checks_the_width() {
        let mut r = records("a,b\n\n1,2\n3\n");
        assert_eq!(
            r.next_fields(None).unwrap(),
            Some((1, vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            r.next_fields(Some(2)).unwrap(),
            Some((3, vec!["1".into(), "2".into()]))
        );
        assert_eq!(r.bytes_read(), 9);
        let e = r.next_fields(Some(2)).unwrap_err().to_string();
        assert_eq!(e, "t.csv:4: 1 field where the header has 2");
    }
}
