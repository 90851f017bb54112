//! The user search language of `GET /api/v2/users?q=...&search_engine=v3`: the part of Auth0's
//! Lucene syntax an operator needs to find people, parsed into a [`Filter`] of bound values (the
//! query never becomes SQL text).
//!
//! - `field:value` or `field:"a quoted value"`; terms separated by spaces or `AND` must all match;
//! - fields: `email`, `name`, `user_id`, `username`, `identities.connection` (or `connection`),
//!   `blocked`, `email_verified`;
//! - a trailing `*` asks for a prefix of at least 3 characters (`email:ada*`, `name:"Ada L*"`);
//! - a bare term matches an email, username, id or name exactly.
//!
//! `OR`, `NOT`, groups, ranges and other fields are refused with a 400 saying so, rather than
//! answered with something that only looks like their result. A query is at most 1,024 bytes and
//! 16 terms: its work is bounded.

use crate::core::directory::users::{Filter, Sort, SORTABLE};
use crate::core::error::{CoreError, CoreResult};

/// Longest `q`, in bytes.
pub const MAX_QUERY: usize = 1024;
/// Most terms in one `q`.
pub const MAX_TERMS: usize = 16;
/// Shortest prefix before a `*`.
pub const MIN_PREFIX: usize = 3;

/// A parsed `q`: the filter, and the connection named by `identities.connection` (resolved to an
/// id by the caller).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Search {
    /// Everything but the connection.
    pub filter: Filter,
    /// `identities.connection:"..."`.
    pub connection: Option<String>,
}

fn bad(why: impl Into<String>) -> CoreError {
    CoreError::InvalidRequest(why.into())
}

/// The terms of `q`: `(field, value, quoted)`; a bare term has no field.
fn terms(q: &str) -> CoreResult<Vec<(Option<String>, String)>> {
    let mut out = Vec::new();
    let mut chars = q.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else { break };
        if matches!(first, '(' | ')' | '-' | '+' | '!' | '[' | '{') {
            return Err(bad(format!(
                "The query uses '{first}', which this server does not support (supported: field:value terms joined by AND)"
            )));
        }
        // The field, up to ':' (or the whole bare term).
        let mut field = String::new();
        let mut value = String::new();
        let mut has_field = false;
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            if c == ':' && !has_field {
                has_field = true;
                chars.next();
                break;
            }
            if c == '"' && field.is_empty() {
                break;
            }
            field.push(c);
            chars.next();
        }
        if !has_field {
            value = std::mem::take(&mut field);
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => {
                        closed = true;
                        break;
                    }
                    c => value.push(c),
                }
            }
            if !closed {
                return Err(bad("The query has an unclosed quote"));
            }
            if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                // `"ada"*`: the star after the quote asks for a prefix too.
                if chars.peek() == Some(&'*') {
                    chars.next();
                    value.push('*');
                } else {
                    return Err(bad("A quoted value must be followed by a space"));
                }
            }
        } else if has_field {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        if !has_field {
            match value.as_str() {
                "AND" | "&&" => continue,
                "OR" | "NOT" | "||" => {
                    return Err(bad(format!(
                        "The query uses {value}, which this server does not support (terms are joined by AND)"
                    )))
                }
                _ => {}
            }
        }
        out.push((has_field.then_some(field), value));
        if out.len() > MAX_TERMS {
            return Err(bad(format!("The query has more than {MAX_TERMS} terms")));
        }
    }
    Ok(out)
}

/// `value` as an exact value or a prefix (a trailing `*`).
fn exact_or_prefix(field: &str, value: &str) -> CoreResult<(Option<String>, Option<String>)> {
    let (stem, prefix) = match value.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (value, false),
    };
    if stem.contains(['*', '?']) {
        return Err(bad(format!("{field}: only a trailing * is supported as a wildcard")));
    }
    if stem.is_empty() {
        return Err(bad(format!("{field}: the value is empty")));
    }
    if prefix {
        if stem.chars().count() < MIN_PREFIX {
            return Err(bad(format!(
                "{field}: a wildcard needs at least {MIN_PREFIX} characters before the *"
            )));
        }
        Ok((None, Some(stem.to_owned())))
    } else {
        Ok((Some(stem.to_owned()), None))
    }
}

fn boolean(field: &str, value: &str) -> CoreResult<bool> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad(format!("{field} must be true or false"))),
    }
}

fn once<T>(slot: &mut Option<T>, field: &str, v: T) -> CoreResult<()> {
    if slot.is_some() {
        return Err(bad(format!("{field} appears twice in the query")));
    }
    *slot = Some(v);
    Ok(())
}

