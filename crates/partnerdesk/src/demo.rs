//! Demo portfolios: deterministic, seeded, realistic, of any size.
//!
//! Why built in: the tour, the tests, the benchmarks and every binding's examples need the same
//! believable data without a network or a fixture file of a million rows. The generator uses
//! its own small PRNG (SplitMix64), so a seed gives the same portfolio on every platform and in
//! every version of its dependencies. Names come in several scripts (Latin, Chinese, Japanese,
//! Korean, Cyrillic, Arabic, Thai, accented Latin) so that search and masking meet real text.

use crate::customer::{
    Customer, CustomerLevel, CustomerType, ExternalAccount, Mobile, VerificationStatus,
};
use crate::desk::Desk;
use crate::error::Result;
use crate::ids::{CustomerId, OperatorId, OrderId, PartnerId, ResellerId, ResourceId, Tag};
use crate::model::access::{Permission, Role};
use crate::model::association::{Association, AssociationType};
use crate::model::budget::{Budget, BudgetKind, default_thresholds};
use crate::model::freeze::{Freeze, FreezeOrigin, FreezeScope, FreezeState};
use crate::model::order::{Order, OrderStatus, OrderType};
use crate::money::Money;
use crate::partner::{Operator, Partner, Site, Tier};
use crate::privacy::Personal;
use crate::resource::{ExpiryPolicy, Resource, ResourceKind, ResourceStatus};
use crate::spend::{ChargingMode, SpendRecord};
use crate::text::SharedText;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

/// The instant every demo portfolio is built for: 2026-11-29T09:00:00Z.
pub fn demo_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A small, fast, portable PRNG (SplitMix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }

    /// True with probability `pct` percent.
    pub(crate) fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    /// One element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const LATIN: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Aperture",
    "Wonka",
    "Oscorp",
    "Pied Piper",
    "Massive Dynamic",
    "Blue Sun",
    "Monarch",
    "Nakatomi",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Litware",
    "Adventure Works",
];
const LATIN_SUFFIX: &[&str] = &[
    "Ltd.",
    "Cloud",
    "Technologies",
    "Group",
    "Labs",
    "Systems",
    "Digital",
    "Networks",
    "Inc.",
];
const CN_CITY: &[&str] = &[
    "北京", "上海", "深圳", "杭州", "广州", "成都", "南京", "武汉", "西安", "苏州",
];
const CN_STEM: &[&str] = &[
    "云帆", "星辰", "数智", "华信", "天宇", "海纳", "锐捷", "博远", "启明", "恒通", "青禾", "鼎盛",
];
const CN_SUFFIX: &[&str] = &[
    "科技有限公司",
    "信息技术有限公司",
    "网络科技有限公司",
    "数据服务有限公司",
];
const CN_SURNAME: &[&str] = &[
    "张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "欧阳", "司马",
];
const CN_GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "子涵", "浩然",
];
const OTHER: &[&str] = &[
    "Иван Петров",
    "ООО Ромашка",
    "شركة السحاب",
    "株式会社クラウド",
    "山田太郎",
    "클라우드 주식회사",
    "김민준",
    "บริษัท คลาวด์ จำกัด",
    "Société Générale Numérique",
    "Müller & Söhne GmbH",
    "José Núñez",
    "Ærø Data ApS",
];
const ACCOUNT_STEM: &[&str] = &[
    "acme",
    "globex",
    "initech",
    "cloudsail",
    "starlab",
    "datawise",
    "hx_tech",
    "yunfan",
    "tianyu",
    "bright",
    "northwind",
    "contoso",
    "fabrikam",
    "qihe",
    "dingsheng",
    "kumo",
    "sky_ops",
    "zs_cloud",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.cn",
    "mail.example.org",
    "corp.example.net",
];
const TAGS: &[&str] = &[
    "vip",
    "gold",
    "key-account",
    "new",
    "education",
    "gaming",
    "fintech",
    "重点客户",
    "government",
    "startup",
];
const PRODUCTS: &[&str] = &[
    "ecs",
    "obs",
    "rds",
    "evs",
    "elb",
    "cdn",
    "vpc",
    "dcs",
    "cce",
    "modelarts",
];
const REGIONS: &[&str] = &[
    "cn-north-4",
    "cn-east-3",
    "cn-south-1",
    "ap-southeast-1",
    "ap-southeast-3",
];
const MANAGER_GIVEN: &[&str] = &[
    "Li Na",
    "Wang Lei",
    "Chen Jing",
    "Zhang Wei",
    "Liu Yang",
    "Anna Schmidt",
    "Ravi Kumar",
    "Maria Silva",
    "刘洋",
    "陈静",
];

