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
        let _ = added;
        accounts::set_up_from_console(ctx, p.email, DEMO_PASSWORD, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
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
    let today = tanu_domain::dates::local_today(now);
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

const CERTIFICATE_PDF: &[u8] = include_bytes!("../demo/certificate.pdf");
const STATEMENT_PDF: &[u8] = include_bytes!("../demo/statement.pdf");
const IDENTITY_PNG: &[u8] = include_bytes!("../demo/identity.png");

const COLLEGE_CATALOGUE: &str = "programme_code,programme_title_kk,programme_title_ru,unit_code,unit_kind,unit_title_kk,unit_title_ru,credits,outcomes
06130100,Бағдарламалық қамтамасыз ету,Программное обеспечение,PM01,module,Python тілінде бағдарламалау,Программирование на Python,6,writes programs in Python;tests programs
06130100,Бағдарламалық қамтамасыз ету,Программное обеспечение,PM02,module,Деректерді талдау,Анализ данных,4,analyses tabular data
";
const UNIVERSITY_CATALOGUE: &str = "programme_code,programme_title_kk,programme_title_ru,unit_code,unit_kind,unit_title_kk,unit_title_ru,credits,outcomes
6B01701,Шетел тілі: екі шетел тілі,Иностранный язык: два иностранных языка,ENG201,discipline,Кәсіби ағылшын тілі,Профессиональный английский язык,5,writes business letters;presents in English
";

async fn upload(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    kind: &str,
    name: &str,
    bytes: &'static [u8],
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let stream = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(bytes))]);
    tanu_app::applications::upload(ctx, actor, id, kind, name, stream, 20 * 1024 * 1024, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e} ({})", e.code()))?;
    Ok(())
}

