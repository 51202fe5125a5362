//! Applying a decision: the default split a plan-managed flag serves at a share.

use crate::bucket::BUCKETS;
use crate::error::StoreError;
use crate::model::plan::Plan;
use crate::model::{Serve, Split};

/// The default a plan-managed flag serves at `share` (thousandths of a percent): the plan's
/// variant to `share`, the control to the rest, laid out as the current default lays out
/// the plan's variant (first or last), so raising the share only adds users.
pub(crate) fn serve_at(current: &Serve, plan: &Plan, share: u32) -> Result<Serve, StoreError> {
    if share > BUCKETS {
        return Err(StoreError::InvalidPercentage(share));
    }
    Ok(if share == BUCKETS {
        Serve::Variant(plan.variant)
    } else if share == 0 {
        Serve::Variant(plan.control)
    } else if canary_first(current, plan.variant) {
        Serve::Split(Split {
            ranges: vec![(share, plan.variant), (BUCKETS, plan.control)],
        })
    } else {
        Serve::Split(Split {
            ranges: vec![(BUCKETS - share, plan.control), (BUCKETS, plan.variant)],
        })
    })
}

/// Whether the plan's variant takes the low buckets in the current default (the last
/// split of a staged default decides; without a split, it does).
fn canary_first(serve: &Serve, variant: u32) -> bool {
    match serve {
        Serve::Variant(_) => true,
        Serve::Split(split) => {
            let mut start = 0;
            for &(end, v) in &split.ranges {
                if v == variant {
                    return start == 0 || end != BUCKETS;
                }
                start = end;
            }
            true
        }
        Serve::Staged(stages) => stages
            .iter()
            .rev()
            .find(|s| matches!(s.serve, Serve::Split(_)))
            .is_none_or(|s| canary_first(&s.serve, variant)),
    }
}
