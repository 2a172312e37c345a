//! Throwing and catching (exception handling, spec §4.4.8 "Control Instructions":
//! `throw`, `throw_ref`, and the handlers `try_table` installs).
//!
//! Throwing searches the running function's handler table for a `try_table` that guards
//! the throwing instruction and has a matching catch clause; if none, that frame is
//! abandoned and the search goes on in its caller at its call instruction. A handler
//! found writes the payload (and the reference) into its slots and resumes at its
//! landing pad. With no frame left, the exception leaves the call as
//! [`Error::Exception`](crate::Error::Exception).

use super::{code_of, Fault, Frame};
use crate::exception::ExnEntity;
use crate::store::{FuncEntity, InstanceEntity};
use crate::translate::exceptions::find_catch;
use crate::translate::ir::Instr;
use crate::translate::CompiledFunc;
use crate::value::ref_to_cell;

/// The index of the instruction before `ip` in `code`: the throwing instruction, or the
/// call a caller waits in (its `Data`, for calls that have one, which sits inside the
/// same guarded range).
fn pc_before(code: &CompiledFunc, ip: *const Instr) -> Option<u32> {
    let offset = (ip as usize).checked_sub(code.code.as_ptr() as usize)?;
    let index = offset / core::mem::size_of::<Instr>();
    index.checked_sub(1).map(|i| i as u32)
}

/// Whether the call at `pc` is a tail call (a host function reached by `return_call`
/// resumes at the `Return` after it): the running function has already left every
/// handler then.
fn is_tail_call(code: &CompiledFunc, pc: u32) -> bool {
    let at = |i: u32| code.code.get(i as usize);
    matches!(
        at(pc),
        Some(Instr::ReturnCall { .. } | Instr::ReturnCallRef { .. })
    ) || (matches!(at(pc), Some(Instr::Data(_)))
        && pc > 0
        && matches!(at(pc - 1), Some(Instr::ReturnCallIndirect { .. })))
}

/// Unwinds from `cur` (whose `ip` is just past the throwing instruction or the call it
/// waits in) to the innermost handler of exception `exn` (a store address). On success
/// `cur` is the handling frame, resuming at its landing pad with the payload in place,
/// and the abandoned frames are gone from `frames`.
pub(super) fn unwind(
    funcs: &[FuncEntity],
    instances: &[InstanceEntity],
    exns: &[ExnEntity],
    stack: &mut [u64],
    frames: &mut Vec<Frame>,
    cur: &mut Frame,
    exn: u32,
) -> Result<(), Fault> {
    let thrown = exns
        .get(exn as usize)
        .ok_or_else(|| internal("unknown exception"))?;
    loop {
        let (code, _) = code_of(funcs, cur.func).map_err(Fault::Error)?;
        let pc = pc_before(code, cur.ip).ok_or_else(|| internal("ip outside its code"))?;
        let tags = &instances[cur.instance as usize].tags;
        let catch = if is_tail_call(code, pc) {
            None
        } else {
            find_catch(&code.handlers, pc, |t| {
                tags.get(t as usize) == Some(&thrown.tag)
            })
        };
        if let Some(c) = catch {
            let dst = cur.fp + c.dst as usize;
            let n = if c.tag.is_some() {
                thrown.payload.len()
            } else {
                0
            };
            let cells = stack
                .get_mut(dst..dst + n + usize::from(c.with_ref))
                .ok_or_else(|| internal("handler slots outside the stack"))?;
            cells[..n].copy_from_slice(&thrown.payload[..n]);
            if c.with_ref {
                cells[n] = ref_to_cell(Some(exn));
            }
            // `translate` checked that every pad is inside the code.
            cur.ip = code
                .code
                .get(c.pad as usize..)
                .filter(|rest| !rest.is_empty())
                .ok_or_else(|| internal("landing pad outside its code"))?
                .as_ptr();
            return Ok(());
        }
        match frames.pop() {
            Some(caller) => *cur = caller,
            None => return Err(Fault::Exception(exn)),
        }
    }
}

fn internal(what: &str) -> Fault {
    Fault::Error(crate::Error::Unsupported(format!("internal: {what}")))
}
