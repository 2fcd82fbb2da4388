//! Sample documents for the tests and the benchmark: a realistic meeting of a college
//! commission in Kazakh or Russian, ten agenda items mixing every result.
//!
//! Used as `mod common;` by the integration tests, as `#[path]` module by the unit tests
//! in `src/lib.rs` and by `examples/bench.rs`; each of them has `model` in scope
//! (`use tanu_pdf::model;` or the crate's own module).
#![allow(dead_code)]

use super::model::{
    Assessment, Certificate, Document, Extract, Item, Member, Protocol, RecognisedUnit, Recusal,
    Signature, Tally, Verification, Vote,
};

/// The Kazakh text in Kazakh documents, the Russian one otherwise.
fn t(lang: &str, kk: &str, ru: &str) -> String {
    if lang == "kk" { kk } else { ru }.to_owned()
}

pub const CHAIR: &str = "Әбдіқадыров Нұрлан Серікұлы";
pub const DEPUTY: &str = "Ғалымжанова Әйгерім Қайратқызы";
pub const TEACHER: &str = "Өтегенов Ұлан Бейбітұлы";
pub const EXPERT: &str = "Үсенова Һәлима Іңкәрқызы";
pub const MEMBER: &str = "Иванова Мария Петровна";
pub const SECRETARY: &str = "Жұмабаева Гүлнұр Төлегенқызы";

/// The candidates of the ten items, in agenda order.
pub const CANDIDATES: [&str; 10] = [
    "Шаһмаранова Айгүл Бағланқызы",
    "Қасымов Ерғали Төлеуұлы",
    "Ниязбекова Дариға Өмірзаққызы",
    "Сейітқали Ұлжан Әділбекқызы",
    "Петров Сергей Александрович",
    "Мұхамеджанов Рүстем Ғазизұлы",
    "Оспанова Жансая Нұрболқызы",
    "Ким Виктория Олеговна",
    "Бекмұхаметов Әлихан Дәулетұлы",
    "Төлеуова Һабиба Ержанқызы",
];

/// The opening text names the country in capitals, which gives the capital Ң.
pub const OPENING_KK: &str = "ҚАЗАҚСТАН РЕСПУБЛИКАСЫНЫҢ Білім және ғылым министрінің 2018 жылғы 28 қыркүйектегі № 508 бұйрығымен бекітілген Қағидаларға сәйкес комиссия отырысы ашық деп жарияланды.\n\nОтырыста күн тәртібіндегі он өтініш қаралды.";
pub const OPENING_RU: &str = "В соответствии с Правилами, утверждёнными приказом Министра образования и науки РЕСПУБЛИКИ КАЗАХСТАН от 28 сентября 2018 года № 508, заседание комиссии объявлено открытым.\n\nНа заседании рассмотрено десять заявлений, включённых в повестку дня.";

pub const REFUSAL_KK: &str = "Сұхбат барысында үміткер деректер қорымен жұмыс істеу дағдысын көрсете алмады; сертификатта көрсетілген 16 сағаттық көлем модульдің оқу нәтижелерін толық қамтымайды.";
pub const REFUSAL_RU: &str = "В ходе собеседования претендент не продемонстрировал навыков работы с базами данных; объём в 16 часов, указанный в сертификате, не покрывает результаты обучения модуля.";

pub fn verification() -> Verification {
    Verification {
        code: "TQ7K-29XM".to_owned(),
        url: "https://tanu.example.kz/verify/TQ7K-29XM".to_owned(),
    }
}

fn members(lang: &str, chair_present: bool) -> Vec<Member> {
    vec![
        Member {
            name: CHAIR.to_owned(),
            position: t(
                lang,
                "Директордың оқу ісі жөніндегі орынбасары, Жоғары политехникалық колледжі",
                "Заместитель директора по учебной работе, Высший политехнический колледж",
            ),
            office: Some("chair".to_owned()),
            teacher: true,
            present: chair_present,
        },
        Member {
            name: DEPUTY.to_owned(),
            position: t(
                lang,
                "Ақпараттық технологиялар бөлімінің меңгерушісі",
                "Заведующая отделением информационных технологий",
            ),
            office: Some("deputy".to_owned()),
            teacher: true,
            present: true,
        },
        Member {
            name: TEACHER.to_owned(),
            position: t(
                lang,
                "Арнайы пәндер оқытушысы",
                "Преподаватель специальных дисциплин",
            ),
            office: None,
            teacher: true,
            present: true,
        },
        Member {
            name: EXPERT.to_owned(),
            position: t(
                lang,
                "«Qazaq IT Academy» ЖШС оқу-әдістемелік бөлімінің басшысы",
                "Руководитель учебно-методического отдела ТОО «Qazaq IT Academy»",
            ),
            office: None,
            teacher: false,
            present: true,
        },
        Member {
            name: MEMBER.to_owned(),
            position: t(
                lang,
                "Жалпы білім беретін пәндер оқытушысы",
                "Преподаватель общеобразовательных дисциплин",
            ),
            office: None,
            teacher: true,
            present: true,
        },
    ]
}

