//! Query expressions: criteria combined with `and`, `or` and `not`, as a shared, bounded tree.
//!
//! Why opaque and shared: a host builds expressions from untrusted input; the tree is built
//! through checked constructors that bound its depth and width, is cloned in O(1) (`Arc`),
//! and is never walked by recursion deeper than [`MAX_DEPTH`](super::MAX_DEPTH).

use super::{Criterion, MAX_CRITERIA, MAX_DEPTH};
use std::fmt;
use std::sync::Arc;

/// A boolean combination of criteria.
///
/// An expression is an immutable, shared tree (cloning it is cheap) that is never deeper than
/// [`MAX_DEPTH`] levels of `and`, `or` and `not`, and never holds more than [`MAX_CRITERIA`]
/// terms: every way to build one (the builder functions here, [`parse_filter`](super::parse_filter), the bindings)
/// checks both and refuses a larger expression with [`crate::Error::QueryTooComplex`]. So no
/// walk over an expression (display, matching, planning, dropping) can exhaust the stack, and
/// none takes more than a bounded amount of work per customer. Match on its shape with
/// [`Expr::kind`].
///
/// ```
/// use partnerdesk::query::{Criterion, Expr, MAX_DEPTH};
/// let mut e = Expr::criterion(Criterion::HasManager(true))?;
/// for _ in 0..MAX_DEPTH {
///     e = e.not()?;
/// }
/// let err = e.clone().not().err().map(|e| e.code());
/// assert_eq!(err, Some("QUERY_TOO_COMPLEX"));
/// assert_eq!(e.depth(), MAX_DEPTH);
/// # Ok::<(), partnerdesk::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Expr(Arc<Node>);

#[derive(PartialEq, Eq, Hash)]
pub(super) struct Node {
    kind: Kind,
    /// Levels of `and`, `or` and `not` below and including this node.
    depth: usize,
    /// Terms in this subtree, this node included.
    size: usize,
    /// SHA-256 fed with the expression's canonical text, made the first time a cursor needs
    /// it: a tree never changes, so each search of the same query does not write its text again.
    text_sha: TextShaCache,
}

/// A cache beside a node's content: not part of what the node is (equal and hashed as nothing).
#[derive(Default)]
pub(super) struct TextShaCache(std::sync::OnceLock<crate::hash::TextSha>);

impl PartialEq for TextShaCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for TextShaCache {}

impl std::hash::Hash for TextShaCache {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

#[derive(PartialEq, Eq, Hash)]
pub(super) enum Kind {
    All,
    Criterion(Criterion),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Expr),
}

