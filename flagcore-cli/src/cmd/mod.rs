//! One module per subcommand: its clap `Args` and its `run`.

pub mod diff;
pub mod eval;
pub mod import_env;
pub mod plan;
pub mod simulate;
pub mod validate;
