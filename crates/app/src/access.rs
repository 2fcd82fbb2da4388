//! Access control, in one place.
//!
//! An [`Actor`] is who is calling, with the roles they hold per organisation. Any
//! service that touches an organisation's data takes an [`OrgScope`], which only
//! [`Actor::scope`] can make: holding one is proof that the actor may do that kind of
//! thing in that organisation. Handlers cannot forget the check, because without a
//! scope they cannot call the service.

use tanu_domain::{Locale, Role};
use tanu_storage::Conn;
use tanu_storage::repo::commissions::{self as com_repo, MemberRow, OfficeRow};

use crate::AppError;

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Person id.
    pub person_id: i64,
    /// E-mail (login).
    pub email: String,
    /// Full name.
    pub full_name: String,
    /// Preferred language.
    pub locale: Locale,
    /// Platform operator.
    pub is_operator: bool,
    /// Registered as a candidate.
    pub is_candidate: bool,
    /// Active roles: `(organisation id, role)`.
    pub roles: Vec<(i64, Role)>,
    /// Whether the person proved the e-mail is theirs.
    pub email_verified: bool,
    /// Calling with a read-only API token: nothing may be changed.
    pub read_only: bool,
}

/// What the caller wants to do within an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// See the organisation's public details.
    ReadOrg,
    /// See the staff list (names, e-mails, IINs): admins, secretaries, auditors.
    ReadStaff,
    /// Add and change staff: organisation admins, and the operator (to appoint the first
    /// admin of a newly registered organisation).
    ManageStaff,
    /// Change the organisation's registration details: the operator only.
    EditRegistration,
    /// Form commissions and change their composition and secretary: organisation admins.
    ManageCommissions,
    /// See the organisation's reports (figures, no names): its admins and auditors.
    ReadReports,
}

impl Need {
    fn allows(self, role: Role) -> bool {
        match self {
            Self::ReadOrg => true,
            Self::ReadStaff => matches!(role, Role::OrgAdmin | Role::Secretary | Role::Auditor),
            Self::ManageStaff => role == Role::OrgAdmin,
            Self::EditRegistration => false,
            Self::ManageCommissions => role == Role::OrgAdmin,
            Self::ReadReports => matches!(role, Role::OrgAdmin | Role::Auditor),
        }
    }
}

/// Proof that an actor may do a [`Need`] in one organisation.
#[derive(Debug, Clone)]
pub struct OrgScope {
    org_id: i64,
    person_id: i64,
    admin: bool,
    auditor: bool,
}

impl OrgScope {
    /// The organisation.
    pub fn org_id(&self) -> i64 {
        self.org_id
    }

    /// The acting person.
    pub fn person_id(&self) -> i64 {
        self.person_id
    }

    /// Whether the actor administers this organisation (its admin, or the operator).
    pub fn is_admin(&self) -> bool {
        self.admin
    }

    /// Whether the actor reads the organisation's audit trail (its admins, auditors and
    /// the operator).
    pub fn reads_audit(&self) -> bool {
        self.admin || self.auditor
    }
}

