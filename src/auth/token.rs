//! HS256 JSON Web Tokens for interviewers and candidates.
//!
//! Tokens are stateless: a candidate token names the one session it may touch, and
//! every handler still checks the session's current state in the database.

use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::Secret;

/// Who a valid token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An interviewer account.
    Interviewer {
        /// Account id.
        user_id: String,
        /// Display name.
        name: String,
    },
    /// A candidate admitted to one session through its invite.
    Candidate {
        /// Random id given at join time.
        candidate_id: String,
        /// The only session this token opens.
        session_id: String,
        /// Display name the candidate entered.
        name: String,
    },
}

impl Principal {
    /// Display name.
    pub fn name(&self) -> &str {
        match self {
            Self::Interviewer { name, .. } | Self::Candidate { name, .. } => name,
        }
    }

    /// `interviewer` or `candidate`.
    pub fn role(&self) -> &'static str {
        match self {
            Self::Interviewer { .. } => "interviewer",
            Self::Candidate { .. } => "candidate",
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
    iat: i64,
    exp: i64,
}

/// Why a token was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// The token was valid once and has expired.
    #[error("the token has expired; log in again")]
    Expired,
    /// Malformed, wrongly signed, or with claims we do not issue.
    #[error("the token is invalid")]
    Invalid,
}

/// Signing and verification keys derived from the server's secret.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    harness: [u8; 32],
}

impl TokenKeys {
    /// Keys for an HS256 secret.
    pub fn new(secret: &Secret) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            harness: {
                use sha2::Digest;
                let mut h = sha2::Sha256::new();
                h.update(b"devinterview grading harness\0");
                h.update(secret.expose().as_bytes());
                h.finalize().into()
            },
        }
    }

    /// A key, derived from the server's secret, from which grading harnesses make
    /// their result delimiters: unknown to candidates, the same on every node.
    pub fn harness_key(&self) -> &[u8; 32] {
        &self.harness
    }

    /// Issues a token for `who`, valid from `now_s` for `ttl_s` seconds.
    pub fn issue(&self, who: &Principal, now_s: i64, ttl_s: i64) -> anyhow::Result<String> {
        let claims = match who {
            Principal::Interviewer { user_id, name } => Claims {
                sub: user_id.clone(),
                role: "interviewer".into(),
                name: name.clone(),
                sid: None,
                iat: now_s,
                exp: now_s + ttl_s,
            },
            Principal::Candidate {
                candidate_id,
                session_id,
                name,
            } => Claims {
                sub: candidate_id.clone(),
                role: "candidate".into(),
                name: name.clone(),
                sid: Some(session_id.clone()),
                iat: now_s,
                exp: now_s + ttl_s,
            },
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// Checks a token's signature and expiry and says whom it speaks for.
    pub fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?;
        let c = data.claims;
        match (c.role.as_str(), c.sid) {
            ("interviewer", None) => Ok(Principal::Interviewer {
                user_id: c.sub,
                name: c.name,
            }),
            ("candidate", Some(session_id)) => Ok(Principal::Candidate {
                candidate_id: c.sub,
                session_id,
                name: c.name,
            }),
            _ => Err(TokenError::Invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(&Secret::new(secret))
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    #[test]
    fn tokens_round_trip_both_roles() {
        let k = keys("a-secret-that-is-long-enough-for-hs256!!");
        for who in [
            Principal::Interviewer {
                user_id: "u1".into(),
                name: "Ada".into(),
            },
            Principal::Candidate {
                candidate_id: "c1".into(),
                session_id: "s1".into(),
                name: "Grace".into(),
            },
        ] {
            let t = k.issue(&who, now(), 60).unwrap();
            assert_eq!(k.verify(&t).unwrap(), who);
        }
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let k = keys("a-secret-that-is-long-enough-for-hs256!!");
        let who = Principal::Interviewer {
            user_id: "u1".into(),
            name: "Ada".into(),
        };
        let old = k.issue(&who, now() - 3600, 60).unwrap();
        assert_eq!(k.verify(&old), Err(TokenError::Expired));
        let other = keys("another-secret-that-is-long-enough!!!!!")
            .issue(&who, now(), 60)
            .unwrap();
        assert_eq!(k.verify(&other), Err(TokenError::Invalid));
        assert_eq!(k.verify("not.a.token"), Err(TokenError::Invalid));
    }
}
