//! WASM skin (see issue: flagcore-wasm).
