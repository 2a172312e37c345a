//! The canonical ABI (CanonicalABI.md), one function per spec operation, named as the spec
//! names it. Everything here works on a [`LiftLowerContext`], whose linear memory is a small
//! trait ([`Memory`]) so the operations can be tested against a byte vector.

pub mod flatten;
pub mod lift;
pub mod load;
pub mod lower;
pub mod store;
pub mod string;

use crate::error::{trap, trap_if, Result};
use crate::resources::{CallContext, InstanceRef, ResourceType};
use crate::types::{ResourceId, Type};
use crate::val::Val;
use std::collections::HashMap;

pub use flatten::{
    alignment, elem_size, flatten_functype, flatten_type, flatten_types, ptr_size, Context,
    CoreType, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS,
};
pub use lift::{lift_flat, lift_flat_values, CoreValueIter};
pub use load::load;
pub use lower::{lower_flat, lower_flat_values};
pub use store::store;

/// CanonicalABI.md: `string-encoding` canonical option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StringEncoding {
    /// `string-encoding=utf8` (the default)
    #[default]
    Utf8,
    /// `string-encoding=utf16`
    Utf16,
    /// `string-encoding=latin1+utf16`
    CompactUtf16,
}

/// The linear memory a lift or lower reads and writes (`cx.opts.memory`) and its `realloc`
/// (`cx.opts.realloc`).
pub trait Memory {
    /// The memory's bytes; an error if the canonical options name no memory.
    fn bytes(&self) -> Result<&[u8]>;
    /// The memory's bytes, writable.
    fn bytes_mut(&mut self) -> Result<&mut [u8]>;
    /// Calls `realloc(old_ptr, old_size, align, new_size)`, with `i32` arguments and result,
    /// or `i64` ones for a 64-bit memory.
    fn realloc(&mut self, old_ptr: u64, old_size: u64, align: u32, new_size: u64) -> Result<u64>;
}

/// A runtime binding of a component's static resource types.
pub type ResourceMap = HashMap<ResourceId, ResourceType>;

/// CanonicalABI.md: `LiftLowerContext` — the canonical options, the instance and the call
/// whose borrows are being tracked.
pub struct LiftLowerContext<'a> {
    /// `opts.memory` and `opts.realloc`.
    pub memory: &'a mut dyn Memory,
    /// `opts.string_encoding`.
    pub string_encoding: StringEncoding,
    /// `opts.memory.ptr_type()`: [`CoreType::I32`], or [`CoreType::I64`] for a 64-bit memory
    /// (🐘): the core type of pointers and lengths, flat and in memory.
    pub ptr_type: CoreType,
    /// `inst`: its resource tables receive lowered handles and give lifted ones.
    pub inst: &'a InstanceRef,
    /// How the types' static resource ids map to runtime resource types in `inst`.
    pub resource_types: &'a ResourceMap,
    /// The call's borrow bookkeeping.
    pub call: &'a mut CallContext,
}

