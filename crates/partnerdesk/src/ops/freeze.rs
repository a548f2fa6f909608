//! Freezing and unfreezing customers: the validated command, its rules, and how its events
//! change the freeze state (the state itself is a value of [`crate::model::freeze`]).

use crate::error::{Error, Result};
use crate::ids::CustomerId;
use crate::model::access::Permission;
pub use crate::model::freeze::{
    Freeze, FreezeOrigin, FreezeScope, FreezeState, RELEASE_AFTER_DAYS,
};

/// The most customers one freeze or unfreeze call accepts (Huawei: 10).
pub const MAX_FREEZE_IDS: usize = 10;

/// A validated freeze or unfreeze command: 1..=10 distinct customer ids, a definite scope
/// (`Account` or `AccountAndResources`) and a reason of 1..=256 characters.
///
/// Why a value type: the domain refuses a bad command before anything happens, and the Huawei
/// adapter builds its `FreezeSubCustomers` / `UnfreezeSubCustomers` bodies from this same value,
/// so a command the domain would refuse never becomes a request.
///
/// ```
/// use partnerdesk::{CustomerId, FreezeScope, freeze::FreezeRequest};
/// let id = CustomerId::new("0a1b2c3d4e5f60718293a4b5c6d7e8f9")?;
/// let req = FreezeRequest::new(vec![id.clone()], FreezeScope::Account, "unpaid invoices")?;
/// assert_eq!(req.ids().len(), 1);
/// let eleven = vec![id; 11];
/// let err = FreezeRequest::new(eleven, FreezeScope::Account, "x").err().map(|e| e.code());
/// assert_eq!(err, Some("TOO_MANY_IDS"));
/// # Ok::<(), partnerdesk::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FreezeRequest {
    ids: Vec<CustomerId>,
    scope: FreezeScope,
    reason: String,
}

impl FreezeRequest {
    /// Validates a freeze or unfreeze command. Refuses: no ids or duplicates
    /// (`INVALID_ARGUMENT`), more than 10 (`TOO_MANY_IDS`), scope `Unknown` or unknown
    /// (`INVALID_ARGUMENT`), an empty, over-long or control-character reason (`INVALID_REASON`).
    pub fn new(
        ids: Vec<CustomerId>,
        scope: FreezeScope,
        reason: impl Into<String>,
    ) -> Result<Self> {
        crate::validate::id_count(ids.len(), MAX_FREEZE_IDS)?;
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        if !ids.iter().all(|id| seen.insert(id)) {
            return Err(Error::invalid_arg("customer_ids", "an id appears twice"));
        }
        if !matches!(
            scope,
            FreezeScope::Account | FreezeScope::AccountAndResources
        ) {
            return Err(Error::invalid_arg(
                "scope",
                "must be account or account_and_resources",
            ));
        }
        let reason = reason.into();
        crate::validate::reason(&reason)?;
        Ok(FreezeRequest { ids, scope, reason })
    }

    /// The customers, in the order given.
    pub fn ids(&self) -> &[CustomerId] {
        &self.ids
    }

    /// The scope (`Account` or `AccountAndResources`).
    pub fn scope(&self) -> &FreezeScope {
        &self.scope
    }

    /// The reason.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl crate::desk::Desk {
    /// Checks one customer of a freeze or unfreeze: on the desk, the actor holds the (own or
    /// reseller-scoped) freeze item for it, associated, reseller model. Returns its slot.
    fn freezable(&self, actor: &crate::model::access::Actor, id: &CustomerId) -> Result<u32> {
        let slot = self.slot_of(id)?;
        self.authorize(actor, Permission::FreezeUnfreeze, Some(id))?;
        let c = self.at(slot);
        if !c.is_associated() {
            return Err(Error::NotAssociated { id: id.to_string() });
        }
        if !c.association.is_reseller_model() {
            return Err(Error::WrongAssociationType { id: id.to_string() });
        }
        Ok(slot)
    }

    /// Refuses the whole batch when the actor holds neither freeze item.
    fn may_freeze_any(&self, actor: &crate::model::access::Actor) -> Result<()> {
        self.authorize(actor, Permission::FreezeUnfreeze, None)
            .or_else(|e| {
                self.authorize(actor, Permission::FreezeUnfreezeResellerCustomers, None)
                    .map_err(|_| e)
            })
    }

