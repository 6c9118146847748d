//! Replays the fuzzing seeds (`fuzz/seeds/`) and every crash input ever found
//! (`fuzz/regressions/`) through the `parse` fuzz target's checks, on stable
//! and in CI: the reader returns (never panics), errors format, and whatever
//! parses round-trips through the binary and the text form.

use std::path::Path;

use espb_format::{parse, text};

fn check(name: &str, data: &[u8]) -> bool {
    let module = match parse(data) {
        Ok(m) => m,
        Err(e) => {
            assert!(!e.to_string().is_empty(), "{name}");
            assert!(e.offset <= data.len(), "{name}: {e}");
            return false;
        }
    };
    let bytes = module.to_bytes();
    let reparsed =
        parse(&bytes).unwrap_or_else(|e| panic!("{name}: re-encoded module does not parse: {e}"));
    assert_eq!(reparsed, module, "{name}");
    assert_eq!(reparsed.to_bytes(), bytes, "{name}");
    let listing = text::disassemble(&module);
    let assembled = text::assemble(&listing).unwrap_or_else(|e| panic!("{name}: {e}\n{listing}"));
    assert_eq!(assembled, module, "{name}");
    assert_eq!(assembled.to_bytes(), bytes, "{name}");
    true
}

/// Checks every file in `dir`; returns (valid, invalid) counts.
fn replay(dir: &Path) -> (usize, usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    let mut counts = (0, 0);
    for entry in entries {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if check(&path.display().to_string(), &data) {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
    }
    counts
}

#[test]
fn seeds_and_regressions_hold() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let (valid, invalid) = replay(&fuzz.join("seeds"));
    assert!(
        valid >= 2 && invalid >= 30,
        "seeds: {valid} valid, {invalid} invalid"
    );
    replay(&fuzz.join("regressions"));
}
