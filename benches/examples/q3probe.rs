#![allow(missing_docs, clippy::unwrap_used, clippy::print_stdout)]
use partnerdesk::demo;
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status").unwrap().lines()
        .find(|l| l.starts_with("VmRSS")).and_then(|l| l.split_whitespace().nth(1)).unwrap().parse().unwrap()
}
fn main() {
    let n: usize = std::env::var("N").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let before = rss_kb();
    let (desk, now) = demo::portfolio(n, 20_261_129).unwrap();
    let after = rss_kb();
    println!("n={n} rss delta {} MiB ({} B/customer)", (after - before) / 1024, (after - before) * 1024 / n as u64);
    for f in std::env::var("F").map(|f| vec![f]).unwrap_or_else(|_| vec!["name~cloud".into(), "name~科技".into(), "account~acme".into()]) {
        let f = f.as_str();
        let q = Query::parse(f).unwrap();
        let mut t = Vec::new();
        let mut total = 0;
        for _ in 0..std::env::var("R").ok().and_then(|r| r.parse().ok()).unwrap_or(21) {
            let s = std::time::Instant::now();
            let p = desk.search_ids(&q, Sort::asc(SortKey::Name), &PageRequest::first(20), now).unwrap();
            t.push(s.elapsed());
            total = p.total;
        }
        t.sort();
        println!("{f}: total {total}, median {:?}, min {:?}", t[t.len() / 2], t[0]);
    }
}