fn documents(candidate: &str) -> Vec<Document> {
    let surname = candidate.split(' ').next().unwrap_or(candidate);
    vec![
        Document {
            kind: "statement".to_owned(),
            file_name: format!("Өтініш_{surname}.pdf"),
        },
        Document {
            kind: "identity".to_owned(),
            file_name: format!("Жеке_куәлік_{surname}.pdf"),
        },
        Document {
            kind: "confirming".to_owned(),
            file_name: format!("Сертификат_{surname}.pdf"),
        },
    ]
}

/// Votes of the members taking part, in composition order, from a list of choices.
fn votes(voters: &[&str], choices: &[&str]) -> Vec<Vote> {
    voters
        .iter()
        .zip(choices)
        .map(|(name, choice)| Vote {
            name: (*name).to_owned(),
            choice: (*choice).to_owned(),
        })
        .collect()
}

fn tally(choices: &[&str]) -> Tally {
    let count = |c: &str| choices.iter().filter(|x| **x == c).count();
    let taking_part = choices.len();
    let needed = taking_part / 2 + 1;
    let (recognise, refuse) = (count("recognise"), count("refuse"));
    let adopted = if recognise >= needed {
        Some("recognise".to_owned())
    } else if refuse >= needed {
        Some("refuse".to_owned())
    } else {
        None
    };
    Tally {
        taking_part,
        recognise,
        refuse,
        abstain: count("abstain"),
        missing: count("none"),
        needed,
        adopted,
    }
}

fn result_of(t: &Tally) -> String {
    match t.adopted.as_deref() {
        Some("recognise") => "recognised",
        Some("refuse") => "refused",
        _ => "not-adopted",
    }
    .to_owned()
}

struct Course {
    provider: &'static str,
    bin: Option<&'static str>,
    programme: (&'static str, &'static str),
    hours: u32,
    kind: &'static str,
}

const COURSES: [Course; 4] = [
    Course {
        provider: "«Digital Skills Qazaqstan» ЖШС",
        bin: Some("210540021234"),
        programme: (
            "Python тілінде бағдарламалау негіздері",
            "Основы программирования на Python",
        ),
        hours: 72,
        kind: "certificate",
    },
    Course {
        provider: "Coursera Inc. (Google Data Analytics)",
        bin: None,
        programme: (
            "Деректерді талдау: SQL және кестелер",
            "Анализ данных: SQL и электронные таблицы",
        ),
        hours: 16,
        kind: "certificate",
    },
    Course {
        provider: "«Өрлеу» біліктілікті арттыру ұлттық орталығы» АҚ",
        bin: Some("120240011445"),
        programme: (
            "Веб-әзірлеу: HTML, CSS, JavaScript",
            "Веб-разработка: HTML, CSS, JavaScript",
        ),
        hours: 120,
        kind: "attestation",
    },
    Course {
        provider: "«ТАҢБА» оқу орталығы» ЖШС",
        bin: Some("981240000567"),
        programme: (
            "Желілік әкімшілендіру негіздері",
            "Основы сетевого администрирования",
        ),
        hours: 96,
        kind: "attestation",
    },
];

