//! The user search language (`GET /api/v2/users?q=…&sort=…`).
//! Input: the query text.
#![no_main]

use edge::core::directory::user_search::{parse, parse_sort, MAX_QUERY};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let q = String::from_utf8_lossy(data);
    if parse(&q).is_ok() {
        assert!(q.len() <= MAX_QUERY);
    }
    let _ = parse_sort(&q);
});
