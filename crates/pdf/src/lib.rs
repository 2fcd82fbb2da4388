//! Typesetting of protocols (хаттама / протокол) and extracts (үзінді / выписка) as PDF.
//!
//! Typst is embedded together with its fonts (PT Serif, PT Sans – see `fonts/README.md`)
//! and its templates (`templates/*.typ`). Nothing is read from the file system, no system
//! font is used, no package is fetched: the same input always gives the same bytes.
//!
//! The data travel to the template as JSON (`sys.inputs.data`), so user text is a typst
//! *value*, never typst markup: `#`, `*`, `$`, `[` and friends print literally.
//!
//! ```no_run
//! # fn sample() -> tanu_pdf::model::Protocol { unimplemented!() }
//! let renderer = tanu_pdf::Renderer::new()?; // once, at start-up; share it (it is Sync)
//! let pdf: Vec<u8> = renderer.protocol(&sample())?;
//! # Ok::<(), tanu_pdf::PdfError>(())
//! ```

pub mod model;

use std::fmt::{self, Write as _};

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde::Serialize;
use typst::WorldExt as _;
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Dict, IntoValue as _, Smart};
use typst::text::Font;
use typst_as_lib::{TypstEngine, TypstTemplateCollection};

/// The template of a protocol (the main file compiled for [`Renderer::protocol`]).
const PROTOCOL_TYP: &str = "protocol.typ";
/// The template of an extract (the main file compiled for [`Renderer::extract`]).
const EXTRACT_TYP: &str = "extract.typ";

/// Every template file, under the name the templates import it by.
const TEMPLATES: [(&str, &str); 4] = [
    (PROTOCOL_TYP, include_str!("../templates/protocol.typ")),
    (EXTRACT_TYP, include_str!("../templates/extract.typ")),
    ("labels.typ", include_str!("../templates/labels.typ")),
    ("common.typ", include_str!("../templates/common.typ")),
];

/// The fonts, embedded. Family names as the templates use them: "PT Serif", "PT Sans".
const FONTS: [&[u8]; 8] = [
    include_bytes!("../fonts/PTF55F.ttf"),
    include_bytes!("../fonts/PTF56F.ttf"),
    include_bytes!("../fonts/PTF75F.ttf"),
    include_bytes!("../fonts/PTF76F.ttf"),
    include_bytes!("../fonts/PTS55F.ttf"),
    include_bytes!("../fonts/PTS56F.ttf"),
    include_bytes!("../fonts/PTS75F.ttf"),
    include_bytes!("../fonts/PTS76F.ttf"),
];

/// How many compilations typst's memoisation cache keeps unused results for. Zero would
/// empty it after every render (every render cold); a few keeps fonts, parsed templates
/// and unchanged layout warm while bounding memory.
const CACHE_MAX_AGE: usize = 4;

/// Why a document could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The data could not be turned into JSON for the template.
    #[error("cannot serialise the document data: {0}")]
    Data(#[from] serde_json::Error),
    /// The verification URL does not fit in a QR code.
    #[error("cannot make the QR code of {url:?}: {message}")]
    Qr {
        /// The URL.
        url: String,
        /// What the QR encoder said.
        message: String,
    },
    /// The template failed: typst's diagnostics, one per line, with file, line and column.
    #[error("typesetting failed:\n{0}")]
    Typst(String),
    /// The laid-out document could not be written as PDF.
    #[error("PDF export failed:\n{0}")]
    Export(String),
    /// The embedded engine refused to start a compilation.
    #[error("typst engine: {0}")]
    Engine(String),
}

/// Renders protocols and extracts. Build it once ([`Renderer::new`]) and share it: it is
/// `Send + Sync`, keeps the fonts parsed and the templates loaded, and renders from many
/// threads at once (each call is independent and CPU-bound – call it from a blocking
/// task, not directly on an async executor).
pub struct Renderer {
    engine: TypstEngine<TypstTemplateCollection>,
}

impl fmt::Debug for Renderer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Renderer")
            .field("templates", &TEMPLATES.map(|(name, _)| name))
            .field("fonts", &FONTS.len())
            .finish_non_exhaustive()
    }
}

impl Renderer {
    /// Loads the embedded fonts and templates.
    ///
    /// Fails only if an embedded font cannot be read (a broken build).
    pub fn new() -> Result<Renderer, PdfError> {
        let mut fonts = Vec::with_capacity(FONTS.len());
        for (i, data) in FONTS.into_iter().enumerate() {
            let font = Font::new(Bytes::new(data), 0)
                .ok_or_else(|| PdfError::Engine(format!("embedded font #{i} is unreadable")))?;
            fonts.push(font);
        }
        for family in ["PT Serif", "PT Sans"] {
            let styles = fonts.iter().filter(|f| f.info().family == family).count();
            if styles != 4 {
                return Err(PdfError::Engine(format!(
                    "expected 4 styles of {family} among the embedded fonts, found {styles}"
                )));
            }
        }
        let engine = TypstEngine::builder()
            .fonts(fonts)
            .with_static_source_file_resolver(TEMPLATES)
            .comemo_evict_max_age(Some(CACHE_MAX_AGE))
            .build();
        Ok(Renderer { engine })
    }

    /// The protocol of a meeting, as PDF.
    pub fn protocol(&self, p: &model::Protocol) -> Result<Vec<u8>, PdfError> {
        let ident = match (&p.verification, &p.number) {
            (Some(v), _) => format!("tanu/protocol/{}", v.code),
            (None, Some(n)) => format!("tanu/protocol/{n}"),
            (None, None) => "tanu/protocol/draft".to_owned(),
        };
        let qr = p
            .verification
            .as_ref()
            .map(|v| qr_svg(&v.url))
            .transpose()?;
        self.render(PROTOCOL_TYP, p, qr, ident).map(|(pdf, _)| pdf)
    }

