//! Gathering a protocol's content from the meeting's record into the PDF model.

use super::*;

pub(super) struct Gathered {
    pub(super) names: OrgNames,
    pub(super) doc: model::Protocol,
    pub(super) presiding_person_id: Option<i64>,
    pub(super) secretary_person_id: Option<i64>,
}

/// Who signs a meeting's protocol: the member who presided (as chair or deputy, rule 8)
/// and the commission's secretary on the meeting's date (the current one if none was
/// recorded then).
pub(super) struct Signatories {
    pub(super) presiding_role: &'static str,
    pub(super) presiding_name: String,
    pub(super) presiding_person_id: Option<i64>,
    pub(super) secretary_name: String,
    pub(super) secretary_person_id: Option<i64>,
}

/// The signatories of a meeting's protocol; `everyone` is the commission's members, past
/// and present (`com_repo::all_members`), which the caller has read anyway.
pub(super) async fn signatories(
    mut conn: Conn<'_>,
    m: &MeetingRow,
    everyone: &[com_repo::MemberRow],
) -> Result<Signatories, AppError> {
    let presiding = m
        .presiding_member_id
        .and_then(|id| everyone.iter().find(|x| x.id == id));
    let at = m.opened_at.unwrap_or(m.starts_at);
    let secretary = match com_repo::secretary_at(conn.reborrow(), m.commission_id, at).await? {
        Some(s) => Some(s),
        None => com_repo::current_secretary(conn.reborrow(), m.commission_id).await?,
    };
    Ok(Signatories {
        presiding_role: if m.presiding_as_deputy == Some(true) {
            "deputy"
        } else {
            "chair"
        },
        presiding_name: presiding.map(|x| x.full_name.clone()).unwrap_or_default(),
        presiding_person_id: presiding.and_then(|x| x.person_id),
        secretary_name: secretary
            .as_ref()
            .map(|s| s.full_name.clone())
            .unwrap_or_default(),
        secretary_person_id: secretary.map(|s| s.person_id),
    })
}

pub(super) fn choice_of(v: &str) -> String {
    match v {
        "recognise" | "refuse" | "abstain" => v.to_owned(),
        _ => "none".to_owned(),
    }
}

pub(super) fn result_of(item_status: ItemStatus, adopted: Option<&str>) -> String {
    match (item_status, adopted) {
        (ItemStatus::Decided, Some("recognise")) => "recognised",
        (ItemStatus::Decided, Some("refuse")) => "refused",
        (ItemStatus::NotAdopted, _) => "not-adopted",
        (ItemStatus::Moved, _) => "moved",
        _ => "pending",
    }
    .to_owned()
}

