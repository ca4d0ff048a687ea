//! Who is in a room, as the other members see them.

use serde::{Deserialize, Serialize};

use crate::auth::Principal;

/// One person in a room (several tabs of the same person count once).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    /// Stable id: the interviewer's user id or the candidate's id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `interviewer` or `candidate`.
    pub role: String,
    /// Cursor and avatar colour, stable for the id.
    pub colour: String,
}

/// Colours that stay readable on the editor's light and dark themes.
const PALETTE: [&str; 10] = [
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
    "#469990", "#808000",
];

impl Participant {
    /// The participant a token speaks for.
    pub fn of(principal: &Principal) -> Self {
        let id = principal_id(principal).to_string();
        // FNV-1a: a stable colour per person across reconnects and nodes.
        let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Self {
            colour: PALETTE[(hash % PALETTE.len() as u64) as usize].to_string(),
            name: principal.name().to_string(),
            role: principal.role().to_string(),
            id,
        }
    }
}

/// The id a principal is known by in rooms and in the update log.
fn principal_id(principal: &Principal) -> &str {
    match principal {
        Principal::Interviewer { user_id, .. } => user_id,
        Principal::Candidate { candidate_id, .. } => candidate_id,
    }
}

/// Merges people seen on several nodes: one entry per person, in a stable order.
pub fn merge(lists: impl IntoIterator<Item = Participant>) -> Vec<Participant> {
    let mut people: Vec<Participant> = Vec::new();
    for p in lists {
        if !people.iter().any(|q| q.id == p.id) {
            people.push(p);
        }
    }
    people.sort_by(|a, b| (&a.role, &a.name, &a.id).cmp(&(&b.role, &b.name, &b.id)));
    people
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_is_stable_per_person() {
        let p = Principal::Candidate {
            candidate_id: "c-1".into(),
            session_id: "s".into(),
            name: "Ada".into(),
        };
        let a = Participant::of(&p);
        assert_eq!(a, Participant::of(&p));
        assert_eq!(a.role, "candidate");
        assert_eq!(a.id, "c-1");
    }
}
