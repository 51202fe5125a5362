//! C ABI skin (see issue: flagcore-ffi).
