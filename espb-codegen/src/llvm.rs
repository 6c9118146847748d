//! The only place that talks to the LLVM C API directly: a thin, copyable view
//! of values, types and blocks of one parsed module.
//!
//! Every handle here is created from the `inkwell::module::Module` that
//! `translate` owns for its whole duration, and no handle escapes `translate`
//! (the types are crate-private), so each raw pointer stays valid for as long
//! as it is used. The module is verified before any handle is created, so the
//! accessors below only ask LLVM questions that are well-defined for valid IR
//! (each accessor checks the value kind it relies on first).

use std::ffi::CStr;

use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use inkwell::llvm_sys::target::*;
pub use inkwell::llvm_sys::{
    LLVMAtomicOrdering, LLVMAtomicRMWBinOp, LLVMIntPredicate, LLVMOpcode, LLVMRealPredicate,
    LLVMTypeKind, LLVMValueKind,
};

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Val(LLVMValueRef);
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Ty(LLVMTypeRef);
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Bb(LLVMBasicBlockRef);

/// A parsed module plus its datalayout.
#[derive(Clone, Copy)]
pub struct Mod {
    m: LLVMModuleRef,
    td: LLVMTargetDataRef,
}

fn opt_val(v: LLVMValueRef) -> Option<Val> {
    if v.is_null() {
        None
    } else {
        Some(Val(v))
    }
}

fn cstr_lossy(p: *const libc_char, len: usize) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: LLVM returned `p` pointing at `len` bytes it owns; we copy them at once.
    let bytes = unsafe { std::slice::from_raw_parts(p as *const u8, len) };
    String::from_utf8_lossy(bytes).into_owned()
}

#[allow(non_camel_case_types)]
type libc_char = std::os::raw::c_char;

impl Mod {
    pub fn new(m: &inkwell::module::Module<'_>) -> Mod {
        let m = m.as_mut_ptr();
        // SAFETY: `m` is a live module; the datalayout it returns is owned by it.
        let td = unsafe { LLVMGetModuleDataLayout(m) };
        Mod { m, td }
    }

    pub fn pointer_size(&self) -> u32 {
        // SAFETY: `td` belongs to the live module.
        unsafe { LLVMPointerSize(self.td) }
    }

    pub fn little_endian(&self) -> bool {
        // SAFETY: as above.
        unsafe { LLVMByteOrder(self.td) == LLVMByteOrdering::LLVMLittleEndian }
    }

    pub fn datalayout_str(&self) -> String {
        // SAFETY: returns a NUL-terminated string owned by the module.
        unsafe {
            CStr::from_ptr(LLVMGetDataLayoutStr(self.m))
                .to_string_lossy()
                .into_owned()
        }
    }

    pub fn functions(&self) -> Vec<Val> {
        let mut out = Vec::new();
        // SAFETY: iterating the module's function list.
        let mut f = unsafe { LLVMGetFirstFunction(self.m) };
        while !f.is_null() {
            out.push(Val(f));
            // SAFETY: `f` is a function of this module.
            f = unsafe { LLVMGetNextFunction(f) };
        }
        out
    }

    pub fn globals(&self) -> Vec<Val> {
        let mut out = Vec::new();
        // SAFETY: iterating the module's global list.
        let mut g = unsafe { LLVMGetFirstGlobal(self.m) };
        while !g.is_null() {
            out.push(Val(g));
            // SAFETY: `g` is a global of this module.
            g = unsafe { LLVMGetNextGlobal(g) };
        }
        out
    }

    pub fn has_module_asm(&self) -> bool {
        let mut len = 0usize;
        // SAFETY: returns a pointer/length pair owned by the module.
        let p = unsafe { LLVMGetModuleInlineAsm(self.m, &mut len) };
        !p.is_null() && len > 0
    }

    /// ABI allocation size (what `alloca`/arrays step by).
    pub fn alloc_size(&self, t: Ty) -> u64 {
        // SAFETY: `t` is a sized type of this module's context (callers check `is_sized`).
        unsafe { LLVMABISizeOfType(self.td, t.0) }
    }

    /// Bytes a load/store of `t` touches.
    pub fn store_size(&self, t: Ty) -> u64 {
        // SAFETY: as above.
        unsafe { LLVMStoreSizeOfType(self.td, t.0) }
    }

