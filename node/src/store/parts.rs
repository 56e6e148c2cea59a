//! Typed key components: what a table's key is made of, what a caller may
//! pass for it, and how it decodes.
//!
//! A table names its key by *kinds* ([`Id`], [`Str`], `u64`, `u8`,
//! [`Hash`], or a tuple of them); callers pass *arguments* that encode as
//! those kinds (`&str` or `String` for [`Str`], `&[u8; 32]` for [`Hash`]...),
//! and scans decode keys back to owned values (a [`Str`] decodes to a
//! `String`). The byte layout is the one `keys.rs` documents.

use crate::id::Id;

/// A string component: UTF-8 bytes, then a `0x00` terminator.
#[derive(Debug, Clone, Copy)]
pub enum Str {}

/// A 32-byte component (blake3 hashes, ed25519 public keys).
pub type Hash = [u8; 32];

/// blake3 of `text`: the key of tables indexed by the hash of a secret or
/// a URI (tokens, invite codes, actor and object ids).
pub fn hash_of(text: &str) -> Hash {
    *blake3::hash(text.as_bytes()).as_bytes()
}

/// One component kind of a key.
pub trait Part {
    /// What the component decodes to.
    type Owned;
    /// Reads the component from the front of `input`, advancing it.
    fn take(input: &mut &[u8]) -> Option<Self::Owned>;
}

/// A value that encodes as a component of kind `P`.
pub trait PartArg<P: Part> {
    /// Appends the component's bytes.
    fn put(&self, out: &mut Vec<u8>);
}

fn take_n<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if input.len() < n {
        return None;
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Some(head)
}

impl Part for Id {
    type Owned = Id;
    fn take(input: &mut &[u8]) -> Option<Id> {
        Id::from_slice(take_n(input, 16)?)
    }
}

impl PartArg<Id> for Id {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bytes());
    }
}

impl Part for Str {
    type Owned = String;
    fn take(input: &mut &[u8]) -> Option<String> {
        let end = input.iter().position(|b| *b == 0)?;
        let s = std::str::from_utf8(&input[..end]).ok()?.to_owned();
        *input = &input[end + 1..];
        Some(s)
    }
}

impl PartArg<Str> for str {
    /// NUL bytes are dropped, which validated slugs never contain.
    fn put(&self, out: &mut Vec<u8>) {
        out.extend(self.bytes().filter(|b| *b != 0));
        out.push(0);
    }
}

impl PartArg<Str> for String {
    fn put(&self, out: &mut Vec<u8>) {
        self.as_str().put(out);
    }
}

impl Part for u64 {
    type Owned = u64;
    fn take(input: &mut &[u8]) -> Option<u64> {
        Some(u64::from_be_bytes(take_n(input, 8)?.try_into().ok()?))
    }
}

impl PartArg<u64> for u64 {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }
}

impl Part for u8 {
    type Owned = u8;
    fn take(input: &mut &[u8]) -> Option<u8> {
        Some(take_n(input, 1)?[0])
    }
}

impl PartArg<u8> for u8 {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
}

impl Part for Hash {
    type Owned = Hash;
    fn take(input: &mut &[u8]) -> Option<Hash> {
        take_n(input, 32)?.try_into().ok()
    }
}

impl PartArg<Hash> for Hash {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}

impl<P: Part, T: PartArg<P> + ?Sized> PartArg<P> for &T {
    fn put(&self, out: &mut Vec<u8>) {
        (**self).put(out);
    }
}

/// A table's whole key: `()`, one [`Part`], or a tuple of two or three.
pub trait KeyKind {
    /// What the key decodes to (a tuple of the parts' owned forms).
    type Owned;
    /// Decodes a key's components (after the table's head bytes); `None`
    /// unless the bytes are exactly one key.
    fn decode(mut input: &[u8]) -> Option<Self::Owned> {
        let key = Self::take(&mut input)?;
        input.is_empty().then_some(key)
    }
    /// Reads the key from the front of `input`.
    fn take(input: &mut &[u8]) -> Option<Self::Owned>;
}

