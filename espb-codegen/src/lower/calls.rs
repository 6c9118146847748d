//! Calls: direct, indirect, imports, variadic and mismatched signatures,
//! `byval` copies and results returned through memory.

use super::*;

impl FnLower<'_> {
    pub(super) fn call(&mut self, i: Val) -> R<()> {
        let callee = i.called_value();
        if callee.is_inline_asm() {
            return self.inline_asm(i, callee);
        }
        let mut target = callee;
        while target.kind() == LLVMValueKind::LLVMGlobalAliasValueKind {
            target = target.alias_target();
        }
        if target.is_function() && target.name().starts_with("llvm.") {
            return self.intrinsic(i, &target.name());
        }
        if target.is_function()
            && target.is_declaration()
            && self.atomic_libcall(i, &target.name())?
        {
            return Ok(());
        }
        let fty = i.called_fn_type();
        if let Some(&idx) = self.ctx.funcs.get(&target) {
            let decl = target.global_value_type();
            if decl != fty && !decl.fn_vararg() && !fty.fn_vararg() {
                return self.mismatched_call(i, idx, decl);
            }
        }
        let nfixed = fty.fn_params().len() as u32;
        let nargs = i.num_arg_operands();
        let to_module = !target.is_function() || self.ctx.funcs.contains_key(&target);
        let mut fixed = Vec::new();
        for k in 0..nfixed.min(nargs) {
            match i.call_byval_type(k).filter(|_| to_module) {
                Some(t) if t.is_sized() => {
                    let dst = self.byval_copy(i.operand(k), t)?;
                    fixed.push(dst);
                }
                _ => fixed.extend(self.get(i.operand(k))?),
            }
        }
        let mut var: Vec<(VReg, Sc)> = Vec::new();
        for k in nfixed..nargs {
            let a = i.operand(k);
            let l = self.leaves(a.ty())?;
            let r = self.get(a)?;
            if types::is_wide_scalar(a.ty()) {
                // riscv32 passes a variadic `long double` by reference
                // (clang's `va_arg` reads a pointer): a copy in the frame.
                let slot = self.temp_slot(16, 16);
                let at = self.frame_addr(slot);
                for ((sc, off), v) in l.into_iter().zip(r) {
                    self.store_bytes(sc.store_bytes(), at, v, off as i32);
                }
                var.push((at, Sc::Ptr));
                continue;
            }
            for ((sc, _), v) in l.into_iter().zip(r) {
                var.push((v, sc));
            }
        }
        if !to_module
            && target.is_function()
            && (types::has_wide_scalar(fty) || types::has_wide_scalar(target.global_value_type()))
        {
            return Err(format!(
                "native function `{}` takes or returns `long double` (or an integer over 64 bits): \
                 not supported across the FFI; convert to `double` at the call",
                target.name()
            ));
        }
        let (shape, ret_slot, ret) = self.call_result(fty.fn_ret(), &mut fixed)?;
        let callee = if target.is_function() && self.ctx.funcs.contains_key(&target) {
            let idx = self.ctx.funcs[&target];
            let decl = target.global_value_type();
            if decl != fty {
                return Err(format!(
                    "call to `{}` with a signature that differs from its definition",
                    target.name()
                ));
            }
            if fty.fn_vararg() {
                let area = self.pack_varargs(&var);
                fixed.push(area);
            }
            Callee::Func(idx)
        } else if target.is_function() {
            let decl = target.global_value_type();
            if decl.fn_vararg() && decl.fn_params().is_empty() && !fty.fn_vararg() {
                // `extern int puts();`: an unprototyped declaration (C has
                // no variadic function without a fixed parameter). The call
                // sites say what the function takes: when they all agree,
                // that is the import's signature; otherwise each passes its
                // own exact arguments, as to a variadic function.
                let sig = types::signature(&self.ctx.m, fty).map_err(|e| e.0)?;
                let (sites, other_uses) = target.call_site_types();
                let ty = self.ctx.intern_type(sig);
                if !other_uses && sites.iter().all(|&t| t == fty) {
                    Callee::Import(self.ctx.import_named(&target.name(), ty)?)
                } else {
                    Callee::ImportVar {
                        import: self.ctx.import_of(target)?,
                        ty,
                    }
                }
            } else {
                self.import_call(target, fty, decl, &var, &mut fixed)?
            }
        } else {
            let t = self.get1(callee)?;
            let sig = types::signature(&self.ctx.m, fty).map_err(|e| e.0)?;
            if fty.fn_vararg() {
                return self.variadic_indirect_call(i, t, sig, fixed, &var, shape, ret);
            }
            let ty = self.ctx.intern_type(sig);
            Callee::Indirect { ty, target: t }
        };
        self.f.has_calls = true;
        self.emit(Inst::Call {
            callee,
            args: fixed,
            ret,
        });
        let is_import = matches!(callee, Callee::Import(_) | Callee::ImportVar { .. });
        if let Some(at) = ret_slot {
            self.load_indirect_result(i, fty.fn_ret(), at)?;
        }
        match (shape, ret) {
            (RetShape::One(sc), Some(r)) => {
                // A native may leave junk above a narrow result.
                let r = match sc {
                    Sc::Int(b) if is_import && b != 32 && b != 64 => self.mask(r, b),
                    _ => r,
                };
                self.vals.insert(i, vec![r]);
            }
            (RetShape::Pair(..), Some(r)) => {
                let hi = self.imm(O::I64ShrUI, r, 32);
                self.vals.insert(i, vec![r, hi]);
            }
            _ => {}
        }
        Ok(())
    }

    /// A direct call whose arguments differ from the callee's definition: a
    /// K&R definition (`int f() {…}`) called with arguments, or a function
    /// called through a cast to another type. C leaves it undefined; every
    /// real ABI passes the arguments in order and the callee reads what it
    /// declares, which is what happens here: the call's leaves fill the
    /// definition's parameters in order, extras are dropped, missing ones
    /// are 0; a result the callee does not produce reads as 0.
    pub(super) fn mismatched_call(&mut self, i: Val, idx: u32, decl: Ty) -> R<()> {
        let mut given = Vec::new();
        for k in 0..i.num_arg_operands() {
            let a = i.operand(k);
            if let Some(t) = i.call_byval_type(k).filter(|t| t.is_sized()) {
                let dst = self.byval_copy(a, t)?;
                given.push(dst);
            } else {
                given.extend(self.get(a)?);
            }
        }
        let want = types::param_leaves(&self.ctx.m, decl).map_err(|e| e.0)?;
        let mut args = Vec::new();
        for (k, sc) in want.iter().enumerate() {
            args.push(match given.get(k) {
                Some(&r) => r,
                None => self.konst(0, sc.wide()),
            });
        }
        let (shape, slot, ret) = self.call_result(decl.fn_ret(), &mut args)?;
        self.f.has_calls = true;
        self.emit(Inst::Call {
            callee: Callee::Func(idx),
            args,
            ret,
        });
        let t = i.ty();
        if t.kind() == LLVMTypeKind::LLVMVoidTypeKind {
            return Ok(());
        }
        let wanted = self.leaves(t)?;
        let same = t == decl.fn_ret();
        let out = match (shape, ret, slot) {
            (RetShape::One(_), Some(r), _) if same => vec![r],
            (RetShape::One(Sc::Int(_)), Some(r), _) if matches!(wanted[..], [(Sc::Int(_), _)]) => {
                let b = match wanted[0].0 {
                    Sc::Int(b) => b,
                    _ => 32,
                };
                vec![self.mask(r, b)]
            }
            (RetShape::Pair(..), Some(r), _) if same => {
                let hi = self.imm(O::I64ShrUI, r, 32);
                vec![r, hi]
            }
            (RetShape::Indirect, _, Some(at)) if same => {
                self.load_indirect_result(i, t, at)?;
                return Ok(());
            }
            _ => wanted
                .iter()
                .map(|(sc, _)| self.konst(0, sc.wide()))
                .collect(),
        };
        self.vals.insert(i, out);
        Ok(())
    }

    /// The copy of by-value aggregate `v` (of type `t`) the callee owns
    /// (docs/abi.md), made in the caller's frame; its address.
    pub(super) fn byval_copy(&mut self, v: Val, t: Ty) -> R<VReg> {
        let size = self.ctx.m.alloc_size(t);
        if size > 1 << 24 {
            return Err("by-value argument too large".into());
        }
        let src = self.get1(v)?;
        let slot = self.temp_slot(size as u32, 8);
        let dst = self.frame_addr(slot);
        let n = self.konst(size, false);
        self.op(O::MemCopy, vec![VOp::Reg(dst), VOp::Reg(src), VOp::Reg(n)]);
        Ok(dst)
    }

    /// How a call's result of type `t` comes back: its shape, the frame
    /// slot a wide result is written to (its address appended to `args`,
    /// after the declared arguments) and the result register.
    pub(super) fn call_result(
        &mut self,
        t: Ty,
        args: &mut Vec<VReg>,
    ) -> R<(RetShape, Option<VReg>, Option<VReg>)> {
        let shape = RetShape::of(&self.ctx.m, t).map_err(|e| e.0)?;
        let slot = if shape == RetShape::Indirect {
            let size = self.ctx.m.alloc_size(t) as u32;
            let off = self.temp_slot(size, 16);
            let at = self.frame_addr(off);
            args.push(at);
            Some(at)
        } else {
            None
        };
        let ret = match shape {
            RetShape::Void | RetShape::Indirect => None,
            _ => Some(self.vreg()),
        };
        Ok((shape, slot, ret))
    }

    /// The value of call `i` from the slot its callee wrote it to.
    pub(super) fn load_indirect_result(&mut self, i: Val, t: Ty, at: VReg) -> R<()> {
        let out = self
            .leaves(t)?
            .into_iter()
            .map(|(sc, off)| self.load_leaf(sc, at, off as i32))
            .collect();
        self.vals.insert(i, out);
        Ok(())
    }

    /// The callee of a direct call to imported function `target`: a
    /// variadic one gets the call site's exact argument types.
    pub(super) fn import_call(
        &mut self,
        target: Val,
        fty: Ty,
        decl: Ty,
        var: &[(VReg, Sc)],
        fixed: &mut Vec<VReg>,
    ) -> R<Callee> {
        let import = self.ctx.import_of(target)?;
        if decl.fn_vararg() {
            let mut site = types::signature(&self.ctx.m, decl).map_err(|e| e.0)?;
            site.variadic = false;
            for &(v, sc) in var {
                fixed.push(v);
                site.params.push(match sc {
                    Sc::F32 => {
                        return Err("float passed to a variadic function without promotion".into())
                    }
                    s => s.val_type(),
                });
            }
            let ty = self.ctx.intern_type(site);
            Ok(Callee::ImportVar { import, ty })
        } else {
            if decl != fty {
                return Err(format!(
                    "call to `{}` with a signature that differs from its declaration",
                    target.name()
                ));
            }
            Ok(Callee::Import(import))
        }
    }

    /// A variadic call through a pointer. A module function takes its
    /// variadic arguments packed in memory behind a hidden pointer; a native
    /// (`sprintf` taken by address) needs each one with its exact type, as a
    /// direct call passes them. The pointer's range says which it is at run
    /// time, so the call is made both ways on two paths.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn variadic_indirect_call(
        &mut self,
        i: Val,
        target: VReg,
        sig: espb_format::FuncType,
        fixed: Vec<VReg>,
        var: &[(VReg, Sc)],
        shape: RetShape,
        ret: Option<VReg>,
    ) -> R<()> {
        let mut site = sig.clone();
        site.variadic = false;
        for &(_, sc) in var {
            if sc == Sc::F32 {
                return Err("float passed to a variadic function without promotion".into());
            }
            site.params.push(sc.val_type());
        }
        let packed_ty = self.ctx.intern_type(sig);
        let site_ty = self.ctx.intern_type(site);
        let area = self.pack_varargs(var);
        let to_module = self.new_block();
        let to_native = self.new_block();
        let join = self.new_block();
        self.terminate(Term::CondBr {
            cond: Cond::Cmp {
                cmp: Cmp::GeU,
                wide: false,
                a: target,
                b: Rhs::Imm(espb_format::FUNC_REF_BASE as i32),
            },
            t: to_module,
            f: to_native,
        });
        self.f.has_calls = true;
        for (block, ty, args, native) in [
            (to_module, packed_ty, [&fixed[..], &[area]].concat(), false),
            (
                to_native,
                site_ty,
                [&fixed[..], &var.iter().map(|v| v.0).collect::<Vec<_>>()].concat(),
                true,
            ),
        ] {
            self.cur = block;
            let r = ret.map(|_| self.vreg());
            self.emit(Inst::Call {
                callee: Callee::Indirect { ty, target },
                args,
                ret: r,
            });
            if let (Some(r), Some(dst)) = (r, ret) {
                // A native may leave junk above a narrow result.
                let r = match shape {
                    RetShape::One(Sc::Int(b)) if native && b != 32 && b != 64 => self.mask(r, b),
                    _ => r,
                };
                self.emit(Inst::Copy { dst, src: r });
            }
            self.terminate(Term::Br(join));
        }
        self.cur = join;
        if shape == RetShape::Indirect {
            let at = *fixed.last().ok_or("missing result slot")?;
            self.load_indirect_result(i, i.called_fn_type().fn_ret(), at)?;
        }
        match (shape, ret) {
            (RetShape::One(_), Some(r)) => {
                self.vals.insert(i, vec![r]);
            }
            (RetShape::Pair(..), Some(r)) => {
                let hi = self.imm(O::I64ShrUI, r, 32);
                self.vals.insert(i, vec![r, hi]);
            }
            _ => {}
        }
        Ok(())
    }

    /// Lays out variadic arguments like stack arguments in a frame area and
    /// returns its address: 4-byte slots, 8-byte values at their ABI
    /// alignment (8 on riscv32 ilp32, which clang's `va_arg` expects; 4 on
    /// i386).
    pub(super) fn pack_varargs(&mut self, var: &[(VReg, Sc)]) -> VReg {
        let (al_i64, al_f64) = self.ctx.m.wide_aligns();
        let mut off = 0u32;
        let mut placed = Vec::new();
        for &(v, sc) in var {
            let size = if sc.wide() { 8 } else { 4 };
            let align = match sc {
                Sc::F64 => al_f64.clamp(4, 8),
                _ if sc.wide() => al_i64.clamp(4, 8),
                _ => 4,
            };
            off = off.div_ceil(align) * align;
            placed.push((v, size, off));
            off += size;
        }
        let area = self.temp_slot(off.max(8), 8);
        let a = self.frame_addr(area);
        for (v, size, o) in placed {
            self.store_bytes(size, a, v, o as i32);
        }
        a
    }

    // ---- control flow ---------------------------------------------------------------
}