    /// ABI alignment of `i64` and `double` in this datalayout.
    pub fn wide_aligns(&self) -> (u32, u32) {
        // SAFETY: the module's context creates (or returns) its i64 and double types.
        unsafe {
            let c = LLVMGetModuleContext(self.m);
            let i = LLVMInt64TypeInContext(c);
            let d = LLVMDoubleTypeInContext(c);
            (
                LLVMABIAlignmentOfType(self.td, i),
                LLVMABIAlignmentOfType(self.td, d),
            )
        }
    }

    pub fn pref_align_global(&self, g: Val) -> u32 {
        // SAFETY: `g` is a global variable of this module.
        unsafe { LLVMPreferredAlignmentOfGlobal(self.td, g.0) }
    }

    pub fn offset_of(&self, st: Ty, i: u32) -> u64 {
        // SAFETY: `st` is a struct type and `i` is below its element count (checked by callers).
        unsafe { LLVMOffsetOfElement(self.td, st.0, i) }
    }
}

impl Ty {
    pub fn kind(self) -> LLVMTypeKind {
        // SAFETY: any type handle answers its kind.
        unsafe { LLVMGetTypeKind(self.0) }
    }
    pub fn int_width(self) -> u32 {
        debug_assert_eq!(self.kind(), LLVMTypeKind::LLVMIntegerTypeKind);
        // SAFETY: integer type.
        unsafe { LLVMGetIntTypeWidth(self.0) }
    }
    pub fn is_sized(self) -> bool {
        // SAFETY: any type answers.
        unsafe { LLVMTypeIsSized(self.0) != 0 }
    }
    pub fn struct_elems(self) -> Vec<Ty> {
        // SAFETY: struct type: count then fill a buffer of that size.
        unsafe {
            let n = LLVMCountStructElementTypes(self.0) as usize;
            let mut v: Vec<LLVMTypeRef> = vec![std::ptr::null_mut(); n];
            LLVMGetStructElementTypes(self.0, v.as_mut_ptr());
            v.into_iter().map(Ty).collect()
        }
    }
    /// Element type of an array or vector.
    pub fn elem(self) -> Ty {
        // SAFETY: array/vector type (callers match on `kind`).
        Ty(unsafe { LLVMGetElementType(self.0) })
    }
    pub fn array_len(self) -> u64 {
        // SAFETY: array type.
        unsafe { LLVMGetArrayLength2(self.0) }
    }
    pub fn vector_len(self) -> u32 {
        // SAFETY: vector type.
        unsafe { LLVMGetVectorSize(self.0) }
    }
    pub fn fn_ret(self) -> Ty {
        // SAFETY: function type.
        Ty(unsafe { LLVMGetReturnType(self.0) })
    }
    pub fn fn_params(self) -> Vec<Ty> {
        // SAFETY: function type: count then fill.
        unsafe {
            let n = LLVMCountParamTypes(self.0) as usize;
            let mut v: Vec<LLVMTypeRef> = vec![std::ptr::null_mut(); n];
            LLVMGetParamTypes(self.0, v.as_mut_ptr());
            v.into_iter().map(Ty).collect()
        }
    }
    pub fn fn_vararg(self) -> bool {
        // SAFETY: function type.
        unsafe { LLVMIsFunctionVarArg(self.0) != 0 }
    }
    pub fn print(self) -> String {
        // SAFETY: LLVM allocates the string; we copy and dispose it.
        unsafe {
            let p = LLVMPrintTypeToString(self.0);
            let s = CStr::from_ptr(p).to_string_lossy().into_owned();
            LLVMDisposeMessage(p);
            s
        }
    }
}

impl Bb {
    pub fn instructions(self) -> Vec<Val> {
        let mut out = Vec::new();
        // SAFETY: iterating a block of a live function.
        let mut i = unsafe { LLVMGetFirstInstruction(self.0) };
        while !i.is_null() {
            out.push(Val(i));
            // SAFETY: `i` is an instruction of this block.
            i = unsafe { LLVMGetNextInstruction(i) };
        }
        out
    }
    pub fn terminator(self) -> Option<Val> {
        // SAFETY: a block of a verified function.
        opt_val(unsafe { LLVMGetBasicBlockTerminator(self.0) })
    }
}

