//! Translation of the exception-handling instructions: `throw`, `throw_ref` and
//! `try_table` (spec §3.3.8 / §4.4.8 "Control Instructions", exception handling).
//!
//! A `try_table` costs nothing at run time until something throws. Its catch clauses
//! become *landing pads*: code placed before the block body (jumped over on entry) that
//! branches to the clause's label with the exception's values, exactly as a `br` would.
//! The function's handler table records, per `try_table`, the range of instructions it
//! guards and its pads; the executor searches it only when an exception is thrown.

use super::ir::{Instr, Slot};
use super::{CtrlKind, Operand, Translator};
use crate::error::Result;
use wasmparser::{Catch, TryTable};

/// A catch clause of a `try_table`, resolved at translation time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CatchEntry {
    /// The tag it catches (an index into the module's tags), or `None` for `catch_all`.
    pub tag: Option<u32>,
    /// Whether the exception reference is passed too (`catch_ref`, `catch_all_ref`).
    pub with_ref: bool,
    /// The slot where the payload (then the `exnref`) goes.
    pub dst: Slot,
    /// The instruction index of the landing pad.
    pub pad: u32,
}

/// The handlers of one `try_table`: it guards the instructions `start..end`.
#[derive(Debug)]
pub(crate) struct Handler {
    pub start: u32,
    pub end: u32,
    pub catches: Box<[CatchEntry]>,
}

/// The first handler (innermost first) that catches an exception thrown at instruction
/// `pc` whose tag is `matches`-equal to a clause's tag.
pub(crate) fn find_catch(
    handlers: &[Handler],
    pc: u32,
    mut matches: impl FnMut(u32) -> bool,
) -> Option<CatchEntry> {
    // Handlers are recorded when their block ends, so inner ones come first; ranges of
    // sibling blocks do not overlap.
    handlers
        .iter()
        .filter(|h| h.start <= pc && pc < h.end)
        .find_map(|h| {
            h.catches
                .iter()
                .find(|c| c.tag.is_none_or(&mut matches))
                .copied()
        })
}

impl Translator<'_> {
    /// `try_table bt catch* instr* end`: the landing pads, then the block.
    pub(super) fn try_table(&mut self, try_table: TryTable) -> Result<()> {
        // A handler may run at any instruction inside: every operand must be in its slot.
        self.materialize_all();
        let (params, _) = self.block_arity(try_table.ty);
        let height = self.height() - params;
        let skip = self.code.len();
        self.emit(Instr::Br(u32::MAX));
        let saved = self.stack.clone();
        let saved_v128 = self.v128_at.clone();
        let mut catches = Vec::with_capacity(try_table.catches.len());
        for catch in &try_table.catches {
            let (tag, label, with_ref) = match *catch {
                Catch::One { tag, label } => (Some(tag), label, false),
                Catch::OneRef { tag, label } => (Some(tag), label, true),
                Catch::All { label } => (None, label, false),
                Catch::AllRef { label } => (None, label, true),
            };
            // Cells of the payload (a `v128` takes two).
            let n = match tag {
                Some(t) => {
                    self.module.types[self.module.tags[t as usize] as usize].param_cells() as usize
                }
                None => 0,
            };
            // The pad sees the stack as the handler leaves it: the block's operands gone,
            // the payload (and reference) pushed. Catch labels are those around the
            // `try_table` (its own label is pushed after).
            self.label_pc = self.code.len();
            let pad = self.pc();
            self.stack.truncate(height as usize);
            for _ in 0..n + usize::from(with_ref) {
                self.push(Operand::Temp);
            }
            self.emit_br(label);
            catches.push(CatchEntry {
                tag,
                with_ref,
                dst: self.temp_slot(height),
                pad,
            });
            self.stack.clone_from(&saved);
            self.v128_at.clone_from(&saved_v128);
        }
        let pc = self.pc();
        self.code[skip].set_target(pc);
        self.label_pc = self.code.len();
        self.push_ctrl(CtrlKind::Block, try_table.ty);
        if let Some(c) = self.ctrl.last_mut() {
            c.handler = Some((pc, catches));
        }
        Ok(())
    }

    /// Closes the handler of a `try_table` whose block ends here.
    pub(super) fn end_try(&mut self, handler: Option<(u32, Vec<super::exceptions::CatchEntry>)>) {
        if let Some((start, catches)) = handler {
            let end = self.pc();
            self.handlers.push(Handler {
                start,
                end,
                catches: catches.into_boxed_slice(),
            });
        }
    }

    /// `throw x`: the payload is popped into consecutive slots.
    pub(super) fn throw(&mut self, tag: u32) {
        let n = self.module.types[self.module.tags[tag as usize] as usize].param_cells();
        let base = self.pop_consecutive(n);
        self.emit(Instr::Throw { tag, base });
        self.mark_unreachable();
    }

    /// `throw_ref`.
    pub(super) fn throw_ref(&mut self) {
        let src = self.pop_slot();
        self.emit(Instr::ThrowRef { src });
        self.mark_unreachable();
    }
}