fn outcomes(lang: &str, course: usize) -> Vec<String> {
    match course {
        0 => vec![
            t(
                lang,
                "ОН 4.1. Python тілінде алгоритмдерді іске асырады",
                "РО 4.1. Реализует алгоритмы на языке Python",
            ),
            t(
                lang,
                "ОН 4.2. Функциялар мен модульдерді қолданып бағдарлама құрады",
                "РО 4.2. Разрабатывает программы с использованием функций и модулей",
            ),
            t(
                lang,
                "ОН 4.3. Бағдарламаны тестілейді және жөндейді",
                "РО 4.3. Тестирует и отлаживает программы",
            ),
        ],
        1 => vec![
            t(
                lang,
                "ОН 6.1. SQL сұраныстарын құрастырады",
                "РО 6.1. Составляет SQL-запросы",
            ),
            t(
                lang,
                "ОН 6.2. Деректер қорын жобалайды",
                "РО 6.2. Проектирует базы данных",
            ),
        ],
        2 => vec![
            t(
                lang,
                "ОН 5.1. Веб-беттің құрылымы мен безендірілуін әзірлейді",
                "РО 5.1. Разрабатывает структуру и оформление веб-страницы",
            ),
            t(
                lang,
                "ОН 5.2. JavaScript тілінде интерактивті элементтер жасайды",
                "РО 5.2. Создаёт интерактивные элементы на JavaScript",
            ),
        ],
        _ => vec![
            t(
                lang,
                "ОН 7.1. Жергілікті желіні баптайды",
                "РО 7.1. Настраивает локальную сеть",
            ),
            t(
                lang,
                "ОН 7.2. Желі ақауларын анықтайды және жояды",
                "РО 7.2. Выявляет и устраняет неисправности сети",
            ),
        ],
    }
}

fn unit(lang: &str, course: usize, credits: u32, of_credits: u32) -> RecognisedUnit {
    let (code, kk, ru) = match course {
        0 => (
            "КМ 04",
            "Python тілінде бағдарламалау",
            "Программирование на языке Python",
        ),
        1 => ("КМ 06", "Деректер қорымен жұмыс", "Работа с базами данных"),
        2 => (
            "КМ 05",
            "Веб-қосымшаларды әзірлеу",
            "Разработка веб-приложений",
        ),
        _ => ("КМ 07", "Компьютерлік желілер", "Компьютерные сети"),
    };
    RecognisedUnit {
        programme: t(
            lang,
            "06130100 «Бағдарламалық қамтамасыз ету»",
            "06130100 «Программное обеспечение»",
        ),
        code: code.to_owned(),
        title: t(lang, kk, ru),
        credits,
        of_credits,
        outcomes: outcomes(lang, course),
    }
}

/// One agenda item. `choices` are the votes of `voters`; `None` means no vote (moved).
fn item(
    lang: &str,
    position: usize,
    course: usize,
    voters: &[&str],
    choices: Option<&[&str]>,
    units: Vec<RecognisedUnit>,
) -> Item {
    let candidate = CANDIDATES[position - 1];
    let c = &COURSES[course];
    let tally = choices.map(tally);
    let result = tally.as_ref().map_or_else(|| "moved".to_owned(), result_of);
    let outcomes = outcomes(lang, course);
    let assessments = if tally.is_some() {
        outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| Assessment {
                outcome: o.clone(),
                level: match (result.as_str(), i) {
                    ("refused", _) => "not-shown",
                    (_, 0) => "fully",
                    _ => "partly",
                }
                .to_owned(),
                comment: t(
                    lang,
                    "Практикалық тапсырманы орындады, сұрақтарға толық жауап берді.",
                    "Выполнил(а) практическое задание, на вопросы ответил(а) полно.",
                ),
            })
            .collect()
    } else {
        Vec::new()
    };
    let credits_total = units.iter().map(|u| u.credits).sum();
    Item {
        position,
        application_number: format!("2026-{:04}", 40 + position),
        candidate: candidate.to_owned(),
        candidate_present: Some(tally.is_some()),
        statement: t(
            lang,
            "Бейресми білім беру арқылы алынған оқу нәтижелерімді тануды сұраймын. Курсты толық аяқтап, қорытынды жобаны қорғадым.",
            "Прошу признать результаты обучения, полученные мной в неформальном образовании. Курс пройден полностью, итоговый проект защищён.",
        ),
        documents: documents(candidate),
        checked: format!("05.11.2026 10:{:02}, {SECRETARY}", 10 + position),
        certificate: Some(Certificate {
            kind: c.kind.to_owned(),
            provider: c.provider.to_owned(),
            provider_bin: c.bin.map(str::to_owned),
            programme: t(lang, c.programme.0, c.programme.1),
            hours: Some(c.hours),
            number: format!("NFE-2026-{:05}", 4500 + position * 7),
            issued_on: "15.06.2026".to_owned(),
        }),
        claimed_outcomes: outcomes,
        interview_notes: if tally.is_some() {
            t(
                lang,
                "Үміткер курстың мазмұнын баяндады, практикалық тапсырманы орындап, комиссия мүшелерінің сұрақтарына жауап берді. Қазақ және орыс тілдерінде еркін сөйлейді.",
                "Претендент изложил(а) содержание курса, выполнил(а) практическое задание и ответил(а) на вопросы членов комиссии.",
            )
        } else {
            String::new()
        },
        assessments,
        recusals: Vec::new(),
        votes: choices.map(|c| votes(voters, c)).unwrap_or_default(),
        tally,
        reasons: (result == "refused").then(|| t(lang, REFUSAL_KK, REFUSAL_RU)),
        recognised: units,
        credits_total,
        result,
    }
}

