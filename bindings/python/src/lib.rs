//! partnerdesk python binding: being built (see its issue).