/// Parses `q`.
pub fn parse(q: &str) -> CoreResult<Search> {
    if q.len() > MAX_QUERY {
        return Err(bad(format!("The query is longer than {MAX_QUERY} bytes")));
    }
    let mut s = Search::default();
    for (field, value) in terms(q)? {
        let f = &mut s.filter;
        match field.as_deref() {
            None => {
                let (exact, prefix) = exact_or_prefix("term", &value)?;
                if prefix.is_some() {
                    return Err(bad("A bare term cannot be a wildcard: name the field (email:ada*)"));
                }
                once(&mut f.any, "A bare term", exact.unwrap_or_default())?;
            }
            Some("email") => {
                let (exact, prefix) = exact_or_prefix("email", &value)?;
                if f.email.is_some() || f.email_prefix.is_some() {
                    return Err(bad("email appears twice in the query"));
                }
                f.email = exact.map(|e| shared::email::normalize(&e));
                f.email_prefix = prefix.map(|e| e.trim().to_lowercase());
            }
            Some("name") => {
                let (exact, prefix) = exact_or_prefix("name", &value)?;
                if f.name.is_some() || f.name_prefix.is_some() {
                    return Err(bad("name appears twice in the query"));
                }
                (f.name, f.name_prefix) = (exact, prefix);
            }
            Some("user_id") => {
                let (exact, prefix) = exact_or_prefix("user_id", &value)?;
                if f.user_id.is_some() || f.user_id_prefix.is_some() {
                    return Err(bad("user_id appears twice in the query"));
                }
                (f.user_id, f.user_id_prefix) = (exact, prefix);
            }
            Some("username") => {
                let (exact, prefix) = exact_or_prefix("username", &value)?;
                if f.username.is_some() || f.username_prefix.is_some() {
                    return Err(bad("username appears twice in the query"));
                }
                let norm = |u: String| shared::username::UsernameRules::normalize(&u);
                (f.username, f.username_prefix) = (exact.map(norm), prefix.map(norm));
            }
            Some("identities.connection" | "connection") => {
                once(&mut s.connection, "identities.connection", value)?;
            }
            Some("blocked") => once(&mut f.blocked, "blocked", boolean("blocked", &value)?)?,
            Some("email_verified") => once(
                &mut f.email_verified,
                "email_verified",
                boolean("email_verified", &value)?,
            )?,
            Some(other) => {
                return Err(bad(format!(
                    "Searching by {other} is not supported (supported: email, name, user_id, username, \
                     identities.connection, blocked, email_verified)"
                )))
            }
        }
    }
    Ok(s)
}

/// Parses `sort=field:1` (ascending) or `field:-1`.
pub fn parse_sort(v: &str) -> CoreResult<Sort> {
    let (field, dir) = v.split_once(':').unwrap_or((v, "1"));
    let field = SORTABLE
        .iter()
        .find(|f| **f == field)
        .ok_or_else(|| bad(format!("sort: {field} is not one of {}", SORTABLE.join(", "))))?;
    let ascending = match dir {
        "1" => true,
        "-1" => false,
        _ => return Err(bad("sort: the order must be 1 or -1")),
    };
    Ok(Sort { field, ascending })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_quotes_and_prefixes() {
        let s = parse(r#"email:"Ada@Example.com" AND name:"Ada L*" user_id:auth0|abc*"#).unwrap();
        assert_eq!(s.filter.email.as_deref(), Some("ada@example.com"));
        assert_eq!(s.filter.name_prefix.as_deref(), Some("Ada L"));
        assert_eq!(s.filter.user_id_prefix.as_deref(), Some("auth0|abc"));
        let s = parse(r#"identities.connection:"Username-Password-Authentication" blocked:true ada"#).unwrap();
        assert_eq!(s.connection.as_deref(), Some("Username-Password-Authentication"));
        assert_eq!(s.filter.blocked, Some(true));
        assert_eq!(s.filter.any.as_deref(), Some("ada"));
        let s = parse(r#"name:"say \"hi\"""#).unwrap();
        assert_eq!(s.filter.name.as_deref(), Some("say \"hi\""));
    }

    #[test]
    fn what_is_not_supported_is_refused() {
        for q in [
            "email:a* ",
            "email:*@example.com",
            "email:a OR email:b",
            "NOT blocked:true",
            "(email:a)",
            "-email:a",
            "given_name:ada",
            "email:\"open",
            "email:a email:b",
            "blocked:yes",
            "ada*",
        ] {
            assert!(parse(q).is_err(), "{q}");
        }
        assert!(parse(&"x".repeat(MAX_QUERY + 1)).is_err());
        let many: Vec<String> = (0..=MAX_TERMS).map(|i| format!("t{i}")).collect();
        assert!(matches!(parse(&many.join(" ")), Err(CoreError::InvalidRequest(m)) if m.contains("more than")));
    }

    #[test]
    fn sorts() {
        assert_eq!(
            parse_sort("email:-1").unwrap(),
            Sort {
                field: "email",
                ascending: false
            }
        );
        assert!(parse_sort("password_hash:1").is_err());
        assert!(parse_sort("email:2").is_err());
    }
}