    /// The extract of the decision on one application, as PDF.
    pub fn extract(&self, e: &model::Extract) -> Result<Vec<u8>, PdfError> {
        let ident = format!("tanu/extract/{}", e.verification.code);
        let qr = qr_svg(&e.verification.url)?;
        self.render(EXTRACT_TYP, e, Some(qr), ident)
            .map(|(pdf, _)| pdf)
    }

    /// Compiles `main` with `data` (as JSON in `sys.inputs.data`) and the QR code (SVG in
    /// `sys.inputs.qr`, absent when none). Returns the PDF and typst's warnings.
    fn render(
        &self,
        main: &str,
        data: &impl Serialize,
        qr: Option<String>,
        ident: String,
    ) -> Result<(Vec<u8>, Vec<String>), PdfError> {
        let mut inputs = Dict::new();
        inputs.insert("data".into(), serde_json::to_string(data)?.into_value());
        if let Some(qr) = qr {
            inputs.insert("qr".into(), qr.into_value());
        }
        let world = self
            .engine
            .world_builder(main)
            .with_inputs(inputs)
            .build()
            .map_err(|e| PdfError::Engine(e.to_string()))?;
        let warned = typst::compile(&world);
        let warnings = warned
            .warnings
            .iter()
            .map(|d| describe(&world, d))
            .collect();
        let result = warned
            .output
            .map_err(|errors| PdfError::Typst(describe_all(&world, &errors)))
            .and_then(|document| {
                let options = typst_pdf::PdfOptions {
                    // A stable document ID and no creation date: byte-identical output.
                    ident: Smart::Custom(ident),
                    creator: Smart::Custom(Some("Tanu".to_owned())),
                    timestamp: None,
                    ..Default::default()
                };
                typst_pdf::pdf(&document, &options)
                    .map_err(|errors| PdfError::Export(describe_all(&world, &errors)))
            });
        typst::comemo::evict(CACHE_MAX_AGE);
        result.map(|pdf| (pdf, warnings))
    }
}

/// The QR code of `url` as an SVG document (black on white, with its quiet zone).
fn qr_svg(url: &str) -> Result<String, PdfError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).map_err(|e| {
        PdfError::Qr {
            url: url.to_owned(),
            message: e.to_string(),
        }
    })?;
    Ok(code
        .render::<svg::Color<'_>>()
        .module_dimensions(1, 1)
        .quiet_zone(true)
        .build())
}

/// All diagnostics, one block each.
fn describe_all(world: &dyn typst::World, diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| describe(world, d))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One diagnostic as `error: message (at protocol.typ:12:5)`, then its hints and trace.
fn describe(world: &dyn typst::World, d: &SourceDiagnostic) -> String {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = format!("{severity}: {}", d.message);
    if let Some(at) = position(world, d.span) {
        let _ = write!(out, " (at {at})");
    }
    for hint in &d.hints {
        let _ = write!(out, "\n  hint: {}", hint.v);
    }
    for point in &d.trace {
        let _ = write!(out, "\n  {}", point.v);
        if let Some(at) = position(world, point.span) {
            let _ = write!(out, " (at {at})");
        }
    }
    out
}

/// `file:line:column` (one-based) of a span, when it points into a file.
fn position(world: &dyn typst::World, span: impl Into<typst::syntax::DiagSpan>) -> Option<String> {
    let span = span.into();
    let id = span.id()?;
    let file = id.get().vpath().get_without_slash().to_owned();
    let place = world.range(span).and_then(|range| {
        let source = world.source(id).ok()?;
        let (line, column) = source.lines().byte_to_line_column(range.start)?;
        Some(format!("{}:{}", line + 1, column + 1))
    });
    Some(match place {
        Some(place) => format!("{file}:{place}"),
        None => file,
    })
}

/// The sample documents of the integration tests, for the unit tests below.
#[cfg(test)]
#[path = "../tests/common/mod.rs"]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn renderer_is_send_and_sync() {
        assert_send_sync::<Renderer>();
    }

    /// A template warning (an unknown font family, say) is a template bug: none allowed.
    #[test]
    fn templates_render_without_warnings() {
        let r = Renderer::new().unwrap();
        for lang in ["kk", "ru", "en"] {
            let p = common::protocol(lang);
            let (_, warnings) = r
                .render(
                    PROTOCOL_TYP,
                    &p,
                    Some(qr_svg("https://x.kz/v/A").unwrap()),
                    "t".into(),
                )
                .unwrap();
            assert!(warnings.is_empty(), "{lang} protocol: {warnings:#?}");
            let e = common::extract(lang);
            let (_, warnings) = r
                .render(
                    EXTRACT_TYP,
                    &e,
                    Some(qr_svg("https://x.kz/v/A").unwrap()),
                    "t".into(),
                )
                .unwrap();
            assert!(warnings.is_empty(), "{lang} extract: {warnings:#?}");
            let d = common::draft(lang);
            let (_, warnings) = r.render(PROTOCOL_TYP, &d, None, "t".into()).unwrap();
            assert!(warnings.is_empty(), "{lang} draft: {warnings:#?}");
        }
    }

    #[test]
    fn a_template_error_is_readable() {
        let r = Renderer::new().unwrap();
        // Not a protocol at all: the template fails on a missing field.
        let err = r
            .render(
                PROTOCOL_TYP,
                &serde_json::json!({"lang": "kk"}),
                None,
                "t".into(),
            )
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("error:"), "{text}");
        assert!(text.contains(".typ:"), "{text}");
    }
}
