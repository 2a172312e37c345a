//! Typed host functions: Rust types that stand for component value types, so a host
//! function is written with Rust parameters and results and checked against the import's
//! type when the component is linked.

use crate::error::{Error, Result};
use crate::resources::ResourceAny;
use crate::types::Type;
use crate::val::Val;

fn mismatch<T>(want: &str, v: &Val) -> Result<T> {
    Err(Error::TypeMismatch(format!(
        "expected {want}, found {}",
        v.kind()
    )))
}

/// A Rust type that corresponds to a component value type.
pub trait ComponentType: Sized {
    /// Whether `ty` is the component type this Rust type stands for.
    fn typecheck(ty: &Type) -> bool;
    /// The Rust value of a component value.
    fn from_val(v: Val) -> Result<Self>;
    /// The component value of a Rust value.
    fn into_val(self) -> Val;

    /// As the payload of a `result` case: `()` stands for "no payload".
    #[doc(hidden)]
    fn typecheck_payload(ty: Option<&Type>) -> bool {
        ty.is_some_and(Self::typecheck)
    }
    #[doc(hidden)]
    fn from_payload(p: Option<Box<Val>>) -> Result<Self> {
        match p {
            Some(v) => Self::from_val(*v),
            None => Err(Error::TypeMismatch("missing payload".into())),
        }
    }
    #[doc(hidden)]
    fn into_payload(self) -> Option<Box<Val>> {
        Some(Box::new(self.into_val()))
    }
}

macro_rules! primitive {
    ($($rust:ty => $variant:ident / $ty:ident),* $(,)?) => {$(
        impl ComponentType for $rust {
            fn typecheck(ty: &Type) -> bool {
                *ty == Type::$ty
            }
            fn from_val(v: Val) -> Result<Self> {
                match v {
                    Val::$variant(x) => Ok(x),
                    other => mismatch(stringify!($ty), &other),
                }
            }
            fn into_val(self) -> Val {
                Val::$variant(self)
            }
        }
    )*};
}

primitive! {
    bool => Bool / Bool, i8 => S8 / S8, u8 => U8 / U8, i16 => S16 / S16, u16 => U16 / U16,
    i32 => S32 / S32, u32 => U32 / U32, i64 => S64 / S64, u64 => U64 / U64,
    f32 => Float32 / Float32, f64 => Float64 / Float64, char => Char / Char,
    String => String / String,
}

impl ComponentType for () {
    fn typecheck(ty: &Type) -> bool {
        *ty == Type::Tuple(vec![])
    }
    fn from_val(v: Val) -> Result<Self> {
        match v {
            Val::Tuple(vs) if vs.is_empty() => Ok(()),
            other => mismatch("tuple<>", &other),
        }
    }
    fn into_val(self) -> Val {
        Val::Tuple(vec![])
    }
    fn typecheck_payload(ty: Option<&Type>) -> bool {
        ty.is_none()
    }
    fn from_payload(_: Option<Box<Val>>) -> Result<Self> {
        Ok(())
    }
    fn into_payload(self) -> Option<Box<Val>> {
        None
    }
}

impl<T: ComponentType> ComponentType for Vec<T> {
    fn typecheck(ty: &Type) -> bool {
        matches!(ty, Type::List(t) if T::typecheck(t))
    }
    fn from_val(v: Val) -> Result<Self> {
        match v {
            Val::List(vs) => vs.into_iter().map(T::from_val).collect(),
            other => mismatch("list", &other),
        }
    }
    fn into_val(self) -> Val {
        Val::List(self.into_iter().map(T::into_val).collect())
    }
}

impl<T: ComponentType> ComponentType for Option<T> {
    fn typecheck(ty: &Type) -> bool {
        matches!(ty, Type::Option(t) if T::typecheck(t))
    }
    fn from_val(v: Val) -> Result<Self> {
        match v {
            Val::Option(p) => p.map(|v| T::from_val(*v)).transpose(),
            other => mismatch("option", &other),
        }
    }
    fn into_val(self) -> Val {
        Val::Option(self.map(|v| Box::new(v.into_val())))
    }
}

