//! Operator commands (`kodeon admin ...`): one enum, one dispatcher, used by
//! the CLI directly on the store or through the running node's admin socket.

use serde::{Deserialize, Serialize};

use crate::error::NodeResult;
use crate::members::NewMember;
use crate::model::Role;
use crate::node::Node;

/// A command from the operator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum AdminCommand {
    /// Create a member (optionally an admin).
    CreateUser {
        /// Username.
        username: String,
        /// Email.
        email: String,
        /// Password.
        password: String,
        /// Make them an admin.
        admin: bool,
    },
    /// Give a member a role.
    Promote {
        /// Username.
        username: String,
        /// New role.
        role: Role,
    },
    /// Suspend (or lift the suspension of) a member.
    Suspend {
        /// Username.
        username: String,
        /// `true` to lift.
        undo: bool,
    },
    /// Approve a member waiting for approval.
    Approve {
        /// Username.
        username: String,
    },
    /// Reject (delete) a member waiting for approval.
    Reject {
        /// Username.
        username: String,
    },
    /// Create an invite code.
    Invite {
        /// How many registrations it allows.
        uses: u32,
    },
    /// Set a new password (revokes all sessions).
    ResetPassword {
        /// Username.
        username: String,
        /// New password.
        password: String,
    },
}

/// What a command did, in words for the operator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdminOutcome {
    /// One line saying what happened.
    pub message: String,
}

impl Node {
    /// Runs an operator command.
    pub async fn run_admin(&self, command: AdminCommand) -> NodeResult<AdminOutcome> {
        let (action, target) = command.audit_name();
        let message = self.run_command(command).await?;
        // The command line acts as the operator: its actions are audited
        // too (in a second write; the action itself is already durable).
        self.write(|txn| {
            let redacted = if action == "invite.create" {
                "invite code created".to_string()
            } else {
                message.clone()
            };
            self.audit_operator(txn, action, &target, &redacted)
        })
        .await?;
        Ok(AdminOutcome { message })
    }

    async fn run_command(&self, command: AdminCommand) -> NodeResult<String> {
        let message = match command {
            AdminCommand::CreateUser {
                username,
                email,
                password,
                admin,
            } => {
                let role = if admin { Role::Admin } else { Role::Member };
                let m = self
                    .create_member(
                        NewMember {
                            username,
                            email,
                            password,
                            full_name: String::new(),
                            ..NewMember::default()
                        },
                        role,
                    )
                    .await?;
                format!("created {} ({:?}) with id {}", m.username, m.role, m.id)
            }
            AdminCommand::Promote { username, role } => {
                let m = self.set_role(&username, role).await?;
                format!("{} is now {:?}", m.username, m.role)
            }
            AdminCommand::Suspend { username, undo } => {
                let m = self.set_suspended(&username, !undo).await?;
                format!("{} is now {:?}", m.username, m.status)
            }
            AdminCommand::Approve { username } => {
                let m = self.approve_member(&username).await?;
                format!("{} is approved", m.username)
            }
            AdminCommand::Reject { username } => {
                self.reject_member(&username).await?;
                format!("{username} was rejected and removed")
            }
            AdminCommand::Invite { uses } => {
                let code = self.create_invite(uses).await?;
                format!("invite code (good for {uses} registration(s)): {code}")
            }
            AdminCommand::ResetPassword { username, password } => {
                let m = self.reset_password(&username, &password).await?;
                format!("password of {} reset; all sessions revoked", m.username)
            }
        };
        Ok(message)
    }
}

impl AdminCommand {
    /// The audit log's action name and target for this command.
    fn audit_name(&self) -> (&'static str, String) {
        match self {
            AdminCommand::CreateUser { username, .. } => ("member.create", username.clone()),
            AdminCommand::Promote { username, .. } => ("member.role", username.clone()),
            AdminCommand::Suspend { username, undo } => (
                if *undo {
                    "member.unsuspend"
                } else {
                    "member.suspend"
                },
                username.clone(),
            ),
            AdminCommand::Approve { username } => ("member.approve", username.clone()),
            AdminCommand::Reject { username } => ("member.reject", username.clone()),
            AdminCommand::Invite { .. } => ("invite.create", "node".to_string()),
            AdminCommand::ResetPassword { username, .. } => {
                ("member.reset_password", username.clone())
            }
        }
    }
}
