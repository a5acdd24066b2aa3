//! Overlap resolution: from candidate findings to a non-overlapping set.

use std::collections::BTreeMap;

use hushgate_types::Finding;

/// Keeps a non-overlapping subset of `findings`, sorted by start.
///
/// Higher scores win; among equal scores the longer span wins (it hides more),
/// then the earlier one. Runs in `O(n log n)`.
pub fn resolve(mut findings: Vec<Finding>) -> Vec<Finding> {
    if findings.len() < 2 {
        return findings;
    }
    findings.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.len().cmp(&a.len()))
            .then(a.start.cmp(&b.start))
    });
    // Accepted spans keyed by start; they never overlap each other.
    let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        if f.is_empty() {
            continue;
        }
        let clash_before = taken
            .range(..f.end)
            .next_back()
            .is_some_and(|(_, &end)| end > f.start);
        if !clash_before {
            taken.insert(f.start, f.end);
            kept.push(f);
        }
    }
    kept.sort_by_key(|f| (f.start, f.end));
    kept
}

#[cfg(test)]
mod tests {
    use hushgate_types::EntityType;

    use super::*;

    fn f(start: usize, end: usize, score: f32) -> Finding {
        Finding::new(EntityType::PhoneNumber, start, end, score, "t")
    }

    #[test]
    fn higher_score_then_longer_wins() {
        let out = resolve(vec![
            f(0, 10, 0.5),
            f(2, 4, 0.9),
            f(5, 12, 0.5),
            f(20, 30, 0.1),
        ]);
        assert_eq!(
            out.iter().map(|x| (x.start, x.end)).collect::<Vec<_>>(),
            vec![(2, 4), (5, 12), (20, 30)]
        );
    }

    #[test]
    fn touching_spans_both_kept() {
        let out = resolve(vec![f(0, 5, 0.5), f(5, 9, 0.5)]);
        assert_eq!(out.len(), 2);
    }
}
