//! The one opener for CSV inputs: a path or `-`, its encoding (UTF-8 with or without BOM,
//! UTF-16 LE/BE, Windows-1252) detected and decoded to UTF-8, and its delimiter sniffed.
//!
//! ```
//! use gazmap::input::{self, InputOptions, SourceEncoding};
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("names.csv");
//! std::fs::write(&path, b"\xef\xbb\xbfid;place\n1;Caf\xc3\xa9\n")?;
//! let input = input::open(path.to_str().unwrap(), &InputOptions::default())?;
//! assert_eq!((input.encoding, input.had_bom, input.delimiter), (SourceEncoding::Utf8, true, b';'));
//! let mut records = input.records();
//! records.next_fields(None)?; // the header
//! assert_eq!(records.next_fields(Some(2))?.unwrap().1[1], "Café");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::error::{Error, Result};

/// How many leading bytes are inspected to pick the encoding and the delimiter.
const SNIFF_BYTES: usize = 64 * 1024;
/// How many leading lines are inspected to pick the delimiter.
const SNIFF_LINES: usize = 20;
/// The delimiters tried when none is given, in order of preference on a tie.
pub const SNIFFED_DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// The character encodings an input may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceEncoding {
    /// UTF-8 (the default when the bytes are valid UTF-8).
    Utf8,
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
    /// Windows-1252 (the fallback for text that is not valid UTF-8).
    Windows1252,
}

impl SourceEncoding {
    /// The conventional label (`utf-8`, `utf-16le`, `utf-16be`, `windows-1252`).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceEncoding::Utf8 => "utf-8",
            SourceEncoding::Utf16Le => "utf-16le",
            SourceEncoding::Utf16Be => "utf-16be",
            SourceEncoding::Windows1252 => "windows-1252",
        }
    }

    /// The encoding_rs encoding.
    pub fn encoding(self) -> &'static Encoding {
        match self {
            SourceEncoding::Utf8 => UTF_8,
            SourceEncoding::Utf16Le => UTF_16LE,
            SourceEncoding::Utf16Be => UTF_16BE,
            SourceEncoding::Windows1252 => WINDOWS_1252,
        }
    }

    /// The byte-order mark of this encoding.
    pub fn bom(self) -> &'static [u8] {
        match self {
            SourceEncoding::Utf8 => b"\xEF\xBB\xBF",
            SourceEncoding::Utf16Le => b"\xFF\xFE",
            SourceEncoding::Utf16Be => b"\xFE\xFF",
            SourceEncoding::Windows1252 => b"",
        }
    }
}

impl fmt::Display for SourceEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SourceEncoding {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(SourceEncoding::Utf8),
            "utf-16le" | "utf16le" => Ok(SourceEncoding::Utf16Le),
            "utf-16be" | "utf16be" => Ok(SourceEncoding::Utf16Be),
            "windows-1252" | "cp1252" | "latin1" | "latin-1" | "iso-8859-1" => {
                Ok(SourceEncoding::Windows1252)
            }
            _ => Err(format!(
                "unknown encoding {s:?}: expected utf-8, utf-16le, utf-16be or windows-1252"
            )),
        }
    }
}

/// How to open an input; `None` fields are detected.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// The field delimiter; sniffed among comma, semicolon and tab when `None`.
    pub delimiter: Option<u8>,
    /// The encoding; detected from the BOM and the bytes when `None`.
    pub encoding: Option<SourceEncoding>,
}

/// An opened input: UTF-8 text (BOM removed) and what was detected about it.
pub struct Input {
    /// The name used in messages: the path, or `<stdin>`.
    pub source_name: String,
    /// The encoding the bytes were in.
    pub encoding: SourceEncoding,
    /// Whether the input began with a byte-order mark (removed from the decoded text).
    pub had_bom: bool,
    /// The byte-order mark's bytes (empty without one); a UTF-8 BOM may precede Windows-1252
    /// text written by tools that add it blindly.
    pub bom: &'static [u8],
    /// The field delimiter.
    pub delimiter: u8,
    /// Whether the delimiter was sniffed rather than given.
    pub delimiter_sniffed: bool,
    /// The input's size in bytes, when it is a regular file.
    pub len: Option<u64>,
    /// Bytes of the raw input read so far (for progress bars).
    pub bytes_read: Arc<AtomicU64>,
    reader: Box<dyn Read + Send>,
}

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Input")
            .field("source_name", &self.source_name)
            .field("encoding", &self.encoding)
            .field("had_bom", &self.had_bom)
            .field("delimiter", &(self.delimiter as char))
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl Input {
    /// The decoded text as UTF-8 bytes, without the BOM.
    pub fn into_reader(self) -> Box<dyn Read + Send> {
        self.reader
    }

    /// The records of the decoded text, split at the detected delimiter by the one CSV record
    /// reader ([`crate::io::records`]).
    pub fn records(self) -> crate::io::records::Records {
        crate::io::records::Records::of_input(self, crate::io::records::DEFAULT_MAX_RECORD_BYTES)
    }

    /// One line saying what was detected: `utf-8 with BOM, ';'-delimited`.
    pub fn describe(&self) -> String {
        format!(
            "{}{}, {}-delimited{}",
            self.encoding,
            if self.had_bom { " with BOM" } else { "" },
            delimiter_name(self.delimiter),
            if self.delimiter_sniffed {
                " (sniffed)"
            } else {
                ""
            }
        )
    }
}

