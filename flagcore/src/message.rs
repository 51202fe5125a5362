//! Messages built without `core::fmt`: [`msg!`] appends its pieces to a `String`, each
//! through [`Piece`]. Validation messages were `format!` calls, which linked `core::fmt`'s
//! machinery (`fmt::write`, `Formatter::pad*`, the integer `Display`s) into the `.wasm`
//! for text that is only ever concatenated; these write the same bytes with `push_str`.

use crate::json::{JsonStr, Path, Quoted};
use crate::number::{write_u64, Number};
use crate::value::ValueType;

/// A part of a message (see [`msg!`]): text, a number, a quoted name or a JSON path.
pub(crate) trait Piece {
    /// Appends the piece as `Display` would write it.
    fn push_to(&self, out: &mut String);
}

/// The pieces appended one after another: `msg!("key ", q(k), " appears ", n, " times")`
/// is `format!("key {} appears {} times", q(k), n)` without `core::fmt`.
macro_rules! msg {
    ($($piece:expr),+ $(,)?) => {{
        let mut out = String::new();
        $( $crate::message::Piece::push_to(&$piece, &mut out); )+
        out
    }};
}
pub(crate) use msg;

impl<T: Piece + ?Sized> Piece for &T {
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out);
    }
}

impl Piece for str {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for char {
    fn push_to(&self, out: &mut String) {
        out.push(*self);
    }
}

/// Names written one after another with `, ` between them (`a, b, c`): `[..].join(", ")`
/// without the `String` it builds (and `str::join`'s code, about 1 KB of the `.wasm`).
pub(crate) struct Listed<'a>(pub(crate) &'a [&'a str]);

impl Piece for Listed<'_> {
    fn push_to(&self, out: &mut String) {
        for (i, name) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(name);
        }
    }
}

impl Piece for crate::error::Problem {
    fn push_to(&self, out: &mut String) {
        self.write(out);
    }
}

impl Piece for crate::error::Report {
    fn push_to(&self, out: &mut String) {
        self.write(out);
    }
}

impl Piece for ValueType {
    fn push_to(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
}

impl Piece for JsonStr<'_> {
    fn push_to(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
}

impl Piece for Quoted<'_> {
    fn push_to(&self, out: &mut String) {
        self.write(out);
    }
}

impl Piece for Path<'_> {
    fn push_to(&self, out: &mut String) {
        self.write(out);
    }
}

impl Piece for Number {
    fn push_to(&self, out: &mut String) {
        self.write(out);
    }
}

macro_rules! unsigned {
    ($($t:ty),+) => {$(
        impl Piece for $t {
            fn push_to(&self, out: &mut String) {
                write_u64(out, u64::from(*self));
            }
        }
    )+};
}
unsigned!(u8, u16, u32, u64);

impl Piece for usize {
    fn push_to(&self, out: &mut String) {
        write_u64(out, *self as u64);
    }
}

impl Piece for i64 {
    fn push_to(&self, out: &mut String) {
        if *self < 0 {
            out.push('-');
        }
        write_u64(out, self.unsigned_abs());
    }
}

impl Piece for i32 {
    fn push_to(&self, out: &mut String) {
        i64::from(*self).push_to(out);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pieces_write_what_display_writes() {
        for n in [0u64, 1, 9, 10, 99, 100, 12345, u64::MAX] {
            assert_eq!(msg!(n), n.to_string());
            assert_eq!(msg!(n as usize), (n as usize).to_string());
        }
        for n in [0i64, -1, 7, -10, i64::MIN, i64::MAX] {
            assert_eq!(msg!(n), n.to_string());
        }
        let k = "a\"b";
        assert_eq!(msg!(super::Listed(&["a", "b", "c"])), "a, b, c");
        assert_eq!(msg!(super::Listed(&[])), "");
        assert_eq!(
            msg!("key ", crate::json::q(k), " x", 3u32, '!'),
            format!("key {} x3!", crate::json::q(k))
        );
    }
}
