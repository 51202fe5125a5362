//! `matches`: a small regular-expression engine, linear in the text whatever the pattern.
//!
//! Why not a crate: regex-lite, the smallest linear-time engine published, added 16.5 KB
//! gzipped to the `.wasm` (the whole targeting work of issue 14 had 5.8 KB left of its
//! budget); this engine adds about 6.5 KB (compiled as it is parsed, without a syntax tree:
//! 0.6 KB less than with one). It implements the common subset of the Rust
//! `regex` syntax, with the same meaning (checked against regex-lite by a differential test
//! in this module), and refuses everything else at load (`invalid_regex`):
//!
//! - literals, `.` (any character but `\n`; with `(?s)` any), `[...]` / `[^...]` classes
//!   with ranges and the escapes below, alternation `|`, groups `(...)`, `(?:...)`,
//!   `(?P<name>...)`, `(?<name>...)`;
//! - repetition `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (each also lazy with `?`: the same for
//!   a yes/no match), counts up to 1,000;
//! - `^`, `$`, `\A`, `\z` (the text's start and end; no multi-line mode), `\b`, `\B` (ASCII
//!   word boundary);
//! - `\d`, `\w`, `\s` and their negations (ASCII, as regex-lite), `\t`, `\n`, `\r`, `\f`,
//!   `\v`, `\xHH`, `\x{H...}`, `\u{H...}`, and any escaped ASCII punctuation;
//! - flags `(?i)` (ASCII case-insensitive, as regex-lite), `(?s)`, `(?-i)`, scoped `(?i:...)`.
//!
//! Not supported (errors, never silently different): look-around, backreferences,
//! Unicode classes (`\p{..}`), POSIX classes (`[[:alpha:]]`), class set operations, and the
//! `m`, `x`, `U` flags.
//!
//! Matching simulates the compiled NFA over a bit set per position (Thompson's
//! construction): `O(len(text) × states)`, no backtracking, and no allocation: a pattern
//! compiles to at most [`MAX_STATES`] states, so the sets live on the stack.

use crate::text::digits_value;

/// The most NFA states a pattern compiles to (`regex_too_large` beyond).
pub(crate) const MAX_STATES: usize = 2048;
/// The largest repetition count (`{1001}` is `regex_too_large`).
const MAX_REPEAT: u32 = 1000;
/// The deepest nesting of groups.
const MAX_NEST: usize = 64;

const WORDS: usize = MAX_STATES / 64;

/// Why a pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RegexError {
    /// It does not parse, or uses syntax this engine does not have.
    Invalid(&'static str),
    /// It compiles to more than [`MAX_STATES`] states (or a count over 1,000).
    TooLarge,
}

/// A zero-width assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    Start,
    End,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Debug, Clone)]
enum Inst {
    /// Sorted, merged ranges of code points.
    Class(Box<[(u32, u32)]>),
    Look(Look),
    Split(u16, u16),
    Jmp(u16),
    Match,
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Regex {
    insts: Box<[Inst]>,
    /// Every path from the start reads `^`/`\A` before any character: no new thread after
    /// the first position.
    anchored: bool,
}

impl Regex {
    pub(crate) fn new(pattern: &str) -> Result<Regex, RegexError> {
        let mut p = Parser {
            text: pattern,
            pos: 0,
            fold: false,
            dot_all: false,
            depth: 0,
            insts: Vec::new(),
            too_large: false,
        };
        p.alternation()?;
        if p.pos < pattern.len() {
            return Err(RegexError::Invalid("unopened group: ')'"));
        }
        p.push(Inst::Match);
        // Syntax first: a pattern that is both is invalid, as when the whole pattern was
        // parsed before any of it was compiled.
        if p.too_large {
            return Err(RegexError::TooLarge);
        }
        let anchored = anchored(&p.insts);
        Ok(Regex {
            insts: p.insts.into_boxed_slice(),
            anchored,
        })
    }

