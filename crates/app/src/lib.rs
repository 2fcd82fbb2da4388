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
pub mod error;
pub mod meetings;
pub mod notify;
pub mod organisations;
pub mod protocols;
pub mod reports;
pub mod rule_sets;
pub mod secrets;
pub mod signing;
pub mod staff;
pub mod tokens;

use tanu_storage::{Db, Objects};

pub use access::{Actor, OrgScope};
pub use error::AppError;

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
}
