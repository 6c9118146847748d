//! A minimal view of the LLVM module through `llvm-sys`: values, blocks,
//! types and the data layout, with only what the analysis asks of them.

use super::*;

// The analysis talks to the LLVM C API itself: it asks questions `llvm.rs`
// does not (global constness, use lists, instruction parents, argument
// parents), and that file belongs to the lowering.

/// A value of the module being translated. Every handle comes from the
/// module `translate` owns for its whole duration and is used only while it
/// is alive (the analysis runs inside `translate`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub(super) struct V(pub(super) LLVMValueRef);
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(super) struct B(pub(super) LLVMBasicBlockRef);
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct T(pub(super) LLVMTypeRef);

// SAFETY (for every `unsafe` block below): the handles are live values,
// types and blocks of the verified module; each accessor is only called on
// the class of value it is defined for, which the caller checks first with
// an `LLVMIsA*` / opcode test, and out-of-range queries are avoided by
// checking counts first.
impl V {
    pub(super) fn null(self) -> bool {
        self.0.is_null()
    }
    pub(super) fn isa(self, f: unsafe extern "C" fn(LLVMValueRef) -> LLVMValueRef) -> bool {
        unsafe { !f(self.0).is_null() }
    }
    pub(super) fn name(self) -> String {
        let mut len = 0usize;
        unsafe {
            let p = LLVMGetValueName2(self.0, &mut len);
            if p.is_null() {
                return String::new();
            }
            String::from_utf8_lossy(std::slice::from_raw_parts(p as *const u8, len)).into_owned()
        }
    }
    pub(super) fn ty(self) -> T {
        T(unsafe { LLVMTypeOf(self.0) })
    }
    pub(super) fn operand(self, i: u32) -> V {
        V(unsafe { LLVMGetOperand(self.0, i) })
    }
    pub(super) fn num_operands(self) -> u32 {
        unsafe { LLVMGetNumOperands(self.0) as u32 }
    }
    pub(super) fn opcode(self) -> Option<LLVMOpcode> {
        if self.isa(LLVMIsAInstruction) {
            Some(unsafe { LLVMGetInstructionOpcode(self.0) })
        } else if self.isa(LLVMIsAConstantExpr) {
            Some(unsafe { LLVMGetConstOpcode(self.0) })
        } else {
            None
        }
    }
    pub(super) fn is_function(self) -> bool {
        self.isa(LLVMIsAFunction)
    }
    pub(super) fn is_declaration(self) -> bool {
        unsafe { LLVMIsDeclaration(self.0) != 0 }
    }
    pub(super) fn users(self) -> Vec<V> {
        let mut out = Vec::new();
        unsafe {
            let mut u = LLVMGetFirstUse(self.0);
            while !u.is_null() {
                out.push(V(LLVMGetUser(u)));
                u = LLVMGetNextUse(u);
            }
        }
        out
    }
    pub(super) fn parent(self) -> B {
        B(unsafe { LLVMGetInstructionParent(self.0) })
    }
    pub(super) fn const_int(self) -> Option<i64> {
        if self.isa(LLVMIsAConstantInt) && self.ty().int_width() <= 64 {
            Some(unsafe { LLVMConstIntGetSExtValue(self.0) })
        } else {
            None
        }
    }
    /// The function a call instruction calls directly (through aliases).
    pub(super) fn called_function(self) -> Option<V> {
        let mut c = V(unsafe { LLVMGetCalledValue(self.0) });
        for _ in 0..16 {
            if c.isa(LLVMIsAGlobalAlias) {
                c = V(unsafe { LLVMAliasGetAliasee(c.0) });
            } else {
                break;
            }
        }
        c.is_function().then_some(c)
    }
    pub(super) fn num_args(self) -> u32 {
        unsafe { LLVMGetNumArgOperands(self.0) }
    }
    pub(super) fn global_type(self) -> T {
        T(unsafe { LLVMGlobalGetValueType(self.0) })
    }
    pub(super) fn allocated_type(self) -> T {
        T(unsafe { LLVMGetAllocatedType(self.0) })
    }
    pub(super) fn gep_source_type(self) -> T {
        T(unsafe { LLVMGetGEPSourceElementType(self.0) })
    }
    pub(super) fn is_constant_global(self) -> bool {
        unsafe { LLVMIsGlobalConstant(self.0) != 0 }
    }
    pub(super) fn initializer(self) -> Option<V> {
        let v = V(unsafe { LLVMGetInitializer(self.0) });
        (!v.null()).then_some(v)
    }
    pub(super) fn aggregate_elem(self, i: u32) -> Option<V> {
        let v = V(unsafe { LLVMGetAggregateElement(self.0, i) });
        (!v.null()).then_some(v)
    }
    pub(super) fn is_null_value(self) -> bool {
        unsafe { LLVMIsNull(self.0) != 0 }
    }
    pub(super) fn incoming(self) -> Vec<V> {
        unsafe {
            (0..LLVMCountIncoming(self.0))
                .map(|i| V(LLVMGetIncomingValue(self.0, i)))
                .collect()
        }
    }
    /// The bytes of a constant C string (`[N x i8]` data).
    pub(super) fn string_bytes(self) -> Option<Vec<u8>> {
        unsafe {
            if LLVMIsAConstantDataSequential(self.0).is_null() || LLVMIsConstantString(self.0) == 0
            {
                return None;
            }
            let mut len = 0usize;
            let p = LLVMGetAsString(self.0, &mut len);
            if p.is_null() {
                return None;
            }
            Some(std::slice::from_raw_parts(p as *const u8, len).to_vec())
        }
    }
}