/// Collects what the protocol of meeting `m` says, as of now.
pub(super) async fn gather(
    mut conn: Conn<'_>,
    m: &MeetingRow,
    p: &ProtocolRow,
) -> Result<Gathered, AppError> {
    let org = organisations::get(conn.reborrow(), m.org_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let commission = com_repo::get(conn.reborrow(), m.org_id, m.commission_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rule_set = rule_sets::get(conn.reborrow(), commission.rule_set_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let params: tanu_domain::RuleSetParams =
        serde_json::from_str(&rule_set.params).map_err(|e| corrupt("rule_sets.params", e))?;
    // The composition on the meeting's date: as it was when the meeting opened.
    let at = m.opened_at.unwrap_or(m.starts_at);
    let members = com_repo::members_at(conn.reborrow(), m.commission_id, at).await?;
    let offices = com_repo::offices_at(conn.reborrow(), m.commission_id, at).await?;
    let attendance = meetings_repo::attendance(conn.reborrow(), m.id).await?;
    let everyone = com_repo::all_members(conn.reborrow(), m.commission_id).await?;
    let member_name = |id: i64| {
        everyone
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.full_name.clone())
            .unwrap_or_default()
    };
    let present_ids: Vec<i64> = attendance
        .iter()
        .filter(|(_, p)| *p)
        .map(|(id, _)| *id)
        .collect();
    let doc_members: Vec<model::Member> = members
        .iter()
        .map(|x| model::Member {
            name: x.full_name.clone(),
            position: if x.home_organisation.is_empty() {
                x.position.clone()
            } else {
                format!("{}, {}", x.position, x.home_organisation)
            },
            office: offices
                .iter()
                .find(|o| o.member_id == x.id)
                .map(|o| o.office.clone()),
            teacher: x.is_teacher,
            present: present_ids.contains(&x.id),
        })
        .collect();
    let present = doc_members.iter().filter(|x| x.present).count();
    let quorum: Quorum = params.quorum;
    let quorum_min = quorum.minimum(u32::try_from(members.len()).unwrap_or(u32::MAX));
    let signers = signatories(conn.reborrow(), m, &everyone).await?;

    let units = programmes::units(conn.reborrow(), m.org_id).await?;
    let progs = programmes::list(conn.reborrow(), m.org_id).await?;
    // The agenda, then what belongs to its items, read for the whole meeting at once.
    let agenda = meetings_repo::items(conn.reborrow(), m.id).await?;
    let apps: HashMap<i64, apps_repo::ApplicationRow> = apps_repo::on_agenda(conn.reborrow(), m.id)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let documents_of = grouped(
        apps_repo::documents_on_agenda(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|d| (d.application_id, d)),
    );
    let checks_of = grouped(
        apps_repo::checks_on_agenda(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|c| (c.key, c.row)),
    );
    let certificates: HashMap<i64, apps_repo::CertificateRow> =
        apps_repo::certificates_on_agenda(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|c| (c.key, c.row))
            .collect();
    let mut recusals_of = grouped(
        meetings_repo::recusals_in(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|(item, member, reason)| (item, (member, reason))),
    );
    let mut votes_of = grouped(
        meetings_repo::votes_in(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|v| (v.key, v.row)),
    );
    let mut recognitions_of = grouped(
        meetings_repo::recognitions_in(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|(item, unit, credits, outcomes)| (item, (unit, credits, outcomes))),
    );
    let mut assessments_of = grouped(
        meetings_repo::assessments_in(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|(item, outcome, level, comment)| {
                (
                    item,
                    model::Assessment {
                        outcome,
                        level,
                        comment,
                    },
                )
            }),
    );
    let mut items = Vec::new();
    for (n, it) in agenda.into_iter().enumerate() {
        let app = apps.get(&it.application_id).ok_or(AppError::NotFound)?;
        let no_documents = Vec::new();
        let documents = documents_of.get(&app.id).unwrap_or(&no_documents);
        let mut docs: Vec<model::Document> = documents
            .iter()
            .map(|d| model::Document {
                kind: d.kind.clone(),
                file_name: d.original_name.clone(),
            })
            .collect();
        let statement = DocumentKind::Statement.as_str();
        if !docs.iter().any(|d| d.kind == statement) && !app.statement.trim().is_empty() {
            docs.insert(
                0,
                model::Document {
                    kind: statement.to_owned(),
                    file_name: String::new(),
                },
            );
        }
        let checked = checks_of
            .get(&app.id)
            .into_iter()
            .flatten()
            .filter(|c| c.complete)
            .max_by_key(|c| c.checked_at)
            .map(|c| {
                format!(
                    "{}, {}",
                    fmt_date(kz(c.checked_at).date()),
                    c.checked_by_name
                )
            })
            .unwrap_or_default();
        let cert = certificates.get(&app.id).cloned();
        let claimed: Vec<String> = cert
            .as_ref()
            .map(|c| serde_json::from_str(&c.outcomes).unwrap_or_default())
            .unwrap_or_default();
        let recusals = recusals_of.remove(&it.id).unwrap_or_default();
        let votes = votes_of.remove(&it.id).unwrap_or_default();
        let taking_part = it.taking_part_members();
        let mut vote_lines: Vec<model::Vote> = Vec::new();
        for id in &taking_part {
            vote_lines.push(model::Vote {
                name: member_name(*id),
                choice: votes
                    .iter()
                    .find(|v| v.member_id == *id)
                    .map_or_else(|| "none".to_owned(), |v| choice_of(&v.choice)),
            });
        }
        let tally = match (it.taking_part, it.recognise, it.refuse, it.abstain) {
            (Some(t), Some(r), Some(f), Some(a)) => {
                let u = |v: i64| usize::try_from(v).unwrap_or(0);
                let adopted = it.adopted.as_deref().and_then(|c| Choice::parse(c).ok());
                let o = meeting::rule_14_recorded(u(t), u(r), u(f), u(a), adopted);
                Some(model::Tally {
                    taking_part: o.taking_part,
                    recognise: o.recognise,
                    refuse: o.refuse,
                    abstain: o.abstain,
                    missing: o.missing,
                    needed: o.needed,
                    adopted: o.adopted.map(|c| c.as_str().to_owned()),
                })
            }
            _ => None,
        };
        let mut recognised = Vec::new();
        for (unit_id, credits, outcomes) in recognitions_of.remove(&it.id).unwrap_or_default() {
            let unit = units.iter().find(|u| u.id == unit_id);
            let programme = unit.and_then(|u| progs.iter().find(|p| p.id == u.programme_id));
            recognised.push(model::RecognisedUnit {
                programme: programme
                    .map(|p| format!("{} {}", p.code, p.title_kk))
                    .unwrap_or_default(),
                code: unit.map(|u| u.code.clone()).unwrap_or_default(),
                title: unit
                    .map(|u| {
                        if u.title_ru.is_empty() || u.title_ru == u.title_kk {
                            u.title_kk.clone()
                        } else {
                            format!("{} / {}", u.title_kk, u.title_ru)
                        }
                    })
                    .unwrap_or_default(),
                credits: u32::try_from(credits).unwrap_or(0),
                of_credits: unit.map_or(0, |u| u32::try_from(u.credits).unwrap_or(0)),
                outcomes: serde_json::from_str(&outcomes).unwrap_or_default(),
            });
        }
        let credits_total = recognised.iter().map(|u| u.credits).sum();
        items.push(model::Item {
            position: n + 1,
            application_number: app.number.clone().unwrap_or_default(),
            candidate: app.candidate_name.clone(),
            candidate_present: it.candidate_present,
            statement: app.statement.clone(),
            documents: docs,
            checked,
            certificate: cert.map(|c| model::Certificate {
                kind: c.kind,
                provider: c.provider_name,
                provider_bin: c.provider_bin,
                programme: c.programme_title,
                hours: c.hours.and_then(|h| u32::try_from(h).ok()),
                number: c.number,
                issued_on: fmt_date(c.issued_on),
            }),
            claimed_outcomes: claimed,
            interview_notes: it.interview_notes.clone(),
            assessments: assessments_of.remove(&it.id).unwrap_or_default(),
            recusals: recusals
                .iter()
                .map(|(id, reason)| model::Recusal {
                    name: member_name(*id),
                    reason: reason.clone(),
                })
                .collect(),
            votes: vote_lines,
            tally,
            result: result_of(it.status, it.adopted.as_deref()),
            reasons: it.decision_reasons.clone(),
            recognised,
            credits_total,
        });
    }

    let amends = match p.amends_id {
        Some(id) => repo::get(conn.reborrow(), m.org_id, id).await?,
        None => None,
    };
    // The protocol carries when the meeting was actually held: opened and closed.
    let opened = m.opened_at.unwrap_or(m.starts_at);
    let starts = kz(opened);
    let time_closed = m.closed_at.map_or_else(String::new, |closed| {
        if kz(closed).date() == starts.date() {
            fmt_time(closed)
        } else {
            fmt_datetime(closed)
        }
    });
    let names = OrgNames {
        kk: org.name_kk.clone(),
        ru: org.name_ru.clone(),
        en: org.name_en.clone(),
    };
    let doc = model::Protocol {
        lang: "kk".to_owned(),
        number: None,
        draft: true,
        addendum_to: amends.as_ref().map(|a| {
            format!(
                "№ {}, {}",
                match (a.seq, a.year) {
                    (Some(s), Some(y)) => rules::number(s, y),
                    _ => String::new(),
                },
                fmt_date(starts.date())
            )
        }),
        addendum_text: p.addendum_text.clone(),
        organisation: org.name_kk.clone(),
        organisation_bin: org.bin.clone(),
        commission: commission.name.clone(),
        commission_term: format!(
            "{} – {}",
            fmt_date(commission.term_from),
            fmt_date(commission.term_to)
        ),
        date: fmt_date(starts.date()),
        time: fmt_time(opened),
        time_closed,
        place: m.place.clone(),
        rule_set: format!("{} — {}", rule_set.code, rule_set.title),
        members: doc_members,
        present,
        quorum: usize::try_from(quorum_min).unwrap_or(usize::MAX),
        quorum_met: quorum.is_met(
            u32::try_from(present).unwrap_or(u32::MAX),
            u32::try_from(members.len()).unwrap_or(u32::MAX),
        ),
        presiding: signers.presiding_name.clone(),
        presiding_as_deputy: m.presiding_as_deputy == Some(true),
        secretary: signers.secretary_name.clone(),
        opening_text: p.opening_text.clone(),
        closing_text: p.closing_text.clone(),
        items: if p.kind == ProtocolKind::Addendum {
            Vec::new()
        } else {
            items
        },
        signatures: vec![
            model::Signature {
                role: signers.presiding_role.to_owned(),
                name: signers.presiding_name,
                approved_at: None,
            },
            model::Signature {
                role: "secretary".to_owned(),
                name: signers.secretary_name,
                approved_at: None,
            },
        ],
        verification: None,
        generated_at: String::new(),
    };
    Ok(Gathered {
        names,
        doc,
        presiding_person_id: signers.presiding_person_id,
        secretary_person_id: signers.secretary_person_id,
    })
}

pub(super) fn snapshot_of(p: &ProtocolRow) -> Result<Option<Snapshot>, AppError> {
    p.snapshot
        .as_deref()
        .map(|s| serde_json::from_str(s).map_err(|e| corrupt("protocols.snapshot", e)))
        .transpose()
}

pub(super) fn with_approvals(doc: &mut model::Protocol, approvals: &[repo::ApprovalRow]) {
    for sig in &mut doc.signatures {
        let role = if sig.role == "secretary" {
            "secretary"
        } else {
            "presiding"
        };
        sig.approved_at = approvals
            .iter()
            .find(|a| a.role == role)
            .map(|a| fmt_datetime(a.at));
    }
}
