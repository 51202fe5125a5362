//! Compiling prerequisites and checking the prerequisite graph (cycles, depth, fan-out).

use crate::error::ProblemCode;
use crate::json::{q, Json, Path};
use crate::message::msg;
use crate::model::{Flag, Prerequisite, MAX_PREREQUISITE_DEPTH, MAX_PREREQUISITE_EVALUATIONS};

use super::checker::{Checker, Obj};
use super::flags::variant_ref;
use super::{FlagHead, Refs, PREREQ_FIELDS};

// Over 80 lines: one list's items, each with the variant/variants alternatives and their
// problems spelled out.
pub(crate) fn compile_prerequisites(
    c: &mut Checker,
    obj: &Obj<'_>,
    refs: &Refs<'_>,
) -> (Vec<Prerequisite>, Vec<usize>) {
    let mut out = Vec::new();
    let mut positions = Vec::new();
    let Some(value) = obj.get("prerequisites") else {
        return (out, positions);
    };
    let base = obj.at("prerequisites");
    let Json::Array(items) = value else {
        c.wrong_type(&base, "an array of prerequisites", value);
        return (out, positions);
    };
    for (i, item) in items.iter().enumerate() {
        let path = base.index(i);
        let Some(p) = Obj::read(c, item, &path, PREREQ_FIELDS) else {
            continue;
        };
        let Some(flag_key) = p.required(c, "flag").and_then(|v| match v {
            Json::String(s) => Some(s.as_str()),
            other => {
                c.wrong_type(&p.at("flag"), "a flag key", other);
                None
            }
        }) else {
            continue;
        };
        let Some(&flag) = refs.index.get(flag_key) else {
            let suggestion = c.suggest(flag_key, refs.heads.iter().map(|h| h.key));
            c.error(
                &p.at("flag"),
                ProblemCode::UnknownPrerequisite,
                msg!("no flag ", q(flag_key), " in this config", suggestion),
            );
            continue;
        };
        let names = refs.variants(flag);
        let mut variants = Vec::new();
        if names.is_empty() {
            // The required flag is itself invalid and already reported.
            continue;
        }
        match (p.get("variant"), p.get("variants")) {
            (Some(v), None) => variants.extend(variant_ref(c, v, &p.at("variant"), names)),
            (None, Some(Json::Array(vs))) if !vs.is_empty() => {
                for (j, v) in vs.iter().enumerate() {
                    variants.extend(variant_ref(c, v, &p.at("variants").index(j), names));
                }
            }
            (None, Some(Json::Array(_))) => {
                c.error(
                    &p.at("variants"),
                    ProblemCode::InvalidValue,
                    "list at least one variant",
                );
            }
            (None, Some(other)) => {
                c.wrong_type(&p.at("variants"), "an array of variant names", other)
            }
            (Some(_), Some(_)) => c.error(
                &path,
                ProblemCode::InvalidValue,
                "give either \"variant\" or \"variants\", not both",
            ),
            (None, None) => c.error(
                &path,
                ProblemCode::MissingField,
                "missing required field \"variant\" (or \"variants\")",
            ),
        }
        out.push(Prerequisite { flag, variants });
        positions.push(i);
    }
    (out, positions)
}

/// The path of the `flag` field of the prerequisite at `position` in flag `flag`'s
/// `prerequisites`, for a problem found in the prerequisite graph.
pub(crate) fn prerequisite_path(
    c: &mut Checker,
    flags_path: &Path<'_>,
    key: &str,
    position: usize,
    code: ProblemCode,
    message: String,
) {
    let flag = flags_path.key(key);
    let list = flag.key("prerequisites");
    let item = list.index(position);
    c.error(&item.key("flag"), code, message);
}

