//! Spend analysis, orders and renewals; customers, operators and permissions as host data, declared once for every host (see [the grammar](super)).

/// The operations of this batch, declared once (see [the grammar](super)).
#[macro_export]
macro_rules! analysis_operations {
    ($expand:ident) => {
        $expand! {}
    };
}