impl Actor {
    /// The roles held in one organisation.
    pub fn roles_in(&self, org_id: i64) -> impl Iterator<Item = Role> + '_ {
        self.roles
            .iter()
            .filter(move |(o, _)| *o == org_id)
            .map(|(_, r)| *r)
    }

    /// Whether the actor holds any role in the organisation.
    pub fn belongs_to(&self, org_id: i64) -> bool {
        self.roles_in(org_id).next().is_some()
    }

    /// Checks `need` in `org_id`. Someone with no role there gets `NotFound`, so that
    /// the existence of another organisation's records is not disclosed; someone with
    /// a role that is not enough gets `Forbidden`.
    pub fn scope(&self, org_id: i64, need: Need) -> Result<OrgScope, AppError> {
        let allowed = self.is_operator || self.roles_in(org_id).any(|r| need.allows(r));
        if allowed {
            let admin = self.is_operator || self.roles_in(org_id).any(|r| r == Role::OrgAdmin);
            Ok(OrgScope {
                org_id,
                person_id: self.person_id,
                admin,
                auditor: self.roles_in(org_id).any(|r| r == Role::Auditor),
            })
        } else if self.belongs_to(org_id) {
            Err(AppError::Forbidden)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Requires the platform operator.
    pub fn require_operator(&self) -> Result<(), AppError> {
        if self.is_operator {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// What the caller wants to do in one commission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommissionNeed {
    /// Run its meetings (attendance, the agenda, interviews, votes, decisions): the
    /// organisation's admin, the commission's secretary, its chair or deputy chair.
    Run,
    /// Keep its records: prepare protocols, record a show of hands, run elections: the
    /// organisation's admin or the commission's secretary.
    Prepare,
    /// Vote and declare a conflict of interest: a current member.
    Vote,
}

/// The caller's standing in one commission, worked out once by [`for_commission`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommissionAccess {
    admin: bool,
    secretary: bool,
    officer: bool,
    member: Option<i64>,
}

/// The caller's standing in a commission, from its current secretary's account, its
/// current members and the offices they hold (chair, deputy).
pub fn for_commission(
    scope: &OrgScope,
    secretary: Option<i64>,
    members: &[MemberRow],
    offices: &[OfficeRow],
) -> CommissionAccess {
    let me = Some(scope.person_id());
    let mine = |m: &&MemberRow| m.person_id == me;
    CommissionAccess {
        admin: scope.is_admin(),
        secretary: secretary == me,
        officer: offices
            .iter()
            .any(|o| members.iter().filter(mine).any(|m| m.id == o.member_id)),
        member: members.iter().find(mine).map(|m| m.id),
    }
}

/// [`for_commission`] as the commission stands now, read in the transaction.
pub async fn of_commission(
    mut conn: Conn<'_>,
    scope: &OrgScope,
    commission_id: i64,
) -> Result<CommissionAccess, AppError> {
    let secretary = com_repo::current_secretary(conn.reborrow(), commission_id)
        .await?
        .map(|s| s.person_id);
    let members = com_repo::current_members(conn.reborrow(), commission_id).await?;
    let offices = com_repo::current_offices(conn, commission_id).await?;
    Ok(for_commission(scope, secretary, &members, &offices))
}

impl CommissionAccess {
    /// Whether the caller may do `need`.
    pub fn allows(self, need: CommissionNeed) -> bool {
        match need {
            CommissionNeed::Run => self.admin || self.secretary || self.officer,
            CommissionNeed::Prepare => self.admin || self.secretary,
            CommissionNeed::Vote => self.member.is_some(),
        }
    }

    /// `need`, or the refusal (`Forbidden`).
    pub fn require(self, need: CommissionNeed) -> Result<(), AppError> {
        if self.allows(need) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The caller's membership, when they are a current member.
    pub fn member(self) -> Option<i64> {
        self.member
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: Vec<(i64, Role)>, is_operator: bool) -> Actor {
        Actor {
            person_id: 1,
            email: "a@b.kz".into(),
            full_name: "A".into(),
            locale: Locale::Kk,
            is_operator,
            is_candidate: false,
            roles,
            email_verified: true,
            read_only: false,
        }
    }

    #[test]
    fn another_organisation_is_not_found() {
        let a = actor(vec![(1, Role::OrgAdmin)], false);
        assert!(a.scope(1, Need::ManageStaff).is_ok());
        assert!(matches!(a.scope(2, Need::ReadOrg), Err(AppError::NotFound)));
    }

    #[test]
    fn weaker_role_is_forbidden() {
        let a = actor(vec![(1, Role::Member)], false);
        assert!(a.scope(1, Need::ReadOrg).is_ok());
        assert!(matches!(
            a.scope(1, Need::ReadStaff),
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            a.scope(1, Need::ManageStaff),
            Err(AppError::Forbidden)
        ));
    }

    #[test]
    fn reports_are_for_admins_auditors_and_the_operator() {
        for role in [Role::OrgAdmin, Role::Auditor] {
            assert!(
                actor(vec![(1, role)], false)
                    .scope(1, Need::ReadReports)
                    .is_ok()
            );
        }
        for role in [Role::Secretary, Role::Member] {
            assert!(matches!(
                actor(vec![(1, role)], false).scope(1, Need::ReadReports),
                Err(AppError::Forbidden)
            ));
        }
        assert!(matches!(
            actor(vec![(1, Role::OrgAdmin)], false).scope(2, Need::ReadReports),
            Err(AppError::NotFound)
        ));
        assert!(actor(vec![], true).scope(2, Need::ReadReports).is_ok());
    }

    fn member(id: i64, person: Option<i64>) -> MemberRow {
        MemberRow {
            id,
            staff_id: None,
            person_id: person,
            full_name: String::new(),
            position: String::new(),
            home_organisation: String::new(),
            is_teacher: true,
            joined_at: time::OffsetDateTime::UNIX_EPOCH,
            left_at: None,
        }
    }

    /// Who may run a commission's meetings, keep its records and vote: person 1 as
    /// admin, secretary, chair, ordinary member, or none of these.
    #[test]
    fn commission_needs() {
        use CommissionNeed::*;
        let admin = actor(vec![(1, Role::OrgAdmin)], false);
        let staff = actor(vec![(1, Role::Member)], false);
        let (Ok(admin), Ok(staff)) = (admin.scope(1, Need::ReadOrg), staff.scope(1, Need::ReadOrg))
        else {
            panic!("scopes");
        };
        let chair = [OfficeRow {
            office: "chair".into(),
            member_id: 10,
            election_id: 1,
            from_at: time::OffsetDateTime::UNIX_EPOCH,
            to_at: None,
        }];
        let cases = [
            // (scope, secretary, caller's membership, offices, run, prepare, vote)
            (&admin, None, None, &chair[..0], true, true, false),
            (&staff, Some(1), None, &chair[..0], true, true, false),
            (&staff, None, Some(10), &chair[..], true, false, true),
            (&staff, None, Some(11), &chair[..], false, false, true),
            (&staff, Some(2), None, &chair[..], false, false, false),
        ];
        for (scope, secretary, membership, offices, run, prepare, vote) in cases {
            let mut members = vec![member(10, Some(3)), member(11, Some(4))];
            if let Some(id) = membership {
                members.retain(|m| m.id != id);
                members.push(member(id, Some(1)));
            }
            let a = for_commission(scope, secretary, &members, offices);
            assert_eq!(
                (a.allows(Run), a.allows(Prepare), a.allows(Vote)),
                (run, prepare, vote),
                "{secretary:?} {membership:?}"
            );
            assert_eq!(a.member(), membership);
            assert_eq!(a.require(Prepare).is_ok(), prepare);
        }
    }

    #[test]
    fn operator_reaches_every_organisation() {
        let a = actor(vec![], true);
        assert!(a.scope(7, Need::ManageStaff).is_ok());
        assert!(a.scope(7, Need::EditRegistration).is_ok());
        let admin = actor(vec![(7, Role::OrgAdmin)], false);
        assert!(matches!(
            admin.scope(7, Need::EditRegistration),
            Err(AppError::Forbidden)
        ));
    }
}
