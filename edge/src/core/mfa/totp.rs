//! RFC 6238 one-time passwords (SHA-1, 6 digits, 30-second steps, ±1 step) with `totp-rs`, the
//! `otpauth://` URI authenticator apps read, and its QR code as SVG (`qrcode`).

use totp_rs::{Algorithm, Secret, TOTP};

use crate::core::platform::secrets::ct_eq;

use crate::core::error::{CoreError, CoreResult};

/// Seconds per step.
pub const STEP_S: u64 = 30;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

fn build(secret: &[u8], issuer: &str, account: &str) -> CoreResult<TOTP> {
    // `:` separates issuer and account in the URI's label.
    let clean = |s: &str| s.replace(':', " ");
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_S,
        secret.to_vec(),
        Some(clean(issuer)),
        clean(account),
    )
    .map_err(|e| CoreError::Internal(format!("totp: {e}")))
}

/// The enrolment material of a secret: its Base32 text and the `otpauth://totp/…` URI.
pub fn enrolment(secret: &[u8], issuer: &str, account: &str) -> CoreResult<(String, String)> {
    let t = build(secret, issuer, account)?;
    Ok((t.get_secret_base32(), t.get_url()))
}

/// The time step `code` is valid for at `now_s` (within ±1 step), if any. Only digits of the
/// right length are looked at; the caller refuses a step already used.
pub fn matching_step(secret: &[u8], code: &str, now_s: u64) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = build(secret, "x", "x").ok()?;
    let now = now_s / STEP_S;
    (now.saturating_sub(1)..=now + 1)
        .find(|step| ct_eq(t.generate(step * STEP_S).as_bytes(), code.as_bytes()))
        .and_then(|s| i64::try_from(s).ok())
}

/// The code of `secret` at `time_s` (tests compute what an authenticator app shows).
pub fn code_at(secret: &[u8], time_s: u64) -> CoreResult<String> {
    Ok(build(secret, "x", "x")?.generate(time_s))
}

/// The code an authenticator app shows at `time_s` for the Base32 `secret` of an enrolment.
pub fn code_for(secret_b32: &str, time_s: u64) -> CoreResult<String> {
    let bytes = Secret::Encoded(secret_b32.to_owned())
        .to_bytes()
        .map_err(|e| CoreError::InvalidRequest(format!("not a Base32 secret: {e:?}")))?;
    code_at(&bytes, time_s)
}

/// The URI as an SVG QR code.
pub fn qr_svg(uri: &str) -> CoreResult<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(|e| CoreError::Internal(format!("qr: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// RFC 6238, appendix B (SHA-1 secret "12345678901234567890"), last 6 digits.
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (t, code) in [
            (59u64, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(secret, t).unwrap(), code, "t={t}");
            assert_eq!(matching_step(secret, code, t), Some((t / 30) as i64));
        }
    }

    #[test]
    fn one_step_either_side_and_no_further() {
        let secret = [7u8; SECRET_BYTES];
        let now = 1_800_000_000u64;
        let code = code_at(&secret, now).unwrap();
        assert!(matching_step(&secret, &code, now + 30).is_some());
        assert!(matching_step(&secret, &code, now - 30).is_some());
        assert!(matching_step(&secret, &code, now + 60).is_none());
        assert!(matching_step(&secret, "12345", now).is_none());
        assert!(matching_step(&secret, "abcdef", now).is_none());
    }

    #[test]
    fn the_uri_names_issuer_and_account_and_the_qr_is_svg() {
        let (b32, uri) = enrolment(&[1u8; SECRET_BYTES], "Tollgate", "ada@example.com").unwrap();
        assert!(uri.starts_with("otpauth://totp/Tollgate:ada%40example.com?"), "{uri}");
        assert!(uri.contains(&format!("secret={b32}")));
        assert!(qr_svg(&uri).unwrap().contains("<svg"));
    }
}