/// A value that encodes as a whole key of kind `K`.
pub trait KeyArg<K: KeyKind> {
    /// Appends the key's components.
    fn put(&self, out: &mut Vec<u8>);
}

/// A value that encodes as a prefix of a key of kind `K` (its first
/// components, as a tuple; `()` for the whole table).
pub trait PrefixArg<K: KeyKind> {
    /// Appends the prefix's components.
    fn put(&self, out: &mut Vec<u8>);
}

impl KeyKind for () {
    type Owned = ();
    fn take(_: &mut &[u8]) -> Option<()> {
        Some(())
    }
}

impl KeyArg<()> for () {
    fn put(&self, _: &mut Vec<u8>) {}
}

impl<K: KeyKind> PrefixArg<K> for () {
    fn put(&self, _: &mut Vec<u8>) {}
}

macro_rules! single_part_keys {
    ($($part:ty),*) => {$(
        impl KeyKind for $part {
            type Owned = <$part as Part>::Owned;
            fn take(input: &mut &[u8]) -> Option<Self::Owned> {
                <$part as Part>::take(input)
            }
        }
        impl<X: PartArg<$part>> KeyArg<$part> for X {
            fn put(&self, out: &mut Vec<u8>) {
                PartArg::put(self, out);
            }
        }
    )*};
}
single_part_keys!(Id, Str, u64, u8, Hash);

impl<A: Part, B: Part> KeyKind for (A, B) {
    type Owned = (A::Owned, B::Owned);
    fn take(input: &mut &[u8]) -> Option<Self::Owned> {
        Some((A::take(input)?, B::take(input)?))
    }
}

impl<A: Part, B: Part, C: Part> KeyKind for (A, B, C) {
    type Owned = (A::Owned, B::Owned, C::Owned);
    fn take(input: &mut &[u8]) -> Option<Self::Owned> {
        Some((A::take(input)?, B::take(input)?, C::take(input)?))
    }
}

impl<A: Part, B: Part, X: PartArg<A>, Y: PartArg<B>> KeyArg<(A, B)> for (X, Y) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
    }
}

impl<A: Part, B: Part, C: Part, X: PartArg<A>, Y: PartArg<B>, Z: PartArg<C>> KeyArg<(A, B, C)>
    for (X, Y, Z)
{
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
        self.2.put(out);
    }
}

impl<A: Part, B: Part, X: PartArg<A>> PrefixArg<(A, B)> for (X,) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
    }
}

impl<A: Part, B: Part, X: PartArg<A>, Y: PartArg<B>> PrefixArg<(A, B)> for (X, Y) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
    }
}

impl<A: Part, B: Part, C: Part, X: PartArg<A>> PrefixArg<(A, B, C)> for (X,) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
    }
}

impl<A: Part, B: Part, C: Part, X: PartArg<A>, Y: PartArg<B>> PrefixArg<(A, B, C)> for (X, Y) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
    }
}

/// The start of a string key, without its terminator: a prefix matching
/// every [`Str`] key that begins with it (search as you type).
#[derive(Debug, Clone, Copy)]
pub struct StrStart<'a>(pub &'a str);

impl PrefixArg<Str> for StrStart<'_> {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend(self.0.bytes().filter(|b| *b != 0));
    }
}

/// Keys that end in an [`Id`]: index entries paged by id (feeds, lists).
pub trait IdTail: KeyKind {
    /// The components before the id.
    type Head: KeyKind;
    /// The trailing id of a decoded key.
    fn tail(key: &Self::Owned) -> Id;
}

impl IdTail for Id {
    type Head = ();
    fn tail(key: &Id) -> Id {
        *key
    }
}

impl<A: Part + KeyKind> IdTail for (A, Id) {
    type Head = A;
    fn tail(key: &Self::Owned) -> Id {
        key.1
    }
}

impl<A: Part, B: Part> IdTail for (A, B, Id) {
    type Head = (A, B);
    fn tail(key: &Self::Owned) -> Id {
        key.2
    }
}
