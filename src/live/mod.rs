//! Live class sessions, the pure part: join codes, the trainer's controls as a state machine,
//! who sees which event, and the aggregates of the big-screen view (score histogram, best and
//! worst answer). No I/O: the database is in `db::live`, HTTP and the fan-out in `web::live`.

use std::fmt;

/// The letters of a join code: no 0/O, 1/I/L, 5/S, 2/Z, so that a code read off a projector
/// and typed on a phone is hard to get wrong.
const CODE_ALPHABET: &[u8] = b"346789ABCDEFGHJKMNPQRTUVWXY";

/// Join codes are this long: 27^6 ≈ 387 million codes, against at most a few thousand sessions,
/// and the join endpoints sit behind a login or a trainer's explicit "allow guests".
pub const CODE_LEN: usize = 6;

/// Guests (their names and tokens) are deleted at the latest this long after a session started.
pub const GUEST_LIFETIME_MS: i64 = 24 * 3600 * 1000;

/// Buckets of the score histogram: [0, 0.1), [0.1, 0.2), …, [0.9, 1.0].
pub const HISTOGRAM_BUCKETS: usize = 10;

/// A join code from random bytes (one byte per letter; the modulo bias of 256 % 27 is
/// irrelevant for a code that is not a secret).
pub fn join_code(random: &[u8; CODE_LEN]) -> String {
    random
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()]))
        .collect()
}

/// A code as typed by a person: case and surrounding spaces do not matter; `None` if it cannot
/// be a code at all (so that the database is not asked).
pub fn normalise_code(typed: &str) -> Option<String> {
    let code = typed.trim().to_ascii_uppercase();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// Where a session is in its current round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveState {
    /// Participants may answer.
    Open,
    /// Answering is closed; the key is not shown yet.
    Closed,
    /// Answering is closed and the key is shown (in the live views only).
    Revealed,
    /// The session is over: nothing more can happen.
    Ended,
}

impl LiveState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Revealed => "revealed",
            Self::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            "revealed" => Some(Self::Revealed),
            "ended" => Some(Self::Ended),
            _ => None,
        }
    }
}

impl fmt::Display for LiveState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the trainer can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Open,
    Close,
    Reveal,
    /// Show the best and the worst answer of the round, without names.
    Extremes,
    /// Move to another exercise: a new round, open for answers.
    Next,
    End,
}

impl Control {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "close" => Some(Self::Close),
            "reveal" => Some(Self::Reveal),
            "extremes" => Some(Self::Extremes),
            "next" => Some(Self::Next),
            "end" => Some(Self::End),
            _ => None,
        }
    }
}

/// The state after `control`, or `None` if it makes no sense now (the trainer's page only
/// offers what makes sense, so this is a stale page or a second trainer tab).
pub fn apply(state: LiveState, control: Control) -> Option<LiveState> {
    use LiveState::{Closed, Ended, Open, Revealed};
    match (state, control) {
        (Ended, _) => None,
        (_, Control::End) => Some(Ended),
        (_, Control::Next) => Some(Open),
        (Closed | Revealed, Control::Open) => Some(Open),
        (Open, Control::Close) => Some(Closed),
        // Revealing closes answering too: nobody can answer after seeing the key.
        (Open | Closed, Control::Reveal) => Some(Revealed),
        (s, Control::Extremes) => Some(s),
        _ => None,
    }
}

/// Who an event is for. Each participant's own graded answer goes back in the POST response;
/// the answers of others are shown on the trainer's screen only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Trainer,
    Participant,
}

impl Audience {
    /// Whether a viewer with this audience receives an event marked `trainer_only`.
    pub fn sees(self, trainer_only: bool) -> bool {
        self == Self::Trainer || !trainer_only
    }
}

/// Counts of scores per histogram bucket; scores outside [0, 1] are clamped, NaN is left out.
pub fn histogram(scores: impl IntoIterator<Item = f64>) -> [u32; HISTOGRAM_BUCKETS] {
    let mut buckets = [0_u32; HISTOGRAM_BUCKETS];
    for score in scores.into_iter().filter(|s| !s.is_nan()) {
        let clamped = score.clamp(0.0, 1.0);
        // Truncation is the point: 0.37 goes to bucket 3; 1.0 joins the top bucket.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let i = ((clamped * HISTOGRAM_BUCKETS as f64) as usize).min(HISTOGRAM_BUCKETS - 1);
        buckets[i] += 1;
    }
    buckets
}

