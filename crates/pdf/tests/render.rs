//! Renders sample protocols and extracts and reads them back with poppler
//! (`pdftotext`, `pdftoppm`, `pdffonts`).
//!
//! Without poppler the tests print why and pass, unless `TANU_TEST_REQUIRE_PDFTOOLS` is
//! set (CI sets it): then a missing tool fails them. Set `TANU_PDF_SAMPLES=/some/dir` to
//! keep the rendered PDFs there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use tanu_pdf::{Renderer, model};

mod common;

const KAZAKH_LETTERS: &str = "әғқңөұүһіӘҒҚҢӨҰҮҺІ";

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new().unwrap())
}

/// Whether poppler is there; panics when it is required and missing.
fn tools() -> bool {
    let found = Command::new("pdftotext").arg("-v").output().is_ok();
    if !found {
        if std::env::var_os("TANU_TEST_REQUIRE_PDFTOOLS").is_some() {
            panic!("pdftotext (poppler-utils) is missing and TANU_TEST_REQUIRE_PDFTOOLS is set");
        }
        println!("SKIPPED: pdftotext (poppler-utils) is not installed; PDF content not checked");
    }
    found
}

/// A fresh path in the temporary directory.
fn temp_path(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("tanu-pdf-test-{}-{n}-{name}", std::process::id()))
}