impl<T: ComponentType, E: ComponentType> ComponentType for core::result::Result<T, E> {
    fn typecheck(ty: &Type) -> bool {
        matches!(ty, Type::Result { ok, err }
            if T::typecheck_payload(ok.as_deref()) && E::typecheck_payload(err.as_deref()))
    }
    fn from_val(v: Val) -> Result<Self> {
        match v {
            Val::Result(Ok(p)) => Ok(Ok(T::from_payload(p)?)),
            Val::Result(Err(p)) => Ok(Err(E::from_payload(p)?)),
            other => mismatch("result", &other),
        }
    }
    fn into_val(self) -> Val {
        Val::Result(match self {
            Ok(v) => Ok(v.into_payload()),
            Err(e) => Err(e.into_payload()),
        })
    }
}

impl ComponentType for ResourceAny {
    fn typecheck(ty: &Type) -> bool {
        matches!(ty, Type::Own(_) | Type::Borrow(_))
    }
    fn from_val(v: Val) -> Result<Self> {
        match v {
            Val::Resource(r) => Ok(r),
            other => mismatch("resource", &other),
        }
    }
    fn into_val(self) -> Val {
        Val::Resource(self)
    }
}

/// The parameters of a typed host function: a tuple of [`ComponentType`]s.
pub trait ComponentParams: Sized {
    /// Whether the import's parameters have these types.
    fn typecheck(params: &[(String, Type)]) -> bool;
    /// The Rust parameters of lifted arguments.
    fn from_vals(vs: &[Val]) -> Result<Self>;
    /// The arguments for a call.
    fn into_vals(self) -> Vec<Val>;
}

/// The results of a typed host function: `()` or a one-element tuple.
pub trait ComponentResults: Sized {
    /// Whether the import's results have these types.
    fn typecheck(results: &[Type]) -> bool;
    /// Writes the results into their slots.
    fn into_vals(self, out: &mut [Val]) -> Result<()>;
    /// The number of results.
    fn len() -> usize;
    /// The Rust results of a call's results.
    fn from_vals(vs: Vec<Val>) -> Result<Self>;
}

impl ComponentResults for () {
    fn typecheck(results: &[Type]) -> bool {
        results.is_empty()
    }
    fn into_vals(self, _: &mut [Val]) -> Result<()> {
        Ok(())
    }
    fn len() -> usize {
        0
    }
    fn from_vals(_: Vec<Val>) -> Result<Self> {
        Ok(())
    }
}

impl<R: ComponentType> ComponentResults for (R,) {
    fn typecheck(results: &[Type]) -> bool {
        matches!(results, [t] if R::typecheck(t))
    }
    fn into_vals(self, out: &mut [Val]) -> Result<()> {
        match out {
            [slot] => {
                *slot = self.0.into_val();
                Ok(())
            }
            _ => Err(Error::TypeMismatch("one result slot expected".into())),
        }
    }
    fn len() -> usize {
        1
    }
    fn from_vals(vs: Vec<Val>) -> Result<Self> {
        match <[Val; 1]>::try_from(vs) {
            Ok([v]) => Ok((R::from_val(v)?,)),
            Err(_) => Err(Error::TypeMismatch("one result expected".into())),
        }
    }
}

macro_rules! tuples {
    ($($n:literal: ($($t:ident $i:tt),*);)*) => {$(
        impl<$($t: ComponentType),*> ComponentParams for ($($t,)*) {
            fn typecheck(params: &[(String, Type)]) -> bool {
                params.len() == $n $(&& $t::typecheck(&params[$i].1))*
            }
            #[allow(unused_variables)]
            fn from_vals(vs: &[Val]) -> Result<Self> {
                if vs.len() != $n {
                    return Err(Error::TypeMismatch(format!("expected {} parameters", $n)));
                }
                Ok(($($t::from_val(vs[$i].clone())?,)*))
            }
            fn into_vals(self) -> Vec<Val> {
                vec![$(self.$i.into_val()),*]
            }
        }

        impl<$($t: ComponentType),*> ComponentType for ($($t,)*) {
            fn typecheck(ty: &Type) -> bool {
                matches!(ty, Type::Tuple(ts) if ts.len() == $n $(&& $t::typecheck(&ts[$i]))*)
            }
            fn from_val(v: Val) -> Result<Self> {
                match v {
                    Val::Tuple(vs) => <Self as ComponentParams>::from_vals(&vs),
                    other => mismatch("tuple", &other),
                }
            }
            fn into_val(self) -> Val {
                Val::Tuple(vec![$(self.$i.into_val()),*])
            }
        }
    )*};
}

