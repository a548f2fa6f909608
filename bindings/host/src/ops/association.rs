//! Association and disassociation, declared once for every host (see [the grammar](super)).

/// The operations of this batch, declared once (see [the grammar](super)).
#[macro_export]
macro_rules! association_operations {
    ($expand:ident) => {
        $expand! {}
    };
}
