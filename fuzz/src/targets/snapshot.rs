//! Snapshot load: any JSON gives a desk or a typed error; a loaded desk runs its queries,
//! saves, and loads back equal.

use super::{Fuzz, Target, demo, exercise, round_trips};
use crate::mutate;
use crate::rng::Rng;
use chrono::{DateTime, Utc};
use partnerdesk::Desk;
use partnerdesk::query::Query;
use serde_json::Value;

/// The target.
pub(crate) const TARGET: Target = Target {
    name: "snapshot",
    about: "snapshot JSON load: typed error or a desk that runs and round-trips",
    setup: || Box::new(Snapshot::new()),
};

pub(super) struct Snapshot {
    corpus: Vec<(String, Value)>,
    now: DateTime<Utc>,
}

impl Snapshot {
    pub(super) fn new() -> Self {
        let mut corpus = Vec::new();
        let (small, now) = demo(12, 9);
        let (huawei, _) = match partnerdesk_huawei::fixtures::desk(partnerdesk::Site::China, now) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("setup: the Huawei fixture desk failed: {e}");
                std::process::exit(2);
            }
        };
        for desk in [small, huawei] {
            if let Ok(json) = desk.to_snapshot_json()
                && let Ok(v) = serde_json::from_str::<Value>(&json)
            {
                corpus.push((json, v));
            }
        }
        Snapshot { corpus, now }
    }
}

impl Fuzz for Snapshot {
    fn generate(&self, rng: &mut Rng) -> Vec<u8> {
        let Some((text, value)) = rng.pick(&self.corpus) else {
            return Vec::new();
        };
        if rng.chance(15) {
            let others: Vec<&[u8]> = self.corpus.iter().map(|(t, _)| t.as_bytes()).collect();
            return mutate::bytes(
                rng,
                text.as_bytes(),
                &["{", "}", "[", "]", ",", "\"", ":", "null", "1e999"],
                &others,
            );
        }
        serde_json::to_vec(&mutate::json(rng, value, 4)).unwrap_or_default()
    }

    fn run(&self, input: &[u8]) -> Result<(), String> {
        let text = String::from_utf8_lossy(input);
        let Ok(desk) = Desk::from_snapshot_json(&text) else {
            return Ok(());
        };
        exercise(&desk, &Query::all(), self.now)?;
        exercise(&desk, &Query::all().including_disassociated(true), self.now)?;
        round_trips(&desk)
    }
}
