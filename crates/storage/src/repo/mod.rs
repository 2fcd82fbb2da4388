//! Repositories: one module per table family, each a set of functions taking a
//! [`Conn`](crate::Conn). The SQL is written once and compiled for both drivers.

pub mod account_tokens;
pub mod applications;
pub mod audit;
pub mod commissions;
pub mod devices;
pub mod invitations;
pub mod login_failures;
pub mod meetings;
pub mod notifications;
pub mod organisations;
pub mod persons;
pub mod programmes;
pub mod protocols;
pub mod rate_events;
pub mod reports;
pub mod retention;
pub mod rule_sets;
pub mod sessions;
pub mod staff;
pub mod tokens;
pub mod walk_ins;

/// `query_as` + binds + a fetch method, on either driver.
macro_rules! fetch {
    ($conn:expr, $method:ident, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_conn!($conn, c => sqlx::query_as::<_, $ty>($sql)$(.bind($arg))*.$method(&mut *c).await)
    };
}

/// `query_scalar` + binds + a fetch method, on either driver.
macro_rules! scalar {
    ($conn:expr, $method:ident, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_conn!($conn, c => sqlx::query_scalar::<_, $ty>($sql)$(.bind($arg))*.$method(&mut *c).await)
    };
}

/// `query` + binds + execute, on either driver; yields the number of rows affected.
macro_rules! execute {
    ($conn:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_conn!($conn, c => sqlx::query($sql)$(.bind($arg))*.execute(&mut *c).await.map(|r| r.rows_affected()))
    };
}

pub(crate) use {execute, fetch, scalar};