impl T {
    pub(super) fn kind(self) -> LLVMTypeKind {
        unsafe { LLVMGetTypeKind(self.0) }
    }
    pub(super) fn int_width(self) -> u32 {
        if self.kind() == LLVMTypeKind::LLVMIntegerTypeKind {
            unsafe { LLVMGetIntTypeWidth(self.0) }
        } else {
            0
        }
    }
    pub(super) fn params(self) -> Vec<T> {
        unsafe {
            let n = LLVMCountParamTypes(self.0) as usize;
            let mut v: Vec<LLVMTypeRef> = vec![std::ptr::null_mut(); n];
            LLVMGetParamTypes(self.0, v.as_mut_ptr());
            v.into_iter().map(T).collect()
        }
    }
    pub(super) fn struct_elems(self) -> Vec<T> {
        unsafe {
            let n = LLVMCountStructElementTypes(self.0) as usize;
            let mut v: Vec<LLVMTypeRef> = vec![std::ptr::null_mut(); n];
            LLVMGetStructElementTypes(self.0, v.as_mut_ptr());
            v.into_iter().map(T).collect()
        }
    }
    pub(super) fn elem(self) -> T {
        T(unsafe { LLVMGetElementType(self.0) })
    }
    pub(super) fn array_len(self) -> u64 {
        unsafe { LLVMGetArrayLength2(self.0) }
    }
    pub(super) fn is_sized(self) -> bool {
        unsafe { LLVMTypeIsSized(self.0) != 0 }
    }
}

impl B {
    pub(super) fn instructions(self) -> Vec<V> {
        let mut out = Vec::new();
        unsafe {
            let mut i = LLVMGetFirstInstruction(self.0);
            while !i.is_null() {
                out.push(V(i));
                i = LLVMGetNextInstruction(i);
            }
        }
        out
    }
    pub(super) fn successors(self) -> Vec<B> {
        unsafe {
            let t = LLVMGetBasicBlockTerminator(self.0);
            if t.is_null() {
                return Vec::new();
            }
            (0..LLVMGetNumSuccessors(t))
                .map(|i| B(LLVMGetSuccessor(t, i)))
                .collect()
        }
    }
}

pub(super) struct Layout(pub(super) LLVMTargetDataRef);

impl Layout {
    pub(super) fn alloc_size(&self, t: T) -> u64 {
        if t.is_sized() {
            unsafe { LLVMABISizeOfType(self.0, t.0) }
        } else {
            0
        }
    }
    pub(super) fn offset_of(&self, st: T, i: u32) -> u64 {
        unsafe { LLVMOffsetOfElement(self.0, st.0, i) }
    }

    /// Byte offsets of the pointer leaves of `t`.
    pub(super) fn pointer_offsets(
        &self,
        t: T,
        base: u64,
        out: &mut BTreeSet<u64>,
        budget: &mut u32,
    ) {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        match t.kind() {
            LLVMTypeKind::LLVMPointerTypeKind => {
                out.insert(base);
            }
            LLVMTypeKind::LLVMStructTypeKind => {
                for (i, e) in t.struct_elems().into_iter().enumerate() {
                    self.pointer_offsets(
                        e,
                        base.saturating_add(self.offset_of(t, i as u32)),
                        out,
                        budget,
                    );
                }
            }
            LLVMTypeKind::LLVMArrayTypeKind => {
                let e = t.elem();
                let step = self.alloc_size(e);
                for k in 0..t.array_len().min(64) {
                    self.pointer_offsets(
                        e,
                        base.saturating_add(k.saturating_mul(step)),
                        out,
                        budget,
                    );
                }
            }
            _ => {}
        }
    }
}

/// Registers a value of LLVM type `t` takes in a call (what the lowering
/// flattens it into; see `types::leaves`).
pub(super) fn leaf_count(t: T) -> u32 {
    match t.kind() {
        LLVMTypeKind::LLVMStructTypeKind => t.struct_elems().into_iter().map(leaf_count).sum(),
        LLVMTypeKind::LLVMArrayTypeKind => {
            (t.array_len().min(u32::MAX as u64) as u32).saturating_mul(leaf_count(t.elem()))
        }
        _ => 1,
    }
}
