//! Orders on behalf of a customer: the validated request, the rules (an active authorization
//! covering orders, the budget), and how the `OrderPlaced` event adds the order (the order
//! itself is a value of [`crate::model::order`]).

use crate::ids::OrderId;
use crate::model::access::Permission;
pub use crate::model::order::{Order, OrderStatus, OrderType};
use crate::money::Money;

/// A validated order to place on a customer's behalf: the customer, the order type and its
/// amount (> 0, at most 2 decimals; the currency is checked against the partner's when placed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    customer: crate::ids::CustomerId,
    kind: OrderType,
    amount: Money,
}

impl OrderRequest {
    /// Validates an order. Refuses an amount not above zero, with more than 2 decimals or
    /// above [`MAX_ORDER_AMOUNT`](crate::validate::MAX_ORDER_AMOUNT) (`INVALID_MONEY`) and an unknown order type (`INVALID_ARGUMENT`).
    pub fn new(
        customer: crate::ids::CustomerId,
        kind: OrderType,
        amount: Money,
    ) -> crate::error::Result<Self> {
        use crate::error::Error;
        if amount.amount <= rust_decimal::Decimal::ZERO {
            return Err(Error::invalid_money("amount", "must be greater than 0"));
        }
        crate::money::check_scale("amount", amount.amount, 2)?;
        // The bound every order meets, whichever door it comes through (the currency is the
        // partner's question, answered when the order is placed).
        crate::validate::order_amount("amount", &amount, amount.currency)
            .map_err(|(field, reason)| Error::invalid_money(field, reason))?;
        if kind.is_other() {
            return Err(Error::invalid_arg("kind", "unknown order type"));
        }
        Ok(OrderRequest {
            customer,
            kind,
            amount,
        })
    }

    /// The customer.
    pub fn customer(&self) -> &crate::ids::CustomerId {
        &self.customer
    }

    /// The order type.
    pub fn kind(&self) -> &OrderType {
        &self.kind
    }

    /// The amount.
    pub fn amount(&self) -> Money {
        self.amount
    }
}

impl crate::desk::Desk {
    /// Places an order on a customer's behalf; it starts unpaid (pending payment).
    ///
    /// Every precondition, in order: the customer is on the desk; the actor holds
    /// `PD_PLACE_ORDER_ON_BEHALF` (`PERMISSION_DENIED`); associated (`NOT_ASSOCIATED`);
    /// reseller model (`WRONG_ASSOCIATION_TYPE`); not frozen (`CUSTOMER_FROZEN`); an
    /// authorization covering `place_orders` is active at `now` (`AUTHORIZATION_REQUIRED`);
    /// the amount is in the partner's currency (`CURRENCY_MISMATCH`) and fits the remaining
    /// budget, i.e. the budget less spend counted against it and unpaid orders placed on the
    /// customer's behalf in the budget period (`OVER_BUDGET`; a customer without a budget has
    /// nothing remaining).
    pub fn place_order_on_behalf(
        &mut self,
        inv: &crate::invocation::Invocation,
        request: &OrderRequest,
    ) -> crate::error::Result<OrderId> {
        use crate::error::Error;
        use crate::model::authorization::AuthorizationScope;
        let (actor, now) = (inv.actor(), inv.now());
        let id = &request.customer;
        let gate =
            |d: &crate::desk::Desk| d.authorize(actor, Permission::PlaceOrderOnBehalf, Some(id));
        let cmd = crate::command::Command::single(inv, "place_order", Some(id), &gate);
        self.run(
            cmd,
            || format!("{} {}", request.kind, request.amount),
            |desk| {
                let c = desk.customer(id)?;
                desk.authorize(actor, Permission::PlaceOrderOnBehalf, Some(id))?;
                if !c.is_associated() {
                    return Err(Error::NotAssociated { id: id.to_string() });
                }
                if !c.association.is_reseller_model() {
                    return Err(Error::WrongAssociationType { id: id.to_string() });
                }
                if c.freeze.is_frozen() {
                    return Err(Error::CustomerFrozen { id: id.to_string() });
                }
                desk.require_authorization(id, &AuthorizationScope::PlaceOrders, now)?;
                request.amount.require_currency(desk.partner.currency)?;
                let remaining = desk
                    .budget_usage(id, now)?
                    .map(|u| u.remaining)
                    .unwrap_or(Money::zero(desk.partner.currency));
                if remaining.amount < request.amount.amount {
                    return Err(Error::OverBudget {
                        id: id.to_string(),
                        remaining: remaining.to_string(),
                    });
                }
                let order_id = OrderId::new(format!("PD{:010}", desk.ledger.order_seq + 1))?;
                let order = Order {
                    id: order_id.clone(),
                    status: OrderStatus::PendingPayment,
                    kind: request.kind.clone(),
                    amount: request.amount,
                    created_at: now,
                    paid_at: None,
                    placed_by: actor.operator().cloned(),
                };
                desk.emit(
                    actor,
                    Some(id),
                    crate::event::EventKind::OrderPlaced {
                        order: Box::new(order),
                    },
                    now,
                )?;
                Ok(order_id)
            },
        )
    }
}

/// Applying `OrderPlaced` (the only place an order joins a customer).
impl crate::desk::Desk {
    /// Checks the amount as placing it did, numbers the order and adds it to the customer.
    pub(crate) fn apply_order_placed(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        order: &Order,
    ) -> crate::error::Result<()> {
        ev.slot()?;
        crate::validate::order_amount(
            &format!("events[seq={}].order.amount", ev.seq),
            &order.amount,
            self.partner.currency,
        )
        .map_err(|(field, reason)| crate::error::Error::invalid_money(field, reason))?;
        self.ledger.order_seq += 1;
        let mut order = order.clone();
        if let Some(by) = &order.placed_by
            && let Some((shared, _)) = self.operators.get_key_value(by)
        {
            order.placed_by = Some(shared.clone());
        }
        ev.governed(self, |g| g.orders.push(order))
    }
}
