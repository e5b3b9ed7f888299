//! The shape of one operation table row: [`OperationSpec`] (method, path, SDK name,
//! summary, and the body and query types the handler reads), and the macros that build the
//! table's enum and specs from its rows. Imports nothing of the edge.

use std::any::TypeId;

/// What the table says about one operation.
#[derive(Debug, Clone, Copy)]
pub struct OperationSpec {
    pub method: &'static str,
    /// Path template; `{name}` segments match any one segment, literals take precedence.
    pub path: &'static str,
    /// The SDK's operation name (`CreateSecret`, …), or `Emulator…` for the control API.
    pub name: &'static str,
    pub summary: &'static str,
    /// The JSON body the handler reads, described from the very type it deserializes.
    pub body: Option<RequestBody>,
    /// The query string the handler reads, described from the type it deserializes.
    pub query: Option<WireType>,
}

/// A Rust type the handler deserializes from the request: its JSON Schema, and its
/// identity, which the extractors check against the type they are asked for, so the table
/// cannot name one type while the handler reads another.
#[derive(Debug, Clone, Copy)]
pub struct WireType {
    pub schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
    pub type_id: fn() -> TypeId,
}

impl WireType {
    pub(super) const fn of<T: schemars::JsonSchema + 'static>() -> Self {
        Self {
            schema: schema_of::<T>,
            type_id: TypeId::of::<T>,
        }
    }

    /// Whether this is the type `T`.
    #[must_use]
    pub fn is<T: 'static>(&self) -> bool {
        (self.type_id)() == TypeId::of::<T>()
    }
}

/// A request body: the type the handler reads, and whether a request may leave it out.
#[derive(Debug, Clone, Copy)]
pub struct RequestBody {
    pub wire: WireType,
    pub required: bool,
}

/// The schema of `T`, as a function the table can hold.
fn schema_of<T: schemars::JsonSchema>(
    generator: &mut schemars::SchemaGenerator,
) -> schemars::Schema {
    generator.subschema_for::<T>()
}

/// One [`OperationSpec`] from a table row: method, path and summary, then what the
/// handler reads, each as `required Body`, `optional Body` or `query Query`.
macro_rules! spec {
    ($name:expr, $method:literal, $path:literal, $summary:literal $(, $kind:ident $wire:ty)*) => {{
        #[allow(unused_mut)]
        let mut spec = OperationSpec {
            method: $method,
            path: $path,
            name: $name,
            summary: $summary,
            body: None,
            query: None,
        };
        $( spec!(@read spec, $kind $wire); )*
        spec
    }};
    (@read $spec:ident, required $wire:ty) => {
        $spec.body = Some(RequestBody { wire: WireType::of::<$wire>(), required: true });
    };
    (@read $spec:ident, optional $wire:ty) => {
        $spec.body = Some(RequestBody { wire: WireType::of::<$wire>(), required: false });
    };
    (@read $spec:ident, query $wire:ty) => {
        $spec.query = Some(WireType::of::<$wire>());
    };
}

/// The enum and its specs from one list, so the two cannot differ: the variant's name is
/// the SDK's operation name.
macro_rules! operation_table {
    ($( $variant:ident => ($($row:tt)*) ),* $(,)?) => {
        /// Every operation the emulator serves.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            $($variant),*
        }

        impl Operation {
            /// Every operation, in table order: literal paths before the templates they
            /// collide with.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant),*];
        }

        /// The specs, in the enum's order.
        pub(super) const SPECS: &[OperationSpec] = &[$(spec!(stringify!($variant), $($row)*)),*];
    };
}
