//! partnerdesk uniffi binding: being built (see its issue).