/// A final protocol of ten items in `lang` (`kk`, `ru`; anything else gets Russian text).
/// In Kazakh the chair is absent and the deputy presides; in Russian the chair presides.
pub fn protocol(lang: &str) -> Protocol {
    let chair_present = lang != "kk";
    let members = members(lang, chair_present);
    let voters: Vec<&str> = members
        .iter()
        .filter(|m| m.present)
        .map(|m| m.name.as_str())
        .collect();
    let n = voters.len();
    // Choices for n = 4 (kk) or 5 (ru) voters.
    let pick = |four: &'static [&'static str], five: &'static [&'static str]| {
        if n == 4 { four } else { five }
    };
    let yes3 = pick(
        &["recognise", "recognise", "recognise", "abstain"],
        &["recognise", "recognise", "recognise", "abstain", "refuse"],
    );
    let no3 = pick(
        &["recognise", "refuse", "refuse", "refuse"],
        &["recognise", "refuse", "refuse", "refuse", "abstain"],
    );
    let tie = pick(
        &["recognise", "refuse", "recognise", "refuse"],
        &["recognise", "refuse", "recognise", "refuse", "abstain"],
    );
    let short = pick(
        &["recognise", "recognise", "refuse", "none"],
        &["recognise", "recognise", "refuse", "none", "abstain"],
    );
    let all_yes = pick(
        &["recognise", "recognise", "recognise", "recognise"],
        &[
            "recognise",
            "recognise",
            "recognise",
            "recognise",
            "recognise",
        ],
    );

    let mut items = vec![
        item(lang, 1, 0, &voters, Some(yes3), vec![unit(lang, 0, 3, 5)]),
        item(lang, 2, 1, &voters, Some(no3), vec![]),
        item(lang, 3, 2, &voters, Some(tie), vec![]),
        item(lang, 4, 3, &voters, None, vec![]),
        item(
            lang,
            5,
            2,
            &voters,
            Some(all_yes),
            vec![unit(lang, 2, 4, 4)],
        ),
    ];
    // Item 6: the teacher declares a conflict of interest and takes no part.
    let without_teacher: Vec<&str> = voters.iter().copied().filter(|v| *v != TEACHER).collect();
    let mut six = item(
        lang,
        6,
        3,
        &without_teacher,
        Some(&["recognise", "recognise", "refuse", "recognise", "recognise"][..n - 1]),
        vec![unit(lang, 3, 2, 4)],
    );
    six.recusals = vec![Recusal {
        name: TEACHER.to_owned(),
        reason: t(
            lang,
            "үміткердің туысы",
            "является родственником претендента",
        ),
    }];
    items.push(six);
    items.push(item(lang, 7, 1, &voters, Some(no3), vec![]));
    items.push(item(
        lang,
        8,
        0,
        &voters,
        Some(all_yes),
        vec![unit(lang, 0, 5, 5), unit(lang, 1, 2, 4)],
    ));
    items.push(item(lang, 9, 2, &voters, Some(short), vec![]));
    items.push(item(
        lang,
        10,
        3,
        &voters,
        Some(yes3),
        vec![unit(lang, 3, 4, 4)],
    ));

    let presiding = if chair_present { CHAIR } else { DEPUTY };
    Protocol {
        lang: lang.to_owned(),
        number: Some("№ 7/2026".to_owned()),
        draft: false,
        addendum_to: None,
        addendum_text: String::new(),
        organisation: t(
            lang,
            "Астана қаласы әкімдігінің «Жоғары политехникалық колледжі» ШЖҚ МКК",
            "ГКП на ПХВ «Высший политехнический колледж» акимата города Астаны",
        ),
        organisation_bin: "180440012345".to_owned(),
        commission: t(
            lang,
            "Бейресми білім беру арқылы алынған оқу нәтижелерін тану жөніндегі комиссия",
            "Комиссия по признанию результатов обучения, полученных в неформальном образовании",
        ),
        commission_term: "01.09.2026 – 31.08.2027".to_owned(),
        date: t(lang, "2026 жылғы 12 қараша", "12 ноября 2026 г."),
        time: "15:00".to_owned(),
        time_closed: "16:40".to_owned(),
        place: t(
            lang,
            "Астана қ., Тұран даңғылы, 49, 214-аудитория",
            "г. Астана, пр. Туран, 49, ауд. 214",
        ),
        rule_set: t(
            lang,
            "kz-508-2023-07 — ҚР БҒМ 28.09.2018 № 508 бұйрығы (17.07.2023 редакциясы)",
            "kz-508-2023-07 — приказ МОН РК от 28.09.2018 № 508 (в ред. от 17.07.2023)",
        ),
        present: members.iter().filter(|m| m.present).count(),
        members,
        quorum: 3,
        quorum_met: true,
        presiding: presiding.to_owned(),
        presiding_as_deputy: !chair_present,
        secretary: SECRETARY.to_owned(),
        opening_text: t(lang, OPENING_KK, OPENING_RU),
        closing_text: t(
            lang,
            "Күн тәртібіндегі мәселелер қаралды. Отырыс 17:20-да жабық деп жарияланды.",
            "Вопросы повестки дня рассмотрены. Заседание объявлено закрытым в 17:20.",
        ),
        items,
        signatures: vec![
            Signature {
                role: if chair_present { "chair" } else { "deputy" }.to_owned(),
                name: presiding.to_owned(),
                approved_at: Some("12.11.2026 17:42".to_owned()),
            },
            Signature {
                role: "secretary".to_owned(),
                name: SECRETARY.to_owned(),
                approved_at: Some("12.11.2026 17:35".to_owned()),
            },
        ],
        verification: Some(verification()),
        generated_at: "12.11.2026 17:43".to_owned(),
    }
}

