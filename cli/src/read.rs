//! Reads users one by one from a JSON array or NDJSON file of any size, without loading it whole.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::value::RawValue;

type Sink<'a> = dyn FnMut(Box<RawValue>) -> Result<(), String> + 'a;

struct Each<'a, 'b>(&'b mut Sink<'a>);

impl<'de> Visitor<'de> for Each<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array of users")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(user) = seq.next_element::<Box<RawValue>>()? {
            (self.0)(user).map_err(serde::de::Error::custom)?;
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Each<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

/// Calls `f` with each user of `path` (a JSON array, or one JSON object per line).
pub fn each_user(path: &Path, mut f: impl FnMut(Box<RawValue>) -> Result<(), String>) -> Result<(), String> {
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut reader = BufReader::new(File::open(path).map_err(err)?);
    let first = loop {
        let buf = reader.fill_buf().map_err(err)?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => break buf.get(i).copied(),
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    match first {
        Some(b'[') => {
            let mut de = serde_json::Deserializer::from_reader(reader);
            Each(&mut f)
                .deserialize(&mut de)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            de.end().map_err(|e| format!("{}: {e}", path.display()))
        }
        Some(_) => {
            for (n, line) in reader.lines().enumerate() {
                let line = line.map_err(err)?;
                if line.trim().is_empty() {
                    continue;
                }
                let raw = RawValue::from_string(line).map_err(|e| format!("{} line {}: {e}", path.display(), n + 1))?;
                f(raw)?;
            }
            Ok(())
        }
        None => Ok(()),
    }
}
