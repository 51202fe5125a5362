//! Conformance suite (see issue: tests/).
