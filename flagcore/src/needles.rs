//! `contains`: the needles of one condition compiled at load into one Aho-Corasick
//! automaton over UTF-8 bytes, so that an evaluation reads the attribute once whatever the
//! number of needles (`O(len(text))`, each byte one binary search among at most 256
//! children). The same code in every build: the `.wasm` has no room for the aho-corasick
//! crate, and one matcher keeps every binding's answers identical.
//!
//! The automaton is a trie numbered breadth-first, so the children of a state are
//! consecutive states (sorted by byte) and a state needs only its first child, its byte,
//! and its failure link: 9 bytes a state, at most one state per byte of the needles.

use crate::lowercase::lower;
use crate::text::contains_folded;

/// The combining dot above: the second character of `İ`'s lowercase (`i̇`).
const DOT_ABOVE: char = '\u{307}';

/// The needles of a `contains`, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Needles {
    /// Per state (0 is the root): its first child; its children run to the next state's
    /// first child (the last entry closes the last state's).
    first_child: Box<[u32]>,
    /// Per state: the byte that leads to it from its parent.
    byte: Box<[u8]>,
    /// Per state: its failure link (the longest proper suffix that is a state), with
    /// [`MATCHES`] set when a needle ends at it or at a state its links lead to.
    fail: Box<[u32]>,
    /// The root's transitions, dense (most bytes of most texts lead back to the root).
    root: Box<[u32; 256]>,
    /// `ignoreCase`: the text is folded as it is read (the needles were folded at load).
    fold: bool,
    /// `ignoreCase` needles that start with U+0307: a match of one must start at a character
    /// of the text, not at the second character of `İ`'s lowercase, so these are searched
    /// one by one as before (`contains_folded`).
    dotted: Box<[Box<str>]>,
}

const MATCHES: u32 = 1 << 31;

impl Needles {
    /// `needles` sorted bytewise and without duplicates (the compiler sorts and dedups
    /// them), folded when `fold`.
    pub(crate) fn new(needles: Vec<Box<str>>, fold: bool) -> Needles {
        let (dotted, needles): (Vec<Box<str>>, Vec<Box<str>>) = needles
            .into_iter()
            .partition(|n| fold && n.starts_with(DOT_ABOVE));
        let bytes = needles.iter().map(|n| n.len()).sum::<usize>();
        let mut first_child = Vec::with_capacity(bytes + 2);
        let mut byte = Vec::with_capacity(bytes + 1);
        let mut fail = Vec::with_capacity(bytes + 1);
        // The states still to expand, breadth first: the needles through this state
        // (a range of the sorted list) and its depth.
        // (u32s: 12 bytes a state while building; at most one state per byte of a config
        // of at most 4 GiB.)
        let mut queue = vec![(0u32, needles.len() as u32, 0u32)];
        byte.push(0);
        fail.push(if needles.first().is_some_and(|n| n.is_empty()) {
            MATCHES
        } else {
            0
        });
        let mut root = Box::new([0u32; 256]);
        let mut head = 0;
        while let Some(&(lo, hi, depth)) = queue.get(head) {
            let (lo, hi, depth) = (lo as usize, hi as usize, depth as usize);
            let state = head;
            head += 1;
            first_child.push(byte.len() as u32);
            // The needles that end here sort first among those through this state (and
            // were counted when it was made).
            let mut i = lo;
            while i < hi && needles[i].len() == depth {
                i += 1;
            }
            while i < hi {
                let b = needles[i].as_bytes()[depth];
                let start = i;
                while i < hi && needles[i].as_bytes()[depth] == b {
                    i += 1;
                }
                let child = byte.len() as u32;
                let link = if state == 0 {
                    root[usize::from(b)] = child;
                    0
                } else {
                    self_step(&first_child, &byte, &fail, &root, fail[state] & !MATCHES, b)
                };
                byte.push(b);
                // Matches when a needle ends here or at its link (made before it: the
                // link is shallower, and states are made breadth first).
                let ends = needles[start].len() == depth + 1;
                fail.push(link | (fail[link as usize] & MATCHES) | if ends { MATCHES } else { 0 });
                queue.push((start as u32, i as u32, depth as u32 + 1));
            }
        }
        first_child.push(byte.len() as u32);
        Needles {
            first_child: first_child.into_boxed_slice(),
            byte: byte.into_boxed_slice(),
            fail: fail.into_boxed_slice(),
            root,
            fold,
            dotted: dotted.into_boxed_slice(),
        }
    }

    /// Whether any needle occurs in `text` (folded first when the needles were). Does not
    /// allocate.
    pub(crate) fn found_in(&self, text: &str) -> bool {
        if self.fail[0] & MATCHES != 0 {
            return true; // an empty needle
        }
        let mut state = 0;
        let mut found = |b: u8| {
            state = self_step(
                &self.first_child,
                &self.byte,
                &self.fail,
                &self.root,
                state,
                b,
            );
            self.fail[state as usize] & MATCHES != 0
        };
        if self.fold {
            let mut buf = [0; 4];
            text.chars().any(|c| {
                if c.is_ascii() {
                    found(c.to_ascii_lowercase() as u8) // `lower` of ASCII, without its iterator
                } else {
                    let mut feed = |l: char| l.encode_utf8(&mut buf).bytes().any(&mut found);
                    let (one, two) = lower(c);
                    feed(one) || two.is_some_and(feed)
                }
            }) || self.dotted.iter().any(|n| contains_folded(text, n))
        } else {
            text.bytes().any(found)
        }
    }
}

