//! The malformed-module corpus: each case is a valid module with one defect,
//! and its test asserts the exact error — location, file offset and kind.
//!
//! `ESPB_FUZZ_SEEDS=DIR cargo test -p espb-format --test malformed` also
//! writes every case (plus the valid modules) to DIR as fuzzing seeds.

mod common;

use common::*;
use espb_format::{parse, Error, ErrorKind, ErrorKind::*, Location, SectionId};

type Case = (Vec<u8>, Error);

fn header(offset: usize, kind: ErrorKind) -> Error {
    Error::new(Location::Header, offset, kind)
}

fn in_section(id: SectionId, offset: usize, kind: ErrorKind) -> Error {
    Error::new(Location::Section(id), offset, kind)
}

/// FULL with the byte at `at` replaced.
fn patched(at: usize, bytes: &[u8]) -> Vec<u8> {
    let mut b = full_bytes();
    b[at..at + bytes.len()].copy_from_slice(bytes);
    b
}

/// FULL re-laid-out by [`join`], with section `id`'s body replaced. Returns
/// the file and the file offset of that body.
fn with_section(id: SectionId, body: Vec<u8>) -> (Vec<u8>, usize) {
    let mut s = split(&full_bytes());
    let i = position(&s, id);
    s[i].body = body;
    (join(&s), body_offset(&s, i))
}

/// One function entry of the functions section.
fn func_entry(
    ty: u32,
    flags: u8,
    regs: u16,
    frame: u32,
    align: u8,
    start: u32,
    len: u32,
) -> Vec<u8> {
    let mut e = uleb(ty.into());
    e.push(flags);
    e.extend_from_slice(&regs.to_le_bytes());
    e.extend(uleb(frame.into()));
    e.push(align);
    e.extend(uleb(start.into()));
    e.extend(uleb(len.into()));
    e
}

/// FULL's two function entries (f0: ty0, 4 regs, frame 16, align 3; f1: ty1,
/// leaf, 3 regs), with the given changes; and the offset of each entry.
fn functions(f0: impl Fn(&mut [u32; 7]), f1: impl Fn(&mut [u32; 7])) -> (Vec<u8>, usize, usize) {
    let m = full();
    let (l0, l1) = (
        m.functions[0].code.len() as u32,
        m.functions[1].code.len() as u32,
    );
    let mut a = [0, 0, 4, 16, 3, 0, l0];
    let mut b = [1, 2, 3, 0, 0, l0, l1];
    f0(&mut a);
    f1(&mut b);
    let enc = |v: [u32; 7]| func_entry(v[0], v[1] as u8, v[2] as u16, v[3], v[4] as u8, v[5], v[6]);
    let mut body = vec![2];
    body.extend(enc(a));
    let second = body.len();
    body.extend(enc(b));
    let (bytes, off) = with_section(SectionId::Functions, body);
    (bytes, off + 1, off + second)
}

/// A function-body case: f0 of signature `ty` with 4 registers and `body`.
fn code_case(ty: u32, body: &str, pc: usize, kind: ErrorKind) -> Case {
    let (bytes, code) = with_body(ty, 4, body);
    (bytes, in_section(SectionId::Code, code + pc, kind))
}

macro_rules! corpus {
    ($($name:ident => $case:expr;)*) => {
        $(fn $name() -> Case { $case })*

        /// One test per case.
        mod case {
            $(#[test]
            fn $name() {
                let (bytes, expected) = super::$name();
                super::check(&bytes, &expected);
            })*
        }

        const ALL: &[(&str, fn() -> Case)] = &[$((stringify!($name), $name)),*];
    };
}

fn check(bytes: &[u8], expected: &Error) {
    let got = parse(bytes);
    assert_eq!(got.as_ref().err(), Some(expected), "wrong result: {got:?}");
    // The message names the place and says why; it must never be empty.
    let msg = expected.to_string();
    assert!(
        msg.contains(&expected.location.to_string()) && msg.len() > 20,
        "{msg}"
    );
}

