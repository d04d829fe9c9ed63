//! Views of escrowsim's results for people and for other programs: the run
//! report as text, and replications, comparisons and sweeps as text tables,
//! CSV and self-contained HTML pages.
//!
//! Every function here is pure (results in, text out) and deterministic:
//! the same results give the same bytes, whatever the thread count that
//! produced them. The JSON report is the core's ([`escrowsim_core::report`]);
//! writing any of these to a file is the binary's.

pub mod csv;
pub mod explain;
pub mod html;
pub mod optimize;
mod precision;
pub mod study;
mod sweep;
pub mod tables;
mod text;
pub mod trace;
pub mod units;

pub use csv::{csv_lines, metric_columns, render_comparison_csv, render_replications_csv};
pub use html::{
    render_comparison_html, render_optimization_html, render_replications_html, render_study_html,
    render_sweep_html,
};
pub use optimize::{optimization_rows, render_optimization_csv, render_optimization_text};
pub use precision::render_precision_text;
pub use study::{render_study_csv, render_study_text, study_rows};
pub use sweep::{render_sweep_summary_csv, render_sweep_summary_json, render_sweep_summary_text};
pub use tables::{render_comparison_text, render_summary_text};
pub use text::{render_text, render_warm_up_text};
