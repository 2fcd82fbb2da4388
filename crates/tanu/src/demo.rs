//! `tanu demo`: a realistic sample – one college and one university with staff bearing
//! Kazakh and Russian names, an operator and a candidate – so a newcomer can click
//! through at once. Refuses to touch a database that already has people in it.

use anyhow::{Context, bail};
use tanu_app::accounts::{self, Registration};
use tanu_app::organisations::{self, OrgInput};
use tanu_app::staff::{self, NewStaff};
use tanu_app::{Actor, Ctx};
use tanu_domain::ids::check_digit;
use tanu_storage::repo::persons;
use time::OffsetDateTime;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "tanu-demo-2026";

/// Completes eleven digits with their check digit, trying the next serials when the
/// digits admit none.
fn with_check_digit(first_eleven: &str) -> anyhow::Result<String> {
    let start: u64 = first_eleven.parse().context("eleven digits")?;
    for n in start..start + 20 {
        let text = format!("{n:011}");
        let mut digits = [0u8; 11];
        for (d, c) in digits.iter_mut().zip(text.bytes()) {
            *d = c - b'0';
        }
        if let Some(check) = check_digit(&digits) {
            return Ok(format!("{text}{check}"));
        }
    }
    bail!("no valid number near {first_eleven}")
}

struct Person {
    name: &'static str,
    email: &'static str,
    iin: &'static str,
    position: &'static str,
    roles: &'static [&'static str],
}

const COLLEGE_STAFF: &[Person] = &[
    Person {
        name: "Нұрланова Айгерім Бекқызы",
        email: "admin@college.demo",
        iin: "8507154",
        position: "specialist",
        roles: &["org-admin"],
    },
    Person {
        name: "Петрова Елена Викторовна",
        email: "secretary@college.demo",
        iin: "9003124",
        position: "specialist",
        roles: &["secretary"],
    },
    Person {
        name: "Сәрсенбаев Ерлан Қайратұлы",
        email: "sarsenbayev@college.demo",
        iin: "7802233",
        position: "teacher",
        roles: &["member"],
    },
    Person {
        name: "Жұмабекова Гүлнар Асқарқызы",
        email: "zhumabekova@college.demo",
        iin: "8211304",
        position: "teacher",
        roles: &["member"],
    },
    Person {
        name: "Ким Андрей Сергеевич",
        email: "kim@college.demo",
        iin: "7506183",
        position: "teacher",
        roles: &["member"],
    },
    Person {
        name: "Оспанов Дәурен Серікұлы",
        email: "ospanov@college.demo",
        iin: "8809093",
        position: "teacher",
        roles: &["member"],
    },
    Person {
        name: "Иванова Ольга Николаевна",
        email: "ivanova@college.demo",
        iin: "7104024",
        position: "other",
        roles: &["member"],
    },
    Person {
        name: "Бекова Сәуле Ержанқызы",
        email: "auditor@college.demo",
        iin: "6912124",
        position: "specialist",
        roles: &["auditor"],
    },
];

const UNIVERSITY_STAFF: &[Person] = &[
    Person {
        name: "Төлеуова Әсел Маратқызы",
        email: "admin@university.demo",
        iin: "8403054",
        position: "specialist",
        roles: &["org-admin"],
    },
    Person {
        name: "Смагулов Тимур Асланович",
        email: "secretary@university.demo",
        iin: "9201153",
        position: "specialist",
        roles: &["secretary"],
    },
    Person {
        name: "Абдрахманов Нұржан Болатұлы",
        email: "abdrakhmanov@university.demo",
        iin: "7001203",
        position: "teacher",
        roles: &["member"],
    },
    Person {
        name: "Соколова Марина Игоревна",
        email: "sokolova@university.demo",
        iin: "7707074",
        position: "teacher",
        roles: &["member"],
    },
    Person {
        name: "Қасымов Ғалым Төлегенұлы",
        email: "kasymov@university.demo",
        iin: "6605113",
        position: "teacher",
        roles: &["member"],
    },
    Person {
        name: "Ли Виктория Александровна",
        email: "li@university.demo",
        iin: "8612224",
        position: "teacher",
        roles: &["member"],
    },
    Person {
        name: "Ермеков Айдос Нұрланұлы",
        email: "ermekov@university.demo",
        iin: "8105173",
        position: "teacher",
        roles: &["member"],
    },
];

