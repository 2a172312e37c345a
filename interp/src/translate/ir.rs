//! Weft's IR: instructions whose operands are frame slots.
//!
//! A *slot* is a cell of the value stack, counted from the frame base: the function's
//! locals come first (parameters, then declared locals), then the operand stack. Because a
//! Wasm operand stack has a known height at every instruction, the translator names each
//! operand by its slot, so an instruction reads and writes cells directly, and a
//! `local.get` feeding an instruction costs nothing (the instruction reads the local's
//! slot). Branch targets are instruction indices within the function.
//!
//! Cells are untyped `u64`s. An `i32` or `f32` lives in the low 32 bits; its high bits are
//! unspecified, so every reader truncates. References are `index + 1` (0 is null). A
//! `v128` takes two consecutive cells, its low 64 bits first.

pub(crate) use super::atomic::AtomicOp;
pub(crate) use super::gc::GcOp;
pub(crate) use super::simd::{SimdMemOp, SimdOp};

/// A frame slot: cell index relative to the frame base. Slots are 16 bits: a frame has
/// at most [`MAX_FRAME_SLOTS`] cells (locals plus operand stack), an implementation limit
/// the spec allows (Appendix "Implementation Limitations"). The executor relies on it: it
/// views each frame as a window of exactly `MAX_FRAME_SLOTS` cells, so a `Slot` index is
/// always in bounds.
pub(crate) type Slot = u16;

/// Cells a frame may use; one more than the largest [`Slot`].
pub(crate) const MAX_FRAME_SLOTS: usize = 1 << 16;

/// Kinds of load from linear memory, by width and extension. `f32`/`f64` loads are bit
/// loads like the integer ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum LoadKind {
    L32,
    L64,
    L8S,
    L8U,
    L16S,
    L16U,
    L32S,
}

/// Kinds of store to linear memory, by width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum StoreKind {
    S8,
    S16,
    S32,
    S64,
}

/// A scalar load or store on a 64-bit memory (memory64), run by `Instr::Mem64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mem64Op {
    /// A load: `Mem64 { a: dst, b: addr }`.
    Load(LoadKind),
    /// A store: `Mem64 { a: addr, b: src }`.
    Store(StoreKind),
}

/// The 128-bit operations of the wide-arithmetic proposal, run by `Instr::Wide`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum WideOp {
    /// `i64.add128`: 4 operands (low, high, low, high), 2 results (low, high).
    Add128,
    /// `i64.sub128`: as `Add128`.
    Sub128,
    /// `i64.mul_wide_s`: 2 operands, 2 results (low, high).
    MulWideS,
    /// `i64.mul_wide_u`: as `MulWideS`.
    MulWideU,
}