    /// Whether the pattern matches anywhere in `text`. Does not allocate.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        let mut cur = [0u64; WORDS];
        let mut next = [0u64; WORDS];
        let mut stack = [0u16; 2 * MAX_STATES + 2];
        let mut chars = text.chars();
        let mut ahead = chars.clone().next();
        self.add(&mut cur, &mut stack, 0, None, ahead);
        let mut prev = None;
        // Only the words that hold states of this pattern.
        let words = self.insts.len().div_ceil(64).min(WORDS);
        while let Some(c) = chars.next() {
            if self.has_match(&cur) {
                return true;
            }
            ahead = chars.clone().next();
            next[..words].fill(0);
            for (w, &word) in cur[..words].iter().enumerate() {
                let mut bits = word;
                while bits != 0 {
                    let pc = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    if let Some(Inst::Class(ranges)) = self.insts.get(pc) {
                        if class_has(ranges, c) {
                            self.add(&mut next, &mut stack, pc + 1, Some(c), ahead);
                        }
                    }
                }
            }
            prev = Some(c);
            if !self.anchored {
                self.add(&mut next, &mut stack, 0, prev, ahead);
            } else if next[..words].iter().all(|&w| w == 0) {
                return false;
            }
            std::mem::swap(&mut cur, &mut next);
        }
        let _ = prev;
        self.has_match(&cur)
    }

    fn has_match(&self, set: &[u64; WORDS]) -> bool {
        let last = self.insts.len() - 1; // the one Match, at the end
        set[last / 64] & (1 << (last % 64)) != 0
    }

    /// Adds `pc` and every state reachable from it without reading a character.
    fn add(
        &self,
        set: &mut [u64; WORDS],
        stack: &mut [u16; 2 * MAX_STATES + 2],
        pc: usize,
        prev: Option<char>,
        next: Option<char>,
    ) {
        let mut top = 0;
        stack[top] = pc as u16;
        top += 1;
        while top > 0 {
            top -= 1;
            let pc = usize::from(stack[top]);
            let (w, bit) = (pc / 64, 1u64 << (pc % 64));
            if set[w] & bit != 0 {
                continue;
            }
            set[w] |= bit;
            let mut push = |to: u16| {
                if let Some(slot) = stack.get_mut(top) {
                    *slot = to;
                    top += 1;
                }
            };
            match self.insts.get(pc) {
                Some(Inst::Split(a, b)) => {
                    push(*b);
                    push(*a);
                }
                Some(Inst::Jmp(a)) => push(*a),
                Some(Inst::Look(look)) if holds(*look, prev, next) => push(pc as u16 + 1),
                _ => {}
            }
        }
    }
}

fn holds(look: Look, prev: Option<char>, next: Option<char>) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    match look {
        Look::Start => prev.is_none(),
        Look::End => next.is_none(),
        Look::WordBoundary => word(prev) != word(next),
        Look::NotWordBoundary => word(prev) == word(next),
    }
}

#[inline]
fn class_has(ranges: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
}

/// Whether every path from the first instruction meets a `Look::Start` before reading a
/// character or matching.
fn anchored(insts: &[Inst]) -> bool {
    let mut seen = vec![false; insts.len()];
    let mut stack = vec![0u16];
    while let Some(pc) = stack.pop() {
        let pc = usize::from(pc);
        match seen.get_mut(pc) {
            Some(s) if !*s => *s = true,
            _ => continue,
        }
        match insts.get(pc) {
            Some(Inst::Look(Look::Start)) => {}
            Some(Inst::Split(a, b)) => stack.extend([*a, *b]),
            Some(Inst::Jmp(a)) => stack.push(*a),
            _ => return false,
        }
    }
    true
}

/// What [`Parser::atom`] read.
#[derive(PartialEq)]
enum Atom {
    /// Code that reads characters, or a group (which may be repeated).
    Code,
    /// An assertion (which may not be repeated).
    Look,
    /// A flag group such as `(?i)`: no code.
    Flags,
}

/// Parses and compiles in one pass: each atom's code is emitted as it is read, and a
/// repetition or an alternation that follows rewrites the code just emitted (copies of it,
/// with its jumps moved), so no syntax tree is built. The code is what Thompson's
/// construction gives: `x{n,m}` is `n` copies of `x`, then `m - n` times a split past the
/// rest and a copy; `x{n,}` is `n` copies, then a split, a copy and a jump back; `a|b` is a
/// split to both, `a`, a jump past `b`, `b`.
struct Parser<'a> {
    text: &'a str,
    pos: usize,
    fold: bool,
    dot_all: bool,
    depth: usize,
    insts: Vec<Inst>,
    /// More than [`MAX_STATES`] instructions: parsing goes on (a syntax error wins), and
    /// emitting stops.
    too_large: bool,
}

fn invalid<T>(message: &'static str) -> Result<T, RegexError> {
    Err(RegexError::Invalid(message))
}