/// The ids of the best and the worst answer (by score; the earlier answer wins a tie, so the
/// choice is stable when the trainer asks twice). `None` when there are no answers.
pub fn extremes(answers: &[(i64, f64)]) -> Option<(i64, i64)> {
    let mut best = answers.first()?;
    let mut worst = best;
    for a in answers {
        if a.1 > best.1 {
            best = a;
        }
        if a.1 < worst.1 {
            worst = a;
        }
    }
    Some((best.0, worst.0))
}

/// A guest's display name as typed: trimmed, 1 to 40 characters, no control characters.
pub fn guest_name(typed: &str) -> Option<String> {
    let name = typed.trim();
    let ok = !name.is_empty() && name.chars().count() <= 40 && !name.chars().any(char::is_control);
    ok.then(|| name.to_owned())
}

/// The value of a `Last-Event-ID` header: a positive event id, anything else is "from the start".
pub fn last_event_id(header: Option<&str>) -> i64 {
    header
        .and_then(|h| h.trim().parse::<i64>().ok())
        .filter(|id| *id > 0)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_unambiguous_alphabet_and_round_trip() {
        let code = join_code(&[0, 1, 26, 27, 200, 255]);
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert_eq!(
            normalise_code(&format!("  {} ", code.to_lowercase())),
            Some(code)
        );
        assert_eq!(normalise_code("ABC"), None);
        assert_eq!(normalise_code("ABCDE0"), None, "0 is not in the alphabet");
        assert_eq!(normalise_code("ÅÄÖÅÄÖ"), None);
    }

    #[test]
    fn controls_follow_the_round() {
        use LiveState::*;
        assert_eq!(apply(Open, Control::Close), Some(Closed));
        assert_eq!(apply(Open, Control::Reveal), Some(Revealed));
        assert_eq!(apply(Closed, Control::Reveal), Some(Revealed));
        assert_eq!(apply(Revealed, Control::Reveal), None);
        assert_eq!(apply(Open, Control::Open), None);
        assert_eq!(apply(Closed, Control::Open), Some(Open));
        assert_eq!(apply(Revealed, Control::Next), Some(Open));
        assert_eq!(apply(Open, Control::Extremes), Some(Open));
        assert_eq!(apply(Closed, Control::End), Some(Ended));
        for c in [
            Control::Open,
            Control::Next,
            Control::End,
            Control::Extremes,
        ] {
            assert_eq!(apply(Ended, c), None, "{c:?} after the end");
        }
        for s in ["open", "closed", "revealed", "ended"] {
            assert_eq!(LiveState::parse(s).map(LiveState::as_str), Some(s));
        }
        assert_eq!(Control::parse("reveal"), Some(Control::Reveal));
        assert_eq!(Control::parse("grade"), None);
    }

    #[test]
    fn participants_do_not_see_trainer_events() {
        assert!(Audience::Trainer.sees(true));
        assert!(Audience::Trainer.sees(false));
        assert!(!Audience::Participant.sees(true));
        assert!(Audience::Participant.sees(false));
    }

    #[test]
    fn histogram_buckets_scores() {
        let h = histogram([0.0, 0.05, 0.1, 0.37, 0.99, 1.0, 1.5, -0.2, f64::NAN]);
        assert_eq!(h, [3, 1, 0, 1, 0, 0, 0, 0, 0, 3]);
        assert_eq!(histogram([]).iter().sum::<u32>(), 0);
    }

    #[test]
    fn extremes_are_stable_on_ties() {
        assert_eq!(extremes(&[]), None);
        assert_eq!(extremes(&[(7, 0.5)]), Some((7, 7)));
        assert_eq!(
            extremes(&[(1, 0.5), (2, 0.9), (3, 0.1), (4, 0.9), (5, 0.1)]),
            Some((2, 3))
        );
    }

    #[test]
    fn guest_names_and_event_ids() {
        assert_eq!(guest_name("  Åsa "), Some("Åsa".to_owned()));
        assert_eq!(guest_name("   "), None);
        assert_eq!(guest_name(&"x".repeat(41)), None);
        assert_eq!(guest_name("a\u{7}b"), None);
        assert_eq!(last_event_id(Some(" 42 ")), 42);
        assert_eq!(last_event_id(Some("-3")), 0);
        assert_eq!(last_event_id(Some("x")), 0);
        assert_eq!(last_event_id(None), 0);
    }
}