    /// Freezes up to 10 reseller-model customers with a scope and a reason (origin manual),
    /// with an outcome per customer.
    ///
    /// Each customer needs: to be on the desk and associated, the reseller model (else
    /// `WRONG_ASSOCIATION_TYPE`, Huawei `CBC.5024`), the freeze item of its scope (own
    /// customers: `BPC_ITEM_SUBCUSTSERV_010115`; a reseller's: `…010501`), and not to be frozen
    /// already (`ALREADY_FROZEN`). An actor holding neither item is refused as a whole
    /// (`PERMISSION_DENIED`). Each customer's attempt is audited; each freeze is an event. An
    /// account-and-resources freeze releases the resources 15 days later unless unfrozen
    /// ([`Freeze::release_at`]); a frozen customer cannot have orders placed on its behalf.
    pub fn freeze(
        &mut self,
        inv: &crate::invocation::Invocation,
        request: &FreezeRequest,
    ) -> Result<crate::command::BatchOutcome> {
        self.freeze_or_unfreeze(inv, request, true)
    }

    /// Unfreezes up to 10 reseller-model customers, with an outcome per customer. The scope
    /// must be the one the customer was frozen with (`FREEZE_SCOPE_MISMATCH`; a freeze of
    /// unknown scope, imported from the international site, accepts either); a customer not
    /// frozen is `NOT_FROZEN`. Otherwise the same rules as [`crate::Desk::freeze`].
    pub fn unfreeze(
        &mut self,
        inv: &crate::invocation::Invocation,
        request: &FreezeRequest,
    ) -> Result<crate::command::BatchOutcome> {
        self.freeze_or_unfreeze(inv, request, false)
    }

    fn freeze_or_unfreeze(
        &mut self,
        inv: &crate::invocation::Invocation,
        request: &FreezeRequest,
        freeze: bool,
    ) -> Result<crate::command::BatchOutcome> {
        use crate::command::{BatchOutcome, Command};
        use crate::event::EventKind;
        let (actor, now) = (inv.actor(), inv.now());
        let kind = if freeze { "freeze" } else { "unfreeze" };
        let describe = || {
            let ids: Vec<&str> = request.ids.iter().map(|i| i.as_str()).collect();
            format!("scope {} ids {}", request.scope, ids.join(","))
        };
        let gate = |d: &crate::desk::Desk| d.may_freeze_any(actor);
        let cmd = Command::batch(inv, kind, &request.ids, &gate);
        self.run(cmd, describe, |desk| {
            desk.may_freeze_any(actor)?;
            let mut out = BatchOutcome::default();
            for id in &request.ids {
                let checked = desk.freezable(actor, id).and_then(|slot| {
                    let current = &desk.at(slot).freeze;
                    if freeze {
                        if current.is_frozen() {
                            return Err(Error::AlreadyFrozen { id: id.to_string() });
                        }
                        Ok(EventKind::Frozen {
                            freeze: Box::new(Freeze {
                                scope: request.scope.clone(),
                                origin: FreezeOrigin::Manual,
                                reason: request.reason.clone(),
                                by: actor.login(),
                                at: now,
                            }),
                        })
                    } else {
                        let Some(f) = current.freeze() else {
                            return Err(Error::NotFrozen { id: id.to_string() });
                        };
                        if f.scope != request.scope && f.scope != FreezeScope::Unknown {
                            return Err(Error::FreezeScopeMismatch {
                                id: id.to_string(),
                                frozen: f.scope.to_string(),
                                requested: request.scope.to_string(),
                            });
                        }
                        Ok(EventKind::Unfrozen {
                            scope: f.scope.clone(),
                        })
                    }
                });
                let item =
                    desk.batch_item(inv, kind, id, checked, format!("scope {}", request.scope));
                out.items.push(item);
            }
            Ok(out)
        })
    }
}

/// Applying freeze events (the only place a freeze state changes).
impl crate::desk::Desk {
    /// `Frozen` (with its freeze) or `Unfrozen` (`None`).
    pub(crate) fn apply_freeze(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        freeze: Option<&Freeze>,
    ) -> Result<()> {
        let state = match freeze {
            Some(f) => FreezeState::Frozen(Box::new(f.clone())),
            None => FreezeState::NotFrozen,
        };
        ev.governed(self, |g| *g.freeze = state)
    }
}
