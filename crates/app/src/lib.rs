//! Application services: who may do what, and the transactions that carry out the
//! domain's decisions.
//!
//! Every operation of the UI and the API is one function here. It takes an [`Actor`]
//! or an [`OrgScope`] (proof that access was checked), the parsed input and `now`, and
//! returns a value or an [`AppError`]. The web layer authenticates and shapes
//! responses; it never checks a rule or an access right itself.

pub mod access;
pub mod accounts;
pub mod applications;
pub mod audit;
pub mod catalogue;
pub mod commissions;
mod cpu;
pub mod csv_export;
pub mod erasure;
pub mod error;
pub mod meetings;
pub mod notify;
pub mod organisations;
pub mod own_data;
pub mod protocols;
pub mod reports;
pub mod retention;
pub mod rule_sets;
pub mod secrets;
pub mod signing;
pub mod staff;
pub mod tokens;

use tanu_storage::{Db, Objects};

pub use access::{Actor, OrgScope};
pub use error::{AppError, Refusal};

/// Everything a service needs: the database, the file store, and what issues
/// documents (typesetter, signing key, public address).
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The database.
    pub db: Db,
    /// The file store.
    pub objects: Objects,
    /// Issues protocols and extracts.
    pub issuer: protocols::Issuer,
    /// Limits that an installation may set.
    pub policy: Policy,
}

/// Limits of accounts that an installation may set.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Registrations accepted from one client address per hour.
    pub registrations_per_hour: i64,
    /// Days an API token works, from its creation.
    pub token_days: i64,
    /// Drafts one candidate may keep open at one organisation.
    pub drafts_per_organisation: i64,
    /// Bytes one person may upload in all (replaced files count: they are kept).
    pub upload_quota_bytes: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            registrations_per_hour: 20,
            token_days: 90,
            drafts_per_organisation: 3,
            upload_quota_bytes: 200 * 1024 * 1024,
        }
    }
}