// Over 80 lines: one iterative depth-first search (no recursion: a long chain must not
// overflow the stack) with the depth and fan-out counts computed on the way back.
pub(crate) fn check_prerequisite_graph(
    c: &mut Checker,
    flags: &[Option<Flag>],
    flags_path: &Path<'_>,
    positions: &[Vec<usize>],
    heads: &[FlagHead<'_>],
) {
    // Colors: 0 new, 1 on the stack, 2 done. Iterative DFS, so a long chain cannot
    // overflow the stack.
    let n = flags.len();
    // No edges (most configs): no cycle, every depth and count 0, nothing to report.
    if flags.iter().flatten().all(|f| f.prerequisites.is_empty()) {
        return;
    }
    // The prerequisites of flag `i`, borrowed (built once, never per step: a flag with
    // 100k prerequisites visited 100k times made the search quadratic).
    let edges =
        |i: usize| -> &[Prerequisite] { flags[i].as_ref().map_or(&[], |f| &f.prerequisites[..]) };
    // Where each flag on the stack is in it, to cut a cycle out without a search.
    let mut stack_pos = vec![0usize; n];
    let mut color = vec![0u8; n];
    let mut depth = vec![0usize; n];
    let mut evaluations = vec![0usize; n];
    let mut reported_cycle = vec![false; n];
    // One stack for every search (empty again after each).
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for start in 0..n {
        if color[start] != 0 {
            continue;
        }
        stack.push((start, 0));
        stack_pos[start] = 0;
        color[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let out = edges(node);
            if *next < out.len() {
                let edge = *next;
                *next += 1;
                let target = out[edge].flag as usize;
                match color[target] {
                    0 => {
                        color[target] = 1;
                        stack_pos[target] = stack.len();
                        stack.push((target, 0));
                    }
                    1 if !reported_cycle[node] => {
                        reported_cycle[node] = true;
                        let message = cycle_message(&stack[stack_pos[target]..], target, heads);
                        match positions[node].get(edge) {
                            Some(&position) => prerequisite_path(
                                c,
                                flags_path,
                                heads[node].key,
                                position,
                                ProblemCode::PrerequisiteCycle,
                                message,
                            ),
                            None => c.error(&Path::root(), ProblemCode::PrerequisiteCycle, message),
                        }
                    }
                    _ => {}
                }
            } else {
                depth[node] = out
                    .iter()
                    .map(|p| p.flag as usize)
                    .filter(|&t| color[t] == 2)
                    .map(|t| depth[t] + 1)
                    .max()
                    .unwrap_or(0);
                evaluations[node] = out
                    .iter()
                    .map(|p| p.flag as usize)
                    .filter(|&t| color[t] == 2)
                    .fold(0usize, |sum, t| {
                        sum.saturating_add(evaluations[t].saturating_add(1))
                    });
                color[node] = 2;
                stack.pop();
            }
        }
    }
    for (i, d) in depth.iter().enumerate() {
        let message = if *d > MAX_PREREQUISITE_DEPTH {
            msg!(
                "flag ",
                q(heads[i].key),
                " has a chain of ",
                d,
                " prerequisites; the limit is ",
                MAX_PREREQUISITE_DEPTH
            )
        } else if evaluations[i] > MAX_PREREQUISITE_EVALUATIONS {
            msg!("flag ", q(heads[i].key), " needs ", evaluations[i], " prerequisite evaluations (a prerequisite shared by several paths counts once per path); the limit is ", MAX_PREREQUISITE_EVALUATIONS)
        } else {
            continue;
        };
        match positions[i].first() {
            Some(&position) => prerequisite_path(
                c,
                flags_path,
                heads[i].key,
                position,
                ProblemCode::PrerequisiteDepth,
                message,
            ),
            None => c.error(&Path::root(), ProblemCode::PrerequisiteDepth, message),
        }
    }
}

/// The most flags a cycle message names: a cycle through a million flags is reported as
/// its first ones and a count, so each report costs the same.
const CYCLE_MESSAGE_FLAGS: usize = 10;

/// `prerequisites form a cycle: a -> b -> a`, from the stack from `target` on.
fn cycle_message(on_stack: &[(usize, usize)], target: usize, heads: &[FlagHead<'_>]) -> String {
    let mut message = String::from("prerequisites form a cycle: ");
    for &(s, _) in on_stack.iter().take(CYCLE_MESSAGE_FLAGS) {
        message.push_str(heads[s].key);
        message.push_str(" -> ");
    }
    if on_stack.len() > CYCLE_MESSAGE_FLAGS {
        let more = on_stack.len() - CYCLE_MESSAGE_FLAGS;
        message.push_str("... (");
        crate::number::write_u64(&mut message, more as u64);
        message.push_str(" more flags) -> ");
    }
    message.push_str(heads[target].key);
    message
}