impl Val {
    pub fn kind(self) -> LLVMValueKind {
        // SAFETY: any value answers its kind.
        unsafe { LLVMGetValueKind(self.0) }
    }
    pub fn ty(self) -> Ty {
        // SAFETY: any value has a type.
        Ty(unsafe { LLVMTypeOf(self.0) })
    }
    pub fn name(self) -> String {
        let mut len = 0usize;
        // SAFETY: pointer/length owned by the value.
        let p = unsafe { LLVMGetValueName2(self.0, &mut len) };
        cstr_lossy(p, len)
    }
    pub fn print(self) -> String {
        // SAFETY: LLVM allocates the string; we copy and dispose it.
        unsafe {
            let p = LLVMPrintValueToString(self.0);
            let s = CStr::from_ptr(p).to_string_lossy().into_owned();
            LLVMDisposeMessage(p);
            s
        }
    }
    pub fn is_function(self) -> bool {
        self.kind() == LLVMValueKind::LLVMFunctionValueKind
    }
    pub fn is_global_var(self) -> bool {
        self.kind() == LLVMValueKind::LLVMGlobalVariableValueKind
    }

    // ---- globals and functions ------------------------------------------
    pub fn is_declaration(self) -> bool {
        // SAFETY: a global value (function or variable).
        unsafe { LLVMIsDeclaration(self.0) != 0 }
    }
    pub fn linkage(self) -> inkwell::llvm_sys::LLVMLinkage {
        // SAFETY: a global value.
        unsafe { LLVMGetLinkage(self.0) }
    }
    pub fn initializer(self) -> Option<Val> {
        // SAFETY: a global variable.
        opt_val(unsafe { LLVMGetInitializer(self.0) })
    }
    pub fn global_value_type(self) -> Ty {
        // SAFETY: a global value.
        Ty(unsafe { LLVMGlobalGetValueType(self.0) })
    }
    pub fn alignment(self) -> u32 {
        // SAFETY: globals, allocas, loads, stores (callers only ask those).
        unsafe { LLVMGetAlignment(self.0) }
    }
    pub fn is_thread_local(self) -> bool {
        // SAFETY: a global variable.
        unsafe { LLVMIsThreadLocal(self.0) != 0 }
    }
    pub fn alias_target(self) -> Val {
        // SAFETY: a global alias.
        Val(unsafe { LLVMAliasGetAliasee(self.0) })
    }
    pub fn params(self) -> Vec<Val> {
        // SAFETY: a function: count then fill.
        unsafe {
            let n = LLVMCountParams(self.0) as usize;
            let mut v: Vec<LLVMValueRef> = vec![std::ptr::null_mut(); n];
            LLVMGetParams(self.0, v.as_mut_ptr());
            v.into_iter().map(Val).collect()
        }
    }
    pub fn blocks(self) -> Vec<Bb> {
        let mut out = Vec::new();
        // SAFETY: iterating a live function's blocks.
        let mut b = unsafe { LLVMGetFirstBasicBlock(self.0) };
        while !b.is_null() {
            out.push(Bb(b));
            // SAFETY: `b` is a block of this function.
            b = unsafe { LLVMGetNextBasicBlock(b) };
        }
        out
    }
    /// Whether the function carries an enum attribute (e.g. `optnone`).
    pub fn has_fn_attr(self, name: &str) -> bool {
        // SAFETY: looking up a kind id by name; querying a live function.
        unsafe {
            let kind =
                LLVMGetEnumAttributeKindForName(name.as_ptr() as *const libc_char, name.len());
            kind != 0
                && !LLVMGetEnumAttributeAtIndex(
                    self.0,
                    inkwell::llvm_sys::LLVMAttributeFunctionIndex,
                    kind,
                )
                .is_null()
        }
    }
    /// Removes a function attribute by name (e.g. `optnone`), if present.
    pub fn remove_fn_attr(self, name: &str) {
        // SAFETY: looking up a kind id by name; removing an attribute from a live function.
        unsafe {
            let kind =
                LLVMGetEnumAttributeKindForName(name.as_ptr() as *const libc_char, name.len());
            if kind != 0 {
                LLVMRemoveEnumAttributeAtIndex(
                    self.0,
                    inkwell::llvm_sys::LLVMAttributeFunctionIndex,
                    kind,
                );
            }
        }
    }

