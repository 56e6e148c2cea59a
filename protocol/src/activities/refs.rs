//! The reusable pieces of activities: a property that may be an id, an
//! embedded object or a list of them ([`ObjectRef`], [`OneOrMany`]), an
//! audience list ([`Audience`]), a `type` ([`Kind`]), and lenient readers
//! for scalar properties other servers sometimes fill with something else.
//!
//! Everything here reads JSON as a stream: nothing is buffered into a
//! `serde_json::Value`, and nesting is bounded by serde_json's recursion
//! limit.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The `visit_*` methods of a visitor for the scalars that read as
/// `$absent`: null, a boolean or a number.
macro_rules! scalars_read_as {
    ($absent:expr) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($absent)
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($absent)
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($absent)
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($absent)
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($absent)
        }
    };
}

/// An object with an id: what [`ObjectRef::id`] reads of an embedded
/// object.
pub trait HasId {
    /// The object's id, if it has one.
    fn id(&self) -> Option<&str>;
}

/// A property naming an object: its id, or the object itself embedded.
/// Read from a string, an object, or a list (its first usable item).
/// Written as the string or the object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ObjectRef<T> {
    /// The object's id.
    Id(String),
    /// The object, embedded.
    Object(T),
}

impl<T: HasId> ObjectRef<T> {
    /// The id: the string itself, or the embedded object's.
    pub fn id(&self) -> Option<&str> {
        match self {
            ObjectRef::Id(id) => Some(id),
            ObjectRef::Object(o) => o.id(),
        }
    }

    /// The embedded object, when there is one.
    pub fn object(&self) -> Option<&T> {
        match self {
            ObjectRef::Id(_) => None,
            ObjectRef::Object(o) => Some(o),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for ObjectRef<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        OptionalRef::<T>::deserialize(d)?
            .0
            .ok_or_else(|| de::Error::custom("not an id, an object, or a list of them"))
    }
}

/// Reads an optional [`ObjectRef`] property: a scalar of another kind
/// (a number, say) or an empty list reads as absent.
pub fn reference<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<ObjectRef<T>>, D::Error> {
    Ok(OptionalRef::<T>::deserialize(d)?.0)
}

/// An [`ObjectRef`], or nothing usable.
struct OptionalRef<T>(Option<ObjectRef<T>>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for OptionalRef<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RefVisitor(PhantomData)).map(OptionalRef)
    }
}

struct RefVisitor<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for RefVisitor<T> {
    type Value = Option<ObjectRef<T>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an id, an object, or a list of them")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(ObjectRef::Id(v.to_string())))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map))
            .map(|t| Some(ObjectRef::Object(t)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut first = None;
        while let Some(item) = seq.next_element::<OptionalRef<T>>()? {
            if first.is_none() {
                first = item.0;
            }
        }
        Ok(first)
    }

    scalars_read_as!(None);
}

/// One value or a list of them (`tag`, `attachment`, a `Flag`'s
/// `object`); items of another shape are skipped. Written as a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany(Vec::new())
    }
}

impl<T> OneOrMany<T> {
    /// The items.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ManyVisitor(PhantomData))
    }
}

struct ManyVisitor<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for ManyVisitor<T> {
    type Value = OneOrMany<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value or a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Maybe<T>>()? {
            items.extend(item.0);
        }
        Ok(OneOrMany(items))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(OneOrMany(
            T::deserialize(de::value::StrDeserializer::<E>::new(v))
                .ok()
                .into_iter()
                .collect(),
        ))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| OneOrMany(vec![t]))
    }

    scalars_read_as!(OneOrMany::default());
}

/// A list item that may be of another shape: `None` then (a string
/// where an object was expected is tried as the object, and dropped if
/// that fails).
struct Maybe<T>(Option<T>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Maybe<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MaybeVisitor(PhantomData))
    }
}

struct MaybeVisitor<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for MaybeVisitor<T> {
    type Value = Maybe<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("anything")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Maybe(
            T::deserialize(de::value::StrDeserializer::<E>::new(v)).ok(),
        ))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Maybe(Some(t)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Maybe(None))
    }

    scalars_read_as!(Maybe(None));
}

