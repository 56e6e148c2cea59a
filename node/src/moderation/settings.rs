//! The settings an admin changes from the panel while the node runs: name,
//! description, rules, registration mode, contact and content limits.
//!
//! The config file gives the first values; once an admin saves settings,
//! the saved record wins (it is stored in the node, so it survives
//! restarts). Every change takes effect at once and is audited.

use serde::{Deserialize, Serialize};

use crate::config::{ContentLimits, RegistrationMode};
use crate::error::{NodeError, NodeResult};
use crate::model::Role;
use crate::node::{Node, Viewer};
use crate::store::tables;
use crate::validate;

/// Largest number of rules.
pub const MAX_RULES: usize = 50;

/// What an admin can change while the node runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeSettings {
    /// The node's name (shown in titles and the instance API).
    pub name: String,
    /// A description shown on the home page (plain text).
    pub description: String,
    /// The node's rules, in order.
    pub rules: Vec<String>,
    /// Who may register.
    pub registration: RegistrationMode,
    /// Where to reach the operators.
    pub contact_email: String,
    /// Size limits on what members write.
    pub limits: ContentLimits,
}

impl Default for NodeSettings {
    fn default() -> Self {
        NodeSettings {
            name: String::new(),
            description: String::new(),
            rules: Vec::new(),
            registration: RegistrationMode::Open,
            contact_email: String::new(),
            limits: ContentLimits::default(),
        }
    }
}

impl Node {
    /// Loads saved settings, or takes them from the config file.
    pub(crate) fn load_settings(&self) -> NodeResult<()> {
        let settings = match self.store.load::<tables::Settings>(())? {
            Some(saved) => saved,
            None => NodeSettings {
                name: self.config.domain.clone(),
                registration: self.config.registration,
                limits: self.config.limits,
                ..NodeSettings::default()
            },
        };
        self.replace_settings(settings);
        Ok(())
    }

    fn replace_settings(&self, settings: NodeSettings) {
        match self.settings.write() {
            Ok(mut s) => *s = settings,
            Err(poisoned) => *poisoned.into_inner() = settings,
        }
    }

    /// The current settings.
    pub fn settings(&self) -> NodeSettings {
        match self.settings.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The current content limits.
    pub fn limits(&self) -> ContentLimits {
        match self.settings.read() {
            Ok(s) => s.limits,
            Err(poisoned) => poisoned.into_inner().limits,
        }
    }

    /// The current registration mode.
    pub fn registration_mode(&self) -> RegistrationMode {
        match self.settings.read() {
            Ok(s) => s.registration,
            Err(poisoned) => poisoned.into_inner().registration,
        }
    }

    /// Saves new settings (admins only). Takes effect at once; the audit
    /// log records which fields changed.
    pub async fn update_settings(
        &self,
        viewer: &Viewer,
        new: NodeSettings,
    ) -> NodeResult<NodeSettings> {
        if !viewer.has_role(Role::Admin) {
            return Err(NodeError::Forbidden("only admins can change settings"));
        }
        let new = validate_settings(new)?;
        let old = self.settings();
        let changed = changed_fields(&old, &new);
        if changed.is_empty() {
            return Ok(old);
        }
        self.write(|txn| {
            txn.store::<tables::Settings>((), &new)?;
            self.audit(
                txn,
                Some(viewer),
                "settings.update",
                "node",
                &changed.join(", "),
            )
        })
        .await?;
        self.replace_settings(new.clone());
        tracing::info!(fields = %changed.join(","), "settings changed");
        Ok(new)
    }
}

/// Checks every field; errors name the field.
fn validate_settings(mut s: NodeSettings) -> NodeResult<NodeSettings> {
    s.name = s.name.trim().to_string();
    if s.name.is_empty() {
        return Err(NodeError::invalid("name", "must not be empty"));
    }
    validate::max_chars("name", &s.name, 100)?;
    s.description = s.description.trim().to_string();
    validate::max_chars("description", &s.description, 5_000)?;
    s.rules = s
        .rules
        .into_iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if s.rules.len() > MAX_RULES {
        return Err(NodeError::invalid(
            "rules",
            format!("at most {MAX_RULES} rules"),
        ));
    }
    for rule in &s.rules {
        validate::max_chars("rules", rule, 500)?;
    }
    s.contact_email = s.contact_email.trim().to_string();
    if !s.contact_email.is_empty() {
        validate::max_chars("contact_email", &s.contact_email, 254)?;
        let ok = s
            .contact_email
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
        if !ok {
            return Err(NodeError::invalid(
                "contact_email",
                "is not an email address",
            ));
        }
    }
    let l = &s.limits;
    for (field, value, max) in [
        ("limits.post_chars", l.post_chars, 100_000),
        ("limits.title_chars", l.title_chars, 1_000),
        ("limits.tags", l.tags, 100),
        ("limits.bio_chars", l.bio_chars, 20_000),
    ] {
        if value == 0 || value > max {
            return Err(NodeError::invalid(
                field,
                format!("must be between 1 and {max}"),
            ));
        }
    }
    Ok(s)
}

fn changed_fields(old: &NodeSettings, new: &NodeSettings) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if old.name != new.name {
        changed.push("name");
    }
    if old.description != new.description {
        changed.push("description");
    }
    if old.rules != new.rules {
        changed.push("rules");
    }
    if old.registration != new.registration {
        changed.push("registration");
    }
    if old.contact_email != new.contact_email {
        changed.push("contact_email");
    }
    if old.limits != new.limits {
        changed.push("limits");
    }
    changed
}
