//! Whether a protocol's record adds up (rule 9): the meeting's stored rows read into the
//! domain's `Record` and judged there. A protocol is sent and made final only when it
//! does.

use super::*;

/// Reads the record of a held meeting – the composition when it opened, attendance,
/// the presiding officer, and each item's base, recusals and votes – and asks the
/// domain whether it adds up.
pub(super) async fn check_record(mut conn: Conn<'_>, m: &MeetingRow) -> Result<(), AppError> {
    let commission = com_repo::get(conn.reborrow(), m.org_id, m.commission_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let params = crate::rule_sets::params_of(conn.reborrow(), commission.rule_set_id).await?;
    let at = m.opened_at.unwrap_or(m.starts_at);
    let composition: Vec<i64> = com_repo::members_at(conn.reborrow(), m.commission_id, at)
        .await?
        .iter()
        .map(|x| x.id)
        .collect();
    // Attendance recorded before the meeting opened for a member removed before it
    // opened is left out: the meeting never counted them.
    let everyone = com_repo::all_members(conn.reborrow(), m.commission_id).await?;
    let left_before = |id: i64| {
        everyone
            .iter()
            .any(|x| x.id == id && x.left_at.is_some_and(|left| left <= at))
    };
    let present: Vec<i64> = meetings_repo::attendance(conn.reborrow(), m.id)
        .await?
        .into_iter()
        .filter(|(id, p)| *p && !left_before(*id))
        .map(|(id, _)| id)
        .collect();
    let mut recusals = grouped(
        meetings_repo::recusals_in(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|(item, member, _)| (item, member)),
    );
    let mut votes = grouped(
        meetings_repo::votes_in(conn.reborrow(), m.id)
            .await?
            .into_iter()
            .map(|v| (v.key, v.row.member_id)),
    );
    let items = meetings_repo::items(conn, m.id)
        .await?
        .into_iter()
        .map(|it| rules::ItemRecord {
            taking_part: it.taking_part_members(),
            recused: recusals.remove(&it.id).unwrap_or_default(),
            voters: votes.remove(&it.id).unwrap_or_default(),
        })
        .collect();
    rules::rule_9_record_adds_up(&rules::Record {
        composition,
        present,
        presiding: m.presiding_member_id,
        quorum: params.quorum,
        items,
    })?;
    Ok(())
}
