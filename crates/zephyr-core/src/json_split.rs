//! Splits a JSON object into its members as its bytes arrive, and one array member into its
//! elements, so that a page of megabytes is read piece by piece and never held whole.
//!
//! The splitter only finds where values start and end (strings, escapes, nesting); the
//! pieces it hands out are parsed by the caller. What it has handed out is dropped.

/// A piece of the object: a member (its key decoded, its value's bytes), or one element of
/// the array member being split.
#[derive(Debug, PartialEq)]
pub enum Piece<'a> {
    Member { key: &'a str, value: &'a [u8] },
    Element(&'a [u8]),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Start,
    BeforeKey,
    InKey,
    BeforeColon,
    BeforeValue,
    InValue,
    AfterValue,
    BeforeElement,
    InElement,
    Done,
}

/// Why the bytes are not the JSON object expected.
#[derive(Debug, PartialEq)]
pub struct SplitError(pub String);

pub struct ObjectSplitter {
    /// The member whose array value is split into elements.
    split_key: &'static str,
    buf: Vec<u8>,
    /// Where scanning goes on in `buf`.
    pos: usize,
    /// Where the key, value or element being scanned starts in `buf`.
    start: usize,
    state: State,
    /// Nesting inside the value or element being scanned.
    depth: usize,
    in_string: bool,
    escaped: bool,
    key: String,
    /// Bytes consumed before `buf[0]` (for error positions).
    offset: usize,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

impl ObjectSplitter {
    pub fn new(split_key: &'static str) -> Self {
        ObjectSplitter {
            split_key,
            buf: Vec::new(),
            pos: 0,
            start: 0,
            state: State::Start,
            depth: 0,
            in_string: false,
            escaped: false,
            key: String::new(),
            offset: 0,
        }
    }

    fn error(&self, what: &str) -> SplitError {
        SplitError(format!("{what} at byte {}", self.offset + self.pos))
    }

    /// Scans a string from `pos`; true when its closing quote was reached (`pos` is past it).
    fn scan_string(&mut self) -> bool {
        while self.pos < self.buf.len() {
            if self.escaped {
                self.escaped = false;
                self.pos += 1;
                continue;
            }
            match memchr::memchr2(b'"', b'\\', &self.buf[self.pos..]) {
                None => {
                    self.pos = self.buf.len();
                    return false;
                }
                Some(at) => {
                    self.pos += at + 1;
                    if self.buf[self.pos - 1] == b'\\' {
                        self.escaped = true;
                    } else {
                        self.in_string = false;
                        return true;
                    }
                }
            }
        }
        false
    }