fn hex_id(rng: &mut Rng) -> String {
    format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())
}

fn name(rng: &mut Rng, i: usize) -> (String, CustomerType) {
    match rng.below(10) {
        0..=3 => (
            format!("{} {} {}", rng.pick(LATIN), rng.pick(LATIN_SUFFIX), i % 997),
            CustomerType::Enterprise,
        ),
        4..=6 => (
            format!(
                "{}{}{}",
                rng.pick(CN_CITY),
                rng.pick(CN_STEM),
                rng.pick(CN_SUFFIX)
            ),
            CustomerType::Enterprise,
        ),
        7 => (
            format!("{}{}", rng.pick(CN_SURNAME), rng.pick(CN_GIVEN)),
            CustomerType::Individual,
        ),
        8 => (
            rng.pick(OTHER).to_string(),
            if rng.chance(50) {
                CustomerType::Individual
            } else {
                CustomerType::Enterprise
            },
        ),
        _ => (
            format!("{} {}", rng.pick(MANAGER_GIVEN), i % 89),
            CustomerType::Individual,
        ),
    }
}

fn money(units: u64, cents: u64, partner: &Partner) -> Money {
    Money::new(
        Decimal::new((units * 100 + cents) as i64, 2),
        partner.currency,
    )
}

/// The most customers a demo portfolio holds (twice the 10 million of the scale benchmarks):
/// a larger `n` is `INVALID_ARGUMENT`, before any memory is reserved for it. (Reserving room
/// for a size from a host's argument, say a trillion, failed to allocate and aborted the
/// whole process.)
pub const MAX_CUSTOMERS: usize = 20_000_000;

/// Builds a demo desk of `n` customers at [`demo_now`]; the same seed gives the same desk.
/// `INVALID_ARGUMENT` when `n` is over [`MAX_CUSTOMERS`].
///
/// ```
/// let (desk, now) = partnerdesk::demo::portfolio(1_000, 42)?;
/// assert_eq!(desk.len(), 1_000);
/// assert_eq!(now, partnerdesk::demo::demo_now());
/// # Ok::<(), partnerdesk::Error>(())
/// ```
pub fn portfolio(n: usize, seed: u64) -> Result<(Desk, DateTime<Utc>)> {
    let now = demo_now();
    Ok((portfolio_at(n, seed, now)?, now))
}

/// Builds a demo desk of `n` customers for a given `now` (`INVALID_ARGUMENT` over
/// [`MAX_CUSTOMERS`], `INVALID_DATE` for a `now` outside the years the model holds).
///
/// The whole desk follows from the seed, its cursor key included (so two demo desks of one seed
/// page alike): a demo desk's cursors are not secret. A host that serves real data starts from
/// [`Desk::new`] or a snapshot, or sets its own key ([`Desk::set_cursor_key`]).
pub fn portfolio_at(n: usize, seed: u64, now: DateTime<Utc>) -> Result<Desk> {
    let (mut desk, customers) = generate(n, seed, now)?;
    // Placed in bulk, as a snapshot load places its customers: the indexes built once, on
    // both cores, instead of kept up to date customer by customer (at 1M customers about a
    // third of the time; at 10M the one-by-one upkeep misses the cache on every entry).
    desk.load_customers(customers)?;
    Ok(desk)
}

