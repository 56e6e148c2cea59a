//! Tests of the structured-field parser, with a serialiser (RFC 8941 §4.1)
//! for round trips: valid dictionaries read back as written, and whatever
//! text parses (arbitrary, or mutations of valid fields) serialises to
//! text that parses the same.

#![allow(clippy::unwrap_used)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;

use super::super::structured_fields as sf;
use super::super::test_support::proptest_config;
use super::{Bare, Entry, Item, Member, Params};

// ------------------------------------------- a serialiser (RFC 8941 §4.1)

fn ser_bare(bare: &Bare, out: &mut String) {
    match bare {
        Bare::Integer(n) => out.push_str(&n.to_string()),
        Bare::Decimal(d) | Bare::Token(d) => out.push_str(d),
        Bare::String(s) => {
            out.push('"');
            for c in s.chars() {
                if matches!(c, '"' | '\\') {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        Bare::Bytes(b) => {
            out.push(':');
            out.push_str(&STANDARD.encode(b));
            out.push(':');
        }
        Bare::Boolean(b) => out.push_str(if *b { "?1" } else { "?0" }),
    }
}

fn ser_params(params: &Params, out: &mut String) {
    for (key, value) in params {
        out.push(';');
        out.push_str(key);
        if *value != Bare::Boolean(true) {
            out.push('=');
            ser_bare(value, out);
        }
    }
}

fn ser_item(item: &Item, out: &mut String) {
    ser_bare(&item.bare, out);
    ser_params(&item.params, out);
}

/// The dictionary as RFC 8941 serialises it (spans are ignored).
fn serialize(dict: &[Entry]) -> String {
    let mut out = String::new();
    for (i, entry) in dict.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&entry.key);
        match &entry.member {
            Member::Item(Item {
                bare: Bare::Boolean(true),
                params,
            }) => ser_params(params, &mut out),
            Member::Item(item) => {
                out.push('=');
                ser_item(item, &mut out);
            }
            Member::InnerList(items, params) => {
                out.push_str("=(");
                for (j, item) in items.iter().enumerate() {
                    if j > 0 {
                        out.push(' ');
                    }
                    ser_item(item, &mut out);
                }
                out.push(')');
                ser_params(params, &mut out);
            }
        }
    }
    out
}

/// Keys and members, without the spans (which depend on the text).
fn content(dict: &[Entry]) -> Vec<(String, Member)> {
    dict.iter()
        .map(|e| (e.key.clone(), e.member.clone()))
        .collect()
}

// ------------------------------------------------------------ strategies

fn key() -> impl Strategy<Value = String> {
    "[a-z*][a-z0-9_.*-]{0,5}"
}

fn bare() -> impl Strategy<Value = Bare> {
    prop_oneof![
        (-999_999_999_999_999i64..=999_999_999_999_999).prop_map(Bare::Integer),
        "-?[0-9]{1,12}\\.[0-9]{1,3}".prop_map(Bare::Decimal),
        "[ -~]{0,12}".prop_map(Bare::String),
        "[A-Za-z*][A-Za-z0-9!#$%&'*+.^_`|~:/-]{0,8}".prop_map(Bare::Token),
        vec(any::<u8>(), 0..12).prop_map(Bare::Bytes),
        any::<bool>().prop_map(Bare::Boolean),
    ]
}

fn params() -> impl Strategy<Value = Params> {
    btree_map(key(), bare(), 0..3).prop_map(|m| m.into_iter().collect())
}

fn item() -> impl Strategy<Value = Item> {
    (bare(), params()).prop_map(|(bare, params)| Item { bare, params })
}

fn member() -> impl Strategy<Value = Member> {
    prop_oneof![
        item().prop_map(Member::Item),
        (vec(item(), 0..4), params()).prop_map(|(items, p)| Member::InnerList(items, p)),
    ]
}

fn dictionary() -> impl Strategy<Value = Vec<Entry>> {
    btree_map(key(), member(), 0..6).prop_map(|m| {
        m.into_iter()
            .map(|(key, member)| Entry {
                key,
                member,
                span: 0..0,
            })
            .collect()
    })
}

/// Text made mostly of the characters structured fields are made of.
fn sf_like_text() -> impl Strategy<Value = String> {
    "[a-z0-9=,;()\" \\\\:?*.+/\t-]{0,64}"
}

/// Edits at byte positions (taken modulo the length): delete a run,
/// insert a character, or repeat a run. Bytes that no longer make
/// UTF-8 become U+FFFD (headers reach the parser as `&str`).
fn mutations() -> impl Strategy<Value = Vec<(usize, u8, char)>> {
    vec(
        (
            any::<usize>(),
            0u8..3,
            prop_oneof![
                proptest::char::range(' ', '~'),
                Just('\t'),
                Just('\n'),
                any::<char>()
            ],
        ),
        1..4,
    )
}

fn mutate(text: &str, edits: &[(usize, u8, char)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(at, op, c) in edits {
        let at = at % (bytes.len() + 1);
        match op {
            0 => {
                let end = (at + 1 + c as usize % 4).min(bytes.len());
                bytes.drain(at..end);
            }
            1 => {
                let mut buf = [0; 4];
                bytes.splice(at..at, c.encode_utf8(&mut buf).bytes());
            }
            _ => {
                let end = (at + 1 + c as usize % 8).min(bytes.len());
                let run = bytes[at..end].to_vec();
                bytes.splice(at..at, run);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whatever parses serialises to text that parses to the same
/// dictionary, and every span is a slice of the input.
fn check_round_trip(text: &str) -> Result<(), TestCaseError> {
    if let Ok(dict) = sf::parse_dictionary(text) {
        for entry in &dict {
            prop_assert!(text.get(entry.span.clone()).is_some());
        }
        let again = sf::parse_dictionary(&serialize(&dict));
        prop_assert_eq!(again.map(|d| content(&d)), Ok(content(&dict)));
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config(512))]

    #[test]
    fn structured_fields_valid_dictionaries_round_trip(dict in dictionary()) {
        let text = serialize(&dict);
        let parsed = sf::parse_dictionary(&text);
        prop_assert_eq!(parsed.map(|d| content(&d)), Ok(content(&dict)), "{}", text);
    }

    #[test]
    fn structured_fields_any_text_never_panics(text in any::<String>()) {
        check_round_trip(&text)?;
    }

    #[test]
    fn structured_fields_like_text_round_trips(text in sf_like_text()) {
        check_round_trip(&text)?;
    }

    #[test]
    fn structured_fields_mutations_round_trip(dict in dictionary(), edits in mutations()) {
        check_round_trip(&mutate(&serialize(&dict), &edits))?;
    }
}

#[test]
fn structured_field_dictionary() {
    use sf::{Bare, Item, Member};
    let input = r#"a=1, b;x=?0, c=("s" tok);p=-1.5, d=:AQI=:, a=?1"#;
    let dict = sf::parse_dictionary(input).unwrap();
    let keys: Vec<&str> = dict.iter().map(|e| e.key.as_str()).collect();
    // A repeated key keeps its place and takes the last value.
    assert_eq!(keys, ["a", "b", "c", "d"]);
    assert_eq!(
        dict[0].member,
        Member::Item(Item {
            bare: Bare::Boolean(true),
            params: vec![]
        })
    );
    assert_eq!(
        dict[1].member,
        Member::Item(Item {
            bare: Bare::Boolean(true),
            params: vec![("x".into(), Bare::Boolean(false))]
        })
    );
    assert_eq!(&input[dict[2].span.clone()], r#"("s" tok);p=-1.5"#);
    assert_eq!(
        dict[3].member,
        Member::Item(Item {
            bare: Bare::Bytes(vec![1, 2]),
            params: vec![]
        })
    );
    assert_eq!(sf::parse_dictionary("").unwrap(), vec![]);
    for bad in [
        "A=1",
        "a=1,",
        "a=1 b=2",
        r#"a="\n""#,
        "a=1234567890123456",
        "a=:AQI=",
        "a=?2",
        "a=(1 2",
        "a=(1,2)",
    ] {
        assert!(sf::parse_dictionary(bad).is_err(), "{bad}");
    }
}
