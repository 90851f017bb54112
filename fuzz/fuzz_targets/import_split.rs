//! The import file reader: the streaming splitter (JSON array or NDJSON) fed in reads of every
//! size, then each sealed chunk read back as the chunk processor reads it, and each user checked
//! against Auth0's user schema.
//! Input: one byte (the read size, 1–256), then the file.
#![no_main]

use edge::core::management::jobs::split::{CHUNK_MAX_BYTES, CHUNK_MAX_ROWS};
use edge::fuzzing::{connection, read_chunk, split_import, validate_import_row};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&step, file)) = data.split_first() else {
        return;
    };
    let whole = split_import(file, file.len());
    let stepped = split_import(file, usize::from(step) + 1);
    assert_eq!(whole, stepped, "the read sizes changed the outcome");
    let Ok(pieces) = whole else {
        return;
    };
    let conn = connection(1, 15);
    let mut next = 0;
    for piece in &pieces {
        assert!(
            piece.text.len() <= CHUNK_MAX_BYTES,
            "chunk of {} bytes",
            piece.text.len()
        );
        assert!((1..=CHUNK_MAX_ROWS).contains(&piece.rows));
        let rows = read_chunk(piece).unwrap_or_else(|e| panic!("a sealed chunk does not read back: {e}"));
        assert_eq!(rows.len(), piece.rows);
        for (index, user) in rows {
            assert_eq!(index, next, "row indexes are the users' positions");
            next += 1;
            let _ = validate_import_row(&user, &conn);
        }
    }
});
