//! Privacy (mask policies, reveal), the audit log and the event log, declared once for every host (see [the grammar](super)).

/// The operations of this batch, declared once (see [the grammar](super)).
#[macro_export]
macro_rules! privacy_operations {
    ($expand:ident) => {
        $expand! {}
    };
}