/// A delimiter as people name it: `','`, `';'`, `tab`.
pub fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        d => format!("'{}'", d.escape_ascii()),
    }
}

/// Passes UTF-16 bytes through, failing at a surrogate that is not half of a pair.
struct Utf16Check<R> {
    inner: R,
    little_endian: bool,
    /// The first byte of a code unit split between reads.
    odd: Option<u8>,
    /// A high surrogate waiting for its low half.
    high: bool,
    /// Line of the current unit (1-based).
    line: u64,
}

impl<R: Read> Utf16Check<R> {
    fn new(inner: R, little_endian: bool) -> Self {
        Utf16Check {
            inner,
            little_endian,
            odd: None,
            high: false,
            line: 1,
        }
    }

    fn unit(&mut self, a: u8, b: u8) -> io::Result<()> {
        let u = if self.little_endian {
            u16::from_le_bytes([a, b])
        } else {
            u16::from_be_bytes([a, b])
        };
        let lone = match u {
            0xD800..=0xDBFF => std::mem::replace(&mut self.high, true),
            0xDC00..=0xDFFF => !std::mem::replace(&mut self.high, false),
            _ => std::mem::replace(&mut self.high, false),
        };
        if u == 0x0A {
            self.line += 1;
        }
        if lone {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "line {}: a lone UTF-16 surrogate (not valid UTF-16 text)",
                    self.line
                ),
            ));
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Check<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            if self.high {
                self.high = false;
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "line {}: a lone UTF-16 surrogate at the end (not valid UTF-16 text)",
                        self.line
                    ),
                ));
            }
            return Ok(0);
        }
        let mut i = 0;
        if let Some(a) = self.odd.take() {
            self.unit(a, buf[0])?;
            i = 1;
        }
        while i + 1 < n {
            self.unit(buf[i], buf[i + 1])?;
            i += 2;
        }
        if i < n {
            self.odd = Some(buf[i]);
        }
        Ok(n)
    }
}

/// Counts the raw bytes read, for progress bars.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens `path` (or standard input for `-`), detects its encoding and delimiter and returns
/// the decoded text. Binary files (NUL bytes in a file that is not UTF-16) are rejected.
pub fn open(path: &str, options: &InputOptions) -> Result<Input> {
    if path == "-" {
        from_reader(Box::new(io::stdin()), "<stdin>", None, options)
    } else {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let meta = file.metadata().map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            return Err(Error::Invalid(format!(
                "{path}: is a directory, expected a CSV file"
            )));
        }
        let len = meta.is_file().then_some(meta.len());
        from_reader(Box::new(file), path, len, options)
    }
}

/// Like [`open`], on any reader; `source_name` names it in messages.
pub fn from_reader(
    reader: Box<dyn Read + Send>,
    source_name: &str,
    len: Option<u64>,
    options: &InputOptions,
) -> Result<Input> {
    let bytes_read = Arc::new(AtomicU64::new(0));
    let mut raw = Counting {
        inner: reader,
        count: bytes_read.clone(),
    };
    let io_err = |e| Error::io(source_name, e);
    let mut head = read_up_to(&mut raw, SNIFF_BYTES).map_err(io_err)?;
    let (encoding, bom) = match options.encoding {
        Some(e) => (e, bom_of(&head, Some(e))),
        None => detect_encoding(&head, source_name)?,
    };
    head.drain(..bom.len());
    let mut decoder: Box<dyn Read + Send> = if encoding == SourceEncoding::Utf8 {
        // as is: invalid bytes are reported where they are, never replaced
        Box::new(Cursor::new(head).chain(raw))
    } else {
        let raw: Box<dyn Read + Send> = match encoding {
            // the decoder would put U+FFFD for a lone surrogate: refused instead
            SourceEncoding::Utf16Le | SourceEncoding::Utf16Be => Box::new(Utf16Check::new(
                Cursor::new(head).chain(raw),
                encoding == SourceEncoding::Utf16Le,
            )),
            _ => Box::new(Cursor::new(head).chain(raw)),
        };
        Box::new(
            DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding.encoding()))
                .bom_sniffing(false)
                .strip_bom(false)
                .build(raw),
        )
    };
    let text_head = read_up_to(&mut decoder, SNIFF_BYTES).map_err(io_err)?;
    let (delimiter, delimiter_sniffed) = match options.delimiter {
        Some(d) => (d, false),
        None => (sniff_delimiter(&text_head), true),
    };
    Ok(Input {
        source_name: source_name.to_string(),
        encoding,
        had_bom: !bom.is_empty(),
        bom,
        delimiter,
        delimiter_sniffed,
        len,
        bytes_read,
        reader: Box::new(Cursor::new(text_head).chain(decoder)),
    })
}