async fn actor_of(ctx: &Ctx, email: &str) -> anyhow::Result<Actor> {
    let mut conn = ctx.db.acquire().await?;
    let person = persons::by_email(conn.conn(), email)
        .await?
        .context("demo account")?;
    drop(conn);
    accounts::load_actor(ctx, person.id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .context("demo account")
}

/// Candidates and applications in several states, with real sample files.
async fn demo_applications(
    ctx: &Ctx,
    operator: &Actor,
    college: i64,
    university: i64,
    history: &History,
) -> anyhow::Result<()> {
    // Filed on the history's third day, checked on its fourth.
    let now = history.day(2, 9, 0);
    let checked = history.day(3, 11, 0);
    use tanu_app::applications::{
        self as apps, ApplicationInput, CertificateFields, CheckInput, WalkIn,
    };
    use tanu_domain::application::{CheckItem, DocumentKind};
    let err = |e: tanu_app::AppError| anyhow::anyhow!("{e} ({})", e.code());
    for (org, csv) in [
        (college, COLLEGE_CATALOGUE),
        (university, UNIVERSITY_CATALOGUE),
    ] {
        let scope = operator
            .scope(org, tanu_app::access::Need::ManageStaff)
            .map_err(err)?;
        tanu_app::catalogue::import_csv(ctx, &scope, csv, now)
            .await
            .map_err(err)?;
    }
    let programmes = tanu_app::catalogue::list(ctx, college).await.map_err(err)?;
    let programme = programmes.first().context("demo programme")?;
    let certificate = |number: &str, title: &str| CertificateFields {
        kind: "certificate".into(),
        provider_name: "IT Academy ЖШС".into(),
        provider_bin: Some("940140000385".into()),
        programme_title: title.into(),
        hours: Some(72),
        credits: None,
        study_from: "2026-01-10".into(),
        study_to: "2026-03-20".into(),
        number: number.into(),
        issued_on: "2026-03-25".into(),
        outcomes: vec![
            "writes programs in Python".into(),
            "tests programs".into(),
            "analyses tabular data".into(),
        ],
    };
    let people = [
        (
            "Серікбай Аружан Дәулетқызы",
            "aruzhan@candidate.demo",
            "01031560001",
            "kk",
        ),
        (
            "Ким Даниил Игоревич",
            "daniil@candidate.demo",
            "98051230002",
            "ru",
        ),
        (
            "Әбілова Жанна Серікқызы",
            "zhanna@candidate.demo",
            "99120860003",
            "kk",
        ),
    ];
    let mut candidates = Vec::new();
    for (name, email, iin, locale) in people {
        accounts::register_candidate(
            ctx,
            &Registration {
                full_name: name.into(),
                email: email.into(),
                password: DEMO_PASSWORD.into(),
                iin: Some(with_check_digit(iin)?),
                foreign_document: None,
                locale: Some(locale.into()),
            },
            "console",
            now,
        )
        .await
        .map_err(err)?;
        accounts::set_up_from_console(ctx, email, DEMO_PASSWORD, now)
            .await
            .map_err(err)?;
        candidates.push(actor_of(ctx, email).await?);
    }
    let secretary = actor_of(ctx, "secretary@college.demo").await?;
    let uni_secretary = actor_of(ctx, "secretary@university.demo").await?;
    let all_ok = |ok_identity: bool| {
        DocumentKind::ALL
            .iter()
            .map(|k| CheckItem {
                kind: *k,
                present: true,
                legible: ok_identity || *k != DocumentKind::Identity,
                matches_candidate: true,
            })
            .collect::<Vec<_>>()
    };

    // Aruzhan: filed, checked complete – ready for a meeting.
    let a = apps::create(ctx, &candidates[0], &ApplicationInput {
        org_id: college,
        statement: "Мен IT Academy-де «Python for data analysis» курсын (72 сағат) бітірдім. Python тілінде бағдарламалау модулін тануды сұраймын.".into(),
        programme_id: Some(programme.id),
        unit_ids: programme.units.iter().take(1).map(|u| u.id).collect(),
        consent: true,
        certificate: Some(certificate("IT-2026-0017", "Python for data analysis")),
    }, now).await.map_err(err)?;
    upload(
        ctx,
        &candidates[0],
        a.id,
        "identity",
        "jeke-kualik.png",
        IDENTITY_PNG,
        now,
    )
    .await?;
    upload(
        ctx,
        &candidates[0],
        a.id,
        "confirming",
        "certificate.pdf",
        CERTIFICATE_PDF,
        now,
    )
    .await?;
    apps::submit(ctx, &candidates[0], a.id, now)
        .await
        .map_err(err)?;
    apps::check(
        ctx,
        &secretary,
        a.id,
        &CheckInput {
            items: all_ok(true),
            reason: None,
        },
        checked,
    )
    .await
    .map_err(err)?;

    // Daniil: filed at the university, found incomplete (a blurred scan).
    let d = apps::create(ctx, &candidates[1], &ApplicationInput {
        org_id: university,
        statement: "Прошу признать результаты обучения по курсу делового английского языка (Business English, 120 часов).".into(),
        consent: true,
        certificate: Some(CertificateFields { kind: "attestation".into(), provider_name: "Lingua Centre".into(), provider_bin: None, programme_title: "Business English B2".into(), hours: Some(120), ..certificate("LC-0457", "Business English B2") }),
        ..Default::default()
    }, now).await.map_err(err)?;
    upload(
        ctx,
        &candidates[1],
        d.id,
        "identity",
        "udostoverenie.png",
        IDENTITY_PNG,
        now,
    )
    .await?;
    upload(
        ctx,
        &candidates[1],
        d.id,
        "confirming",
        "svidetelstvo.pdf",
        CERTIFICATE_PDF,
        now,
    )
    .await?;
    apps::submit(ctx, &candidates[1], d.id, now)
        .await
        .map_err(err)?;
    apps::check(
        ctx,
        &uni_secretary,
        d.id,
        &CheckInput {
            items: all_ok(false),
            reason: Some(
                "Копия удостоверения личности нечитаема: загрузите, пожалуйста, чёткий скан."
                    .into(),
            ),
        },
        checked,
    )
    .await
    .map_err(err)?;

    // Zhanna: a draft she has not submitted yet.
    apps::create(
        ctx,
        &candidates[2],
        &ApplicationInput {
            org_id: college,
            statement: "Деректерді талдау курсын аяқтадым.".into(),
            programme_id: Some(programme.id),
            ..Default::default()
        },
        now,
    )
    .await
    .map_err(err)?;

    // A walk-in registered by the college's secretary, with scanned papers; the same
    // certificate as Aruzhan's, so the secretary sees it flagged.
    let college_scope = secretary
        .scope(college, tanu_app::access::Need::ReadOrg)
        .map_err(err)?;
    let w = apps::register_walk_in(
        ctx,
        &secretary,
        &college_scope,
        &WalkIn {
            full_name: "Төлегенов Асқар Мұратұлы".into(),
            email: None,
            iin: Some(with_check_digit("87042130004")?),
            foreign_document: None,
            locale: None,
            application: ApplicationInput {
                org_id: college,
                consent: true,
                certificate: Some(certificate("IT-2026-0017", "Python for data analysis")),
                ..Default::default()
            },
        },
        now,
    )
    .await
    .map_err(err)?;
    upload(
        ctx,
        &secretary,
        w.application.id,
        "statement",
        "otinish-scan.pdf",
        STATEMENT_PDF,
        now,
    )
    .await?;
    upload(
        ctx,
        &secretary,
        w.application.id,
        "identity",
        "kualik-scan.png",
        IDENTITY_PNG,
        now,
    )
    .await?;
    upload(
        ctx,
        &secretary,
        w.application.id,
        "confirming",
        "certificate-scan.pdf",
        CERTIFICATE_PDF,
        now,
    )
    .await?;
    apps::submit(ctx, &secretary, w.application.id, now)
        .await
        .map_err(err)?;
    apps::check(
        ctx,
        &secretary,
        w.application.id,
        &CheckInput {
            items: all_ok(true),
            reason: None,
        },
        checked,
    )
    .await
    .map_err(err)?;

    // Two more candidates at the college with complete applications, for the meetings.
    let mut more = Vec::new();
    for (name, email, iin, number) in [
        (
            "Нұрмағамбетов Ерасыл Талғатұлы",
            "erasyl@candidate.demo",
            "02070450005",
            "IT-2026-0101",
        ),
        (
            "Петренко Анна Олеговна",
            "anna@candidate.demo",
            "97111160006",
            "IT-2026-0102",
        ),
    ] {
        accounts::register_candidate(
            ctx,
            &Registration {
                full_name: name.into(),
                email: email.into(),
                password: DEMO_PASSWORD.into(),
                iin: Some(with_check_digit(iin)?),
                foreign_document: None,
                locale: Some("ru".into()),
            },
            "console",
            now,
        )
        .await
        .map_err(err)?;
        accounts::set_up_from_console(ctx, email, DEMO_PASSWORD, now)
            .await
            .map_err(err)?;
        let who = actor_of(ctx, email).await?;
        let a = apps::create(
            ctx,
            &who,
            &ApplicationInput {
                org_id: college,
                statement: "Прошу признать результаты обучения по курсу анализа данных.".into(),
                programme_id: Some(programme.id),
                consent: true,
                certificate: Some(certificate(number, "Data analysis with Python")),
                ..Default::default()
            },
            now,
        )
        .await
        .map_err(err)?;
        upload(ctx, &who, a.id, "identity", "id.png", IDENTITY_PNG, now).await?;
        upload(
            ctx,
            &who,
            a.id,
            "confirming",
            "certificate.pdf",
            CERTIFICATE_PDF,
            now,
        )
        .await?;
        apps::submit(ctx, &who, a.id, now).await.map_err(err)?;
        apps::check(
            ctx,
            &secretary,
            a.id,
            &CheckInput {
                items: all_ok(true),
                reason: None,
            },
            checked,
        )
        .await
        .map_err(err)?;
        more.push(a.id);
    }
    demo_meetings(
        ctx,
        &secretary,
        college,
        [a.id, w.application.id, more[0]],
        more[1],
        history,
    )
    .await
}

/// A held meeting of the college's commission – one application recognised, one
/// refused, one with no decision adopted – and a scheduled one.
async fn demo_meetings(
    ctx: &Ctx,
    secretary: &Actor,
    college: i64,
    held: [i64; 3],
    later: i64,
    history: &History,
) -> anyhow::Result<()> {
    use tanu_app::meetings::{
        self, DecisionInput, InterviewInput, Presence, RecognisedUnit, RecordedVote, ScheduleInput,
    };
    use tanu_domain::meeting::Choice;
    let err = |e: tanu_app::AppError| anyhow::anyhow!("{e} ({})", e.code());
    let scope = secretary
        .scope(college, tanu_app::access::Need::ReadOrg)
        .map_err(err)?;
    let commission = tanu_app::commissions::list(ctx, &scope)
        .await
        .map_err(err)?
        .first()
        .map(|c| c.id)
        .context("demo commission")?;
    // Scheduled on the fifth day for the eighth, 10:00; each step of the sitting a few
    // minutes after the one before.
    let meeting_day = tanu_domain::dates::local_today(history.day(7, 10, 0));
    let m = meetings::schedule(
        ctx,
        &scope,
        commission,
        &ScheduleInput {
            starts_at: format!("{meeting_day}T10:00"),
            place: "Бас ғимарат, 301-аудитория".into(),
            application_ids: held.to_vec(),
        },
        history.day(4, 15, 0),
    )
    .await
    .map_err(err)?;
    let mut t = history.day(7, 9, 55);
    let mut tick = |minutes: i64| {
        t += time::Duration::minutes(minutes);
        tanu_storage::fixed_width(t)
    };
    let members: Vec<i64> = m.attendees.iter().map(|a| a.member_id).collect();
    let present: Vec<Presence> = members
        .iter()
        .map(|id| Presence {
            member_id: *id,
            present: true,
        })
        .collect();
    meetings::set_attendance(ctx, &scope, m.id, &present, tick(0))
        .await
        .map_err(err)?;
    meetings::open(ctx, &scope, m.id, tick(7))
        .await
        .map_err(err)?;
    let units = tanu_app::catalogue::list(ctx, college).await.map_err(err)?;
    let unit = units
        .first()
        .and_then(|p| p.units.first())
        .context("demo unit")?
        .id;
    // Recognise, refuse, and a 2–2 tie with one abstention: nothing adopted.
    let plans: [&[Choice]; 3] = [
        &[
            Choice::Recognise,
            Choice::Recognise,
            Choice::Recognise,
            Choice::Recognise,
            Choice::Abstain,
        ],
        &[
            Choice::Refuse,
            Choice::Refuse,
            Choice::Refuse,
            Choice::Recognise,
            Choice::Abstain,
        ],
        &[
            Choice::Recognise,
            Choice::Recognise,
            Choice::Refuse,
            Choice::Refuse,
            Choice::Abstain,
        ],
    ];
    for (item, plan) in m.items.iter().zip(plans) {
        meetings::candidate_presence(ctx, &scope, m.id, item.id, true, tick(2))
            .await
            .map_err(err)?;
        let interview = InterviewInput {
            notes: "Python тілінде бағдарлама жазу, тестілеу және деректерді талдау бойынша сұрақтар қойылды.".into(),
            assessments: item.claimed_outcomes.iter().map(|o| tanu_app::meetings::Assessment { outcome: o.clone(), level: "fully".into(), comment: String::new() }).collect(),
        };
        meetings::interview(ctx, &scope, m.id, item.id, &interview, tick(12))
            .await
            .map_err(err)?;
        meetings::open_vote(ctx, &scope, m.id, item.id, tick(1))
            .await
            .map_err(err)?;
        let votes: Vec<RecordedVote> = members
            .iter()
            .zip(plan)
            .map(|(member, choice)| RecordedVote {
                member_id: *member,
                choice: *choice,
            })
            .collect();
        meetings::record(ctx, &scope, m.id, item.id, &votes, tick(2))
            .await
            .map_err(err)?;
        let v = meetings::close_vote(ctx, &scope, m.id, item.id, tick(1))
            .await
            .map_err(err)?;
        let adopted = v
            .items
            .iter()
            .find(|i| i.id == item.id)
            .and_then(|i| i.tally.adopted.clone());
        match adopted.as_deref() {
            Some("recognise") => {
                let d = DecisionInput {
                    recognised: vec![RecognisedUnit {
                        unit_id: unit,
                        credits: 6,
                        outcomes: vec!["writes programs in Python".into()],
                    }],
                    reasons: None,
                };
                meetings::decide(ctx, &scope, m.id, item.id, &d, tick(3))
                    .await
                    .map_err(err)?;
            }
            Some(_) => {
                let d = DecisionInput { recognised: Vec::new(), reasons: Some("Сертификат бойынша нәтижелер «Python тілінде бағдарламалау» модулінің нәтижелерін толық қамтымайды.".into()) };
                meetings::decide(ctx, &scope, m.id, item.id, &d, tick(3))
                    .await
                    .map_err(err)?;
            }
            None => {}
        }
    }
    meetings::close(ctx, &scope, m.id, tick(5))
        .await
        .map_err(err)?;
    // Rule 9: the protocol, drawn up the next morning, approved by the chair and the
    // secretary, final and issued.
    let p = tanu_app::protocols::start(ctx, &scope, m.id, history.day(8, 9, 0))
        .await
        .map_err(err)?;
    tanu_app::protocols::update(
        ctx,
        &scope,
        p.id,
        &tanu_app::protocols::TextsInput {
            opening_text: "Отырыс Ережелердің 12–14-тармақтарына сәйкес өткізілді. \
                           Заседание проведено в соответствии с пунктами 12–14 Правил."
                .into(),
            closing_text: String::new(),
            addendum_text: None,
        },
        history.day(8, 9, 20),
    )
    .await
    .map_err(err)?;
    tanu_app::protocols::send(ctx, &scope, p.id, history.day(8, 9, 30))
        .await
        .map_err(err)?;
    tanu_app::protocols::approve(ctx, &scope, p.id, history.day(8, 10, 0))
        .await
        .map_err(err)?;
    let chair = actor_of(ctx, "sarsenbayev@college.demo").await?;
    let chair_scope = chair
        .scope(college, tanu_app::access::Need::ReadOrg)
        .map_err(err)?;
    tanu_app::protocols::approve(ctx, &chair_scope, p.id, history.day(8, 14, 0))
        .await
        .map_err(err)?;
    // Today: the next meeting, a week from now.
    let today = tanu_domain::dates::local_today(history.now);
    let next_week = today.checked_add(time::Duration::days(7)).unwrap_or(today);
    meetings::schedule(
        ctx,
        &scope,
        commission,
        &ScheduleInput {
            starts_at: format!("{next_week}T10:00"),
            place: "Бас ғимарат, 301-аудитория".into(),
            application_ids: vec![later, held[2]],
        },
        history.now,
    )
    .await
    .map_err(err)?;
    Ok(())
}

/// The demo's history, told in time order through the same services a user calls: it
/// starts two weeks before `now` and each step happens at its own moment, so meetings
/// are scheduled before they are held, memberships start before the meetings, and the
/// protocol's record adds up (rules 9, 12).
struct History {
    /// The first day of the history, in Kazakhstan.
    first: time::Date,
    /// Now: the history's last step.
    now: OffsetDateTime,
}

impl History {
    /// Two weeks before `now`.
    fn before(now: OffsetDateTime) -> Self {
        let today = tanu_domain::dates::local_today(now);
        Self {
            first: today.checked_sub(time::Duration::days(14)).unwrap_or(today),
            now,
        }
    }

    /// `hour:minute` in Kazakhstan on the history's day `n` (0: the first).
    fn day(&self, n: i64, hour: i64, minute: i64) -> OffsetDateTime {
        let day = self
            .first
            .checked_add(time::Duration::days(n))
            .unwrap_or(self.first);
        tanu_storage::fixed_width(
            tanu_domain::dates::day_start(day)
                + time::Duration::hours(hour)
                + time::Duration::minutes(minute),
        )
    }
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
    let history = History::before(now);
    // The organisations and their staff on the first morning.
    let now = history.day(0, 9, 0);
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

    demo_commission(ctx, &operator, college.id, history.day(1, 10, 0)).await?;

    demo_applications(ctx, &operator, college.id, university.id, &history).await?;
    let held = tanu_domain::dates::fmt_date(tanu_domain::dates::local_today(history.day(7, 10, 0)));

    Ok(format!(
        "Demo data created. Every account's password is {DEMO_PASSWORD}\n\
         \n  operator@tanu.demo            platform operator\
         \n  admin@college.demo            administrator, {}\
         \n  secretary@college.demo        secretary, {}\
         \n  sarsenbayev@college.demo      chair of the college's commission\
         \n  admin@university.demo         administrator, {}\
         \n  secretary@university.demo     secretary, {}\
         \n  aruzhan@candidate.demo        candidate, recognised at a held meeting\
         \n  daniil@candidate.demo         candidate, application incomplete (resubmit)\
         \n  zhanna@candidate.demo         candidate, draft\
         \n  anna@candidate.demo           candidate, on the agenda of next week's meeting\
         \n\nThe college's commission held a meeting on {held} (one recognised, one refused, one with\
         \nno decision adopted) whose protocol is final and signed, and has one scheduled next week.\
         \nCheck an issued document at /verify.\n",
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