/// Keeps a copy in `$TANU_PDF_SAMPLES` when set.
fn keep(name: &str, pdf: &[u8]) {
    if let Some(dir) = std::env::var_os("TANU_PDF_SAMPLES") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), pdf).unwrap();
    }
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `pdftotext -layout`, whitespace collapsed to single spaces.
fn text_of(pdf: &[u8]) -> String {
    let path = temp_path("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let raw = run(Command::new("pdftotext").arg("-layout").arg(&path).arg("-"));
    std::fs::remove_file(&path).unwrap();
    let text = String::from_utf8(raw).unwrap();
    // Undo hyphenation: typst breaks Russian words with a soft hyphen at the line end.
    let mut joined = String::new();
    for line in text.lines() {
        match line.strip_suffix('\u{ad}') {
            Some(head) => joined.push_str(head.trim_start()),
            None => {
                joined.push_str(line.trim_start());
                joined.push('\n');
            }
        }
    }
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pages_of(pdf: &[u8]) -> usize {
    let path = temp_path("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let info = String::from_utf8(run(Command::new("pdfinfo").arg(&path))).unwrap();
    std::fs::remove_file(&path).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// The names of the fonts embedded, from `pdffonts`.
fn fonts_of(pdf: &[u8]) -> Vec<String> {
    let path = temp_path("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = String::from_utf8(run(Command::new("pdffonts").arg(&path))).unwrap();
    std::fs::remove_file(&path).unwrap();
    out.lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// Share of dark pixels on page `page`, rendered grey at 50 dpi (PGM parsed by hand).
fn ink_on_page(pdf: &[u8], page: usize) -> f64 {
    let path = temp_path("doc.pdf");
    let prefix = temp_path("page");
    std::fs::write(&path, pdf).unwrap();
    let p = page.to_string();
    run(Command::new("pdftoppm")
        .args(["-gray", "-r", "50", "-f", &p, "-l", &p, "-singlefile"])
        .arg(&path)
        .arg(&prefix));
    let pgm_path = prefix.with_file_name(format!(
        "{}.pgm",
        prefix.file_name().unwrap().to_string_lossy()
    ));
    let pgm = std::fs::read(&pgm_path).unwrap();
    std::fs::remove_file(&path).unwrap();
    std::fs::remove_file(&pgm_path).unwrap();
    // "P5\n<w> <h>\n<max>\n" then w*h bytes.
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8(pgm[start..i].to_vec()).unwrap());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = &pgm[i + 1..];
    assert_eq!(pixels.len(), w * h);
    assert!(
        w > 300 && h > 400,
        "A4 at 50 dpi is about 413 × 585, got {w} × {h}"
    );
    pixels.iter().filter(|&&p| p < 128).count() as f64 / pixels.len() as f64
}

fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
}

fn check_protocol(lang: &str) {
    let p = common::protocol(lang);
    let pdf = renderer().protocol(&p).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    keep(&format!("protocol-{lang}.pdf"), &pdf);
    if !tools() {
        return;
    }
    let text = text_of(&pdf);
    for letter in KAZAKH_LETTERS.chars() {
        assert!(text.contains(letter), "{lang}: letter {letter} missing");
    }
    for name in common::CANDIDATES
        .iter()
        .chain(&[
            common::CHAIR,
            common::DEPUTY,
            common::TEACHER,
            common::EXPERT,
        ])
        .chain(&[common::MEMBER, common::SECRETARY])
    {
        assert_contains(&text, name);
    }
    assert_contains(&text, "№ 7/2026");
    assert_contains(&text, "180440012345");
    assert_contains(&text, "TQ7K-29XM");
    assert_contains(&text, "https://tanu.example.kz/verify/TQ7K-29XM");
    assert_contains(&text, "12.11.2026 17:42");
    let pages = pages_of(&pdf);
    assert!(pages >= 3, "{pages} pages");
    if lang == "kk" {
        assert_contains(&text, "ХАТТАМА");
        assert_contains(&text, "комиссия отырысының хаттамасы");
        // The chair is absent: the deputy presides, citing rule 8.
        assert_contains(&text, "Қағидалардың 8-тармағына сәйкес");
        assert_contains(&text, "Комиссияның 5 мүшесінің 4 мүшесі қатысты.");
        // Item 1: 3 of 4 for recognition, 3 needed.
        assert_contains(
            &text,
            "Дауыс беруге қатысқандар — 4; тану үшін — 3; бас тарту үшін — 0; қалыс қалғандар — 1; дауыс бермегендер — 0.",
        );
        assert_contains(&text, "кемінде 3 дауыс қажет (14-тармақ)");
        assert_contains(&text, "Шешім қабылданды: оқу нәтижелерін тану.");
        assert_contains(
            &text,
            "Шешім қабылданды: оқу нәтижелерін танудан бас тарту.",
        );
        assert_contains(
            &text,
            "Шешім қабылданбады — өтініш күн тәртібіне қайта енгізіледі.",
        );
        assert_contains(&text, "мәселені қарау келесі отырысқа ауыстырылды");
        assert_contains(
            &text,
            "деректер қорымен жұмыс істеу дағдысын көрсете алмады",
        );
        assert_contains(&text, "Барлығы танылған кредит саны: 7.");
        assert_contains(&text, "оқуды аяқтау туралы куәлік");
        assert_contains(&text, "оқуды аяқтау туралы сертификат");
        assert_contains(&text, "Мүдделер қақтығысы мәлімделген жоқ.");
        assert_contains(&text, "үміткердің туысы");
        assert_contains(&text, &format!("{pages} беттің 1-беті"));
        assert_contains(&text, &format!("{pages} беттің {pages}-беті"));
    } else {
        assert_contains(&text, "ПРОТОКОЛ");
        assert_contains(
            &text,
            "заседания комиссии по признанию результатов обучения, полученных в неформальном образовании",
        );
        assert_contains(&text, "Председательствовал(а) председатель комиссии");
        assert_contains(&text, "Присутствовали 5 из 5 членов комиссии.");
        assert_contains(
            &text,
            "Участвовали в голосовании — 5; за признание — 3; за отказ — 1; воздержались — 1; не голосовали — 0.",
        );
        assert_contains(&text, "необходимо не менее 3 (пункт 14)");
        assert_contains(&text, "Решение принято: признать результаты обучения.");
        assert_contains(
            &text,
            "Решение принято: отказать в признании результатов обучения.",
        );
        assert_contains(
            &text,
            "Решение не принято — заявление возвращается в повестку дня.",
        );
        assert_contains(
            &text,
            "рассмотрение вопроса перенесено на следующее заседание",
        );
        assert_contains(&text, "не продемонстрировал навыков работы с базами данных");
        assert_contains(&text, "Всего признано кредитов: 7.");
        assert_contains(&text, "свидетельство об окончании обучения");
        assert_contains(&text, "О конфликте интересов не заявлено.");
        assert_contains(&text, &format!("Страница 1 из {pages}"));
        assert_contains(&text, &format!("Страница {pages} из {pages}"));
    }
    // Only the embedded PT fonts, in the four styles (Kazakh in bold and italic too).
    let fonts = fonts_of(&pdf);
    assert!(
        fonts
            .iter()
            .all(|f| f.contains("PTSerif") || f.contains("PTSans")),
        "{fonts:?}"
    );
    for face in [
        "PTSerif-Regular",
        "PTSerif-Bold",
        "PTSerif-Italic",
        "PTSans-Bold",
        "PTSans-Regular",
    ] {
        assert!(
            fonts.iter().any(|f| f.ends_with(face)),
            "{face} not used: {fonts:?}"
        );
    }
    let ink = ink_on_page(&pdf, 1);
    assert!(ink > 0.01 && ink < 0.5, "page 1 ink {ink}");
}

#[test]
fn protocol_in_kazakh() {
    check_protocol("kk");
}

#[test]
fn protocol_in_russian() {
    check_protocol("ru");
}

#[test]
fn protocol_in_english() {
    let pdf = renderer().protocol(&common::protocol("en")).unwrap();
    keep("protocol-en.pdf", &pdf);
    if !tools() {
        return;
    }
    let text = text_of(&pdf);
    assert_contains(&text, "MINUTES");
    assert_contains(&text, "Page 1 of");
    assert_contains(&text, "Decision adopted: recognise the learning outcomes.");
}

#[test]
fn same_input_same_bytes() {
    let p = common::protocol("kk");
    let a = renderer().protocol(&p).unwrap();
    let b = renderer().protocol(&p).unwrap();
    // Another renderer, after other documents, still gives the same bytes.
    let other = Renderer::new().unwrap();
    other.extract(&common::extract("ru")).unwrap();
    let c = other.protocol(&p).unwrap();
    assert!(a == b, "two renders differ");
    assert!(a == c, "a second renderer differs");
    let e = common::extract("kk");
    assert!(renderer().extract(&e).unwrap() == other.extract(&e).unwrap());
}

#[test]
fn renders_from_many_threads() {
    let p = common::protocol("ru");
    let expected = renderer().protocol(&p).unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| renderer().protocol(&p).unwrap()))
            .collect();
        for h in handles {
            assert!(h.join().unwrap() == expected);
        }
    });
}