/// An embedded object read for its id alone (other properties ignored).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Identified {
    /// Its id.
    #[serde(default, deserialize_with = "string")]
    pub id: Option<String>,
}

impl HasId for Identified {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// A reference read for its id: an actor, the object of a `Like`...
pub type Reference = ObjectRef<Identified>;

/// An audience list (`to`, `cc`): the ids of a string, an object or a
/// list of them; empty when absent. Written as a list of ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Audience(pub Vec<String>);

impl Audience {
    /// The ids.
    pub fn ids(&self) -> &[String] {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let refs = OneOrMany::<Reference>::deserialize(d)?;
        Ok(Audience(
            refs.0
                .into_iter()
                .filter_map(|r| r.id().map(str::to_string))
                .collect(),
        ))
    }
}

/// An object's `type`: a string, or the first of a list. Anything else
/// reads as no type (`""`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kind(String);

impl Kind {
    /// A type.
    pub fn new(kind: &str) -> Kind {
        Kind(kind.to_string())
    }

    /// The type's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = OneOrMany::<Lenient<String>>::deserialize(d)?;
        Ok(Kind(
            names.0.into_iter().find_map(|n| n.0).unwrap_or_default(),
        ))
    }
}

/// Reads a string property; a property of another shape reads as absent.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Lenient::<String>::deserialize(d)?.0)
}

/// Reads a boolean property; a property of another shape reads as absent.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(Lenient::<bool>::deserialize(d)?.0)
}

/// A scalar property read leniently: `None` when it holds something else
/// (which is skipped, however deep).
struct Lenient<T>(Option<T>);

/// A scalar [`Lenient`] can read.
trait Scalar: Sized {
    fn from_str(_: &str) -> Option<Self> {
        None
    }

    fn from_bool(_: bool) -> Option<Self> {
        None
    }
}

impl Scalar for String {
    fn from_str(s: &str) -> Option<Self> {
        Some(s.to_string())
    }
}

impl Scalar for bool {
    fn from_bool(b: bool) -> Option<Self> {
        Some(b)
    }
}

impl<'de, T: Scalar> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor(PhantomData))
    }
}

struct LenientVisitor<T>(PhantomData<T>);

impl<'de, T: Scalar> Visitor<'de> for LenientVisitor<T> {
    type Value = Lenient<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("anything")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Lenient(T::from_bool(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Lenient(T::from_str(v)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Lenient(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Lenient(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }
}

/// Reads the first key of a map property (the language of a
/// `contentMap`); a property of another shape reads as absent.
pub fn first_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct FirstKey;
    impl<'de> Visitor<'de> for FirstKey {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let first = map.next_entry::<String, IgnoredAny>()?.map(|(key, _)| key);
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(first)
        }
    }
    d.deserialize_any(Either(FirstKey))
}

/// Reads a link property: a string, or the `href` of a `Link` object; a
/// property of another shape (a list, for one) reads as absent.
pub fn href<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct Href;
    impl<'de> Visitor<'de> for Href {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a link")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut href = None;
            while let Some(key) = map.next_key::<Lenient<String>>()? {
                if key.0.as_deref() == Some("href") && href.is_none() {
                    href = map.next_value::<Lenient<String>>()?.0;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(href)
        }
    }
    d.deserialize_any(Either(Href))
}

/// Reads a number property (a JSON number); a property of another shape
/// reads as absent.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct Number;
    impl<'de> Visitor<'de> for Number {
        type Value = Option<f64>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(v.is_finite().then_some(v))
        }

        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
    d.deserialize_any(Number)
}

/// Reads a count (a whole number from 0 to `u32::MAX`; a larger one is
/// `u32::MAX`); anything else reads as absent.
pub fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(number(d)?
        .filter(|n| *n >= 0.0 && n.fract() == 0.0)
        .map(|n| {
            if n >= f64::from(u32::MAX) {
                u32::MAX
            } else {
                n as u32
            }
        }))
}

/// A visitor that reads what `V` reads and skips anything else as absent.
struct Either<V>(V);

impl<'de, V, T> Visitor<'de> for Either<V>
where
    V: Visitor<'de, Value = Option<T>>,
{
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.visit_str::<E>(v).or(Ok(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    scalars_read_as!(None);
}