fn read_up_to(r: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(n.min(SNIFF_BYTES));
    r.take(n as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// The byte-order mark `head` starts with, among those `encoding` may carry (all when `None`).
fn bom_of(head: &[u8], encoding: Option<SourceEncoding>) -> &'static [u8] {
    let utf8 = SourceEncoding::Utf8.bom();
    match encoding {
        None | Some(SourceEncoding::Utf8) | Some(SourceEncoding::Windows1252)
            if head.starts_with(utf8) =>
        {
            utf8
        }
        Some(e) if head.starts_with(e.bom()) => e.bom(),
        None => [SourceEncoding::Utf16Le, SourceEncoding::Utf16Be]
            .into_iter()
            .map(SourceEncoding::bom)
            .find(|b| head.starts_with(b))
            .unwrap_or(b""),
        Some(_) => b"",
    }
}

fn is_utf8(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        // an incomplete character cut by the sniffing window is still UTF-8
        Err(e) => e.error_len().is_none(),
    }
}

/// Picks the encoding of a file from its first bytes: a BOM; else UTF-16 when NUL bytes sit
/// at every other position; else UTF-8 when the bytes are valid UTF-8; else Windows-1252
/// (also behind a UTF-8 BOM when the text after it is not UTF-8). Returns the encoding and
/// the BOM found.
pub fn detect_encoding(head: &[u8], source_name: &str) -> Result<(SourceEncoding, &'static [u8])> {
    let bom = bom_of(head, None);
    let rest = &head[bom.len()..];
    if bom == SourceEncoding::Utf16Le.bom() {
        return Ok((SourceEncoding::Utf16Le, bom));
    }
    if bom == SourceEncoding::Utf16Be.bom() {
        return Ok((SourceEncoding::Utf16Be, bom));
    }
    if !bom.is_empty() && !rest.contains(&0) {
        let enc = if is_utf8(rest) {
            SourceEncoding::Utf8
        } else {
            SourceEncoding::Windows1252
        };
        return Ok((enc, bom));
    }
    let Some(first_nul) = head.iter().position(|&b| b == 0) else {
        let enc = if is_utf8(head) {
            SourceEncoding::Utf8
        } else {
            SourceEncoding::Windows1252
        };
        return Ok((enc, b""));
    };
    // BOM-less UTF-16: ASCII-heavy text has a NUL in every other byte
    let pairs = head.len() / 2;
    let nul_at = |parity: usize| {
        head.chunks_exact(2)
            .filter(|p| p[parity] == 0 && p[1 - parity] != 0)
            .count()
    };
    if pairs > 0 {
        if nul_at(1) * 10 >= pairs * 7 {
            return Ok((SourceEncoding::Utf16Le, b""));
        }
        if nul_at(0) * 10 >= pairs * 7 {
            return Ok((SourceEncoding::Utf16Be, b""));
        }
    }
    let line = head[..first_nul].iter().filter(|&&b| b == b'\n').count() + 1;
    Err(Error::parse(
        source_name,
        line as u64,
        None,
        format!(
            "binary data (a NUL byte at byte offset {first_nul}); expected CSV text in UTF-8, \
             UTF-16 or Windows-1252"
        ),
    ))
}