corpus! {
    // ---- header and section table -----------------------------------------
    empty_file => (vec![], header(0, BadMagic));
    bad_magic => (patched(0, b"ESPX"), header(0, BadMagic));
    truncated_header => (full_bytes()[..7].to_vec(), header(6, Truncated));
    wrong_version => (patched(4, &[3]), header(4, UnsupportedVersion { major: 3, minor: 0 }));
    // Version 1 packed operands unaligned: its modules must be rebuilt.
    version_1 => (patched(4, &[1]), header(4, UnsupportedVersion { major: 1, minor: 0 }));
    header_flags => (patched(6, &[1, 0]), header(6, BadFlags(1)));
    too_many_sections => (patched(8, &33u16.to_le_bytes()), header(8, TooManySections(33)));
    header_reserved => (patched(10, &[0, 1]), header(10, NonZeroReserved));
    truncated_section_table => (full_bytes()[..HEADER + 5].to_vec(), header(16, Truncated));
    section_entry_reserved => (patched(entry_offset(0) + 2, &[1]), in_section(SectionId::Types, entry_offset(0) + 1, NonZeroReserved));
    unknown_section => {
        let mut s = split(&full_bytes());
        s.push(RawSection { id: 14, body: vec![] });
        let at = entry_offset(s.len() - 1);
        (join(&s), header(at, UnknownSection(14)))
    };
    section_past_end => {
        let mut b = full_bytes();
        let (offset, file_len) = (u32::from_le_bytes(b[16..20].try_into().unwrap()), b.len());
        b[20..24].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
        (b, in_section(SectionId::Types, entry_offset(0), SectionOutOfBounds { offset, size: 0xffff_fff0, file_len }))
    };
    section_inside_table => {
        let mut b = full_bytes();
        let (size, file_len) = (u32::from_le_bytes(b[20..24].try_into().unwrap()), b.len());
        b[16..20].copy_from_slice(&12u32.to_le_bytes());
        (b, in_section(SectionId::Types, entry_offset(0), SectionOutOfBounds { offset: 12, size, file_len }))
    };
    overlapping_sections => {
        let s = split(&full_bytes());
        let mut b = join(&s);
        let types_body = body_offset(&s, position(&s, SectionId::Types)) as u32;
        let i = position(&s, SectionId::Imports);
        b[entry_offset(i) + 4..entry_offset(i) + 8].copy_from_slice(&(types_body + 1).to_le_bytes());
        (b, in_section(SectionId::Imports, entry_offset(i), SectionsOverlap { other: SectionId::Types }))
    };
    duplicate_section => {
        let mut s = split(&full_bytes());
        let names = s[position(&s, SectionId::Names)].clone();
        s.push(names);
        let at = entry_offset(s.len() - 1);
        (join(&s), in_section(SectionId::Names, at, DuplicateSection))
    };

    // ---- types -----------------------------------------------------------
    count_too_large => {
        let (b, at) = with_section(SectionId::Types, vec![0x7f]);
        (b, in_section(SectionId::Types, at, CountTooLarge(127)))
    };
    leb_too_long => {
        let (b, at) = with_section(SectionId::Types, vec![0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
        (b, in_section(SectionId::Types, at, BadLeb))
    };
    leb_above_u32 => {
        let (b, at) = with_section(SectionId::Memory, vec![0xff, 0xff, 0xff, 0xff, 0x1f, 0, 0]);
        (b, in_section(SectionId::Memory, at, BadLeb))
    };
    truncated_leb => {
        let (b, at) = with_section(SectionId::Memory, vec![0x80, 0x80]);
        (b, in_section(SectionId::Memory, at + 2, Truncated))
    };
    bad_value_type => {
        let (b, at) = with_section(SectionId::Types, vec![1, 0, 1, 9, 0]);
        (b, in_section(SectionId::Types, at + 3, BadValType(9)))
    };
    bad_type_flags => {
        let (b, at) = with_section(SectionId::Types, vec![1, 2, 0, 0]);
        (b, in_section(SectionId::Types, at + 1, BadFlags(2)))
    };
    bad_result_tag => {
        let (b, at) = with_section(SectionId::Types, vec![1, 0, 0, 2]);
        (b, in_section(SectionId::Types, at + 3, BadFlags(2)))
    };
    trailing_bytes => {
        let s = split(&full_bytes());
        let mut body = s[position(&s, SectionId::Types)].body.clone();
        let len = body.len();
        body.push(0);
        let (b, at) = with_section(SectionId::Types, body);
        (b, in_section(SectionId::Types, at + len, TrailingBytes))
    };

    // ---- imports -----------------------------------------------------------
    bad_utf8_name => {
        let (b, at) = with_section(SectionId::Imports, vec![1, 2, 0xc3, 0x28, 0, 0]);
        (b, in_section(SectionId::Imports, at + 1, BadUtf8))
    };
    import_type_out_of_range => {
        let (b, at) = with_section(SectionId::Imports, vec![1, 1, b'x', 9, 0]);
        (b, in_section(SectionId::Imports, at + 3, TypeOutOfRange(9)))
    };
    fast_import_bad_symtab => {
        let (b, at) = with_section(SectionId::Imports, vec![1, 1, b'x', 0, 1, 5, 0]);
        (b, in_section(SectionId::Imports, at + 5, SymTabOutOfRange(5)))
    };
    bad_import_kind => {
        let (b, at) = with_section(SectionId::Imports, vec![1, 1, b'x', 0, 2]);
        (b, in_section(SectionId::Imports, at + 4, BadFlags(2)))
    };

    // ---- functions ---------------------------------------------------------
    missing_code_section => {
        let mut s = split(&full_bytes());
        s.remove(position(&s, SectionId::Code));
        let at = body_offset(&s, position(&s, SectionId::Functions));
        (join(&s), in_section(SectionId::Functions, at, MissingSection(SectionId::Code)))
    };
    code_without_functions => {
        let mut s = split(&full_bytes());
        s.remove(position(&s, SectionId::Functions));
        let at = body_offset(&s, position(&s, SectionId::Code));
        (join(&s), in_section(SectionId::Code, at, MissingSection(SectionId::Functions)))
    };
    function_type_out_of_range => {
        let (b, f0, _) = functions(|f| f[0] = 99, |_| {});
        (b, in_section(SectionId::Functions, f0, TypeOutOfRange(99)))
    };
    bad_function_flags => {
        let (b, f0, _) = functions(|f| f[1] = 0x80, |_| {});
        (b, in_section(SectionId::Functions, f0 + 1, BadFlags(0x80)))
    };
    zero_registers => {
        let (b, f0, _) = functions(|f| f[2] = 0, |_| {});
        (b, in_section(SectionId::Functions, f0 + 2, BadRegisterCount(0)))
    };
    too_many_registers => {
        let (b, f0, _) = functions(|f| f[2] = 257, |_| {});
        (b, in_section(SectionId::Functions, f0 + 2, BadRegisterCount(257)))
    };
    too_few_registers => {
        let (b, _, f1) = functions(|_| {}, |f| f[2] = 1);
        (b, in_section(SectionId::Functions, f1 + 2, TooFewRegisters { regs: 1, params: 2 }))
    };
    bad_frame_alignment => {
        // f1's entry: ty, flags, regs (2), frame (1 byte), then the alignment.
        let (b, _, f1) = functions(|_| {}, |f| f[4] = 13);
        (b, in_section(SectionId::Functions, f1 + 5, BadAlignment(8192)))
    };
    empty_function => {
        // f0's entry: ty, flags, regs (2), frame, align, then start.
        let (b, f0, _) = functions(|f| f[6] = 0, |_| {});
        (b, in_section(SectionId::Functions, f0 + 6, EmptyFunction { func: 0 }))
    };
    code_out_of_bounds => {
        let (b, _, f1) = functions(|_| {}, |f| f[6] = 1000);
        (b, in_section(SectionId::Functions, f1 + 6, CodeOutOfBounds { func: 1 }))
    };
    leaf_function_calls => {
        // f0 calls printf at +16 (after two const32).
        let (b, _, _) = functions(|f| f[1] = 2, |_| {});
        let code = section_offset(&b, SectionId::Code);
        (b, in_section(SectionId::Code, code + 16, LeafCalls { func: 0, pc: 16 }))
    };
    misaligned_body_length => {
        // f1's body two bytes shorter: not whole words.
        let (b, _, f1) = functions(|_| {}, |f| f[6] -= 2);
        (b, in_section(SectionId::Functions, f1 + 6, MisalignedBody { func: 1 }))
    };
    misaligned_body_start => {
        // f1's body starting two bytes later (and ending where it did).
        let (b, _, f1) = functions(|_| {}, |f| { f[5] += 2; f[6] -= 2 });
        (b, in_section(SectionId::Functions, f1 + 6, MisalignedBody { func: 1 }))
    };
    overlapping_bodies => {
        let (b, _, f1) = functions(|_| {}, |f| f[5] = 0);
        (b, in_section(SectionId::Functions, f1 + 6, CodeOutOfBounds { func: 1 }))
    };

    // ---- memory and data ---------------------------------------------------
    data_end_in_null_guard => {
        let mut body = uleb(0x800);
        body.extend([0, 0]);
        let (b, at) = with_section(SectionId::Memory, body);
        (b, in_section(SectionId::Memory, at, BadMemory("data_end is inside the null guard")))
    };
    memory_too_large => {
        let mut body = uleb(0x4000_0000);
        body.extend([1, 0]);
        let (b, at) = with_section(SectionId::Memory, body);
        (b, in_section(SectionId::Memory, at, BadMemory("data, heap and stack exceed the 1 GiB linear limit")))
    };
    data_out_of_bounds => {
        let mut body = vec![1];
        body.extend(uleb(0x10f0));
        body.push(0x20);
        body.extend([0xaa; 0x20]);
        let (b, at) = with_section(SectionId::Data, body);
        (b, in_section(SectionId::Data, at + 1, DataOutOfBounds { addr: 0x10f0, len: 0x20 }))
    };
    data_in_null_guard => {
        let mut body = vec![1];
        body.extend(uleb(0x800));
        body.extend([1, 0]);
        let (b, at) = with_section(SectionId::Data, body);
        (b, in_section(SectionId::Data, at + 1, DataOutOfBounds { addr: 0x800, len: 1 }))
    };
    data_truncated => {
        let mut body = vec![1];
        body.extend(uleb(0x1000));
        body.extend([10, 0]);
        let (b, at) = with_section(SectionId::Data, body);
        (b, in_section(SectionId::Data, at + 4, Truncated))
    };

    // ---- exports and start -------------------------------------------------
    duplicate_export => {
        let (b, at) = with_section(SectionId::Exports, vec![2, 1, b'a', 0, 1, b'a', 1]);
        (b, in_section(SectionId::Exports, at + 4, DuplicateExport("a".into())))
    };
    duplicate_export_first_in_file_order => {
        // b, a, a, b: the third entry is the first to repeat a name.
        let body = vec![4, 1, b'b', 0, 1, b'a', 0, 1, b'a', 1, 1, b'b', 1];
        let (b, at) = with_section(SectionId::Exports, body);
        (b, in_section(SectionId::Exports, at + 7, DuplicateExport("a".into())))
    };
    duplicate_export_before_a_later_error => {
        let body = vec![3, 1, b'a', 0, 1, b'a', 1, 1, b'c', 5];
        let (b, at) = with_section(SectionId::Exports, body);
        (b, in_section(SectionId::Exports, at + 4, DuplicateExport("a".into())))
    };
    bad_function_of_a_duplicate_export => {
        let (b, at) = with_section(SectionId::Exports, vec![2, 1, b'a', 0, 1, b'a', 5]);
        (b, in_section(SectionId::Exports, at + 6, FunctionOutOfRange(5)))
    };
    export_function_out_of_range => {
        let (b, at) = with_section(SectionId::Exports, vec![1, 1, b'a', 5]);
        (b, in_section(SectionId::Exports, at + 3, FunctionOutOfRange(5)))
    };
    bad_start_signature => {
        let (b, at) = with_section(SectionId::Start, vec![1]);
        (b, in_section(SectionId::Start, at, StartSignature(1)))
    };
    start_out_of_range => {
        let (b, at) = with_section(SectionId::Start, vec![9]);
        (b, in_section(SectionId::Start, at, FunctionOutOfRange(9)))
    };

    // ---- cbmeta and immeta -------------------------------------------------
    callback_bad_place => {
        let (b, at) = with_section(SectionId::Callbacks, vec![1, 1, 7, 0, 1, 0xff]);
        (b, in_section(SectionId::Callbacks, at + 2, BadPlace(7)))
    };
    callback_param_out_of_range => {
        let (b, at) = with_section(SectionId::Callbacks, vec![1, 1, 0, 5, 1, 0xff]);
        (b, in_section(SectionId::Callbacks, at + 3, ParamOutOfRange { param: 5, params: 2 }))
    };
    callback_import_out_of_range => {
        let (b, at) = with_section(SectionId::Callbacks, vec![1, 9, 0, 0, 1, 0xff]);
        (b, in_section(SectionId::Callbacks, at + 1, ImportOutOfRange(9)))
    };
    callback_type_out_of_range => {
        let (b, at) = with_section(SectionId::Callbacks, vec![1, 1, 0, 0, 50, 0xff]);
        (b, in_section(SectionId::Callbacks, at + 4, TypeOutOfRange(50)))
    };
    callback_bad_user_data => {
        let (b, at) = with_section(SectionId::Callbacks, vec![1, 1, 0, 0, 1, 1, 2, 0]);
        (b, in_section(SectionId::Callbacks, at + 6, ParamOutOfRange { param: 2, params: 2 }))
    };
    callback_place_not_pointer => {
        // imp2 is (ptr, i32): p1 cannot hold a function pointer.
        let (b, at) = with_section(SectionId::Callbacks, vec![1, 2, 0, 1, 1, 0xff]);
        (b, in_section(SectionId::Callbacks, at + 3, NotAPointer { param: 1 }))
    };
    variadic_callback => {
        let (b, at) = with_section(SectionId::Callbacks, vec![1, 1, 0, 0, 2, 0xff]);
        (b, in_section(SectionId::Callbacks, at + 4, VariadicCallback(2)))
    };
    pointer_param_not_pointer => {
        let (b, at) = with_section(SectionId::Pointers, vec![1, 2, 1, 1, 2]);
        (b, in_section(SectionId::Pointers, at + 2, NotAPointer { param: 1 }))
    };
    pointer_size_not_integer => {
        let (b, at) = with_section(SectionId::Pointers, vec![1, 2, 0, 1, 1, 0, 1]);
        (b, in_section(SectionId::Pointers, at + 5, NotAnInteger { param: 0 }))
    };
    pointer_bad_direction => {
        let (b, at) = with_section(SectionId::Pointers, vec![1, 0, 0, 4, 2]);
        (b, in_section(SectionId::Pointers, at + 3, BadDirection(4)))
    };
    pointer_bad_size_spec => {
        let (b, at) = with_section(SectionId::Pointers, vec![1, 0, 0, 1, 3]);
        (b, in_section(SectionId::Pointers, at + 4, BadSizeSpec(3)))
    };
    pointer_param_out_of_range => {
        // printf's fixed parameters are (ptr): only p0 exists.
        let (b, at) = with_section(SectionId::Pointers, vec![1, 0, 1, 1, 2]);
        (b, in_section(SectionId::Pointers, at + 2, ParamOutOfRange { param: 1, params: 1 }))
    };

    // ---- lines, names, custom ----------------------------------------------
    line_row_past_function => {
        let len = full().functions[0].code.len() as u8;
        let (b, at) = with_section(SectionId::Lines, [&[1, 6][..], b"main.c", &[1, 0, 1, len, 0, 3]].concat());
        (b, in_section(SectionId::Lines, at + 11, BadLineRow))
    };
    line_file_out_of_range => {
        let (b, at) = with_section(SectionId::Lines, [&[1, 6][..], b"main.c", &[1, 0, 1, 0, 4, 3]].concat());
        (b, in_section(SectionId::Lines, at + 12, FileOutOfRange(4)))
    };
    name_function_out_of_range => {
        let (b, at) = with_section(SectionId::Names, vec![1, 7, 1, b'x']);
        (b, in_section(SectionId::Names, at + 1, FunctionOutOfRange(7)))
    };
    custom_bad_utf8_name => {
        let (b, at) = with_section(SectionId::Custom, vec![1, 0xff]);
        (b, in_section(SectionId::Custom, at, BadUtf8))
    };

    // ---- function bodies ---------------------------------------------------
    register_out_of_range => code_case(0, "const32 r1, 5\n i32.add r2, r1, r4\n ret.void", 8,
        RegisterOutOfRange { func: 0, pc: 8, reg: 4, regs: 4 });
    call_window_out_of_range => code_case(0, "call.import.var imp1, ty3, r3\n ret.void", 0,
        CallWindowOutOfRange { func: 0, pc: 0, base: 3, window: 2, regs: 4 });
    branch_into_instruction => code_case(0, "br L3\n ret.void", 0,
        BranchIntoInstruction { func: 0, pc: 0, target: 3 });
    branch_out_of_range => code_case(0, "br L100\n ret.void", 0,
        BranchOutOfRange { func: 0, pc: 0, target: 100 });
    branch_to_end => code_case(0, "br L12\n ret.void", 0,
        BranchOutOfRange { func: 0, pc: 0, target: 12 });
    br_table_into_instruction => code_case(0, "const32 r1, 0\n br_table r1, L0, [L0, L2]\n ret.void", 8,
        BranchIntoInstruction { func: 0, pc: 8, target: 2 });
    falls_off_end => code_case(0, "const32 r1, 1", 7, FallsOffEnd { func: 0 });
    falls_off_end_after_branch => code_case(0, "br_if r0, L0", 7, FallsOffEnd { func: 0 });
    // A variadic module callee takes a hidden trailing pointer: (ptr, ...)
    // needs a window of 2, so r3 of 4 registers does not fit, r2 does.
    call_variadic_function_window => code_case(0, "call f2, r3\n ret.void", 0,
        CallWindowOutOfRange { func: 0, pc: 0, base: 3, window: 2, regs: 4 });
    call_indirect_variadic_window => code_case(0, "call.indirect ty2, r0, r3\n ret.void", 0,
        CallWindowOutOfRange { func: 0, pc: 0, base: 3, window: 2, regs: 4 });
    call_missing_function => code_case(0, "call f9, r0\n ret.void", 0, FunctionOutOfRange(9));
    missing_import => code_case(0, "call.import imp7, r0\n ret.void", 0, ImportOutOfRange(7));
    type_out_of_range => code_case(0, "call.indirect ty40, r0, r1\n ret.void", 0, TypeOutOfRange(40));
    variadic_import_called_fixed => code_case(0, "call.import imp1, r0\n ret.void", 0,
        VariadicMismatch { func: 0, pc: 0, import: 1 });
    fixed_import_called_variadic => code_case(0, "call.import.var imp0, ty1, r0\n ret.void", 0,
        VariadicMismatch { func: 0, pc: 0, import: 0 });
    wrong_call_site_signature => code_case(0, "call.import.var imp1, ty1, r0\n ret.void", 0,
        CallSiteSignature { func: 0, pc: 0, import: 1 });
    variadic_call_site_signature => code_case(0, "call.import.var imp1, ty2, r0\n ret.void", 0,
        CallSiteSignature { func: 0, pc: 0, import: 1 });
    ret_in_void_function => code_case(0, "ret r0", 0, ReturnMismatch { func: 0, pc: 0 });
    ret_void_in_i32_function => code_case(1, "ret.void", 0, ReturnMismatch { func: 0, pc: 0 });
    frame_offset_out_of_range => code_case(0, "frame.addr r1, 16\n ret.void", 0,
        FrameOffsetOutOfRange { func: 0, pc: 0, offset: 16, frame: 16 });
    alloca_bad_alignment => code_case(0, "alloca r1, r2, 3\n ret.void", 0, BadAlignment(3));
    // const32's first word without its value word.
    truncated_instruction => code_case(0, "nop\n .bytes \"0e010000\"", 4, InstructionTruncated { func: 0, pc: 4 });
    unknown_opcode => code_case(0, "nop\n .bytes \"17000000\"\n ret.void", 4, UnknownOpcode { func: 0, pc: 4, byte: 0x17 });
    unknown_extended_opcode => code_case(0, "nop\n .bytes \"2fff0000\"\n ret.void", 5, UnknownExtOpcode { func: 0, pc: 4, byte: 0xff });
    // `mov r1, r0` with a non-zero padding byte after its registers.
    nonzero_padding => code_case(0, "nop\n .bytes \"0d010007\"\n ret.void", 7, NonZeroPadding { func: 0, pc: 4 });
    bad_atomic_width => code_case(0, "atomic.load r1, r2, 4\n ret.void", 0, BadAtomic { func: 0, pc: 0, value: 4 });
    bad_atomic_op => code_case(0, "atomic.rmw r1, r2, r3, 44\n ret.void", 0, BadAtomic { func: 0, pc: 0, value: 44 });
}

#[test]
fn the_valid_modules_are_valid() {
    parse(&full_bytes()).unwrap();
    parse(&with_body(0, 4, "call f2, r2\n call.indirect ty2, r0, r2\n ret.void").0).unwrap();
    parse(&sample_bytes()).unwrap();
    // `join` re-lays-out the sections (code 4-aligned, as the writer does).
    parse(&join(&split(&full_bytes()))).unwrap();
}

/// Code runs in place with aligned word loads: a module in a misaligned
/// buffer is a precise error, whatever the file says.
#[test]
fn misaligned_buffer_is_refused() {
    let bytes = full_bytes();
    let mut shifted = vec![0u8; bytes.len() + 8];
    let base = shifted.as_ptr() as usize;
    // An address that is 4-aligned plus one.
    let at = (4 - base % 4) % 4 + 1;
    shifted[at..at + bytes.len()].copy_from_slice(&bytes);
    let err = parse(&shifted[at..at + bytes.len()]).unwrap_err();
    assert_eq!(err.location, Location::Header);
    assert_eq!(err.kind, MisalignedBuffer { addr: base + at });
    assert!(err.to_string().contains("aligned"), "{err}");
    // The same bytes at an aligned address are fine.
    let at = (4 - base % 4) % 4;
    shifted[at..at + bytes.len()].copy_from_slice(&bytes);
    parse(&shifted[at..at + bytes.len()]).unwrap();
}

#[test]
fn corpus_is_large_and_varied() {
    assert!(ALL.len() >= 30, "only {} cases", ALL.len());
    let kinds: std::collections::BTreeSet<_> = ALL
        .iter()
        .map(|(_, case)| std::mem::discriminant(&case().1.kind))
        .map(|d| format!("{d:?}"))
        .collect();
    assert!(
        kinds.len() >= 40,
        "only {} distinct error kinds",
        kinds.len()
    );
    if let Some(dir) = std::env::var_os("ESPB_FUZZ_SEEDS") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, case) in ALL {
            std::fs::write(dir.join(format!("{name}.espb")), case().0).unwrap();
        }
        std::fs::write(dir.join("full.espb"), full_bytes()).unwrap();
        std::fs::write(dir.join("sample.espb"), sample_bytes()).unwrap();
    }
}

/// Regression: the writer must not add sections a valid input lacked, or a
/// full section table (32 entries, no memory section) re-encodes to 33.
#[test]
fn full_table_without_memory_round_trips() {
    let sections: Vec<RawSection> = (0..32)
        .map(|i| RawSection {
            id: 0,
            body: vec![1, b'a' + i % 26],
        })
        .collect();
    let file = join(&sections);
    let m = parse(&file).unwrap();
    assert_eq!(m.custom.len(), 32);
    let bytes = m.to_bytes();
    assert_eq!(parse(&bytes).unwrap(), m);
}
