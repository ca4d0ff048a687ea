//! Validated domain values: parse once at the edge, then trust the type.
//!
//! Each parser returns a message fit to show the user (the API answers it as 422).

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A normalised e-mail address (trimmed, lower-case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Validates and normalises an address.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err("email is required".into());
        }
        if email.len() > 254 {
            return Err("email must be at most 254 characters".into());
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(format!("`{email}` is not an email address (missing @)"));
        };
        let valid = !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid {
            return Err(format!("`{email}` is not an email address"));
        }
        Ok(Self(email))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name: 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    /// Validates a name; `field` names it in the message.
    pub fn parse(raw: &str, field: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(format!("{field} is required"));
        }
        if name.chars().count() > 100 {
            return Err(format!("{field} must be at most 100 characters"));
        }
        if name.chars().any(char::is_control) {
            return Err(format!("{field} must not contain control characters"));
        }
        Ok(Self(name.to_string()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the length rules; never printed.
pub struct Password(String);

impl Password {
    /// Shortest password accepted, in characters.
    pub const MIN_CHARS: usize = 8;
    /// Longest password accepted, in bytes (argon2 input is bounded to keep hashing cheap).
    pub const MAX_BYTES: usize = 1024;

    /// Checks the length rules.
    pub fn parse(raw: String) -> Result<Self, String> {
        if raw.chars().count() < Self::MIN_CHARS {
            return Err(format!(
                "password must be at least {} characters",
                Self::MIN_CHARS
            ));
        }
        if raw.len() > Self::MAX_BYTES {
            return Err(format!(
                "password must be at most {} bytes",
                Self::MAX_BYTES
            ));
        }
        Ok(Self(raw))
    }

    /// The password, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// An editor language a session can use. Python and JavaScript can also run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Python 3.
    Python,
    /// JavaScript (ES2023).
    Javascript,
    /// TypeScript (editor only).
    Typescript,
    /// Java (editor only).
    Java,
    /// C++ (editor only).
    Cpp,
    /// C (editor only).
    C,
    /// C# (editor only).
    Csharp,
    /// Go (editor only).
    Go,
    /// Rust (editor only).
    Rust,
    /// Kotlin (editor only).
    Kotlin,
    /// Ruby (editor only).
    Ruby,
    /// Swift (editor only).
    Swift,
    /// SQL (editor only).
    Sql,
}

impl Language {
    /// Every language, in the order the UI lists them.
    pub const ALL: [Language; 13] = [
        Self::Python,
        Self::Javascript,
        Self::Typescript,
        Self::Java,
        Self::Cpp,
        Self::C,
        Self::Csharp,
        Self::Go,
        Self::Rust,
        Self::Kotlin,
        Self::Ruby,
        Self::Swift,
        Self::Sql,
    ];

    /// The identifier stored and sent over the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Python => "python",
            Self::Javascript => "javascript",
            Self::Typescript => "typescript",
            Self::Java => "java",
            Self::Cpp => "cpp",
            Self::C => "c",
            Self::Csharp => "csharp",
            Self::Go => "go",
            Self::Rust => "rust",
            Self::Kotlin => "kotlin",
            Self::Ruby => "ruby",
            Self::Swift => "swift",
            Self::Sql => "sql",
        }
    }

    /// Parses a stored or submitted identifier.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == raw)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|l| l.as_str()).collect();
                format!(
                    "unknown language `{raw}`; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Checks an optional free-text field against a length limit in characters.
pub fn bounded_text(raw: &str, field: &str, max_chars: usize) -> Result<String, String> {
    if raw.chars().count() > max_chars {
        return Err(format!("{field} must be at most {max_chars} characters"));
    }
    Ok(raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "a@b",
            "a b@c.d",
            "a@@b.c",
            "a@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Email::parse(&format!("{}@x.io", "a".repeat(65))).is_err());
    }

    #[test]
    fn password_bounds_are_characters_below_and_bytes_above() {
        assert!(Password::parse("1234567".into()).is_err());
        assert!(Password::parse("12345678".into()).is_ok());
        // Eight characters of several bytes each are still eight characters.
        assert!(Password::parse("éééééééé".into()).is_ok());
        assert!(Password::parse("a".repeat(1024)).is_ok());
        assert!(Password::parse("a".repeat(1025)).is_err());
        assert!(
            !format!("{:?}", Password::parse("hunter2hunter2".into()).unwrap()).contains("hunter2")
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("  Ada ", "name").unwrap().as_str(), "Ada");
        assert!(PersonName::parse("   ", "name").is_err());
        assert!(PersonName::parse(&"x".repeat(101), "name").is_err());
        assert!(PersonName::parse("a\u{0}b", "name").is_err());
    }

    #[test]
    fn languages_round_trip() {
        for lang in Language::ALL {
            assert_eq!(Language::parse(lang.as_str()).unwrap(), lang);
        }
        assert!(Language::parse("cobol").unwrap_err().contains("python"));
    }
}