/// The same meeting as a draft: no number, no verification, not yet approved.
pub fn draft(lang: &str) -> Protocol {
    let mut p = protocol(lang);
    p.draft = true;
    p.number = None;
    p.verification = None;
    for s in &mut p.signatures {
        s.approved_at = None;
    }
    p
}

/// An addendum to protocol № 6/2026.
pub fn addendum(lang: &str) -> Protocol {
    let mut p = protocol(lang);
    p.number = Some("№ 8/2026".to_owned());
    p.addendum_to = Some("№ 6/2026, 29.10.2026".to_owned());
    p.addendum_text = t(
        lang,
        "3-мәселе бойынша үміткердің тегі «Ниязбекова» деп оқылсын.",
        "По вопросу 3 фамилию претендента читать как «Ниязбекова».",
    );
    p.items.clear();
    p.opening_text.clear();
    p.closing_text.clear();
    p
}

/// The extract of item 1 (recognised) of [`protocol`].
pub fn extract(lang: &str) -> Extract {
    let p = protocol(lang);
    Extract {
        lang: p.lang,
        organisation: p.organisation,
        organisation_bin: p.organisation_bin,
        commission: p.commission,
        protocol_number: "№ 7/2026".to_owned(),
        date: p.date,
        rule_set: p.rule_set,
        item: p.items.into_iter().next().unwrap_or_else(|| unreachable!()),
        signatures: p.signatures,
        verification: Verification {
            code: "XR4P-81KD".to_owned(),
            url: "https://tanu.example.kz/verify/XR4P-81KD".to_owned(),
        },
        generated_at: p.generated_at,
    }
}

/// The extract of a refused item.
pub fn extract_refused(lang: &str) -> Extract {
    let mut e = extract(lang);
    e.item = protocol(lang).items.swap_remove(1);
    e
}