/// The demo desk without its customers, and its customers in the order they take their slots.
fn generate(n: usize, seed: u64, now: DateTime<Utc>) -> Result<(Desk, Vec<Option<Customer>>)> {
    if n > MAX_CUSTOMERS {
        return Err(crate::error::Error::invalid_arg(
            "n",
            format!("a demo portfolio holds at most {MAX_CUSTOMERS} customers"),
        ));
    }
    // Its data lies up to three years before `now` and a year after: `now` in the model's
    // years keeps every date the demo computes in chrono's (the last instant there is, say,
    // panicked on the first resource's expiry).
    crate::validate::instant("now", now)?;
    let mut rng = Rng::new(seed);
    let partner = Partner::new(
        PartnerId::new("demo-partner")?,
        "Demo Cloud Partner Co.",
        Site::China,
        Tier::Distributor,
    );
    let mut desk = Desk::new(partner.clone(), now);
    desk.set_cursor_key(crate::search::CursorKey::from_secret(
        format!("partnerdesk demo portfolio, seed {seed}").as_bytes(),
    )?);
    desk.load_operator(Operator::new(
        OperatorId::new("admin")?,
        "Desk Administrator",
        Role::Administrator,
    ))?;
    let manager_count = (n / 200).clamp(3, 500);
    let mut managers = Vec::with_capacity(manager_count);
    for m in 0..manager_count {
        let id = OperatorId::new(format!("am_{m:03}"))?;
        let op = Operator::new(
            id.clone(),
            format!("{} {m}", rng.pick(MANAGER_GIVEN)),
            Role::Operator,
        )
        .with_account_manager(true)
        .with_permissions([
            Permission::ViewCustomers,
            Permission::ViewSpend,
            Permission::AssignAccountManager,
        ])?;
        desk.load_operator(op)?;
        managers.push(id);
    }
    desk.load_operator(
        Operator::new(
            OperatorId::new("ops_billing")?,
            "Billing Operator",
            Role::Operator,
        )
        .with_permissions([
            Permission::ViewCustomers,
            Permission::FreezeUnfreeze,
            Permission::SetBudget,
            Permission::ViewSpend,
        ])?,
    )?;
    let resellers: Vec<ResellerId> = (0..5)
        .map(|r| ResellerId::new(format!("reseller-{r:02}")))
        .collect::<Result<_>>()?;
    let tags: Vec<Tag> = TAGS.iter().map(|t| Tag::new(*t)).collect::<Result<_>>()?;
    let off = partner.billing_offset;
    let today = off.day_of(now);
    let month_start = crate::calendar::YearMonth::of(today).first_day();
    let last_month_start = crate::calendar::YearMonth::of(today).previous().first_day();

    let mut customers = Vec::with_capacity(n);
    for i in 0..n {
        let id = CustomerId::new(hex_id(&mut rng))?;
        let (cname, ctype) = name(&mut rng, i);
        let account = format!("{}_{}", rng.pick(ACCOUNT_STEM), 1000 + i);
        let kind = if rng.chance(70) {
            AssociationType::Reseller
        } else {
            AssociationType::Referral
        };
        let since = now - Duration::minutes(rng.below(3 * 365 * 24 * 60) as i64 + 60);
        let mut assoc = Association::new(kind.clone(), since);
        if rng.chance(20) {
            assoc.reseller = Some(rng.pick(&resellers).clone());
        }
        let mut c = Customer::new(id, account.clone(), cname, assoc);
        c.customer_type = ctype;
        c.verification = if rng.chance(85) {
            VerificationStatus::Verified
        } else {
            rng.pick(VerificationStatus::KNOWN).clone()
        };
        c.level = rng.pick(CustomerLevel::KNOWN).clone();
        if rng.chance(90) {
            let number = format!("1{}{:09}", 3 + rng.below(7), rng.below(1_000_000_000));
            c.mobile = Some(Personal::new(Mobile::new("+86", &number)?));
        }
        if rng.chance(80) {
            c.email = Some(Personal::from(format!("{account}@{}", rng.pick(DOMAINS))));
        }
        for _ in 0..rng.below(4) {
            c.tags.insert(rng.pick(&tags).clone());
        }
        if rng.chance(30) {
            c.external = Some(ExternalAccount {
                id: format!("crm-{}", 100_000 + i).into(),
                kind: "demo_crm".into(),
            });
        }
        if rng.chance(80) {
            let m = rng.pick(&managers).clone();
            if rng.chance(30) {
                c.association.invited_by = Some(m.clone());
            }
            c.account_manager = Some(m);
        }
        // Resources with expiries spread from a month ago to a year ahead. Each list is
        // packed once, when it is whole.
        let mut resources = Vec::new();
        for r in 0..rng.below(5) {
            let kind = rng.pick(ResourceKind::KNOWN).clone();
            let starts = now - Duration::days(rng.below(400) as i64 + 1);
            let expires = (kind != ResourceKind::PayPerUse)
                .then(|| now + Duration::hours(rng.below(400 * 24) as i64 - 30 * 24));
            let status = match expires {
                Some(e) if e < now => {
                    if rng.chance(50) {
                        ResourceStatus::GracePeriod
                    } else {
                        ResourceStatus::Released
                    }
                }
                _ => ResourceStatus::Active,
            };
            resources.push(Resource {
                id: ResourceId::new(format!("{}-r{r}", &c.id.as_str()[..12]))?,
                kind,
                service: SharedText::new(rng.pick::<&str>(PRODUCTS)),
                region: SharedText::new(rng.pick::<&str>(REGIONS)),
                name: format!("{}-{r}", rng.pick(PRODUCTS)),
                status,
                starts_at: starts.max(since),
                expires_at: expires.map(|e| e.max(starts.max(since))),
                expiry_policy: if rng.chance(40) {
                    ExpiryPolicy::AutoRenew
                } else {
                    rng.pick(ExpiryPolicy::KNOWN).clone()
                },
            });
        }
        c.resources = resources.into();
        // Spend: a few products, a few days this month and last month.
        let mut spend = Vec::new();
        let products = 1 + rng.below(3);
        for _ in 0..products {
            let product = SharedText::new(rng.pick::<&str>(PRODUCTS));
            let mode = rng.pick(ChargingMode::KNOWN).clone();
            let scale = [5, 50, 500, 5_000][rng.below(4) as usize];
            for (start, days) in [
                (last_month_start, 28u64),
                (
                    month_start,
                    u64::from(today.signed_duration_since(month_start).num_days().max(0) as u32)
                        + 1,
                ),
            ] {
                let day = start + Duration::days(rng.below(days) as i64);
                let day: NaiveDate = day.min(today);
                let mut amount = money(rng.below(scale), rng.below(100), &partner);
                if rng.chance(3) {
                    amount.amount = -amount.amount;
                }
                spend.push(SpendRecord {
                    day,
                    product: product.clone(),
                    amount,
                    mode: mode.clone(),
                });
            }
        }
        c.add_spend_records(spend);
        let mut orders = Vec::new();
        for o in 0..rng.below(4) {
            let status = rng.pick(OrderStatus::KNOWN).clone();
            let created = now - Duration::hours(rng.below(90 * 24) as i64);
            orders.push(Order {
                id: OrderId::new(format!("CS{}{o}", &c.id.as_str()[..10]))?,
                paid_at: (status == OrderStatus::Completed)
                    .then_some(created + Duration::minutes(30)),
                status,
                kind: rng.pick(OrderType::KNOWN).clone(),
                amount: money(rng.below(20_000), rng.below(100), &partner),
                created_at: created,
                placed_by: None,
            });
        }
        c.orders = orders.into();
        if kind == AssociationType::Reseller {
            if rng.chance(40) {
                c.budget = Some(Box::new(Budget {
                    kind: if rng.chance(80) {
                        BudgetKind::Monthly
                    } else {
                        BudgetKind::OneOff
                    },
                    amount: money(
                        [1_000, 5_000, 20_000, 100_000][rng.below(4) as usize],
                        0,
                        &partner,
                    ),
                    set_at: since.max(now - Duration::days(200)),
                    set_by: "ops_billing".into(),
                    auto_freeze: rng.chance(30),
                    thresholds: default_thresholds(),
                }));
            }
            if rng.chance(12) {
                let (origin, by) = match rng.below(3) {
                    0 => (FreezeOrigin::Default, "system"),
                    1 => (FreezeOrigin::Manual, "ops_billing"),
                    _ => (FreezeOrigin::Budget, "system"),
                };
                c.freeze = FreezeState::Frozen(Box::new(Freeze {
                    scope: if rng.chance(75) {
                        FreezeScope::Account
                    } else {
                        FreezeScope::AccountAndResources
                    },
                    origin,
                    reason: "demo freeze".into(),
                    by: by.into(),
                    at: since.max(now - Duration::days(rng.below(60) as i64 + 1)),
                }));
            }
        }
        if rng.chance(2) {
            c.association.ended =
                Some(now - Duration::hours(rng.below(24 * 30) as i64).min(now - since));
            c.account_manager = None;
            c.budget = None;
        }
        customers.push(Some(c));
    }
    Ok((desk, customers))
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;
    use crate::query::{PageRequest, Query, Sort, SortKey};

    /// The demo's customers placed in bulk make the same desk as placing them one by one:
    /// the same snapshot (customers, operators, order of slots) and the same answers to
    /// searches that read every index.
    #[test]
    fn bulk_placement_is_the_same_desk_as_one_by_one() -> Result<()> {
        let now = demo_now();
        let (mut bulk, customers) = generate(3_000, 11, now)?;
        let (mut one_by_one, again) = generate(3_000, 11, now)?;
        bulk.load_customers(customers)?;
        for c in again.into_iter().flatten() {
            one_by_one.load_customer(c)?;
        }
        one_by_one.id_order.refresh_order(&one_by_one.slots);
        assert_eq!(bulk.to_snapshot_json()?, one_by_one.to_snapshot_json()?);
        for (filter, key) in [
            ("name~cloud", SortKey::Name),
            ("account~acme", SortKey::Id),
            ("manager=am_001 and mtd>=100", SortKey::MonthToDate),
            ("expires<=30d and tag:vip", SortKey::NextExpiry),
            (
                "mobile~678 or frozen=true or budget>=80",
                SortKey::AssociatedAt,
            ),
        ] {
            let q = Query::parse(filter)?;
            for sort in [Sort::asc(key), Sort::desc(key)] {
                let page = |d: &Desk| d.search_ids(&q, sort, &PageRequest::first(50), now);
                let (a, b) = (page(&bulk)?, page(&one_by_one)?);
                assert_eq!((a.total, &a.ids), (b.total, &b.ids), "{filter}");
            }
        }
        Ok(())
    }

    /// The smallest portfolios place in bulk too.
    #[test]
    fn empty_and_single_portfolios() -> Result<()> {
        for n in [0, 1, 2] {
            let (desk, now) = portfolio(n, 5)?;
            assert_eq!(desk.len(), n);
            let page = desk.search_ids(
                &Query::all(),
                Sort::asc(SortKey::Id),
                &PageRequest::first(5),
                now,
            )?;
            assert_eq!(page.total, n);
        }
        Ok(())
    }

    /// A repeated id among the generated customers is refused by name, as one by one.
    #[test]
    fn a_repeated_id_is_refused() -> Result<()> {
        let (mut desk, mut customers) = generate(10, 3, demo_now())?;
        let repeated = customers[2].clone();
        customers.push(repeated);
        let err = desk.load_customers(customers).err();
        assert_eq!(err.map(|e| e.code()), Some("DUPLICATE_CUSTOMER"));
        Ok(())
    }
}
