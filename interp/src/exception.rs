//! Exception handling (the exception-handling proposal, Wasm 3.0): tags and exception
//! objects as the embedding API shows them.
//!
//! A tag (spec §4.2.12 "Tag Instances") names a kind of exception and the types of its
//! payload; an exception (spec §4.2.13 "Exception Instances") is a tag with payload
//! values, made by `throw` (or by the host with [`ExnRef::new`]) and referred to by an
//! `exnref`. Tags are generative: two tags are the same only if they are one store object.
//!
//! An exception no handler catches leaves the Wasm call as [`Error::Exception`]; a host
//! function returning that error throws its exception into the Wasm code that called it.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, StoreId};
use crate::types::FuncType;
use crate::value::Val;
use std::sync::Arc;

/// A tag instance: the type of its payload (a function type with no results).
pub(crate) struct TagEntity {
    pub ty: Arc<FuncType>,
    /// The canonical id of `ty`: tags match by it.
    pub type_id: crate::types::TypeId,
}

/// An exception instance: its tag (a store address) and payload cells.
pub(crate) struct ExnEntity {
    pub tag: u32,
    pub payload: Box<[u64]>,
}

/// An exception tag, owned by a [`Store`](crate::Store).
///
/// ```
/// use weft_interp::{Engine, ExnRef, FuncType, Store, Tag, Val, ValType};
/// let mut store = Store::new(&Engine::default(), ());
/// let tag = Tag::new(&mut store, FuncType::new([ValType::I32], []))?;
/// let exn = ExnRef::new(&mut store, tag, &[Val::I32(7)])?;
/// assert_eq!(exn.tag(&store), Some(tag));
/// assert_eq!(exn.payload(&store), vec![Val::I32(7)]);
/// # Ok::<(), weft_interp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag(pub(crate) u32, pub(crate) StoreId);

impl Tag {
    /// A new tag whose exceptions carry values of `ty`'s parameter types. `ty` must have
    /// no results (spec §3.2.9 "Tag Types").
    pub fn new<C: AsContextMut + ?Sized>(store: &mut C, ty: FuncType) -> Result<Tag> {
        if !ty.results().is_empty() {
            return Err(Error::TypeMismatch(format!(
                "a tag type has no results, found {ty}"
            )));
        }
        let inner = &mut store.as_context_mut().inner;
        let ty = Arc::new(ty);
        let type_id = inner.engine.types().register_func(&ty);
        inner.tags.push(TagEntity { ty, type_id });
        Ok(Tag(inner.tags.len() as u32 - 1, inner.id))
    }

    /// The tag's type; for a tag of another store, the empty type.
    pub fn ty<C: AsContext + ?Sized>(&self, store: &C) -> FuncType {
        let inner = &store.as_context().inner;
        match inner.tags.get(self.0 as usize) {
            Some(t) if self.1 == inner.id => (*t.ty).clone(),
            _ => FuncType::new([], []),
        }
    }
}

/// A reference to an exception, owned by a [`Store`](crate::Store): what `exnref` values
/// hold, and what [`Error::Exception`] carries out of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExnRef(pub(crate) u32, pub(crate) StoreId);

impl ExnRef {
    /// A new exception of `tag` with `payload`, which must match the tag's type. A host
    /// function returns `Err(Error::Exception(exn))` to throw it.
    pub fn new<C: AsContextMut + ?Sized>(
        store: &mut C,
        tag: Tag,
        payload: &[Val],
    ) -> Result<ExnRef> {
        let inner = &mut store.as_context_mut().inner;
        inner.check(tag.1, "tag")?;
        let ty = inner
            .tags
            .get(tag.0 as usize)
            .ok_or(Error::StoreMismatch("tag"))?
            .ty
            .clone();
        if payload.len() != ty.params().len()
            || payload.iter().zip(ty.params()).any(|(v, t)| v.ty() != *t)
        {
            return Err(Error::TypeMismatch(format!(
                "payload does not match the tag's type {ty}"
            )));
        }
        for v in payload {
            v.check_store(inner.id)?;
        }
        let mut cells = vec![0; ty.param_cells() as usize];
        let mut n = 0;
        for v in payload {
            n += v.write_cells(&mut cells[n..]);
        }
        let payload = cells.into_boxed_slice();
        Ok(ExnRef(inner.new_exn(tag.0, payload), inner.id))
    }

    /// The exception's tag (`None` for an exception of another store).
    pub fn tag<C: AsContext + ?Sized>(&self, store: &C) -> Option<Tag> {
        let inner = &store.as_context().inner;
        let e = inner
            .exns
            .get(self.0 as usize)
            .filter(|_| self.1 == inner.id)?;
        Some(Tag(e.tag, inner.id))
    }

    /// The exception's payload values (empty for an exception of another store).
    pub fn payload<C: AsContext + ?Sized>(&self, store: &C) -> Vec<Val> {
        let inner = &store.as_context().inner;
        let Some(e) = inner
            .exns
            .get(self.0 as usize)
            .filter(|_| self.1 == inner.id)
        else {
            return Vec::new();
        };
        let ty = &inner.tags[e.tag as usize].ty;
        let mut n = 0;
        ty.params()
            .iter()
            .map(|t| {
                let v = Val::read_cells(*t, e.payload.get(n..).unwrap_or_default());
                n += t.cells();
                v.in_store(inner.id)
            })
            .collect()
    }
}