impl ComponentParams for () {
    fn typecheck(params: &[(String, Type)]) -> bool {
        params.is_empty()
    }
    fn from_vals(vs: &[Val]) -> Result<Self> {
        if vs.is_empty() {
            Ok(())
        } else {
            Err(Error::TypeMismatch("expected no parameters".into()))
        }
    }
    fn into_vals(self) -> Vec<Val> {
        Vec::new()
    }
}

tuples! {
    1: (A 0);
    2: (A 0, B 1);
    3: (A 0, B 1, C 2);
    4: (A 0, B 1, C 2, D 3);
    5: (A 0, B 1, C 2, D 3, E 4);
    6: (A 0, B 1, C 2, D 3, E 4, F 5);
}

/// A component function with Rust parameter and result types, checked once when it is
/// looked up ([`Instance::get_typed_func`](super::Instance::get_typed_func)).
pub struct TypedFunc<P, R> {
    func: super::Func,
    _marker: core::marker::PhantomData<fn(P) -> R>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        TypedFunc {
            func: self.func.clone(),
            _marker: core::marker::PhantomData,
        }
    }
}

impl<P, R> core::fmt::Debug for TypedFunc<P, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "TypedFunc({:?})", self.func)
    }
}

impl<P: ComponentParams, R: ComponentResults> TypedFunc<P, R> {
    pub(crate) fn new(func: super::Func) -> Result<Self> {
        let ok = func
            .ty()
            .is_some_and(|ty| P::typecheck(&ty.params) && R::typecheck(&ty.results));
        if !ok {
            return Err(Error::TypeMismatch(format!(
                "{func:?} does not have the requested Rust types"
            )));
        }
        Ok(TypedFunc {
            func,
            _marker: core::marker::PhantomData,
        })
    }

    /// Calls the function (post-return included).
    pub fn call<T: 'static>(
        &self,
        store: impl weft_interp::AsContextMut<Data = T>,
        params: P,
    ) -> Result<R> {
        let mut results = vec![Val::Bool(false); R::len()];
        self.func.call(store, &params.into_vals(), &mut results)?;
        R::from_vals(results)
    }

    /// The untyped function.
    pub fn func(&self) -> &super::Func {
        &self.func
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: ComponentType + Clone + PartialEq + core::fmt::Debug>(v: T, ty: Type) {
        assert!(T::typecheck(&ty), "{ty}");
        assert_eq!(T::from_val(v.clone().into_val()).unwrap(), v);
    }

    #[test]
    fn rust_values_round_trip_through_val() {
        round_trip(true, Type::Bool);
        round_trip(-3i16, Type::S16);
        round_trip(2.5f64, Type::Float64);
        round_trip('é', Type::Char);
        round_trip(String::from("s"), Type::String);
        round_trip(vec![1u8, 2], Type::List(Box::new(Type::U8)));
        round_trip(Some(7u64), Type::Option(Box::new(Type::U64)));
        round_trip(
            Ok::<(), String>(()),
            Type::Result {
                ok: None,
                err: Some(Box::new(Type::String)),
            },
        );
        round_trip((1u32, 'x'), Type::Tuple(vec![Type::U32, Type::Char]));
        assert!(!u32::typecheck(&Type::S32));
        assert!(!<Vec<u8>>::typecheck(&Type::String));
        assert!(u32::from_val(Val::S32(1)).is_err());
        assert!(<(u32, u32) as ComponentParams>::from_vals(&[Val::U32(1)]).is_err());
    }
}