impl Parser<'_> {
    /// Appends `inst`; returns where it went.
    fn push(&mut self, inst: Inst) -> usize {
        let at = self.insts.len();
        if at >= MAX_STATES {
            self.too_large = true;
        } else {
            self.insts.push(inst);
        }
        at
    }

    fn here(&self) -> u16 {
        self.insts.len() as u16
    }

    /// Points the open end of the split or jump at `at` to `to`.
    fn patch(&mut self, at: usize, to: u16) {
        match self.insts.get_mut(at) {
            Some(Inst::Split(_, b)) => *b = to,
            Some(Inst::Jmp(a)) => *a = to,
            _ => {}
        }
    }

    /// Removes and returns the code from `at` on (to be emitted again by [`Parser::copy`]).
    fn take_from(&mut self, at: usize) -> Vec<Inst> {
        self.insts.split_off(at.min(self.insts.len()))
    }

    /// Appends `code`, which was emitted at `from`: its jumps move with it.
    fn copy(&mut self, code: &[Inst], from: usize) {
        if self.insts.len() + code.len() > MAX_STATES {
            self.too_large = true;
            return;
        }
        // Pushed one by one: no intermediate `Vec` and its `collect` code.
        let base = self.here().wrapping_sub(from as u16);
        let shift = |t: u16| t.wrapping_add(base);
        self.insts.reserve(code.len());
        for inst in code {
            self.insts.push(match inst {
                Inst::Split(a, b) => Inst::Split(shift(*a), shift(*b)),
                Inst::Jmp(a) => Inst::Jmp(shift(*a)),
                other => other.clone(),
            });
        }
    }

    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..)?.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.text.get(self.pos..).is_some_and(|t| t.starts_with(s)) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn alternation(&mut self) -> Result<(), RegexError> {
        let mut branch = self.insts.len();
        let mut jumps = Vec::new();
        self.concat()?;
        while self.eat("|") {
            // The branch just read moves behind a split to it and to the next branch.
            let code = self.take_from(branch);
            let split = self.push(Inst::Split(branch as u16 + 1, 0));
            self.copy(&code, branch);
            jumps.push(self.push(Inst::Jmp(0)));
            let next = self.here();
            self.patch(split, next);
            branch = self.insts.len();
            self.concat()?;
        }
        let end = self.here();
        for j in jumps {
            self.patch(j, end);
        }
        Ok(())
    }

    fn concat(&mut self) -> Result<(), RegexError> {
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let (start, over) = (self.insts.len(), self.too_large);
            let atom = self.atom()?;
            self.repetitions(start, atom, over)?;
        }
        Ok(())
    }

    /// The repetition operators after the atom whose code starts at `start` (`over`: the
    /// code before it was already too large).
    fn repetitions(&mut self, start: usize, mut atom: Atom, over: bool) -> Result<(), RegexError> {
        loop {
            let (min, max) = match self.peek() {
                Some('*') => (0, None),
                Some('+') => (1, None),
                Some('?') => (0, Some(1)),
                Some('{') => {
                    self.bump();
                    let (min, max) = self.counts()?;
                    self.pos -= 1; // the '}' is bumped below with the others
                    (min, max)
                }
                _ => return Ok(()),
            };
            self.bump();
            self.eat("?"); // lazy: the same answer for a yes/no match
            if atom != Atom::Code {
                return invalid("repetition operator missing expression");
            }
            atom = Atom::Code;
            let body = self.take_from(start);
            if max == Some(0) {
                self.too_large = over; // `{0}`: the atom's code, too large or not, is gone
            }
            for _ in 0..min {
                self.copy(&body, start);
            }
            match max {
                None => {
                    let split = self.push(Inst::Split(0, 0));
                    let first = self.here();
                    if let Some(Inst::Split(a, _)) = self.insts.get_mut(split) {
                        *a = first;
                    }
                    self.copy(&body, start);
                    self.push(Inst::Jmp(split as u16));
                    let end = self.here();
                    self.patch(split, end);
                }
                Some(max) => {
                    let mut splits = Vec::new();
                    for _ in min..max {
                        let split = self.push(Inst::Split(0, 0));
                        let first = self.here();
                        if let Some(Inst::Split(a, _)) = self.insts.get_mut(split) {
                            *a = first;
                        }
                        splits.push(split);
                        self.copy(&body, start);
                    }
                    let end = self.here();
                    for s in splits {
                        self.patch(s, end);
                    }
                }
            }
        }
    }

    /// `n}`, `n,}`, `n,m}` after a `{`.
    fn counts(&mut self) -> Result<(u32, Option<u32>), RegexError> {
        let min = self.number()?;
        let max = if self.eat(",") {
            if self.peek() == Some('}') {
                None
            } else {
                Some(self.number()?)
            }
        } else {
            Some(min)
        };
        if !self.eat("}") {
            return invalid("unclosed counted repetition");
        }
        if max.is_some_and(|m| m < min) {
            return invalid("invalid counted repetition: min > max");
        }
        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
            return Err(RegexError::TooLarge);
        }
        Ok((min, max))
    }

    fn number(&mut self) -> Result<u32, RegexError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
        let digits = &self.text[start..self.pos];
        match digits_value(digits, 10).map(u32::try_from) {
            Some(Ok(n)) => Ok(n),
            _ if digits.is_empty() => invalid("invalid counted repetition"),
            _ => Err(RegexError::TooLarge), // over u32::MAX
        }
    }

    /// One atom, its code emitted.
    fn atom(&mut self) -> Result<Atom, RegexError> {
        let Some(c) = self.bump() else {
            return Ok(Atom::Flags); // nothing
        };
        let ranges = match c {
            '(' => return self.group(),
            '[' => self.class()?,
            '.' if self.dot_all => vec![(0, 0x10FFFF)],
            '.' => vec![(0, 9), (11, 0x10FFFF)],
            '^' => return Ok(self.look(Look::Start)),
            '$' => return Ok(self.look(Look::End)),
            '\\' => match self.escape(false)? {
                Escaped::Class(ranges) => ranges,
                Escaped::Look(look) => return Ok(self.look(look)),
            },
            '*' | '+' | '?' | '{' => return invalid("repetition operator missing expression"),
            c => self.literal(c),
        };
        self.push(Inst::Class(ranges.into_boxed_slice()));
        Ok(Atom::Code)
    }

    fn look(&mut self, look: Look) -> Atom {
        self.push(Inst::Look(look));
        Atom::Look
    }

    fn literal(&self, c: char) -> Vec<(u32, u32)> {
        literal(c, self.fold)
    }

    fn group(&mut self) -> Result<Atom, RegexError> {
        let saved = (self.fold, self.dot_all);
        if self.eat("?") {
            if self.eat("P<")
                || (self.peek() == Some('<')
                    && !self.text[self.pos..].starts_with("<=")
                    && !self.text[self.pos..].starts_with("<!")
                    && self.eat("<"))
            {
                // A named group: skip the name.
                while let Some(c) = self.bump() {
                    if c == '>' {
                        break;
                    }
                    if !(c.is_alphanumeric() || c == '_' || c == '.' || c == '[' || c == ']') {
                        return invalid("invalid capture group name");
                    }
                }
            } else {
                // Flags: `i`, `s`, `-` ... then `)` (for the rest of the group) or `:`.
                let mut on = true;
                loop {
                    match self.bump() {
                        Some('i') => self.fold = on,
                        Some('s') => self.dot_all = on,
                        Some('-') if on => on = false,
                        Some(')') => return Ok(Atom::Flags),
                        Some(':') => break,
                        Some('=' | '!' | '<') => return invalid("look-around is not supported"),
                        _ => return invalid("unsupported flag or group syntax"),
                    }
                }
            }
        }
        self.depth += 1;
        if self.depth > MAX_NEST {
            return invalid("exceeds the nesting limit");
        }
        self.alternation()?;
        if !self.eat(")") {
            return invalid("unclosed group");
        }
        self.depth -= 1;
        (self.fold, self.dot_all) = saved;
        Ok(Atom::Code)
    }

    /// After `[`: the class's ranges, sorted and merged (negation applied).
    fn class(&mut self) -> Result<Vec<(u32, u32)>, RegexError> {
        let negated = self.eat("^");
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.bump() else {
                return invalid("unclosed character class");
            };
            let lo = match c {
                ']' if !first => break,
                '[' => return invalid("nested classes and POSIX classes are not supported"),
                '&' | '~' | '-' if self.peek() == Some(c) => {
                    return invalid("class set operations are not supported")
                }
                '\\' => match self.escape(true)? {
                    Escaped::Class(set) => {
                        ranges.extend(set);
                        first = false;
                        continue;
                    }
                    Escaped::Look(_) => return invalid("assertions are not allowed in a class"),
                },
                c => c as u32,
            };
            first = false;
            let hi = if self.peek() == Some('-')
                && self
                    .text
                    .get(self.pos + 1..)
                    .is_some_and(|t| !t.starts_with(']'))
            {
                self.bump();
                match self.bump() {
                    Some('\\') => match self.escape(true)? {
                        Escaped::Class(set) if set.len() == 1 && set[0].0 == set[0].1 => set[0].0,
                        _ => return invalid("invalid range in a class"),
                    },
                    Some('[') | None => return invalid("invalid range in a class"),
                    Some(h) => h as u32,
                }
            } else {
                lo
            };
            if hi < lo {
                return invalid("invalid range in a class: start > end");
            }
            ranges.push((lo, hi));
        }
        if self.fold {
            fold_ascii(&mut ranges);
        }
        let mut ranges = normalise(ranges);
        if negated {
            ranges = complement(&ranges);
        }
        Ok(ranges)
    }

    /// After `\`.
    fn escape(&mut self, in_class: bool) -> Result<Escaped, RegexError> {
        let Some(c) = self.bump() else {
            return invalid("incomplete escape sequence");
        };
        const DIGITS: &[(u32, u32)] = &[(48, 57)];
        const WORD: &[(u32, u32)] = &[(48, 57), (65, 90), (95, 95), (97, 122)];
        const SPACE: &[(u32, u32)] = &[(9, 13), (32, 32)];
        let fold = self.fold;
        let one = |c: char| Ok(Escaped::Class(literal(c, fold)));
        match c {
            'd' => Ok(Escaped::Class(DIGITS.to_vec())),
            'w' => Ok(Escaped::Class(WORD.to_vec())),
            's' => Ok(Escaped::Class(SPACE.to_vec())),
            'D' => Ok(Escaped::Class(complement(DIGITS))),
            'W' => Ok(Escaped::Class(complement(WORD))),
            'S' => Ok(Escaped::Class(complement(SPACE))),
            'b' if !in_class => Ok(Escaped::Look(Look::WordBoundary)),
            'B' if !in_class => Ok(Escaped::Look(Look::NotWordBoundary)),
            'A' if !in_class => Ok(Escaped::Look(Look::Start)),
            'z' if !in_class => Ok(Escaped::Look(Look::End)),
            't' => one('\t'),
            'n' => one('\n'),
            'r' => one('\r'),
            'f' => one('\u{c}'),
            'v' => one('\u{b}'),
            'x' | 'u' => {
                let code = if self.eat("{") {
                    let start = self.pos;
                    while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                        self.bump();
                    }
                    let digits = &self.text[start..self.pos];
                    if !self.eat("}") || digits.is_empty() || digits.len() > 8 {
                        return invalid("invalid hexadecimal escape");
                    }
                    digits_value(digits, 16)
                } else if c == 'x' {
                    let digits = self.text.get(self.pos..self.pos + 2);
                    if digits.is_some() {
                        self.pos += 2;
                    }
                    // As `u32::from_str_radix` reads them (which takes a leading `+`).
                    digits.and_then(|d| digits_value(d.strip_prefix('+').unwrap_or(d), 16))
                } else {
                    None
                };
                match code.and_then(|c| char::from_u32(u32::try_from(c).ok()?)) {
                    Some(ch) => one(ch),
                    None => invalid("invalid hexadecimal escape"),
                }
            }
            c if c.is_ascii_punctuation() => one(c),
            _ => invalid("unrecognised or unsupported escape sequence"),
        }
    }
}