/// The state after reading `b` in `state`: its child on `b`, or else its failure link's,
/// down to the root. (A free function: `new` uses it on the automaton it is building.)
#[inline]
fn self_step(
    first_child: &[u32],
    byte: &[u8],
    fail: &[u32],
    root: &[u32; 256],
    mut state: u32,
    b: u8,
) -> u32 {
    #[cfg(test)]
    tests::STEPS.with(|n| n.set(n.get() + 1));
    while state != 0 {
        #[cfg(test)]
        tests::STEPS.with(|n| n.set(n.get() + 1));
        let s = state as usize;
        let (from, to) = (first_child[s] as usize, first_child[s + 1] as usize);
        let children = &byte[from..to];
        let i = children.partition_point(|&c| c < b);
        if children.get(i) == Some(&b) {
            return (from + i) as u32;
        }
        state = fail[s] & !MATCHES;
    }
    root[usize::from(b)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold_owned;
    use proptest::prelude::*;

    fn needles(list: &[&str], fold: bool) -> Needles {
        let mut list: Vec<Box<str>> = list
            .iter()
            .map(|&n| if fold { fold_owned(n) } else { n.into() })
            .collect();
        list.sort_unstable();
        list.dedup();
        Needles::new(list, fold)
    }

    /// What `contains` meant before the automaton: each needle searched on its own.
    fn naive(list: &[&str], fold: bool, text: &str) -> bool {
        list.iter().any(|n| {
            if fold {
                contains_folded(text, &fold_owned(n))
            } else {
                text.contains(n)
            }
        })
    }

    #[test]
    fn finds_what_each_needle_finds() {
        let n = needles(&["he", "she", "his", "hers"], false);
        assert!(n.found_in("ushers"));
        assert!(n.found_in("ahishe"));
        assert!(!n.found_in("hxsx"));
        assert!(!n.found_in(""));
        assert!(needles(&[""], false).found_in(""));
        assert!(needles(&["abcd", "bc"], false).found_in("xabcx"));
        assert!(!needles(&["abcd", "bce"], false).found_in("abcxbc"));
        let f = needles(&["JOSÉ", "\u{307}x"], true);
        assert!(f.found_in("hola josé"));
        assert!(f.found_in("HOLA JOSÉ"));
        // `İ` folds to `i̇`: its dot is not a character of the text, so "̇x" is not in "İx"...
        assert!(!f.found_in("İx"));
        // ... but a dot that is one is.
        assert!(f.found_in("i\u{307}x"));
        assert!(needles(&["i"], true).found_in("İ"));
    }

    thread_local! {
        /// Automaton steps taken on this thread: one per byte read, one per link followed.
        pub(super) static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    /// The steps `found_in(text)` takes.
    fn steps(n: &Needles, text: &str) -> (bool, u64) {
        STEPS.with(|s| s.set(0));
        let found = n.found_in(text);
        (found, STEPS.with(|s| s.get()))
    }

    /// The cost of `contains` (issue 13): at most two steps a byte of the attribute (each
    /// failure link followed was paid for by a byte read), however many needles there are.
    /// Trying the needles one by one, as the WASM build did before, costs the number of
    /// needles times the text.
    #[test]
    fn cost_follows_the_text_not_the_needles() {
        let list: Vec<String> = (0..100_000).map(|i| format!("needle-{i}-x")).collect();
        let refs: Vec<&str> = list.iter().map(String::as_str).collect();
        for fold in [false, true] {
            let n = needles(&refs, fold);
            for text in [
                "needle-1".repeat(1000),
                "needle-12345-needle-1234-".repeat(300),
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)".to_owned(),
            ] {
                let (found, taken) = steps(&n, &text);
                assert!(!found);
                assert!(
                    taken <= 2 * text.len() as u64,
                    "{taken} steps for {} bytes (fold {fold})",
                    text.len()
                );
            }
            let (found, _) = steps(&n, "...needle-99999-x...");
            assert!(found);
        }
    }

    #[test]
    fn many_needles_one_pass() {
        let list: Vec<String> = (0..100_000).map(|i| format!("needle-{i}-x")).collect();
        let refs: Vec<&str> = list.iter().map(String::as_str).collect();
        let n = needles(&refs, false);
        assert!(n.found_in("...needle-99999-x..."));
        assert!(!n.found_in(&"needle-1".repeat(1000)));
        let f = needles(&refs, true);
        assert!(f.found_in("...NEEDLE-4242-X"));
    }

    const ALPHABET: &str = "[abAB \u{e9}\u{c9}\u{130}\u{307}i]{0,12}";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// The automaton answers as the needles searched one by one, with and without
        /// ignoreCase, on text with non-ASCII letters and `İ`.
        #[test]
        fn agrees_with_each_needle_searched_alone(
            list in proptest::collection::vec("[abAB \u{e9}\u{c9}\u{130}\u{307}i]{0,4}", 1..12),
            texts in proptest::collection::vec(ALPHABET, 1..8),
            fold in any::<bool>(),
        ) {
            let refs: Vec<&str> = list.iter().map(String::as_str).collect();
            let n = needles(&refs, fold);
            for t in &texts {
                prop_assert_eq!(n.found_in(t), naive(&refs, fold, t), "{:?} in {:?} (fold {})", refs, t, fold);
            }
        }
    }
}