/// One node of an [`Expr`], borrowed, for matching on the expression's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExprKind<'a> {
    /// Matches every customer.
    All,
    /// One criterion.
    Criterion(&'a Criterion),
    /// All must match (an empty `And` matches everything).
    And(&'a [Expr]),
    /// At least one must match (an empty `Or` matches nothing).
    Or(&'a [Expr]),
    /// Must not match.
    Not(&'a Expr),
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bounded recursion: an expression is at most MAX_DEPTH deep.
        fmt::Debug::fmt(&self.kind(), f)
    }
}

impl Expr {
    /// SHA-256 fed with the canonical text of the expression (its `Display`), kept with the
    /// tree after the first call.
    pub(crate) fn text_sha(&self) -> crate::hash::TextSha {
        self.0
            .text_sha
            .0
            .get_or_init(|| {
                let mut h = crate::hash::TextSha::default();
                // Writing into a hash does not fail.
                let _ = fmt::Write::write_fmt(&mut h, format_args!("{self}"));
                h
            })
            .clone()
    }

    /// Matches every customer.
    pub fn all() -> Expr {
        Expr(Arc::new(Node {
            kind: Kind::All,
            depth: 0,
            size: 1,
            text_sha: TextShaCache::default(),
        }))
    }

    /// The node's shape.
    pub fn kind(&self) -> ExprKind<'_> {
        match &self.0.kind {
            Kind::All => ExprKind::All,
            Kind::Criterion(c) => ExprKind::Criterion(c),
            Kind::And(v) => ExprKind::And(v),
            Kind::Or(v) => ExprKind::Or(v),
            Kind::Not(e) => ExprKind::Not(e),
        }
    }

    /// Whether this is `*` (matches every customer).
    pub fn is_all(&self) -> bool {
        matches!(self.0.kind, Kind::All)
    }

    /// Levels of `and`, `or` and `not` in the expression (0 for a criterion or `*`); at most
    /// [`MAX_DEPTH`].
    pub fn depth(&self) -> usize {
        self.0.depth
    }

    /// Terms in the expression (criteria, `*`, `and`, `or` and `not` nodes); at most
    /// [`MAX_CRITERIA`].
    pub fn size(&self) -> usize {
        self.0.size
    }

    /// A combinator node over children, checked against the limits.
    fn node(kind: Kind) -> crate::Result<Expr> {
        let (depth, size) = match &kind {
            Kind::All | Kind::Criterion(_) => (0, 1),
            Kind::Not(e) => (e.depth() + 1, e.size() + 1),
            Kind::And(v) | Kind::Or(v) => v.iter().fold((1, 1), |(d, s): (usize, usize), e| {
                (d.max(e.depth() + 1), s.saturating_add(e.size()))
            }),
        };
        if depth > MAX_DEPTH {
            return Err(crate::Error::QueryTooComplex {
                what: "levels of nesting".into(),
                max: MAX_DEPTH,
            });
        }
        if size > MAX_CRITERIA {
            return Err(crate::Error::QueryTooComplex {
                what: "criteria".into(),
                max: MAX_CRITERIA,
            });
        }
        Ok(Expr(Arc::new(Node {
            kind,
            depth,
            size,
            text_sha: TextShaCache::default(),
        })))
    }

    /// All of the expressions must match (an empty list matches everything), as one `and` node.
    /// Refused with `QUERY_TOO_COMPLEX` over the limits.
    pub fn all_of(items: Vec<Expr>) -> crate::Result<Expr> {
        Expr::node(Kind::And(items))
    }

    /// At least one of the expressions must match (an empty list matches nothing), as one `or`
    /// node. Refused with `QUERY_TOO_COMPLEX` over the limits.
    pub fn any_of(items: Vec<Expr>) -> crate::Result<Expr> {
        Expr::node(Kind::Or(items))
    }

    /// `self AND other` (flattening nested `and`s). Refused with `QUERY_TOO_COMPLEX` over the
    /// limits.
    pub fn and(self, other: Expr) -> crate::Result<Expr> {
        if self.is_all() {
            return Ok(other);
        }
        if other.is_all() {
            return Ok(self);
        }
        self.joined(other, true)
    }

    /// `self OR other` (flattening nested `or`s). Refused with `QUERY_TOO_COMPLEX` over the
    /// limits.
    pub fn or(self, other: Expr) -> crate::Result<Expr> {
        self.joined(other, false)
    }

    /// `self AND other` (`and`) or `self OR other`, each side flattened when it is already a
    /// node of that kind.
    fn joined(self, other: Expr, and: bool) -> crate::Result<Expr> {
        let parts = |e: &Expr| match (&e.0.kind, and) {
            (Kind::And(v), true) | (Kind::Or(v), false) => Some(v.clone()),
            _ => None,
        };
        let mut items = parts(&self).unwrap_or_else(|| vec![self.clone()]);
        match parts(&other) {
            Some(b) => items.extend(b),
            None => items.push(other),
        }
        if and {
            Expr::all_of(items)
        } else {
            Expr::any_of(items)
        }
    }

    /// `NOT self`. Refused with `QUERY_TOO_COMPLEX` when `self` is already [`MAX_DEPTH`] deep.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> crate::Result<Expr> {
        Expr::node(Kind::Not(self))
    }
}

impl Expr {
    /// One criterion, checked (see [`Criterion::validate`]): a blank text, an amount with more
    /// than 8 decimal places, a day count over [`crate::calendar::MAX_DAYS`] or a time outside
    /// the years the desk accepts is refused, never rounded or searched for.
    ///
    /// ```
    /// use partnerdesk::query::{Criterion, Expr, TextMatch};
    /// let blank = Expr::criterion(Criterion::Name(TextMatch::Contains("  ".into())));
    /// assert_eq!(blank.err().map(|e| e.code()), Some("INVALID_ARGUMENT"));
    /// ```
    pub fn criterion(c: Criterion) -> crate::Result<Expr> {
        c.validate()?;
        Ok(Expr(Arc::new(Node {
            kind: Kind::Criterion(c),
            depth: 0,
            size: 1,
            text_sha: TextShaCache::default(),
        })))
    }
}

impl TryFrom<Criterion> for Expr {
    type Error = crate::Error;
    /// [`Expr::criterion`].
    fn try_from(c: Criterion) -> crate::Result<Self> {
        Expr::criterion(c)
    }
}
