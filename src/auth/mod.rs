//! Who is calling: password hashing, tokens, request extractors, login throttling.

pub mod extract;
pub mod password;
pub mod rate_limit;
pub mod secret;
pub mod token;

pub use extract::{Caller, Interviewer};
pub use token::{Principal, TokenError, TokenKeys};
