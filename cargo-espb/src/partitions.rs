//! ESP-IDF partition tables (`partitions.csv`), as `gen_esp32part.py` reads
//! them: `name, type, subtype, offset, size, flags`, `#` comments, empty
//! offsets placed after the previous partition (apps 64 KiB aligned, data
//! 4 KiB aligned), sizes in decimal, hex or with a `K`/`M` suffix.

use miette::{Diagnostic, NamedSource, SourceSpan};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    pub name: String,
    pub kind: String,
    pub subtype: String,
    pub offset: u32,
    pub size: u32,
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{file}: {message}")]
#[diagnostic(
    code(espb::partitions),
    help("see ESP-IDF's partition table docs: name, type, subtype, offset, size, flags")
)]
pub struct PartitionError {
    pub file: String,
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("here")]
    pub span: SourceSpan,
}

const APP_ALIGN: u32 = 0x10000;
const DATA_ALIGN: u32 = 0x1000;

pub fn parse(text: &str, file: &str, table_offset: u32) -> Result<Vec<Partition>, PartitionError> {
    let err = |message: String, start: usize, len: usize| PartitionError {
        file: file.to_string(),
        message,
        src: NamedSource::new(file, text.to_string()),
        span: (start, len).into(),
    };
    let mut out: Vec<Partition> = Vec::new();
    // The partition table occupies one 4 KiB sector.
    let mut next = table_offset
        .checked_add(0x1000)
        .ok_or_else(|| err("partition table offset too large".into(), 0, 0))?;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let this_start = line_start;
        line_start += line.len();
        let content = line.split('#').next().unwrap_or("");
        if content.trim().is_empty() {
            continue;
        }
        // Column texts with their offsets in the file, for spans.
        let mut cols = Vec::new();
        let mut at = this_start;
        for c in content.trim_end_matches(['\r', '\n']).split(',') {
            let lead = c.len() - c.trim_start().len();
            cols.push((c.trim(), at + lead));
            at += c.len() + 1;
        }
        if cols.len() < 5 {
            return Err(err(
                format!("expected at least 5 columns, found {}", cols.len()),
                this_start,
                content.trim_end().len(),
            ));
        }
        let (name, kind, subtype) = (
            cols[0].0.to_string(),
            cols[1].0.to_string(),
            cols[2].0.to_string(),
        );
        let size = parse_size(cols[4].0).ok_or_else(|| {
            err(
                format!("bad size `{}`", cols[4].0),
                cols[4].1,
                cols[4].0.len(),
            )
        })?;
        let offset = if cols[3].0.is_empty() {
            let align = if kind == "app" { APP_ALIGN } else { DATA_ALIGN };
            next.div_ceil(align)
                .checked_mul(align)
                .ok_or_else(|| err("offset overflows".into(), cols[3].1, 0))?
        } else {
            parse_size(cols[3].0).ok_or_else(|| {
                err(
                    format!("bad offset `{}`", cols[3].0),
                    cols[3].1,
                    cols[3].0.len(),
                )
            })?
        };
        if offset < next {
            return Err(err(format!("partition `{name}` at {offset:#x} overlaps the previous one (ends at {next:#x})"), cols[3].1, cols[3].0.len()));
        }
        next = offset
            .checked_add(size)
            .ok_or_else(|| err("partition end overflows".into(), cols[4].1, cols[4].0.len()))?;
        if out.iter().any(|p| p.name == name) {
            return Err(err(
                format!("duplicate partition name `{name}`"),
                cols[0].1,
                name.len(),
            ));
        }
        out.push(Partition {
            name,
            kind,
            subtype,
            offset,
            size,
        });
    }
    Ok(out)
}

fn parse_size(s: &str) -> Option<u32> {
    let s = s.trim();
    let (num, mul) = match s.chars().last()? {
        'K' | 'k' => (&s[..s.len() - 1], 1024),
        'M' | 'm' => (&s[..s.len() - 1], 1024 * 1024),
        _ => (s, 1),
    };
    let v = match num.strip_prefix("0x").or_else(|| num.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16).ok()?,
        None => num.parse().ok()?,
    };
    v.checked_mul(mul)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_and_automatic_offsets() {
        let t = "# Name, Type, SubType, Offset, Size, Flags\n\
                 nvs,      data, nvs,     0x9000,  0x6000,\n\
                 phy_init, data, phy,     ,        4K,\n\
                 factory,  app,  factory, ,        1M,\n\
                 espb,     data, 0x40,    ,        256K,\n";
        let p = parse(t, "partitions.csv", 0x8000).unwrap();
        assert_eq!(p[1].offset, 0xf000);
        assert_eq!(p[2].offset, 0x10000);
        assert_eq!(
            p[3],
            Partition {
                name: "espb".into(),
                kind: "data".into(),
                subtype: "0x40".into(),
                offset: 0x110000,
                size: 0x40000
            }
        );
    }

    #[test]
    fn errors_point_at_the_column() {
        let t = "nvs, data, nvs, 0x9000, lots,\n";
        let e = parse(t, "p.csv", 0x8000).unwrap_err();
        assert_eq!(&t[e.span.offset()..e.span.offset() + e.span.len()], "lots");
        let e = parse(
            "a, data, nvs, 0x9000, 0x1000\nb, data, nvs, 0x9800, 0x1000\n",
            "p.csv",
            0x8000,
        )
        .unwrap_err();
        assert!(e.message.contains("overlaps"), "{}", e.message);
        assert!(parse("a, data\n", "p.csv", 0x8000).is_err());
    }
}
