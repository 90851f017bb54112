//! The import upload's multipart body (`POST /api/v2/jobs/users-imports`), read as `m_import` reads
//! it — boundary, fields, the users file streamed through the splitter — in reads of every size;
//! every sealed chunk must read back.
//! Input: read-size byte, then 0xFF-separated content type and body.
#![no_main]

use edge::fuzzing::{multipart_import, read_chunk};
use libfuzzer_sys::fuzz_target;
use tollgate_fuzz::{fields, text};

fuzz_target!(|data: &[u8]| {
    let Some((&step, rest)) = data.split_first() else {
        return;
    };
    let [content_type, body] = fields::<2>(rest);
    let Ok(import) = multipart_import(&text(content_type), body, usize::from(step) + 1) else {
        return;
    };
    for piece in &import.pieces {
        read_chunk(piece).unwrap_or_else(|e| panic!("a sealed chunk does not read back: {e}"));
    }
});