    // ---- constants --------------------------------------------------------
    pub fn const_zext(self) -> u64 {
        // SAFETY: a ConstantInt (callers check the kind).
        unsafe { LLVMConstIntGetZExtValue(self.0) }
    }
    /// The low 64 bits of a ConstantInt of any width, and whether it fits.
    pub fn const_int_words(self) -> Option<u64> {
        if self.ty().int_width() <= 64 {
            Some(self.const_zext())
        } else {
            None
        }
    }
    /// The bits of a `ConstantInt` of up to 128 bits or an `fp128`
    /// `ConstantFP`, zero-extended. The C API reads at most 64 bits, so the
    /// printed form is parsed: `i72 -5`, `fp128 0xL<low 64><high 64>`.
    pub fn const_u128(self) -> Option<u128> {
        let text = self.print();
        let lit = text.trim().rsplit(' ').next()?;
        let t = self.ty();
        match t.kind() {
            LLVMTypeKind::LLVMIntegerTypeKind if t.int_width() <= 128 => {
                let w = t.int_width();
                let v = if lit == "true" {
                    1
                } else if lit == "false" {
                    0
                } else {
                    lit.parse::<i128>()
                        .map(|v| v as u128)
                        .or_else(|_| lit.parse::<u128>())
                        .ok()?
                };
                Some(if w == 128 { v } else { v & ((1u128 << w) - 1) })
            }
            LLVMTypeKind::LLVMFP128TypeKind => {
                let hex = lit.strip_prefix("0xL")?;
                if hex.len() != 32 {
                    return None;
                }
                let lo = u64::from_str_radix(&hex[..16], 16).ok()?;
                let hi = u64::from_str_radix(&hex[16..], 16).ok()?;
                Some(lo as u128 | (hi as u128) << 64)
            }
            _ => None,
        }
    }
    /// The function and block of a `blockaddress` constant.
    pub fn block_address(self) -> (Val, Bb) {
        // SAFETY: a BlockAddress constant (callers check the kind).
        unsafe {
            (
                Val(LLVMGetBlockAddressFunction(self.0)),
                Bb(LLVMGetBlockAddressBasicBlock(self.0)),
            )
        }
    }
    pub fn const_fp(self) -> f64 {
        let mut lost = 0;
        // SAFETY: a ConstantFP.
        unsafe { LLVMConstRealGetDouble(self.0, &mut lost) }
    }
    pub fn const_opcode(self) -> LLVMOpcode {
        // SAFETY: a ConstantExpr.
        unsafe { LLVMGetConstOpcode(self.0) }
    }
    pub fn aggregate_elem(self, i: u32) -> Option<Val> {
        // SAFETY: a constant aggregate; out of range yields null.
        opt_val(unsafe { LLVMGetAggregateElement(self.0, i) })
    }
    /// Raw bytes of a ConstantDataSequential of i8 (a string literal).
    pub fn const_string_bytes(self) -> Option<Vec<u8>> {
        // SAFETY: checks the class first; then pointer/length owned by the constant.
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

    // ---- instructions -----------------------------------------------------
    pub fn opcode(self) -> LLVMOpcode {
        // SAFETY: an instruction.
        unsafe { LLVMGetInstructionOpcode(self.0) }
    }
    /// `or disjoint`: the operands have no set bit in common (else poison).
    pub fn is_disjoint(self) -> bool {
        // SAFETY: callers ask only `or` instructions.
        unsafe { LLVMGetIsDisjoint(self.0) != 0 }
    }
    pub fn num_operands(self) -> u32 {
        // SAFETY: a User (instruction or constant expression).
        unsafe { LLVMGetNumOperands(self.0) as u32 }
    }
    pub fn operand(self, i: u32) -> Val {
        // SAFETY: `i` < num_operands (callers index by the IR's shape, verified).
        Val(unsafe { LLVMGetOperand(self.0, i) })
    }
    pub fn operand_block(self, i: u32) -> Bb {
        // SAFETY: operand `i` is a basic block (branch/switch operand).
        Bb(unsafe { LLVMValueAsBasicBlock(LLVMGetOperand(self.0, i)) })
    }
    pub fn successors(self) -> Vec<Bb> {
        // SAFETY: a terminator.
        unsafe {
            let n = LLVMGetNumSuccessors(self.0);
            (0..n).map(|i| Bb(LLVMGetSuccessor(self.0, i))).collect()
        }
    }
    pub fn is_conditional(self) -> bool {
        // SAFETY: a branch instruction.
        unsafe { LLVMIsConditional(self.0) != 0 }
    }
    pub fn condition(self) -> Val {
        // SAFETY: a conditional branch.
        Val(unsafe { LLVMGetCondition(self.0) })
    }
    pub fn icmp_pred(self) -> LLVMIntPredicate {
        // SAFETY: an icmp instruction or constant expression.
        unsafe { LLVMGetICmpPredicate(self.0) }
    }
    pub fn fcmp_pred(self) -> LLVMRealPredicate {
        // SAFETY: an fcmp instruction.
        unsafe { LLVMGetFCmpPredicate(self.0) }
    }
    pub fn allocated_type(self) -> Ty {
        // SAFETY: an alloca.
        Ty(unsafe { LLVMGetAllocatedType(self.0) })
    }
    pub fn gep_source_type(self) -> Ty {
        // SAFETY: a GEP instruction or constant expression.
        Ty(unsafe { LLVMGetGEPSourceElementType(self.0) })
    }
    pub fn indices(self) -> Vec<u32> {
        // SAFETY: extractvalue/insertvalue: count then read that many.
        unsafe {
            let n = LLVMGetNumIndices(self.0) as usize;
            let p = LLVMGetIndices(self.0);
            if p.is_null() {
                return Vec::new();
            }
            std::slice::from_raw_parts(p, n).to_vec()
        }
    }
    pub fn incoming(self) -> Vec<(Val, Bb)> {
        // SAFETY: a phi.
        unsafe {
            let n = LLVMCountIncoming(self.0);
            (0..n)
                .map(|i| {
                    (
                        Val(LLVMGetIncomingValue(self.0, i)),
                        Bb(LLVMGetIncomingBlock(self.0, i)),
                    )
                })
                .collect()
        }
    }
    pub fn called_value(self) -> Val {
        // SAFETY: a call.
        Val(unsafe { LLVMGetCalledValue(self.0) })
    }
    /// Function types of the calls that call this function directly, and
    /// whether it has any other use (its address taken).
    pub fn call_site_types(self) -> (Vec<Ty>, bool) {
        let mut types = Vec::new();
        let mut other = false;
        // SAFETY: walking the use list of a live value.
        let mut u = unsafe { LLVMGetFirstUse(self.0) };
        while !u.is_null() {
            // SAFETY: `u` is a use of this value.
            let user = Val(unsafe { LLVMGetUser(u) });
            // SAFETY: class check on any value.
            let is_call = unsafe { !LLVMIsACallInst(user.0).is_null() };
            if is_call && user.called_value() == self {
                types.push(user.called_fn_type());
            } else {
                other = true;
            }
            // SAFETY: `u` is a live use.
            u = unsafe { LLVMGetNextUse(u) };
        }
        (types, other)
    }
    pub fn called_fn_type(self) -> Ty {
        // SAFETY: a call.
        Ty(unsafe { LLVMGetCalledFunctionType(self.0) })
    }
    pub fn num_arg_operands(self) -> u32 {
        // SAFETY: a call.
        unsafe { LLVMGetNumArgOperands(self.0) }
    }
    pub fn ordering(self) -> LLVMAtomicOrdering {
        // SAFETY: a load/store/rmw/fence.
        unsafe { LLVMGetOrdering(self.0) }
    }
    pub fn rmw_op(self) -> LLVMAtomicRMWBinOp {
        // SAFETY: an atomicrmw.
        unsafe { LLVMGetAtomicRMWBinOp(self.0) }
    }
    pub fn is_inline_asm(self) -> bool {
        // SAFETY: class check on any value.
        unsafe { !LLVMIsAInlineAsm(self.0).is_null() }
    }
    /// The template and constraint string of an inline-asm value.
    pub fn inline_asm(self) -> Option<(String, String)> {
        if !self.is_inline_asm() {
            return None;
        }
        let (mut al, mut cl) = (0usize, 0usize);
        // SAFETY: `self` is an InlineAsm (checked above); the strings are
        // owned by it and copied at once.
        unsafe {
            let a = LLVMGetInlineAsmAsmString(self.0, &mut al);
            let c = LLVMGetInlineAsmConstraintString(self.0, &mut cl);
            Some((cstr_lossy(a, al), cstr_lossy(c, cl)))
        }
    }
    /// Source position from debug info, if any.
    pub fn debug_loc(self) -> Option<(String, u32)> {
        use inkwell::llvm_sys::debuginfo::*;
        // SAFETY: an instruction; each metadata handle is checked for null
        // before it is asked anything (a DILocation always has a scope).
        unsafe {
            let loc = LLVMInstructionGetDebugLoc(self.0);
            if loc.is_null() {
                return None;
            }
            let line = LLVMDILocationGetLine(loc);
            let scope = LLVMDILocationGetScope(loc);
            let mut file = String::new();
            if !scope.is_null() {
                let f = LLVMDIScopeGetFile(scope);
                if !f.is_null() {
                    let mut len = 0u32;
                    let p = LLVMDIFileGetFilename(f, &mut len);
                    file = cstr_lossy(p, len as usize);
                }
            }
            if line == 0 {
                return None;
            }
            Some((file, line))
        }
    }
    /// The `byval(<ty>)` type of call argument `arg`, if it has one.
    pub fn call_byval_type(self, arg: u32) -> Option<Ty> {
        let name = "byval";
        // SAFETY: a call instruction; the attribute, if present, is a type
        // attribute (byval always is) owned by the call's attribute list.
        unsafe {
            let kind =
                LLVMGetEnumAttributeKindForName(name.as_ptr() as *const libc_char, name.len());
            let a = LLVMGetCallSiteEnumAttribute(self.0, arg + 1, kind);
            if a.is_null() || LLVMIsTypeAttribute(a) == 0 {
                return None;
            }
            let t = LLVMGetTypeAttributeValue(a);
            if t.is_null() {
                None
            } else {
                Some(Ty(t))
            }
        }
    }

    /// The mask of a shufflevector (`None` for an undefined lane).
    pub fn shuffle_mask(self) -> Vec<Option<u32>> {
        // SAFETY: a shufflevector instruction: count then read each lane.
        unsafe {
            let n = LLVMGetNumMaskElements(self.0);
            let undef = LLVMGetUndefMaskElem();
            (0..n)
                .map(|k| {
                    let m = LLVMGetMaskValue(self.0, k);
                    if m == undef || m < 0 {
                        None
                    } else {
                        Some(m as u32)
                    }
                })
                .collect()
        }
    }
}

/// Runs a new-pass-manager pipeline without a target machine (our passes are
/// target-independent).
pub fn run_passes(
    module: &inkwell::module::Module<'_>,
    passes: &str,
    opts: &inkwell::passes::PassBuilderOptions,
) -> Result<(), String> {
    let c = std::ffi::CString::new(passes).map_err(|e| e.to_string())?;
    // SAFETY: the module and options are live; a null target machine is
    // accepted by LLVMRunPasses; the error, if any, is consumed here.
    unsafe {
        let err = inkwell::llvm_sys::transforms::pass_builder::LLVMRunPasses(
            module.as_mut_ptr(),
            c.as_ptr(),
            std::ptr::null_mut(),
            opts.as_mut_ptr(),
        );
        if err.is_null() {
            Ok(())
        } else {
            let msg = inkwell::llvm_sys::error::LLVMGetErrorMessage(err);
            let s = CStr::from_ptr(msg).to_string_lossy().into_owned();
            inkwell::llvm_sys::error::LLVMDisposeErrorMessage(msg);
            Err(s)
        }
    }
}

/// Makes the scalarizer split vector loads and stores too and bounds the loop
/// unroller's count (LLVM 19 exposes these only as command-line options,
/// which are process-global and must be parsed at most once, hence the
/// `Once`).
pub fn set_llvm_options() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let args = [
            c"espb-codegen".as_ptr(),
            c"-scalarize-load-store".as_ptr(),
            // Partial and runtime unrolling (optimised input only, see
            // prepass.rs) unroll at most this many times (the size
            // threshold keeps ×8 to loops of a few instructions), and the
            // remainder of a runtime-unrolled loop is unrolled too: for an
            // interpreter its loop control costs as much as its work
            // (benches/RESULTS.md, step 14).
            c"-unroll-max-count=8".as_ptr(),
            c"-unroll-remainder".as_ptr(),
        ];
        // SAFETY: two valid NUL-terminated strings that outlive the call; the
        // option exists in every LLVM with the scalarizer pass, so parsing
        // cannot fail (LLVM would exit the process on an unknown option).
        unsafe {
            inkwell::llvm_sys::support::LLVMParseCommandLineOptions(
                args.len() as i32,
                args.as_ptr(),
                std::ptr::null(),
            )
        }
    });
}