#[test]
fn markup_characters_print_literally() {
    let odd = r"Test #name *bold* $x$ _u_ [a] \ <b> @ref";
    let mut p = common::protocol("ru");
    p.items[1].candidate = odd.to_owned();
    p.items[1].reasons = Some(
        r"Reasons #set text(red) *no* $1 + 1$ _x_ [link] \n <label> @cite // not a comment"
            .to_owned(),
    );
    p.opening_text = "= Not a heading\n- not a list\n```raw```".to_owned();
    p.organisation = "ТОО «#1 & Co» <x>".to_owned();
    let pdf = renderer().protocol(&p).unwrap();
    keep("protocol-markup.pdf", &pdf);
    if !tools() {
        return;
    }
    let text = text_of(&pdf);
    assert_contains(&text, odd);
    assert_contains(
        &text,
        r"Reasons #set text(red) *no* $1 + 1$ _x_ [link] \n <label> @cite // not a comment",
    );
    assert_contains(&text, "= Not a heading - not a list ```raw```");
    assert_contains(&text, "ТОО «#1 & Co» <x>");
}

#[test]
fn extract_in_both_languages() {
    for lang in ["kk", "ru"] {
        let e = common::extract(lang);
        let pdf = renderer().extract(&e).unwrap();
        keep(&format!("extract-{lang}.pdf"), &pdf);
        let refused = renderer().extract(&common::extract_refused(lang)).unwrap();
        keep(&format!("extract-refused-{lang}.pdf"), &refused);
        if !tools() {
            return;
        }
        let pages = pages_of(&pdf);
        assert!((1..=2).contains(&pages), "{lang}: {pages} pages");
        let text = text_of(&pdf);
        assert_contains(&text, common::CANDIDATES[0]);
        assert_contains(&text, "2026-0041");
        assert_contains(&text, "XR4P-81KD");
        assert_contains(&text, "https://tanu.example.kz/verify/XR4P-81KD");
        assert_contains(&text, "Python");
        if lang == "kk" {
            assert_contains(&text, "ҮЗІНДІ");
            assert_contains(&text, "2026 жылғы 12 қараша № 7/2026 хаттамасынан");
            assert_contains(&text, "тану үшін — 3");
            assert_contains(&text, "Барлығы танылған кредит саны: 3.");
            assert_contains(&text, "Үзінді дұрыс.");
        } else {
            assert_contains(&text, "ВЫПИСКА");
            assert_contains(&text, "из протокола № 7/2026 от 12 ноября 2026 г.");
            assert_contains(&text, "за признание — 3");
            assert_contains(&text, "Всего признано кредитов: 3.");
            assert_contains(&text, "Выписка верна.");
        }
        let text = text_of(&refused);
        if lang == "kk" {
            assert_contains(
                &text,
                "деректер қорымен жұмыс істеу дағдысын көрсете алмады",
            );
        } else {
            assert_contains(&text, "не продемонстрировал навыков работы с базами данных");
        }
        assert!(ink_on_page(&pdf, 1) > 0.01);
    }
}

