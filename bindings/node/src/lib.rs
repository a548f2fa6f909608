//! partnerdesk node binding: being built (see its issue).