/// One IR instruction. Field names: `dst` is written, `lhs`/`rhs`/`src` are read, `base` is
/// the first of several consecutive operand slots, `target` is an instruction index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Instr {
    // --- control -----------------------------------------------------------------------
    Unreachable,
    /// Charges fuel for the basic block it starts.
    ConsumeFuel(u32),
    Br(u32),
    BrIfNez {
        cond: Slot,
        target: u32,
    },
    BrIfEqz {
        cond: Slot,
        target: u32,
    },
    // Compare-and-branch fusions of `i32.<cmp>; br_if`.
    BrIfI32Eq {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI32Ne {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI32LtS {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI32LtU {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI32GtS {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI32GtU {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI32LeS {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI32LeU {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI32GeS {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI32GeU {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    // Pair heads (see `fuse::pair_with_next` and `pair_heads!`): each does the work of
    // the instruction it replaced (whose fields it keeps) and then, in the same dispatch,
    // that of the instruction after it, which stays a complete instruction so that a
    // branch to it still works. A branch head skips the second when it jumps. A head can
    // be the second of another (`*Then*Then*`: three instructions in one dispatch).
    /// `BrIfI32GeU`, then the `BrIfI32GeU` after it (two bounds checks in a row, as Rust emits for `c[i] += a * b[j]`).
    BrIfI32GeUThenBrIfI32GeU {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    /// `I32AddImm`, then the `BrIfI32LtU` after it (a loop's step and test, which other paths enter at the test).
    I32AddImmThenBrIfI32LtU {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `I32AddImm`, then the `I32AddImm` after it.
    I32AddImmThenI32AddImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `I32AddImm`, then the `BrIfI32LtUImm` after it.
    I32AddImmThenBrIfI32LtUImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `I32AddImm`, then the `BrIfI32GeUImm` after it.
    I32AddImmThenBrIfI32GeUImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `I32AddImm`, then the `Store32` after it.
    I32AddImmThenStore32 {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `I32AddImm`, then the `GlobalSet` after it (a stack pointer moved back).
    I32AddImmThenGlobalSet {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `Copy`, then the `Copy` after it (moves of call arguments or block results).
    CopyThenCopy {
        dst: Slot,
        src: Slot,
    },
    /// `Copy`, then the `BrIfI32Ne` after it.
    CopyThenBrIfI32Ne {
        dst: Slot,
        src: Slot,
    },
    /// `Load8UShlTee`, then the `BrTable` after it (an interpreter's opcode fetch and dispatch).
    Load8UShlTeeThenBrTable {
        dst: Slot,
        tee: Slot,
        base: Slot,
        index: Slot,
        shift: u8,
        offset: u8,
    },
    /// `I32AddImmShl`, then the `Load64AddImmShl` after it.
    I32AddImmShlThenLoad64AddImmShl {
        dst: Slot,
        lhs: Slot,
        index: Slot,
        shift: u8,
        imm: i16,
    },
    /// `I32AddImmShl`, then the `Load64` after it.
    I32AddImmShlThenLoad64 {
        dst: Slot,
        lhs: Slot,
        index: Slot,
        shift: u8,
        imm: i16,
    },
    /// `Load64AddImmShl`, then the `Store64` after it (a copy between two array elements).
    Load64AddImmShlThenStore64 {
        dst: Slot,
        base: Slot,
        index: Slot,
        shift: u8,
        imm: i16,
    },
    /// `Store64`, then the `Br` after it.
    Store64ThenBr {
        addr: Slot,
        src: Slot,
        offset: u32,
    },
    /// `Load8U`, then the `BrIfI32LtUImm` after it.
    Load8UThenBrIfI32LtUImm {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    /// `Load8U`, then the `BrIfEqz` after it.
    Load8UThenBrIfEqz {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    /// `I32AndImm`, then the `I32Add` after it.
    I32AndImmThenI32Add {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `I32Add`, then the `Load16UAddImm` after it.
    I32AddThenLoad16UAddImm {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// `Load16UShl`, then the `BrIfEqz` after it.
    Load16UShlThenBrIfEqz {
        dst: Slot,
        base: Slot,
        index: Slot,
        shift: u8,
        offset: u16,
    },
    /// `I32Sub`, then the `I32AndImm` after it.
    I32SubThenI32AndImm {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// `I32AndImm`, then the `BrIfI32GtU` after it.
    I32AndImmThenBrIfI32GtU {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `I64Or`, then the `Store64` after it.
    I64OrThenStore64 {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// `I64ShlImm`, then the `I64Xor` after it.
    I64ShlImmThenI64Xor {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `I64Xor`, then the `Store8` after it.
    I64XorThenStore8 {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// `I32Rotl2Xor`, then the `I32XorRotlImm` after it (the Σ functions of SHA-2).
    I32Rotl2XorThenI32XorRotlImm {
        dst: Slot,
        x: Slot,
        y: Slot,
        kx: u8,
        ky: u8,
    },
    /// `I32Xor`, then the `I32And` after it.
    I32XorThenI32And {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// `I32And`, then the `I32AddXor` after it.
    I32AndThenI32AddXor {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// `I32Add`, then the `I32Rotl2Xor` after it.
    I32AddThenI32Rotl2Xor {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// `I32AddXor`, then the `I32Rotl2Xor` after it.
    I32AddXorThenI32Rotl2Xor {
        dst: Slot,
        lhs: Slot,
        a: Slot,
        b: Slot,
    },
    /// `I32ShrUImm`, then the `I32AddXor` after it.
    I32ShrUImmThenI32AddXor {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `I32AddXor`, then the `I32Add` after it.
    I32AddXorThenI32Add {
        dst: Slot,
        lhs: Slot,
        a: Slot,
        b: Slot,
    },
    /// `I32Add`, then the `I32Add` after it.
    I32AddThenI32Add {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// `I32AddImm`, then the `BrIfI32NeImm` after it.
    I32AddImmThenBrIfI32NeImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `V128LoadAddImm`, then the `Simd` after it.
    V128LoadAddImmThenSimd {
        dst: Slot,
        lhs: Slot,
        offset: u16,
        imm: i32,
    },
    /// `Simd`, then the `Simd` after it.
    SimdThenSimd {
        op: SimdOp,
        dst: Slot,
        a: Slot,
        b: Slot,
        c: Slot,
    },
    /// `I64Add`, then the `I64MulImm` after it.
    I64AddThenI64MulImm {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// `I64MulImm`, then the `Load8UAddImm` after it (a byte hash loop).
    I64MulImmThenLoad8UAddImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `I32AddImm`, then the `Load8UAddTee` after it.
    I32AddImmThenLoad8UAddTee {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `I32AddImm`, then the `I32AddImmBrNez` after it.
    I32AddImmThenI32AddImmBrNez {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `I32AddImm`, then the `I32AddImmThenBrIfI32LtU` after it (three in one: steps of two induction variables and the loop test).
    I32AddImmThenI32AddImmThenBrIfI32LtU {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `I32AddImmShl`, then the `Load64AddImmShlThenStore64` after it (three in one: a copy between two array elements).
    I32AddImmShlThenLoad64AddImmShlThenStore64 {
        dst: Slot,
        lhs: Slot,
        index: Slot,
        shift: u8,
        imm: i16,
    },
    /// `Const32`, then the `Const32` after it (arguments set up for a call).
    Const32ThenConst32 {
        dst: Slot,
        value: u32,
    },
    /// `I32Add`, then the `Store32` after it.
    I32AddThenStore32 {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// `Store32`, then the `Store32` after it (fields of a struct written in a row).
    Store32ThenStore32 {
        addr: Slot,
        src: Slot,
        offset: u32,
    },
    /// `Load32`, then the `Store8ImmAdd` after it.
    Load32ThenStore8ImmAdd {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    /// `I32Add`, then the `I32AddImm` after it.
    I32AddThenI32AddImm {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// `Load64`, then the `Load64` after it (the two operands of an arithmetic operation read from two arrays).
    Load64ThenLoad64 {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    // Fusions of `i32.<cmp>` with a constant right operand and `br_if`.
    BrIfI32EqImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI32NeImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI32LtSImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI32LtUImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI32GtSImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI32GtUImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI32LeSImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI32LeUImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI32GeSImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI32GeUImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    // Fusions of `i64.<cmp>` and `br_if`.
    BrIfI64Eq {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI64Ne {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI64LtS {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI64LtU {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI64GtS {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI64GtU {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI64LeS {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI64LeU {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI64GeS {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    BrIfI64GeU {
        lhs: Slot,
        rhs: Slot,
        target: u32,
    },
    // Fusions of `i64.<cmp>` with a constant (sign-extended `i32`) and `br_if`.
    BrIfI64EqImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI64NeImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI64LtSImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI64LtUImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI64GtSImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI64GtUImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI64LeSImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI64LeUImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI64GeSImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    BrIfI64GeUImm {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    /// Fusion of `i32.and` with a constant and `br_if`: jumps when `lhs & imm != 0` (a
    /// flag or tag bit test).
    BrIfI32AndImmNez {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    /// As `BrIfI32AndImmNez`, jumping when `lhs & imm == 0`.
    BrIfI32AndImmEqz {
        lhs: Slot,
        imm: i32,
        target: u32,
    },
    /// Fusion of `i64.eqz` and `br_if`.
    BrIfI64Eqz {
        cond: Slot,
        target: u32,
    },
    /// Fusion of `i64.eqz` and a negated `br_if` (an `if`).
    BrIfI64Nez {
        cond: Slot,
        target: u32,
    },
    /// Fusion of `i32.add`, `i32.lt_u` and `br_if`: jumps when `lhs + rhs < bound`
    /// (wrapping add, unsigned compare), a loop's strength-reduced exit test.
    BrIfI32AddLtU {
        lhs: Slot,
        rhs: Slot,
        bound: Slot,
        target: u32,
    },
    /// Fusion of `i32.add` of a constant and `br_if` on its result: `dst = lhs + imm`,
    /// then jumps if that is not zero (a loop counting down to zero).
    I32AddImmBrNez {
        dst: Slot,
        lhs: Slot,
        imm: i16,
        target: u32,
    },
    /// As `I32AddImmBrNez`, jumping if the sum is zero.
    I32AddImmBrEqz {
        dst: Slot,
        lhs: Slot,
        imm: i16,
        target: u32,
    },
    /// Fusion of an in-place `i32.add` of a constant and a compare-and-branch on the
    /// sum: `slot += imm`, then jumps if `slot != rhs` (a loop stepping an index to a
    /// bound held in a local). `rhs` is read after the add.
    I32AddImmBrNe {
        slot: Slot,
        imm: i16,
        rhs: Slot,
        target: u32,
    },
    /// As `I32AddImmBrNe`, jumping if `slot == rhs`.
    I32AddImmBrEq {
        slot: Slot,
        imm: i16,
        rhs: Slot,
        target: u32,
    },
    /// As `I32AddImmBrNe`, jumping if `slot < rhs` (unsigned).
    I32AddImmBrLtU {
        slot: Slot,
        imm: i16,
        rhs: Slot,
        target: u32,
    },
    /// As `I32AddImmBrNe`, jumping if `slot >= rhs` (unsigned).
    I32AddImmBrGeU {
        slot: Slot,
        imm: i16,
        rhs: Slot,
        target: u32,
    },
    /// As `I32AddImmBrNe` for `i64`: `slot += imm` (sign-extended), then jumps if
    /// `slot != rhs`.
    I64AddImmBrNe {
        slot: Slot,
        imm: i16,
        rhs: Slot,
        target: u32,
    },
    /// As `I64AddImmBrNe`, jumping if `slot == rhs`.
    I64AddImmBrEq {
        slot: Slot,
        imm: i16,
        rhs: Slot,
        target: u32,
    },
    /// Fusion of `i32.load8_u` (memory 0) and `br_if` on the byte: jumps if the byte at
    /// `addr + offset` is not zero (a lookup table tested in a scanning loop).
    BrIfLoad8UNez {
        addr: Slot,
        offset: u32,
        target: u32,
    },
    /// As `BrIfLoad8UNez`, jumping if the byte is zero.
    BrIfLoad8UEqz {
        addr: Slot,
        offset: u32,
        target: u32,
    },
    /// Followed by `len + 1` `Br` instructions; jumps to entry `min(index, len)`.
    BrTable {
        index: Slot,
        len: u32,
    },
    /// Copies `n` results from `src..` to slot 0.. and returns to the caller.
    Return {
        src: Slot,
        n: u32,
    },
    /// Calls function `func` of the current instance; arguments start at `base`, where the
    /// results are left.
    Call {
        func: u32,
        base: Slot,
    },
    /// Followed by `Data(table)`.
    CallIndirect {
        ty: u32,
        base: Slot,
        index: Slot,
    },
    /// `return_call`: calls function `func` of the current instance in place of the
    /// running one. A Wasm callee takes over the frame: its arguments (at `base`) move
    /// down to slot 0 and it returns to the caller's caller. A host callee is called like
    /// `Call`; the translator follows this with the `Return` of its results.
    ReturnCall {
        func: u32,
        base: Slot,
    },
    /// `return_call_indirect`, as `ReturnCall`. Followed by `Data(table)`.
    ReturnCallIndirect {
        ty: u32,
        base: Slot,
        index: Slot,
    },
    /// `call_ref`: calls the function the reference at `func` names (traps on null);
    /// arguments at `base`, as `Call`.
    CallRef {
        base: Slot,
        func: Slot,
    },
    /// `return_call_ref`, as `ReturnCall`.
    ReturnCallRef {
        base: Slot,
        func: Slot,
    },
    /// A typed-reference or GC operation ([`GcOp`] says what `x`, `y`, `imm` and the
    /// `Data` that follows are). Out-of-line handler (`exec::gc`).
    Gc {
        op: GcOp,
        x: Slot,
        y: Slot,
        imm: u32,
    },
    /// Extra operand of the instruction before it.
    Data(u32),
    /// `throw`: a new exception of tag `tag` (of the current instance) whose payload is in
    /// the consecutive slots from `base`, thrown (see `exec::exception`).
    Throw {
        tag: u32,
        base: Slot,
    },
    /// `throw_ref`: throws the exception `src` refers to; traps on null.
    ThrowRef {
        src: Slot,
    },

    // --- moves -------------------------------------------------------------------------
    Copy {
        dst: Slot,
        src: Slot,
    },
    /// Copies `n` cells in ascending order (`dst <= src`).
    CopyN {
        dst: Slot,
        src: Slot,
        n: u32,
    },
    Const32 {
        dst: Slot,
        value: u32,
    },
    Const64 {
        dst: Slot,
        lo: u32,
        hi: u32,
    },
    /// `dst` holds the first operand; when `cond` is zero it takes `other`.
    Select {
        dst: Slot,
        other: Slot,
        cond: Slot,
    },
    GlobalGet {
        dst: Slot,
        global: u32,
    },
    GlobalSet {
        global: u32,
        src: Slot,
    },

    // --- memory (memory 0; other memories use the `*Mem` forms followed by `Data(offset)`)
    Load32 {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load64 {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load8S {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load8U {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load16S {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load16U {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Load32S {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Store8 {
        addr: Slot,
        src: Slot,
        offset: u32,
    },
    Store16 {
        addr: Slot,
        src: Slot,
        offset: u32,
    },
    Store32 {
        addr: Slot,
        src: Slot,
        offset: u32,
    },
    Store64 {
        addr: Slot,
        src: Slot,
        offset: u32,
    },
    /// `Store8Imm` at address `lhs + rhs` (an `i32.add` feeding the store: `a[i] = k`).
    Store8ImmAdd {
        lhs: Slot,
        rhs: Slot,
        value: i8,
        offset: u32,
    },
    /// `Store8ImmAdd` at `base + x`, then `x = x + step` (`i32`, in place): a byte store
    /// through an index stepped right after it (a sieve's inner loop). The store reads
    /// `x` before the add; a trapping store leaves `x` unchanged.
    Store8ImmAddStep {
        base: Slot,
        x: Slot,
        step: Slot,
        value: i8,
        offset: u16,
    },
    /// `Load8U` from address `lhs + rhs` (an `i32.add` feeding the load).
    Load8UAdd {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
        offset: u32,
    },
    /// `Load32` from address `lhs + imm` (an `i32.add` of a constant feeding the load:
    /// the sum wraps as `i32.add` does; `offset` is then added without wrapping).
    Load32AddImm {
        dst: Slot,
        lhs: Slot,
        offset: u16,
        imm: i32,
    },
    /// `Load64` from address `lhs + imm`, as `Load32AddImm`.
    Load64AddImm {
        dst: Slot,
        lhs: Slot,
        offset: u16,
        imm: i32,
    },
    /// `Load8U` from address `lhs + imm`, as `Load32AddImm`.
    Load8UAddImm {
        dst: Slot,
        lhs: Slot,
        offset: u16,
        imm: i32,
    },
    /// `Load16U` from address `lhs + imm`, as `Load32AddImm`.
    Load16UAddImm {
        dst: Slot,
        lhs: Slot,
        offset: u16,
        imm: i32,
    },
    /// `Load32` from the constant address `at` (a static or global variable in linear
    /// memory), then `offset`.
    Load32Abs {
        dst: Slot,
        at: u32,
        offset: u32,
    },
    /// Two `Load32`s from one base: `dst0 = [addr + off0]`, then `dst1 = [addr + off1]`
    /// (two fields of a struct; `dst0` is not `addr`).
    Load32Pair {
        dst0: Slot,
        dst1: Slot,
        addr: Slot,
        off0: u16,
        off1: u16,
    },
    /// `tee = lhs + rhs` (wrapping), then `Load8U` from `tee + offset`: an `i32.add`
    /// into a local that a load then reads (`p = base + i; *p`, the address kept).
    Load8UAddTee {
        dst: Slot,
        tee: Slot,
        lhs: Slot,
        rhs: Slot,
        offset: u16,
    },
    /// `tee = base + (index << shift)` (wrapping), then `Load8U` from `tee + offset`:
    /// as `Load8UAddTee`, for an `I32AddShl` (the address of `a[i]`, kept).
    Load8UShlTee {
        dst: Slot,
        tee: Slot,
        base: Slot,
        index: Slot,
        shift: u8,
        offset: u8,
    },
    /// `Load8U` from address `base + (index << shift)` (an `I32AddShl` feeding the load,
    /// `a[i]` for an array of 2^shift-byte elements; the sum wraps as `i32.add` does,
    /// `offset` is then added without wrapping).
    Load8UShl {
        dst: Slot,
        base: Slot,
        index: Slot,
        shift: u8,
        offset: u16,
    },
    /// `Load16U` from address `base + (index << shift)`, as `Load8UShl`.
    Load16UShl {
        dst: Slot,
        base: Slot,
        index: Slot,
        shift: u8,
        offset: u16,
    },
    /// `Load32` from address `base + (index << shift)`, as `Load8UShl`.
    Load32Shl {
        dst: Slot,
        base: Slot,
        index: Slot,
        shift: u8,
        offset: u16,
    },
    /// `Load64` from address `base + (index << shift)`, as `Load8UShl`.
    Load64Shl {
        dst: Slot,
        base: Slot,
        index: Slot,
        shift: u8,
        offset: u16,
    },
    /// `Load32` from address `(base + imm) + (index << shift)` with no static offset (an
    /// `I32AddImmShl` feeding the load; the sums wrap as `i32.add` does).
    Load32AddImmShl {
        dst: Slot,
        base: Slot,
        index: Slot,
        shift: u8,
        imm: i16,
    },
    /// `Load64` from address `(base + imm) + (index << shift)`, as `Load32AddImmShl`.
    Load64AddImmShl {
        dst: Slot,
        base: Slot,
        index: Slot,
        shift: u8,
        imm: i16,
    },
    /// `Store8` of a constant (truncated), memory 0.
    Store8Imm {
        addr: Slot,
        value: i32,
        offset: u32,
    },
    /// `Store16` of a constant (truncated), memory 0.
    Store16Imm {
        addr: Slot,
        value: i32,
        offset: u32,
    },
    /// `Store32` of a constant (truncated), memory 0.
    Store32Imm {
        addr: Slot,
        value: i32,
        offset: u32,
    },
    /// `Store64` of a constant (sign-extended), memory 0.
    Store64Imm {
        addr: Slot,
        value: i32,
        offset: u32,
    },
    /// `kind_mem` = `LoadKind as u32 | memory << 8`.
    LoadMem {
        dst: Slot,
        addr: Slot,
        kind_mem: u32,
    },
    /// `kind_mem` = `StoreKind as u32 | memory << 8`.
    StoreMem {
        addr: Slot,
        src: Slot,
        kind_mem: u32,
    },
    /// A load or store ([`Mem64Op`]) on memory `mem`, a 64-bit memory (memory64): the
    /// address is an `i64` and the offset 64 bits, in two trailing `Data` (low half
    /// first). Out-of-line handler (`exec::mem64`), so the 32-bit forms above are as
    /// they were.
    Mem64 {
        op: Mem64Op,
        a: Slot,
        b: Slot,
        mem: u32,
    },
    MemorySize {
        dst: Slot,
        mem: u32,
    },
    MemoryGrow {
        dst: Slot,
        delta: Slot,
        mem: u32,
    },
    MemoryFill {
        mem: u32,
        base: Slot,
    },
    /// Followed by `Data(src_mem)`.
    MemoryCopy {
        dst_mem: u32,
        base: Slot,
    },
    MemoryInit {
        mem: u32,
        data: u32,
        base: Slot,
    },
    DataDrop(u32),

    // --- tables and references -----------------------------------------------------------
    /// The `i64` index at `src` of a 64-bit table (memory64's `table64`), saturated to
    /// `u32::MAX`, into `dst`: then `TableGet`, `TableSet` and `CallIndirect` read it as
    /// they read a 32-bit index. A table never has more than `u32::MAX` elements
    /// (`store::MAX_TABLE_ELEMENTS`), so the saturated index is out of bounds exactly when
    /// the original one is.
    TableIndex64 {
        dst: Slot,
        src: Slot,
    },
    TableGet {
        dst: Slot,
        index: Slot,
        table: u32,
    },
    TableSet {
        table: u32,
        index: Slot,
        src: Slot,
    },
    TableSize {
        dst: Slot,
        table: u32,
    },
    TableGrow {
        table: u32,
        base: Slot,
    },
    TableFill {
        table: u32,
        base: Slot,
    },
    TableCopy {
        dst_table: u32,
        src_table: u32,
        base: Slot,
    },
    TableInit {
        table: u32,
        elem: u32,
        base: Slot,
    },
    ElemDrop(u32),
    RefFunc {
        dst: Slot,
        func: u32,
    },

    // --- numeric: unary `{ dst, src }` ---------------------------------------------------
    I32Eqz {
        dst: Slot,
        src: Slot,
    },
    I64Eqz {
        dst: Slot,
        src: Slot,
    },
    I32Clz {
        dst: Slot,
        src: Slot,
    },
    I32Ctz {
        dst: Slot,
        src: Slot,
    },
    I32Popcnt {
        dst: Slot,
        src: Slot,
    },
    I64Clz {
        dst: Slot,
        src: Slot,
    },
    I64Ctz {
        dst: Slot,
        src: Slot,
    },
    I64Popcnt {
        dst: Slot,
        src: Slot,
    },
    F32Abs {
        dst: Slot,
        src: Slot,
    },
    F32Neg {
        dst: Slot,
        src: Slot,
    },
    F32Ceil {
        dst: Slot,
        src: Slot,
    },
    F32Floor {
        dst: Slot,
        src: Slot,
    },
    F32Trunc {
        dst: Slot,
        src: Slot,
    },
    F32Nearest {
        dst: Slot,
        src: Slot,
    },
    F32Sqrt {
        dst: Slot,
        src: Slot,
    },
    F64Abs {
        dst: Slot,
        src: Slot,
    },
    F64Neg {
        dst: Slot,
        src: Slot,
    },
    F64Ceil {
        dst: Slot,
        src: Slot,
    },
    F64Floor {
        dst: Slot,
        src: Slot,
    },
    F64Trunc {
        dst: Slot,
        src: Slot,
    },
    F64Nearest {
        dst: Slot,
        src: Slot,
    },
    F64Sqrt {
        dst: Slot,
        src: Slot,
    },
    I32TruncF32S {
        dst: Slot,
        src: Slot,
    },
    I32TruncF32U {
        dst: Slot,
        src: Slot,
    },
    I32TruncF64S {
        dst: Slot,
        src: Slot,
    },
    I32TruncF64U {
        dst: Slot,
        src: Slot,
    },
    I64ExtendI32S {
        dst: Slot,
        src: Slot,
    },
    I64ExtendI32U {
        dst: Slot,
        src: Slot,
    },
    I64TruncF32S {
        dst: Slot,
        src: Slot,
    },
    I64TruncF32U {
        dst: Slot,
        src: Slot,
    },
    I64TruncF64S {
        dst: Slot,
        src: Slot,
    },
    I64TruncF64U {
        dst: Slot,
        src: Slot,
    },
    F32ConvertI32S {
        dst: Slot,
        src: Slot,
    },
    F32ConvertI32U {
        dst: Slot,
        src: Slot,
    },
    F32ConvertI64S {
        dst: Slot,
        src: Slot,
    },
    F32ConvertI64U {
        dst: Slot,
        src: Slot,
    },
    F32DemoteF64 {
        dst: Slot,
        src: Slot,
    },
    F64ConvertI32S {
        dst: Slot,
        src: Slot,
    },
    F64ConvertI32U {
        dst: Slot,
        src: Slot,
    },
    F64ConvertI64S {
        dst: Slot,
        src: Slot,
    },
    F64ConvertI64U {
        dst: Slot,
        src: Slot,
    },
    F64PromoteF32 {
        dst: Slot,
        src: Slot,
    },
    I32Extend8S {
        dst: Slot,
        src: Slot,
    },
    I32Extend16S {
        dst: Slot,
        src: Slot,
    },
    I64Extend8S {
        dst: Slot,
        src: Slot,
    },
    I64Extend16S {
        dst: Slot,
        src: Slot,
    },
    I64Extend32S {
        dst: Slot,
        src: Slot,
    },
    I32TruncSatF32S {
        dst: Slot,
        src: Slot,
    },
    I32TruncSatF32U {
        dst: Slot,
        src: Slot,
    },
    I32TruncSatF64S {
        dst: Slot,
        src: Slot,
    },
    I32TruncSatF64U {
        dst: Slot,
        src: Slot,
    },
    I64TruncSatF32S {
        dst: Slot,
        src: Slot,
    },
    I64TruncSatF32U {
        dst: Slot,
        src: Slot,
    },
    I64TruncSatF64S {
        dst: Slot,
        src: Slot,
    },
    I64TruncSatF64U {
        dst: Slot,
        src: Slot,
    },

    // --- numeric: binary `{ dst, lhs, rhs }` ---------------------------------------------
    I32Eq {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Ne {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32LtS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32LtU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32GtS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32GtU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32LeS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32LeU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32GeS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32GeU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Eq {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Ne {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64LtS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64LtU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64GtS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64GtU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64LeS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64LeU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64GeS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64GeU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Eq {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Ne {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Lt {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Gt {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Le {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Ge {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Eq {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Ne {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Lt {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Gt {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Le {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Ge {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Add {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Sub {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Mul {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32DivS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32DivU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32RemS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32RemU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32And {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Or {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Xor {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Shl {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32ShrS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32ShrU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Rotl {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Rotr {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Add {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Sub {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Mul {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64DivS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64DivU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64RemS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64RemU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64And {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Or {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Xor {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Shl {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64ShrS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64ShrU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Rotl {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Rotr {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Add {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Sub {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Mul {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Div {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Min {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Max {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Copysign {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Add {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Sub {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Mul {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Div {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Min {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Max {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Copysign {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },

    /// `dst = acc + lhs * rhs` in f64: an `f64.mul` feeding `f64.add`, each rounded as
    /// the two instructions round (not a fused multiply-add).
    F64MulAdd {
        dst: Slot,
        acc: Slot,
        lhs: Slot,
        rhs: Slot,
    },

    /// `Store64` of `acc + lhs * rhs` (as `F64MulAdd`) to `addr + offset`: the update
    /// `c[j] = c[j] + a * b[j]` of an axpy loop, in one dispatch.
    F64MulAddStore {
        addr: Slot,
        acc: Slot,
        lhs: Slot,
        rhs: Slot,
        offset: u16,
    },

    /// A SIMD operation ([`SimdOp`] says which operands it takes): `a`, `b`, `c` are
    /// read, `dst` written; a `v128` operand or result is the pair of slots from there
    /// (low half first). Out-of-line handler (`exec::simd`), like `Wide`.
    Simd {
        op: SimdOp,
        dst: Slot,
        a: Slot,
        b: Slot,
        c: Slot,
    },
    /// `i8x16.shuffle` of the `v128`s at `a` and `b` into `dst`, followed by four `Data`
    /// holding the 16 lane indices (little-endian bytes).
    SimdShuffle {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    /// A SIMD memory access ([`SimdMemOp`]) at address `addr`, followed by `Data(offset)`
    /// and `Data(memory index)`: loads write the `v128` at `val`, stores read it there; a
    /// lane load reads the vector at `src` and writes it, with lane `lane` loaded, at
    /// `val`.
    SimdMem {
        op: SimdMemOp,
        lane: u8,
        val: Slot,
        addr: Slot,
        src: Slot,
    },
    /// `SimdMem` on a 64-bit memory (memory64): followed by `Data(offset low)`,
    /// `Data(offset high)` and `Data(memory index)`; the address is an `i64`.
    SimdMem64 {
        op: SimdMemOp,
        lane: u8,
        val: Slot,
        addr: Slot,
        src: Slot,
    },
    /// `v128.load` from memory 0 (a 32-bit memory) at `addr + offset` into the two slots
    /// from `dst`: the fast path of `SimdMem`, run inside the dispatch loop.
    V128Load {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    /// `V128Load` from address `lhs + imm` (an `i32.add` of a constant feeding the load;
    /// the sum wraps as `i32.add` does, `offset` is then added without wrapping).
    V128LoadAddImm {
        dst: Slot,
        lhs: Slot,
        offset: u16,
        imm: i32,
    },
    /// `v128.store` of the two slots from `src` to memory 0 (32-bit) at `addr + offset`.
    V128Store {
        addr: Slot,
        src: Slot,
        offset: u32,
    },
    /// `global.get` of a `v128` global into the two slots from `dst`.
    GlobalGetV128 {
        dst: Slot,
        global: u32,
    },
    /// `global.set` of a `v128` global from the two slots from `src`.
    GlobalSetV128 {
        global: u32,
        src: Slot,
    },

    /// An atomic memory operation ([`AtomicOp`], threads proposal) of `width` bytes at
    /// address `addr`, with operands `a` and `b` and result `dst` as the op says,
    /// followed by `Data(offset)` and `Data(memory index)`. Out-of-line handler
    /// (`exec::atomic`), like `SimdMem`.
    Atomic {
        op: AtomicOp,
        width: u8,
        dst: Slot,
        addr: Slot,
        a: Slot,
        b: Slot,
    },

    /// A wide-arithmetic operation on the consecutive slots from `base`: it reads its
    /// operands there and writes its two results over the first two. Rare: one variant
    /// with an out-of-line handler keeps it out of the hot loop's way.
    Wide {
        op: WideOp,
        base: Slot,
    },

    // --- numeric with an immediate right operand `{ dst, lhs, imm }` (i64: sign-extended)
    I32AddImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32MulImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32AndImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32OrImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32XorImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `a + b + c` (i32, wrapping): an `i32.add` feeding another.
    I32Add3 {
        dst: Slot,
        a: Slot,
        b: Slot,
        c: Slot,
    },
    /// `lhs + (a ^ b)` (i32, wrapping): an `i32.xor` feeding an `i32.add`.
    I32AddXor {
        dst: Slot,
        lhs: Slot,
        a: Slot,
        b: Slot,
    },
    /// `rotl(x, kx) ^ rotl(y, ky)` (i32; counts taken modulo 32): two rotations by
    /// constants feeding an `i32.xor` (the sigma functions of SHA-2).
    I32Rotl2Xor {
        dst: Slot,
        x: Slot,
        y: Slot,
        kx: u8,
        ky: u8,
    },
    I32RotlImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32RotrImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64RotlImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64RotrImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `dst = lhs + (index << shift)` (`i32.shl` by a constant feeding `i32.add`).
    I32AddShl {
        dst: Slot,
        lhs: Slot,
        index: Slot,
        shift: u8,
    },
    /// `dst = (lhs + imm) + (index << shift)`: an `I32AddImm` feeding `I32AddShl` (array
    /// indexing from a base at a constant offset: `&frame.array[i]`).
    I32AddImmShl {
        dst: Slot,
        lhs: Slot,
        index: Slot,
        shift: u8,
        imm: i16,
    },
    /// `dst = lhs ^ rotl(src, imm)`: an `i32.rotl` (or `rotr`) by a constant feeding
    /// `i32.xor` (the Σ functions of SHA-2 and friends).
    I32XorRotlImm {
        dst: Slot,
        lhs: Slot,
        src: Slot,
        imm: u8,
    },
    /// Two in-place `I32AddImm`s in a row: `a += ka; b += kb` (induction variables
    /// stepped together at the end of a loop body), in that order.
    I32AddImm2 {
        a: Slot,
        ka: i16,
        b: Slot,
        kb: i16,
    },
    /// An in-place `i32.add` and an in-place `I32AddImm` in a row: `a += b; c += kc`
    /// (a strength-reduced loop stepping a pointer by a stride and a counter by a
    /// constant), in that order.
    I32AddAndAddImm {
        a: Slot,
        b: Slot,
        c: Slot,
        kc: i16,
    },
    I32ShlImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32ShrSImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32ShrUImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32EqImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32NeImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32LtSImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32LtUImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32GtSImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32GtUImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32LeSImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32LeUImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32GeSImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I32GeUImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64AddImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    /// `dst = lhs + (src as i32 as i64)`: an `i64.extend_i32_s` and the `i64.add` that
    /// consumes it.
    I64AddExtendI32S {
        dst: Slot,
        lhs: Slot,
        src: Slot,
    },
    I64MulImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64AndImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64OrImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64XorImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64ShlImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64ShrSImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64ShrUImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64EqImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64NeImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64LtSImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64LtUImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64GtSImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
    I64GtUImm {
        dst: Slot,
        lhs: Slot,
        imm: i32,
    },
}

impl Instr {
    /// Sets the branch target of a branch instruction (used to patch forward branches).
    /// Sets the branch target of a branch instruction (no effect on others).
    pub(crate) fn set_target(&mut self, pc: u32) {
        if let Some(t) = self.target_mut() {
            *t = pc;
        }
    }

    /// The branch target of a branch instruction.
    pub(crate) fn target_mut(&mut self) -> Option<&mut u32> {
        match self {
            Instr::Br(t)
            | Instr::BrIfI32AddLtU { target: t, .. }
            | Instr::I32AddImmBrNez { target: t, .. }
            | Instr::I32AddImmBrEqz { target: t, .. }
            | Instr::I32AddImmBrNe { target: t, .. }
            | Instr::I32AddImmBrEq { target: t, .. }
            | Instr::I32AddImmBrLtU { target: t, .. }
            | Instr::I32AddImmBrGeU { target: t, .. }
            | Instr::I64AddImmBrNe { target: t, .. }
            | Instr::I64AddImmBrEq { target: t, .. }
            | Instr::BrIfLoad8UNez { target: t, .. }
            | Instr::BrIfLoad8UEqz { target: t, .. }
            | Instr::BrIfNez { target: t, .. }
            | Instr::BrIfEqz { target: t, .. }
            | Instr::BrIfI64Eqz { target: t, .. }
            | Instr::BrIfI32AndImmNez { target: t, .. }
            | Instr::BrIfI32AndImmEqz { target: t, .. }
            | Instr::BrIfI64Nez { target: t, .. }
            | Instr::BrIfI32Eq { target: t, .. }
            | Instr::BrIfI32EqImm { target: t, .. }
            | Instr::BrIfI32GeUThenBrIfI32GeU { target: t, .. }
            | Instr::BrIfI64Eq { target: t, .. }
            | Instr::BrIfI64EqImm { target: t, .. }
            | Instr::BrIfI32Ne { target: t, .. }
            | Instr::BrIfI32NeImm { target: t, .. }
            | Instr::BrIfI64Ne { target: t, .. }
            | Instr::BrIfI64NeImm { target: t, .. }
            | Instr::BrIfI32LtS { target: t, .. }
            | Instr::BrIfI32LtSImm { target: t, .. }
            | Instr::BrIfI64LtS { target: t, .. }
            | Instr::BrIfI64LtSImm { target: t, .. }
            | Instr::BrIfI32LtU { target: t, .. }
            | Instr::BrIfI32LtUImm { target: t, .. }
            | Instr::BrIfI64LtU { target: t, .. }
            | Instr::BrIfI64LtUImm { target: t, .. }
            | Instr::BrIfI32GtS { target: t, .. }
            | Instr::BrIfI32GtSImm { target: t, .. }
            | Instr::BrIfI64GtS { target: t, .. }
            | Instr::BrIfI64GtSImm { target: t, .. }
            | Instr::BrIfI32GtU { target: t, .. }
            | Instr::BrIfI32GtUImm { target: t, .. }
            | Instr::BrIfI64GtU { target: t, .. }
            | Instr::BrIfI64GtUImm { target: t, .. }
            | Instr::BrIfI32LeS { target: t, .. }
            | Instr::BrIfI32LeSImm { target: t, .. }
            | Instr::BrIfI64LeS { target: t, .. }
            | Instr::BrIfI64LeSImm { target: t, .. }
            | Instr::BrIfI32LeU { target: t, .. }
            | Instr::BrIfI32LeUImm { target: t, .. }
            | Instr::BrIfI64LeU { target: t, .. }
            | Instr::BrIfI64LeUImm { target: t, .. }
            | Instr::BrIfI32GeS { target: t, .. }
            | Instr::BrIfI32GeSImm { target: t, .. }
            | Instr::BrIfI64GeS { target: t, .. }
            | Instr::BrIfI64GeSImm { target: t, .. }
            | Instr::BrIfI32GeU { target: t, .. }
            | Instr::BrIfI32GeUImm { target: t, .. }
            | Instr::BrIfI64GeU { target: t, .. }
            | Instr::BrIfI64GeUImm { target: t, .. } => Some(t),
            _ => None,
        }
    }
}

/// Rewrites every branch target from an instruction index into an offset relative to the
/// instruction after the branch (as an `i32` in the `u32` field), which is how the
/// executor jumps: `ip += offset` from the already advanced instruction pointer.
pub(crate) fn make_targets_relative(code: &mut [Instr]) {
    for (at, instr) in code.iter_mut().enumerate() {
        if let Some(t) = instr.target_mut() {
            *t = (*t as i64 - (at as i64 + 1)) as i32 as u32;
        }
    }
}

/// The instruction index a branch at `at` with relative target `rel` jumps to, if it is
/// inside `code`.
pub(crate) fn absolute_target(at: usize, rel: u32, len: usize) -> Option<usize> {
    let t = at as i64 + 1 + rel as i32 as i64;
    usize::try_from(t).ok().filter(|t| *t < len)
}

/// The pair heads, as `name: first { its fields } then second { its fields };`, for `$m`
/// to expand: `name` replaces an instruction `first` that an instruction `second`
/// follows, and runs both (`fuse::pair_with_next` makes them, `check_code` checks them,
/// the executor runs them).
macro_rules! pair_heads {
    ($m:ident) => {
        $m! {
            BrIfI32GeUThenBrIfI32GeU: BrIfI32GeU { lhs, rhs, target } then BrIfI32GeU { lhs, rhs, target };
            I32AddImmThenBrIfI32LtU: I32AddImm { dst, lhs, imm } then BrIfI32LtU { lhs, rhs, target };
            I32AddImmThenI32AddImm: I32AddImm { dst, lhs, imm } then I32AddImm { dst, lhs, imm };
            I32AddImmThenBrIfI32LtUImm: I32AddImm { dst, lhs, imm } then BrIfI32LtUImm { lhs, imm, target } where lhs = dst;
            I32AddImmThenBrIfI32GeUImm: I32AddImm { dst, lhs, imm } then BrIfI32GeUImm { lhs, imm, target } where lhs = dst;
            I32AddImmThenStore32: I32AddImm { dst, lhs, imm } then Store32 { addr, src, offset };
            I32AddImmThenGlobalSet: I32AddImm { dst, lhs, imm } then GlobalSet { global, src } where src = dst;
            CopyThenCopy: Copy { dst, src } then Copy { dst, src };
            CopyThenBrIfI32Ne: Copy { dst, src } then BrIfI32Ne { lhs, rhs, target };
            Load8UShlTeeThenBrTable: Load8UShlTee { dst, tee, base, index, shift, offset } then BrTable { index, len } where index = dst;
            I32AddImmShlThenLoad64AddImmShl: I32AddImmShl { dst, lhs, index, shift, imm } then Load64AddImmShl { dst, base, index, shift, imm };
            I32AddImmShlThenLoad64: I32AddImmShl { dst, lhs, index, shift, imm } then Load64 { dst, addr, offset } where addr = dst;
            Load64AddImmShlThenStore64: Load64AddImmShl { dst, base, index, shift, imm } then Store64 { addr, src, offset };
            Store64ThenBr: Store64 { addr, src, offset } then Br (target);
            Load8UThenBrIfI32LtUImm: Load8U { dst, addr, offset } then BrIfI32LtUImm { lhs, imm, target } where lhs = dst;
            Load8UThenBrIfEqz: Load8U { dst, addr, offset } then BrIfEqz { cond, target };
            I32AndImmThenI32Add: I32AndImm { dst, lhs, imm } then I32Add { dst, lhs, rhs };
            I32AddThenLoad16UAddImm: I32Add { dst, lhs, rhs } then Load16UAddImm { dst, lhs, offset, imm } where lhs = dst;
            Load16UShlThenBrIfEqz: Load16UShl { dst, base, index, shift, offset } then BrIfEqz { cond, target } where cond = dst;
            I32SubThenI32AndImm: I32Sub { dst, lhs, rhs } then I32AndImm { dst, lhs, imm } where lhs = dst;
            I32AndImmThenBrIfI32GtU: I32AndImm { dst, lhs, imm } then BrIfI32GtU { lhs, rhs, target };
            I64OrThenStore64: I64Or { dst, lhs, rhs } then Store64 { addr, src, offset } where src = dst;
            I64ShlImmThenI64Xor: I64ShlImm { dst, lhs, imm } then I64Xor { dst, lhs, rhs };
            I64XorThenStore8: I64Xor { dst, lhs, rhs } then Store8 { addr, src, offset } where src = dst;
            I32Rotl2XorThenI32XorRotlImm: I32Rotl2Xor { dst, x, y, kx, ky } then I32XorRotlImm { dst, lhs, src, imm } where lhs = dst;
            I32XorThenI32And: I32Xor { dst, lhs, rhs } then I32And { dst, lhs, rhs } where rhs = dst;
            I32AndThenI32AddXor: I32And { dst, lhs, rhs } then I32AddXor { dst, lhs, a, b } where a = dst;
            I32AddThenI32Rotl2Xor: I32Add { dst, lhs, rhs } then I32Rotl2Xor { dst, x, y, kx, ky };
            I32AddXorThenI32Rotl2Xor: I32AddXor { dst, lhs, a, b } then I32Rotl2Xor { dst, x, y, kx, ky };
            I32ShrUImmThenI32AddXor: I32ShrUImm { dst, lhs, imm } then I32AddXor { dst, lhs, a, b } where b = dst;
            I32AddXorThenI32Add: I32AddXor { dst, lhs, a, b } then I32Add { dst, lhs, rhs };
            I32AddThenI32Add: I32Add { dst, lhs, rhs } then I32Add { dst, lhs, rhs };
            I32AddImmThenBrIfI32NeImm: I32AddImm { dst, lhs, imm } then BrIfI32NeImm { lhs, imm, target } where lhs = dst;
            V128LoadAddImmThenSimd: V128LoadAddImm { dst, lhs, offset, imm } then Simd { op, dst, a, b, c } where b = dst;
            SimdThenSimd: Simd { op, dst, a, b, c } then Simd { op, dst, a, b, c };
            I64AddThenI64MulImm: I64Add { dst, lhs, rhs } then I64MulImm { dst, lhs, imm } where lhs = dst;
            I64MulImmThenLoad8UAddImm: I64MulImm { dst, lhs, imm } then Load8UAddImm { dst, lhs, offset, imm };
            I32AddImmThenLoad8UAddTee: I32AddImm { dst, lhs, imm } then Load8UAddTee { dst, tee, lhs, rhs, offset };
            I32AddImmThenI32AddImmBrNez: I32AddImm { dst, lhs, imm } then I32AddImmBrNez { dst, lhs, imm, target };
            I32AddImmThenI32AddImmThenBrIfI32LtU: I32AddImm { dst, lhs, imm } then I32AddImmThenBrIfI32LtU { dst, lhs, imm };
            I32AddImmShlThenLoad64AddImmShlThenStore64: I32AddImmShl { dst, lhs, index, shift, imm } then Load64AddImmShlThenStore64 { dst, base, index, shift, imm };
            Const32ThenConst32: Const32 { dst, value } then Const32 { dst, value };
            I32AddThenStore32: I32Add { dst, lhs, rhs } then Store32 { addr, src, offset };
            Store32ThenStore32: Store32 { addr, src, offset } then Store32 { addr, src, offset };
            Load32ThenStore8ImmAdd: Load32 { dst, addr, offset } then Store8ImmAdd { lhs, rhs, value, offset } where lhs = dst;
            I32AddThenI32AddImm: I32Add { dst, lhs, rhs } then I32AddImm { dst, lhs, imm } where lhs = dst;
            Load64ThenLoad64: Load64 { dst, addr, offset } then Load64 { dst, addr, offset };
        }
    };
}
pub(crate) use pair_heads;

macro_rules! partner_checks {
    ($($head:ident: $a:ident { $($f:ident),* } then $b:ident $g:tt $(where $($w:ident = $x:ident),+)?;)*) => {
        /// Whether `instr` is a pair head.
        fn is_pair_head(instr: Instr) -> bool {
            matches!(instr, $(Instr::$head { .. })|*)
        }

        /// Whether the pair head at `at` is followed by the kind of instruction it runs.
        fn follows_its_partner(code: &[Instr], at: usize) -> bool {
            match code[at] {
                $(Instr::$head { $($f),* } => {
                    let _ = ($($f),*);
                    let second = code.get(at + 1);
                    matches!(second, Some(Instr::$b { .. }))
                        $($(&& matches!(second, Some(&Instr::$b { $w: v, .. }) if v == $x))+)?
                })*
                _ => true,
            }
        }
    };
}
pair_heads!(partner_checks);

#[cfg(test)]
macro_rules! forwarded_fields {
    ($($head:ident: $a:ident { $($f:ident),* } then $b:ident $g:tt $(where $($w:ident = $x:ident),+)?;)*) => {
        /// Each pair head with the fields of its second instruction that it takes from the
        /// first (`g = h`), as the table lists them; `exec` tests that its arms agree.
        pub(crate) const FORWARDED_FIELDS: &[(&str, &[(&str, &str)])] = &[
            $((stringify!($head), &[$($((stringify!($w), stringify!($x))),+)?]),)*
        ];
    };
}
#[cfg(test)]
pair_heads!(forwarded_fields);

/// Checks what the executor relies on to fetch instructions without bounds checks (see
/// `exec::execute`): control can never run past the last instruction, because it is a
/// `Return`, `Br` or `Unreachable`; every (relative) branch target lands inside `code`;
/// every `BrTable` is followed by its `len + 1` `Br` entries; and every instruction that
/// takes a trailing `Data` operand is followed by one, and every pair head (`*Then*`) by
/// the instruction it runs after itself.
pub(crate) fn check_code(code: &[Instr]) -> bool {
    let ends = matches!(
        code.last(),
        Some(Instr::Return { .. } | Instr::Br(_) | Instr::Unreachable)
    );
    ends && code.iter().enumerate().all(|(at, instr)| {
        let mut instr = *instr;
        let targets_ok = instr
            .target_mut()
            .is_none_or(|t| absolute_target(at, *t, code.len()).is_some());
        let operands_ok = match instr {
            Instr::BrTable { len, .. } => {
                (0..=len as usize).all(|k| matches!(code.get(at + 1 + k), Some(Instr::Br(_))))
            }
            Instr::CallIndirect { .. }
            | Instr::ReturnCallIndirect { .. }
            | Instr::LoadMem { .. }
            | Instr::StoreMem { .. }
            | Instr::MemoryCopy { .. }
            | Instr::Gc { .. } => matches!(code.get(at + 1), Some(Instr::Data(_))),
            Instr::SimdMem { .. } | Instr::Mem64 { .. } | Instr::Atomic { .. } => {
                (1..=2).all(|k| matches!(code.get(at + k), Some(Instr::Data(_))))
            }
            Instr::SimdMem64 { .. } => {
                (1..=3).all(|k| matches!(code.get(at + k), Some(Instr::Data(_))))
            }
            Instr::SimdShuffle { .. } => {
                (1..=4).all(|k| matches!(code.get(at + k), Some(Instr::Data(_))))
            }
            _ if is_pair_head(instr) => follows_its_partner(code, at),
            _ => true,
        };
        targets_ok && operands_ok
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn instr_is_compact() {
        // A tag, two 16-bit slots and a 32-bit immediate, or a slot and two 32-bit fields:
        // 12 bytes. Growing this costs cache lines everywhere (and the IR-size budget).
        assert_eq!(core::mem::size_of::<super::Instr>(), 12);
        // A translated function's own record (counted in `Module::code_stats`): two boxed
        // slices and three `u32`s, 48 bytes on a 64-bit host.
        assert!(core::mem::size_of::<crate::translate::CompiledFunc>() <= 48);
    }

    #[test]
    fn check_code_rejects_what_the_executor_cannot_run() {
        use super::{check_code, Instr};
        // Targets are relative to the instruction after the branch.
        let ret = Instr::Return { src: 0, n: 0 };
        let back = |n: i32| Instr::Br(n as u32);
        assert!(check_code(&[Instr::Br(0), ret]));
        assert!(check_code(&[ret, back(-2)]), "backward jump to the start");
        assert!(!check_code(&[]), "empty code");
        let copy = Instr::Copy { dst: 0, src: 1 };
        assert!(!check_code(&[ret, copy]), "falls off the end");
        assert!(!check_code(&[Instr::Br(1), ret]), "target past the end");
        assert!(!check_code(&[ret, back(-3)]), "target before the start");
        let branch = Instr::BrIfI64LtUImm {
            lhs: 0,
            imm: 1,
            target: 7,
        };
        assert!(
            !check_code(&[branch, ret]),
            "conditional target past the end"
        );
        let table = Instr::BrTable { index: 0, len: 1 };
        assert!(check_code(&[table, Instr::Br(1), Instr::Br(0), ret]));
        assert!(
            !check_code(&[table, Instr::Br(1), ret]),
            "missing table entry"
        );
        let head = Instr::CopyThenCopy { dst: 0, src: 1 };
        let copy = Instr::Copy { dst: 2, src: 3 };
        assert!(check_code(&[head, copy, ret]));
        assert!(!check_code(&[head, ret]), "pair head without its partner");
        assert!(
            !check_code(&[head, head, copy, ret]),
            "pair head as a partner"
        );
        let head = Instr::Load8UThenBrIfI32LtUImm {
            dst: 5,
            addr: 0,
            offset: 1,
        };
        let test = |lhs| Instr::BrIfI32LtUImm {
            lhs,
            imm: 8,
            target: 0,
        };
        assert!(check_code(&[head, test(5), ret]));
        assert!(
            !check_code(&[head, test(6), ret]),
            "partner that does not read what its head hands over"
        );
        let shuffle = Instr::SimdShuffle { dst: 0, a: 2, b: 4 };
        let d = Instr::Data(0);
        assert!(check_code(&[shuffle, d, d, d, d, ret]));
        assert!(
            !check_code(&[shuffle, d, d, d, ret]),
            "missing shuffle lanes"
        );
        let load = Instr::SimdMem {
            op: super::SimdMemOp::V128Load,
            lane: 0,
            val: 0,
            addr: 2,
            src: 0,
        };
        assert!(check_code(&[load, d, d, ret]));
        assert!(!check_code(&[load, d, ret]), "missing memory index");
        let atomic = Instr::Atomic {
            op: super::AtomicOp::RmwCmpxchg,
            width: 4,
            dst: 0,
            addr: 0,
            a: 1,
            b: 2,
        };
        assert!(check_code(&[atomic, d, d, ret]));
        assert!(
            !check_code(&[atomic, d, ret]),
            "missing atomic memory index"
        );
        let load64 = Instr::Mem64 {
            op: super::Mem64Op::Load(super::LoadKind::L64),
            a: 0,
            b: 1,
            mem: 0,
        };
        assert!(check_code(&[load64, d, d, ret]));
        assert!(!check_code(&[load64, d, ret]), "missing offset high half");
        let simd64 = Instr::SimdMem64 {
            op: super::SimdMemOp::V128Load,
            lane: 0,
            val: 0,
            addr: 2,
            src: 0,
        };
        assert!(check_code(&[simd64, d, d, d, ret]));
        assert!(!check_code(&[simd64, d, d, ret]), "missing memory index");
    }
}