async fn add_staff(
    ctx: &Ctx,
    operator: &Actor,
    org_id: i64,
    people: &[Person],
    serial: &mut u32,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let scope = operator
        .scope(org_id, tanu_app::access::Need::ManageStaff)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for p in people {
        *serial += 1;
        let iin = with_check_digit(&format!("{}{:04}", &p.iin[..7], *serial))?;
        let added = staff::add(
            ctx,
            &scope,
            &NewStaff {
                full_name: p.name.to_owned(),
                email: p.email.to_owned(),
                iin: Some(iin),
                position: p.position.to_owned(),
                roles: p.roles.iter().map(|r| (*r).to_owned()).collect(),
            },
            now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("adding {}: {e}", p.email))?;
        if let Some(token) = added.invitation_token {
            accounts::accept_invitation(ctx, &token, DEMO_PASSWORD, now)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    Ok(())
}

/// The college's commission: five members, a secretary, an elected chair and deputy.
async fn demo_commission(
    ctx: &Ctx,
    operator: &Actor,
    org_id: i64,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    use tanu_app::commissions::{
        self, CommissionInput, MembershipChange, OpenElection, RecordedBallot, RecordedBallots,
        SecretaryInput,
    };
    let err = |e: tanu_app::AppError| anyhow::anyhow!("{e} ({})", e.code());
    let scope = operator
        .scope(org_id, tanu_app::access::Need::ManageCommissions)
        .map_err(err)?;
    let people = staff::list(ctx, &scope).await.map_err(err)?;
    let id_of = |email: &str| {
        people
            .iter()
            .find(|p| p.email == email)
            .map(|p| p.id)
            .context("demo staff")
    };
    let today = commissions::local_today(now);
    let c = commissions::form(
        ctx,
        &scope,
        &CommissionInput {
            name: "Бейресми білім нәтижелерін тану комиссиясы".into(),
            term_from: today.replace_day(1).unwrap_or(today).to_string(),
            term_to: today
                .replace_year(today.year() + 1)
                .unwrap_or(today)
                .to_string(),
            rule_set_id: None,
        },
        now,
    )
    .await
    .map_err(err)?;
    let members = [
        "sarsenbayev@college.demo",
        "zhumabekova@college.demo",
        "kim@college.demo",
        "ospanov@college.demo",
        "ivanova@college.demo",
    ];
    let add_staff = members
        .iter()
        .map(|m| id_of(m))
        .collect::<anyhow::Result<Vec<i64>>>()?;
    let view = commissions::change_membership(
        ctx,
        &scope,
        c.id,
        &MembershipChange {
            add_staff,
            ..Default::default()
        },
        now,
    )
    .await
    .map_err(err)?;
    commissions::assign_secretary(
        ctx,
        &scope,
        c.id,
        &SecretaryInput {
            staff_id: id_of("secretary@college.demo")?,
        },
        now,
    )
    .await
    .map_err(err)?;
    let member = |email: &str| -> anyhow::Result<i64> {
        let staff_id = id_of(email)?;
        view.members
            .iter()
            .find(|m| m.staff_id == Some(staff_id))
            .map(|m| m.id)
            .context("demo member")
    };
    for (office, elected) in [
        ("chair", "sarsenbayev@college.demo"),
        ("deputy", "zhumabekova@college.demo"),
    ] {
        let round = commissions::open_election(
            ctx,
            &scope,
            c.id,
            &OpenElection {
                office: office.into(),
            },
            now,
        )
        .await
        .map_err(err)?;
        let candidate = member(elected)?;
        let ballots = view
            .members
            .iter()
            .map(|m| RecordedBallot {
                voter_member_id: m.id,
                candidate_member_id: Some(candidate),
            })
            .collect();
        commissions::record_ballots(
            ctx,
            &scope,
            c.id,
            round.election.id,
            &RecordedBallots { ballots },
            now,
        )
        .await
        .map_err(err)?;
        commissions::close_election(ctx, &scope, c.id, round.election.id, now)
            .await
            .map_err(err)?;
    }
    Ok(())
}

/// Fills an empty database; returns what to print.
pub async fn fill(ctx: &Ctx, now: OffsetDateTime) -> anyhow::Result<String> {
    let mut conn = ctx.db.acquire().await?;
    if persons::count(conn.conn()).await? > 0 {
        bail!(
            "the database already has accounts; `tanu demo` only fills an empty one (use another --data-dir)"
        );
    }
    drop(conn);
    let err = |e: tanu_app::AppError| anyhow::anyhow!("{e} ({})", e.code());
    let operator_id = accounts::create_operator(
        ctx,
        "operator@tanu.demo",
        "Operator Tanu",
        DEMO_PASSWORD,
        now,
    )
    .await
    .map_err(err)?;
    let operator = accounts::load_actor(ctx, operator_id)
        .await
        .map_err(err)?
        .context("operator just created")?;

    let college = organisations::register(
        ctx,
        &operator,
        &OrgInput {
            kind: "technical-vocational".into(),
            bin: with_check_digit("05044000123")?,
            name_kk: "Сарыарқа политехникалық колледжі".into(),
            name_ru: "Сарыаркинский политехнический колледж".into(),
            name_en: Some("Saryarka Polytechnic College".into()),
            address: "Қарағанды қ., Бұқар жырау даңғылы, 47".into(),
        },
        now,
    )
    .await
    .map_err(err)?;
    let university = organisations::register(
        ctx,
        &operator,
        &OrgInput {
            kind: "higher".into(),
            bin: with_check_digit("99014000465")?,
            name_kk: "Алатау университеті".into(),
            name_ru: "Университет Алатау".into(),
            name_en: Some("Alatau University".into()),
            address: "Алматы қ., Әл-Фараби даңғылы, 71".into(),
        },
        now,
    )
    .await
    .map_err(err)?;

    let mut serial = 0;
    add_staff(ctx, &operator, college.id, COLLEGE_STAFF, &mut serial, now).await?;
    add_staff(
        ctx,
        &operator,
        university.id,
        UNIVERSITY_STAFF,
        &mut serial,
        now,
    )
    .await?;

    demo_commission(ctx, &operator, college.id, now).await?;

    accounts::register_candidate(
        ctx,
        &Registration {
            full_name: "Серікбай Аружан Дәулетқызы".into(),
            email: "aruzhan@candidate.demo".into(),
            password: DEMO_PASSWORD.into(),
            iin: Some(with_check_digit("01031560001")?),
            foreign_document: None,
            locale: Some("kk".into()),
        },
        now,
    )
    .await
    .map_err(err)?;

    Ok(format!(
        "Demo data created. Every account's password is {DEMO_PASSWORD}\n\
         \n  operator@tanu.demo            platform operator\
         \n  admin@college.demo            administrator, {}\
         \n  secretary@college.demo        secretary, {}\
         \n  sarsenbayev@college.demo      chair of the college's commission\
         \n  admin@university.demo         administrator, {}\
         \n  secretary@university.demo     secretary, {}\
         \n  aruzhan@candidate.demo        candidate\n",
        college.name_ru, college.name_ru, university.name_ru, university.name_ru
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_numbers_are_valid() {
        let bin = with_check_digit("05044000123").unwrap_or_default();
        assert!(tanu_domain::Bin::parse(&bin).is_ok(), "{bin}");
        let iin = with_check_digit("88031530050").unwrap_or_default();
        assert!(tanu_domain::Iin::parse(&iin).is_ok(), "{iin}");
    }
}