#[test]
fn draft_is_marked_and_has_no_verification() {
    for (lang, word, footer) in [
        ("kk", "ЖОБА", "Хаттаманың жобасы. Заңды күші жоқ"),
        (
            "ru",
            "ПРОЕКТ",
            "Проект протокола. Юридической силы не имеет",
        ),
    ] {
        let pdf = renderer().protocol(&common::draft(lang)).unwrap();
        keep(&format!("draft-{lang}.pdf"), &pdf);
        if !tools() {
            return;
        }
        let text = text_of(&pdf);
        assert_contains(&text, word);
        assert_contains(&text, footer);
        assert!(
            !text.contains("TQ7K-29XM"),
            "{lang}: a draft shows a verification code"
        );
        assert!(
            !text.contains("verify"),
            "{lang}: a draft shows a verification address"
        );
        assert!(
            !text.contains("Tanu жүйесінде бекітілді") && !text.contains("Утверждено в системе")
        );
    }
}

#[test]
fn addendum_shows_reference_and_correction() {
    let pdf = renderer().protocol(&common::addendum("ru")).unwrap();
    keep("addendum-ru.pdf", &pdf);
    if !tools() {
        return;
    }
    let text = text_of(&pdf);
    assert_contains(
        &text,
        "ДОПОЛНЕНИЕ № 8/2026 к протоколу № 6/2026, 29.10.2026 заседания комиссии",
    );
    assert_contains(&text, "№ 6/2026, 29.10.2026");
    assert_contains(&text, "фамилию претендента читать как «Ниязбекова»");
    assert_contains(&text, common::SECRETARY);
    assert!(!text.contains("Поименное голосование"));
}

#[test]
fn unknown_codes_are_printed_not_lost() {
    let mut p = common::protocol("ru");
    p.items[0].assessments[0].level = "brilliant".to_owned();
    p.lang = "de".to_owned(); // falls back to Russian wording
    let pdf = renderer().protocol(&p).unwrap();
    if !tools() {
        return;
    }
    let text = text_of(&pdf);
    assert_contains(&text, "brilliant");
    assert_contains(&text, "ПРОТОКОЛ");
}

#[test]
fn model_round_trips_as_json() {
    // The template reads the JSON field names: keep them stable.
    let v = serde_json::to_value(common::protocol("kk")).unwrap();
    for key in [
        "lang",
        "number",
        "draft",
        "items",
        "members",
        "signatures",
        "verification",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    let _: &model::Protocol = &common::protocol("kk");
}

#[test]
fn number_sign_is_added_once() {
    let mut p = common::protocol("ru");
    p.number = Some("7/2026".to_owned());
    let mut e = common::extract("ru");
    e.protocol_number = "7/2026".to_owned();
    let (pdf, extract) = (
        renderer().protocol(&p).unwrap(),
        renderer().extract(&e).unwrap(),
    );
    if !tools() {
        return;
    }
    let text = text_of(&pdf);
    assert_contains(&text, "ПРОТОКОЛ № 7/2026");
    assert!(!text.contains("№ №"));
    let text = text_of(&extract);
    assert_contains(&text, "из протокола № 7/2026 от");
    assert!(!text.contains("№ №"));
}

#[test]
fn sparse_data_still_renders() {
    // Everything optional missing or empty: the templates must not fail.
    let mut p = common::protocol("kk");
    p.members.clear();
    p.signatures.clear();
    p.opening_text.clear();
    p.closing_text.clear();
    p.quorum_met = false;
    for it in &mut p.items {
        it.certificate = None;
        it.candidate_present = None;
        it.documents.clear();
        it.checked.clear();
        it.statement.clear();
        it.claimed_outcomes.clear();
        it.interview_notes.clear();
        it.assessments.clear();
        it.votes.clear();
        it.reasons = None;
        it.recognised.clear();
    }
    p.items[0].result = "pending".to_owned();
    p.items[0].tally = None;
    p.items[2].tally = None; // not adopted, but no tally recorded
    renderer().protocol(&p).unwrap();
    p.items.clear();
    renderer().protocol(&p).unwrap();

    let mut e = common::extract("ru");
    e.item.certificate = None;
    e.item.tally = None;
    e.item.result = "moved".to_owned();
    e.signatures.clear();
    e.protocol_number.clear();
    let pdf = renderer().extract(&e).unwrap();
    if !tools() {
        return;
    }
    assert_contains(
        &text_of(&pdf),
        "рассмотрение вопроса перенесено на следующее заседание",
    );
}

#[test]
fn long_free_text_breaks_across_pages() {
    let mut p = common::protocol("ru");
    let long = "Длинное пояснение комиссии к собеседованию. ".repeat(200);
    p.items[0].interview_notes = format!("{long}\n\n{long}");
    p.closing_text = "Заключительная часть. ".repeat(300);
    let pdf = renderer().protocol(&p).unwrap();
    if !tools() {
        return;
    }
    assert!(pages_of(&pdf) > pages_of(&renderer().protocol(&common::protocol("ru")).unwrap()));
}