    /// Scans a value from `pos` until the byte that ends it at its own level (`,` or `close`),
    /// which is left at `pos`. True when that byte was reached.
    fn scan_value(&mut self, close: u8) -> Result<bool, SplitError> {
        loop {
            if self.in_string && !self.scan_string() {
                return Ok(false);
            }
            let Some(&b) = self.buf.get(self.pos) else { return Ok(false) };
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' if self.depth > 0 => self.depth -= 1,
                b',' if self.depth == 0 => return Ok(true),
                _ if b == close && self.depth == 0 => return Ok(true),
                b'}' | b']' => return Err(self.error("unbalanced brackets")),
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// Adds `bytes` and hands `on` every piece now complete, in order.
    pub fn push<E: From<SplitError>>(&mut self, bytes: &[u8], mut on: impl FnMut(Piece<'_>) -> Result<(), E>) -> Result<(), E> {
        self.buf.extend_from_slice(bytes);
        while self.pos < self.buf.len() {
            let b = self.buf[self.pos];
            match self.state {
                State::Start | State::BeforeKey | State::BeforeColon | State::BeforeValue | State::AfterValue | State::BeforeElement | State::Done
                    if is_space(b) =>
                {
                    self.pos += 1;
                }
                State::Start => {
                    if b != b'{' {
                        return Err(self.error("expected a JSON object").into());
                    }
                    self.pos += 1;
                    self.state = State::BeforeKey;
                }
                State::BeforeKey => match b {
                    b'"' => {
                        self.start = self.pos;
                        self.pos += 1;
                        self.in_string = true;
                        self.state = State::InKey;
                    }
                    b'}' => {
                        self.pos += 1;
                        self.state = State::Done;
                    }
                    _ => return Err(self.error("expected a key").into()),
                },
                State::InKey => {
                    if !self.scan_string() {
                        break;
                    }
                    self.key = serde_json::from_slice(&self.buf[self.start..self.pos]).map_err(|e| self.error(&format!("bad key ({e})")))?;
                    self.state = State::BeforeColon;
                }
                State::BeforeColon => {
                    if b != b':' {
                        return Err(self.error("expected ':'").into());
                    }
                    self.pos += 1;
                    self.state = State::BeforeValue;
                }
                State::BeforeValue => {
                    if b == b'[' && self.key == self.split_key {
                        self.pos += 1;
                        self.state = State::BeforeElement;
                    } else {
                        self.start = self.pos;
                        self.depth = 0;
                        self.state = State::InValue;
                    }
                }
                State::InValue => {
                    if !self.scan_value(b'}')? {
                        break;
                    }
                    on(Piece::Member { key: &self.key, value: &self.buf[self.start..self.pos] })?;
                    self.state = State::AfterValue;
                }
                State::AfterValue => {
                    self.pos += 1;
                    self.state = match b {
                        b',' => State::BeforeKey,
                        b'}' => State::Done,
                        _ => return Err(self.error("expected ',' or '}'").into()),
                    };
                }
                State::BeforeElement => {
                    if b == b']' {
                        self.pos += 1;
                        self.state = State::AfterValue;
                    } else {
                        self.start = self.pos;
                        self.depth = 0;
                        self.state = State::InElement;
                    }
                }
                State::InElement => {
                    if !self.scan_value(b']')? {
                        break;
                    }
                    on(Piece::Element(&self.buf[self.start..self.pos]))?;
                    let end = self.buf[self.pos];
                    self.pos += 1;
                    self.state = if end == b',' { State::BeforeElement } else { State::AfterValue };
                }
                State::Done => return Err(self.error("trailing characters after the object").into()),
            }
        }
        self.compact();
        Ok(())
    }

    /// Drops what was handed out (or skipped); keeps the piece being scanned.
    fn compact(&mut self) {
        let keep = match self.state {
            State::InKey | State::InValue | State::InElement => self.start,
            _ => self.pos,
        };
        if keep > 0 {
            self.buf.drain(..keep);
            self.offset += keep;
            self.pos -= keep;
            self.start -= keep.min(self.start);
        }
    }

    /// Checks that the object ended.
    pub fn finish(&self) -> Result<(), SplitError> {
        if self.state == State::Done {
            Ok(())
        } else {
            Err(SplitError(format!("the JSON ends early (after {} bytes)", self.offset + self.buf.len())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Owned {
        Member(String, String),
        Element(String),
    }

    fn split(chunks: &[&[u8]]) -> Result<Vec<Owned>, SplitError> {
        let mut s = ObjectSplitter::new("files");
        let mut out = Vec::new();
        for chunk in chunks {
            s.push::<SplitError>(chunk, |piece| {
                out.push(match piece {
                    Piece::Member { key, value } => Owned::Member(key.to_string(), String::from_utf8_lossy(value).trim().to_string()),
                    Piece::Element(e) => Owned::Element(String::from_utf8_lossy(e).trim().to_string()),
                });
                Ok(())
            })?;
        }
        s.finish()?;
        Ok(out)
    }

    const DOC: &str = r#" { "meta": {"api-version": "1.1", "x": [1, {"}": "]"}]},
        "fi\u006ces": 3, "files": [ {"filename": "a\"b,c]", "n": [1,2]} , "text",
        7 ,{"nested": {"deep": ["[", "{"]}} ], "name": "demo", "versions": ["1.0", "2.0"] } "#;

    fn expected() -> Vec<Owned> {
        vec![
            Owned::Member("meta".into(), r#"{"api-version": "1.1", "x": [1, {"}": "]"}]}"#.into()),
            Owned::Member("files".into(), "3".into()),
            Owned::Element(r#"{"filename": "a\"b,c]", "n": [1,2]}"#.into()),
            Owned::Element(r#""text""#.into()),
            Owned::Element("7".into()),
            Owned::Element(r#"{"nested": {"deep": ["[", "{"]}}"#.into()),
            Owned::Member("name".into(), r#""demo""#.into()),
            Owned::Member("versions".into(), r#"["1.0", "2.0"]"#.into()),
        ]
    }

    #[test]
    fn splits_members_and_the_elements_of_one_array() {
        assert_eq!(split(&[DOC.as_bytes()]).expect("split"), expected());
    }

    #[test]
    fn any_cut_into_chunks_gives_the_same_pieces() {
        let bytes = DOC.as_bytes();
        for cut in 0..=bytes.len() {
            assert_eq!(split(&[&bytes[..cut], &bytes[cut..]]).expect("split"), expected(), "cut at {cut}");
        }
        let ones: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(split(&ones).expect("split"), expected());
    }

    #[test]
    fn what_is_handed_out_is_not_kept() {
        let mut s = ObjectSplitter::new("files");
        let element = br#"{"filename": "x-1.0.tar.gz", "url": "https://i.test/x-1.0.tar.gz"},"#;
        s.push::<SplitError>(br#"{"files": ["#, |_| Ok(())).expect("start");
        for _ in 0..1000 {
            s.push::<SplitError>(element, |_| Ok(())).expect("element");
        }
        assert!(s.buf.len() < element.len(), "{} bytes kept", s.buf.len());
    }

    #[test]
    fn broken_documents_are_errors() {
        for bad in [&b"[1, 2]"[..], b"{\"files\": [1, 2", b"{\"a\" 1}", b"{\"a\": 1} x", b"{\"a\": ]}", b"{\"files\": [1}]}", b"", b"{\"a\": 1"] {
            assert!(split(&[bad]).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(split(&[b"{}"]).expect("empty"), vec![]);
        assert_eq!(split(&[br#"{"files": []}"#]).expect("no files"), vec![]);
    }
}