fn literal(c: char, fold: bool) -> Vec<(u32, u32)> {
    let mut ranges = vec![(c as u32, c as u32)];
    if fold {
        fold_ascii(&mut ranges);
    }
    normalise(ranges)
}

enum Escaped {
    Class(Vec<(u32, u32)>),
    Look(Look),
}

/// Adds the other ASCII case of every ASCII letter in `ranges` (regex-lite's `(?i)`).
fn fold_ascii(ranges: &mut Vec<(u32, u32)>) {
    let mut extra = Vec::new();
    for &(lo, hi) in ranges.iter() {
        for (from, to) in [(65u32, 90u32), (97, 122)] {
            let (a, b) = (lo.max(from), hi.min(to));
            if a <= b {
                let shift = |x: u32| if from == 65 { x + 32 } else { x - 32 };
                extra.push((shift(a), shift(b)));
            }
        }
    }
    ranges.extend(extra);
}

fn normalise(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    // Insertion sort: classes are short, and the standard sort would add its code (about
    // 1 KB gzipped) to the `.wasm` for this one use.
    for i in 1..ranges.len() {
        let mut j = i;
        while j > 0 && ranges[j - 1] > ranges[j] {
            ranges.swap(j - 1, j);
            j -= 1;
        }
    }
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

fn complement(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut next = 0u32;
    for &(lo, hi) in &normalise(ranges.to_vec()) {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = hi.saturating_add(1);
    }
    if next <= 0x10FFFF {
        out.push((next, 0x10FFFF));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(p: &str, t: &str) -> bool {
        Regex::new(p).unwrap().is_match(t)
    }

    #[test]
    fn basics() {
        assert!(m(
            "iPhone OS 1[7-9]_",
            "Mozilla (iPhone; CPU iPhone OS 17_0)"
        ));
        assert!(!m("^abc$", "xabc"));
        assert!(m("^a(b|c)*d$", "abcbcd"));
        assert!(m("(?i)JOS", "jose"));
        assert!(!m("(?i)É", "é"));
        assert!(m(r"\bcat\b", "a cat!"));
        assert!(!m(r"\bcat\b", "concat"));
        assert!(m(r"^\d{3}-\d{2,}$", "123-4567"));
        assert!(!m(r"^\d{3}-\d{2,}$", "123-4"));
        assert!(m("", ""));
        assert!(m("a|", "zzz"));
        assert!(m("[]a]", "]"));
        assert!(m("[^a-c]", "d"));
        assert!(!m("^[^a-c]+$", "abd"));
        assert!(m(r"\x41\u{e9}", "Aé"));
        assert!(m("^(?:a{2}){2}$", "aaaa"));
        assert!(m("(?s)a.b", "a\nb"));
        assert!(!m("a.b", "a\nb"));
        assert!(m("((((a*)*)*)*)*b", &format!("{}b", "a".repeat(10_000))));
    }

    #[test]
    fn refusals() {
        for p in [
            "(",
            ")",
            "[a",
            "a{2",
            "a{3,2}",
            "*",
            "a**b(?=x)",
            "(?=a)",
            "(a)\\1",
            r"\p{L}",
            "[[:alpha:]]",
            "(?m)^a",
            "a{1001}",
            r"\q",
        ] {
            assert!(Regex::new(p).is_err(), "{p}");
        }
        assert_eq!(
            Regex::new("((a{100}){100}){100}").err(),
            Some(RegexError::TooLarge)
        );
        assert_eq!(Regex::new(&"a".repeat(2047)).map(|_| ()), Ok(()));
        assert_eq!(
            Regex::new(&"a".repeat(2048)).err(),
            Some(RegexError::TooLarge)
        );
    }

    const TOKENS: &[&str] = &[
        "a", "b", "A", "1", "_", " ", ".", r"\d", r"\w", r"\s", r"\W", "[a-c]", "[^a]", "[A-Z0-9]",
        "(", ")", "(?:", "|", "*", "+", "?", "{1,2}", "{2}", "{0,}", "^", "$", r"\b", r"\B",
        "(?i)", "(?i:", "*?", r"\.", "é",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// Same answers as regex-lite wherever both accept the pattern.
        #[test]
        fn agrees_with_regex_lite(
            tokens in proptest::collection::vec(0..TOKENS.len(), 0..8),
            texts in proptest::collection::vec("[abAB1_ .é\n-]{0,8}", 1..6),
        ) {
            let pattern: String = tokens.iter().map(|&i| TOKENS[i]).collect();
            let (Ok(ours), Ok(theirs)) = (Regex::new(&pattern), regex_lite::Regex::new(&pattern)) else {
                return Ok(());
            };
            for t in &texts {
                prop_assert_eq!(ours.is_match(t), theirs.is_match(t), "{:?} on {:?}", pattern, t);
            }
        }
    }

    #[test]
    fn accepts_what_regex_lite_accepts_in_the_subset() {
        for p in [
            r"^[\w.+-]+@example\.(com|org)$",
            r"(?i)^mozilla/5\.0 \(",
            "Chrome/1[2-9][0-9]",
            r"^v?\d+(\.\d+){0,2}$",
            "(?P<x>a)|(?<y>b)",
        ] {
            assert!(regex_lite::Regex::new(p).is_ok());
            assert!(Regex::new(p).is_ok(), "{p}");
        }
    }
}
