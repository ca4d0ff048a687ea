//! Problems and auto-grading: a problem's test cases run one sandbox instance
//! each, and the verdicts, score and fuel are reproducible for the same code.

pub mod compare;
pub mod grade;
pub mod harness;
pub mod problem;