impl LiftLowerContext<'_> {
    /// CanonicalABI.md: `cx.opts.memory.ptr_size()`.
    pub(crate) fn ptr_size(&self) -> u32 {
        ptr_size(self.ptr_type)
    }

    /// A string's tagged length as this memory holds it, in the 32-bit form the rest of
    /// the crate uses: on a 64-bit memory the `latin1+utf16` tag is bit 63
    /// (CanonicalABI.md: `utf16_tag`) and becomes [`UTF16_TAG`](string::UTF16_TAG); a
    /// length that does not fit is a string too long to lift.
    pub(crate) fn untag(&self, tagged: u64) -> Result<u32> {
        if self.ptr_type != CoreType::I64 {
            return Ok(tagged as u32);
        }
        const TAG64: u64 = 1 << 63;
        let (utf16, units) = match self.string_encoding {
            StringEncoding::CompactUtf16 if tagged & TAG64 != 0 => (true, tagged ^ TAG64),
            _ => (false, tagged),
        };
        crate::error::trap_if(
            units >= u64::from(string::UTF16_TAG),
            "string pointer/length out of bounds of memory",
        )?;
        Ok(units as u32 | if utf16 { string::UTF16_TAG } else { 0 })
    }

    /// The inverse of [`LiftLowerContext::untag`]: a tagged length in the 32-bit form, as
    /// this memory holds it.
    pub(crate) fn retag(&self, tagged: u32) -> u64 {
        match self.ptr_type {
            CoreType::I64 if tagged & string::UTF16_TAG != 0 => {
                u64::from(tagged ^ string::UTF16_TAG) | 1 << 63
            }
            _ => u64::from(tagged),
        }
    }

    /// `len(cx.opts.memory)`.
    pub(crate) fn memory_len(&self) -> Result<u64> {
        Ok(self.memory.bytes()?.len() as u64)
    }

    /// CanonicalABI.md's checks of a `realloc` result: aligned to `alignment`, and `len`
    /// bytes from it inside the memory.
    pub(crate) fn check_realloc(&self, ptr: u64, alignment: u32, len: u64) -> Result<()> {
        trap_if(
            ptr != flatten::align_to(ptr, alignment),
            "realloc return: result not aligned",
        )?;
        trap_if(
            ptr.saturating_add(len) > self.memory_len()?,
            "realloc return: beyond end of memory",
        )
    }

    /// CanonicalABI.md: `load_int` (unsigned; callers sign-extend).
    pub(crate) fn load_int(&self, ptr: u64, nbytes: usize) -> Result<u64> {
        let mem = self.memory.bytes()?;
        let Some(bytes) = mem.get(ptr as usize..(ptr as usize).saturating_add(nbytes)) else {
            return trap("out of bounds memory access");
        };
        let mut buf = [0u8; 8];
        buf[..nbytes].copy_from_slice(bytes);
        Ok(u64::from_le_bytes(buf))
    }

    /// CanonicalABI.md: `store_int`.
    pub(crate) fn store_int(&mut self, v: u64, ptr: u64, nbytes: usize) -> Result<()> {
        self.write_bytes(ptr, &v.to_le_bytes()[..nbytes])
    }

    pub(crate) fn read_bytes(&self, ptr: u64, len: u64) -> Result<&[u8]> {
        let mem = self.memory.bytes()?;
        match mem.get(ptr as usize..ptr.saturating_add(len) as usize) {
            Some(b) => Ok(b),
            None => trap("out of bounds memory access"),
        }
    }

    pub(crate) fn write_bytes(&mut self, ptr: u64, bytes: &[u8]) -> Result<()> {
        let mem = self.memory.bytes_mut()?;
        match mem.get_mut(ptr as usize..(ptr as usize).saturating_add(bytes.len())) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                Ok(())
            }
            None => trap("out of bounds memory access"),
        }
    }

    /// `cx.opts.realloc(...)`.
    pub(crate) fn realloc(
        &mut self,
        old_ptr: u64,
        old_size: u64,
        align: u32,
        new_size: u64,
    ) -> Result<u64> {
        self.memory.realloc(old_ptr, old_size, align, new_size)
    }

    /// The runtime type bound to a static resource id.
    pub(crate) fn resource_type(&self, id: &ResourceId) -> Result<ResourceType> {
        match self.resource_types.get(id) {
            Some(rt) => Ok(rt.clone()),
            None => Err(crate::Error::Unsupported(
                "a resource type that is not bound in this instance".into(),
            )),
        }
    }
}

/// CanonicalABI.md: `despecialize` of `map<K, V>`: the element type of the
/// `list<tuple<K, V>>` whose ABI it has.
pub(crate) fn map_entry_type(k: &Type, v: &Type) -> Type {
    Type::Tuple(vec![k.clone(), v.clone()])
}

/// The `map` value of a lifted `list<tuple<K, V>>`.
pub(crate) fn map_of_entries(list: Val) -> Result<Val> {
    let mismatch = || crate::Error::TypeMismatch("a map entry that is not a pair".into());
    let Val::List(entries) = list else {
        return Err(mismatch());
    };
    entries
        .into_iter()
        .map(|e| match e {
            Val::Tuple(kv) => <[Val; 2]>::try_from(kv)
                .map(|[k, v]| (k, v))
                .map_err(|_| mismatch()),
            _ => Err(mismatch()),
        })
        .collect::<Result<_>>()
        .map(Val::Map)
}

/// A memory of plain bytes with a bump allocator as its `realloc`, for tests and for host
/// code that wants to run the canonical ABI without a Wasm instance.
#[derive(Debug, Clone, Default)]
pub struct VecMemory {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Where the next allocation starts.
    pub next: u32,
    /// Every `realloc` call seen, as `(old_ptr, old_size, align, new_size)`.
    pub reallocs: Vec<(u64, u64, u32, u64)>,
}

impl VecMemory {
    /// A zeroed memory of `len` bytes whose allocations start at `start`.
    pub fn new(len: usize, start: u32) -> VecMemory {
        VecMemory {
            bytes: vec![0; len],
            next: start,
            reallocs: Vec::new(),
        }
    }
}

impl Memory for VecMemory {
    fn bytes(&self) -> Result<&[u8]> {
        Ok(&self.bytes)
    }
    fn bytes_mut(&mut self) -> Result<&mut [u8]> {
        Ok(&mut self.bytes)
    }
    fn realloc(&mut self, old_ptr: u64, old_size: u64, align: u32, new_size: u64) -> Result<u64> {
        self.reallocs.push((old_ptr, old_size, align, new_size));
        if new_size <= old_size && old_ptr != 0 {
            return Ok(old_ptr);
        }
        let ptr = flatten::align_to(self.next as u64, align.max(1));
        self.next = u32::try_from(ptr.saturating_add(new_size)).unwrap_or(u32::MAX);
        let copy = old_size.min(new_size) as usize;
        if copy > 0 {
            let (o, p) = (old_ptr as usize, ptr as usize);
            if o + copy <= self.bytes.len() && p + copy <= self.bytes.len() {
                self.bytes.copy_within(o..o + copy, p);
            }
        }
        Ok(ptr)
    }
}

#[cfg(test)]
mod tests;
