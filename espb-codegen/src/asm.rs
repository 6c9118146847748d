//! Inline assembly: only empty templates, which C code uses as compiler
//! barriers (`asm volatile("" ::: "memory")`, `asm("" : "+r"(x))`). LLVM
//! has already kept its own optimisations from moving memory accesses across
//! them, and an empty template runs nothing, so each output is the input tied
//! to it (`"0"(x)`, which `"+r"` becomes) or, with no input tied, any value.

use crate::ir::VReg;
use crate::llvm::Val;
use crate::lower::{FnLower, R};

/// One operand of an asm constraint string.
#[derive(Debug, PartialEq, Eq)]
enum Operand {
    /// `=r`: a value the asm call returns.
    Output,
    /// `=*m`: written through a pointer argument.
    IndirectOutput,
    /// An argument; `Some(n)` when tied to direct output `n` (`"0"`).
    Input(Option<usize>),
    /// `~{memory}`, `~{x5}`.
    Clobber,
}

fn operands(constraints: &str) -> Vec<Operand> {
    constraints
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| {
            if c.starts_with('~') {
                Operand::Clobber
            } else if let Some(rest) = c.strip_prefix('=') {
                if rest.trim_start_matches('&').starts_with('*') {
                    Operand::IndirectOutput
                } else {
                    Operand::Output
                }
            } else {
                let tied = c.trim_start_matches('*');
                Operand::Input(
                    Some(tied)
                        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                        .and_then(|t| t.parse().ok()),
                )
            }
        })
        .collect()
}

/// Whether the template runs nothing (whitespace only).
fn is_empty_template(template: &str) -> bool {
    template.trim().is_empty()
}

impl FnLower<'_> {
    /// A call of inline asm `callee` (instruction `i`).
    pub fn inline_asm(&mut self, i: Val, callee: Val) -> R<()> {
        let (template, constraints) = callee.inline_asm().unwrap_or_default();
        if !is_empty_template(&template) {
            let shown: String = template.chars().take(60).collect();
            return Err(format!(
                "inline assembly is not supported (`{}`); only an empty `asm` statement, \
                 a compiler barrier, is accepted",
                shown.escape_debug()
            ));
        }
        let ops = operands(&constraints);
        let n_out = ops.iter().filter(|o| **o == Operand::Output).count();
        let mut outputs: Vec<Option<Vec<VReg>>> = vec![None; n_out];
        let mut arg = 0u32;
        for o in &ops {
            match o {
                Operand::IndirectOutput => arg += 1,
                Operand::Input(tied) => {
                    if let Some(slot) = tied.and_then(|t| outputs.get_mut(t)) {
                        *slot = Some(self.get(i.operand(arg))?);
                    }
                    arg += 1;
                }
                Operand::Output | Operand::Clobber => {}
            }
        }
        if n_out == 0 {
            return Ok(());
        }
        // One output is the call's value; several form a struct, whose
        // leaves are the outputs' leaves in order.
        let out_tys = if n_out == 1 {
            vec![i.ty()]
        } else {
            i.ty().struct_elems()
        };
        let mut leaves = Vec::new();
        for (k, t) in out_tys.into_iter().enumerate() {
            let want = self.leaves(t)?;
            match outputs.get(k).cloned().flatten() {
                Some(v) if v.len() == want.len() => leaves.extend(v),
                Some(_) => {
                    return Err("inline assembly output tied to an input of another type".into())
                }
                // Nothing is written to it: any value will do.
                None => {
                    for (sc, _) in want {
                        leaves.push(self.konst(0, sc.wide()));
                    }
                }
            }
        }
        self.set_vals(i, leaves);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_strings_as_clang_writes_them() {
        use Operand::*;
        assert_eq!(operands("~{memory}"), vec![Clobber]);
        assert_eq!(
            operands("=r,0,~{memory}"),
            vec![Output, Input(Some(0))]
                .into_iter()
                .chain([Clobber])
                .collect::<Vec<_>>()
        );
        assert_eq!(
            operands("=*m,*m,r,=&r"),
            vec![IndirectOutput, Input(None), Input(None), Output]
        );
        assert_eq!(
            operands("=r,=r,1,0"),
            vec![Output, Output, Input(Some(1)), Input(Some(0))]
        );
        assert!(is_empty_template(" \n\t"));
        assert!(!is_empty_template("nop"));
    }
}
