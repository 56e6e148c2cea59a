//! The subset of RFC 8941 structured fields that signatures need:
//! dictionaries of items and inner lists with parameters.

use std::collections::HashMap;
use std::ops::Range;

use base64::Engine as _;

/// An RFC 9110 `tchar`: what tokens and header field names are made of.
pub(super) fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// A bare item. Decimals are kept as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Bare {
    Integer(i64),
    Decimal(String),
    String(String),
    Token(String),
    Bytes(Vec<u8>),
    Boolean(bool),
}

pub(super) type Params = Vec<(String, Bare)>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Item {
    pub bare: Bare,
    pub params: Params,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Member {
    Item(Item),
    InnerList(Vec<Item>, Params),
}

/// A dictionary member; `span` is the byte range of its value (after
/// `=`) in the parsed text, exactly as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    pub key: String,
    pub member: Member,
    pub span: Range<usize>,
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

/// Where each key of a list (of parameters or dictionary members) is, so
/// that a repeated key, which keeps its first position and takes the last
/// value (RFC 8941 §3.1.2, §3.2), is found without scanning the list: with
/// a scan per key, a 64 KiB header of distinct keys took 0.1 s to parse.
#[derive(Default)]
struct Positions(HashMap<String, usize>);

impl Positions {
    /// The position of an earlier `key`, or `None` after recording that
    /// `key` goes at `next`.
    fn earlier(&mut self, key: &str, next: usize) -> Option<usize> {
        if let Some(&at) = self.0.get(key) {
            return Some(at);
        }
        self.0.insert(key.to_owned(), next);
        None
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn text(&self, range: Range<usize>) -> String {
        String::from_utf8_lossy(self.s.get(range).unwrap_or_default()).into_owned()
    }

    fn err(&self, what: &str) -> String {
        format!("{what} at byte {}", self.pos)
    }

    fn skip_sp(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn skip_while(&mut self, f: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&f) {
            self.pos += 1;
        }
    }

    fn key(&mut self) -> Result<String, String> {
        if !self
            .peek()
            .is_some_and(|c| c.is_ascii_lowercase() || c == b'*')
        {
            return Err(self.err("expected a key"));
        }
        let start = self.pos;
        self.skip_while(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-' | b'.' | b'*')
        });
        Ok(self.text(start..self.pos))
    }

    fn params(&mut self) -> Result<Params, String> {
        let mut out = Params::new();
        let mut positions = Positions::default();
        while self.peek() == Some(b';') {
            self.pos += 1;
            self.skip_sp();
            let key = self.key()?;
            let value = if self.peek() == Some(b'=') {
                self.pos += 1;
                self.bare()?
            } else {
                Bare::Boolean(true)
            };
            match positions
                .earlier(&key, out.len())
                .and_then(|at| out.get_mut(at))
            {
                Some(slot) => slot.1 = value,
                None => out.push((key, value)),
            }
        }
        Ok(out)
    }

    fn item(&mut self) -> Result<Item, String> {
        let bare = self.bare()?;
        let params = self.params()?;
        Ok(Item { bare, params })
    }

    fn member(&mut self) -> Result<Member, String> {
        if self.peek() != Some(b'(') {
            return Ok(Member::Item(self.item()?));
        }
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_sp();
            if self.peek() == Some(b')') {
                self.pos += 1;
                let params = self.params()?;
                return Ok(Member::InnerList(items, params));
            }
            items.push(self.item()?);
            if !matches!(self.peek(), Some(b' ' | b')')) {
                return Err(self.err("expected ' ' or ')' in inner list"));
            }
        }
    }

    fn bare(&mut self) -> Result<Bare, String> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'"') => self.string(),
            Some(b':') => self.bytes(),
            Some(b'?') => self.boolean(),
            Some(c) if c.is_ascii_alphabetic() || c == b'*' => {
                let start = self.pos;
                self.pos += 1;
                self.skip_while(|c| is_tchar(c) || c == b':' || c == b'/');
                Ok(Bare::Token(self.text(start..self.pos)))
            }
            _ => Err(self.err("expected an item")),
        }
    }

    fn number(&mut self) -> Result<Bare, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        self.skip_while(|c| c.is_ascii_digit());
        let int_len = self.pos - int_start;
        if int_len == 0 {
            return Err(self.err("expected a digit"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let frac_start = self.pos;
            self.skip_while(|c| c.is_ascii_digit());
            let frac_len = self.pos - frac_start;
            if int_len > 12 || frac_len == 0 || frac_len > 3 {
                return Err(self.err("invalid decimal"));
            }
            return Ok(Bare::Decimal(self.text(start..self.pos)));
        }
        if int_len > 15 {
            return Err(self.err("integer too long"));
        }
        self.text(start..self.pos)
            .parse()
            .map(Bare::Integer)
            .map_err(|_| self.err("invalid integer"))
    }

    fn string(&mut self) -> Result<Bare, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => {
                            out.push(char::from(c));
                            self.pos += 1;
                        }
                        _ => return Err(self.err("invalid escape in string")),
                    }
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Bare::String(out));
                }
                Some(c @ 0x20..=0x7e) => {
                    out.push(char::from(c));
                    self.pos += 1;
                }
                Some(_) => return Err(self.err("invalid character in string")),
            }
        }
    }

    fn bytes(&mut self) -> Result<Bare, String> {
        self.pos += 1;
        let start = self.pos;
        self.skip_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='));
        let end = self.pos;
        if self.peek() != Some(b':') {
            return Err(self.err("unterminated byte sequence"));
        }
        self.pos += 1;
        super::LENIENT_BASE64
            .decode(self.s.get(start..end).unwrap_or_default())
            .map(Bare::Bytes)
            .map_err(|_| self.err("invalid base64 in byte sequence"))
    }

    fn boolean(&mut self) -> Result<Bare, String> {
        self.pos += 1;
        let value = match self.peek() {
            Some(b'0') => false,
            Some(b'1') => true,
            _ => return Err(self.err("invalid boolean")),
        };
        self.pos += 1;
        Ok(Bare::Boolean(value))
    }
}

/// Parses a dictionary. A repeated key keeps its first position and
/// takes the last value, as RFC 8941 specifies.
pub(super) fn parse_dictionary(input: &str) -> Result<Vec<Entry>, String> {
    let mut p = Parser {
        s: input.as_bytes(),
        pos: 0,
    };
    let mut out: Vec<Entry> = Vec::new();
    let mut positions = Positions::default();
    p.skip_sp();
    if p.peek().is_none() {
        return Ok(out);
    }
    loop {
        let key = p.key()?;
        let (start, member) = if p.peek() == Some(b'=') {
            p.pos += 1;
            let start = p.pos;
            (start, p.member()?)
        } else {
            let start = p.pos;
            let params = p.params()?;
            (
                start,
                Member::Item(Item {
                    bare: Bare::Boolean(true),
                    params,
                }),
            )
        };
        let span = start..p.pos;
        match positions
            .earlier(&key, out.len())
            .and_then(|at| out.get_mut(at))
        {
            Some(e) => {
                e.member = member;
                e.span = span;
            }
            None => out.push(Entry { key, member, span }),
        }
        p.skip_ows();
        match p.peek() {
            None => return Ok(out),
            Some(b',') => {
                p.pos += 1;
                p.skip_ows();
                if p.peek().is_none() {
                    return Err(p.err("trailing comma"));
                }
            }
            Some(_) => return Err(p.err("expected ','")),
        }
    }
}

#[cfg(test)]
mod tests;
