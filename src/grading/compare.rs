//! Comparing what a program produced with what a test expects.

use serde_json::Value;

use super::problem::OutputComparison;

/// Whether stdout matches, under the problem's comparison rule.
pub fn stdout_matches(expected: &str, actual: &str, rule: OutputComparison) -> bool {
    match rule {
        OutputComparison::Exact => expected == actual,
        OutputComparison::IgnoreTrailingWhitespace => trimmed(expected) == trimmed(actual),
    }
}

fn trimmed(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// Whether two JSON values are equal; numbers compare by value (`5` equals `5.0`),
/// within `tolerance` when one is given.
pub fn json_matches(expected: &Value, actual: &Value, tolerance: Option<f64>) -> bool {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            let (Some(e), Some(a)) = (e.as_f64(), a.as_f64()) else {
                return false;
            };
            match tolerance {
                Some(t) => (e - a).abs() <= t,
                None => e == a,
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| json_matches(e, a, tolerance))
        }
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len()
                && e.iter()
                    .all(|(k, v)| a.get(k).is_some_and(|w| json_matches(v, w, tolerance)))
        }
        _ => expected == actual,
    }
}

/// A short account of the first difference, for sample tests: the line number and
/// both versions of that line, each cut to 200 characters.
pub fn first_difference(expected: &str, actual: &str) -> String {
    let cut = |s: &str| -> String {
        let mut t: String = s.chars().take(200).collect();
        if s.chars().count() > 200 {
            t.push('…');
        }
        t
    };
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => {
                return format!("line {}: expected {:?}, got {:?}", i + 1, cut(x), cut(y))
            }
            (Some(x), None) => {
                return format!("line {}: expected {:?}, got nothing", i + 1, cut(x))
            }
            (None, Some(y)) => return format!("line {}: unexpected {:?}", i + 1, cut(y)),
            (None, None) => break,
        }
    }
    "the output differs in whitespace".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trailing_whitespace_is_ignored_only_when_asked() {
        let loose = OutputComparison::IgnoreTrailingWhitespace;
        assert!(stdout_matches("3\n", "3   \n\n", loose));
        assert!(!stdout_matches("3\n", "3   \n\n", OutputComparison::Exact));
        assert!(!stdout_matches("3\n4\n", "3\n", loose));
        assert!(
            !stdout_matches("a b\n", "a  b\n", loose),
            "inner spaces count"
        );
    }

    #[test]
    fn numbers_compare_by_value_and_within_tolerance() {
        assert!(json_matches(&json!(5), &json!(5.0), None));
        assert!(!json_matches(
            &json!(0.3),
            &json!(0.30000000000000004),
            None
        ));
        assert!(json_matches(
            &json!([0.3]),
            &json!([0.30000000000000004]),
            Some(1e-9)
        ));
        assert!(json_matches(
            &json!({"a": [1, 2]}),
            &json!({"a": [1, 2.0]}),
            None
        ));
        assert!(!json_matches(
            &json!({"a": 1}),
            &json!({"a": 1, "b": 2}),
            None
        ));
        assert!(!json_matches(&json!("5"), &json!(5), None));
    }

    #[test]
    fn the_first_difference_is_named_by_line() {
        assert_eq!(
            first_difference("1\n2\n", "1\n3\n"),
            "line 2: expected \"2\", got \"3\""
        );
        assert_eq!(
            first_difference("1\n2\n", "1\n"),
            "line 2: expected \"2\", got nothing"
        );
    }
}
