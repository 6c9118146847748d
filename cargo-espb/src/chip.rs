//! The ESP-IDF targets (the ESP32 chips and ESP-IDF's `linux` host target)
//! and the clang target flags a script is compiled with for each. Scripts
//! become one portable module, so every target maps to a 32-bit
//! little-endian ilp32 target that upstream clang 19 can produce — `linux`
//! included: its firmware is a 64-bit host program, but the module is the
//! same riscv32 module a chip runs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Chip {
    Esp32,
    Esp32s2,
    Esp32s3,
    Esp32c2,
    #[default]
    Esp32c3,
    Esp32c5,
    Esp32c6,
    Esp32h2,
    /// ESP-IDF's `linux` target: real FreeRTOS (POSIX port) on the PC.
    Linux,
}

pub const ALL_CHIPS: [Chip; 9] = [
    Chip::Esp32,
    Chip::Esp32s2,
    Chip::Esp32s3,
    Chip::Esp32c2,
    Chip::Esp32c3,
    Chip::Esp32c5,
    Chip::Esp32c6,
    Chip::Esp32h2,
    Chip::Linux,
];

/// Triple every script is compiled for with upstream clang: the vendor is
/// cosmetic to LLVM, and the datalayout is riscv32 ilp32 (32-bit LE).
pub const SCRIPT_TRIPLE: &str = "riscv32-esp-elf";

impl Chip {
    pub fn name(self) -> &'static str {
        match self {
            Chip::Esp32 => "esp32",
            Chip::Esp32s2 => "esp32s2",
            Chip::Esp32s3 => "esp32s3",
            Chip::Esp32c2 => "esp32c2",
            Chip::Esp32c3 => "esp32c3",
            Chip::Esp32c5 => "esp32c5",
            Chip::Esp32c6 => "esp32c6",
            Chip::Esp32h2 => "esp32h2",
            Chip::Linux => "linux",
        }
    }

    /// The RISC-V ISA string the chip implements (the ISA upstream clang is
    /// given instead of Espressif's `-mcpu=<chip>`). Xtensa chips have no
    /// upstream clang backend; their scripts use the C3's ISA, which yields
    /// the same 32-bit little-endian ilp32 layout the firmware uses. The
    /// `linux` target's scripts are the C3's too (see the module comment).
    pub fn march(self) -> &'static str {
        match self {
            Chip::Esp32c5 | Chip::Esp32c6 | Chip::Esp32h2 => "rv32imac_zicsr_zifencei",
            _ => "rv32imc_zicsr_zifencei",
        }
    }

    /// The clang flags that select the script target for this chip.
    pub fn target_flags(self) -> Vec<String> {
        vec![
            format!("--target={SCRIPT_TRIPLE}"),
            format!("-march={}", self.march()),
            "-mabi=ilp32".into(),
        ]
    }

    /// Recognises a chip from Espressif's `-mcpu=` value or an IDF target name.
    pub fn from_idf_name(s: &str) -> Option<Chip> {
        ALL_CHIPS.into_iter().find(|c| c.name() == s)
    }
}

impl fmt::Display for Chip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Chip {
    type Err = String;
    fn from_str(s: &str) -> Result<Chip, String> {
        Chip::from_idf_name(s).ok_or_else(|| {
            let names: Vec<_> = ALL_CHIPS.iter().map(|c| c.name()).collect();
            format!("unknown chip `{s}` (known: {})", names.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn riscv_isas() {
        assert_eq!(
            Chip::Esp32c3.target_flags(),
            [
                "--target=riscv32-esp-elf",
                "-march=rv32imc_zicsr_zifencei",
                "-mabi=ilp32"
            ]
        );
        assert_eq!(Chip::Esp32c6.march(), "rv32imac_zicsr_zifencei");
        assert_eq!("esp32s3".parse::<Chip>(), Ok(Chip::Esp32s3));
        assert!("esp8266".parse::<Chip>().unwrap_err().contains("esp32c6"));
        assert_eq!("linux".parse::<Chip>(), Ok(Chip::Linux));
        assert_eq!(Chip::Linux.target_flags(), Chip::Esp32c3.target_flags());
    }
}
