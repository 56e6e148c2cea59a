//! Markers: read positions by timeline name.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::date;

/// Mastodon's Marker.
#[derive(Debug, Clone, Serialize)]
pub struct Marker {
    /// The last item read.
    pub last_read_id: String,
    /// Incremented on each change.
    pub version: u64,
    /// When it was last set.
    pub updated_at: String,
}

impl From<&node::markers::Marker> for Marker {
    fn from(m: &node::markers::Marker) -> Self {
        Marker {
            last_read_id: m.last_read_id.to_string(),
            version: m.version,
            updated_at: date(m.updated_at),
        }
    }
}

/// Markers as an object keyed by timeline (`home`, `notifications`), in
/// the order given.
#[derive(Debug, Clone, Default)]
pub struct Markers(pub Vec<(String, Marker)>);

impl Markers {
    /// Markers from the node's.
    pub fn of(markers: &[(String, node::markers::Marker)]) -> Self {
        Markers(
            markers
                .iter()
                .map(|(name, m)| (name.clone(), Marker::from(m)))
                .collect(),
        )
    }
}

impl Serialize for Markers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, marker) in &self.0 {
            map.serialize_entry(name, marker)?;
        }
        map.end()
    }
}