/// Picks the delimiter of CSV text from its first lines: among comma, semicolon and tab, the
/// one that appears (outside quotes) the same number of times on every line sampled, most
/// often; failing that, the most frequent one on the first line; failing that, a comma.
pub fn sniff_delimiter(text: &[u8]) -> u8 {
    let mut lines: Vec<[usize; 3]> = Vec::new();
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    let mut complete = false;
    for &b in text {
        complete = false;
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                lines.push(counts);
                counts = [0; 3];
                complete = true;
                if lines.len() == SNIFF_LINES {
                    break;
                }
            }
            _ if !in_quotes => {
                if let Some(i) = SNIFFED_DELIMITERS.iter().position(|&d| d == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    // the last line counts only when the text ended there (not cut by the window)
    if !complete && counts != [0; 3] && text.len() < SNIFF_BYTES {
        lines.push(counts);
    }
    let Some(first) = lines.first() else {
        return b',';
    };
    let consistent = (0..3)
        .filter(|&i| first[i] > 0 && lines.iter().all(|l| l[i] == first[i]))
        .max_by_key(|&i| (first[i], std::cmp::Reverse(i)));
    let frequent = (0..3)
        .filter(|&i| first[i] > 0)
        .max_by_key(|&i| (first[i], std::cmp::Reverse(i)));
    consistent
        .or(frequent)
        .map_or(b',', |i| SNIFFED_DELIMITERS[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_bytes(bytes: &[u8]) -> Result<Input> {
        from_reader(
            Box::new(Cursor::new(bytes.to_vec())),
            "t.csv",
            None,
            &InputOptions::default(),
        )
    }

    fn text(input: Input) -> String {
        let mut s = String::new();
        input.into_reader().read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2;3\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n\"x;y;z\"\t2\n"), b'\t');
        assert_eq!(sniff_delimiter(b"name\nKabul\n"), b',');
        assert_eq!(sniff_delimiter(b""), b',');
        // inconsistent lines: the first line's most frequent wins
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2\n"), b';');
    }

    #[test]
    fn detects_encodings() {
        let i = open_bytes(b"\xef\xbb\xbfa;b\n1;2\n").unwrap();
        assert_eq!(
            (i.encoding, i.had_bom, i.delimiter),
            (SourceEncoding::Utf8, true, b';')
        );
        assert_eq!(text(i), "a;b\n1;2\n");

        let i = open_bytes(b"a,b\nCaf\xe9,2\n").unwrap();
        assert_eq!(i.encoding, SourceEncoding::Windows1252);
        assert_eq!(text(i), "a,b\nCafé,2\n");

        let le: Vec<u8> = "a,b\nKābul,2\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let i = open_bytes(&le).unwrap();
        assert_eq!((i.encoding, i.had_bom), (SourceEncoding::Utf16Le, false));
        assert_eq!(text(i), "a,b\nKābul,2\n");

        let mut be = b"\xfe\xff".to_vec();
        be.extend("x\ty\n".encode_utf16().flat_map(u16::to_be_bytes));
        let i = open_bytes(&be).unwrap();
        assert_eq!(
            (i.encoding, i.had_bom, i.delimiter),
            (SourceEncoding::Utf16Be, true, b'\t')
        );
        assert_eq!(text(i), "x\ty\n");
    }

    #[test]
    fn a_utf8_bom_before_windows_1252_text_is_kept_as_such() {
        let i = open_bytes(b"\xef\xbb\xbfa;b\nCaf\xe9;2\n").unwrap();
        assert_eq!(
            (i.encoding, i.bom),
            (SourceEncoding::Windows1252, &b"\xef\xbb\xbf"[..])
        );
        assert_eq!(text(i), "a;b\nCafé;2\n");
    }

    #[test]
    fn a_lone_utf16_surrogate_is_refused_not_replaced() {
        let mut le: Vec<u8> = b"\xff\xfe".to_vec();
        for u in "a,b\n1,"
            .encode_utf16()
            .chain([0xD800])
            .chain("x\n".encode_utf16())
        {
            le.extend(u.to_le_bytes());
        }
        // found while sniffing the head, or later while reading
        let msg = match open_bytes(&le) {
            Err(e) => e.to_string(),
            Ok(i) => {
                let mut s = String::new();
                let err = i.into_reader().read_to_string(&mut s);
                err.unwrap_err().to_string()
            }
        };
        assert!(msg.contains("line 2: a lone UTF-16 surrogate"), "{msg}");
        // a pair is fine
        let mut ok: Vec<u8> = b"\xff\xfe".to_vec();
        for u in "a\n\u{1F600}\n".encode_utf16() {
            ok.extend(u.to_le_bytes());
        }
        assert_eq!(text(open_bytes(&ok).unwrap()), "a\n\u{1F600}\n");
    }

    #[test]
    fn rejects_binary() {
        let err = open_bytes(b"PK\x03\x04\n\x00\x00\x01\x02garbage").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("t.csv:2: binary data"), "{msg}");
    }
}
